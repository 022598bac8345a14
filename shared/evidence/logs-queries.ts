// The KQL the log evidence sends: one query per evidence family for a chunk of hosts (≤ 1,000) in one workspace.
// Every host key enters as an escaped literal (shared/kql.ts); table names come from validated settings. Each query
// summarises per host on the server, so its result is bounded by hosts × patterns (or metrics, mounts), never by
// the number of rows. The window is the request's timespan (TBMON_LOOKBACK), not part of the text.
import { kqlDynamicList, kqlIdentifier, kqlString } from '../kql';
import { LAUNCH_PATTERNS, OTHER_KEY } from './launch-patterns';
import { KERNEL_PATTERNS } from './kernel-patterns';
import type { HostKeyIndex } from './logs-hosts';

/** KQL `contains` is case-insensitive, so the lower-case terms match the message as written. */
function allContain(column: string, terms: readonly string[]): string {
  return terms.map((t) => `${column} contains ${kqlString(t)}`).join(' and ');
}

/**
 * `union isfuzzy=true (…)`: a table this workspace has never received (no traffic analytics, no cluster events)
 * gives no rows instead of a 400, and the checks then say what is not collected.
 */
function fuzzy(lines: readonly string[]): string {
  return `union isfuzzy=true (${lines.join('\n')})`;
}

/** Distinct lines kept per pattern group: a near-miss the server grouped in must not hide an older real match. */
export const LINES_PER_GROUP = 5;

/**
 * The newest LINES_PER_GROUP distinct messages of each group, newest first, as `Lines` = [[time, message, count]…],
 * with the group's row count and newest time. Identical lines (heartbeats) collapse first, so the sort sees one row
 * per distinct line; make_list keeps the order of sorted input (Kusto docs, make_list).
 */
function newestLines(groupBy: string, message: string): string[] {
  return [
    `| summarize MsgCount = count(), MsgTime = max(TimeGenerated) by ${groupBy}, ${message}`,
    '| order by MsgTime desc',
    `| summarize GroupCount = sum(MsgCount), TimeGenerated = max(MsgTime), Lines = make_list(pack_array(MsgTime, ${message}, MsgCount), ${LINES_PER_GROUP}) by ${groupBy}`,
  ];
}

/** Nested iff(): the first case whose condition holds gives the value (the subset has no case()). */
function firstMatch(cases: readonly { when: string; then: string }[], otherwise: string): string {
  return cases.reduceRight((acc, c) => `iff(${c.when}, ${c.then}, ${acc})`, otherwise);
}

function hostFilterLets(index: HostKeyIndex): string {
  return [
    `let tbComputers = ${kqlDynamicList(index.all('computers'))};`,
    `let tbVmComputers = ${kqlDynamicList(index.all('vmComputers'))};`,
    `let tbResourceIds = ${kqlDynamicList(index.all('resourceIds'))};`,
  ].join('\n');
}

/**
 * Rows of the host set, with `HostKey` = the matching `_ResourceId`, else the computer name (both lower-case). A VM's
 * computer name matches only rows that name no resource: a row with another `_ResourceId` is another machine's.
 */
const HOST_MATCH = [
  '| extend TbResourceId = tolower(_ResourceId), TbComputer = tolower(Computer)',
  '| where TbResourceId in (tbResourceIds) or TbComputer in (tbComputers) or (isempty(TbResourceId) and TbComputer in (tbVmComputers))',
  '| extend HostKey = iff(TbResourceId in (tbResourceIds), TbResourceId, TbComputer)',
].join('\n');

export interface LaunchLogSource {
  table: string;
  tag: string;
}

/**
 * The launch log: `Syslog` rows under the tag (ProcessName), or a custom table (`TensorBoardLog_CL`, the Azure
 * Monitor Agent's text-log shape: `RawData`, `Computer`) whose every row is launch log. Result: per host and
 * pattern key, the line count and the newest few distinct lines.
 */
