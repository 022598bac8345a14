// The sweep ledger on real Azurite: batches round-trip (also when they need several entities), the completion marker
// counts each batch once however often and concurrently it is marked, alerts are claimed once, stalled sweeps are found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { batchIndexOf, batchKeyFor, newSweepId, SweepLedger } from '../../shared/state/sweeps';
import type { HostRecord } from '../../shared/model';
import { validateEvaluateMessage } from '../../shared/schemas';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';
import { host as hostRecord } from '../support/hosts';

const NOW = new Date('2026-11-26T06:00:00Z');

async function openLedger(): Promise<SweepLedger> {
  const cs = await testStorageConnectionString();
  const table = testTable(cs, uniqueName('sweeps'));
  const ledger = new SweepLedger(table, { now: () => NOW, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))) });
  await ledger.ensureTable();
  return ledger;
}

function host(i: number, tagBytes = 0): HostRecord {
  const name = `ci-${i}`;
  return hostRecord({
    name, subscriptionId: `00000000-0000-0000-0000-00000000000${i % 10}`, resourceGroup: 'rg', workspace: 'ws', owners: [`owner${i}@contoso.com`],
    tags: { tensorboard: 'true', ...(tagBytes ? { blob: randomBytes(tagBytes).toString('base64') } : {}) },
    facts: { vmSize: 'STANDARD_DS3_V2', workspaceId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws' },
  });
}

test('sweep ids and batch keys are valid claim-check keys', () => {
  const sweepId = newSweepId(NOW);
  assert.match(sweepId, /^20261126T060000Z-[0-9a-f]{6}$/);
  const key = batchKeyFor(7, '22222222-2222-2222-2222-222222222222');
  assert.equal(key, 'b00007-22222222-2222-2222-2222-222222222222');
  assert.equal(batchIndexOf(key), 7);
  assert.equal(batchKeyFor(0, null), 'b00000-none');
  assert.ok(validateEvaluateMessage({ sweepId, batchKey: key }).ok);
  assert.throws(() => batchIndexOf('ws-1'), /not a batch key/);
});

test('a batch of 1,000 hosts round-trips; a batch that does not exist loads as null', async () => {
  const ledger = await openLedger();
  const sweepId = newSweepId(NOW);
  await ledger.createSweep(sweepId, NOW, 'all');
  const hosts = Array.from({ length: 1000 }, (_, i) => host(i));
  await ledger.storeBatch(sweepId, batchKeyFor(0, null), hosts);
  assert.deepEqual(await ledger.loadBatch(sweepId, batchKeyFor(0, null)), hosts);
  assert.equal(await ledger.loadBatch(sweepId, batchKeyFor(1, null)), null);
  assert.equal(await ledger.loadBatch('no-such-sweep', batchKeyFor(0, null)), null);
  await assert.rejects(ledger.storeBatch(sweepId, batchKeyFor(2, null), Array.from({ length: 1001 }, (_, i) => host(i))), /at most 1000/);
});

test('a batch too large for one entity spills into part rows and still round-trips (storing it again replaces it)', async () => {
  const ledger = await openLedger();
  const sweepId = newSweepId(NOW);
  await ledger.createSweep(sweepId, NOW, 'all');
  const hosts = Array.from({ length: 600 }, (_, i) => host(i, 3000)); // ~2.4 MB of incompressible tags
  const key = batchKeyFor(0, null);
  await ledger.storeBatch(sweepId, key, hosts);
  const rows = [];
  for await (const e of ledger.table.listEntities({ queryOptions: { filter: `PartitionKey eq 'batch:${sweepId}'` } })) rows.push(e.rowKey);
  assert.ok(rows.length > 2, `expected part rows, got ${rows.join(', ')}`);
  assert.deepEqual(await ledger.loadBatch(sweepId, key), hosts);
  await ledger.storeBatch(sweepId, key, hosts.slice(0, 3));
  assert.deepEqual(await ledger.loadBatch(sweepId, key), hosts.slice(0, 3));
});

test('markBatchDone counts each batch once, under concurrency and replays; the sweep completes exactly when all are done, its host tally summed once per batch', async () => {
  const ledger = await openLedger();
  const sweepId = newSweepId(NOW);
  await ledger.createSweep(sweepId, NOW, 'all');
  const keys = Array.from({ length: 12 }, (_, i) => batchKeyFor(i, null));
  await ledger.recordBatches(sweepId, { batchCount: keys.length, hostCount: 12, subscriptionsRead: 1, subscriptionsFailed: 0, goneCount: 0, errors: [] });

  const tally = { pass: 1, warn: 0, fail: 2, unknown: 1 };
  assert.deepEqual(await ledger.markBatchDone(sweepId, keys[0], tally), { sweepComplete: false });
  assert.deepEqual(await ledger.markBatchDone(sweepId, keys[0], tally), { sweepComplete: false }, 'a replay counts once');
  assert.equal((await ledger.getSweep(sweepId))?.doneCount, 1);

  // Every remaining batch marked twice, all at once, except the last one.
  const rest = keys.slice(1, -1);
  const results = await Promise.all([...rest, ...rest].map((k) => ledger.markBatchDone(sweepId, k, tally)));
  assert.ok(results.every((r) => !r.sweepComplete));
  assert.equal((await ledger.getSweep(sweepId))?.doneCount, keys.length - 1);

  const last = await Promise.all([ledger.markBatchDone(sweepId, keys[keys.length - 1], tally), ledger.markBatchDone(sweepId, keys[keys.length - 1], tally)]);
  assert.ok(last.every((r) => r.sweepComplete), 'both see the sweep complete');
  const sweep = await ledger.getSweep(sweepId);
  assert.equal(sweep?.doneCount, keys.length);
  assert.equal(sweep?.state, 'complete');
  assert.deepEqual(sweep?.tally, { pass: 12, warn: 0, fail: 24, unknown: 12 }, 'the summary row: each batch counted once');
  await assert.rejects(ledger.markBatchDone(sweepId, batchKeyFor(12, null)), /beyond/);
});

test('claimAlertsEnqueue answers true to exactly one of many concurrent callers', async () => {
  const ledger = await openLedger();
  const sweepId = newSweepId(NOW);
  await ledger.createSweep(sweepId, NOW, 'all');
  const claims = await Promise.all(Array.from({ length: 10 }, () => ledger.claimAlertsEnqueue(sweepId)));
  assert.equal(claims.filter(Boolean).length, 1);
  assert.equal(await ledger.claimAlertsEnqueue(sweepId), false);
});

test('findStalledSweeps lists enqueued, incomplete, unclaimed sweeps older than the deadline', async () => {
  const ledger = await openLedger();
  const old = new Date(NOW.getTime() - 2 * 3_600_000);
  const stalled = newSweepId(old);
  const claimed = newSweepId(old);
  const fresh = newSweepId(NOW);
  const empty = newSweepId(old);
  for (const [id, at] of [[stalled, old], [claimed, old], [fresh, NOW], [empty, old]] as const) await ledger.createSweep(id, at, 'all');
  for (const id of [stalled, claimed, fresh]) await ledger.recordBatches(id, { batchCount: 2, hostCount: 2, subscriptionsRead: 1, subscriptionsFailed: 0, goneCount: 0, errors: [] });
  await ledger.recordBatches(empty, { batchCount: 0, hostCount: 0, subscriptionsRead: 1, subscriptionsFailed: 0, goneCount: 0, errors: [] });
  await ledger.claimAlertsEnqueue(claimed);
  assert.deepEqual(await ledger.findStalledSweeps(NOW, 3_600_000), [stalled]);
  assert.equal((await ledger.getSweep(empty))?.state, 'complete');
});

test('pruneBatches deletes the batch rows of old sweeps and keeps the sweep rows', async () => {
  const ledger = await openLedger();
  const old = new Date(NOW.getTime() - 3 * 86_400_000);
  const oldId = newSweepId(old);
  const newId = newSweepId(NOW);
  for (const [id, at] of [[oldId, old], [newId, NOW]] as const) {
    await ledger.createSweep(id, at, 'all');
    await ledger.storeBatch(id, batchKeyFor(0, null), [host(1)]);
  }
  assert.equal(await ledger.pruneBatches(new Date(NOW.getTime() - 86_400_000)), 1);
  assert.equal(await ledger.loadBatch(oldId, batchKeyFor(0, null)), null);
  assert.ok(await ledger.getSweep(oldId));
  assert.equal((await ledger.loadBatch(newId, batchKeyFor(0, null)))?.length, 1);
  assert.equal(await ledger.pruneBatches(new Date(NOW.getTime() - 86_400_000)), 0, 'a pruned sweep is not scanned again');
});
