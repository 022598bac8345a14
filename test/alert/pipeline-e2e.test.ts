// The whole alert path through the dev host, as in Azure: the sweep timer discovers the hosts in the sandbox tenant,
// evaluate (tb-evaluate on Azurite) judges them and writes the outbox, the sweep's last batch enqueues tb-alerts, and
// alert sends through the sandbox's ACS (HMAC verified) and Teams webhook. Queue and table names are unique to this
// run so it can share Azurite with other test files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeAlertHandler, registration as alertRegistration } from '../../functions/alert';
import { makeEvaluateHandler, registration as evaluateRegistration } from '../../functions/evaluate';
import type { QueueRegistration, TimerRegistration } from '../../functions/registration';
import { makeSweepHandler, registration as sweepRegistration } from '../../functions/sweep';
import { startDevHost, type DevHost } from '../../devhost/host';
import { loadSettings, type Settings } from '../../shared/config';
import { alertDepsFromSettings } from '../../shared/notify/channels';
import { TablePacingStore } from '../../shared/notify/pacing-store';
import { HostInventory } from '../../shared/state/inventory';
import { Outbox } from '../../shared/state/outbox';
import { ReportStore } from '../../shared/state/reports';
import { SweepLedger } from '../../shared/state/sweeps';
import { enqueueJson, StorageClients } from '../../shared/storage';
import type { QueueClient } from '@azure/storage-queue';
import { testStorageConnectionString, uniqueName } from '../support/env';
import { azureContextFor, startTestSandbox, TEST_RETRY, type RunningSandbox } from '../support/sandbox';
import { fortyHostsTenant, HOST_COUNT, OWNERS } from './forty-hosts-tenant';

let sb: RunningSandbox;
let devhost: DevHost;
let settings: Settings;
let alertsQueue: QueueClient;
let clock = new Date('2026-11-26T06:00:00Z');
const lines: string[] = [];
const names = { evaluate: uniqueName('tbevaluate'), alerts: uniqueName('tbalerts') };

before(async () => {
  const cs = await testStorageConnectionString();
  sb = await startTestSandbox(fortyHostsTenant({ vmSize: () => 'Standard_D2_v2' }));
  settings = loadSettings({
    AzureWebJobsStorage: cs,
    AZURE_RESOURCE_MANAGER_ENDPOINT: sb.armEndpoint,
    AZURE_LOG_ANALYTICS_ENDPOINT: sb.logAnalyticsEndpoint,
    ACS_CONNECTION_STRING: sb.acsConnectionString,
    TEAMS_WEBHOOK_URL: sb.teamsWebhooks['ml-alerts'],
    TBMON_ALERT_EMAIL_FROM: 'DoNotReply@tbmon.contoso.com',
    // The Log Analytics checks of these hosts stay unknown (no logs): no data-gap notices within this test's sweeps.
    TBMON_DATA_GAP_SWEEPS: '100',
  }, { requireStorage: true });
  const storage = new StorageClients(settings.storage!, { retry: TEST_RETRY });
  const table = (prefix: string) => storage.table(uniqueName(prefix));
  const outbox = new Outbox(table('outbox'));
  const reports = new ReportStore(table('reports'), table('history'), { historyDays: settings.historyDays });
  const ledger = new SweepLedger(table('sweeps'), { now: () => clock });
  const inventory = new HostInventory(table('inventory'));
  const pacingStore = new TablePacingStore(table('pacing'));
  await Promise.all([outbox.ensureTable(), reports.ensureTables(), pacingStore.ensureTable(), ledger.ensureTable(), inventory.ensureTable()]);
  const azure = azureContextFor(sb);
  const evaluateQueue = storage.queue(names.evaluate);
  alertsQueue = storage.queue(names.alerts);

  const sweep: TimerRegistration = {
    ...sweepRegistration,
    handler: makeSweepHandler(async () => ({ azure, settings, ledger, inventory, outbox, evaluateQueue, alertsQueue, now: () => clock })),
  };
  const evaluate: QueueRegistration = {
    ...evaluateRegistration,
    trigger: { ...evaluateRegistration.trigger, queueName: names.evaluate },
    handler: makeEvaluateHandler(async () => ({ settings, azure, outbox, reports, ledger, alertsQueue, poisonQueue: storage.queue(`${names.evaluate}-poison`), now: () => clock })),
  };
  const alert: QueueRegistration = {
    ...alertRegistration,
    trigger: { ...alertRegistration.trigger, queueName: names.alerts },
    handler: makeAlertHandler(async () => ({
      deps: alertDepsFromSettings(settings, { outbox, pacingStore, caCert: sb.caCert, retry: TEST_RETRY, teams: { retryDelayMs: 5 }, email: { updateIntervalInMs: 10 } }),
      poisonQueue: storage.queue(`${names.alerts}-poison`),
    })),
  };
  devhost = await startDevHost({
    registrations: [sweep, evaluate, alert], storage: settings.storage!, storageOptions: { retry: TEST_RETRY },
    queues: { visibilityTimeoutMs: 0, maxPollingIntervalMs: 200 }, timers: 'manual', log: (l) => lines.push(l),
    env: { TBMON_SWEEP_SCHEDULE: settings.sweepSchedule },
  });
});

