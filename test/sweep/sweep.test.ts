// The sweep function on the dev host, with Azurite and the sandbox (contoso): the hosts behind the tb-evaluate claim
// checks are exactly the discovered hosts, grouped per Log Analytics workspace; re-running adds no inventory row; a
// host removed from the tenant is gone after two sweeps, not one, and its owners get one `gone` notice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueClient } from '@azure/storage-queue';
import { startDevHost, type DevHost } from '../../devhost/host';
import { makeSweepHandler, registration as sweepRegistration } from '../../functions/sweep';
import { loadSettings, type Settings, type StorageSettings } from '../../shared/config';
import { discoverHosts } from '../../shared/discovery/discover';
import { decodeQueueMessage } from '../../shared/storage';
import { HostInventory } from '../../shared/state/inventory';
import { Outbox } from '../../shared/state/outbox';
import { SweepLedger, type SweepRecord } from '../../shared/state/sweeps';
import { validateAlertsMessage, validateEvaluateMessage } from '../../shared/schemas';
import type { Tenant } from '../../sandbox/tenant-types';
import { testStorageConnectionString } from '../support/env';
import { sweepStores } from '../support/stores';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const CI_OOM = '/subscriptions/1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01/resourceGroups/rg-ml-prod/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod/computes/ci-oom';

let sandbox: RunningSandbox;
let storage: StorageSettings;
let settings: Settings;
let ledger: SweepLedger;
let inventory: HostInventory;
let outbox: Outbox;
let evaluateQueue: QueueClient;
let alertsQueue: QueueClient;
let devhost: DevHost;
let clock = new Date('2026-11-26T06:00:00Z');

before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'));
  storage = { kind: 'connectionString', connectionString: await testStorageConnectionString() };
  settings = loadSettings({ TBMON_ALERT_FALLBACK_TO: 'ml-ops@contoso.com' });
  ({ ledger, inventory, outbox, evaluateQueue, alertsQueue } = sweepStores(storage.kind === 'connectionString' ? storage.connectionString : '', () => clock));
  const handler = makeSweepHandler(async () => ({ azure: azureContextFor(sandbox), settings, ledger, inventory, outbox, evaluateQueue, alertsQueue, now: () => clock }));
  devhost = await startDevHost({
    registrations: [{ ...sweepRegistration, handler }], timers: 'manual', env: { TBMON_SWEEP_SCHEDULE: '0 */15 * * * *' }, log: () => {},
  });
});

after(async () => {
  await devhost?.stop();
  await sandbox?.close();
});

/** Runs the sweep timer on the dev host; returns the sweep it recorded. */
async function sweepNow(minutesLater = 15): Promise<SweepRecord> {
  clock = new Date(clock.getTime() + minutesLater * 60_000);
  await devhost.runTimer('sweep');
  const [latest] = await ledger.listSweeps(new Date(clock.getTime() - 1000));
  assert.ok(latest, 'the sweep recorded itself');
  return latest;
}

