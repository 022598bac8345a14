// The senders against the sandbox over real HTTPS: the ACS SDK with HMAC (verified by the sandbox), the Teams
// webhook with injected faults.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestCounter } from '../../shared/azure';
import { buildDigest } from '../../shared/notify/digest';
import { createEmailClient, EmailSendError, renderEmail, sendEmail } from '../../shared/notify/email';
import { RequestSpacer } from '../../shared/notify/pacing';
import { postTeamsCard, renderTeamsCard, TeamsSendError } from '../../shared/notify/teams';
import type { Tenant } from '../../sandbox/tenant-types';
import { startTestSandbox, TEST_RETRY, type RunningSandbox } from '../support/sandbox';
import { host, notice } from './fixtures';

const tenant = (faults: Tenant['faults'] = []): Tenant => ({ now: '2026-11-26T06:00:00Z', subscriptions: [], resources: [], teams: { channels: ['ml-alerts'] }, faults });
let sb: RunningSandbox;
before(async () => {
  sb = await startTestSandbox(tenant());
});
after(() => sb.close());

const digest = buildDigest('owner@contoso.com', 's-1', [notice(host('ci-gpu-1'), 'regression', 'network.tensorboard-port')]);
const fastTeams = () => ({ caCert: sb.caCert, retryDelayMs: 5, maxRetryDelayMs: 20, spacer: new RequestSpacer(4) });

test('email: one message to one recipient, signed (the sandbox verifies the HMAC), with the digest id as Operation-Id', async () => {
  sb.clearOutbox();
  sb.clearRequests();
  const counter = new RequestCounter();
  const client = createEmailClient({ acsConnectionString: sb.acsConnectionString, acsEndpoint: null }, { caCert: sb.caCert, retry: TEST_RETRY, counter });
  assert.ok(client);
  const sent = await sendEmail(client, 'tbmon@contoso.com', 'owner@contoso.com', renderEmail(digest), digest.id, { updateIntervalInMs: 10 });
  assert.deepEqual(sent, { operationId: digest.id, status: 'Succeeded' });
  const [mail, ...rest] = sb.outbox().emails;
  assert.equal(rest.length, 0);
  assert.equal(mail.operationId, digest.id);
  assert.deepEqual(mail.to, ['owner@contoso.com']);
  assert.deepEqual([...mail.cc, ...mail.bcc], []);
  assert.equal(mail.subject, 'tbmon: TensorBoard on ci-gpu-1 is unreachable: a network security group blocks port 6006');
  assert.ok(mail.html?.includes('network.tensorboard-port') && mail.plainText?.includes('network.tensorboard-port'));
  assert.ok(sb.requests().every((r) => r.api !== 'email' || r.status < 400));
  assert.equal(counter.counts.email, sb.requests().filter((r) => r.api === 'email').length, 'every request counted');
});

test('email: a wrong access key is refused (401) and the error carries neither key nor signature', async () => {
  const badKey = Buffer.from('not-the-right-key-at-all').toString('base64');
  const cs = sb.acsConnectionString.replace(/accesskey=[^;]+/, `accesskey=${badKey}`);
  const client = createEmailClient({ acsConnectionString: cs, acsEndpoint: null }, { caCert: sb.caCert, retry: TEST_RETRY });
  assert.ok(client);
  const err = await sendEmail(client, 'tbmon@contoso.com', 'owner@contoso.com', renderEmail(digest), digest.id).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof EmailSendError, String(err));
  assert.equal(err.statusCode, 401);
  assert.ok(!err.message.includes(badKey) && !/Signature=/i.test(err.message), err.message);
});

test('email: 429 with Retry-After is retried by the pipeline after the time it asked for, then succeeds', async () => {
  sb.setTenant(tenant([{ path: '/emails:send', status: 429, headers: { 'Retry-After': '1' }, times: 1 }]));
  const started = Date.now();
  sb.clearOutbox();
  sb.clearRequests();
  const client = createEmailClient({ acsConnectionString: sb.acsConnectionString, acsEndpoint: null }, { caCert: sb.caCert, retry: TEST_RETRY });
  assert.ok(client);
  const other = buildDigest('owner@contoso.com', 's-2', [notice(host('ci-2'), 'regression', 'script.port-in-use')]);
  const sent = await sendEmail(client, 'tbmon@contoso.com', 'owner@contoso.com', renderEmail(other), other.id, { updateIntervalInMs: 10 });
  assert.equal(sent.status, 'Succeeded');
  assert.equal(sb.outbox().emails.length, 1);
  assert.equal(sb.requests().filter((r) => r.api === 'email' && r.status === 429).length, 1);
  assert.ok(Date.now() - started >= 1000, 'waited the Retry-After second');
  sb.setTenant(tenant());
});

