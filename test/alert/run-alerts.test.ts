// runAlerts against real storage (Azurite, the real outbox) and the sandbox (ACS with HMAC, Teams webhook).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestCounter } from '../../shared/azure';
import type { Notice } from '../../shared/notices';
import { runAlerts, type AlertDeps } from '../../shared/notify/alert';
import { acsEmailChannel, webhookTeamsChannel } from '../../shared/notify/channels';
import { createEmailClient } from '../../shared/notify/email';
import { MemoryPacingStore, RequestSpacer } from '../../shared/notify/pacing';
import { recipientsOf } from '../../shared/notify/recipients';
import { Outbox } from '../../shared/state/outbox';
import type { Tenant } from '../../sandbox/tenant-types';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';
import { resetSandbox, startTestSandbox, TEST_RETRY, type RunningSandbox } from '../support/sandbox';
import { host, notice } from '../notify/fixtures';

const tenant = (faults: Tenant['faults'] = []): Tenant => ({ now: '2026-11-26T06:00:00Z', subscriptions: [], resources: [], teams: { channels: ['ml-alerts'] }, faults });
let sb: RunningSandbox;
let storage: string;
const logs: string[] = [];

before(async () => {
  [sb, storage] = await Promise.all([startTestSandbox(tenant()), testStorageConnectionString()]);
});
after(() => sb.close());

async function freshOutbox(): Promise<Outbox> {
  const table = testTable(storage, uniqueName('outbox'));
  const o = new Outbox(table);
  await o.ensureTable();
  return o;
}

function settings() {
  return { alertFallbackTo: ['ops@contoso.com'], teamsWebhookUrl: sb.teamsWebhooks['ml-alerts'] };
}

function deps(outbox: Outbox, over: Partial<AlertDeps> & { acsConnectionString?: string } = {}): AlertDeps {
  const counter = new RequestCounter();
  const client = createEmailClient({ acsConnectionString: over.acsConnectionString ?? sb.acsConnectionString, acsEndpoint: null }, { caCert: sb.caCert, retry: TEST_RETRY, counter });
  return {
    outbox,
    email: client && acsEmailChannel(client, 'tbmon@contoso.com', { updateIntervalInMs: 10 }),
    teams: webhookTeamsChannel({ 'teams:default': sb.teamsWebhooks['ml-alerts'] }, { caCert: sb.caCert, retryDelayMs: 5, maxRetryDelayMs: 20, maxAttempts: 5, spacer: new RequestSpacer(4), counter }),
    pacing: { limits: { perMinute: 30, perHour: 100 }, store: new MemoryPacingStore() },
    log: (m) => logs.push(m),
    ...over,
  };
}

/** 40 regressions across 7 owners (owner k owns hosts i with i % 7 === k). */
function fortyRegressions(sweepId = 's-1'): Notice[] {
  const out: Notice[] = [];
  for (let i = 0; i < 40; i++) {
    const h = host(`ci-${String(i).padStart(2, '0')}`, [`owner${i % 7}@contoso.com`]);
    out.push(notice(h, 'regression', i % 2 ? 'network.tensorboard-port' : 'script.port-in-use', { sweepId, remediation: `az ml compute restart -n ${h.name}` }));
  }
  return out;
}

const reset = (faults: Tenant['faults'] = []): void => resetSandbox(sb, tenant(faults));

