// Log Analytics evidence for a batch of hosts: per workspace and chunk of ≤ 1,000 hosts, one query per evidence
// family (launch log, kernel messages, metrics, cluster events, denied flows), each summarised per host on the
// server; results split per host here. A family that could not be read — no workspace, no data (204), a partial
// error, a query that failed after retries — is `{ ok: false, reason, hint }` for exactly the hosts it covered.
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { LogsQueryClient, LogsQueryResult, LogsTable } from '@azure/monitor-query-logs';
import type { Gathered, HostRecord } from '../model';
import type { EvidenceContext } from './context';
import type {
  ClusterEventEvidence,
  DeniedFlow,
  FlowEvidence,
  FlowKeyKind,
  KernelEvent,
  KernelEventKind,
  KernelEvidence,
  LaunchLogEvidence,
  LaunchLogLine,
  LogEvidence,
  LogFamily,
  MetricName,
  MetricSeries,
  MetricsEvidence,
} from './log-types';
import { AML_MANAGEMENT_PORT, KERNEL_HINT, LOG_FAMILIES } from './log-types';
import { HostKeyIndex } from './logs-hosts';
import { clusterQuery, flowsQuery, kernelQuery, kernelTimespan, launchLogQuery, LINES_PER_GROUP, metricsQuery, RESTART_HORIZON_MS, RESTART_READ_BACK_MS, type RestartReadBack } from './logs-queries';
import { restartTime } from './restart';
import { DEFAULT_RETRY, runThrottled, type RetryPolicy } from './logs-throttle';

/** Hosts per query: the `in` lists stay a few hundred KB at most and a result stays far below 500,000 rows. */
export const MAX_HOSTS_PER_QUERY = 1_000;

export const NO_WORKSPACE_HINT =
  'Send the host\'s logs to a Log Analytics workspace and tell tbmon which: a diagnostic setting on the ML workspace, ' +
  'the tag `tbmon-log-analytics=<workspace ARM id or customer id>` on the host, or the setting TBMON_LOG_ANALYTICS_WORKSPACE_ID.';

const FAMILY_HINTS: Record<LogFamily, string> = {
  launch: 'Start TensorBoard with the tbmon launcher, tensorboard-launch.sh (get it with: tbmon launcher > tensorboard-launch.sh, or from /api/launcher of your tbmon app), or `tensorboard … 2>&1 | logger -t tensorboard`, and collect Syslog (facility user) with a data collection rule.',
  kernel: KERNEL_HINT,
  metrics: 'Enable VM insights (InsightsMetrics) or Perf counters for memory, logical disk and processor; for clusters, send the ML workspace\'s metrics and AmlComputeCpuGpuUtilization to the workspace.',
  cluster: 'Send the ML workspace\'s AmlComputeClusterEvent diagnostics to the Log Analytics workspace.',
  flows: 'Enable VNet or NSG flow logs with traffic analytics into this Log Analytics workspace.',
};

export interface LogGatherOptions {
  retry?: RetryPolicy;
  /** Server-side wait (Prefer: wait=…), seconds. */
  serverTimeoutInSeconds?: number;
}

type Row = Record<string, unknown>;

/** Log Analytics' answer when a query names a table the workspace does not have (isfuzzy skips some, not all). */
const MISSING_TABLE = /failed to resolve table|none of the tables exists/i;

const FAMILY_TABLES: Record<LogFamily, string> = {
  launch: 'launch-log',
  kernel: 'Syslog',
  metrics: 'InsightsMetrics, Perf, AzureMetrics or AmlComputeCpuGpuUtilization',
  cluster: 'AmlComputeClusterEvent',
  flows: 'NTANetAnalytics',
};

function missing(reason: string, hint?: string): { ok: false; reason: string; hint?: string } {
  return hint ? { ok: false, reason, hint } : { ok: false, reason };
}

function allMissing(reason: string, hint?: string): LogEvidence {
  const out = {} as Record<LogFamily, Gathered<never>>;
  for (const f of LOG_FAMILIES) out[f] = missing(reason, hint);
  return out as unknown as LogEvidence;
}

function rowsOf(table: LogsTable | undefined): Row[] {
  if (!table) return [];
  const names = table.columnDescriptors.map((c) => c.name ?? '');
  return table.rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : v === null || v === undefined || v === '' ? NaN : Number(v));
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : '');

