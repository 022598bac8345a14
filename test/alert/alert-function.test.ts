// End to end through the dev host: the alert function's queue trigger on Azurite, its settings parsed as the app's
// are, the real outbox and pacing tables, notices made by the real regression rules, and the sandbox playing ACS
// (HMAC verified) and the Teams webhook. Every log line of the run is captured and searched for secrets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeAlertHandler, registration as appRegistration } from '../../functions/alert';
import type { QueueRegistration } from '../../functions/registration';
import { startDevHost, type DevHost } from '../../devhost/host';
import { loadSettings, type Settings, type StorageSettings } from '../../shared/config';
import type { CheckResult, CheckStatus, Host } from '../../shared/model';
import type { Notice } from '../../shared/notices';
import { alertDepsFromSettings } from '../../shared/notify/channels';
import { TablePacingStore } from '../../shared/notify/pacing-store';
import { compareHost, noticesFor, type HostCheckStates } from '../../shared/regressions';
import { recipientsOf } from '../../shared/notify/recipients';
import { Outbox } from '../../shared/state/outbox';
import { enqueueJson, ensureQueue, StorageClients } from '../../shared/storage';
import { testStorageConnectionString, uniqueName } from '../support/env';
import { startTestSandbox, TEST_RETRY, type RunningSandbox } from '../support/sandbox';
import { host } from '../notify/fixtures';

let sb: RunningSandbox;
let storage: StorageSettings;
let clients: StorageClients;
let devhost: DevHost;
let settings: Settings;
let outbox: Outbox;
const queueName = uniqueName('tbalerts');
const lines: string[] = [];
const restoreWrites: (() => void)[] = [];

/** Everything written to stdout/stderr while the test runs (SDK warnings, the Functions package) joins `lines`. */
function captureStdio(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restoreWrites.push(() => { stream.write = original; });
  }
}

before(async () => {
  captureStdio();
  const cs = await testStorageConnectionString();
  sb = await startTestSandbox({ now: '2026-11-26T06:00:00Z', subscriptions: [], resources: [], teams: { channels: ['ml-alerts'] } });
  storage = { kind: 'connectionString', connectionString: cs };
  clients = new StorageClients(storage, { retry: TEST_RETRY });
  settings = loadSettings({
    AzureWebJobsStorage: cs,
    ACS_CONNECTION_STRING: sb.acsConnectionString,
    TEAMS_WEBHOOK_URL: sb.teamsWebhooks['ml-alerts'],
    TBMON_ALERT_EMAIL_FROM: 'DoNotReply@tbmon.contoso.com',
    TBMON_ALERT_FALLBACK_TO: 'ml-platform@contoso.com',
  }, { requireStorage: true });
  outbox = new Outbox(clients.table(uniqueName('outbox')));
  const pacingStore = new TablePacingStore(clients.table(uniqueName('pacing')));
  await Promise.all([outbox.ensureTable(), pacingStore.ensureTable()]);

  const handler = makeAlertHandler(async () => ({
    deps: alertDepsFromSettings(settings, {
      outbox, pacingStore, caCert: sb.caCert, retry: TEST_RETRY,
      teams: { retryDelayMs: 5, maxRetryDelayMs: 20 }, email: { updateIntervalInMs: 10 }, tenantId: '00000000-0000-0000-0000-000000000001',
    }),
    poisonQueue: clients.queue(`${queueName}-poison`),
  }));
  const reg: QueueRegistration = { ...appRegistration, trigger: { ...appRegistration.trigger, queueName }, handler };
  devhost = await startDevHost({
    registrations: [reg], storage, storageOptions: { retry: TEST_RETRY },
    queues: { visibilityTimeoutMs: 0, maxPollingIntervalMs: 200 }, timers: 'manual', log: (l) => lines.push(l),
  });
});

after(async () => {
  await devhost?.stop();
  await sb?.close();
  for (const restore of restoreWrites) restore();
});

// 40 hosts, 7 owners; every host fails one or two checks on first sight.
const hosts: Host[] = Array.from({ length: 40 }, (_, i) => host(`ci-${String(i).padStart(2, '0')}`, [`owner${i % 7}@contoso.com`]));
const states = new Map<string, HostCheckStates>();

function result(id: string, status: CheckStatus, h: Host): CheckResult {
  return {
    id, class: id.split('.')[0] as CheckResult['class'], status, severity: 'high',
    summary: status === 'fail' ? `${id} fails on ${h.name}` : `${id} ${status}`,
    evidence: status === 'fail' ? { nsg: 'nsg-ml', rule: 'deny-all-in', priority: 200 } : undefined,
    remediation: status === 'fail' ? `az network nsg rule create -g ${h.resourceGroup} --nsg-name nsg-ml -n allow-tb --priority 190 --destination-port-ranges ${h.publishedPort}` : undefined,
    hint: status === 'unknown' ? 'enable the Syslog data source' : undefined,
  };
}

