// Example evidence for the checks' `examples` (CheckDefinition): small, in Azure's and the log tables' shapes, so a
// check's examples are its own rule run on it — the outcomes, sentences and fixes a test sees are the real ones.
// Pure data builders; no I/O.
import type { Gathered, HostRecord } from '../model';
import type { HostEvidence, VmSizeInfo } from '../evidence/types';
import type { ArmObject, NetworkEvidence, Ref } from '../evidence/network-types';
import type { ClusterEventEvidence, FlowEvidence, KernelEvidence, LaunchLogEvidence, LogEvidence, MetricSeries } from '../evidence/log-types';
import type { ServiceTagEntry } from '../nsg/address-space';
import { classifyLaunchLine, OTHER_KEY } from '../evidence/launch-patterns';
import { classifyKernelLine } from '../evidence/kernel-patterns';

/** The example clock: log lines are minutes before it. */
export const EXAMPLE_NOW = '2026-11-26T06:00:00.000Z';

export function minutesAgo(n: number): string {
  return new Date(Date.parse(EXAMPLE_NOW) - n * 60_000).toISOString();
}

const missing = (what: string): Gathered<never> => ({ ok: false, reason: `no ${what} in the host's Log Analytics workspace`, hint: `Send ${what} to the host's Log Analytics workspace.` });

export function noLogs(): LogEvidence {
  return { launch: missing('launch log'), kernel: missing('kernel messages'), metrics: missing('metrics'), cluster: missing('cluster events'), flows: missing('flow logs') };
}

export interface ExampleParts {
  vmSize?: Gathered<VmSizeInfo>;
  network?: Gathered<NetworkEvidence>;
  logs?: Partial<LogEvidence>;
  facts?: Partial<HostRecord['facts']>;
}

/** The host's evidence with only the given families present; every other family is missing (with a reason). */
export function exampleEvidence(host: HostRecord, parts: ExampleParts = {}): HostEvidence {
  return {
    host: parts.facts ? { ...host, facts: { ...host.facts, ...parts.facts } } : host,
    vmSize: parts.vmSize ?? { ok: true, value: { name: 'Standard_D4s_v3', vCPUs: 4, memoryGB: 16 } },
    network: parts.network ?? { ok: false, reason: 'the network could not be read (403 AuthorizationFailed)' },
    logs: { ...noLogs(), ...parts.logs },
  };
}

/** Launch-log lines ([minutes before EXAMPLE_NOW, message]) as the launch query summarises them. */
export function launchLog(lines: readonly [number, string][]): Gathered<LaunchLogEvidence> {
  const newest = lines.map(([ago, message]) => ({ key: classifyLaunchLine(message)?.key ?? OTHER_KEY, time: minutesAgo(ago), message, count: 1 }));
  return { ok: true, value: { asOf: EXAMPLE_NOW, table: 'Syslog', tag: 'tensorboard', rows: Math.max(lines.length, 1), newest } };
}

/** An empty launch log: the table answers but holds no line of this host. */
export function emptyLaunchLog(): Gathered<LaunchLogEvidence> {
  return { ok: true, value: { asOf: EXAMPLE_NOW, table: 'Syslog', tag: 'tensorboard', rows: 0, newest: [] } };
}

/** Kernel messages ([minutes ago, message], facility kern) with collection proven. */
export function kernelLog(lines: readonly [number, string, number?][], kernRows = 5): Gathered<KernelEvidence> {
  const events = lines.flatMap(([ago, message, n]) => {
    const c = classifyKernelLine(message);
    return c ? [{ kind: c.kind, detail: c.detail, count: n ?? 1, time: minutesAgo(ago), message }] : [];
  });
  return { ok: true, value: { syslogRows: kernRows + 20, kernRows, kernCoverage: 'P7D', events } };
}

export function metrics(series: readonly (Partial<MetricSeries> & Pick<MetricSeries, 'metric'>)[]): Gathered<{ series: MetricSeries[] }> {
  return {
    ok: true,
    value: { series: series.map((s) => ({ source: 'InsightsMetrics', node: '', instance: '', samples: 12, avg: 30, min: 20, worstBinMax: 40, last: 30, lastTime: minutesAgo(1), ...s })) },
  };
}

