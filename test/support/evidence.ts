// Builders for pure check tests: a host, settings, and evidence built from raw log lines the way the server
// summarises them (classified by the same pattern table, the newest LINES_PER_GROUP distinct lines per key).
import { loadSettings, type Settings } from '../../shared/config';
import type { HostEvidence, VmSizeInfo } from '../../shared/evidence/types';
import type { ArmObject, NetworkEvidence, Ref } from '../../shared/evidence/network-types';
import type { ServiceTagEntry } from '../../shared/nsg';
import type { KernelEvent, KernelEvidence, LaunchLogEvidence, LaunchLogLine, LogEvidence, MetricSeries } from '../../shared/evidence/log-types';
import { LINES_PER_GROUP } from '../../shared/evidence/logs-queries';
import type { Gathered, HostRecord } from '../../shared/model';
import { classifyLaunchLine, OTHER_KEY } from '../../shared/evidence/launch-patterns';
import { classifyKernelLine } from '../../shared/evidence/kernel-patterns';
import { host } from './hosts';

export { host };

export const NOW = '2026-11-26T06:00:00.000Z';

export const settings: Settings = loadSettings({});

const missing = (reason: string): Gathered<never> => ({ ok: false, reason, hint: `enable ${reason}` });

export function noLogs(): LogEvidence {
  return { launch: missing('launch'), kernel: missing('kernel'), metrics: missing('metrics'), cluster: missing('cluster'), flows: missing('flows') };
}

export function evidence(h: HostRecord, logs: Partial<LogEvidence> = {}, vmSize?: Gathered<VmSizeInfo>): HostEvidence {
  return {
    host: h,
    vmSize: vmSize ?? { ok: true, value: { name: 'Standard_D4s_v3', vCPUs: 4, memoryGB: 16 } },
    network: { ok: false, reason: 'not gathered in this test' },
    logs: { ...noLogs(), ...logs },
  };
}

/** `HH:MM` (or `HH:MM:SS`) on the sandbox day → ISO. */
export function at(hhmm: string): string {
  return new Date(`2026-11-26T${hhmm.length === 5 ? `${hhmm}:00` : hhmm}.000Z`).toISOString();
}

/** Distinct lines per group (same message adds up), the newest LINES_PER_GROUP of each group. */
function newestDistinct<T extends { time: string; message: string; count: number }>(lines: readonly (T & { group: string })[]): T[] {
  const byGroup = new Map<string, Map<string, T>>();
  for (const { group, ...line } of lines) {
    let byMessage = byGroup.get(group);
    if (!byMessage) byGroup.set(group, (byMessage = new Map()));
    const prev = byMessage.get(line.message);
    if (!prev) byMessage.set(line.message, { ...(line as unknown as T) });
    else {
      prev.count += line.count;
      if (line.time > prev.time) prev.time = line.time;
    }
  }
  return [...byGroup.values()].flatMap((m) => [...m.values()].sort((a, b) => b.time.localeCompare(a.time)).slice(0, LINES_PER_GROUP));
}

/** Raw launch-log lines → the per-key summary the launch query returns. */
export function launchLog(lines: readonly [string, string][], asOf = NOW): Gathered<LaunchLogEvidence> {
  const classified = lines.map(([time, message]) => {
    const key = classifyLaunchLine(message)?.key ?? OTHER_KEY;
    return { group: key, key, time: at(time), message, count: 1 };
  });
  return { ok: true, value: { asOf, table: 'Syslog', tag: 'tensorboard', rows: lines.length, newest: newestDistinct<LaunchLogLine>(classified) } };
}

/**
 * Raw Syslog lines (facility, message) in the window → the kernel summary. `olderKernRows`: `kern` rows before the
 * window but within the coverage period (a boot message) — 0 leaves kernel collection unproven unless a line here is kern.
 */
export function kernelLog(lines: readonly [string, string, string][], { extraRows = 10, olderKernRows = 1 } = {}): Gathered<KernelEvidence> {
  const events = lines.flatMap(([time, facility, message]) => {
    const c = facility === 'kern' ? classifyKernelLine(message) : null;
    return c ? [{ group: `${c.kind}|${c.detail}`, kind: c.kind, detail: c.detail, count: 1, time: at(time), message }] : [];
  });
  const kernRows = lines.filter(([, facility]) => facility === 'kern').length + olderKernRows;
  return { ok: true, value: { syslogRows: lines.length + extraRows, kernRows, kernCoverage: 'P7D', events: newestDistinct<KernelEvent>(events) } };
}

export function series(metric: MetricSeries['metric'], values: Partial<MetricSeries> = {}): MetricSeries {
  return { metric, source: 'InsightsMetrics', node: '', instance: '', samples: 60, avg: 50, min: 40, worstBinMax: 50, last: 50, lastTime: at('05:59'), ...values };
}

