// Builders for Azure-shaped resources and log rows, shared by the tenant generator and by whoever hand-writes a
// tenant. Shapes follow the REST examples (shared/fixtures/azure-rest-examples) and research/anchors.md §2.2: what
// ARM answers, with Resource Graph's `properties.extended` on VMs as SANDBOX.md asks.
import type { ArmResource, LogRow } from './tenant-types';

type Json = Record<string, unknown>;

export interface RuleSpec {
  name: string;
  priority: number;
  direction: 'Inbound' | 'Outbound';
  access: 'Allow' | 'Deny';
  protocol?: 'Tcp' | 'Udp' | 'Icmp' | '*';
  source?: string;
  destination?: string;
  destinationPort?: string;
  description?: string;
}

export function securityRule(nsgId: string, r: RuleSpec, kind: 'securityRules' | 'defaultSecurityRules' = 'securityRules'): Json {
  return {
    name: r.name,
    id: `${nsgId}/${kind}/${r.name}`,
    type: `Microsoft.Network/networkSecurityGroups/${kind}`,
    properties: {
      provisioningState: 'Succeeded',
      ...(r.description ? { description: r.description } : {}),
      protocol: r.protocol ?? '*',
      sourcePortRange: '*',
      destinationPortRange: r.destinationPort ?? '*',
      sourceAddressPrefix: r.source ?? '*',
      destinationAddressPrefix: r.destination ?? '*',
      access: r.access,
      priority: r.priority,
      direction: r.direction,
    },
  };
}

/** The six rules Azure puts in every NSG (names, descriptions and order as ARM answers them). */
export function defaultSecurityRules(nsgId: string): Json[] {
  const rules: RuleSpec[] = [
    { name: 'AllowVnetInBound', priority: 65000, direction: 'Inbound', access: 'Allow', source: 'VirtualNetwork', destination: 'VirtualNetwork', description: 'Allow inbound traffic from all VMs in VNET' },
    { name: 'AllowAzureLoadBalancerInBound', priority: 65001, direction: 'Inbound', access: 'Allow', source: 'AzureLoadBalancer', description: 'Allow inbound traffic from azure load balancer' },
    { name: 'DenyAllInBound', priority: 65500, direction: 'Inbound', access: 'Deny', description: 'Deny all inbound traffic' },
    { name: 'AllowVnetOutBound', priority: 65000, direction: 'Outbound', access: 'Allow', source: 'VirtualNetwork', destination: 'VirtualNetwork', description: 'Allow outbound traffic from all VMs to all VMs in VNET' },
    { name: 'AllowInternetOutBound', priority: 65001, direction: 'Outbound', access: 'Allow', destination: 'Internet', description: 'Allow outbound traffic from all VMs to Internet' },
    { name: 'DenyAllOutBound', priority: 65500, direction: 'Outbound', access: 'Deny', description: 'Deny all outbound traffic' },
  ];
  return rules.map((r) => securityRule(nsgId, r, 'defaultSecurityRules'));
}

/** AzureML's required inbound rule for computes with a public IP (TCP 44224 from AzureMachineLearning). */
export const AZUREML_INBOUND: RuleSpec = {
  name: 'AllowAzureMLInbound', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp',
  source: 'AzureMachineLearning', destination: 'VirtualNetwork', destinationPort: '44224', description: 'AzureML compute management',
};

export function networkSecurityGroup(id: string, location: string, rules: RuleSpec[], subnetIds: string[] = []): ArmResource {
  return {
    id, name: id.split('/').pop() as string, type: 'Microsoft.Network/networkSecurityGroups', location,
    properties: {
      provisioningState: 'Succeeded',
      securityRules: rules.map((r) => securityRule(id, r)),
      defaultSecurityRules: defaultSecurityRules(id),
      subnets: subnetIds.map((s) => ({ id: s })),
    },
  };
}

export interface SubnetSpec {
  name: string;
  addressPrefix: string;
  nsgId?: string;
  routeTableId?: string;
}

