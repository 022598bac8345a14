// A crash during alert (Azurite's outbox, the sandbox's ACS and Teams webhook, the real SDK client): rows are marked
// "sending" with the attempt's id before the call and "sent" after. A process killed in between leaves them
// "sending"; once the lease runs out the next run
//   - for email, asks ACS about the attempt (GET /emails/operations/{Operation-Id}) and sends again only what ACS
//     never saw — no second POST /emails:send for a digest ACS took;
//   - for Teams (no idempotency key), posts the card once more with "(resent after an interruption)", and never a
//     third time; a card refused before it reached the webhook is retried silently;
// and a webhook slower than the client's timeout is not re-posted within the send (the card may have arrived).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestCounter } from '../../shared/azure';
import { runAlerts, type AlertDeps, type AlertOutbox } from '../../shared/notify/alert';
import { acsEmailChannel, webhookTeamsChannel } from '../../shared/notify/channels';
import { createEmailClient, createEmailOperationReader } from '../../shared/notify/email';
import { MemoryPacingStore, RequestSpacer } from '../../shared/notify/pacing';
import { RESENT_LINE, TEAMS_TIMEOUT_MS } from '../../shared/notify/teams';
import { Outbox } from '../../shared/state/outbox';
import { recipientsOf } from '../../shared/notify/recipients';
import type { Tenant } from '../../sandbox/tenant-types';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';
import { resetSandbox, startTestSandbox, TEST_RETRY, type RunningSandbox } from '../support/sandbox';
import { host, notice } from '../notify/fixtures';

const LEASE_MS = 10 * 60_000;
const tenant = (faults: Tenant['faults'] = []): Tenant => ({ now: '2026-11-26T06:00:00Z', subscriptions: [], resources: [], teams: { channels: ['ml-alerts'] }, faults });
let sb: RunningSandbox;
let storage: string;
let clock = Date.parse('2026-11-26T06:00:00Z');

before(async () => {
  [sb, storage] = await Promise.all([startTestSandbox(tenant()), testStorageConnectionString()]);
});
after(() => sb.close());

async function outboxWith(notices: number): Promise<Outbox> {
  const o = new Outbox(testTable(storage, uniqueName('outbox')), { now: () => new Date(clock), leaseMs: LEASE_MS });
  await o.ensureTable();
  const list = Array.from({ length: notices }, (_, i) => notice(host(`ci-${i}`, ['owner@contoso.com']), 'regression', 'network.tensorboard-port'));
  await o.writeNotices(list, recipientsOf({ alertFallbackTo: [], teamsWebhookUrl: sb.teamsWebhooks['ml-alerts'] }));
  return o;
}

/** The process dies at `when`: the send already happened (or not), the rows are never marked or released. */
function killedOutbox(outbox: Outbox, when: 'after-send' | 'before-send'): AlertOutbox {
  return {
    listPending: (p) => outbox.listPending(p),
    claimMany: async (rows, claimant, options) => {
      const r = await outbox.claimMany(rows, claimant, options);
      if (when === 'before-send') throw new Error('killed (rows sending, nothing sent)');
      return r;
    },
    markSentMany: async () => {
      throw new Error('killed (sent, rows still sending)');
    },
    release: async () => {
      throw new Error('killed');
    },
  };
}

function deps(outbox: AlertOutbox, channels: 'email' | 'teams', teamsOpts: { timeoutMs?: number; url?: string } = {}): AlertDeps {
  const counter = new RequestCounter();
  const acs = { acsConnectionString: sb.acsConnectionString, acsEndpoint: null };
  const emailDeps = { caCert: sb.caCert, retry: TEST_RETRY, counter };
  const client = createEmailClient(acs, emailDeps);
  return {
    outbox,
    email: channels === 'email' && client ? acsEmailChannel(client, 'tbmon@contoso.com', { updateIntervalInMs: 10 }, createEmailOperationReader(acs, emailDeps) ?? undefined) : null,
    teams: channels === 'teams'
      ? webhookTeamsChannel({ 'teams:default': teamsOpts.url ?? sb.teamsWebhooks['ml-alerts'] }, { caCert: sb.caCert, retryDelayMs: 5, maxRetryDelayMs: 20, maxAttempts: 3, spacer: new RequestSpacer(50), counter, timeoutMs: teamsOpts.timeoutMs })
      : null,
    pacing: { limits: { perMinute: 1000, perHour: 1000 }, store: new MemoryPacingStore() },
  };
}

const posts = (path: RegExp) => sb.requests().filter((r) => r.method === 'POST' && path.test(r.path)).length;
const cards = () => sb.outbox().teams.map((c) => JSON.stringify(c));
const pendingOrSending = async (o: Outbox, partition: string) => (await o.listPending(partition)).length;

const reset = (faults: Tenant['faults'] = []): void => resetSandbox(sb, tenant(faults));

