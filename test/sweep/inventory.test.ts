// The host inventory on real Azurite: first/last seen kept across sweeps, no duplicate rows on re-runs, gone after
// two successful sweeps of the subscription without the host (not one), and never for an unreadable subscription.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostInventory } from '../../shared/state/inventory';
import type { HostRecord } from '../../shared/model';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';
import { host as hostRecord } from '../support/hosts';

const SUB_A = 'aaaaaaaa-0000-0000-0000-000000000001';
const SUB_B = 'bbbbbbbb-0000-0000-0000-000000000002';

function host(sub: string, name: string): HostRecord {
  return hostRecord({
    name, subscriptionId: sub, resourceGroup: 'rg', workspace: 'ws', owners: ['o@contoso.com'], logAnalyticsWorkspaceId: null, tags: { tensorboard: 'true' },
    facts: { vmSize: null, provisioningState: null, enableNodePublicIp: null },
  });
}

async function openInventory(): Promise<HostInventory> {
  const cs = await testStorageConnectionString();
  const inv = new HostInventory(testTable(cs, uniqueName('inventory')));
  await inv.ensureTable();
  return inv;
}

const at = (min: number) => new Date(Date.UTC(2026, 10, 26, 6, min));

test('first seen is kept, last seen moves, re-running a sweep adds no row', async () => {
  const inv = await openInventory();
  const hosts = [host(SUB_A, 'ci-1'), host(SUB_A, 'ci-2'), host(SUB_B, 'ci-3')];
  const r1 = await inv.reconcile({ sweepId: 's1', now: at(0), hosts, subscriptionsRead: [SUB_A, SUB_B] });
  assert.deepEqual([r1.added, r1.seen, r1.gone.length], [3, 0, 0]);
  await inv.reconcile({ sweepId: 's1', now: at(0), hosts, subscriptionsRead: [SUB_A, SUB_B] });
  const r2 = await inv.reconcile({ sweepId: 's2', now: at(15), hosts: [...hosts, host(SUB_A, 'CI-1')], subscriptionsRead: [SUB_A, SUB_B] });
  assert.deepEqual([r2.added, r2.seen], [0, 3], 'an id in another case is the same host');
  const rows = await inv.list();
  assert.equal(rows.length, 3);
  for (const r of rows) {
    assert.equal(r.firstSeen, at(0).toISOString());
    assert.equal(r.lastSeen, at(15).toISOString());
    assert.equal(r.lastSeenSweepId, 's2');
  }
});

test('a host is gone after two successful sweeps of its subscription without it — not one, and not when the subscription was unreadable', async () => {
  const inv = await openInventory();
  const keep = host(SUB_A, 'ci-keep');
  const leaving = host(SUB_A, 'ci-leaving');
  const elsewhere = host(SUB_B, 'ci-b');
  await inv.reconcile({ sweepId: 's1', now: at(0), hosts: [keep, leaving, elsewhere], subscriptionsRead: [SUB_A, SUB_B] });

  // ci-leaving disappears; SUB_B cannot be read at all (its host is not found either).
  const r2 = await inv.reconcile({ sweepId: 's2', now: at(15), hosts: [keep], subscriptionsRead: [SUB_A] });
  assert.deepEqual([r2.missed, r2.gone.length], [1, 0], 'one sweep without it is not enough');
  const r2again = await inv.reconcile({ sweepId: 's2', now: at(15), hosts: [keep], subscriptionsRead: [SUB_A] });
  assert.deepEqual([r2again.missed, r2again.gone.length], [0, 0], 'a re-run of the same sweep does not count twice');

  // An unreadable sweep of SUB_A in between changes nothing.
  const r3 = await inv.reconcile({ sweepId: 's3', now: at(30), hosts: [], subscriptionsRead: [] });
  assert.deepEqual([r3.missed, r3.gone.length], [0, 0]);

  const r4 = await inv.reconcile({ sweepId: 's4', now: at(45), hosts: [keep], subscriptionsRead: [SUB_A] });
  assert.deepEqual(r4.gone.map((g) => g.host.name), ['ci-leaving']);
  assert.equal(r4.gone[0].lastSeenSweepId, 's1');
  assert.equal(r4.gone[0].host.id, leaving.id);

  const r5 = await inv.reconcile({ sweepId: 's5', now: at(60), hosts: [keep], subscriptionsRead: [SUB_A] });
  assert.equal(r5.gone.length, 0, 'gone once, not every sweep after');
  const rows = await inv.list();
  assert.equal(rows.find((r) => r.host.name === 'ci-b')?.goneAt, null, 'the unreadable subscription made nothing gone');
  assert.equal(rows.find((r) => r.host.name === 'ci-leaving')?.goneSweepId, 's4');

  // It comes back: a new sighting, first seen again.
  const r6 = await inv.reconcile({ sweepId: 's6', now: at(75), hosts: [keep, leaving], subscriptionsRead: [SUB_A] });
  assert.equal(r6.added, 1);
  const back = (await inv.list()).find((r) => r.host.name === 'ci-leaving');
  assert.deepEqual([back?.goneAt, back?.firstSeen, back?.missedSweeps], [null, at(75).toISOString(), 0]);
});

test('a miss is forgotten when the host is seen again before it is gone', async () => {
  const inv = await openInventory();
  const h = host(SUB_A, 'ci-flaky');
  await inv.reconcile({ sweepId: 's1', now: at(0), hosts: [h], subscriptionsRead: [SUB_A] });
  await inv.reconcile({ sweepId: 's2', now: at(15), hosts: [], subscriptionsRead: [SUB_A] });
  await inv.reconcile({ sweepId: 's3', now: at(30), hosts: [h], subscriptionsRead: [SUB_A] });
  const r4 = await inv.reconcile({ sweepId: 's4', now: at(45), hosts: [], subscriptionsRead: [SUB_A] });
  assert.equal(r4.gone.length, 0, 'two misses that are not consecutive do not make it gone');
});