export function launchLogQuery(index: HostKeyIndex, source: LaunchLogSource, restart?: RestartReadBack): string {
  const table = kqlIdentifier(source.table);
  const isSyslog = table.toLowerCase() === 'syslog';
  const messageColumn = isSyslog ? 'SyslogMessage' : 'RawData';
  const key = firstMatch(
    LAUNCH_PATTERNS.map((p) => ({ when: allContain('TbMessage', p.terms), then: kqlString(p.key) })),
    kqlString(OTHER_KEY),
  );
  const tagFilter = `tolower(ProcessName) == ${kqlString(source.tag.toLowerCase())}`;
  if (!restart || restart.hostKeys.length === 0) {
    return [
      hostFilterLets(index),
      fuzzy([
        table,
        ...(isSyslog ? [`| where ${tagFilter}`] : []),
        HOST_MATCH,
        `| extend TbMessage = tostring(${messageColumn})`,
      ]),
      `| extend LineKey = ${key}`,
      ...newestLines('HostKey, LineKey', 'TbMessage'),
    ].join('\n');
  }
  // The same query, over a span that reaches 7 days before the hosts' (re)starts (script.not-relaunched): lines in
  // the window are classified and grouped as above; every other row — launch rows before the window, and any Syslog
  // row of a restarted host — only feeds two maxima per host: the newest launcher-or-serving line and the newest row.
  const tbLine = `(${[...LAUNCH_PATTERNS.filter((p) => p.role === 'launcher' || p.role === 'serving').map((p) => `(${allContain('TbMessage', p.terms)})`)].join(' or ')})`;
  const launchBranch = isSyslog
    ? ['Syslog', HOST_MATCH, `| where ${tagFilter} or HostKey in (tbRestartHosts)`, `| extend TbLaunch = ${tagFilter}, TbMessage = tostring(SyslogMessage)`]
    : [table, HOST_MATCH, `| extend TbLaunch = true, TbMessage = tostring(${messageColumn})`];
  const branches = [launchBranch];
  if (!isSyslog) branches.push(['Syslog', HOST_MATCH, '| where HostKey in (tbRestartHosts)', '| extend TbLaunch = false, TbMessage = ""']);
  return [
    `let tbWindowStart = ago(${Math.max(1, Math.round(restart.lookbackMs / 1000))}s);`,
    `let tbRestartHosts = ${kqlDynamicList(restart.hostKeys)};`,
    hostFilterLets(index),
    `union isfuzzy=true\n${branches.map((b) => `(${b.join('\n')})`).join(',\n')}`,
    '| extend InWindow = TbLaunch and TimeGenerated >= tbWindowStart',
    `| extend TbStartLine = TbLaunch and ${tbLine}`,
    `| extend LineKey = iff(InWindow, ${key}, "")`,
    '| extend TbMessage = iff(InWindow, TbMessage, "")',
    '| summarize MsgCount = countif(InWindow), MsgTime = max(TimeGenerated), LastTbLine = maxif(TimeGenerated, TbStartLine), LastRow = maxif(TimeGenerated, HostKey in (tbRestartHosts)) by HostKey, LineKey, TbMessage',
    '| order by MsgTime desc',
    `| summarize GroupCount = sum(MsgCount), TimeGenerated = max(MsgTime), LastTbLine = max(LastTbLine), LastRow = max(LastRow), Lines = make_list(pack_array(MsgTime, TbMessage, MsgCount), ${LINES_PER_GROUP}) by HostKey, LineKey`,
  ].join('\n');
}

/** What the launch query needs to read back for restarted compute instances. */
export interface RestartReadBack {
  /** HostKeys (lower-case computer names) of the restarted compute instances. */
  hostKeys: string[];
  /** TBMON_LOOKBACK in ms: the window of the launch lines the other script checks read. */
  lookbackMs: number;
}

/** How far before a (re)start script.not-relaunched looks for TensorBoard having run. */
export const RESTART_READ_BACK_MS = 7 * 86_400_000;
/** Restarts older than this are not read back (the span stays bounded: at most twice the read-back). */
export const RESTART_HORIZON_MS = 7 * 86_400_000;

