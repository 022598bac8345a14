// A late replay of an old claim check (DESIGN.md § Settled behaviour): a tb-evaluate message of sweep A delivered
// after the newer sweep B evaluated its hosts judges A's sweep-time facts (here: a compute that was SetupFailed then
// and runs now). It must not overwrite B's reports nor tell a "pass → fail" — the hosts are skipped, logged and
// counted, and A's batch still counts as done (its sweep completes). A redelivery within B stays idempotent.
// Azurite + the sandbox (contoso), the real evaluate pipeline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueClient } from '@azure/storage-queue';
import { loadSettings, type Settings } from '../../shared/config';
import { processEvaluateMessage, SweepCaches, type EvaluatePipeline } from '../../shared/evaluate-batch';
import { decodeQueueMessage, StorageClients } from '../../shared/storage';
import { HostInventory } from '../../shared/state/inventory';
import { Outbox } from '../../shared/state/outbox';
import { ReportStore } from '../../shared/state/reports';
import { compareSweepIds, newSweepId, SweepLedger } from '../../shared/state/sweeps';
import { runSweep } from '../../shared/sweep';
import type { Tenant } from '../../sandbox/tenant-types';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';
import { azureContextFor, loadTenant, shiftedTenant, startTestSandbox, TEST_RETRY, type RunningSandbox } from '../support/sandbox';

let sandbox: RunningSandbox;
let settings: Settings;
let clients: StorageClients;
let pipeline: EvaluatePipeline;
let evaluateQueue: QueueClient;
let inventory: HostInventory;
let baseTenant: Tenant;
let clock: Date;
const lines: string[] = [];

before(async () => {
  baseTenant = loadTenant('contoso');
  clock = new Date(baseTenant.now);
  sandbox = await startTestSandbox(structuredClone(baseTenant));
  const connectionString = await testStorageConnectionString();
  clients = new StorageClients({ kind: 'connectionString', connectionString }, { retry: TEST_RETRY });
  const table = (n: string) => testTable(connectionString, uniqueName(n));
  settings = loadSettings({ AZURE_RESOURCE_MANAGER_ENDPOINT: sandbox.armEndpoint, AZURE_LOG_ANALYTICS_ENDPOINT: sandbox.logAnalyticsEndpoint, TBMON_ALERT_FALLBACK_TO: 'ml-ops@contoso.com' });
  const ledger = new SweepLedger(table('sweeps'), { now: () => clock });
  const outbox = new Outbox(table('outbox'), { now: () => clock });
  const reports = new ReportStore(table('reports'), table('history'), { historyDays: 30, now: () => clock });
  inventory = new HostInventory(table('inventory'));
  evaluateQueue = clients.queue(uniqueName('tbeval'));
  const alertsQueue = clients.queue(uniqueName('tbalerts'));
  await Promise.all([ledger.ensureTable(), outbox.ensureTable(), reports.ensureTables(), inventory.ensureTable(), alertsQueue.createIfNotExists()]);
  pipeline = { settings, azure: azureContextFor(sandbox), ledger, outbox, reports, alertsQueue, poisonQueue: clients.queue(uniqueName('tbeval-poison')), now: () => clock, caches: new SweepCaches(), log: (l) => lines.push(l) };
});

after(async () => {
  await sandbox?.close();
});

/** contoso with ci-ok in `state`, its clock `ms` later (log rows moved with it). */
function tenantAt(ms: number, state: string): Tenant {
  const t = shiftedTenant(baseTenant, ms);
  const ci = t.resources.find((r) => r.name === 'ci-ok');
  assert.ok(ci, 'contoso has ci-ok');
  ((ci.properties ??= {}).properties as Record<string, unknown>).state = state;
  return t;
}

