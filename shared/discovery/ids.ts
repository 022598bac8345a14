// ARM resource ids: the parts discovery needs (subscription, resource group, ML workspace), read the same way for
// rows from Resource Graph and objects from ARM so both paths describe a host identically.
import { canonicalId } from '../model';

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
}

/** Subscription (canonical) and resource group (as written) of an ARM id; null when the id has neither. */
export function parseResourceId(id: string): ParsedResourceId | null {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)(?:\/|$)/i.exec(id);
  return m ? { subscriptionId: canonicalId(m[1]), resourceGroup: m[2] } : null;
}

/** `/subscriptions/…/workspaces/{ws}` of a compute id (…/workspaces/{ws}/computes/{name}); null for anything else. */
export function workspaceIdOfCompute(computeId: string): string | null {
  const m = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+)\/computes\/[^/]+$/i.exec(computeId);
  return m ? m[1] : null;
}

/** The last segment of an ARM id: a resource's name. */
export function nameOfId(id: string): string {
  const segs = id.split('/').filter(Boolean);
  return segs[segs.length - 1] ?? id;
}
