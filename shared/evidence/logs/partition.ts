// Hosts split by Log Analytics workspace into parts of a bounded size: the one planner behind the sweep's evaluate
// batches (sweep.ts planBatches) and the log evidence's query chunks (plan.ts planChunks). Pure, and it imports only
// types, so the sweep loads nothing of the log evidence with it.
import type { HostRecord } from '../../model';

export interface WorkspacePart {
  /** Log Analytics customer id; null for the hosts with none. */
  workspaceId: string | null;
  hosts: HostRecord[];
}

/**
 * Hosts grouped by Log Analytics workspace (workspaces in order, hosts by id within each), each group cut into parts
 * of at most `maxPerPart`. Ids are canonical (model.ts canonicalId), so they sort as they are.
 */
export function partitionByWorkspace(hosts: readonly HostRecord[], maxPerPart: number): WorkspacePart[] {
  const byWorkspace = new Map<string, HostRecord[]>();
  for (const h of hosts) {
    const key = h.logAnalyticsWorkspaceId ?? '';
    let list = byWorkspace.get(key);
    if (!list) byWorkspace.set(key, (list = []));
    list.push(h);
  }
  const out: WorkspacePart[] = [];
  for (const key of [...byWorkspace.keys()].sort()) {
    const list = (byWorkspace.get(key) as HostRecord[]).sort((a, b) => a.id.localeCompare(b.id));
    for (let i = 0; i < list.length; i += maxPerPart) out.push({ workspaceId: key === '' ? null : key, hosts: list.slice(i, i + maxPerPart) });
  }
  return out;
}
