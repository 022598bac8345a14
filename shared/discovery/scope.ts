// TBMON_SCOPE resolved into the Resource Graph requests that cover it, at every sweep (a subscription added to a
// management group is in the next sweep's plan). Long subscription lists are split into groups under the size Graph's
// throttling guidance recommends (< 300 per request).
import { API_VERSIONS, ArmError, type AzureContext } from '../azure';
import type { Scope } from '../config';
import { UnknownManagementGroupError } from './errors';
import type { GraphScope } from './graph';
import { canonicalId } from '../model';

/** Subscriptions per Resource Graph request (guidance: fewer than 300). */
export const SUBSCRIPTIONS_PER_GRAPH_REQUEST = 250;

export interface ScopePlan {
  /** Graph request scopes, queried in turn. */
  batches: GraphScope[];
  /** The subscriptions the scope names, lower-cased; null for `all` (Graph's subscription rows say which exist). */
  subscriptions: string[] | null;
  /** For messages: `all`, `3 subscriptions`, `management group ml-platform (12 subscriptions)`. */
  description: string;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function planForSubscriptions(ids: string[], description: string): ScopePlan {
  const subs = [...new Set(ids.map(canonicalId))];
  return { batches: chunk(subs, SUBSCRIPTIONS_PER_GRAPH_REQUEST).map((s) => ({ subscriptions: s })), subscriptions: subs, description };
}

interface ManagementGroupNode {
  id?: string;
  type?: string;
  name?: string;
  children?: ManagementGroupNode[] | null;
  properties?: { children?: ManagementGroupNode[] | null };
}

/** Subscription ids anywhere under a management group tree (`$expand=children&$recurse=true`). */
export function subscriptionsUnder(node: ManagementGroupNode): string[] {
  const out: string[] = [];
  const walk = (children: ManagementGroupNode[] | null | undefined) => {
    for (const c of children ?? []) {
      const m = /^\/subscriptions\/([^/]+)$/i.exec(c.id ?? '');
      if (m || /^\/?subscriptions$/i.test(c.type ?? '')) out.push(canonicalId(m?.[1] ?? c.name ?? ''));
      else walk(c.children);
    }
  };
  walk(node.properties?.children ?? node.children);
  return [...new Set(out.filter(Boolean))];
}

/** One ARM read for a management group (its whole subtree); Graph requests for the rest. */
export async function planScope(azure: AzureContext, scope: Scope, abortSignal?: AbortSignal): Promise<ScopePlan> {
  if (scope.kind === 'all') return { batches: [{}], subscriptions: null, description: 'all readable subscriptions' };
  if (scope.kind === 'subscriptions') return planForSubscriptions(scope.subscriptionIds, `${scope.subscriptionIds.length} subscription(s)`);
  const mg = scope.managementGroupId;
  let tree: ManagementGroupNode;
  try {
    tree = await azure.armGet<ManagementGroupNode>(
      `/providers/Microsoft.Management/managementGroups/${encodeURIComponent(mg)}?$expand=children&$recurse=true`,
      API_VERSIONS.managementGroups, abortSignal,
    );
  } catch (e) {
    if (e instanceof ArmError && (e.statusCode === 404 || e.statusCode === 403)) throw new UnknownManagementGroupError(mg, `${e.statusCode} ${e.code}`);
    throw e;
  }
  const subs = subscriptionsUnder(tree);
  return planForSubscriptions(subs, `management group ${mg} (${subs.length} subscription(s))`);
}
