// findHost (the on-demand check's lookup) and the `hosts` command on the contoso tenant through the sandbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings, parseScope, type Scope } from '../../shared/config';
import { AmbiguousHostError, DiscoveryUsageError, HostNotFoundError } from '../../shared/discovery/errors';
import { findHost } from '../../shared/discovery/find-host';
import { parseHostQuery } from '../../shared/host-query';
import { listHostsCommand, type HostsJson } from '../../shared/discovery/hosts-command';
import { validateHostsOutput } from '../../shared/schemas';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const SUB1 = '1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01';
const CI_OK = `/subscriptions/${SUB1}/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod/computes/ci-ok`;
const RESEARCH_WS = '/subscriptions/1b2c3d4e-0002-4a5b-8c9d-0e1f2a3b4c02/resourceGroups/rg-ml-research/providers/Microsoft.MachineLearningServices/workspaces/mlw-research';

let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'));
});
after(() => sandbox.close());

/** Contoso plus a second compute instance named ci-ok, in another subscription and region. */
function withTwin(): Tenant {
  const t = loadTenant('contoso');
  const original = t.resources.find((r) => r.id === CI_OK)!;
  t.resources.push({ ...structuredClone(original), id: `${RESEARCH_WS}/computes/ci-ok`, location: 'westeurope' });
  return t;
}

function ctx() {
  return { azure: azureContextFor(sandbox), settings: loadSettings({}), errors: [], now: new Date(loadTenant('contoso').now) };
}