/** Runs a sweep and takes its claim checks off the queue (delivered later, by hand). */
async function sweepAndTake(): Promise<{ sweepId: string; messages: unknown[] }> {
  const outcome = await runSweep({ azure: azureContextFor(sandbox), settings, ledger: pipeline.ledger as SweepLedger, inventory, outbox: pipeline.outbox, evaluateQueue, alertsQueue: pipeline.alertsQueue, now: () => clock });
  assert.deepEqual(outcome.errors, []);
  const messages: unknown[] = [];
  for (;;) {
    const { receivedMessageItems } = await evaluateQueue.receiveMessages({ numberOfMessages: 32 });
    if (!receivedMessageItems.length) break;
    for (const m of receivedMessageItems) {
      messages.push(decodeQueueMessage(m.messageText));
      await evaluateQueue.deleteMessage(m.messageId, m.popReceipt);
    }
  }
  return { sweepId: outcome.sweepId, messages };
}

async function deliver(messages: unknown[]) {
  const out = [];
  for (const m of messages) {
    const r = await processEvaluateMessage(m, pipeline);
    assert.equal(r.kind, 'evaluated');
    if (r.kind === 'evaluated') out.push(r);
  }
  return out;
}

const rowKeys = async () => (await pipeline.outbox.listPending()).map((r) => `${r.recipient} ${r.id}`).sort();

test('sweep ids order by time; ids without a time, or of the same second, do not order', () => {
  const older = newSweepId(new Date('2026-11-26T06:00:00Z'));
  const newer = newSweepId(new Date('2026-11-26T06:15:00Z'));
  assert.equal(compareSweepIds(older, newer), -1);
  assert.equal(compareSweepIds(newer, older), 1);
  assert.equal(compareSweepIds(older, older), 0);
  assert.equal(compareSweepIds(older, newSweepId(new Date('2026-11-26T06:00:00Z'))), null);
  assert.equal(compareSweepIds('sw1', 'sw2'), null);
});

test('a claim check of sweep A delivered after sweep B evaluated the hosts: refused, counted, logged; A still completes; B redelivered stays idempotent', async () => {
  sandbox.setTenant(tenantAt(0, 'SetupFailed'));
  const a = await sweepAndTake();
  clock = new Date(clock.getTime() + 15 * 60_000);
  sandbox.setTenant(tenantAt(15 * 60_000, 'Running'));
  const b = await sweepAndTake();
  assert.ok(a.messages.length > 0 && b.messages.length > 0);

  await deliver(b.messages);
  const afterB = new Map<string, string>();
  for await (const l of pipeline.reports.listLatest()) afterB.set(l.report.host.name, `${l.sweepId} ${l.report.status}`);
  const ciOk = [...afterB].find(([name]) => name === 'ci-ok');
  assert.ok(ciOk && ciOk[1].startsWith(b.sweepId), 'B evaluated ci-ok');
  const rowsAfterB = await rowKeys();

  lines.length = 0;
  const late = await deliver(a.messages);
  assert.equal(late.reduce((n, r) => n + r.staleHosts, 0), late.reduce((n, r) => n + r.hosts, 0), 'every host of A is skipped: B evaluated it');
  assert.equal(late.reduce((n, r) => n + r.noticesWritten, 0), 0, 'no notice from the late replay');
  assert.deepEqual(await rowKeys(), rowsAfterB, 'the outbox holds no "pass → fail" of ci-ok');
  const now = new Map<string, string>();
  for await (const l of pipeline.reports.listLatest()) now.set(l.report.host.name, `${l.sweepId} ${l.report.status}`);
  assert.deepEqual(now, afterB, 'B\'s reports stand');
  assert.ok(late.some((r) => r.sweepComplete), 'A\'s batches still count as done: its sweep completes');
  assert.ok(lines.some((l) => /ci-ok skipped — its stored report comes from the newer sweep/.test(l)), lines.join('\n'));

  const again = await deliver(b.messages);
  assert.equal(again.reduce((n, r) => n + r.staleHosts + r.noticesWritten, 0), 0, 'B redelivered: a replay, nothing new');
  assert.deepEqual(await rowKeys(), rowsAfterB);
});