export function virtualNetwork(id: string, location: string, addressPrefix: string, subnets: SubnetSpec[]): ArmResource {
  return {
    id, name: id.split('/').pop() as string, type: 'Microsoft.Network/virtualNetworks', location,
    properties: {
      provisioningState: 'Succeeded',
      addressSpace: { addressPrefixes: [addressPrefix] },
      subnets: subnets.map((s) => ({
        name: s.name,
        id: `${id}/subnets/${s.name}`,
        type: 'Microsoft.Network/virtualNetworks/subnets',
        properties: {
          provisioningState: 'Succeeded',
          addressPrefix: s.addressPrefix,
          ...(s.nsgId ? { networkSecurityGroup: { id: s.nsgId } } : {}),
          ...(s.routeTableId ? { routeTable: { id: s.routeTableId } } : {}),
          privateEndpointNetworkPolicies: 'Disabled',
          privateLinkServiceNetworkPolicies: 'Enabled',
        },
      })),
    },
  };
}

export function logAnalyticsWorkspace(id: string, location: string, customerId: string): ArmResource {
  return {
    id, name: id.split('/').pop() as string, type: 'Microsoft.OperationalInsights/workspaces', location,
    properties: { provisioningState: 'Succeeded', customerId, sku: { name: 'PerGB2018' }, retentionInDays: 30, publicNetworkAccessForIngestion: 'Enabled', publicNetworkAccessForQuery: 'Enabled' },
  };
}

export function diagnosticSetting(laWorkspaceId: string, name = 'to-log-analytics'): { name: string; properties: Json } {
  const categories = ['AmlComputeClusterEvent', 'AmlComputeCpuGpuUtilization', 'AmlComputeJobEvent', 'ComputeInstanceEvent', 'AmlRunStatusChangedEvent'];
  return {
    name,
    properties: {
      workspaceId: laWorkspaceId,
      logs: categories.map((category) => ({ category, categoryGroup: null, enabled: true, retentionPolicy: { enabled: false, days: 0 } })),
      metrics: [{ category: 'AllMetrics', enabled: true, retentionPolicy: { enabled: false, days: 0 } }],
      logAnalyticsDestinationType: null,
    },
  };
}

export interface DataCollectionRuleSpec {
  id: string;
  location: string;
  /** The Log Analytics workspace the rule sends to: ARM id and customer id (ARM answers the latter as `workspaceId`). */
  workspace: { id: string; customerId: string };
  /** Syslog facilities and levels; none → no Syslog data source. */
  syslog?: { facilityNames: string[]; logLevels: string[] };
  /** Perf counter specifiers (`\\Memory\\Available MBytes`, …); none → no performance counters. */
  counters?: string[];
}

/** A Linux data collection rule as ARM returns it (Microsoft.Insights/dataCollectionRules, 2023-03-11). */
export function dataCollectionRule(d: DataCollectionRuleSpec): ArmResource {
  const destination = 'la-workspace';
  const dataSources: Json = {};
  const streams: string[] = [];
  if (d.syslog) {
    dataSources.syslog = [{ name: 'sysLogsDataSource', streams: ['Microsoft-Syslog'], facilityNames: d.syslog.facilityNames, logLevels: d.syslog.logLevels }];
    streams.push('Microsoft-Syslog');
  }
  if (d.counters) {
    dataSources.performanceCounters = [{ name: 'perfCounterDataSource60', streams: ['Microsoft-Perf'], samplingFrequencyInSeconds: 60, counterSpecifiers: d.counters }];
    streams.push('Microsoft-Perf');
  }
  return {
    id: d.id, name: d.id.split('/').pop() as string, type: 'Microsoft.Insights/dataCollectionRules', location: d.location, kind: 'Linux',
    properties: {
      immutableId: `dcr-${d.id.length.toString(16).padStart(32, '0')}`,
      dataSources,
      destinations: { logAnalytics: [{ name: destination, workspaceResourceId: d.workspace.id, workspaceId: d.workspace.customerId }] },
      dataFlows: streams.length ? [{ streams, destinations: [destination] }] : [],
      provisioningState: 'Succeeded',
    },
  };
}