/** Takes every message off a queue (decoded). */
async function drainQueue(queue: QueueClient): Promise<unknown[]> {
  const out: unknown[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (receivedMessageItems.length === 0) return out;
    for (const m of receivedMessageItems) {
      out.push(decodeQueueMessage(m.messageText));
      await queue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
}

function setTenant(mutate: (t: Tenant) => void = () => {}): void {
  const t = loadTenant('contoso');
  mutate(t);
  sandbox.setTenant(t);
}

test('the hosts behind the tb-evaluate claim checks are the discovered set, one batch per Log Analytics workspace', async () => {
  setTenant();
  const discovered = await discoverHosts({ azure: azureContextFor(sandbox), settings, errors: [], now: clock });
  const sweep = await sweepNow(0);
  const messages = await drainQueue(evaluateQueue);
  assert.equal(messages.length, sweep.batchCount);
  const seen: string[] = [];
  const perBatchWorkspaces: (string | null)[][] = [];
  for (const m of messages) {
    const checked = validateEvaluateMessage(m);
    assert.ok(checked.ok, JSON.stringify(m));
    assert.equal(checked.value.sweepId, sweep.sweepId);
    const hosts = await ledger.loadBatch(checked.value.sweepId, checked.value.batchKey);
    assert.ok(hosts && hosts.length > 0);
    seen.push(...hosts.map((h) => h.id));
    perBatchWorkspaces.push([...new Set(hosts.map((h) => h.logAnalyticsWorkspaceId))]);
  }
  assert.deepEqual(seen.sort(), discovered.hosts.map((h) => h.id).sort(), 'union of the batches = discovered set, each host once');
  assert.ok(perBatchWorkspaces.every((ws) => ws.length === 1), 'a batch holds one Log Analytics workspace');
  assert.equal(new Set(perBatchWorkspaces.map((w) => w[0])).size, messages.length, 'one batch per workspace at this size');
  assert.deepEqual([sweep.state, sweep.hostCount, sweep.doneCount, sweep.errors], ['enqueued', 14, 0, []]);
  assert.equal((await inventory.list()).length, 14);
});

test('re-running the sweep adds no inventory row; first seen stays, last seen moves', async () => {
  setTenant();
  const firstSeen = new Map((await inventory.list()).map((r) => [r.host.id, r.firstSeen]));
  await sweepNow();
  await sweepNow();
  await drainQueue(evaluateQueue);
  const rows = await inventory.list();
  assert.equal(rows.length, 14);
  for (const r of rows) {
    assert.equal(r.firstSeen, firstSeen.get(r.host.id));
    assert.equal(r.lastSeen, clock.toISOString());
  }
});

test('a host removed from the tenant is gone after two sweeps, not one: one gone notice per recipient', async () => {
  setTenant((t) => { t.resources = t.resources.filter((r) => r.id !== CI_OOM); });
  const first = await sweepNow();
  assert.equal(first.goneCount, 0, 'one sweep without it is not enough');
  assert.equal((await outbox.listPending()).filter((r) => r.notice.kind === 'gone').length, 0);

  const second = await sweepNow();
  assert.equal(second.goneCount, 1);
  const gone = (await outbox.listPending()).filter((r) => r.notice.kind === 'gone');
  assert.deepEqual(gone.map((r) => [r.recipient, r.notice.host.id, r.notice.sweepId]), [['ml-vision@contoso.com', CI_OOM.toLowerCase(), second.sweepId]]);

  const third = await sweepNow();
  assert.equal(third.goneCount, 0, 'gone once');
  assert.equal((await outbox.listPending()).filter((r) => r.notice.kind === 'gone').length, 1);
  const messages = await drainQueue(evaluateQueue);
  const batches = await Promise.all(messages.filter((m) => (m as { sweepId: string }).sweepId === third.sweepId)
    .map((m) => ledger.loadBatch(third.sweepId, (m as { batchKey: string }).batchKey)));
  assert.ok(!batches.flat().some((h) => h?.id === CI_OOM), 'a gone host is not evaluated');
  assert.equal((await inventory.list()).length, 14, 'the gone host keeps its row (with goneAt)');
});

test('an unreadable scope makes nothing gone, and the sweep fails loudly instead of reporting an empty tenant', async () => {
  setTenant();
  assert.equal((await sweepNow()).goneCount, 0);
  await drainQueue(evaluateQueue);
  // Graph refuses every query for two sweeps: nothing was read, so nothing can be gone.
  setTenant((t) => { t.faults = [{ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', status: 403, error: { code: 'AuthorizationFailed', message: 'no access' } }]; });
  const failed: SweepRecord[] = [];
  for (let i = 0; i < 2; i++) {
    clock = new Date(clock.getTime() + 15 * 60_000);
    await assert.rejects(devhost.runTimer('sweep'), /could not read any subscription/);
    const [latest] = await ledger.listSweeps(new Date(clock.getTime() - 1000));
    failed.push(latest);
  }
  for (const f of failed) {
    assert.equal(f.state, 'failed');
    assert.equal(f.errors[0]?.code, 'ResourceGraphFailed');
    assert.equal(f.batchCount, null);
  }
  assert.equal((await inventory.list()).filter((r) => r.goneAt).length, 0, 'ci-oom came back in the first sweep; nothing is gone since');
  assert.deepEqual(await drainQueue(evaluateQueue), []);
});

test('a scope with no TensorBoard host: no batch, the sweep completes at once and sends its tb-alerts itself', async () => {
  setTenant((t) => { t.resources = t.resources.filter((r) => !/\/computes\/|\/virtualMachines\/|\/jobs\//i.test(r.id)); });
  await drainQueue(alertsQueue);
  const sweep = await sweepNow();
  assert.deepEqual([sweep.state, sweep.batchCount, sweep.hostCount], ['complete', 0, 0]);
  const alerts = (await drainQueue(alertsQueue)) as { sweepId: string }[];
  assert.ok(alerts.every((m) => validateAlertsMessage(m).ok));
  assert.deepEqual(alerts.filter((m) => m.sweepId === sweep.sweepId), [{ sweepId: sweep.sweepId }]);
  assert.equal(await ledger.claimAlertsEnqueue(sweep.sweepId), false, 'claimed once, by the sweep');
  assert.deepEqual(await drainQueue(evaluateQueue), []);

  // The others are the deadline path: earlier sweeps whose batches nobody evaluated (no evaluate runs in this file),
  // started over an hour before, get their tb-alerts from this sweep's housekeeping — each once.
  const stalled = alerts.filter((m) => m.sweepId !== sweep.sweepId).map((m) => m.sweepId);
  assert.ok(stalled.length > 0);
  assert.equal(new Set(stalled).size, stalled.length);
  for (const id of stalled) {
    const s = await ledger.getSweep(id);
    assert.equal(s?.state, 'enqueued', id);
    assert.ok(Date.parse(s!.startedAt) <= clock.getTime() - 3_600_000, id);
    assert.ok(s?.alertsClaimedAt, id);
  }
});

test('Resource Graph throttling (429 with Retry-After, then an exhausted quota): the sweep completes, the waits are in the request log', async () => {
  setTenant((t) => {
    t.resourceGraph = { ...t.resourceGraph, quota: { limit: 1, windowMs: 2000 } };
    t.faults = [{ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', status: 429, headers: { 'Retry-After': '1' }, times: 3 }];
  });
  sandbox.clearRequests();
  const started = Date.now();
  const sweep = await sweepNow();
  const elapsed = Date.now() - started;
  assert.deepEqual([sweep.state, sweep.hostCount, sweep.errors], ['enqueued', 14, []]);
  const graph = sandbox.requests().filter((r) => r.api === 'resourceGraph').map((r) => r.status);
  assert.deepEqual(graph, [429, 429, 429, 200, 200], 'three injected 429s, then both queries answered: the exhausted quota was waited out, never hit');
  assert.ok(elapsed >= 4500, `Retry-After honoured three times (3 s), then the quota's reset (2 s) (${elapsed} ms)`);
  assert.equal((await drainQueue(evaluateQueue)).length, sweep.batchCount);
});
