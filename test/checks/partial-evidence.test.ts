// CHECKS.md § Partial evidence, audited check by check: every check that reads more than one source, on evidence
// that shows it healthy, degraded and broken, with each source missing in turn. Whatever the check then says, it is
// never `pass`; a `warn` is `partial: true` naming the missing source in `hint` (the source could make it a fail); a
// `fail` is what was seen deciding the worst status; `partial` sits only on warn or fail. A pass stands only where
// the row says the missing source cannot change it (8787/18881 allowed whatever the workspace; a fresh heartbeat
// whatever the compute state). One row per (check, scenario); the sources are removed by the helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS, runChecks } from '../../shared/checks/registry';
import type { HostEvidence } from '../../shared/evidence/types';
import type { NetworkEvidence, Ref } from '../../shared/evidence/network-types';
import type { CheckStatus, Gathered } from '../../shared/model';
import { evidence, host, inSubnet, kernelLog, launchLog, NET, series, settings, SUBNET, subnetNetwork, TAGS, WS, type RuleSpec } from '../support/evidence';

const unreadable = (id: string): Ref<never> => ({ state: 'unreadable', id, reason: '403 AuthorizationFailed' });
const gone = (reason: string): Gathered<never> => ({ ok: false, reason, hint: `enable ${reason}` });

function network(rules: RuleSpec[], over: Partial<NetworkEvidence> = {}, routes?: [string, string, string][]): Gathered<NetworkEvidence> {
  return { ok: true, value: { ...subnetNetwork({ rules, routes }), ...over } };
}

/** Takes one source away from the evidence. */
type Removal = [source: string, remove: (ev: HostEvidence) => HostEvidence, hint: RegExp];
const net = (f: (n: NetworkEvidence) => NetworkEvidence) => (ev: HostEvidence): HostEvidence => (ev.network.ok ? { ...ev, network: { ok: true, value: f(ev.network.value) } } : ev);
const R = {
  kernel: ['kernel messages', (ev) => ({ ...ev, logs: { ...ev.logs, kernel: gone('kernel query failed after retries') } }), /kernel/i] as Removal,
  kernNotCollected: ['kern facility', (ev) => ({ ...ev, logs: { ...ev.logs, kernel: kernelLog([], { olderKernRows: 0 }) } }), /kern/i] as Removal,
  metrics: ['memory metrics', (ev) => ({ ...ev, logs: { ...ev.logs, metrics: gone('metrics query failed after retries') } }), /metrics/i] as Removal,
  vmSize: ['VM size', (ev) => ({ ...ev, vmSize: gone('size catalogue unreadable') }), /size/i] as Removal,
  launch: ['launch log', (ev) => ({ ...ev, logs: { ...ev.logs, launch: gone('launch query failed after retries') } }), /launch/i] as Removal,
  network: ['network evidence', (ev) => ({ ...ev, network: { ok: false, reason: 'Resource Graph answered 503 after retries' } }), /network|Resource Graph/i] as Removal,
  customServices: ['custom applications', net((n) => ({ ...n, customServices: null })), /custom application/i] as Removal,
  serviceTags: ['service tags', net((n) => ({ ...n, serviceTags: { ok: false, reason: 'serviceTags.list failed: 503' } })), /Service Tags|serviceTags/i] as Removal,
  storageTag: ['the Storage service tag', net((n) => ({ ...n, serviceTags: { ok: true, value: TAGS.filter((t) => t.name !== 'Storage.EastUS2') } })), /Service Tags|Storage/i] as Removal,
  nsg: ['subnet NSG', net((n) => (n.subnet.state === 'found' ? { ...n, subnet: { state: 'found', value: { ...n.subnet.value, nsg: unreadable(`${NET}/networkSecurityGroups/nsg`) } } } : n)), /NSG|Reader/i] as Removal,
  subnet: ['subnet', net((n) => ({ ...n, subnet: unreadable(SUBNET) })), /Reader/i] as Removal,
  routeTable: ['route table', net((n) => (n.subnet.state === 'found' ? { ...n, subnet: { state: 'found', value: { ...n.subnet.value, routeTable: unreadable(`${NET}/routeTables/rt`) } } } : n)), /Reader/i] as Removal,
  workspace: ['ML workspace', net((n) => ({ ...n, workspace: unreadable(WS) })), /Reader|workspace/i] as Removal,
  unusableCount: ['UnusableNodeCount', (ev) => (ev.logs.cluster.ok ? { ...ev, logs: { ...ev.logs, cluster: { ok: true, value: { ...ev.logs.cluster.value, unusableNodeCount: null } } } } : ev), /UnusableNodeCount|AmlComputeClusterEvent/] as Removal,
  preemptedCount: ['PreemptedNodeCount', (ev) => (ev.logs.cluster.ok ? { ...ev, logs: { ...ev.logs, cluster: { ok: true, value: { ...ev.logs.cluster.value, maxPreemptedNodeCount: null, preemptedNodeCount: null } } } } : ev), /AmlComputeClusterEvent/] as Removal,
  clusterEvents: ['cluster events', (ev) => ({ ...ev, logs: { ...ev.logs, cluster: gone('cluster query failed') } }), /cluster/i] as Removal,
  computeState: ['compute state', (ev) => ({ ...ev, host: { ...ev.host, facts: { ...ev.host.facts, state: null, provisioningState: null } } }), /./] as Removal,
};

