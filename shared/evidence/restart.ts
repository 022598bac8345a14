// When a compute instance last (re)started, from its `properties.lastOperation` (Azure REST spec
// ComputeInstanceLastOperation: operationName Create|Start|Stop|Restart|Reimage|Delete, operationStatus
// InProgress|Succeeded|CreateFailed|…, operationTrigger User|Schedule|IdleShutdown, operationTime). Only a completed
// Create, Start or Restart runs the instance anew: the time script.not-relaunched and the launch query read back from.
import type { HostRecord } from '../model';

const RESTARTS: ReadonlySet<string> = new Set(['create', 'start', 'restart']);

/** Epoch ms of the host's last completed Create/Start/Restart, or null (not a compute instance, other operation). */
export function restartTime(host: HostRecord): number | null {
  if (host.kind !== 'compute-instance') return null;
  const op = host.facts.lastOperation;
  if (!op || !RESTARTS.has((op.operationName ?? '').toLowerCase()) || (op.operationStatus ?? '').toLowerCase() !== 'succeeded') return null;
  const t = Date.parse(op.operationTime ?? '');
  return Number.isFinite(t) ? t : null;
}