/** How far back a `kern` row proves that the host's kernel messages are collected (a boot message, say). */
export const KERNEL_COVERAGE_MS = 7 * 86_400_000;
export const KERNEL_COVERAGE = 'P7D';

/** The kernel query's request timespan: the coverage period, or the lookback when that is longer. */
export function kernelTimespan(lookback: string, lookbackMs: number): string {
  return lookbackMs > KERNEL_COVERAGE_MS ? lookback : KERNEL_COVERAGE;
}

/**
 * Kernel messages. The request spans KERNEL_COVERAGE (kernelTimespan), so `kern` rows of the last days prove that the
 * data collection rule collects facility kern (`KernRows`) — any other Syslog row proves nothing about it. Findings
 * stay in the window (the last `lookbackMs`): per host, Syslog rows of any facility in the window (`GroupCount`), and
 * in-window `kern` rows matching a kernel pattern grouped by kind and detail (killed comm, flooded port). Rows older
 * than the window are read only when they are `kern`, filtered on the server.
 */
export function kernelQuery(index: HostKeyIndex, lookbackMs: number): string {
  const kind = firstMatch(
    KERNEL_PATTERNS.map((p) => ({ when: `InWindow and Facility == "kern" and ${allContain('SyslogMessage', p.terms)}`, then: kqlString(p.kind) })),
    '""',
  );
  const detail = firstMatch(
    KERNEL_PATTERNS.filter((p) => p.detail !== null).map((p) => ({
      when: `EventKind == ${kqlString(p.kind)}`,
      then: `extract(${kqlString(p.detail as string)}, 1, SyslogMessage)`,
    })),
    '""',
  );
  return [
    `let tbWindowStart = ago(${Math.max(1, Math.round(lookbackMs / 1000))}s);`,
    hostFilterLets(index),
    fuzzy(['Syslog', '| where TimeGenerated >= tbWindowStart or Facility == "kern"', HOST_MATCH]),
    '| extend InWindow = TimeGenerated >= tbWindowStart',
    `| extend EventKind = ${kind}`,
    `| extend EventDetail = ${detail}`,
    // Only event lines keep their text: the rest collapse into one coverage group per host.
    '| extend EventMessage = iff(EventKind == "", "", SyslogMessage)',
    '| summarize MsgCount = countif(InWindow), KernRows = countif(Facility == "kern"), MsgTime = max(TimeGenerated) by HostKey, EventKind, EventDetail, EventMessage',
    '| order by MsgTime desc',
    `| summarize GroupCount = sum(MsgCount), KernRows = sum(KernRows), TimeGenerated = max(MsgTime), Lines = make_list(pack_array(MsgTime, EventMessage, MsgCount), ${LINES_PER_GROUP}) by HostKey, EventKind, EventDetail`,
  ].join('\n');
}

/**
 * Memory, disk and CPU from whichever tables the workspace has (`union isfuzzy=true`): VM insights
 * `InsightsMetrics`, legacy `Perf`, the ML workspace's `AzureMetrics` (disk, clusters; workspace-level: Log
 * Analytics drops the dimensions) and `AmlComputeCpuGpuUtilization` (clusters; Utilization is a string). Per host,
 * node (`Computer`, or `NodeId`: a cluster's nodes share its `_ResourceId`, and one node in trouble must not hide
 * behind a healthy one), metric and instance: sum, count, min, the smallest 5-minute-bin maximum, and the newest
 * value.
 */
