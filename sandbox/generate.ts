// Large tenants for benchmarks: seeded and deterministic (same options → same JSON), realistic in shape and mix —
// subscriptions, ML workspaces with diagnostic settings to Log Analytics workspaces, shared VNets/subnets/NSGs with
// their default rules, TensorBoard hosts of every kind (and computes that are not), a share of them broken for a
// real cause, and the Syslog/InsightsMetrics rows that show it. `_expect` names each host's designed finding.
import { mulberry32 } from './random';
import * as S from './shapes';
import type { ArmResource, LogRow, Tenant } from './tenant-types';

export interface GenerateOptions {
  subscriptions: number;
  mlWorkspaces: number;
  /** TensorBoard hosts (compute instances, tagged clusters, tagged VMs); non-TensorBoard computes come on top. */
  hosts: number;
  logAnalyticsWorkspaces: number;
  seed: number;
  now?: string;
  /**
   * Evidence gaps as a fleet has them before diagnostics are set up (from a second random stream, so the hosts and
   * their designed causes stay as without it): ML workspaces without a diagnostic setting, hosts without the launcher
   * or metrics, VMs with a data collection rule that collects kern or one that does not, boot kern rows on some
   * instances. `_sends` records what each host sends either way; `_expect` drops findings whose evidence is not sent.
   */
  gaps?: boolean;
  /**
   * AzureML jobs in the first `workspaces` ML workspaces (on top of `hosts`), each on the workspace's train-cluster:
   * `inside` jobs created within the last day (newest first; every 10th Completed — inside the horizon but no host —,
   * every 7th other with its TensorBoard service Failed, the rest Running) and `old` Completed jobs created 30 days
   * ago, past the default horizon. The TensorBoard job services are hosts; `_jobServices` counts them.
   */
  jobs?: { workspaces: number; inside: number; old: number };
}

/** Evidence families (shared/model.ts CoverageFamily) a generated host sends where tbmon can tie them to it. */
export type SentFamily = 'launch-log' | 'kernel' | 'memory' | 'disk' | 'cpu' | 'flow-logs' | 'network' | 'compute-state';

/** The checks whose verdict needs a family (a designed finding is only expected when its evidence is sent). */
const NEEDS: Record<string, SentFamily[]> = {
  'resource.memory-pressure': ['kernel', 'memory'],
};
const needsOf = (checkId: string): SentFamily[] => NEEDS[checkId] ?? (checkId.startsWith('script.') ? ['launch-log'] : []);

/** Every level from Info up, as data collection rules spell them. */
const INFO_UP = ['Info', 'Notice', 'Warning', 'Error', 'Critical', 'Alert', 'Emergency'];
const PERF = ['\\Memory\\Available MBytes Memory', '\\Logical Disk(*)\\% Free Space', '\\Processor(*)\\% Processor Time'];

/** The finding a generated host is built to show (CHECKS.md id → status), or healthy. */
export type DesignedCause = 'healthy' | 'vm-size' | 'oom' | 'nsg-deny' | 'aml-inbound' | 'port-in-use' | 'localhost' | 'not-relaunched';

const EXPECT: Record<DesignedCause, Record<string, string>> = {
  healthy: { 'script.not-running': 'pass' },
  'vm-size': { 'resource.vm-size': 'fail' },
  oom: { 'resource.memory-pressure': 'fail' },
  'nsg-deny': { 'network.tensorboard-port': 'fail' },
  'aml-inbound': { 'network.aml-inbound': 'fail' },
  'port-in-use': { 'script.port-in-use': 'fail' },
  localhost: { 'script.localhost-only': 'fail' },
  'not-relaunched': { 'script.not-relaunched': 'fail' },
};

