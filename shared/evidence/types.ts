// The evidence envelope a check reads. Each family is gathered in bulk per batch at the edges (evidence/*.ts) and
// handed to pure checks; a family that could not be read is `{ ok: false, reason, hint }`, never an empty success.
import type { Gathered, HostRecord } from '../model';
import type { NetworkEvidence } from './network-types';
import type { LogEvidence } from './log-types';
import type { CollectionEvidence } from './collection';

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
  /** VMs: the data collection rules associated with the host (what the agent is configured to send). */
  collection?: Gathered<CollectionEvidence>;
}

export type { NetworkEvidence, LogEvidence, CollectionEvidence };
