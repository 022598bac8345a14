// The evidence envelope a check reads. Each family is gathered in bulk per batch at the edges (evidence/*.ts) and
// handed to pure checks; a family that could not be read is `{ ok: false, reason, hint }`, never an empty success.
import type { Gathered, HostRecord } from '../model';
import type { NetworkEvidence } from './network-types';
import type { LogEvidence } from './log-types';

export interface VmSizeInfo {
  name: string;
  vCPUs: number;
  memoryGB: number;
}

export interface HostEvidence {
  host: HostRecord;
  /** The host's VM size looked up in the size catalogue (ML vmSizes per location, Compute SKUs for VMs). */
  vmSize: Gathered<VmSizeInfo>;
  network: Gathered<NetworkEvidence>;
  logs: LogEvidence;
}

export type { NetworkEvidence, LogEvidence };
