// Discovery on the contoso tenant through the sandbox (real SDK clients over HTTPS, the KQL engine answering the
// Resource Graph queries): every TensorBoard host with the right kind, ports, owners and Log Analytics workspace;
// the ARM fallback gives the same hosts when Graph does not index computes; scopes; request counts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../../shared/config';
import { discoverHosts, type DiscoverOptions } from '../../shared/discovery/discover';
import { graphPages, GraphQuotaGate } from '../../shared/discovery/graph';
import type { HostKind, RunError } from '../../shared/model';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const SUB1 = '1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01';
const SUB2 = '1b2c3d4e-0002-4a5b-8c9d-0e1f2a3b4c02';
const LA_PROD = '8a1f6c3e-5b7d-4e2a-9c1f-3d5e7a9b1c01';
const LA_RESEARCH = '8a1f6c3e-5b7d-4e2a-9c1f-3d5e7a9b1c02';

interface Expected { kind: HostKind; sub: string; port: number; publishedPort: number; owners: string[]; la: string | null }

// Read off sandbox/tenants/contoso.json by hand: custom apps, tags, createdBy, diagnostic settings.
const EXPECTED: Record<string, Expected> = {
  'ci-ok': { kind: 'compute-instance', sub: SUB1, port: 6006, publishedPort: 8706, owners: ['alice@contoso.com'], la: LA_PROD },
  'ci-small': { kind: 'compute-instance', sub: SUB1, port: 6006, publishedPort: 6006, owners: ['bob@contoso.com'], la: LA_PROD },
  'ci-oom': { kind: 'compute-instance', sub: SUB1, port: 6006, publishedPort: 8706, owners: ['ml-vision@contoso.com'], la: LA_PROD },
  'ci-nsg-deny': { kind: 'compute-instance', sub: SUB1, port: 6006, publishedPort: 6006, owners: ['erin@contoso.com'], la: LA_PROD },
  'ci-public-blocked': { kind: 'compute-instance', sub: SUB1, port: 6006, publishedPort: 6006, owners: ['frank@contoso.com'], la: LA_PROD },
  'ci-port-in-use': { kind: 'compute-instance', sub: SUB1, port: 6006, publishedPort: 6006, owners: ['grace@contoso.com'], la: LA_PROD },
  'ci-localhost': { kind: 'compute-instance', sub: SUB1, port: 6006, publishedPort: 8707, owners: ['heidi@contoso.com'], la: LA_PROD },
  'ci-no-owner': { kind: 'compute-instance', sub: SUB1, port: 6006, publishedPort: 6006, owners: [], la: LA_PROD },
  'vm-tb': { kind: 'vm', sub: SUB1, port: 6006, publishedPort: 6006, owners: ['dana@contoso.com'], la: LA_PROD },
  'cluster-tb': { kind: 'compute-cluster', sub: SUB2, port: 6006, publishedPort: 6006, owners: ['research-infra@contoso.com'], la: LA_RESEARCH },
  'ci-private': { kind: 'compute-instance', sub: SUB2, port: 6006, publishedPort: 8706, owners: ['judy@contoso.com'], la: LA_RESEARCH },
  'ci-restarted': { kind: 'compute-instance', sub: SUB1, port: 6006, publishedPort: 6006, owners: ['dana@contoso.com'], la: LA_PROD },
  // Job services, from mlw-prod's job list (owners from systemData.createdBy; the service's port).
  'tb-train-resnet': { kind: 'job-service', sub: SUB1, port: 6006, publishedPort: 6006, owners: ['erin@contoso.com'], la: LA_PROD },
  'tb-sweep-bert': { kind: 'job-service', sub: SUB1, port: 6006, publishedPort: 6006, owners: ['frank@contoso.com'], la: LA_PROD },
};
// Completed, archived, older than the horizon, no TensorBoard service: no job-service host.
const NOT_HOSTS = ['ci-jupyter', 'cpu-cluster', 'vm-build-agent', 'tb-nightly-eval', 'tb-archived-probe', 'tb-long-pretrain', 'train-no-services'];

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'));
});
after(() => sandbox.close());

function useTenant(mutate: (t: Tenant) => void = () => {}): Tenant {
  const t = loadTenant('contoso');
  mutate(t);
  sandbox.setTenant(t);
  sandbox.clearRequests();
  return t;
}