test('email with ACS_ENDPOINT and a token credential (the managed-identity form) sends with a bearer token', async () => {
  sb.clearOutbox();
  sb.clearRequests();
  const scopes: string[][] = [];
  const credential = { getToken: async (s: string | string[]) => { scopes.push([s].flat()); return { token: 'mi-token', expiresOnTimestamp: Date.now() + 3_600_000 }; } };
  const client = createEmailClient({ acsConnectionString: null, acsEndpoint: sb.baseUrl }, { credential, caCert: sb.caCert, retry: TEST_RETRY });
  assert.ok(client);
  const d = buildDigest('mi@contoso.com', 's-mi', [notice(host('ci-mi'), 'regression', 'script.port-in-use')]);
  await sendEmail(client, 'tbmon@contoso.com', 'mi@contoso.com', renderEmail(d), d.id);
  assert.deepEqual(sb.outbox().emails.map((e) => e.to), [['mi@contoso.com']]);
  assert.ok(scopes.length > 0 && scopes.every((s) => s.some((x) => x.startsWith('https://communication.azure.com'))), JSON.stringify(scopes));
  assert.throws(() => createEmailClient({ acsConnectionString: null, acsEndpoint: sb.baseUrl }, {}), /credential/);
  assert.equal(createEmailClient({ acsConnectionString: null, acsEndpoint: null }, {}), null);
});

test('Teams: 500 three times then 202 → one card delivered, 4 requests, ≤ 4 per second', async () => {
  sb.setTenant(tenant([{ path: '/teams/*', status: 500, times: 3 }]));
  sb.clearOutbox();
  sb.clearRequests();
  const counter = new RequestCounter();
  const card = renderTeamsCard(digest);
  const started = Date.now();
  const res = await postTeamsCard(sb.teamsWebhooks['ml-alerts'], card.envelope, { ...fastTeams(), counter });
  const elapsed = Date.now() - started;
  assert.deepEqual(res, { status: 202, attempts: 4 });
  const cards = sb.outbox().teams;
  assert.equal(cards.length, 1);
  assert.equal(cards[0].accepted, true);
  assert.equal(sb.requests().filter((r) => r.api === 'teams').length, 4);
  assert.equal(counter.counts.teams, 4);
  assert.ok(elapsed >= 750, `4 requests took ${elapsed} ms: spaced ≥ 250 ms apart`);
  sb.setTenant(tenant());
});

test('Teams: Retry-After is honoured; a permanent 4xx is not retried; the URL is in no error', async () => {
  sb.setTenant(tenant([{ path: '/teams/*', status: 429, headers: { 'Retry-After': '1' }, times: 1 }]));
  const started = Date.now();
  const res = await postTeamsCard(sb.teamsWebhooks['ml-alerts'], renderTeamsCard(digest).envelope, fastTeams());
  assert.equal(res.attempts, 2);
  assert.ok(Date.now() - started >= 1000, 'waited the Retry-After second');

  sb.setTenant(tenant([{ path: '/teams/*', status: 400, times: 5 }]));
  const url = sb.teamsWebhooks['ml-alerts'];
  const err = await postTeamsCard(url, renderTeamsCard(digest).envelope, fastTeams()).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof TeamsSendError);
  assert.equal(err.attempts, 1);
  assert.ok(!err.message.includes(url) && !err.message.includes('/teams/'), err.message);

  sb.setTenant(tenant([{ path: '/teams/*', status: 503, headers: { 'Retry-After': '3600' }, times: 5 }]));
  const err2 = await postTeamsCard(url, renderTeamsCard(digest).envelope, fastTeams()).then(() => null, (e: unknown) => e);
  assert.ok(err2 instanceof TeamsSendError);
  assert.match(err2.message, /asked to wait 3600 s/);
  sb.setTenant(tenant());
});