export function metricsQuery(index: HostKeyIndex): string {
  const project = '| project TimeGenerated, HostKey, Node, Metric, Instance, Value, Source';
  const insights = [
    'InsightsMetrics',
    '| where (Namespace == "Memory" and Name == "AvailableMB") or (Namespace == "LogicalDisk" and Name == "FreeSpacePercentage") or (Namespace == "Processor" and Name == "UtilizationPercentage")',
    HOST_MATCH,
    `| extend TotalMB = todouble(extract(${kqlString('memorySizeMB"?\\s*:\\s*"?([0-9.]+)')}, 1, tostring(Tags)))`,
    '| extend Metric = iff(Namespace == "Memory", iff(TotalMB > 0, "memory-available-pct", "memory-available-mb"), iff(Namespace == "LogicalDisk", "disk-free-pct", "cpu-pct"))',
    `| extend Instance = iff(Namespace == "LogicalDisk", extract(${kqlString('mountId"?\\s*:\\s*"([^"]*)"')}, 1, tostring(Tags)), "")`,
    '| extend Value = iff(Metric == "memory-available-pct", 100.0 * Val / TotalMB, Val), Source = "InsightsMetrics", Node = TbComputer',
    project,
  ].join('\n');
  const perf = [
    'Perf',
    '| where (ObjectName == "Memory" and CounterName in ("Available MBytes Memory", "% Available Memory")) or (ObjectName == "Logical Disk" and CounterName == "% Free Space" and InstanceName != "_Total") or (ObjectName == "Processor" and CounterName == "% Processor Time" and InstanceName in ("_Total", "total"))',
    HOST_MATCH,
    '| extend Metric = iff(CounterName == "% Available Memory", "memory-available-pct", iff(CounterName == "Available MBytes Memory", "memory-available-mb", iff(ObjectName == "Logical Disk", "disk-free-pct", "cpu-pct")))',
    '| extend Instance = iff(ObjectName == "Logical Disk", InstanceName, ""), Value = CounterValue, Source = "Perf", Node = TbComputer',
    project,
  ].join('\n');
  const parts = [insights, perf];
  const workspaces = index.workspaceMetricsKeys();
  if (workspaces.length) {
    parts.push([
      'AzureMetrics',
      '| where MetricName in ("DiskAvailMegabytes", "DiskUsedMegabytes")',
      `| extend HostKey = tolower(_ResourceId)`,
      `| where HostKey in (${kqlDynamicList(workspaces)})`,
      '| extend Metric = iff(MetricName == "DiskAvailMegabytes", "disk-avail-mb", "disk-used-mb"), Instance = "", Value = Average, Source = "AzureMetrics", Node = ""',
      '| extend HostKey = strcat("workspace:", HostKey)',
      project,
    ].join('\n'));
  }
  const clusters = index.clusterNames();
  if (clusters.length) {
    parts.push([
      'AmlComputeCpuGpuUtilization',
      '| where MetricName == "CpuUtilization"',
      `| where tolower(ClusterName) in (${kqlDynamicList(clusters)})`,
      '| extend HostKey = strcat("cluster:", tolower(ClusterName), "|", tolower(_ResourceId))',
      '| extend Metric = "cpu-pct", Instance = "", Value = todouble(Utilization), Source = "AmlComputeCpuGpuUtilization", Node = tolower(NodeId)',
      project,
    ].join('\n'));
  }
  return [
    hostFilterLets(index),
    `union isfuzzy=true\n${parts.map((p) => `(${p})`).join(',\n')}`,
    '| where isnotempty(HostKey) and isnotempty(Value)',
    '| summarize BinSum = sum(Value), BinCount = count(), BinMax = max(Value), BinMin = min(Value), arg_max(TimeGenerated, Value) by HostKey, Node, Metric, Instance, Source, Bin = bin(TimeGenerated, 5m)',
    '| summarize ValueSum = sum(BinSum), Samples = sum(BinCount), WorstBinMax = min(BinMax), MinValue = min(BinMin), arg_max(TimeGenerated, Value) by HostKey, Node, Metric, Instance, Source',
  ].join('\n');
}

/** Cluster events per cluster and ML workspace: the newest event's node counts, and the most preempted nodes seen. */
export function clusterQuery(index: HostKeyIndex): string {
  return [
    `let tbClusters = ${kqlDynamicList(index.clusterNames())};`,
    fuzzy([
      'AmlComputeClusterEvent',
      '| extend TbCluster = tolower(ClusterName), TbWorkspace = tolower(_ResourceId)',
      '| where TbCluster in (tbClusters)',
    ]),
    '| extend Preempted = todouble(PreemptedNodeCount)',
    '| summarize Events = count(), MaxPreempted = max(Preempted), arg_max(TimeGenerated, UnusableNodeCount, PreemptedNodeCount, ClusterErrorCodes) by TbCluster, TbWorkspace',
  ].join('\n');
}