const OOM = 'Out of memory: Killed process 4242 (tensorboard) total-vm:9000kB';
const memLow = series('memory-available-pct', { worstBinMax: 4, node: 'ci-tb' });
const memOk = series('memory-available-pct', { worstBinMax: 60, node: 'ci-tb' });
const memMbOk = series('memory-available-mb', { worstBinMax: 9000, node: 'ci-tb' });
const withMetrics = (...s: ReturnType<typeof series>[]) => ({ ok: true as const, value: { series: s } });
const cluster = (unusable: number | null, preempted: number | null) => ({ ok: true as const, value: { events: 3, lastTime: '2026-11-26T05:50:00.000Z', unusableNodeCount: unusable, preemptedNodeCount: preempted, maxPreemptedNodeCount: preempted, clusterErrorCodes: '' } });
const SERVING_LOCAL: [string, string][] = [['05:30', 'Serving TensorBoard on localhost; to expose to the network, use a proxy or pass --bind_all'], ['05:30', 'TensorBoard 2.16.2 at http://localhost:6006/ (Press CTRL+C to quit)']];
const SERVING: [string, string][] = [['05:30', 'TensorBoard 2.16.2 at http://ci-tb:6006/ (Press CTRL+C to quit)']];
const HEARTBEAT: [string, string][] = [['05:58', 'tbmon-launcher: event=heartbeat pid=4242 port=6006']];

interface Row {
  check: string;
  scenario: string;
  ev: HostEvidence;
  /** The status with every source readable (asserted, so the scenario means what it says). */
  full: CheckStatus;
  sources: Removal[];
  /** Statuses expected with one source removed, where the rule is sharper than the invariants. */
  expect?: Partial<Record<string, CheckStatus>>;
}