async function discover(env: Record<string, string> = {}, options: DiscoverOptions = {}) {
  const azure = azureContextFor(sandbox);
  const errors: RunError[] = [];
  // The tenant's clock: the job horizon counts back from it.
  const result = await discoverHosts({ azure, settings: loadSettings(env), errors, now: new Date(loadTenant('contoso').now) }, options);
  return { ...result, errors, counts: azure.counter.snapshot(), requests: sandbox.requests() };
}

test('contoso: every TensorBoard host, with kind, ports, owners and Log Analytics workspace; nothing else', async () => {
  useTenant();
  const { hosts, errors, subscriptionsRead, subscriptionsFailed } = await discover();
  assert.deepEqual(errors, []);
  assert.deepEqual(hosts.map((h) => h.name).sort(), Object.keys(EXPECTED).sort());
  for (const name of NOT_HOSTS) assert.ok(!hosts.some((h) => h.name === name), `${name} is not a TensorBoard host`);
  for (const h of hosts) {
    const e = EXPECTED[h.name];
    assert.deepEqual(
      { kind: h.kind, sub: h.subscriptionId, port: h.port, publishedPort: h.publishedPort, owners: h.owners, la: h.logAnalyticsWorkspaceId },
      e, h.name,
    );
  }
  assert.deepEqual(subscriptionsRead, [SUB1, SUB2]);
  assert.deepEqual(subscriptionsFailed, []);
  const vm = hosts.find((h) => h.name === 'vm-tb')!;
  assert.equal(vm.facts.state, 'PowerState/running');
  assert.equal(vm.facts.vmSize, 'Standard_D4s_v3');
  assert.ok(vm.facts.nicIds.length > 0);
  const ci = hosts.find((h) => h.name === 'ci-small')!;
  assert.deepEqual([ci.facts.state, ci.facts.vmSize, ci.workspace, ci.resourceGroup], ['Running', 'Standard_D2_v2', 'mlw-prod', 'rg-ml-prod']);
});

test('contoso: the Graph path costs 2 Resource Graph requests, one diagnostic-settings read and one job list per ML workspace, no compute list', async () => {
  useTenant();
  const { counts, requests } = await discover();
  assert.equal(counts.resourceGraph, 2);
  const arm = requests.filter((r) => r.api === 'arm');
  assert.equal(arm.length, 4, arm.map((r) => r.path).join('\n'));
  assert.equal(arm.filter((r) => /\/providers\/Microsoft\.Insights\/diagnosticSettings$/i.test(r.path)).length, 2);
  assert.equal(arm.filter((r) => /\/workspaces\/[^/]+\/jobs$/i.test(r.path)).length, 2, 'one job list per ML workspace (one page: the horizon ends it)');
  assert.equal(counts.arm, 4);
});

test('contoso: job services — one host per active job with a TensorBoard service, facts from the job list', async () => {
  useTenant();
  const { hosts } = await discover();
  const ok = hosts.find((h) => h.name === 'tb-train-resnet')!;
  assert.match(ok.id, /\/workspaces\/mlw-prod\/jobs\/tb-train-resnet$/);
  assert.equal(ok.workspace, 'mlw-prod');
  assert.equal(ok.location, 'eastus2');
  assert.deepEqual([ok.facts.job?.status, ok.facts.job?.serviceName, ok.facts.job?.service.status, ok.facts.job?.service.jobServiceType], ['Running', 'tensorboard', 'Running', 'TensorBoard']);
  assert.match(ok.facts.job?.computeId ?? '', /\/computes\/cpu-cluster$/);
  const bad = hosts.find((h) => h.name === 'tb-sweep-bert')!;
  assert.equal(bad.facts.job?.service.status, 'Failed');
  assert.match(bad.facts.job?.service.errorMessage ?? '', /log_dir does not exist/);
  // A horizon of 20 days reaches the 16-day-old job.
  const wide = await discover({ TBMON_JOB_HORIZON: 'P20D' });
  assert.ok(wide.hosts.some((h) => h.name === 'tb-long-pretrain'));
});