/** A data collection rule association: an extension resource on its target (`{target}/providers/Microsoft.Insights/…`). */
export function dataCollectionRuleAssociation(targetId: string, ruleId: string, name = `${ruleId.split('/').pop()}-association`): ArmResource {
  return {
    id: `${targetId}/providers/Microsoft.Insights/dataCollectionRuleAssociations/${name}`, name, type: 'Microsoft.Insights/dataCollectionRuleAssociations',
    properties: { dataCollectionRuleId: ruleId, provisioningState: 'Succeeded' },
  };
}

export interface WorkspaceSpec {
  id: string;
  location: string;
  friendlyName?: string;
  privateEndpoint?: boolean;
  tags?: Record<string, string>;
}

export function mlWorkspace(w: WorkspaceSpec): ArmResource {
  const [, , sub, , rg, , , , name] = w.id.split('/');
  const dep = (provider: string, n: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/${provider}/${n}`;
  return {
    id: w.id, name, type: 'Microsoft.MachineLearningServices/workspaces', location: w.location, tags: w.tags ?? {},
    identity: { type: 'SystemAssigned', principalId: '00000000-0000-0000-0000-000000000000', tenantId: '00000000-0000-0000-0000-000000000000' },
    sku: { name: 'Basic', tier: 'Basic' },
    kind: 'Default',
    properties: {
      friendlyName: w.friendlyName ?? name,
      storageAccount: dep('Microsoft.Storage/storageAccounts', `st${name.replace(/[^a-z0-9]/g, '')}`.slice(0, 24)),
      keyVault: dep('Microsoft.KeyVault/vaults', `kv-${name}`.slice(0, 24)),
      applicationInsights: dep('microsoft.insights/components', `appi-${name}`),
      containerRegistry: dep('Microsoft.ContainerRegistry/registries', `cr${name.replace(/[^a-z0-9]/g, '')}`.slice(0, 50)),
      discoveryUrl: `https://${w.location}.api.azureml.ms/discovery`,
      hbiWorkspace: false,
      provisioningState: 'Succeeded',
      publicNetworkAccess: w.privateEndpoint ? 'Disabled' : 'Enabled',
      privateLinkCount: w.privateEndpoint ? 1 : 0,
      privateEndpointConnections: w.privateEndpoint ? [{
        name: `${name}-pe-conn`,
        type: 'Microsoft.MachineLearningServices/workspaces/privateEndpointConnections',
        id: `${w.id}/privateEndpointConnections/${name}-pe-conn`,
        properties: {
          privateEndpoint: { id: dep('Microsoft.Network/privateEndpoints', `pe-${name}`) },
          privateLinkServiceConnectionState: { description: 'Auto-Approved', actionsRequired: 'None', status: 'Approved' },
          provisioningState: 'Succeeded',
        },
      }] : [],
      v1LegacyMode: false,
    },
  };
}

export interface CustomServiceSpec {
  name: string;
  image: string;
  target: number;
  published: number;
}

export function customService(s: CustomServiceSpec): Json {
  return {
    name: s.name,
    image: { type: 'docker', reference: s.image },
    endpoints: [{ name: s.name, target: s.target, published: s.published, protocol: 'http' }],
    volumes: [{ type: 'bind', readOnly: false, source: '/home/azureuser/cloudfiles', target: '/home/azureuser/cloudfiles' }],
    docker: { privileged: false },
    environmentVariables: {},
  };
}

/** What every AzureML compute of a workspace is given: where it is, its size, its subnet. */
interface WorkspaceComputeSpec {
  workspaceId: string;
  name: string;
  location: string;
  vmSize: string;
  subnetId?: string;
  publicIp?: boolean;
  tags?: Record<string, string>;
}

