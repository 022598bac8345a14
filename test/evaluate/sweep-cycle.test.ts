// The whole state path on Azurite + the sandbox (contoso tenant) + the dev host: sweep → evaluate → reports, outbox,
// tb-alerts. Three sweeps, 15 minutes apart (the tenant's clock and its log rows move together):
//   1. first sight: a report for every host; a "new" regression for each failing check; one tb-alerts message;
//   2. one NSG rule added (deny every port from VirtualNetwork on nsg-ci): exactly the tensorboard-port
//      regressions of the hosts behind it (the job services too: their compute cpu-cluster is there); every tb-evaluate message delivered twice and one evaluate killed
//      mid-batch and retried — still no duplicate row, no lost regression, one tb-alerts message;
//   3. the rule removed: exactly the recoveries.
// Plus a malformed message landing in the poison queue with its reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueClient } from '@azure/storage-queue';
import { startDevHost } from '../../devhost/host';
import { makeEvaluateHandler, registration as evaluateRegistration } from '../../functions/evaluate';
import { loadSettings, type Settings, type StorageSettings } from '../../shared/config';
import { SweepCaches } from '../../shared/evaluate-batch';
import { emptyRequestCounts, type HostReport } from '../../shared/model';
import { decodeQueueMessage, enqueueJson, StorageClients } from '../../shared/storage';
import { HostInventory } from '../../shared/state/inventory';
import { Outbox, type OutboxRow } from '../../shared/state/outbox';
import { ReportStore } from '../../shared/state/reports';
import { SweepLedger } from '../../shared/state/sweeps';
import { runSweep } from '../../shared/sweep';
import { validateAlertsMessage, validateReport } from '../../shared/schemas';
import { buildReport } from '../../shared/report/build';
import type { Tenant } from '../../sandbox/tenant-types';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';
import { azureContextFor, loadTenant, shiftedTenant, startTestSandbox, TEST_RETRY, type RunningSandbox } from '../support/sandbox';

const SWEEP_GAP_MS = 15 * 60_000;
const NSG_CI = '/subscriptions/1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01/resourceGroups/rg-ml-prod/providers/Microsoft.Network/networkSecurityGroups/nsg-ci';

let sandbox: RunningSandbox;
let storageSettings: StorageSettings;
let clients: StorageClients;
let settings: Settings;
const names = { evaluate: uniqueName('tbeval'), alerts: uniqueName('tbalerts') };
const tables = (n: string) => testTable(storageSettings.kind === 'connectionString' ? storageSettings.connectionString : '', n);
let ledger: SweepLedger;
let outbox: Outbox;
let reports: ReportStore;
let inventory: HostInventory;
let evaluateQueue: QueueClient;
let alertsQueue: QueueClient;
let baseTenant: Tenant;
let clock: Date;

before(async () => {
  baseTenant = loadTenant('contoso');
  clock = new Date(baseTenant.now);
  sandbox = await startTestSandbox(structuredClone(baseTenant));
  storageSettings = { kind: 'connectionString', connectionString: await testStorageConnectionString() };
  clients = new StorageClients(storageSettings, { retry: TEST_RETRY });
  settings = loadSettings({
    AZURE_RESOURCE_MANAGER_ENDPOINT: sandbox.armEndpoint, AZURE_LOG_ANALYTICS_ENDPOINT: sandbox.logAnalyticsEndpoint,
    TBMON_ALERT_FALLBACK_TO: 'ml-ops@contoso.com', TEAMS_WEBHOOK_URL: Object.values(sandbox.teamsWebhooks)[0],
  });
  ledger = new SweepLedger(tables(uniqueName('sweeps')), { now: () => clock });
  outbox = new Outbox(tables(uniqueName('outbox')), { now: () => clock });
  reports = new ReportStore(tables(uniqueName('reports')), tables(uniqueName('history')), { historyDays: settings.historyDays, now: () => clock });
  inventory = new HostInventory(tables(uniqueName('inventory')));
  evaluateQueue = clients.queue(names.evaluate);
  alertsQueue = clients.queue(names.alerts);
  await Promise.all([ledger.ensureTable(), outbox.ensureTable(), reports.ensureTables(), inventory.ensureTable(), alertsQueue.createIfNotExists()]);
});

after(async () => {
  await sandbox?.close();
});

