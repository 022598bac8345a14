// Row parsers: the rows one family query returns, summarised per host on the server, turned into each host's
// evidence through the chunk's HostKeyIndex (a row may name several hosts; a host may get rows under several keys).
import type { LogsTable } from '@azure/monitor-query-logs';
import type { HostRecord } from '../../model';
import type { EvidenceContext } from '../context';
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
  MetricName,
  MetricSeries,
  MetricsEvidence,
} from '../log-types';
import type { HostKeyIndex } from '../logs-hosts';
import { LINES_PER_GROUP } from '../logs-queries';
import type { PlannedQuery } from './plan';

export type Row = Record<string, unknown>;

export function rowsOf(table: LogsTable | undefined): Row[] {
  if (!table) return [];
  const names = table.columnDescriptors.map((c) => c.name ?? '');
  return table.rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v));
const num = (v: unknown): number => (typeof v === 'number' ? v : v === null || v === undefined || v === '' ? NaN : Number(v));
const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : '');

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

/** The evidence of the query's family, per host id, from its rows. */
export function parseFamily(q: PlannedQuery, rows: Row[], ctx: EvidenceContext): Map<string, unknown> {
  switch (q.family) {
    case 'launch': return launchFromRows(rows, q, ctx);
    case 'kernel': return kernelFromRows(rows, q.index, q.timespan);
    case 'metrics': return metricsFromRows(rows, q.index);
    case 'cluster': return clusterFromRows(rows, q.index);
    case 'flows': return flowsFromRows(rows, q.index, q.index.hosts);
  }
}