/**
 * Traffic analytics toward the hosts, in one pass. Denied inbound flows to the given ports are grouped per target,
 * port and NSG rule, matched on the most specific key the row and the hosts share: the destination VM, NIC, private
 * IP within its subnet (`DestSubnet|DestIp`), else the subnet (for hosts whose address is unknown). Every other row
 * that shows one of the hosts' VMs, NICs, addresses or subnets — as destination, else as source — is a coverage row
 * (`Cover*`): it proves the host's traffic is logged at all. What shows none of them collapses into one row counting
 * the workspace's other records.
 */
export function flowsQuery(index: HostKeyIndex, ports: readonly number[]): string {
  const cover = (column: string, dest: string, src: string, list: string) =>
    `${column} = iff(MatchedBy != "", "", iff(${dest} in (${list}), ${dest}, iff(${src} in (${list}), ${src}, "")))`;
  return [
    `let tbPorts = dynamic([${[...new Set(ports)].sort((a, b) => a - b).map((p) => String(Math.trunc(p))).join(', ')}]);`,
    `let tbVms = ${kqlDynamicList(index.all('flowVms'))};`,
    `let tbNics = ${kqlDynamicList(index.all('flowNics'))};`,
    `let tbSubnets = ${kqlDynamicList(index.all('flowSubnets'))};`,
    `let tbIps = ${kqlDynamicList(index.all('flowIps'))};`,
    fuzzy([
      'NTANetAnalytics',
      '| extend TbVm = tolower(DestVm), TbNic = tolower(DestNic), TbSubnet = tolower(DestSubnet), TbIp = strcat(tolower(DestSubnet), "|", tolower(DestIp))',
      '| extend TbSrcVm = tolower(SrcVm), TbSrcNic = tolower(SrcNic), TbSrcSubnet = tolower(SrcSubnet), TbSrcIp = strcat(tolower(SrcSubnet), "|", tolower(SrcIp))',
    ]),
    '| extend TbDenied = DestPort in (tbPorts) and (DeniedInFlows > 0 or (FlowStatus in~ ("D", "Denied") and FlowDirection in~ ("I", "Inbound")))',
    '| extend MatchedBy = iff(not(TbDenied), "", iff(TbVm in (tbVms), "vm", iff(TbNic in (tbNics), "nic", iff(TbIp in (tbIps), "ip", iff(TbSubnet in (tbSubnets), "subnet", "")))))',
    '| extend TargetKey = iff(MatchedBy == "vm", TbVm, iff(MatchedBy == "nic", TbNic, iff(MatchedBy == "ip", TbIp, iff(MatchedBy == "subnet", TbSubnet, ""))))',
    '| extend Port = iff(MatchedBy == "", -1, toint(DestPort)), Rule = iff(MatchedBy == "", "", tostring(NsgRule)), Nsg = iff(MatchedBy == "", "", tostring(NsgList)), DeniedCount = iff(MatchedBy == "", 0, coalesce(toint(DeniedInFlows), 0))',
    `| extend ${cover('CoverVm', 'TbVm', 'TbSrcVm', 'tbVms')}, ${cover('CoverNic', 'TbNic', 'TbSrcNic', 'tbNics')}`,
    `| extend ${cover('CoverIp', 'TbIp', 'TbSrcIp', 'tbIps')}, ${cover('CoverSubnet', 'TbSubnet', 'TbSrcSubnet', 'tbSubnets')}`,
    '| summarize Records = count(), DeniedIn = sum(DeniedCount), SrcIps = dcount(SrcIp), arg_max(TimeGenerated, SrcIp) by MatchedBy, TargetKey, Port, Rule, Nsg, CoverVm, CoverNic, CoverIp, CoverSubnet',
  ].join('\n');
}