after(async () => {
  await devhost?.stop();
  await sb?.close();
});

async function sweepAt(iso: string): Promise<void> {
  clock = new Date(iso);
  sb.setClock(iso);
  sb.clearOutbox();
  await devhost.runTimer('sweep');
  await devhost.drain({ timeoutMs: 60_000 });
}

test('one sweep with 40 regressions across 7 owners → exactly 7 emails and 1 Teams card', async () => {
  await sweepAt('2026-11-26T06:00:00Z');
  const { emails, teams } = sb.outbox();
  assert.equal(emails.length, 7, lines.filter((l) => /error|warn/i.test(l)).join('\n'));
  assert.deepEqual(emails.map((e) => e.to[0]).sort(), [...OWNERS].sort());
  for (const e of emails) assert.match(e.subject, /^tbmon: [56] TensorBoard hosts failing — worst: (new — )?ci-tb-\d\d is too small for TensorBoard/);
  assert.equal(teams.length, 1);
  assert.equal(teams[0].accepted, true);
  assert.match(JSON.stringify(teams[0].card), new RegExp(`Failing \\(${HOST_COUNT}\\)`));

  // The tb-alerts message delivered again (the queue is at-least-once): nothing more goes out.
  // (Emails carry no sweep id: it is internal. The evaluate log names the sweep it completed.)
  const sweepId = lines.map((l) => /sweep (\S+) complete — tb-alerts enqueued/.exec(l)?.[1]).find(Boolean);
  assert.ok(sweepId);
  await enqueueJson(alertsQueue, { sweepId });
  await devhost.drain({ timeoutMs: 20_000 });
  assert.equal(sb.outbox().emails.length, 7);
  assert.equal(sb.outbox().teams.length, 1);
});

test('the next sweep with nothing changed sends nothing; fail → pass sends recoveries; unknown sends nothing', async () => {
  await sweepAt('2026-11-26T06:15:00Z');
  assert.deepEqual(sb.outbox(), { emails: [], teams: [] });

  // ci-tb-00 (owner0) is resized to a size that fits.
  sb.setTenant(fortyHostsTenant({ vmSize: (i) => (i === 0 ? 'Standard_DS3_v2' : 'Standard_D2_v2') }));
  await sweepAt('2026-11-26T06:30:00Z');
  const { emails, teams } = sb.outbox();
  assert.deepEqual(emails.map((e) => [e.to[0], e.subject]), [['owner0@contoso.com', 'tbmon: recovered — ci-tb-00 is fine again']]);
  assert.equal(teams.length, 1);

  // Then the size catalogue disappears: resource.vm-size goes unknown on every host.
  sb.setTenant(fortyHostsTenant({ vmSize: () => 'Standard_D2_v2', catalogue: false }));
  await sweepAt('2026-11-26T06:45:00Z');
  assert.deepEqual(sb.outbox(), { emails: [], teams: [] }, 'a check going unknown sends nothing');
});