export interface ComputeInstanceSpec extends WorkspaceComputeSpec {
  privateIp?: string;
  publicIpAddress?: string;
  createdBy?: string;
  state?: string;
  customServices?: CustomServiceSpec[];
  createdOn?: string;
  /** `properties.properties.lastOperation` (default: the Start by User at creation). */
  lastOperation?: { operationName: string; operationTime: string; operationStatus: string; operationTrigger: string };
}

export function computeInstance(c: ComputeInstanceSpec): ArmResource {
  const publicIp = c.publicIp ?? true;
  const created = c.createdOn ?? '2026-09-01T08:00:00.0000000+00:00';
  return {
    id: `${c.workspaceId}/computes/${c.name}`, name: c.name, type: 'Microsoft.MachineLearningServices/workspaces/computes',
    location: c.location, tags: c.tags ?? {},
    properties: {
      computeType: 'ComputeInstance', computeLocation: c.location, provisioningState: 'Succeeded', description: null,
      createdOn: created, modifiedOn: created, isAttachedCompute: false, disableLocalAuth: true,
      properties: {
        vmSize: c.vmSize,
        ...(c.subnetId ? { subnet: { id: c.subnetId } } : {}),
        enableNodePublicIp: publicIp,
        applicationSharingPolicy: 'Personal',
        sshSettings: { sshPublicAccess: 'Disabled', adminUserName: 'azureuser', sshPort: 50000 },
        computeInstanceAuthorizationType: 'personal',
        personalComputeInstanceSettings: { assignedUser: { objectId: '00000000-0000-0000-0000-000000000000', tenantId: '00000000-0000-0000-0000-000000000000' } },
        createdBy: { userName: c.createdBy ?? 'unknown', userOrgId: '00000000-0000-0000-0000-000000000000', userId: '00000000-0000-0000-0000-000000000000' },
        connectivityEndpoints: { publicIpAddress: publicIp ? (c.publicIpAddress ?? null) : null, privateIpAddress: c.privateIp ?? null },
        applications: [
          { displayName: 'Jupyter', endpointUri: `https://${c.name}.${c.location}.instances.azureml.ms/tree/` },
          ...(c.customServices ?? []).map((s) => ({ displayName: s.name, endpointUri: `https://${c.name}-${s.published}.${c.location}.instances.azureml.ms` })),
        ],
        ...(c.customServices ? { customServices: c.customServices.map(customService) } : {}),
        osImageMetadata: { currentImageVersion: '25.09.29', latestImageVersion: '25.09.29', isLatestOsImageVersion: true },
        versions: { runtime: '20250929.1' },
        errors: null,
        state: c.state ?? 'Running',
        lastOperation: c.lastOperation ?? { operationName: 'Start', operationTime: created, operationStatus: 'Succeeded', operationTrigger: 'User' },
        schedules: { computeStartStop: [] },
        dataMounts: [],
        containers: [],
      },
    },
  };
}

export interface ClusterSpec extends WorkspaceComputeSpec {
  maxNodes?: number;
  runningNodes?: number;
  unusableNodes?: number;
}

export function amlCluster(c: ClusterSpec): ArmResource {
  const running = c.runningNodes ?? 1;
  const unusable = c.unusableNodes ?? 0;
  return {
    id: `${c.workspaceId}/computes/${c.name}`, name: c.name, type: 'Microsoft.MachineLearningServices/workspaces/computes',
    location: c.location, tags: c.tags ?? {},
    properties: {
      computeType: 'AmlCompute', computeLocation: c.location, provisioningState: 'Succeeded', description: null,
      createdOn: '2026-08-15T09:30:00.0000000+00:00', modifiedOn: '2026-11-20T12:00:00.0000000+00:00', isAttachedCompute: false, disableLocalAuth: true,
      properties: {
        vmSize: c.vmSize, vmPriority: 'Dedicated', osType: 'Linux',
        scaleSettings: { maxNodeCount: c.maxNodes ?? 4, minNodeCount: 0, nodeIdleTimeBeforeScaleDown: 'PT120S' },
        ...(c.subnetId ? { subnet: { id: c.subnetId } } : {}),
        enableNodePublicIp: c.publicIp ?? false,
        remoteLoginPortPublicAccess: 'Disabled',
        isolatedNetwork: false,
        allocationState: 'Steady', allocationStateTransitionTime: '2026-11-26T05:10:00.000Z',
        errors: null,
        currentNodeCount: running + unusable, targetNodeCount: running + unusable,
        nodeStateCounts: { idleNodeCount: 0, runningNodeCount: running, preparingNodeCount: 0, unusableNodeCount: unusable, leavingNodeCount: 0, preemptedNodeCount: 0 },
      },
    },
  };
}