const ci = host();
const cc = host({ kind: 'compute-cluster', name: 'cc-tb' });
const rows: Row[] = [
  // resource.memory-pressure: kernel (OOM kill → fail), metrics (low memory → warn), the VM size (Available MB → %)
  { check: 'resource.memory-pressure', scenario: 'healthy', ev: evidence(ci, { kernel: kernelLog([]), metrics: withMetrics(memOk) }), full: 'pass', sources: [R.kernel, R.kernNotCollected, R.metrics] },
  { check: 'resource.memory-pressure', scenario: 'healthy by Available MB', ev: evidence(ci, { kernel: kernelLog([]), metrics: withMetrics(memMbOk) }), full: 'pass', sources: [R.kernel, R.metrics, R.vmSize] },
  { check: 'resource.memory-pressure', scenario: 'low memory', ev: evidence(ci, { kernel: kernelLog([]), metrics: withMetrics(memLow) }), full: 'warn', sources: [R.kernel, R.kernNotCollected, R.metrics], expect: { 'kernel messages': 'warn', 'kern facility': 'warn', 'memory metrics': 'unknown' } },
  { check: 'resource.memory-pressure', scenario: 'OOM kill and low memory', ev: evidence(ci, { kernel: kernelLog([['05:40', 'kern', OOM]]), metrics: withMetrics(memLow) }), full: 'fail', sources: [R.kernel, R.kernNotCollected, R.metrics], expect: { 'kernel messages': 'warn', 'memory metrics': 'fail' } },
  // resource.cluster-nodes: UnusableNodeCount (fail) and PreemptedNodeCount (warn) of the cluster events
  { check: 'resource.cluster-nodes', scenario: 'healthy', ev: evidence(cc, { cluster: cluster(0, 0) }), full: 'pass', sources: [R.unusableCount, R.preemptedCount, R.clusterEvents] },
  { check: 'resource.cluster-nodes', scenario: 'preempted', ev: evidence(cc, { cluster: cluster(0, 2) }), full: 'warn', sources: [R.unusableCount, R.preemptedCount, R.clusterEvents], expect: { UnusableNodeCount: 'warn' } },
  { check: 'resource.cluster-nodes', scenario: 'unusable', ev: evidence(cc, { cluster: cluster(1, 2) }), full: 'fail', sources: [R.unusableCount, R.preemptedCount, R.clusterEvents], expect: { UnusableNodeCount: 'warn', PreemptedNodeCount: 'fail' } },
  // network.aml-outbound: the NSG, the service tags per fail-level dependency, the workspace (private endpoints)
  { check: 'network.aml-outbound', scenario: 'healthy', ev: { ...evidence(inSubnet()), network: network([]) }, full: 'pass', sources: [R.network, R.nsg, R.subnet, R.workspace], expect: { 'ML workspace': 'pass' } },
  {
    check: 'network.aml-outbound', scenario: 'a warn-level dependency denied, Storage by CIDR',
    ev: { ...evidence(inSubnet()), network: network([['no-mcr', 100, 'Outbound', 'Deny', 'Tcp', '*', '443', 'MicrosoftContainerRegistry'], ['no-storage-cidr', 110, 'Outbound', 'Deny', 'Tcp', '*', '443', '52.239.0.0/17']]) },
    full: 'fail', sources: [R.network, R.nsg, R.storageTag, R.serviceTags], expect: { 'the Storage service tag': 'warn' },
  },
  // network.tensorboard-port / aml-inbound: the NSG and the service tags on the path
  { check: 'network.tensorboard-port', scenario: 'allowed', ev: { ...evidence(inSubnet()), network: network([]) }, full: 'pass', sources: [R.network, R.nsg, R.subnet] },
  { check: 'network.tensorboard-port', scenario: 'denied', ev: { ...evidence(inSubnet()), network: network([['deny-6006', 200, 'Inbound', 'Deny', 'Tcp', '*', '6006']]) }, full: 'fail', sources: [R.network, R.nsg, R.subnet] },
  { check: 'network.aml-inbound', scenario: 'allowed by CIDR', ev: { ...evidence(inSubnet()), network: network([['aml', 100, 'Inbound', 'Allow', 'Tcp', '20.41.0.96/28', '44224'], ['aml2', 110, 'Inbound', 'Allow', 'Tcp', '51.144.184.32/27', '44224']]) }, full: 'pass', sources: [R.network, R.nsg, R.serviceTags] },
  // network.route-table: the subnet, its route table, the service tags (CIDR routes)
  { check: 'network.route-table', scenario: 'tunnel with CIDR routes', ev: { ...evidence(inSubnet()), network: network([], {}, [['fw', '0.0.0.0/0', 'VirtualAppliance'], ['aml', '20.41.0.0/24', 'Internet']]) }, full: 'pass', sources: [R.network, R.subnet, R.routeTable, R.serviceTags] },
  // network.published-port-range: custom applications and the workspace's private endpoints
  {
    check: 'network.published-port-range', scenario: 'in range',
    ev: { ...evidence(inSubnet({}, { publishedPort: 8704 })), network: network([], { customServices: [{ name: 'tb', endpoints: [{ name: 'tb', target: 6006, published: 8704 }] }], workspace: { state: 'found', value: { id: WS, name: 'ws1', properties: { privateEndpointConnections: [{ properties: { privateLinkServiceConnectionState: { status: 'Approved' } } }] } } } }) },
    full: 'pass', sources: [R.network, R.customServices, R.workspace],
  },
  // script.localhost-only: the launch log, and the network fact that makes localhost fatal (a load balancer; a custom
  // application is a host fact of discovery's)
  // A tagged compute instance is reached through the instance proxy, which reaches loopback: pass — but only as far
  // as the load balancers are known, so without the network evidence it is unknown (Azure/MachineLearningNotebooks#1659).
  { check: 'script.localhost-only', scenario: 'serving on localhost (tagged compute instance)', ev: { ...evidence(ci, { launch: launchLog(SERVING_LOCAL) }), network: network([]) }, full: 'pass', sources: [R.launch, R.network], expect: { 'network evidence': 'unknown', 'launch log': 'unknown' } },
  { check: 'script.localhost-only', scenario: 'serving on localhost (cluster)', ev: { ...evidence(host({ kind: 'compute-cluster' }), { launch: launchLog(SERVING_LOCAL) }), network: network([]) }, full: 'warn', sources: [R.launch, R.network], expect: { 'network evidence': 'warn', 'launch log': 'unknown' } },
  { check: 'script.localhost-only', scenario: 'serving on the host name', ev: { ...evidence(ci, { launch: launchLog(SERVING) }), network: network([]) }, full: 'pass', sources: [R.launch] },
  // script.not-running: the launch log and the compute's state (a stale heartbeat fails only while it runs)
  { check: 'script.not-running', scenario: 'heartbeat', ev: evidence(ci, { launch: launchLog(HEARTBEAT) }), full: 'pass', sources: [R.launch, R.computeState], expect: { 'compute state': 'pass' } },
  { check: 'script.not-running', scenario: 'stale heartbeat', ev: evidence(ci, { launch: launchLog([['05:00', 'tbmon-launcher: event=heartbeat pid=4242 port=6006']]) }), full: 'fail', sources: [R.launch, R.computeState] },
];