test('40 regressions across 7 owners → exactly 7 emails (one recipient each) and 1 card; a second run sends nothing', async () => {
  reset();
  const outbox = await freshOutbox();
  await outbox.writeNotices(fortyRegressions(), recipientsOf(settings()));
  const r1 = await runAlerts('s-1', deps(outbox));
  assert.deepEqual([r1.email.sent, r1.teams.sent, r1.errors.length], [7, 1, 0], JSON.stringify(r1));
  assert.equal(r1.email.rowsSent + r1.teams.rowsSent, 80);
  const { emails, teams } = sb.outbox();
  assert.equal(emails.length, 7);
  assert.deepEqual(emails.map((e) => e.to.length), Array(7).fill(1));
  assert.deepEqual(new Set(emails.map((e) => e.to[0])), new Set(Array.from({ length: 7 }, (_, k) => `owner${k}@contoso.com`)));
  const owner0 = emails.find((e) => e.to[0] === 'owner0@contoso.com');
  assert.match(owner0?.subject ?? '', /^tbmon: 6 TensorBoard hosts failing — worst: /);
  assert.equal(teams.length, 1);
  assert.equal(teams[0].accepted, true);
  assert.match(JSON.stringify(teams[0].card), /Failing \(40\)/);

  const r2 = await runAlerts('s-1', deps(outbox));
  assert.deepEqual([r2.email.sent, r2.teams.sent], [0, 0]);
  assert.equal(sb.outbox().emails.length, 7);
  assert.equal(sb.outbox().teams.length, 1);
  assert.deepEqual(await outbox.listPending(), []);
});

test('the same message handled twice at once (two instances) still sends 7 emails and 1 card', async () => {
  reset();
  const outbox = await freshOutbox();
  const notices = fortyRegressions();
  await outbox.writeNotices(notices, recipientsOf(settings()));
  await outbox.writeNotices(notices, recipientsOf(settings())); // a replayed evaluate writes nothing twice
  const [a, b] = await Promise.all([runAlerts('s-1', deps(outbox)), runAlerts('s-1', deps(outbox))]);
  assert.equal(a.email.sent + b.email.sent, 7);
  assert.equal(a.teams.sent + b.teams.sent, 1);
  assert.equal(sb.outbox().emails.length, 7);
  assert.equal(sb.outbox().teams.length, 1);
  const sentIds = sb.outbox().emails.map((e) => e.operationId);
  assert.equal(new Set(sentIds).size, 7);
});

test('Teams answering 500 three times then 202 → the card is delivered once; email unaffected', async () => {
  reset([{ path: '/teams/*', status: 500, times: 3 }]);
  const outbox = await freshOutbox();
  await outbox.writeNotices(fortyRegressions(), recipientsOf(settings()));
  const r = await runAlerts('s-1', deps(outbox));
  assert.deepEqual([r.email.sent, r.teams.sent, r.teams.failed], [7, 1, 0]);
  assert.equal(sb.outbox().teams.length, 1);
  assert.equal(sb.requests().filter((q) => q.api === 'teams').length, 4);
  assert.equal(sb.outbox().emails.length, 7);
});

test('one channel down does not block the other; what failed is sent by the next run', async () => {
  // Teams down for the whole first run.
  reset([{ path: '/teams/*', status: 503 }]);
  let outbox = await freshOutbox();
  await outbox.writeNotices(fortyRegressions(), recipientsOf(settings()));
  const r1 = await runAlerts('s-1', deps(outbox, { teams: webhookTeamsChannel({ 'teams:default': sb.teamsWebhooks['ml-alerts'] }, { caCert: sb.caCert, retryDelayMs: 1, maxAttempts: 2, spacer: new RequestSpacer(4) }) }));
  assert.deepEqual([r1.email.sent, r1.teams.sent, r1.teams.failed], [7, 0, 1]);
  assert.equal((await outbox.listPending('teams:default')).length, 40);
  sb.setTenant(tenant());
  const r2 = await runAlerts('s-2', deps(outbox));
  assert.deepEqual([r2.email.sent, r2.teams.sent], [0, 1]);
  assert.equal(sb.outbox().emails.length, 7);
  assert.equal(sb.outbox().teams.filter((c) => c.accepted).length, 1);

  // ACS refusing every send (wrong key): the card still goes; the email rows wait, then go.
  reset();
  outbox = await freshOutbox();
  await outbox.writeNotices(fortyRegressions(), recipientsOf(settings()));
  const badCs = sb.acsConnectionString.replace(/accesskey=[^;]+/, `accesskey=${Buffer.from('wrong').toString('base64')}`);
  const r3 = await runAlerts('s-1', deps(outbox, { acsConnectionString: badCs }));
  assert.equal(r3.teams.sent, 1);
  assert.equal(r3.email.sent, 0);
  assert.equal(r3.email.failed, 3, 'stops after 3 consecutive failures');
  assert.equal(r3.email.heldBack, 4);
  assert.equal((await outbox.listPending()).length, 40, 'every email row is pending again');
  const r4 = await runAlerts('s-2', deps(outbox));
  assert.deepEqual([r4.email.sent, r4.teams.sent], [7, 0]);
  assert.equal(sb.outbox().emails.length, 7);
});

