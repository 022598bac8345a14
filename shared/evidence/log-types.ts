// Per-host Log Analytics evidence, one Gathered<> per evidence family (one query per family per workspace per
// batch; shared/evidence/logs/). Every family is summarised per host on the server, so what arrives here is small
// whatever the row count: the newest few distinct lines per pattern, counts, per-metric aggregates — never raw rows.
import type { Gathered } from '../model';

/** Which launch-log pattern a line matched on the server (shared/evidence/launch-patterns.ts), or `other`. */
export type LaunchLineKey = string;

/** One distinct line of a pattern key: its newest time and how often it occurred in the window. */
export interface LaunchLogLine {
  key: LaunchLineKey;
  time: string;
  message: string;
  count: number;
}

export interface LaunchLogEvidence {
  /** The evaluation time the window ends at (ISO); heartbeat age is measured against it. */
  asOf: string;
  table: string;
  tag: string;
  /** Launch-log rows for the host in the window (0 → script checks are unknown with the setup hint). */
  rows: number;
  /**
   * The newest distinct lines of each pattern key (up to LINES_PER_GROUP per key): the server classifies by terms,
   * the checks confirm each line with the exact pattern, so a newer near-miss cannot hide an older real match.
   */
  newest: LaunchLogLine[];
  /**
   * For a compute instance whose last operation is a completed Create/Start/Restart (script.not-relaunched), read
   * from the same query over a longer span: where that span starts (ISO), the newest launcher or serving line from the
   * host in it (whatever the window), and the newest Syslog row of any process from it. Absent for other hosts.
   */
  restart?: RestartProbe;
}

export interface RestartProbe {
  /** The start of the span these maxima cover (ISO). */
  readFrom: string;
  /** Newest `tbmon-launcher:` or `TensorBoard <ver> at http…` line from the host in the span, or null. */
  lastTensorBoardLine: string | null;
  /** Newest Syslog row of any process from the host in the span, or null (collection not proven). */
  lastSyslogRow: string | null;
}

export type KernelEventKind = 'oom-kill' | 'syn-flood' | 'conntrack-full' | 'tcp-oom';

/** One distinct kernel line of a kind and detail (up to LINES_PER_GROUP newest per kind and detail). */
export interface KernelEvent {
  kind: KernelEventKind;
  /** The killed process's comm for an OOM kill, the port for a SYN flood, '' otherwise. */
  detail: string;
  /** Occurrences of this line in the window. */
  count: number;
  time: string;
  message: string;
}

export interface KernelEvidence {
  /** Syslog rows of any facility from the host in the window (says whether Syslog arrives at all). */
  syslogRows: number;
  /**
   * `kern` rows from the host over `kernCoverage` (at least the last 7 days): 0 means kernel messages are not proven
   * collected — a launch log under facility user says nothing about facility kern — so the kernel checks are unknown.
   */
  kernRows: number;
  /** The period kernRows covers (ISO 8601 duration). */
  kernCoverage: string;
  events: KernelEvent[];
}

export type MetricName =
  | 'memory-available-pct'
  | 'memory-available-mb'
  | 'disk-free-pct'
  | 'disk-avail-mb'
  | 'disk-used-mb'
  | 'cpu-pct';

export interface MetricSeries {
  metric: MetricName;
  /** The table it came from (InsightsMetrics, Perf, AzureMetrics, AmlComputeCpuGpuUtilization). */
  source: string;
  /**
   * The node the series is from (lower-case `Computer`, or `NodeId` for AmlComputeCpuGpuUtilization): a cluster's
   * nodes share one host, and each is judged alone. '' for workspace-level metrics (AzureMetrics).
   */
  node: string;
  /** Mount for disks, '' otherwise. */
  instance: string;
  samples: number;
  avg: number;
  min: number;
  /** The smallest per-5-minute-bin maximum: below a threshold means a whole 5-minute bin stayed below it. */
  worstBinMax: number;
  last: number;
  lastTime: string;
}

export interface MetricsEvidence {
  series: MetricSeries[];
}

export interface ClusterEventEvidence {
  events: number;
  lastTime: string;
  /** From the newest AmlComputeClusterEvent in the window. */
  unusableNodeCount: number | null;
  preemptedNodeCount: number | null;
  /** Largest PreemptedNodeCount (a string column: todouble) seen in the window. */
  maxPreemptedNodeCount: number | null;
  clusterErrorCodes: string;
}

export interface DeniedFlow {
  destPort: number;
  nsgRule: string;
  /** NsgList as traffic analytics writes it (`subscription/resourceGroup/nsgName`). */
  nsg: string;
  deniedInFlows: number;
  /** Flow records (rows) behind the total. */
  records: number;
  time: string;
  /** One source address of the denied flows, and how many distinct ones there were. */
  sampleSrcIp: string;
  srcIps: number;
  /**
   * What tied the flow to the host: its VM, a NIC, its private IP within its subnet, or — only for a host whose
   * address is unknown (a cluster) — any address in its subnet.
   */
  matchedBy: FlowKeyKind;
}

export type FlowKeyKind = 'vm' | 'nic' | 'ip' | 'subnet';

export interface FlowEvidence {
  /** NTANetAnalytics rows in the workspace in the window. */
  workspaceRows: number;
  /**
   * Rows in the window that show this host's VM, NIC, private IP or subnet (as destination or source): 0 means the
   * host's traffic is not logged — no flow logs / traffic analytics on its subnet or NSG — not that nothing is denied.
   */
  hostRows: number;
  /** Which of the host's keys those rows showed. */
  coveredBy: FlowKeyKind[];
  /** How denied flows are tied to this host: precisely (VM, NIC, IP), or by subnet only because no address is known. */
  matching: 'vm-or-nic' | 'ip' | 'subnet-only';
  denied: DeniedFlow[];
}

export interface LogEvidence {
  launch: Gathered<LaunchLogEvidence>;
  kernel: Gathered<KernelEvidence>;
  metrics: Gathered<MetricsEvidence>;
  cluster: Gathered<ClusterEventEvidence>;
  flows: Gathered<FlowEvidence>;
}

/** How to make kernel messages provable: what the kernel checks say when no `kern` row arrived. */
export const KERNEL_HINT =
  'Collect Syslog facility kern from the host: the Azure Monitor Agent\'s data collection rule must list kern among its Syslog facilities (a boot message then proves collection).';

/** The AzureML management port whose denied flows network.flow-denied reports beside the published port. */
export const AML_MANAGEMENT_PORT = 44224;

export type LogFamily = keyof LogEvidence;
export const LOG_FAMILIES: readonly LogFamily[] = ['launch', 'kernel', 'metrics', 'cluster', 'flows'];
