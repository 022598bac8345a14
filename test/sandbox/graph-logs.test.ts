// Resource Graph quota and errors, Log Analytics routing and errors: what the product's retry and error paths meet.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RestError } from '@azure/core-rest-pipeline';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, sandboxRequest, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const SUB = '22222222-2222-2222-2222-222222222222';
const LA = '33333333-3333-3333-3333-333333333333';
const EMPTY_LA = '44444444-4444-4444-4444-444444444444';

function tenant(): Tenant {
  return {
    now: '2026-11-26T06:00:00Z',
    subscriptions: [{ subscriptionId: SUB }],
    resources: [
      { id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws`, name: 'ws', type: 'Microsoft.MachineLearningServices/workspaces', location: 'eastus2' },
      { id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/ci`, name: 'ci', type: 'Microsoft.MachineLearningServices/workspaces/computes', location: 'eastus2' },
    ],
    logAnalytics: {
      [LA]: { tables: { Syslog: [{ TimeGenerated: '2026-11-26T05:50:00Z', Computer: 'ci', Facility: 'user', ProcessName: 'tensorboard', SyslogMessage: 'TensorBoard 2.16.2 at http://ci:6006/ (Press CTRL+C to quit)' }] } },
      [EMPTY_LA]: { tables: {} },
    },
    resourceGraph: { quota: { limit: 3, windowMs: 60_000 }, excludeTypes: ['microsoft.machinelearningservices/workspaces/computes'] },
  };
}

const rgQuery = (sandbox: RunningSandbox, caller: string) => sandboxRequest(sandbox, 'POST', '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01', {
  headers: { authorization: `Bearer ${caller}`, 'content-type': 'application/json' },
  body: JSON.stringify({ query: 'resources | project id, type', subscriptions: [SUB] }),
});

describe('sandbox Resource Graph and Log Analytics', () => {
  let sandbox: RunningSandbox;
  before(async () => { sandbox = await startTestSandbox(tenant()); });
  after(() => sandbox.close());

  it('Resource Graph quota: headers on every answer, 429 with Retry-After past the limit, per caller', async () => {
    const answers = [await rgQuery(sandbox, 'a'), await rgQuery(sandbox, 'a'), await rgQuery(sandbox, 'a')];
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
    assert.deepEqual(answers.map((a) => a.headers['x-ms-user-quota-remaining']), ['2', '1', '0']);
    assert.match(String(answers[0].headers['x-ms-user-quota-resets-after']), /^00:01:00$|^00:00:[0-5]\d$/);
    const throttled = await rgQuery(sandbox, 'a');
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers['retry-after']) >= 1);
    assert.equal(throttled.json<{ error: { code: string } }>().error.code, 'RateLimiting');
    assert.equal((await rgQuery(sandbox, 'b')).status, 200, 'another caller has its own quota');
  });

  it('Resource Graph answers leave out excludeTypes and add subscriptionId and resourceGroup', async () => {
    sandbox.setTenant(tenant());
    const res = await azureContextFor(sandbox).resourceGraph().resources({ query: "resources | where type =~ 'microsoft.machinelearningservices/workspaces' | project id, type, subscriptionId, resourceGroup", subscriptions: [SUB] });
    const rows = res.data as { id: string; type: string; subscriptionId: string; resourceGroup: string }[];
    assert.deepEqual(rows.map((r) => [r.type, r.subscriptionId, r.resourceGroup]), [['microsoft.machinelearningservices/workspaces', SUB, 'rg']]);
  });

  it('Log Analytics: rows through the SDK; the request log names the workspace and the KQL', async () => {
    sandbox.clearRequests();
    const res = await azureContextFor(sandbox).logs().queryWorkspace(LA, 'Syslog | where ProcessName == "tensorboard"', { duration: 'PT1H' });
    assert.equal(res.status, 'Success');
    if (res.status === 'Success') assert.equal(res.tables[0].rows.length, 1);
    assert.deepEqual(sandbox.requests().map((r) => [r.api, r.workspace, r.query]), [['logAnalytics', LA, 'Syslog | where ProcessName == "tensorboard"']]);
  });

  it('a query the engine refuses is a 400 in Azure error shape (Resource Graph keeps its quota headers)', async () => {
    sandbox.setTenant(tenant());
    const bad = await sandboxRequest(sandbox, 'POST', '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01', {
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'resources | where' }),
    });
    assert.equal(bad.status, 400);
    assert.ok(bad.json<{ error: { code: string; message: string } }>().error.message.length > 0);
    assert.equal(bad.headers['x-ms-user-quota-remaining'], '2');
    await assert.rejects(azureContextFor(sandbox).logs().queryWorkspace(LA, 'Syslog | where', { duration: 'PT1H' }),
      (e: RestError) => e.statusCode === 400 && typeof e.code === 'string');
  });

  it('Log Analytics $batch (the SDK\'s queryBatch): one answer per request, an unknown workspace failing alone', async () => {
    const results = await azureContextFor(sandbox).logs().queryBatch([
      { workspaceId: LA, query: 'Syslog | project Computer', timespan: { duration: 'PT1H' } },
      { workspaceId: '55555555-5555-5555-5555-555555555555', query: 'Syslog', timespan: { duration: 'PT1H' } },
    ]);
    assert.equal(results.length, 2);
    assert.equal(results[0].status, 'Success');
    if (results[0].status === 'Success') assert.deepEqual(results[0].tables[0].rows, [['ci']]);
    assert.notEqual(results[1].status, 'Success');
  });

  it('Log Analytics: an unknown workspace is 404 WorkspaceNotFoundError; a workspace with no data is 204', async () => {
    await assert.rejects(azureContextFor(sandbox).logs().queryWorkspace('55555555-5555-5555-5555-555555555555', 'Syslog', { duration: 'PT1H' }),
      (e: RestError) => e.statusCode === 404 && e.code === 'WorkspaceNotFoundError');
    const empty = await sandboxRequest(sandbox, 'POST', `/v1/workspaces/${EMPTY_LA}/query`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'Syslog', timespan: 'PT1H' }) });
    assert.equal(empty.status, 204);
    assert.equal(empty.text, '');
  });
});