/** Outcome of one family query for one chunk: rows, or why there are none. */
type QueryOutcome = { ok: true; rows: Row[] } | { ok: false; reason: string };

const NO_CONTENT_POLICY = 'tbmonLogAnalyticsNoContent';

/**
 * Log Analytics answers 204 for a workspace that holds no data at all; the SDK (1.0.0) then fails on the empty
 * body with a TypeError. This policy turns the 204 into a RestError that says so, before deserialization.
 */
const noContentPolicy: PipelinePolicy = {
  name: NO_CONTENT_POLICY,
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status === 204) {
      throw new RestError('the workspace holds no data (204 No Content)', { statusCode: 204, request, response, code: 'NoContent' });
    }
    return response;
  },
};

function withNoContentPolicy(client: LogsQueryClient): LogsQueryClient {
  if (!client.pipeline.getOrderedPolicies().some((p) => p.name === NO_CONTENT_POLICY)) client.pipeline.addPolicy(noContentPolicy);
  return client;
}

async function runFamilyQuery(ctx: EvidenceContext, workspaceId: string, family: LogFamily, query: string, timespan: string, options: LogGatherOptions): Promise<QueryOutcome> {
  const client = withNoContentPolicy(ctx.azure.logs());
  const gate = ctx.azure.logAnalyticsGate;
  let result: LogsQueryResult;
  try {
    result = await runThrottled(
      gate,
      () =>
        client.queryWorkspace(workspaceId, query, { duration: timespan }, {
          abortSignal: ctx.abortSignal,
          serverTimeoutInSeconds: options.serverTimeoutInSeconds,
        }),
      options.retry ?? DEFAULT_RETRY,
      ctx.abortSignal,
    );
  } catch (e) {
    if (e instanceof RestError && e.statusCode === 204) {
      return { ok: false, reason: `Log Analytics workspace ${workspaceId} holds no data (204 No Content)` };
    }
    if (e instanceof RestError && e.statusCode === 400 && MISSING_TABLE.test(e.message)) {
      // Not a failure of the run: the workspace never received this family's table.
      return { ok: false, reason: `Log Analytics workspace ${workspaceId} has no ${FAMILY_TABLES[family]} table (${e.message})` };
    }
    const code = e instanceof RestError ? e.code ?? `Http${e.statusCode ?? ''}` : (e as Error).name || 'Error';
    const status = e instanceof RestError && e.statusCode ? ` (HTTP ${e.statusCode})` : '';
    const message = `the ${family} query to Log Analytics workspace ${workspaceId} failed${status}: ${(e as Error).message}`;
    ctx.errors.push({ scope: workspaceId, code, message });
    return { ok: false, reason: message };
  }
  if (result.status === 'Success') return { ok: true, rows: rowsOf(result.tables[0]) };
  const err = result.partialError as { code?: string; message?: string; details?: { code?: string; message?: string }[] } | undefined;
  const detail = [err?.code, err?.message, ...(err?.details ?? []).map((d) => [d.code, d.message].filter(Boolean).join(': '))].filter(Boolean).join('; ') || 'no detail';
  const message = `the ${family} query to Log Analytics workspace ${workspaceId} returned a partial result (${detail})`;
  ctx.errors.push({ scope: workspaceId, code: err?.code ?? 'PartialError', message });
  return { ok: false, reason: `${message}; evidence that may be incomplete is not used` };
}

