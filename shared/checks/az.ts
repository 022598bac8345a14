// Where an `az` command in a fix acts: every fix names the subscription and the resource group, so in a tenant of
// many subscriptions it never acts on az's default subscription; the workspace is named, never a placeholder.
import type { Host, HostRecord } from '../model';
import { shellWord } from './network/fix';

/** `--subscription S --resource-group RG` of the host. */
export function azScope(host: Pick<Host, 'subscriptionId' | 'resourceGroup'>): string {
  return `--subscription ${shellWord(host.subscriptionId)} --resource-group ${shellWord(host.resourceGroup)}`;
}

/** `--subscription S --resource-group RG` of the resource an ARM id names (a network resource may live elsewhere). */
export function azScopeOfId(id: string, fallback: Pick<Host, 'subscriptionId' | 'resourceGroup'>): string {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)/i.exec(id);
  return azScope(m ? { subscriptionId: m[1], resourceGroup: m[2] } : fallback);
}

/** The ML workspace of a compute host: its own field, else read from its workspace or compute id. */
export function workspaceOf(host: Pick<HostRecord, 'workspace' | 'id'> & { facts?: Pick<HostRecord['facts'], 'workspaceId'> }): string {
  if (host.workspace) return host.workspace;
  const m = /\/workspaces\/([^/]+)/i.exec(host.facts?.workspaceId ?? host.id);
  return m ? m[1] : host.workspace ?? '';
}