// Network evidence in Azure's shapes: the host in subnet `snet` of VNet `vnet` (rg-net), its NSG `nsg`, an optional
// route table `rt`, the workspace `ws1` with or without a private endpoint, the service tags below.
export const SUB = '11111111-1111-1111-1111-111111111111';
export const NET = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.Network`;
export const SUBNET = `${NET}/virtualNetworks/vnet/subnets/snet`;
export const WS = `/subscriptions/${SUB}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1`;
export const found = <T>(value: T): Ref<T> => ({ state: 'found', value });

/** The global AzureMachineLearning tag is wider than its regional tag (a CIDR covering the region is not enough). */
export const TAGS: ServiceTagEntry[] = [
  { name: 'AzureMachineLearning', properties: { addressPrefixes: ['20.41.0.96/28', '51.144.184.32/27'] } },
  { name: 'AzureMachineLearning.EastUS2', properties: { addressPrefixes: ['20.41.0.96/28'] } },
  { name: 'BatchNodeManagement.EastUS2', properties: { addressPrefixes: ['20.42.0.0/24'] } },
  { name: 'Storage.EastUS2', properties: { addressPrefixes: ['52.239.0.0/17'] } },
  { name: 'AzureActiveDirectory', properties: { addressPrefixes: ['40.126.0.0/18'] } },
  { name: 'AzureResourceManager', properties: { addressPrefixes: ['13.66.0.0/24'] } },
  { name: 'AzureFrontDoor.FrontEnd', properties: { addressPrefixes: ['13.107.246.0/24'] } },
  { name: 'MicrosoftContainerRegistry', properties: { addressPrefixes: ['204.79.197.0/24'] } },
];

export type RuleSpec = [name: string, priority: number, direction: string, access: string, protocol: string, source: string, port: string, dest?: string];

export function nsg(name: string, rules: readonly RuleSpec[]): ArmObject {
  return {
    id: `${NET}/networkSecurityGroups/${name}`,
    name,
    properties: { securityRules: rules.map(([n, priority, direction, access, protocol, src, port, dest]) => ({ name: n, properties: { priority, direction, access, protocol, sourceAddressPrefix: src, sourcePortRange: '*', destinationAddressPrefix: dest ?? '*', destinationPortRange: port } })) },
  };
}

export interface SubnetNetwork {
  rules?: RuleSpec[];
  routes?: [name: string, prefix: string, hop: string][];
  pe?: 'Approved' | 'Pending' | null;
  customServices?: unknown[] | null;
  tags?: Gathered<ServiceTagEntry[]>;
  nsgMissing?: boolean;
  workspaceMissing?: boolean;
}

export function subnetNetwork(n: SubnetNetwork = {}): NetworkEvidence {
  const routeTable: Ref<ArmObject> = n.routes
    ? found({ id: `${NET}/routeTables/rt`, name: 'rt', properties: { routes: n.routes.map(([name, addressPrefix, nextHopType]) => ({ name, properties: { addressPrefix, nextHopType, ...(nextHopType === 'VirtualAppliance' ? { nextHopIpAddress: '10.0.250.4' } : {}) } })) } })
    : { state: 'none' };
  const subnet = { id: SUBNET, name: 'snet', properties: { addressPrefix: '10.0.1.0/24' } };
  return {
    subnet: found({
      id: SUBNET,
      subnet,
      vnet: { id: `${NET}/virtualNetworks/vnet`, name: 'vnet', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [subnet] } },
      nsg: n.nsgMissing ? { state: 'unreadable', id: `${NET}/networkSecurityGroups/nsg`, reason: '403 AuthorizationFailed' } : found(nsg('nsg', n.rules ?? [])),
      routeTable,
    }),
    nics: [],
    loadBalancers: [],
    workspace: n.workspaceMissing ? { state: 'unreadable', id: WS, reason: '403 AuthorizationFailed' } : found({ id: WS, name: 'ws1', properties: { privateEndpointConnections: n.pe ? [{ properties: { privateLinkServiceConnectionState: { status: n.pe } } }] : [] } }),
    customServices: n.customServices === undefined ? [] : n.customServices,
    serviceTags: n.tags ?? { ok: true, value: TAGS },
    source: 'arm',
  };
}

/** A compute instance in that subnet and workspace. */
export const inSubnet = (facts: Partial<HostRecord['facts']> = {}, extra: Omit<Partial<HostRecord>, 'facts'> = {}): HostRecord => host({ ...extra, facts: { subnetId: SUBNET, workspaceId: WS, ...facts } });