const LOCATIONS = ['eastus2', 'westeurope', 'westus2'];
const PEOPLE = ['alice', 'bob', 'carol', 'dana', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar'];

function guidFrom(next: () => number): string {
  const hex = Array.from({ length: 4 }, () => Math.floor(next() * 0x100000000).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(next() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

interface SubNet {
  ci: string;
  locked: string;
  publicSubnet: string;
  vm: string;
  octet: number;
}

export function generateTenant(o: GenerateOptions): Tenant & { _expect: Record<string, Record<string, string>>; _sends: Record<string, SentFamily[]>; _jobServices: number } {
  for (const [k, v] of Object.entries({ subscriptions: o.subscriptions, mlWorkspaces: o.mlWorkspaces, logAnalyticsWorkspaces: o.logAnalyticsWorkspaces })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`generateTenant: ${k} must be a positive integer, not ${v}`);
  }
  if (!Number.isInteger(o.hosts) || o.hosts < 0) throw new Error(`generateTenant: hosts must be a non-negative integer, not ${o.hosts}`);
  const next = mulberry32(o.seed);
  // Gap decisions draw from their own stream: the main stream (hosts, causes, sizes) is the same with or without gaps.
  const gapRoll = mulberry32((o.seed ^ 0x5eed5eed) >>> 0);
  const gap = (p: number) => o.gaps === true && gapRoll() < p;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const now = o.now ?? '2026-11-26T06:00:00Z';
  const at = (minutes: number) => S.minutesBefore(now, minutes);
  const tenantId = guidFrom(next);

  const resources: ArmResource[] = [];
  const subs = Array.from({ length: o.subscriptions }, (_, i) => ({
    subscriptionId: guidFrom(next), displayName: `ml-sub-${String(i).padStart(4, '0')}`, location: LOCATIONS[i % LOCATIONS.length],
  }));

  // Log Analytics workspaces.
  const las = Array.from({ length: o.logAnalyticsWorkspaces }, (_, l) => {
    const sub = subs[l % subs.length];
    const id = `/subscriptions/${sub.subscriptionId}/resourceGroups/rg-monitor/providers/Microsoft.OperationalInsights/workspaces/la-${l}`;
    const customerId = guidFrom(next);
    resources.push(S.logAnalyticsWorkspace(id, sub.location, customerId));
    // Two rules per workspace when gaps are on: one collects kern at Info or above, one only user/daemon at Warning up.
    const rg = `/subscriptions/${sub.subscriptionId}/resourceGroups/rg-monitor/providers/Microsoft.Insights/dataCollectionRules`;
    const kernRule = `${rg}/dcr-tb-syslog-${l}`;
    const userRule = `${rg}/dcr-tb-userlog-${l}`;
    if (o.gaps) {
      resources.push(
        S.dataCollectionRule({ id: kernRule, location: sub.location, workspace: { id, customerId }, syslog: { facilityNames: ['user', 'kern', 'daemon'], logLevels: INFO_UP }, counters: PERF }),
        S.dataCollectionRule({ id: userRule, location: sub.location, workspace: { id, customerId }, syslog: { facilityNames: ['user', 'daemon'], logLevels: INFO_UP.slice(2) } }),
      );
    }
    return { id, customerId, kernRule, userRule, syslog: [] as LogRow[], metrics: [] as LogRow[] };
  });

  // One shared network per subscription that holds workspaces: healthy, locked (denies 6006), public (no 44224 allow), VM subnets.
  const networks = new Map<string, SubNet>();
  const networkFor = (subIndex: number): SubNet => {
    const sub = subs[subIndex];
    const existing = networks.get(sub.subscriptionId);
    if (existing) return existing;
    const base = `/subscriptions/${sub.subscriptionId}/resourceGroups/rg-network/providers/Microsoft.Network`;
    const vnetId = `${base}/virtualNetworks/vnet-ml`;
    const octet = 10 + (networks.size % 240);
    const nsgId = (n: string) => `${base}/networkSecurityGroups/${n}`;
    const subnet = (n: string) => `${vnetId}/subnets/${n}`;
    resources.push(
      S.virtualNetwork(vnetId, sub.location, `10.${octet}.0.0/16`, [
        { name: 'snet-ci', addressPrefix: `10.${octet}.0.0/20`, nsgId: nsgId('nsg-ci') },
        { name: 'snet-locked', addressPrefix: `10.${octet}.16.0/20`, nsgId: nsgId('nsg-locked') },
        { name: 'snet-public', addressPrefix: `10.${octet}.32.0/20`, nsgId: nsgId('nsg-public') },
        { name: 'snet-vm', addressPrefix: `10.${octet}.48.0/20`, nsgId: nsgId('nsg-vm') },
      ]),
      S.networkSecurityGroup(nsgId('nsg-ci'), sub.location, [S.AZUREML_INBOUND], [subnet('snet-ci')]),
      S.networkSecurityGroup(nsgId('nsg-locked'), sub.location, [
        S.AZUREML_INBOUND,
        { name: 'deny-tensorboard-6006', priority: 200, direction: 'Inbound', access: 'Deny', protocol: 'Tcp', destinationPort: '6006' },
      ], [subnet('snet-locked')]),
      S.networkSecurityGroup(nsgId('nsg-public'), sub.location, [
        { name: 'allow-ssh-corp', priority: 300, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: '203.0.113.0/24', destinationPort: '22' },
      ], [subnet('snet-public')]),
      S.networkSecurityGroup(nsgId('nsg-vm'), sub.location, [
        { name: 'allow-tensorboard-vnet', priority: 110, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: 'VirtualNetwork', destinationPort: '6006' },
      ], [subnet('snet-vm')]),
    );
    const net = { ci: subnet('snet-ci'), locked: subnet('snet-locked'), publicSubnet: subnet('snet-public'), vm: subnet('snet-vm'), octet };
    networks.set(sub.subscriptionId, net);
    return net;
  };

  // ML workspaces, each with a diagnostic setting to a Log Analytics workspace and two computes that are not TensorBoard hosts.
  const diagnosticSettings: NonNullable<Tenant['diagnosticSettings']> = {};
  const workspaces = Array.from({ length: o.mlWorkspaces }, (_, j) => {
    const subIndex = j % subs.length;
    const sub = subs[subIndex];
    const id = `/subscriptions/${sub.subscriptionId}/resourceGroups/rg-ml-${j}/providers/Microsoft.MachineLearningServices/workspaces/mlw-${j}`;
    const privateEndpoint = next() < 0.2;
    const la = las[j % las.length];
    resources.push(S.mlWorkspace({ id, location: sub.location, privateEndpoint }));
    const diagnostics = !gap(0.2);
    if (diagnostics) diagnosticSettings[id] = [S.diagnosticSetting(la.id)];
    const net = networkFor(subIndex);
    resources.push(
      S.computeInstance({ workspaceId: id, name: `ci-notebook-${j}`, location: sub.location, vmSize: 'Standard_DS3_v2', subnetId: net.ci, publicIp: !privateEndpoint, createdBy: `${pick(PEOPLE)}@contoso.com` }),
      S.amlCluster({ workspaceId: id, name: `train-cluster-${j}`, location: sub.location, vmSize: 'Standard_NC6s_v3', subnetId: net.ci, runningNodes: Math.floor(next() * 3) }),
    );
    return { id, sub, subIndex, privateEndpoint, la, net, diagnostics, hosts: 0 };
  });

  const expect: Record<string, Record<string, string>> = {};
  const sends: Record<string, SentFamily[]> = {};
  for (let k = 0; k < o.hosts; k++) {
    const ws = workspaces[k % workspaces.length];
    const { net, la, sub } = ws;
    const roll = next();
    const kind = roll < 0.6 ? 'ci' : roll < 0.75 ? 'cluster' : 'vm';
    const r = next();
    let cause: DesignedCause = r < 0.06 ? 'vm-size' : r < 0.12 ? 'oom' : r < 0.18 ? 'nsg-deny' : r < 0.22 ? 'aml-inbound' : r < 0.28 ? 'port-in-use' : r < 0.32 ? 'localhost' : r < 0.35 ? 'not-relaunched' : 'healthy';
    if (cause === 'aml-inbound' && (kind !== 'ci' || ws.privateEndpoint)) cause = 'healthy';
    if (cause === 'not-relaunched' && kind !== 'ci') cause = 'healthy';
    // Launch-log and kernel rows reach a host by its Computer name, which cluster nodes don't share with the cluster.
    if (kind === 'cluster' && (cause === 'oom' || cause === 'port-in-use' || cause === 'localhost')) cause = 'healthy';
    const name = `${kind === 'ci' ? 'ci-tb' : kind === 'cluster' ? 'cluster-tb' : 'vm-tb'}-${k}`;
    const owner = next();
    const ownerTag: Record<string, string> = owner < 0.4 ? { 'tensorboard-owner': `${pick(PEOPLE)}@contoso.com` } : {};
    const vmSize = cause === 'vm-size' ? 'Standard_D2_v2' : pick(['Standard_DS3_v2', 'Standard_D4s_v3', 'Standard_E4ds_v4', 'Standard_DS12_v2']);
    const subnetId = cause === 'nsg-deny' ? net.locked : cause === 'aml-inbound' ? net.publicSubnet : kind === 'vm' ? net.vm : net.ci;
    const ip = `10.${net.octet}.${(subnetId === net.ci ? 0 : subnetId === net.locked ? 16 : subnetId === net.publicSubnet ? 32 : 48) + Math.floor(ws.hosts / 250) % 16}.${4 + (ws.hosts % 250)}`;
    ws.hosts += 1;
    let resourceId: string | undefined;

    let customApp = false;
    if (kind === 'ci') {
      const custom = next() < 0.5 && cause !== 'nsg-deny' && cause !== 'not-relaunched';
      customApp = custom;
      const ci = S.computeInstance({
        workspaceId: ws.id, name, location: sub.location, vmSize, subnetId, publicIp: !ws.privateEndpoint, privateIp: ip,
        createdBy: owner < 0.9 ? `${pick(PEOPLE)}@contoso.com` : 'svc-mlops-automation',
        tags: custom ? ownerTag : { tensorboard: '6006', ...ownerTag },
        customServices: custom ? [{ name: 'tensorboard', image: 'tensorflow/tensorflow:2.16.1', target: 6006, published: 8704 + (k % 200) }] : undefined,
        // Started by its schedule 40 minutes ago (script.not-relaunched): TensorBoard ran the day before, not since.
        ...(cause === 'not-relaunched' ? { lastOperation: { operationName: 'Start', operationTime: at(40), operationStatus: 'Succeeded', operationTrigger: 'Schedule' } } : {}),
      });
      resources.push(ci);
    } else if (kind === 'cluster') {
      resources.push(S.amlCluster({ workspaceId: ws.id, name, location: sub.location, vmSize, subnetId, runningNodes: 1 + Math.floor(next() * 3), tags: { tensorboard: '6006', ...ownerTag } }));
    } else {
      const rg = `/subscriptions/${sub.subscriptionId}/resourceGroups/rg-ml-${k % workspaces.length}`;
      resourceId = `${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
      const nicId = `${rg}/providers/Microsoft.Network/networkInterfaces/${name}-nic`;
      resources.push(
        S.virtualMachine({ id: resourceId, location: sub.location, vmSize, nicId, vmId: guidFrom(next), tags: { tensorboard: '6006', 'tbmon-log-analytics': la.customerId, ...ownerTag } }),
        S.networkInterface({ id: nicId, location: sub.location, subnetId, privateIp: ip, vmId: resourceId, macSeed: k }),
      );
    }
    // CHECKS.md script.localhost-only: fail for VMs and custom applications; a tagged compute instance, reached
    // through the instance proxy, passes.
    expect[name] = kind === 'cluster' && cause === 'healthy' ? {}
      : cause === 'localhost' && kind === 'ci' && !customApp ? { 'script.localhost-only': 'pass' }
      : EXPECT[cause];

    // What this host sends. A compute host of an ML workspace without a diagnostic setting has no workspace tbmon
    // knows (VMs name theirs by tag); a cluster's rows carry its nodes' names, which no cluster host matches.
    const routed = kind === 'vm' || ws.diagnostics;
    const attributable = routed && kind !== 'cluster';
    const launcher = attributable && !gap(0.15);
    const metrics = attributable && !gap(0.15);
    const otherSyslog = attributable && !launcher && !gap(0.5);
    const rule = kind === 'vm' && o.gaps ? (gapRoll() < 0.5 ? la.kernRule : gapRoll() < 0.5 ? la.userRule : null) : null;
    if (rule && resourceId) resources.push(S.dataCollectionRuleAssociation(resourceId, rule, `tbmon-${rule.split('/').pop()}`));
    const bootRow = attributable && kind !== 'vm' && gap(0.3);
    const keep = (rows: LogRow[], ...more: LogRow[]) => {
      if (attributable) rows.push(...more);
    };

    // Log rows: the launch log and VM insights, within the hour before now.
    const minute = 5 + Math.floor(next() * 50);
    const launchRows: LogRow[] = [];
    const line = (message: string, extra: Partial<S.SyslogSpec> = {}) => launchRows.push(S.syslogRow({ time: at(minute), computer: name, message, resourceId, processId: 2000 + (k % 5000), ...extra }));
    if (cause === 'not-relaunched') {
      // Yesterday's TensorBoard, then the boot after the scheduled start: the host logs again, TensorBoard does not.
      launchRows.push(S.syslogRow({ time: at(24 * 60 - minute), computer: name, message: `TensorBoard 2.16.2 at http://${name}:6006/ (Press CTRL+C to quit)`, resourceId }));
      launchRows.push(S.syslogRow({ time: at(39), computer: name, facility: 'kern', processName: 'kernel', resourceId, message: 'Linux version 5.15.0-1075-azure (buildd@lcy02-amd64-032) #84-Ubuntu SMP' }));
    } else if (cause === 'port-in-use') line('TensorBoard could not bind to port 6006, it was already in use', { severity: 'err' });
    else if (cause === 'localhost') {
      line('Serving TensorBoard on localhost; to expose to the network, use a proxy or pass --bind_all');
      line(`TensorBoard 2.16.2 at http://localhost:6006/ (Press CTRL+C to quit)`);
    } else {
      line(`TensorBoard 2.16.2 at http://${name}:6006/ (Press CTRL+C to quit)`);
      launchRows.push(S.syslogRow({ time: at(1 + (k % 4)), computer: name, message: 'tbmon-launcher: event=heartbeat pid=123 port=6006', resourceId, processId: 123 }));
    }
    if (!o.gaps) la.syslog.push(...launchRows);
    else if (launcher) keep(la.syslog, ...launchRows);
    if (otherSyslog) keep(la.syslog, S.syslogRow({ time: at(minute), computer: name, facility: 'daemon', processName: 'systemd', resourceId, message: 'Started Daily apt upgrade and clean activities.' }));
    // The launcher's heartbeat names pid 123: the kernel killed that process, TensorBoard itself.
    const oomRow = cause === 'oom';
    if (oomRow) {
      const row = S.syslogRow({ time: at(minute - 2), computer: name, facility: 'kern', severity: 'err', processName: 'kernel', resourceId, message: `Out of memory: Killed process 123 (tensorboard) total-vm:18764532kB, anon-rss:13982104kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:28452kB oom_score_adj:0` });
      if (o.gaps) keep(la.syslog, row);
      else la.syslog.push(row);
    }
    if (bootRow) keep(la.syslog, S.syslogRow({ time: at(3 * 1440), computer: name, facility: 'kern', severity: 'info', processName: 'kernel', resourceId, message: 'Linux version 5.15.0-1073-azure (buildd@lcy02-amd64-018) #82~20.04.1-Ubuntu SMP' }));
    const memorySizeMB = cause === 'vm-size' ? 7168 : 14336;
    const metricRows = S.vmInsightsRows(at(minute), name, {
      memorySizeMB, availableMB: cause === 'oom' ? 300 : Math.round(memorySizeMB * (0.3 + next() * 0.5)), freeDiskPct: Math.round(30 + next() * 60),
      cpuPct: Math.round(5 + next() * 60), cpus: cause === 'vm-size' ? 2 : 4,
    }, resourceId);
    if (!o.gaps) la.metrics.push(...metricRows);
    else if (metrics) keep(la.metrics, ...metricRows);

    // What reaches tbmon as this host's (the coverage test compares tbmon's fleet counts with this record).
    const syslogInWindow = launcher || otherSyslog || (oomRow && attributable);
    // A restarted instance's boot line (facility kern) rides with its launch rows.
    const kernSent = attributable && (oomRow || bootRow || (cause === 'not-relaunched' && launcher) || (rule === la.kernRule && syslogInWindow));
    const sent: SentFamily[] = ['network', 'compute-state'];
    if (o.gaps) {
      // A restarted-without-relaunch instance's last launch line is yesterday's: outside the window, not seen.
      if (launcher && cause !== 'not-relaunched') sent.push('launch-log');
      if (kernSent) sent.push('kernel');
      if (metrics) sent.push('memory', 'disk', 'cpu');
    } else {
      if (kind !== 'cluster') sent.push(...(cause === 'not-relaunched' ? [] : ['launch-log' as const]), 'memory', 'disk', 'cpu');
      if (kind !== 'cluster' && oomRow) sent.push('kernel');
    }
    sends[name] = sent;
    if (o.gaps) {
      expect[name] = Object.fromEntries(Object.entries(expect[name]).filter(([id]) => needsOf(id).every((f) => sent.includes(f))));
    }
  }

  let jobServices = 0;
  for (const ws of workspaces.slice(0, o.jobs?.workspaces ?? 0)) {
    const j = workspaces.indexOf(ws);
    const computeId = `${ws.id}/computes/train-cluster-${j}`;
    const spec = { workspaceId: ws.id, computeId, createdBy: 'erin@contoso.com' };
    for (let i = 0; i < (o.jobs?.inside ?? 0); i++) {
      const completed = i % 10 === 9;
      const failed = !completed && i % 7 === 6;
      if (!completed) jobServices++;
      resources.push(S.mlJob({
        ...spec, name: `tb-job-${j}-${i}`, createdAt: at(5 + i), status: completed ? 'Completed' : 'Running',
        tensorboard: completed ? { status: 'Stopped' } : failed ? { status: 'Failed', errorMessage: 'TensorBoard exited: No such file or directory: outputs/tblogs' } : { status: 'Running' },
      }));
    }
    for (let i = 0; i < (o.jobs?.old ?? 0); i++) {
      resources.push(S.mlJob({ ...spec, name: `old-job-${j}-${i}`, createdAt: at(30 * 24 * 60 + i), status: 'Completed', tensorboard: { status: 'Stopped' } }));
    }
  }

  const usedLocations = [...new Set(subs.map((s) => s.location))];
  return {
    _expect: expect,
    _sends: sends,
    _jobServices: jobServices,
    now,
    tenantId,
    managementGroups: [{ id: '/providers/Microsoft.Management/managementGroups/ml-root', name: 'ml-root', displayName: 'ML root', subscriptions: subs.map((s) => s.subscriptionId), children: [] }],
    subscriptions: subs.map((s) => ({
      id: `/subscriptions/${s.subscriptionId}`, subscriptionId: s.subscriptionId, tenantId, displayName: s.displayName, state: 'Enabled', authorizationSource: 'RoleBased',
      subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'EnterpriseAgreement_2014-09-01', spendingLimit: 'Off' },
    })),
    resources,
    serviceTags: Object.fromEntries(usedLocations.map((l) => [l, S.serviceTagsFor(usedLocations)])) as Tenant['serviceTags'],
    vmSizes: Object.fromEntries(usedLocations.map((l) => [l, S.vmSizesFor()])) as Tenant['vmSizes'],
    computeSkus: S.computeSkusFor(usedLocations),
    diagnosticSettings,
    logAnalytics: Object.fromEntries(las.map((la) => [la.customerId, { resourceId: la.id, tables: { Syslog: la.syslog, InsightsMetrics: la.metrics } }])),
    teams: { channels: ['ml-alerts'] },
  };
}