test('email: killed after ACS took the digest — the next run asks ACS, marks the rows sent, sends nothing again', async () => {
  reset();
  const outbox = await outboxWith(3);
  await runAlerts('s-1', deps(killedOutbox(outbox, 'after-send'), 'email'));
  assert.equal(posts(/^\/emails:send$/), 1);
  assert.equal(sb.outbox().emails.length, 1);
  assert.equal(await pendingOrSending(outbox, 'owner@contoso.com'), 0, 'within the lease the rows are held');

  clock += LEASE_MS + 1000;
  const r = await runAlerts('s-2', deps(outbox, 'email'));
  assert.equal(posts(/^\/emails:send$/), 1, 'no second POST /emails:send');
  assert.ok(sb.requests().some((q) => q.method === 'GET' && /^\/emails\/operations\//.test(q.path) && q.status === 200), 'ACS was asked about the attempt');
  assert.equal(r.email.confirmed, 3);
  assert.equal(sb.outbox().emails.length, 1);
  assert.equal(await pendingOrSending(outbox, 'owner@contoso.com'), 0);
});

test('email: killed after marking "sending" but before the call — ACS never saw it (404), so it is sent, once', async () => {
  reset();
  const outbox = await outboxWith(2);
  await runAlerts('s-1', deps(killedOutbox(outbox, 'before-send'), 'email'));
  assert.equal(posts(/^\/emails:send$/), 0);
  clock += LEASE_MS + 1000;
  const r = await runAlerts('s-2', deps(outbox, 'email'));
  assert.ok(sb.requests().some((q) => q.method === 'GET' && /^\/emails\/operations\//.test(q.path) && q.status === 404));
  assert.equal(r.email.sent, 1);
  assert.equal(sb.outbox().emails.length, 1);
  assert.equal(await pendingOrSending(outbox, 'owner@contoso.com'), 0);
});

test('Teams: killed after posting — resent once with the visible line; killed again — never a third card', async () => {
  reset();
  const outbox = await outboxWith(2);
  await runAlerts('s-1', deps(killedOutbox(outbox, 'after-send'), 'teams'));
  assert.equal(cards().length, 1);
  assert.ok(!cards()[0].includes(RESENT_LINE));

  clock += LEASE_MS + 1000;
  await runAlerts('s-2', deps(killedOutbox(outbox, 'after-send'), 'teams'));
  assert.equal(cards().length, 2);
  assert.ok(cards()[1].includes(RESENT_LINE), 'the repeat says it is one');

  clock += LEASE_MS + 1000;
  const r = await runAlerts('s-3', deps(outbox, 'teams'));
  assert.equal(cards().length, 2, 'no third card');
  assert.equal(r.teams.notResent, 2);
  assert.equal(await pendingOrSending(outbox, 'teams:default'), 0, 'the rows are closed');
  assert.equal(cards().filter((c) => !c.includes(RESENT_LINE)).length, 1, 'no unlabelled repeat');
});

test('Teams: a card refused before it reached the webhook is retried silently next run', async () => {
  reset();
  const outbox = await outboxWith(1);
  // Nothing listens on port 9 of loopback: ECONNREFUSED, every attempt.
  const refused = await runAlerts('s-1', deps(outbox, 'teams', { url: 'https://127.0.0.1:9/teams/ml-alerts' }));
  assert.equal(refused.teams.failed, 1);
  assert.equal(cards().length, 0);
  const r = await runAlerts('s-2', deps(outbox, 'teams'));
  assert.equal(r.teams.sent, 1);
  assert.equal(cards().length, 1);
  assert.ok(!cards()[0].includes(RESENT_LINE), 'nothing reached the webhook before: no label');
});

test('Teams: a webhook slower than the client timeout is not re-posted within the send; the next run resends it labelled', async () => {
  assert.ok(TEAMS_TIMEOUT_MS > 120_000, 'the client waits longer than Power Automate\'s 120 s synchronous limit');
  reset([{ path: '/teams/*', method: 'POST', latencyMs: 800, times: 1 }]);
  const outbox = await outboxWith(1);
  const slow = await runAlerts('s-1', deps(outbox, 'teams', { timeoutMs: 300 }));
  assert.equal(slow.teams.failed, 1);
  await new Promise((r) => setTimeout(r, 900)); // the slow request lands after the client gave up
  assert.equal(posts(/^\/teams\//), 1, 'one POST: a timeout after connecting is "maybe delivered", not retried');
  const r = await runAlerts('s-2', deps(outbox, 'teams'));
  assert.equal(r.teams.resent, 1);
  assert.equal(cards().filter((c) => !c.includes(RESENT_LINE)).length, 1, 'the first card (it did arrive) and one labelled repeat');
  assert.equal(cards().length, 2);
});
