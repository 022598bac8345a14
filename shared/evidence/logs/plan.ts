// Query planning: hosts split by Log Analytics workspace into chunks of at most MAX_HOSTS_PER_QUERY, and the family
// queries each chunk needs; the split is partition.ts, the one planner the sweep's evaluate batches use too.
import type { HostRecord } from '../../model';
import type { EvidenceContext } from '../context';
import { AML_MANAGEMENT_PORT, type LogFamily } from '../log-types';
import { HostKeyIndex } from '../logs-hosts';
import { clusterQuery, flowsQuery, kernelQuery, kernelTimespan, launchLogQuery, metricsQuery, RESTART_HORIZON_MS, RESTART_READ_BACK_MS, type RestartReadBack } from '../logs-queries';
import { restartTime } from '../restart';
import { partitionByWorkspace } from './partition';

/** Hosts per query: the `in` lists stay a few hundred KB at most and a result stays far below 500,000 rows. */
export const MAX_HOSTS_PER_QUERY = 1_000;

export interface Chunk {
  workspaceId: string;
  hosts: HostRecord[];
  index: HostKeyIndex;
}

export interface PlannedQuery {
  workspaceId: string;
  family: LogFamily;
  hostIds: string[];
  /** The hosts the query covers (clusters only for cluster events; hosts with flow keys for flows). */
  index: HostKeyIndex;
  query: string;
  /** The request timespan (ISO 8601 duration): TBMON_LOOKBACK, longer for the kernel's coverage and restarts. */
  timespan: string;
  /** Launch query only: the restarted compute instances it reads back for (script.not-relaunched). */
  restart?: { hostIds: string[]; readFrom: string };
}

function hasFlowKeys(index: HostKeyIndex, id: string): boolean {
  const k = index.keys.get(id);
  return !!k && k.flowVms.length + k.flowNics.length + k.flowSubnets.length > 0;
}

/** Why a host has no flow keys, and what would give it some. */
const NO_FLOW_KEYS_HINT =
  'Traffic-analytics flow logs are tied to a host through its VM, network interface or subnet: a compute in AzureML\'s own network has none; put it in a customer VNet subnet with VNet flow logs and traffic analytics.';

/**
 * The compute instances of a chunk whose last operation is a completed (re)start within RESTART_HORIZON_MS, and the
 * launch query's span: from RESTART_READ_BACK_MS before the oldest such start, never shorter than the lookback.
 */
export function restartReadBack(hosts: readonly HostRecord[], index: HostKeyIndex, settings: EvidenceContext['settings'], now: Date): { readBack: RestartReadBack; hostIds: string[]; readFrom: string; timespan: string } | null {
  const restarted: { id: string; t: number }[] = [];
  for (const h of hosts) {
    const t = restartTime(h);
    if (t !== null && now.getTime() - t <= RESTART_HORIZON_MS) restarted.push({ id: h.id, t });
  }
  if (!restarted.length) return null;
  const from = Math.min(...restarted.map((r) => r.t)) - RESTART_READ_BACK_MS;
  const spanMs = Math.max(settings.lookbackMs, now.getTime() - from);
  const hostKeys = new Set<string>();
  for (const r of restarted) {
    const k = index.keys.get(r.id);
    for (const v of [...(k?.computers ?? []), ...(k?.resourceIds ?? [])]) hostKeys.add(v);
  }
  return {
    readBack: { hostKeys: [...hostKeys].sort(), lookbackMs: settings.lookbackMs },
    hostIds: restarted.map((r) => r.id),
    readFrom: new Date(now.getTime() - spanMs).toISOString(),
    timespan: `PT${Math.ceil(spanMs / 1000)}S`,
  };
}

/** The queries one chunk needs, and the hosts a family does not apply to (with the reason, and a hint where one helps). */
export function planChunkQueries(chunk: Chunk, settings: EvidenceContext['settings'], now: Date = new Date()): { queries: PlannedQuery[]; notApplicable: { family: LogFamily; hostId: string; reason: string; hint?: string }[] } {
  const { workspaceId, hosts, index } = chunk;
  const allIds = hosts.map((h) => h.id);
  const timespan = settings.lookback;
  const restart = restartReadBack(hosts, index, settings, now);
  const source = { table: settings.launchLogTable, tag: settings.launchLogTag };
  const queries: PlannedQuery[] = [
    restart
      ? { workspaceId, family: 'launch', hostIds: allIds, index, timespan: restart.timespan, query: launchLogQuery(index, source, restart.readBack), restart: { hostIds: restart.hostIds, readFrom: restart.readFrom } }
      : { workspaceId, family: 'launch', hostIds: allIds, index, timespan, query: launchLogQuery(index, source) },
    { workspaceId, family: 'kernel', hostIds: allIds, index, timespan: kernelTimespan(settings.lookback, settings.lookbackMs), query: kernelQuery(index, settings.lookbackMs) },
    { workspaceId, family: 'metrics', hostIds: allIds, index, timespan, query: metricsQuery(index) },
  ];
  const notApplicable: { family: LogFamily; hostId: string; reason: string; hint?: string }[] = [];
  const clusters = hosts.filter((h) => h.kind === 'compute-cluster');
  for (const h of hosts) if (h.kind !== 'compute-cluster') notApplicable.push({ family: 'cluster', hostId: h.id, reason: 'cluster events apply to compute clusters only' });
  if (clusters.length) {
    const clusterIndex = new HostKeyIndex(clusters);
    queries.push({ workspaceId, family: 'cluster', hostIds: clusters.map((h) => h.id), index: clusterIndex, timespan, query: clusterQuery(clusterIndex) });
  }
  const flowHosts = hosts.filter((h) => hasFlowKeys(index, h.id));
  for (const h of hosts) {
    if (!hasFlowKeys(index, h.id)) notApplicable.push({ family: 'flows', hostId: h.id, reason: 'no VM, network interface or subnet is known for this host, so traffic-analytics flows cannot be tied to it', hint: NO_FLOW_KEYS_HINT });
  }
  if (flowHosts.length) {
    const flowIndex = new HostKeyIndex(flowHosts);
    const ports = [AML_MANAGEMENT_PORT, ...flowHosts.map((h) => h.publishedPort)];
    queries.push({ workspaceId, family: 'flows', hostIds: flowHosts.map((h) => h.id), index: flowIndex, timespan, query: flowsQuery(flowIndex, ports) });
  }
  return { queries, notApplicable };
}

/** Split hosts by Log Analytics workspace and into chunks of at most MAX_HOSTS_PER_QUERY. */
export function planChunks(hosts: readonly HostRecord[]): Chunk[] {
  // A job's output never reaches Log Analytics' Syslog: its TensorBoard service is judged from the job list alone.
  const queried = hosts.filter((h) => h.logAnalyticsWorkspaceId && h.kind !== 'job-service');
  return partitionByWorkspace(queried, MAX_HOSTS_PER_QUERY).map((p) => ({ workspaceId: p.workspaceId as string, hosts: p.hosts, index: new HostKeyIndex(p.hosts) }));
}

/** Every query gatherLogEvidence sends for these hosts (the KQL safety and query-budget tests read this). */
export function plannedQueries(hosts: readonly HostRecord[], settings: EvidenceContext['settings'], now?: Date): PlannedQuery[] {
  return planChunks(hosts).flatMap((c) => planChunkQueries(c, settings, now).queries);
}