export function clusterEvents(over: Partial<ClusterEventEvidence>): Gathered<ClusterEventEvidence> {
  return { ok: true, value: { events: 4, lastTime: minutesAgo(5), unusableNodeCount: 0, preemptedNodeCount: 0, maxPreemptedNodeCount: 0, clusterErrorCodes: '', ...over } };
}

export function flows(over: Partial<FlowEvidence>): Gathered<FlowEvidence> {
  return { ok: true, value: { workspaceRows: 120, hostRows: 40, coveredBy: ['ip'], matching: 'ip', denied: [], ...over } };
}

// --- network ---------------------------------------------------------------------------------------------------

/** [name, priority, direction, access, protocol, source, destination port, destination (default `*`)]. */
export type ExampleRule = [name: string, priority: number, direction: 'Inbound' | 'Outbound', access: 'Allow' | 'Deny', protocol: string, source: string, port: string, destination?: string];

export interface ExampleNetwork {
  rules?: readonly ExampleRule[];
  /** Routes of the subnet's route table: [name, prefix, next hop type]. */
  routes?: readonly [string, string, string][];
  /** The workspace's private endpoint connection state; null for none. */
  privateEndpoint?: 'Approved' | 'Pending' | null;
  customServices?: unknown[] | null;
  /** The NSG could not be read. */
  nsgUnreadable?: boolean;
  loadBalancers?: ArmObject[];
}

const found = <T>(value: T): Ref<T> => ({ state: 'found', value });

const EXAMPLE_TAGS: ServiceTagEntry[] = [
  { name: 'AzureMachineLearning', properties: { addressPrefixes: ['20.41.0.96/28', '51.144.184.32/27'] } },
  { name: 'BatchNodeManagement', properties: { addressPrefixes: ['20.42.0.0/24'] } },
  { name: 'Storage', properties: { addressPrefixes: ['52.239.0.0/17'] } },
  { name: 'AzureActiveDirectory', properties: { addressPrefixes: ['40.126.0.0/18'] } },
  { name: 'AzureResourceManager', properties: { addressPrefixes: ['13.66.0.0/24'] } },
  { name: 'AzureFrontDoor.FrontEnd', properties: { addressPrefixes: ['13.107.246.0/24'] } },
  { name: 'MicrosoftContainerRegistry', properties: { addressPrefixes: ['204.79.197.0/24'] } },
];

/** The region-qualified tags the checks look up for this host's location. */
function tagsFor(location: string): ServiceTagEntry[] {
  const regional = ['AzureMachineLearning', 'BatchNodeManagement', 'Storage'].map((n) => ({ name: `${n}.${location}`, properties: EXAMPLE_TAGS.find((t) => t.name === n)?.properties ?? { addressPrefixes: [] } }));
  return [...EXAMPLE_TAGS, ...regional];
}

/**
 * The host in a subnet `snet-ml` of VNet `vnet-ml` (resource group rg-net of the host's subscription) with NSG
 * `nsg-ml` holding `rules`; a VM reaches it through its NIC. Returns the host (its subnet or NIC set) and its evidence.
 */