test('job list paging: one list per ML workspace, one more request per further page inside the horizon, none past it', async () => {
  const ws = `/subscriptions/${SUB1}/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod`;
  const now = Date.parse('2026-11-26T06:00:00Z');
  useTenant((t) => {
    // 130 jobs an hour apart, newest first 1 h ago: 7 days hold 168 hours, so all 130 are inside with P7D and
    // 24 with P1D. Every tenth has a Running TensorBoard service.
    for (let i = 0; i < 130; i++) {
      const at = new Date(now - (i + 1) * 3_600_000).toISOString();
      t.resources.push({
        id: `${ws}/jobs/bulk-${i}`, name: `bulk-${i}`, type: 'Microsoft.MachineLearningServices/workspaces/jobs',
        systemData: { createdBy: 'ops@contoso.com', createdAt: at },
        properties: { jobType: 'Command', status: 'Running', isArchived: false, computeId: `${ws}/computes/cpu-cluster`,
          services: i % 10 === 0 ? { tb: { jobServiceType: 'TensorBoard', port: 6006, status: 'Running', endpoint: `https://bulk-${i}.example/` } } : {} },
      } as Tenant['resources'][number]);
    }
  });
  const jobLists = (reqs: { api: string; path: string }[]) => reqs.filter((r) => r.api === 'arm' && /\/mlw-prod\/jobs$/i.test(r.path)).length;
  // The sandbox pages ARM lists by 50: 136 jobs in mlw-prod → 3 pages, all inside 7 days.
  const week = await discover({ TBMON_JOB_HORIZON: 'P7D' });
  assert.equal(jobLists(week.requests), 3);
  assert.equal(week.hosts.filter((h) => h.name.startsWith('bulk-')).length, 13);
  // One day: the first page holds the 24 jobs inside it; the second page is wholly older and ends the list.
  sandbox.clearRequests();
  const day = await discover({ TBMON_JOB_HORIZON: 'P1D' });
  assert.equal(jobLists(day.requests), 2);
  assert.deepEqual(day.hosts.filter((h) => h.name.startsWith('bulk-')).map((h) => h.name).sort(), ['bulk-0', 'bulk-10', 'bulk-20']);
});

test('contoso with Graph not indexing computes: the ARM fallback finds the same hosts, with the same facts', async () => {
  useTenant();
  const viaGraph = await discover();
  useTenant((t) => { t.resourceGraph = { ...t.resourceGraph, excludeTypes: ['microsoft.machinelearningservices/workspaces/computes'] }; });
  const viaArm = await discover();
  assert.deepEqual(viaArm.errors, []);
  assert.deepEqual(viaArm.hosts, viaGraph.hosts);
  assert.deepEqual(viaArm.armFallbackWorkspaces.length, 2);
  const computeLists = viaArm.requests.filter((r) => r.api === 'arm' && /\/computes$/i.test(r.path));
  assert.equal(computeLists.length, 2, 'one compute list per ML workspace (one page each here)');
  assert.ok(computeLists.every((r) => r.apiVersion === '2025-12-01'), 'raw reads with a current api-version keep customServices');
});

test('contoso: a workspace whose compute instances lack runtime state in Graph is read through ARM', async () => {
  // Graph rows without runtime fields: the tenant cannot make Graph and ARM disagree, so mlw-research's instances
  // lose `state` in the tenant itself — the fallback must be chosen for that workspace, and only for it.
  useTenant((t) => {
    for (const r of t.resources) {
      const inner = (r.properties as { properties?: Record<string, unknown> } | undefined)?.properties;
      if (r.id.includes('/workspaces/mlw-research/computes/') && inner) delete inner.state;
    }
  });
  const { armFallbackWorkspaces, hosts } = await discover();
  assert.deepEqual(armFallbackWorkspaces, [`/subscriptions/${SUB2}/resourcegroups/rg-ml-research/providers/microsoft.machinelearningservices/workspaces/mlw-research`]);
  assert.equal(hosts.length, Object.keys(EXPECTED).length);
});

test('management-group scope: exactly the group\'s subscriptions; an unknown group is a typed error (exit 2)', async () => {
  useTenant((t) => {
    t.managementGroups = [
      ...(t.managementGroups ?? []),
      { id: '/providers/Microsoft.Management/managementGroups/research', name: 'research', subscriptions: [SUB2], children: [] },
      { id: '/providers/Microsoft.Management/managementGroups/parent', name: 'parent', subscriptions: [], children: ['/providers/Microsoft.Management/managementGroups/research'] },
    ];
  });
  const research = await discover({ TBMON_SCOPE: 'managementGroup:research' });
  assert.deepEqual(research.hosts.map((h) => h.name).sort(), ['ci-private', 'cluster-tb']);
  assert.deepEqual(research.subscriptionsRead, [SUB2]);
  const nested = await discover({ TBMON_SCOPE: 'managementGroup:parent' });
  assert.deepEqual(nested.hosts.map((h) => h.name).sort(), ['ci-private', 'cluster-tb'], 'subscriptions of child groups count');
  const all = await discover({ TBMON_SCOPE: 'managementGroup:contoso-ml' });
  assert.equal(all.hosts.length, Object.keys(EXPECTED).length);

  await assert.rejects(discover({ TBMON_SCOPE: 'managementGroup:no-such-group' }), (e: Error & { code?: string; exitCode?: number }) => {
    assert.equal(e.name, 'UnknownManagementGroupError');
    assert.equal(e.code, 'UnknownManagementGroup');
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /no-such-group/);
    return true;
  });
});