const definition = (id: string) => {
  const d = ALL_CHECKS.find((c) => c.id === id);
  if (!d) throw new Error(`no check ${id}`);
  return d;
};
const runOne = (id: string, ev: HostEvidence) => runChecks(ev, settings, { checks: [definition(id)] })[0];

for (const row of rows) {
  test(`${row.check} (${row.scenario}): each source missing in turn is never pass, a milder verdict is partial`, () => {
    const full = runOne(row.check, row.ev);
    assert.equal(full.status, row.full, `${row.check} with every source: ${full.summary}`);
    assert.equal(full.partial, undefined, 'full evidence is not partial');
    for (const [source, remove, hint] of row.sources) {
      const r = runOne(row.check, remove(row.ev));
      const what = `${row.check} (${row.scenario}) without ${source}: ${r.status} — ${r.summary} [${r.hint ?? ''}]`;
      const want = row.expect?.[source];
      // A pass stands only where the missing source cannot change it (listed in the row's expectations).
      if (want !== 'pass') assert.notEqual(r.status, 'pass', what);
      if (r.partial) assert.ok(r.status === 'warn' || r.status === 'fail', `partial only on warn or fail: ${what}`);
      if (r.status === 'warn' && row.full !== 'warn') assert.equal(r.partial, true, `a warn short of a source is partial: ${what}`);
      if (r.status === 'warn' && r.partial) assert.match(r.hint ?? '', hint, `the hint names the missing source: ${what}`);
      if (r.status === 'unknown') assert.ok(r.hint, `unknown says how to enable the source: ${what}`);
      if (want) assert.equal(r.status, want, what);
      if (want === 'warn') assert.equal(r.partial, true, what);
    }
  });
}

test('a check that reads more than one source is in the audit above', () => {
  const audited = new Set(rows.map((r) => r.check));
  // One source each (a single Log Analytics family, or the host's own facts): nothing to take away in turn.
  const singleSource = new Set(['resource.compute-state', 'resource.vm-size', 'resource.disk-pressure', 'resource.cpu-saturation', 'resource.kernel-network',
    'network.flow-denied', 'network.private-endpoint', 'network.load-balancer', 'script.not-installed', 'script.launch-crash', 'script.port-in-use',
    'script.port-mismatch', 'script.bad-flags', 'script.logdir', 'script.slow-start',
    // The launch log alone (the serving line; the data-server line; the restart read-back — lastOperation and the
    // startup script are facts of the host's own record); the job list's own record of the job.
    'script.path-prefix', 'script.data-server', 'script.not-relaunched', 'job.tensorboard-service']);
  for (const c of ALL_CHECKS) assert.ok(audited.has(c.id) || singleSource.has(c.id), `${c.id}: audit it for partial evidence (add rows above) or list it as single-source`);
});

test('the registry never lets a check return a partial pass, or partial on unknown', () => {
  const fake = (status: CheckStatus) => ({ ...definition('resource.vm-size'), id: 'resource.fake', run: () => ({ status, summary: 'seen', partial: true as const }) });
  const pass = runChecks(evidence(ci), settings, { checks: [fake('pass')] })[0];
  assert.equal(pass.status, 'unknown');
  assert.equal(pass.partial, undefined);
  assert.ok(pass.hint);
  const unknown = runChecks(evidence(ci), settings, { checks: [fake('unknown')] })[0];
  assert.equal(unknown.partial, undefined);
  const warn = runChecks(evidence(ci), settings, { checks: [fake('warn')] })[0];
  assert.equal(warn.partial, true);
  assert.ok(warn.hint);
});
