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
  /**
   * Job-service hosts: the evidence of the compute the job runs on (its host is the compute seen from the job —
   * evidence/job-compute.ts), which the compute's size, node and network checks read; or why it could not be read
   * (serverless compute, a compute not found). Absent for other hosts.
   */
  jobCompute?: Gathered<HostEvidence>;
}

export type { NetworkEvidence, LogEvidence, CollectionEvidence };
