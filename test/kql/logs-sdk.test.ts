// What @azure/monitor-query-logs makes of the engine's answers over real HTTPS: typed cells, and the 204 a
// workspace without data gets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const WS = '33333333-3333-3333-3333-333333333333';
const EMPTY = '44444444-4444-4444-4444-444444444444';

const tenant: Tenant = {
  now: '2026-11-26T06:00:00Z',
  subscriptions: [],
  resources: [],
  logAnalytics: {
    [WS]: { tables: { Heartbeat: [{ TimeGenerated: '2026-11-26T05:59:00Z', Computer: 'ci-1', ComputerPrivateIPs: ['10.0.1.4'] }] } },
    [EMPTY]: { tables: {} },
  },
};

describe('Log Analytics through @azure/monitor-query-logs', () => {
  let sandbox: RunningSandbox;
  before(async () => { sandbox = await startTestSandbox(tenant); });
  after(() => sandbox.close());

  it('datetime cells arrive as Date, dynamic cells parsed, long as number', async () => {
    const res = await azureContextFor(sandbox).logs().queryWorkspace(WS, 'Heartbeat | project TimeGenerated, ComputerPrivateIPs, n = 1', { duration: 'PT1H' });
    assert.equal(res.status, 'Success');
    if (res.status !== 'Success') return;
    const [row] = res.tables[0].rows;
    assert.ok(row[0] instanceof Date);
    assert.equal((row[0] as Date).toISOString(), '2026-11-26T05:59:00.000Z');
    assert.deepEqual(row[1], ['10.0.1.4']);
    assert.equal(row[2], 1);
    assert.deepEqual(res.tables[0].columnDescriptors.map((c) => c.type), ['datetime', 'dynamic', 'long']);
  });

  it('a workspace with no data: the route answers 204, and the SDK (1.0.0) throws a TypeError, not a RestError', async () => {
    // Pinned because callers must expect it: the SDK's error deserializer reads `body.error` of the empty 204
    // body, so a workspace without data surfaces as TypeError "Cannot read properties of undefined (reading 'error')".
    sandbox.clearRequests();
    await assert.rejects(azureContextFor(sandbox).logs().queryWorkspace(EMPTY, 'Heartbeat | take 1', { duration: 'PT1H' }), (e: unknown) => {
      assert.equal((e as Error).name, 'TypeError');
      assert.equal((e as { statusCode?: number }).statusCode, undefined, 'no status code on the error');
      assert.match((e as Error).message, /reading 'error'/);
      return true;
    });
    assert.deepEqual(sandbox.requests().map((r) => [r.api, r.status]), [['logAnalytics', 204]]);
  });

  it('an unsupported operator is a 400 BadArgumentError naming it', async () => {
    await assert.rejects(azureContextFor(sandbox).logs().queryWorkspace(WS, 'Heartbeat | evaluate bag_unpack(x)', { duration: 'PT1H' }),
      (e: { statusCode?: number; code?: string; message: string }) => e.statusCode === 400 && e.code === 'BadArgumentError' && /evaluate/.test(e.message));
  });
});