test('pacing holds recipients back; their rows merge into the next digest (one email covering both sweeps)', async () => {
  reset();
  const outbox = await freshOutbox();
  await outbox.writeNotices(fortyRegressions('s-1'), recipientsOf(settings()));
  const store = new MemoryPacingStore();
  const r1 = await runAlerts('s-1', deps(outbox, { teams: null, pacing: { limits: { perMinute: 30, perHour: 3 }, store } }));
  assert.deepEqual([r1.email.sent, r1.email.heldBack], [3, 4]);
  assert.equal((await store.load()).length, 3, 'the sends are remembered for the next run');
  const heldBack = new Set((await outbox.listPending()).filter((r) => !r.recipient.startsWith('teams:')).map((r) => r.recipient));
  assert.equal(heldBack.size, 4);
  const [someone] = [...heldBack];

  // Sweep 2: one more regression for a held-back owner.
  const extra = notice(host('ci-new', [someone]), 'regression', 'resource.vm-size', { sweepId: 's-2', observedAt: '2026-11-26T06:15:00Z' });
  await outbox.writeNotices([extra], recipientsOf(settings()));
  const again = await runAlerts('s-2', deps(outbox, { teams: null, pacing: { limits: { perMinute: 30, perHour: 3 }, store } }));
  assert.equal(again.email.sent, 0, 'the hour is still full');
  const r2 = await runAlerts('s-2', deps(outbox, { teams: null, pacing: { limits: { perMinute: 30, perHour: 100 }, store } }));
  assert.equal(r2.email.sent, 4);
  const mails = sb.outbox().emails.filter((e) => e.to[0] === someone);
  assert.equal(mails.length, 1, 'one email for that person, covering both sweeps');
  assert.ok(mails[0].plainText?.includes('ci-new'));
  assert.equal(sb.outbox().emails.length, 7);
});

test('recoveries are told; gone hosts are a short section; a host without owners goes to the fallback', async () => {
  reset();
  const outbox = await freshOutbox();
  const a = host('ci-a', ['amy@contoso.com']);
  await outbox.writeNotices([
    notice(a, 'recovery', 'script.port-in-use'),
    notice(host('ci-old', ['amy@contoso.com']), 'gone', undefined),
    notice(host('ci-orphan', []), 'regression', 'resource.compute-state'),
  ], recipientsOf(settings()));
  const r = await runAlerts('s-3', deps(outbox));
  assert.deepEqual([r.email.sent, r.teams.sent], [2, 1]);
  const amy = sb.outbox().emails.find((e) => e.to[0] === 'amy@contoso.com');
  assert.equal(amy?.subject, 'tbmon: 1 TensorBoard host fine again, 1 TensorBoard host gone');
  assert.match(amy?.plainText ?? '', /== Fine again\n- ci-a: fine again since .+: The launch log of TensorBoard on ci-a shows no such problem \(script\.port-in-use\)/);
  assert.match(amy?.plainText ?? '', /== Gone\n- ci-old: no longer found/);
  const ops = sb.outbox().emails.find((e) => e.to[0] === 'ops@contoso.com');
  assert.match(ops?.subject ?? '', /^tbmon: TensorBoard on ci-orphan cannot run/);
});

test('logs of all these runs hold no access key, connection string or webhook URL', () => {
  assert.ok(logs.length > 5);
  const all = logs.join('\n');
  const key = /accesskey=([^;]+)/.exec(sb.acsConnectionString)?.[1] ?? '';
  for (const secret of [sb.acsConnectionString, key, sb.teamsWebhooks['ml-alerts'], '/teams/ml-alerts']) {
    assert.ok(!all.includes(secret), `a log line contains a secret (${secret.slice(0, 8)}…)`);
  }
});