/** What evaluate does for one sweep: compare with the stored states, keep the new ones, write the notices. */
async function sweep(sweepId: string, statusOf: (i: number, checkId: string) => CheckStatus): Promise<Notice[]> {
  const notices: Notice[] = [];
  hosts.forEach((h, i) => {
    const checks = ['network.tensorboard-port', 'script.port-in-use'].map((id) => result(id, statusOf(i, id), h));
    const { states: next, transitions } = compareHost(states.get(h.id), checks, { alertMinStatus: 'fail', alertOnFirstSight: true, dataGapSweeps: 4, alertNewChecks: false }, sweepId);
    states.set(h.id, next);
    notices.push(...noticesFor(h, transitions, checks, sweepId, '2026-11-26T06:00:00Z'));
  });
  await outbox.writeNotices(notices, recipientsOf(settings));
  return notices;
}

async function deliver(message: unknown, times = 1): Promise<void> {
  const q = clients.queue(queueName);
  await ensureQueue(q);
  for (let i = 0; i < times; i++) await enqueueJson(q, message);
  await devhost.drain({ timeoutMs: 20_000 });
}

test('40 regressions across 7 owners, the message delivered twice → exactly 7 emails and 1 card', async () => {
  const notices = await sweep('sweep-1', (i, id) => (id === 'network.tensorboard-port' || i % 3 === 0 ? 'fail' : 'pass'));
  assert.equal(notices.filter((n) => n.kind === 'regression').length, 54);
  assert.equal(new Set(notices.map((n) => n.host.id)).size, 40);
  await deliver({ sweepId: 'sweep-1' }, 2);
  const { emails, teams } = sb.outbox();
  assert.equal(emails.length, 7);
  assert.deepEqual(emails.map((e) => e.to).sort(), Array.from({ length: 7 }, (_, k) => [`owner${k}@contoso.com`]));
  for (const e of emails) {
    assert.match(e.subject, /^tbmon: [56] TensorBoard hosts failing — worst: (new — )?TensorBoard on ci-\d\d is unreachable: /);
    assert.ok(e.html?.includes('https://ml.azure.com/compute/ci-'));
    assert.ok(e.html?.includes('az network nsg rule create'));
  }
  assert.equal(teams.length, 1);
  assert.equal(teams[0].accepted, true);
  assert.ok(teams[0].bytes < 28_000);
  assert.equal(sb.requests().filter((r) => r.api === 'email' && r.status === 401).length, 0, 'every signature verified');
});

test('fail → pass gives a recovery notice; a check going unknown sends nothing', async () => {
  sb.clearOutbox();
  // ci-00 (owner0) recovers on the NSG check; ci-01 (owner1) goes unknown; everything else stays as it was.
  await sweep('sweep-2', (i, id) => {
    if (i === 0 && id === 'network.tensorboard-port') return 'pass';
    if (i === 1) return 'unknown';
    return id === 'network.tensorboard-port' || i % 3 === 0 ? 'fail' : 'pass';
  });
  await deliver({ sweepId: 'sweep-2' });
  const { emails, teams } = sb.outbox();
  assert.deepEqual(emails.map((e) => e.to[0]), ['owner0@contoso.com']);
  assert.equal(emails[0].subject, 'tbmon: recovered — ci-00 is fine again');
  assert.match(emails[0].plainText ?? '', /== Fine again\n- ci-00: fine again since .+: .+ \(network\.tensorboard-port\)/);
  assert.equal(teams.length, 1);
  assert.match(JSON.stringify(teams[0].card), /Recovered \(1\)/);

  sb.clearOutbox();
  await sweep('sweep-3', (i, id) => (i === 1 ? 'unknown' : i === 0 && id === 'network.tensorboard-port' ? 'pass' : id === 'network.tensorboard-port' || i % 3 === 0 ? 'fail' : 'pass'));
  await deliver({ sweepId: 'sweep-3' });
  assert.deepEqual(sb.outbox(), { emails: [], teams: [] }, 'nothing changed that is worth telling');
});

test('a message that does not validate goes to the poison queue with its reason; nothing is sent', async () => {
  sb.clearOutbox();
  await deliver({ sweep: 'x' });
  const poison = clients.queue(`${queueName}-poison`);
  const [msg] = (await poison.receiveMessages()).receivedMessageItems;
  const body = JSON.parse(Buffer.from(msg.messageText, 'base64').toString('utf8')) as { reason: string };
  assert.match(body.reason, /sweepId/);
  assert.deepEqual(sb.outbox(), { emails: [], teams: [] });
});

test('no secret in any log line of the run', () => {
  const all = lines.join('\n');
  assert.ok(all.includes('tbmon alert sweep-1'), 'the run did log');
  const key = /accesskey=([^;]+)/i.exec(sb.acsConnectionString)?.[1] ?? '';
  const webhook = sb.teamsWebhooks['ml-alerts'];
  for (const [what, secret] of [['ACS access key', key], ['ACS connection string', sb.acsConnectionString], ['webhook URL', webhook], ['webhook path', new URL(webhook).pathname], ['storage key', 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq']]) {
    assert.ok(secret.length > 8);
    assert.ok(!all.includes(secret), `a log line holds the ${what}`);
  }
  assert.doesNotMatch(all, /HMAC-SHA256|Signature=|Bearer /);
});