test('a subscription added to the management group is picked up by the next discovery', async () => {
  const t = useTenant((x) => { x.managementGroups = [{ id: '/providers/Microsoft.Management/managementGroups/grow', name: 'grow', subscriptions: [SUB1], children: [] }]; });
  const first = await discover({ TBMON_SCOPE: 'managementGroup:grow' });
  assert.ok(!first.hosts.some((h) => h.subscriptionId === SUB2));
  t.managementGroups![0].subscriptions = [SUB1, SUB2];
  sandbox.setTenant(t);
  const second = await discover({ TBMON_SCOPE: 'managementGroup:grow' });
  assert.equal(second.hosts.length, Object.keys(EXPECTED).length);
});

test('subscription-list scope: only those subscriptions; one that cannot be read is reported, not silently dropped', async () => {
  useTenant();
  const missing = '99999999-9999-4999-8999-999999999999';
  const r = await discover({ TBMON_SCOPE: `subscriptions:${SUB2},${missing}` });
  assert.deepEqual(r.hosts.map((h) => h.name).sort(), ['ci-private', 'cluster-tb']);
  assert.deepEqual(r.subscriptionsRead, [SUB2]);
  assert.deepEqual(r.subscriptionsFailed, [missing]);
  assert.deepEqual(r.errors.map((e) => [e.scope, e.code]), [[missing, 'SubscriptionNotReadable']]);
  const body = r.requests.filter((q) => q.api === 'resourceGraph');
  assert.equal(body.length, 2);
});

test('an invalid TBMON_SCOPE stops startup naming the setting and its accepted forms', () => {
  for (const bad of ['subscription:abc', 'subscriptions:not-a-guid', 'managementGroup:', 'tenant']) {
    assert.throws(() => loadSettings({ TBMON_SCOPE: bad }), (e: Error) => {
      assert.equal(e.name, 'ConfigError');
      assert.match(e.message, /TBMON_SCOPE/);
      assert.match(e.message, /"all", "subscriptions:<guid>,<guid>", "managementGroup:<id>"/);
      return true;
    });
  }
});

