// Outbox retention on real Azurite: the sweep deletes outbox rows sent more than 8 days ago — never pending, claimed
// or recently sent ones — and does so at most once a day (a marker row in the sweep ledger), since the purge scans
// the whole table.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Host } from '../../shared/model';
import type { Notice } from '../../shared/notices';
import { StorageClients } from '../../shared/storage';
import { HostInventory } from '../../shared/state/inventory';
import { Outbox } from '../../shared/state/outbox';
import { SweepLedger } from '../../shared/state/sweeps';
import { loadSettings } from '../../shared/config';
import { runSweep, type SweepDeps } from '../../shared/sweep';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';
import { azureContextFor, startTestSandbox, TEST_RETRY, type RunningSandbox } from '../support/sandbox';
import { testHost } from '../support/hosts';

const DAY = 86_400_000;
const host: Host = testHost({ name: 'ci-1', subscriptionId: 's1', resourceGroup: 'rg', workspace: 'ws', owners: ['owner@contoso.com'], logAnalyticsWorkspaceId: null });

let sandbox: RunningSandbox;
let clock = new Date('2026-11-01T06:00:00Z');
let deps: Omit<SweepDeps, 'log'>;
let outbox: Outbox;
let ledger: SweepLedger;

before(async () => {
  // A tenant with no TensorBoard host: the sweep does nothing but its housekeeping.
  sandbox = await startTestSandbox({ now: '2026-11-26T06:00:00Z', subscriptions: [], resources: [] });
  const cs = await testStorageConnectionString();
  const table = (name: string) => testTable(cs, uniqueName(name));
  const clients = new StorageClients({ kind: 'connectionString', connectionString: cs }, { retry: TEST_RETRY });
  ledger = new SweepLedger(table('sweeps'), { now: () => clock });
  outbox = new Outbox(table('outbox'), { now: () => clock });
  deps = {
    azure: azureContextFor(sandbox), settings: loadSettings({}), ledger, inventory: new HostInventory(table('inventory')), outbox,
    evaluateQueue: clients.queue(uniqueName('tbevaluate')), alertsQueue: clients.queue(uniqueName('tbalerts')), now: () => clock,
  };
  await outbox.ensureTable();
});
after(() => sandbox?.close());

function notice(id: string): Notice {
  return { id, kind: 'regression', sweepId: 'sw1', host, checkId: 'network.tensorboard-port', from: 'pass', to: 'fail', observedAt: clock.toISOString() };
}

/** Writes notices for owner@ and Teams and leaves them pending, claimed, or claimed and sent at the current clock. */
async function notify(ids: string[], state: 'sent' | 'claimed' | 'pending'): Promise<void> {
  await outbox.writeNotices(ids.map(notice), () => ['owner@contoso.com', 'teams:default']);
  if (state === 'pending') return;
  for (const row of (await outbox.listPending()).filter((r) => ids.includes(r.id))) {
    assert.ok(await outbox.claim(row));
    if (state === 'sent') await outbox.markSent(row);
  }
}

async function rowKeys(): Promise<string[]> {
  const out: string[] = [];
  for await (const e of outbox.table.listEntities()) out.push(`${e.partitionKey as string}/${e.rowKey as string}`);
  return out.sort();
}

test('the sweep purges rows sent over 8 days ago, keeps every other row, and purges at most once a day', async () => {
  // 150 old sent rows per recipient: more than one transaction's worth of deletes.
  const old = Array.from({ length: 150 }, (_, i) => `old-${String(i).padStart(3, '0')}`);
  await notify(old, 'sent');
  await notify(['old-pending'], 'pending');
  clock = new Date(clock.getTime() + 2 * DAY);
  await notify(['old-claimed'], 'claimed');
  clock = new Date('2026-11-20T06:00:00Z');
  await notify(['recent'], 'sent');

  clock = new Date('2026-11-26T06:00:00Z');
  const first = await runSweep(deps);
  assert.equal(first.purgedSentNotices, 300, 'sent 25 days ago: both recipients\' rows are gone');
  const kept = ['old-claimed', 'old-pending', 'recent'].flatMap((id) => [`owner@contoso.com/${id}`, `teams:default/${id}`]).sort();
  assert.deepEqual(await rowKeys(), kept, 'pending, claimed and recently sent rows stay');
  assert.deepEqual(await ledger.lastHousekeeping('outbox-purge'), clock);

  // Another old sent row: the next sweeps that day leave it; the first one a day after the last purge deletes it.
  clock = new Date('2026-11-10T06:00:00Z');
  await notify(['late'], 'sent');
  clock = new Date('2026-11-26T06:15:00Z');
  assert.equal((await runSweep(deps)).purgedSentNotices, null);
  clock = new Date('2026-11-27T05:45:00Z');
  assert.equal((await runSweep(deps)).purgedSentNotices, null);
  assert.equal((await rowKeys()).length, kept.length + 2);
  clock = new Date('2026-11-27T06:00:00Z');
  assert.equal((await runSweep(deps)).purgedSentNotices, 2);
  assert.deepEqual(await rowKeys(), kept);
});

test('purgeSent of the same rows by two sweeps at once deletes each row once', async () => {
  clock = new Date('2026-11-01T06:00:00Z');
  const ids = Array.from({ length: 120 }, (_, i) => `race-${String(i).padStart(3, '0')}`);
  await notify(ids, 'sent');
  const rowsBefore = (await rowKeys()).length;
  const [a, b] = await Promise.all([outbox.purgeSent(new Date('2026-11-18T00:00:00Z')), outbox.purgeSent(new Date('2026-11-18T00:00:00Z'))]);
  assert.equal(a + b, 240);
  assert.equal((await rowKeys()).length, rowsBefore - 240);
});