export interface JobSpec {
  workspaceId: string;
  name: string;
  createdAt: string;
  createdBy: string;
  /** JobStatus (Running, Completed, …). */
  status: string;
  computeId: string | null;
  /** The TensorBoard service's status; null: a job without one. */
  tensorboard: { status: string; errorMessage?: string } | null;
}

/** An AzureML v2 command job (REST JobBase, mfe.json), as Jobs_List returns it. */
export function mlJob(j: JobSpec): ArmResource {
  const services: Json = { Studio: { jobServiceType: 'Studio', endpoint: `https://ml.azure.com/runs/${j.name}`, port: null, status: null, errorMessage: null, properties: null } };
  if (j.tensorboard) {
    const running = j.tensorboard.status === 'Running';
    services.tensorboard = {
      jobServiceType: 'TensorBoard', port: 6006, nodes: null, properties: { logDir: 'outputs/tblogs' }, status: j.tensorboard.status,
      errorMessage: j.tensorboard.errorMessage ?? null, endpoint: running ? `https://${j.name}-6006.eastus2.nodes.azureml.ms/` : null,
    };
  }
  return {
    id: `${j.workspaceId}/jobs/${j.name}`, name: j.name, type: 'Microsoft.MachineLearningServices/workspaces/jobs',
    systemData: { createdBy: j.createdBy, createdByType: 'User', createdAt: j.createdAt, lastModifiedBy: j.createdBy, lastModifiedByType: 'User', lastModifiedAt: j.createdAt },
    properties: {
      jobType: 'Command', displayName: j.name, experimentName: 'generated', description: null, tags: {}, properties: {},
      computeId: j.computeId, isArchived: false, status: j.status, command: 'python train.py --logdir outputs/tblogs', environmentId: null, codeId: null,
      inputs: {}, outputs: {}, services,
    },
  };
}

export interface VmSpec {
  id: string;
  location: string;
  vmSize: string;
  nicId: string;
  tags?: Record<string, string>;
  power?: 'running' | 'deallocated' | 'stopped';
  vmId: string;
}

export function virtualMachine(v: VmSpec): ArmResource {
  const name = v.id.split('/').pop() as string;
  const power = v.power ?? 'running';
  return {
    id: v.id, name, type: 'Microsoft.Compute/virtualMachines', location: v.location, tags: v.tags ?? {},
    properties: {
      vmId: v.vmId,
      hardwareProfile: { vmSize: v.vmSize },
      storageProfile: {
        imageReference: { publisher: 'microsoft-dsvm', offer: 'ubuntu-hpc', sku: '2204', version: 'latest' },
        osDisk: { osType: 'Linux', name: `${name}_OsDisk_1`, createOption: 'FromImage', caching: 'ReadWrite', diskSizeGB: 128 },
        dataDisks: [],
      },
      osProfile: { computerName: name, adminUsername: 'azureuser', linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true } },
      networkProfile: { networkInterfaces: [{ id: v.nicId, properties: { primary: true } }] },
      provisioningState: 'Succeeded',
      timeCreated: '2026-07-01T10:00:00.0000000+00:00',
      extended: { instanceView: { powerState: { code: `PowerState/${power}`, level: 'Info', displayStatus: `VM ${power}` } } },
    },
  };
}

export interface NicSpec {
  id: string;
  location: string;
  subnetId: string;
  privateIp: string;
  vmId?: string;
  nsgId?: string;
  backendPoolIds?: string[];
  macSeed?: number;
}