/** Parses what a person would paste and looks it up (the parser's own cases are in test/ondemand/host-query.test.ts). */
async function find(text: string) {
  const parsed = parseHostQuery(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return findHost(ctx(), parsed.query);
}

test('findHost by id reads the host fresh from ARM, with its Log Analytics workspace', async () => {
  sandbox.setTenant(loadTenant('contoso'));
  sandbox.clearRequests();
  const h = await find(CI_OK);
  assert.equal(h.name, 'ci-ok');
  assert.equal(h.publishedPort, 8706);
  assert.equal(h.logAnalyticsWorkspaceId, '8a1f6c3e-5b7d-4e2a-9c1f-3d5e7a9b1c01');
  assert.equal(sandbox.requests().filter((r) => r.api === 'resourceGraph').length, 0);
  const vm = await find(`/subscriptions/${SUB1}/resourceGroups/rg-ml-prod/providers/Microsoft.Compute/virtualMachines/vm-tb/`);
  assert.equal(vm.facts.state, 'PowerState/running', 'ARM instanceView statuses give the power state');
});

test('findHost: the same host for its name, its id with a trailing slash, every URL a person pastes', async () => {
  sandbox.setTenant(loadTenant('contoso'));
  const wsid = CI_OK.replace(/\/computes\/ci-ok$/, '');
  const shortWsid = wsid.replace('/providers/Microsoft.MachineLearningServices', '').replace('resourceGroups', 'resourcegroups');
  for (const text of [
    'CI-OK',
    `${CI_OK.toUpperCase().replace(/CI-OK$/, 'ci-ok')}/`,
    'https://ci-ok-8706.eastus2.instances.azureml.ms/#scalars',
    'ci-ok-8706.eastus2.instances.azureml.ms',
    'https://ci-ok.eastus2.instances.azureml.ms/proxy/6006/#scalars',
    'https://ci-ok.eastus2.instances.azureml.ms/lab/tree/work/proxy/6006/data/plugins_listing?x=1',
    `https://ml.azure.com/compute/ci-ok/details?wsid=${shortWsid}&tid=72f988bf-86f1-41af-91ab-2d7cd011db47`,
    `ml.azure.com/compute/ci-ok/details?wsid=${wsid}`,
  ]) assert.equal((await find(text)).id, CI_OK.toLowerCase(), text);
  assert.equal((await find('https://ci-private.westeurope.instances.azureml.ms/')).name, 'ci-private');
});

test('an ambiguous name lists the candidates; the URL\'s region tells them apart', async () => {
  sandbox.setTenant(withTwin());
  await assert.rejects(find('ci-ok'), (e: unknown) => {
    assert.ok(e instanceof AmbiguousHostError);
    assert.equal(e.exitCode, 2);
    assert.deepEqual(e.candidates.map((c) => c.id).sort(), [`${RESEARCH_WS}/computes/ci-ok`, CI_OK].map((id) => id.toLowerCase()).sort());
    assert.match(e.message, /mlw-research\/computes\/ci-ok/);
    return true;
  });
  assert.equal((await find('https://ci-ok-8706.westeurope.instances.azureml.ms/')).id, `${RESEARCH_WS}/computes/ci-ok`.toLowerCase());
});

test('a job service by its job\'s ARM id, its studio URL and its name', async () => {
  sandbox.setTenant(loadTenant('contoso'));
  const jobId = `${CI_OK.replace(/\/computes\/ci-ok$/, '')}/jobs/tb-sweep-bert`;
  const byId = await find(jobId);
  assert.deepEqual([byId.kind, byId.name, byId.facts.job?.service.status, byId.logAnalyticsWorkspaceId !== null], ['job-service', 'tb-sweep-bert', 'Failed', true]);
  const wsid = CI_OK.replace(/\/computes\/ci-ok$/, '');
  const byUrl = await find(`https://ml.azure.com/runs/tb-sweep-bert?wsid=${wsid}`);
  assert.equal(byUrl.id, byId.id);
  const byName = await find('tb-sweep-bert');
  assert.equal(byName.id, byId.id);
});

test('not found, not a TensorBoard host, malformed: typed errors, no stack trace needed', async () => {
  sandbox.setTenant(loadTenant('contoso'));
  const cases: [string, new (...a: never[]) => DiscoveryUsageError, RegExp][] = [
    ['ci-nowhere', HostNotFoundError, /name "ci-nowhere"/],
    ['ci-jupyter', HostNotFoundError, /ci-jupyter/],
    [CI_OK.replace('ci-ok', 'ci-gone'), HostNotFoundError, /does not exist/],
    [CI_OK.replace('ci-ok', 'ci-jupyter'), HostNotFoundError, /not a TensorBoard host/],
    [`${CI_OK.replace(/\/computes\/ci-ok$/, '')}/jobs/tb-job-1`, HostNotFoundError, /job .*the job does not exist/],
    [`${CI_OK.replace(/\/computes\/ci-ok$/, '')}/jobs/tb-nightly-eval`, HostNotFoundError, /has finished/],
    [`${CI_OK.replace(/\/computes\/ci-ok$/, '')}/jobs/train-no-services`, HostNotFoundError, /no TensorBoard service/],
    ['https://ci-ok-8706.westus3.instances.azureml.ms/', HostNotFoundError, /URL .*"ci-ok" or "ci-ok-8706" in westus3/],
    ['https://ci-ok-8706.chinaeast2.instances.azureml.cn/', HostNotFoundError, /of Azure China; tbmon reads Azure \(public\)/],
  ];
  for (const [q, type, message] of cases) {
    await assert.rejects(find(q), (e: unknown) => {
      assert.ok(e instanceof type, `${JSON.stringify(q)} → ${(e as Error).name}`);
      assert.equal((e as DiscoveryUsageError).exitCode, 2);
      assert.match((e as Error).message, message);
      return true;
    });
  }
});

test('hosts command: JSON per hosts.v1.json and a table; exit 3 when part of the scope is unreadable', async () => {
  sandbox.setTenant(loadTenant('contoso'));
  const azure = azureContextFor(sandbox);
  // The tenant's clock: the job horizon counts back from it.
  const run = async (format: 'json' | 'table', scope?: Scope) => {
    let text = '';
    const exitCode = await listHostsCommand({ azure, settings: loadSettings({}), scope, now: new Date(loadTenant('contoso').now) }, format, (chunk) => { text += chunk; });
    return { exitCode, text };
  };
  const asJson = await run('json');
  const json = JSON.parse(asJson.text) as HostsJson;
  const checked = validateHostsOutput(json);
  assert.ok(checked.ok, checked.ok ? '' : checked.errors.join('\n'));
  assert.deepEqual(Object.keys(json), ['schemaVersion', 'hosts', 'errors', 'stats']);
  assert.equal(asJson.text, `${JSON.stringify(json, null, 2)}\n`, 'streamed in the layout of JSON.stringify');
  assert.equal(json.hosts.length, 14);
  assert.ok(json.hosts.some((h) => h.kind === 'job-service' && h.name === 'tb-sweep-bert'));
  assert.equal(asJson.exitCode, 0);
  assert.deepEqual(json.stats.requests.resourceGraph, 2);
  assert.ok(!('tags' in json.hosts[0]) && !('facts' in json.hosts[0]));
  const table = (await run('table')).text;
  assert.match(table, /^tbmon: 14 TensorBoard hosts/);
  assert.match(table, /ci-ok\s+compute-instance\s+8706→6006\s+eastus2/);
  for (const h of json.hosts) assert.ok(table.includes(h.name));

  const scope = parseScope('subscriptions:1b2c3d4e-0002-4a5b-8c9d-0e1f2a3b4c02,99999999-9999-4999-8999-999999999999') as Scope;
  const partialRun = await run('json', scope);
  const partial = { exitCode: partialRun.exitCode, json: JSON.parse(partialRun.text) as HostsJson };
  assert.equal(partial.exitCode, 3);
  assert.equal(partial.json.hosts.length, 2);
  assert.equal(partial.json.errors[0].code, 'SubscriptionNotReadable');
  assert.match((await run('table', scope)).text, /errors:\n {2}99999999-9999-4999-8999-999999999999: SubscriptionNotReadable/);
  assert.ok(validateHostsOutput(partial.json).ok);
});