function withDenyRule(tenant: Tenant): Tenant {
  const t = structuredClone(tenant);
  const nsg = t.resources.find((r) => r.id.toLowerCase() === NSG_CI.toLowerCase());
  assert.ok(nsg, 'contoso has nsg-ci');
  const rules = ((nsg.properties ??= {}).securityRules ??= []) as unknown[];
  rules.push({
    id: `${NSG_CI}/securityRules/deny-all-from-vnet`, name: 'deny-all-from-vnet', type: 'Microsoft.Network/networkSecurityGroups/securityRules',
    properties: { priority: 150, direction: 'Inbound', access: 'Deny', protocol: 'Tcp', sourceAddressPrefix: 'VirtualNetwork', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*', provisioningState: 'Succeeded' },
  });
  return t;
}

/**
 * The evaluate function as the app builds it, pointed at the sandbox and this test's tables and queues. With
 * `crashOnRegression`, the first run that meets a host with a regression dies in the worst place: after that host's
 * notices are in the outbox, before its state is stored (the host then retries the message).
 */
function evaluateFunction(crashOnRegression = false) {
  let crashed = false;
  const store = Object.create(reports) as ReportStore;
  store.recordHost = (report, sweepId, step) => reports.recordHost(report, sweepId, async (input) => {
    const next = await step(input);
    const regressed = Object.entries(next).some(([id, s]) => s.lastKnown === 'fail' && input.base?.[id]?.lastKnown === 'pass');
    if (crashOnRegression && !crashed && regressed) {
      crashed = true;
      throw new Error(`simulated crash mid-batch (${report.host.name}: notices written, state not stored)`);
    }
    return next;
  });
  const handler = makeEvaluateHandler(async () => ({
    settings, azure: azureContextFor(sandbox), ledger, outbox, reports: store, alertsQueue,
    poisonQueue: clients.queue(`${names.evaluate}-poison`), now: () => clock, caches: new SweepCaches(),
  }));
  return { ...evaluateRegistration, trigger: { ...evaluateRegistration.trigger, queueName: names.evaluate }, handler };
}

async function sweep(): Promise<string> {
  const outcome = await runSweep({ azure: azureContextFor(sandbox), settings, ledger, inventory, outbox, evaluateQueue, alertsQueue, now: () => clock });
  assert.deepEqual(outcome.errors, []);
  return outcome.sweepId;
}

async function duplicateQueuedMessages(): Promise<number> {
  const { peekedMessageItems } = await evaluateQueue.peekMessages({ numberOfMessages: 32 });
  for (const m of peekedMessageItems) await evaluateQueue.sendMessage(m.messageText);
  return peekedMessageItems.length;
}

async function evaluateAll(crashOnRegression = false, lines: string[] = []): Promise<void> {
  const host = await startDevHost({
    registrations: [evaluateFunction(crashOnRegression)], storage: storageSettings, storageOptions: { retry: TEST_RETRY },
    queues: { visibilityTimeoutMs: 0, maxPollingIntervalMs: 200, batchSize: 4, newBatchThreshold: 2 }, log: (l) => lines.push(l),
  });
  try {
    await host.drain({ timeoutMs: 60_000 });
  } finally {
    await host.stop();
  }
}

/** Every outbox row: nothing sends in this test, so every row is still pending. */
function allRows(): Promise<OutboxRow[]> {
  return outbox.listPending();
}

async function alertsMessages(): Promise<unknown[]> {
  const { peekedMessageItems } = await alertsQueue.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.map((m) => decodeQueueMessage(m.messageText));
}

async function latestReports(): Promise<Map<string, { report: HostReport; sweepId: string }>> {
  const out = new Map<string, { report: HostReport; sweepId: string }>();
  for await (const l of reports.listLatest()) out.set(l.report.host.name, l);
  return out;
}

function subnetOf(hostId: string): string {
  const compute = baseTenant.resources.find((r) => r.id.toLowerCase() === hostId.toLowerCase());
  // A job's TensorBoard service is behind the subnet of the compute the job runs on.
  const jobCompute = (compute?.properties as { computeId?: unknown } | undefined)?.computeId;
  if (typeof jobCompute === 'string') return subnetOf(jobCompute);
  return ((compute?.properties?.properties as { subnet?: { id?: string } } | undefined)?.subnet?.id) ?? '';
}

const key = (r: OutboxRow) => `${r.notice.kind} ${r.notice.host.name} ${r.notice.checkId} ${r.notice.from}→${r.notice.to} @${r.recipient}`;

let sweep1Reports: Map<string, { report: HostReport; sweepId: string }>;
let affected: string[];

test('sweep 1 (first sight): a report for every host, a "new" regression per failing check and recipient, one tb-alerts', async (t) => {
  const sweepId = await sweep();
  assert.ok(await duplicateQueuedMessages() > 0);
  await evaluateAll();
  sweep1Reports = await latestReports();
  const expectedHosts = Object.keys((baseTenant as { _expect?: Record<string, unknown> })._expect ?? {}).sort();
  assert.deepEqual([...sweep1Reports.keys()].sort(), expectedHosts);
  for (const [name, l] of sweep1Reports) {
    assert.equal(l.sweepId, sweepId, name);
    const expect = ((baseTenant as { _expect?: Record<string, Record<string, string>> })._expect ?? {})[name] ?? {};
    for (const [checkId, status] of Object.entries(expect)) {
      // The checks' own tests hold them to _expect; here a difference is reported, the state path is what is tested.
      const got = l.report.checks.find((c) => c.id === checkId);
      if (got?.status !== status) t.diagnostic(`_expect: ${name} ${checkId} is ${got?.status} (${got?.summary}), designed ${status}`);
    }
  }

  const report = buildReport([...sweep1Reports.values()].map((l) => l.report), { stats: { durationMs: 0, requests: emptyRequestCounts() } });
  const valid = validateReport(JSON.parse(JSON.stringify(report)));
  assert.ok(valid.ok, valid.ok ? '' : valid.errors.join('; '));

  const rows = await allRows();
  const expected = [...sweep1Reports.values()].flatMap(({ report }) => report.checks
    .filter((c) => c.status === 'fail' && !c.suppressed)
    .flatMap((c) => [...(report.host.owners.length ? report.host.owners : ['ml-ops@contoso.com']), 'teams:default']
      .map((to) => `regression ${report.host.name} ${c.id} null→fail @${to.toLowerCase()}`)));
  assert.deepEqual(rows.map(key).sort(), expected.sort());
  assert.ok(rows.some((r) => r.notice.host.name === 'ci-no-owner' && r.recipient === 'ml-ops@contoso.com'), 'no owner → fallback');
  assert.deepEqual(await alertsMessages(), [{ sweepId }]);
  assert.ok(validateAlertsMessage((await alertsMessages())[0]).ok);
});

test('sweep 2 (a deny rule on nsg-ci; messages twice; one evaluate killed mid-batch): exactly the regressions, one tb-alerts', async () => {
  const before = new Set((await allRows()).map((r) => `${r.recipient}/${r.id}`));
  affected = [...sweep1Reports.values()]
    .filter(({ report }) => /\/subnets\/snet-ci$/i.test(subnetOf(report.host.id)))
    .filter(({ report }) => report.checks.find((c) => c.id === 'network.tensorboard-port')?.status === 'pass')
    .map(({ report }) => report.host.name).sort();
  assert.ok(affected.includes('ci-ok'), `hosts behind nsg-ci: ${affected.join(', ')}`);

  clock = new Date(clock.getTime() + SWEEP_GAP_MS);
  sandbox.setTenant(withDenyRule(shiftedTenant(baseTenant, SWEEP_GAP_MS)));
  const sweepId = await sweep();
  assert.ok(await duplicateQueuedMessages() > 0);
  const lines: string[] = [];
  await evaluateAll(true, lines);
  assert.ok(lines.some((l) => /simulated crash mid-batch/.test(l)), 'the crash happened and the message was retried');

  const added = (await allRows()).filter((r) => !before.has(`${r.recipient}/${r.id}`));
  const expected = affected.flatMap((name) => {
    const owners = sweep1Reports.get(name)!.report.host.owners;
    return [...(owners.length ? owners : ['ml-ops@contoso.com']), 'teams:default'].map((to) => `regression ${name} network.tensorboard-port pass→fail @${to.toLowerCase()}`);
  });
  assert.deepEqual(added.map(key).sort(), expected.sort());
  const latest = await latestReports();
  for (const l of latest.values()) assert.equal(l.sweepId, sweepId);
  assert.deepEqual((await alertsMessages()).map((m) => (m as { sweepId: string }).sweepId).filter((s) => s === sweepId), [sweepId]);
});

test('sweep 3 (the rule removed): exactly the recoveries', async () => {
  const before = new Set((await allRows()).map((r) => `${r.recipient}/${r.id}`));
  clock = new Date(clock.getTime() + SWEEP_GAP_MS);
  sandbox.setTenant(shiftedTenant(baseTenant, 2 * SWEEP_GAP_MS));
  const sweepId = await sweep();
  await duplicateQueuedMessages();
  await evaluateAll();
  const added = (await allRows()).filter((r) => !before.has(`${r.recipient}/${r.id}`));
  const expected = affected.flatMap((name) => {
    const owners = sweep1Reports.get(name)!.report.host.owners;
    return [...(owners.length ? owners : ['ml-ops@contoso.com']), 'teams:default'].map((to) => `recovery ${name} network.tensorboard-port fail→pass @${to.toLowerCase()}`);
  });
  assert.deepEqual(added.map(key).sort(), expected.sort());
  assert.equal((await alertsMessages()).filter((m) => (m as { sweepId: string }).sweepId === sweepId).length, 1);
  const history = await reports.listHistory(sweep1Reports.get('ci-ok')!.report.host.id);
  assert.deepEqual(history.map((h) => h.checks.find((c) => c.id === 'network.tensorboard-port')?.status), ['pass', 'fail', 'pass']);
});

test('a malformed tb-evaluate message lands in the poison queue with its reason logged; nothing else changes', async () => {
  const rowsBefore = (await allRows()).length;
  await enqueueJson(evaluateQueue, { sweepId: 'x', batch: 42 });
  const lines: string[] = [];
  await evaluateAll(false, lines);
  const poison = clients.queue(`${names.evaluate}-poison`);
  const { peekedMessageItems } = await poison.peekMessages({ numberOfMessages: 32 });
  assert.equal(peekedMessageItems.length, 1);
  const body = decodeQueueMessage(peekedMessageItems[0].messageText) as { reason: string; message: unknown };
  assert.deepEqual(body.message, { sweepId: 'x', batch: 42 });
  assert.match(body.reason, /not a valid tb-evaluate message/);
  assert.ok(lines.some((l) => /not a valid tb-evaluate message/.test(l)), lines.join('\n'));
  assert.equal((await allRows()).length, rowsBefore);
});