test('Resource Graph 429s with Retry-After: the discovery completes and the waits are in the request log', async () => {
  useTenant((t) => { t.faults = [{ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', status: 429, headers: { 'Retry-After': '1' }, times: 3 }]; });
  const waits: number[] = [];
  const started = Date.now();
  const r = await discover({}, { onProgress: (p) => { if (p.phase === 'wait') waits.push(p.wait.ms); } });
  const elapsed = Date.now() - started;
  assert.equal(r.hosts.length, Object.keys(EXPECTED).length);
  const graph = r.requests.filter((q) => q.api === 'resourceGraph').map((q) => q.status);
  assert.deepEqual(graph, [429, 429, 429, 200, 200], 'the SDK retried twice, then discovery waited Retry-After and asked again');
  assert.deepEqual(waits, [1000], 'discovery waited the Retry-After itself once the SDK gave up');
  assert.ok(elapsed >= 2900, `three 1 s waits were honoured (took ${elapsed} ms)`);
});

test('Resource Graph quota exhausted: the next request waits x-ms-user-quota-resets-after instead of being throttled', async () => {
  useTenant((t) => { t.resourceGraph = { ...t.resourceGraph, quota: { limit: 1, windowMs: 1000 } }; });
  const waits: { ms: number; reason: string }[] = [];
  const started = Date.now();
  const r = await discover({}, { onProgress: (p) => { if (p.phase === 'wait') waits.push(p.wait); } });
  assert.equal(r.hosts.length, Object.keys(EXPECTED).length);
  const graph = r.requests.filter((q) => q.api === 'resourceGraph').map((q) => q.status);
  assert.deepEqual(graph, [200, 200], 'no request was throttled: the quota headers were honoured');
  assert.equal(waits.length, 1);
  assert.equal(waits[0].reason, 'quota');
  assert.ok(Date.now() - started >= 900);
});

test('Resource Graph answering for the first 10,000 subscriptions only: the discovery is incomplete and says why', async () => {
  useTenant((t) => { t.faults = [{ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', headers: { 'x-ms-tenant-subscription-limit-hit': 'true' } }]; });
  const r = await discover();
  assert.equal(r.hosts.length, Object.keys(EXPECTED).length, 'what Graph answered is kept');
  assert.deepEqual(r.errors.map((e) => e.code), ['TenantSubscriptionLimit']);
  assert.equal(r.complete, false, 'hosts in the subscriptions beyond the limit are missing: the run is not complete (CLI exit 3)');
});

test('a Resource Graph answer cut short without a skip token (resultTruncated) is an error, never a silently shorter host list', async () => {
  useTenant((t) => {
    for (let i = 0; i < 1_100; i++) {
      t.resources.push({ id: `/subscriptions/${SUB1}/resourceGroups/rg-bulk/providers/Microsoft.Storage/storageAccounts/sa${i}`, name: `sa${i}`, type: 'Microsoft.Storage/storageAccounts', location: 'eastus2' });
    }
  });
  const azure = azureContextFor(sandbox);
  const read = async (query: string) => {
    let rows = 0;
    for await (const page of graphPages(azure, query, {}, new GraphQuotaGate())) rows += page.length;
    return rows;
  };
  assert.ok(await read('resources | project id, name') > 1_100, 'with id the answer pages to the end');
  await assert.rejects(read('resources | project name'), /truncated/i, 'without id Graph cuts the answer at one page and says so');
});

test('Log Analytics routing: tag (customer id or ARM id) → ML workspace diagnostic settings → TBMON_LOG_ANALYTICS_WORKSPACE_ID → none', async () => {
  const DEFAULT_LA = '33333333-3333-4333-8333-333333333333';
  const LA_RESEARCH_ID = `/subscriptions/${SUB2}/resourceGroups/rg-ml-research/providers/Microsoft.OperationalInsights/workspaces/la-ml-research`;
  const tagOf = (t: Tenant, name: string, tags: Record<string, string>) => {
    const r = t.resources.find((x) => x.name === name)!;
    r.tags = { ...(r.tags ?? {}), ...tags };
  };
  useTenant((t) => {
    tagOf(t, 'ci-ok', { 'tbmon-log-analytics': LA_RESEARCH_ID.toUpperCase() });            // ARM id, any case → Graph's customer id
    tagOf(t, 'ci-small', { 'tbmon-log-analytics': `${LA_RESEARCH_ID}-gone` });              // ARM id of nothing → error, then diagnostics
    tagOf(t, 'ci-oom', { 'tbmon-log-analytics': 'la-ml-research' });                        // neither form → error, then diagnostics
    delete t.diagnosticSettings![`/subscriptions/${SUB2}/resourceGroups/rg-ml-research/providers/Microsoft.MachineLearningServices/workspaces/mlw-research`];
  });
  const withDefault = await discover({ TBMON_LOG_ANALYTICS_WORKSPACE_ID: DEFAULT_LA });
  const la = (name: string) => withDefault.hosts.find((h) => h.name === name)!.logAnalyticsWorkspaceId;
  assert.equal(la('ci-ok'), LA_RESEARCH);
  assert.equal(la('ci-small'), LA_PROD);
  assert.equal(la('ci-oom'), LA_PROD);
  assert.equal(la('vm-tb'), LA_PROD, 'a customer-id tag');
  assert.equal(la('cluster-tb'), DEFAULT_LA, 'no diagnostic settings → the default');
  assert.deepEqual(withDefault.errors.map((e) => e.code).sort(), ['InvalidLogAnalyticsTag', 'LogAnalyticsWorkspaceUnresolved']);
  const laReads = withDefault.requests.filter((r) => r.api === 'arm' && /OperationalInsights/i.test(r.path));
  assert.equal(laReads.length, 1, 'only the unknown ARM id costs an ARM read; known ones map through Graph');

  const without = await discover();
  assert.equal(without.hosts.find((h) => h.name === 'ci-private')!.logAnalyticsWorkspaceId, null, 'nothing known → null');
});

test('findHost-style name lookup works through the ARM fallback too', async () => {
  useTenant((t) => { t.resourceGraph = { ...t.resourceGraph, excludeTypes: ['microsoft.machinelearningservices/workspaces/computes'] }; });
  const r = await discover({}, { name: 'CI-PRIVATE' });
  assert.deepEqual(r.hosts.map((h) => h.name), ['ci-private']);
  assert.equal(r.hosts[0].logAnalyticsWorkspaceId, LA_RESEARCH);
});