export function networkInterface(n: NicSpec): ArmResource {
  const seed = n.macSeed ?? 0;
  const mac = ['00', '0D', '3A', ...[seed >> 16, seed >> 8, seed].map((b) => (b & 255).toString(16).toUpperCase().padStart(2, '0'))].join('-');
  return {
    id: n.id, name: n.id.split('/').pop() as string, type: 'Microsoft.Network/networkInterfaces', location: n.location,
    properties: {
      provisioningState: 'Succeeded',
      ipConfigurations: [{
        name: 'ipconfig1', id: `${n.id}/ipConfigurations/ipconfig1`, type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
        properties: {
          provisioningState: 'Succeeded', privateIPAddress: n.privateIp, privateIPAllocationMethod: 'Dynamic', privateIPAddressVersion: 'IPv4',
          subnet: { id: n.subnetId }, primary: true,
          ...(n.backendPoolIds ? { loadBalancerBackendAddressPools: n.backendPoolIds.map((id) => ({ id })) } : {}),
        },
      }],
      ...(n.nsgId ? { networkSecurityGroup: { id: n.nsgId } } : {}),
      ...(n.vmId ? { virtualMachine: { id: n.vmId } } : {}),
      macAddress: mac, primary: true, enableAcceleratedNetworking: false, enableIPForwarding: false, nicType: 'Standard',
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
    },
  };
}

export interface LoadBalancerSpec {
  id: string;
  location: string;
  subnetId: string;
  frontendIp: string;
  backendIpConfigIds: string[];
  frontendPort: number;
  backendPort: number;
  probe: { protocol: 'Tcp' | 'Http'; port: number; requestPath?: string };
}

export function loadBalancer(l: LoadBalancerSpec): ArmResource {
  const fe = `${l.id}/frontendIPConfigurations/frontend`;
  const pool = `${l.id}/backendAddressPools/tensorboard`;
  const rule = `${l.id}/loadBalancingRules/tensorboard`;
  const probe = `${l.id}/probes/tensorboard`;
  return {
    id: l.id, name: l.id.split('/').pop() as string, type: 'Microsoft.Network/loadBalancers', location: l.location,
    sku: { name: 'Standard', tier: 'Regional' },
    properties: {
      provisioningState: 'Succeeded',
      frontendIPConfigurations: [{ name: 'frontend', id: fe, properties: { provisioningState: 'Succeeded', privateIPAddress: l.frontendIp, privateIPAllocationMethod: 'Static', subnet: { id: l.subnetId }, loadBalancingRules: [{ id: rule }] } }],
      backendAddressPools: [{ name: 'tensorboard', id: pool, properties: { provisioningState: 'Succeeded', backendIPConfigurations: l.backendIpConfigIds.map((id) => ({ id })), loadBalancingRules: [{ id: rule }] } }],
      loadBalancingRules: [{
        name: 'tensorboard', id: rule,
        properties: {
          provisioningState: 'Succeeded', frontendIPConfiguration: { id: fe }, backendAddressPool: { id: pool }, probe: { id: probe },
          protocol: 'Tcp', frontendPort: l.frontendPort, backendPort: l.backendPort, enableFloatingIP: false, idleTimeoutInMinutes: 4,
          loadDistribution: 'Default', disableOutboundSnat: false, enableTcpReset: false,
        },
      }],
      probes: [{
        name: 'tensorboard', id: probe,
        properties: {
          provisioningState: 'Succeeded', protocol: l.probe.protocol, port: l.probe.port, ...(l.probe.requestPath ? { requestPath: l.probe.requestPath } : {}),
          intervalInSeconds: 15, numberOfProbes: 2, probeThreshold: 1, loadBalancingRules: [{ id: rule }],
        },
      }],
      inboundNatRules: [], outboundRules: [], inboundNatPools: [],
    },
  };
}