/** A group's `Lines` (newest first): [time, message, count] per distinct line. */
function linesOf(v: unknown): { time: string; message: string; count: number }[] {
  const list = typeof v === 'string' ? safeJson(v) : v;
  if (!Array.isArray(list)) return [];
  return list.flatMap((l) => (Array.isArray(l) && l.length >= 3 ? [{ time: iso(l[0]), message: str(l[1]), count: num(l[2]) || 0 }] : []));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

interface LineLike {
  time: string;
  message: string;
  count: number;
}

/**
 * A host's lines from every row that named it (a host matched by `_ResourceId` and by `Computer` gets a group from
 * each): the same line adds up, and the newest LINES_PER_GROUP distinct lines per group stay, newest first.
 */
class LineMerger<T extends LineLike> {
  private readonly byHost = new Map<string, Map<string, Map<string, T>>>();

  add(hostId: string, group: string, lines: readonly T[]): void {
    let groups = this.byHost.get(hostId);
    if (!groups) this.byHost.set(hostId, (groups = new Map()));
    let byMessage = groups.get(group);
    if (!byMessage) groups.set(group, (byMessage = new Map()));
    for (const line of lines) {
      const same = byMessage.get(line.message);
      if (!same) byMessage.set(line.message, { ...line });
      else {
        same.count += line.count;
        if (line.time > same.time) same.time = line.time;
      }
    }
  }

  lines(hostId: string): T[] {
    return [...(this.byHost.get(hostId)?.values() ?? [])].flatMap((byMessage) =>
      [...byMessage.values()].sort((a, b) => b.time.localeCompare(a.time)).slice(0, LINES_PER_GROUP));
  }
}

function launchFromRows(rows: Row[], q: PlannedQuery, ctx: EvidenceContext): Map<string, LaunchLogEvidence> {
  const { index } = q;
  const out = new Map<string, LaunchLogEvidence>();
  const merger = new LineMerger<LaunchLogLine>();
  const restarted = new Set(q.restart?.hostIds ?? []);
  for (const h of index.hosts) {
    const e: LaunchLogEvidence = { asOf: ctx.now.toISOString(), table: ctx.settings.launchLogTable, tag: ctx.settings.launchLogTag, rows: 0, newest: [] };
    if (restarted.has(h.id) && q.restart) e.restart = { readFrom: q.restart.readFrom, lastTensorBoardLine: null, lastSyslogRow: null };
    out.set(h.id, e);
  }
  const later = (a: string | null, v: unknown): string | null => {
    const t = v === null || v === undefined || v === '' ? '' : iso(v);
    return t && (!a || t > a) ? t : a;
  };
  for (const r of rows) {
    const key = str(r.LineKey);
    // The restart probe's group (rows outside the window, other processes) carries no line, only the maxima.
    const lines: LaunchLogLine[] = key ? linesOf(r.Lines).map((l) => ({ key, ...l })) : [];
    for (const id of index.hostsForRowKey(str(r.HostKey))) {
      const e = out.get(id) as LaunchLogEvidence;
      e.rows += num(r.GroupCount) || 0;
      if (key) merger.add(id, key, lines);
      if (e.restart) {
        e.restart.lastTensorBoardLine = later(e.restart.lastTensorBoardLine, r.LastTbLine);
        e.restart.lastSyslogRow = later(e.restart.lastSyslogRow, r.LastRow);
      }
    }
  }
  for (const [id, e] of out) e.newest = merger.lines(id);
  return out;
}

function kernelFromRows(rows: Row[], index: HostKeyIndex, kernCoverage: string): Map<string, KernelEvidence> {
  const out = new Map<string, KernelEvidence>();
  const merger = new LineMerger<KernelEvent>();
  for (const h of index.hosts) out.set(h.id, { syslogRows: 0, kernRows: 0, kernCoverage, events: [] });
  for (const r of rows) {
    const kind = str(r.EventKind);
    const detail = str(r.EventDetail);
    const events: KernelEvent[] = kind ? linesOf(r.Lines).map((l) => ({ kind: kind as KernelEventKind, detail, ...l })) : [];
    for (const id of index.hostsForRowKey(str(r.HostKey))) {
      const e = out.get(id) as KernelEvidence;
      e.syslogRows += num(r.GroupCount) || 0;
      e.kernRows += num(r.KernRows) || 0;
      if (kind) merger.add(id, `${kind}|${detail}`, events);
    }
  }
  for (const [id, e] of out) e.events = merger.lines(id);
  return out;
}

function metricHosts(key: string, index: HostKeyIndex): string[] {
  if (key.startsWith('workspace:')) return index.lookup('workspace', key.slice('workspace:'.length));
  if (key.startsWith('cluster:')) {
    const [name, ws] = key.slice('cluster:'.length).split('|');
    return index.hostsForCluster(name ?? '', ws ?? '');
  }
  return index.hostsForRowKey(key);
}

function metricsFromRows(rows: Row[], index: HostKeyIndex): Map<string, MetricsEvidence> {
  const out = new Map<string, MetricsEvidence>();
  for (const h of index.hosts) out.set(h.id, { series: [] });
  for (const r of rows) {
    const samples = num(r.Samples) || 0;
    const s: MetricSeries = {
      metric: str(r.Metric) as MetricName,
      source: str(r.Source),
      node: str(r.Node),
      instance: str(r.Instance),
      samples,
      avg: samples ? num(r.ValueSum) / samples : NaN,
      min: num(r.MinValue),
      worstBinMax: num(r.WorstBinMax),
      last: num(r.Value),
      lastTime: iso(r.TimeGenerated),
    };
    for (const id of metricHosts(str(r.HostKey), index)) out.get(id)?.series.push({ ...s });
  }
  return out;
}

function clusterFromRows(rows: Row[], index: HostKeyIndex): Map<string, ClusterEventEvidence> {
  const out = new Map<string, ClusterEventEvidence>();
  for (const r of rows) {
    const ev: ClusterEventEvidence = {
      events: num(r.Events) || 0,
      lastTime: iso(r.TimeGenerated),
      unusableNodeCount: Number.isFinite(num(r.UnusableNodeCount)) ? num(r.UnusableNodeCount) : null,
      preemptedNodeCount: Number.isFinite(num(r.PreemptedNodeCount)) ? num(r.PreemptedNodeCount) : null,
      maxPreemptedNodeCount: Number.isFinite(num(r.MaxPreempted)) ? num(r.MaxPreempted) : null,
      clusterErrorCodes: str(r.ClusterErrorCodes),
    };
    for (const id of index.hostsForCluster(str(r.TbCluster), str(r.TbWorkspace))) {
      const prev = out.get(id);
      // Rows of one cluster from two workspaces' diagnostics: the newest event speaks for the cluster.
      if (!prev || ev.lastTime > prev.lastTime) out.set(id, { ...ev, events: ev.events + (prev?.events ?? 0), maxPreemptedNodeCount: maxOrNull(ev.maxPreemptedNodeCount, prev?.maxPreemptedNodeCount ?? null) });
      else out.set(id, { ...prev, events: prev.events + ev.events, maxPreemptedNodeCount: maxOrNull(ev.maxPreemptedNodeCount, prev.maxPreemptedNodeCount) });
    }
  }
  return out;
}

function maxOrNull(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/** How a host's denied flows are matched, from the keys it has. */
function flowMatching(index: HostKeyIndex, id: string): FlowEvidence['matching'] {
  const k = index.keys.get(id);
  if (k && k.flowVms.length + k.flowNics.length > 0) return 'vm-or-nic';
  return k && k.flowIps.length ? 'ip' : 'subnet-only';
}

function flowsFromRows(rows: Row[], index: HostKeyIndex, hosts: readonly HostRecord[]): Map<string, FlowEvidence> {
  const out = new Map<string, FlowEvidence>();
  const workspaceRows = rows.reduce((n, r) => n + (num(r.Records) || 0), 0);
  for (const h of hosts) out.set(h.id, { workspaceRows, hostRows: 0, coveredBy: [], matching: flowMatching(index, h.id), denied: [] });
  const cover = (ids: Iterable<string>, kind: FlowKeyKind, records: number, credited: Set<string>) => {
    for (const id of ids) {
      const e = out.get(id);
      if (!e) continue;
      if (!e.coveredBy.includes(kind)) e.coveredBy.push(kind);
      if (!credited.has(id)) e.hostRows += records;
      credited.add(id);
    }
  };
  for (const r of rows) {
    const records = num(r.Records) || 0;
    const credited = new Set<string>();
    const matchedBy = str(r.MatchedBy) as FlowKeyKind | '';
    if (matchedBy) {
      const target = str(r.TargetKey);
      // A subnet match speaks only for hosts whose address is unknown: a host with a known IP has its own flows.
      const ids = index.lookup(matchedBy, target).filter((id) => matchedBy !== 'subnet' || flowMatching(index, id) === 'subnet-only');
      const flow: DeniedFlow = {
        destPort: num(r.Port),
        nsgRule: str(r.Rule),
        nsg: str(r.Nsg),
        deniedInFlows: num(r.DeniedIn) || 0,
        records,
        time: iso(r.TimeGenerated),
        sampleSrcIp: str(r.SrcIp),
        srcIps: num(r.SrcIps) || 0,
        matchedBy,
      };
      for (const id of ids) out.get(id)?.denied.push({ ...flow });
      // A denied flow record is traffic analytics seeing the target (and, for an address, its subnet).
      cover(index.lookup(matchedBy, target), matchedBy, records, credited);
      if (matchedBy === 'ip') cover(index.lookup('subnet', target.slice(0, target.lastIndexOf('|'))), 'subnet', records, credited);
      continue;
    }
    for (const [column, kind] of [['CoverVm', 'vm'], ['CoverNic', 'nic'], ['CoverIp', 'ip'], ['CoverSubnet', 'subnet']] as const) {
      const key = str(r[column]);
      if (key) cover(index.lookup(kind, key), kind, records, credited);
    }
  }
  return out;
}

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

/** The queries one chunk needs, and the hosts a family does not apply to (with the reason, and a hint where one helps). */
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

function parseFamily(q: PlannedQuery, rows: Row[], ctx: EvidenceContext): Map<string, unknown> {
  switch (q.family) {
    case 'launch': return launchFromRows(rows, q, ctx);
    case 'kernel': return kernelFromRows(rows, q.index, q.timespan);
    case 'metrics': return metricsFromRows(rows, q.index);
    case 'cluster': return clusterFromRows(rows, q.index);
    case 'flows': return flowsFromRows(rows, q.index, q.index.hosts);
  }
}

async function runPlannedQuery(q: PlannedQuery, ctx: EvidenceContext, options: LogGatherOptions, out: Map<string, LogEvidence>): Promise<void> {
  const set = (id: string, value: Gathered<unknown>) => {
    (out.get(id) as unknown as Record<LogFamily, Gathered<unknown>>)[q.family] = value;
  };
  const res = await runFamilyQuery(ctx, q.workspaceId, q.family, q.query, q.timespan, options);
  if (!res.ok) {
    for (const id of q.hostIds) set(id, missing(res.reason, FAMILY_HINTS[q.family]));
    return;
  }
  const parsed = parseFamily(q, res.rows, ctx);
  for (const id of q.hostIds) {
    const v = parsed.get(id);
    set(id, v === undefined
      ? missing(`no ${q.family} rows for this host in Log Analytics workspace ${q.workspaceId} in the last ${ctx.settings.lookback}`, FAMILY_HINTS[q.family])
      : { ok: true, value: v });
  }
}

/** Split hosts by Log Analytics workspace and into chunks of at most MAX_HOSTS_PER_QUERY. */
export function planChunks(hosts: readonly HostRecord[]): Chunk[] {
  const byWorkspace = new Map<string, HostRecord[]>();
  for (const h of hosts) {
    // A job's output never reaches Log Analytics' Syslog: its TensorBoard service is judged from the job list alone.
    if (!h.logAnalyticsWorkspaceId || h.kind === 'job-service') continue;
    const ws = h.logAnalyticsWorkspaceId;
    let list = byWorkspace.get(ws);
    if (!list) byWorkspace.set(ws, (list = []));
    list.push(h);
  }
  const chunks: Chunk[] = [];
  for (const [workspaceId, list] of byWorkspace) {
    for (let i = 0; i < list.length; i += MAX_HOSTS_PER_QUERY) {
      const part = list.slice(i, i + MAX_HOSTS_PER_QUERY);
      chunks.push({ workspaceId, hosts: part, index: new HostKeyIndex(part) });
    }
  }
  return chunks;
}

/** Every query gatherLogEvidence sends for these hosts (the KQL safety and query-budget tests read this). */
export function plannedQueries(hosts: readonly HostRecord[], settings: EvidenceContext['settings'], now?: Date): PlannedQuery[] {
  return planChunks(hosts).flatMap((c) => planChunkQueries(c, settings, now).queries);
}

export async function gatherLogEvidence(hosts: HostRecord[], ctx: EvidenceContext, options: LogGatherOptions = {}): Promise<Map<string, LogEvidence>> {
  const out = new Map<string, LogEvidence>();
  for (const h of hosts) {
    out.set(h.id, h.kind === 'job-service'
      ? allMissing('an AzureML job\'s output does not reach Log Analytics (its logs are in the job\'s outputs, system_logs/)')
      : h.logAnalyticsWorkspaceId
      ? allMissing('not gathered')
      : allMissing('no Log Analytics workspace is known for this host', NO_WORKSPACE_HINT));
  }
  const tasks: Promise<void>[] = [];
  for (const chunk of planChunks(hosts)) {
    const { queries, notApplicable } = planChunkQueries(chunk, ctx.settings, ctx.now);
    for (const n of notApplicable) (out.get(n.hostId) as unknown as Record<LogFamily, Gathered<unknown>>)[n.family] = missing(n.reason, n.hint);
    for (const q of queries) tasks.push(runPlannedQuery(q, ctx, options, out));
  }
  await Promise.all(tasks);
  return out;
}
