// Where a person opens a host: Azure ML studio for computes, the Azure portal for VMs. Sovereign clouds have other
// hosts for both, hence the overridable bases.
import type { Host } from '../model';

export interface LinkOptions {
  /** Entra tenant id, added so studio opens in the right directory; optional. */
  tenantId?: string | null;
  studioBaseUrl?: string;
  portalBaseUrl?: string;
  /** The status page's public URL (TBMON_STATUS_URL): links to a host's section; never with a key. */
  statusUrl?: string | null;
}

export function hostLink(host: Pick<Host, 'id' | 'name' | 'kind' | 'subscriptionId' | 'resourceGroup' | 'workspace'>, opts: LinkOptions = {}): { url: string; title: string } {
  const tenant = opts.tenantId ? encodeURIComponent(opts.tenantId) : '';
  if (host.kind !== 'vm' && host.workspace) {
    const base = (opts.studioBaseUrl ?? 'https://ml.azure.com').replace(/\/+$/, '');
    const wsid = `/subscriptions/${encodeURIComponent(host.subscriptionId)}/resourcegroups/${encodeURIComponent(host.resourceGroup)}/workspaces/${encodeURIComponent(host.workspace)}`;
    const url = `${base}/compute/${encodeURIComponent(host.name)}/details?wsid=${wsid}${tenant ? `&tid=${tenant}` : ''}`;
    return { url, title: 'Open in Azure ML studio' };
  }
  const base = (opts.portalBaseUrl ?? 'https://portal.azure.com').replace(/\/+$/, '');
  const id = host.id.split('/').map((seg) => encodeURIComponent(seg)).join('/');
  return { url: `${base}/#@${tenant}/resource${id}`, title: 'Open in the Azure portal' };
}
