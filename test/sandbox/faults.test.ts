// Fault injection as the product's retry paths meet it: 429 + Retry-After honoured by the SDK, dropped connections,
// malformed bodies, latency, countdown and first-match order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ArmError } from '../../shared/azure';
import { FaultTable } from '../../sandbox/faults';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, sandboxRequest, startTestSandbox, type RunningSandbox, networkClient } from '../support/sandbox';

const SUB = '66666666-6666-6666-6666-666666666666';
const NSG = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg`;
const base: Tenant = {
  now: '2026-11-26T06:00:00Z',
  subscriptions: [{ subscriptionId: SUB }],
  resources: [{ id: NSG, name: 'nsg', type: 'Microsoft.Network/networkSecurityGroups', properties: { securityRules: [] } }],
};
const withFaults = (faults: Tenant['faults']): Tenant => ({ ...base, faults });

describe('sandbox fault injection', () => {
  let sandbox: RunningSandbox;
  before(async () => { sandbox = await startTestSandbox(base); });
  after(() => sandbox.close());

  it('429 with Retry-After: the SDK waits as told, retries, and succeeds', async () => {
    sandbox.setTenant(withFaults([{ method: 'GET', path: '/subscriptions/*/resourceGroups/*/providers/Microsoft.Network/networkSecurityGroups/*', status: 429, headers: { 'Retry-After': '1' }, times: 1 }]));
    sandbox.clearRequests();
    const t0 = Date.now();
    const nsg = await networkClient(azureContextFor(sandbox), SUB).networkSecurityGroups.get('rg', 'nsg');
    assert.equal(nsg.name, 'nsg');
    assert.ok(Date.now() - t0 >= 900, 'waited for Retry-After');
    assert.deepEqual(sandbox.requests().map((r) => r.status), [429, 200]);
  });

  it('a dropped connection is retried by the client; the log records status 0', async () => {
    sandbox.setTenant(withFaults([{ path: '/subscriptions/*', drop: true, times: 1 }]));
    sandbox.clearRequests();
    const sub = await azureContextFor(sandbox).armGet<{ subscriptionId: string }>(`/subscriptions/${SUB}`, '2022-12-01');
    assert.equal(sub.subscriptionId, SUB);
    assert.deepEqual(sandbox.requests().map((r) => r.status), [0, 200]);
  });

  it('a malformed body is a 200 with truncated JSON that the product must refuse', async () => {
    sandbox.setTenant(withFaults([{ path: NSG.replace('/nsg', '/*'), body: 'malformed', times: 1 }]));
    await assert.rejects(azureContextFor(sandbox).armGet(NSG, '2026-01-01'), (e: ArmError) => e.code === 'MalformedResponse');
    const again = await azureContextFor(sandbox).armGet<{ name: string }>(NSG, '2026-01-01');
    assert.equal(again.name, 'nsg', 'times ran out: normal answers again');
  });

  it('status faults carry the given error body; latency delays the normal answer', async () => {
    sandbox.setTenant(withFaults([
      { path: '/subscriptions/*', method: 'GET', status: 503, error: { code: 'ServerBusy', message: 'try later' }, times: 1 },
      { path: '/subscriptions/*', latencyMs: 150 },
    ]));
    const busy = await sandboxRequest(sandbox, 'GET', `/subscriptions/${SUB}?api-version=2022-12-01`);
    assert.equal(busy.status, 503);
    assert.deepEqual(busy.json(), { error: { code: 'ServerBusy', message: 'try later' } });
    const t0 = Date.now();
    assert.equal((await sandboxRequest(sandbox, 'GET', `/subscriptions/${SUB}?api-version=2022-12-01`)).status, 200);
    assert.ok(Date.now() - t0 >= 140);
  });

  it('rule matching: * is one segment, method filters, first rule with times left wins', () => {
    const table = new FaultTable([
      { path: '/v1/workspaces/*/query', method: 'POST', status: 500, times: 1 },
      { path: '/v1/workspaces/*/query', status: 502 },
    ]);
    assert.equal(table.take('GET', '/v1/workspaces/abc/query')?.status, 502);
    assert.equal(table.take('POST', '/v1/workspaces/abc/query')?.status, 500);
    assert.equal(table.take('POST', '/v1/workspaces/abc/query')?.status, 502);
    assert.equal(table.take('POST', '/v1/workspaces/a/b/query'), undefined);
    assert.equal(table.take('POST', '/V1/WORKSPACES/abc/QUERY')?.status, 502);
  });
});