/** A VM size as ML's …/locations/{loc}/vmSizes lists it. */
export function mlVmSize(name: string, family: string, vCPUs: number, memoryGB: number, gpus = 0): Json {
  return {
    name, family, vCPUs, gpus, osVhdSizeMB: 1047552, maxResourceVolumeMB: vCPUs * 16384, memoryGB,
    lowPriorityCapable: true, premiumIO: /s_|S_|DS/.test(name),
    supportedComputeTypes: ['AmlCompute', 'ComputeInstance'],
  };
}

/** The size catalogue used by generated and demo tenants (real vCPU / memory figures). */
export const VM_SIZE_CATALOGUE: [name: string, family: string, vCPUs: number, memoryGB: number, gpus?: number][] = [
  ['Standard_D2_v2', 'standardDv2Family', 2, 7],
  ['Standard_D3_v2', 'standardDv2Family', 4, 14],
  ['Standard_DS2_v2', 'standardDSv2Family', 2, 7],
  ['Standard_DS3_v2', 'standardDSv2Family', 4, 14],
  ['Standard_DS11_v2', 'standardDSv2Family', 2, 14],
  ['Standard_DS12_v2', 'standardDSv2Family', 4, 28],
  ['Standard_D4s_v3', 'standardDSv3Family', 4, 16],
  ['Standard_E4ds_v4', 'standardEDSv4Family', 4, 32],
  ['Standard_F2s_v2', 'standardFSv2Family', 2, 4],
  ['Standard_NC6s_v3', 'standardNCSv3Family', 6, 112, 1],
  ['Standard_NC4as_T4_v3', 'standardNCASv3_T4Family', 4, 28, 1],
];

export function vmSizesFor(): Json[] {
  return VM_SIZE_CATALOGUE.map(([n, f, c, m, g]) => mlVmSize(n, f, c, m, g));
}

/** Microsoft.Compute/skus entries for the same sizes in the given locations (VM hosts' sizes). */
export function computeSkusFor(locations: string[]): Json[] {
  return VM_SIZE_CATALOGUE.map(([name, family, vCPUs, memoryGB, gpus]) => ({
    resourceType: 'virtualMachines', name, tier: 'Standard', size: name.replace(/^Standard_/, ''), family, locations,
    capabilities: [
      { name: 'vCPUs', value: String(vCPUs) }, { name: 'MemoryGB', value: String(memoryGB) },
      { name: 'GPUs', value: String(gpus ?? 0) }, { name: 'PremiumIO', value: /s_|S_|DS/.test(name) ? 'True' : 'False' },
    ],
    restrictions: [],
  }));
}

const regionTag = (region: string) => region.replace(/^(\w)/, (c) => c.toUpperCase()).replace(/us(\d*)$/, 'US$1').replace(/europe$/, 'Europe');

/** Service tags as GET …/locations/{loc}/serviceTags lists them (a few real-looking prefixes each). */
export function serviceTagsFor(regions: string[]): Json[] {
  const tag = (name: string, region: string, systemService: string, prefixes: string[]) => ({
    name, id: name, serviceTagChangeNumber: '42',
    properties: { changeNumber: '42', region, state: 'GA', platform: 'Azure', systemService, addressPrefixes: prefixes, networkFeatures: ['API', 'NSG', 'UDR', 'FW'] },
  });
  const perRegion: Record<string, { ml: string[]; batch: string[]; storage: string[] }> = {
    eastus2: { ml: ['20.41.0.96/28', '20.62.128.128/26'], batch: ['20.41.5.128/26', '40.70.146.64/26'], storage: ['20.38.100.0/23', '52.177.0.0/16'] },
    westeurope: { ml: ['20.50.200.192/26', '51.144.184.32/27'], batch: ['13.69.65.64/26', '40.74.101.0/26'], storage: ['20.38.108.0/23', '52.232.0.0/17'] },
  };
  const all = regions.map((r) => perRegion[r] ?? { ml: ['198.51.100.0/28'], batch: ['198.51.100.64/26'], storage: ['198.51.100.128/25'] });
  return [
    tag('AzureMachineLearning', '', 'AzureMachineLearning', all.flatMap((r) => r.ml)),
    ...regions.map((r, i) => tag(`AzureMachineLearning.${regionTag(r)}`, r, 'AzureMachineLearning', all[i].ml)),
    tag('BatchNodeManagement', '', 'BatchNodeManagement', all.flatMap((r) => r.batch)),
    ...regions.map((r, i) => tag(`BatchNodeManagement.${regionTag(r)}`, r, 'BatchNodeManagement', all[i].batch)),
    tag('Storage', '', 'AzureStorage', all.flatMap((r) => r.storage)),
    ...regions.map((r, i) => tag(`Storage.${regionTag(r)}`, r, 'AzureStorage', all[i].storage)),
    tag('AzureLoadBalancer', '', '', ['168.63.129.16/32']),
    tag('AzureActiveDirectory', '', 'AzureAD', ['20.20.32.0/19', '40.126.0.0/18']),
    tag('AzureResourceManager', '', 'AzureResourceManager', ['4.150.240.8/29', '13.66.141.176/28']),
    tag('AzureFrontDoor.Frontend', '', 'AzureFrontDoor', ['13.107.213.0/24', '13.107.246.0/24']),
    tag('MicrosoftContainerRegistry', '', 'MicrosoftContainerRegistry', ['13.69.64.88/29', '20.38.149.88/29']),
  ];
}