export function exampleNetwork(host: HostRecord, n: ExampleNetwork = {}): HostEvidence {
  const net = `/subscriptions/${host.subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network`;
  const subnetId = `${net}/virtualNetworks/vnet-ml/subnets/snet-ml`;
  const nsgObject: ArmObject = {
    id: `${net}/networkSecurityGroups/nsg-ml`,
    name: 'nsg-ml',
    properties: {
      securityRules: (n.rules ?? []).map(([name, priority, direction, access, protocol, src, port, dest]) => ({
        name, properties: { priority, direction, access, protocol, sourceAddressPrefix: src, sourcePortRange: '*', destinationAddressPrefix: dest ?? '*', destinationPortRange: port },
      })),
    },
  };
  const routeTable: Ref<ArmObject> = n.routes
    ? found({ id: `${net}/routeTables/rt-ml`, name: 'rt-ml', properties: { routes: n.routes.map(([name, addressPrefix, nextHopType]) => ({ name, properties: { addressPrefix, nextHopType, ...(nextHopType === 'VirtualAppliance' ? { nextHopIpAddress: '10.0.250.4' } : {}) } })) } })
    : { state: 'none' };
  const subnet = { id: subnetId, name: 'snet-ml', properties: { addressPrefix: '10.0.1.0/24' } };
  const subnetEvidence = {
    id: subnetId,
    subnet,
    vnet: { id: `${net}/virtualNetworks/vnet-ml`, name: 'vnet-ml', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [subnet] } },
    nsg: n.nsgUnreadable ? { state: 'unreadable' as const, id: nsgObject.id, reason: '403 AuthorizationFailed' } : found(nsgObject),
    routeTable,
  };
  const wsId = host.facts.workspaceId ?? `/subscriptions/${host.subscriptionId}/resourceGroups/${host.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${host.workspace ?? 'ws'}`;
  const pe = n.privateEndpoint;
  const workspace = found<ArmObject>({
    id: wsId,
    name: armNameOf(wsId),
    properties: { privateEndpointConnections: pe ? [{ id: `${wsId}/privateEndpointConnections/pe`, properties: { privateLinkServiceConnectionState: { status: pe } } }] : [] },
  });
  const isVm = host.kind === 'vm';
  const nicId = exampleNicId(host);
  const nics: NetworkEvidence['nics'] = isVm
    ? [found({ nic: { id: nicId, name: `${host.name}-nic`, properties: { ipConfigurations: [{ id: `${nicId}/ipConfigurations/ipconfig1`, properties: { privateIPAddress: '10.0.1.4', subnet: { id: subnetId } } }] } }, nsg: { state: 'none' }, subnet: found(subnetEvidence) })]
    : [];
  const network: NetworkEvidence = {
    subnet: isVm ? { state: 'none' } : found(subnetEvidence),
    nics,
    loadBalancers: n.loadBalancers ?? [],
    workspace,
    customServices: n.customServices === undefined ? [] : n.customServices,
    serviceTags: { ok: true, value: tagsFor(host.location) },
    source: 'resourceGraph',
  };
  const facts = isVm ? { nicIds: [nicId] } : { subnetId, workspaceId: wsId, privateIp: '10.0.1.4' };
  return exampleEvidence(host, { network: { ok: true, value: network }, facts });
}

function armNameOf(id: string): string {
  return id.split('/').filter(Boolean).pop() ?? id;
}

/** A compute in AzureML's own network (no customer VNet): the network checks skip it. */
export function outsideVnet(host: HostRecord): HostEvidence {
  return exampleEvidence(host, { facts: { subnetId: null } });
}

/** The NIC id exampleNetwork() gives a VM (its IP configuration is `${id}/ipConfigurations/ipconfig1`). */
export function exampleNicId(host: HostRecord): string {
  return `/subscriptions/${host.subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/networkInterfaces/${host.name}-nic`;
}

/** A load balancer whose pool holds the VM of exampleNetwork(), one rule to `backendPort` and its probe. */
export function exampleLoadBalancer(host: HostRecord, backendPort: number, probe: { protocol: string; port: number; requestPath?: string }): ArmObject {
  const id = `/subscriptions/${host.subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/loadBalancers/lb-tensorboard`;
  const pool = `${id}/backendAddressPools/pool-tb`;
  return {
    id,
    name: 'lb-tensorboard',
    properties: {
      backendAddressPools: [{ id: pool, name: 'pool-tb', properties: { backendIPConfigurations: [{ id: `${exampleNicId(host)}/ipConfigurations/ipconfig1` }] } }],
      loadBalancingRules: [{ id: `${id}/loadBalancingRules/rule-tb`, name: 'rule-tb', properties: { backendAddressPool: { id: pool }, protocol: 'Tcp', frontendPort: 443, backendPort, probe: { id: `${id}/probes/probe-tb` } } }],
      probes: [{ id: `${id}/probes/probe-tb`, name: 'probe-tb', properties: probe }],
    },
  };
}