// ---- Log Analytics rows (columns as research/domain-facts.md §c lists them) ----

export interface SyslogSpec {
  time: string;
  computer: string;
  message: string;
  facility?: string;
  processName?: string;
  severity?: string;
  processId?: number;
  resourceId?: string;
  hostIp?: string;
}

/** A row without the columns it has no value for: the sandbox answers a known column the rows lack as null. */
function compact(row: LogRow): LogRow {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined && v !== null));
}

export function syslogRow(s: SyslogSpec): LogRow {
  return compact({
    TimeGenerated: s.time, EventTime: s.time, Computer: s.computer, HostName: s.computer, HostIP: s.hostIp,
    Facility: s.facility ?? 'user', SeverityLevel: s.severity ?? 'info', ProcessName: s.processName ?? 'tensorboard', ProcessID: s.processId,
    SyslogMessage: s.message, SourceSystem: 'Linux', Type: 'Syslog', _ResourceId: s.resourceId,
  });
}

export function insightsMetricRow(time: string, computer: string, namespace: string, name: string, val: number, tags: Json, resourceId?: string): LogRow {
  return compact({
    TimeGenerated: time, Computer: computer, Origin: 'vm.azm.ms', Namespace: namespace, Name: name, Val: val,
    Tags: JSON.stringify(tags), SourceSystem: 'Insights', Type: 'InsightsMetrics', _ResourceId: resourceId,
  });
}

/** The three VM insights series the resource checks read: available memory, free disk space, CPU utilisation. */
export function vmInsightsRows(time: string, computer: string, m: { memorySizeMB: number; availableMB: number; freeDiskPct: number; diskSizeMB?: number; cpuPct: number; cpus: number }, resourceId?: string): LogRow[] {
  return [
    insightsMetricRow(time, computer, 'Memory', 'AvailableMB', m.availableMB, { 'vm.azm.ms/memorySizeMB': m.memorySizeMB }, resourceId),
    insightsMetricRow(time, computer, 'LogicalDisk', 'FreeSpacePercentage', m.freeDiskPct, { 'vm.azm.ms/mountId': '/', 'vm.azm.ms/diskSizeMB': m.diskSizeMB ?? 126_976 }, resourceId),
    insightsMetricRow(time, computer, 'Processor', 'UtilizationPercentage', m.cpuPct, { 'vm.azm.ms/totalCpus': m.cpus }, resourceId),
  ];
}

/** Minutes before `now`, as an ISO time (log rows are written relative to the tenant clock). */
export function minutesBefore(now: string, minutes: number): string {
  return new Date(Date.parse(now) - minutes * 60_000).toISOString().replace('.000Z', 'Z');
}
