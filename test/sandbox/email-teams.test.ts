// ACS Email's HMAC verification and idempotency, and the Teams webhook's acceptance rules.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EmailClient } from '@azure/communication-email';
import { RestError } from '@azure/core-rest-pipeline';
import { TEAMS_MAX_BYTES } from '../../sandbox/teams';
import type { Tenant } from '../../sandbox/tenant-types';
import { sandboxRequest, startTestSandbox, TEST_RETRY, type RunningSandbox } from '../support/sandbox';

const KEY = crypto.randomBytes(32).toString('base64');
const tenant: Tenant = { now: '2026-11-26T06:00:00Z', subscriptions: [], resources: [], communication: { accessKey: KEY }, teams: { channels: ['ml-alerts'] } };
const message = {
  senderAddress: 'tbmon@contoso.com',
  content: { subject: 'TensorBoard ci-oom fails', plainText: 'OOM kill', html: '<p>OOM kill</p>' },
  recipients: { to: [{ address: 'owner@contoso.com' }] },
};

/** Signs as @azure/communication-email 1.1.0 does (SDK-NOTES §4). */
function signed(sandbox: RunningSandbox, pathAndQuery: string, body: string, key = KEY): Record<string, string> {
  const date = new Date().toUTCString();
  const host = new URL(sandbox.baseUrl).host;
  const hash = crypto.createHash('sha256').update(body).digest('base64');
  const signature = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(`POST\n${pathAndQuery}\n${date};${host};${hash}`).digest('base64');
  return {
    'content-type': 'application/json', 'x-ms-date': date, 'x-ms-content-sha256': hash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

describe('sandbox ACS Email and Teams', () => {
  let sandbox: RunningSandbox;
  before(async () => { sandbox = await startTestSandbox(tenant); });
  after(() => sandbox.close());

  it('a correctly signed send is accepted (202, operation-location) and polled to Succeeded', async () => {
    const path = '/emails:send?api-version=2025-09-01';
    const body = JSON.stringify(message);
    const res = await sandboxRequest(sandbox, 'POST', path, { headers: signed(sandbox, path, body), body });
    assert.equal(res.status, 202);
    const op = res.json<{ id: string; status: string }>();
    assert.equal(op.status, 'Running');
    assert.equal(res.headers['operation-location'], `${sandbox.baseUrl}/emails/operations/${op.id}?api-version=2025-09-01`);
    const client = new EmailClient(sandbox.acsConnectionString, { tlsOptions: { ca: sandbox.caCert }, retryOptions: TEST_RETRY });
    const poller = await client.beginSend(message, { updateIntervalInMs: 10 });
    assert.equal((await poller.pollUntilDone()).status, 'Succeeded');
    assert.equal(sandbox.outbox().emails.length, 2);
  });

  it('a tampered body or a wrong key is refused with 401 Denied, and nothing is sent', async () => {
    sandbox.clearOutbox();
    const path = '/emails:send?api-version=2025-09-01';
    const body = JSON.stringify(message);
    const tampered = await sandboxRequest(sandbox, 'POST', path, { headers: signed(sandbox, path, body), body: body.replace('owner@', 'attacker@') });
    assert.equal(tampered.status, 401);
    assert.equal(tampered.json<{ error: { code: string } }>().error.code, 'Denied');
    const hashOk = signed(sandbox, path, body, crypto.randomBytes(32).toString('base64'));
    assert.equal((await sandboxRequest(sandbox, 'POST', path, { headers: hashOk, body })).status, 401);
    const wrongKey = new EmailClient(`endpoint=${sandbox.baseUrl}/;accesskey=${crypto.randomBytes(32).toString('base64')}`, { tlsOptions: { ca: sandbox.caCert }, retryOptions: { maxRetries: 0 } });
    await assert.rejects(wrongKey.beginSend(message), (e: RestError) => e.statusCode === 401 && e.code === 'Denied');
    assert.equal(sandbox.outbox().emails.length, 0);
  });

  it('a repeated Operation-Id answers the earlier operation without sending again', async () => {
    sandbox.clearOutbox();
    const client = new EmailClient(sandbox.acsConnectionString, { tlsOptions: { ca: sandbox.caCert }, retryOptions: TEST_RETRY });
    const operationId = crypto.randomUUID();
    for (let i = 0; i < 2; i++) await (await client.beginSend(message, { operationId, updateIntervalInMs: 10 })).pollUntilDone();
    assert.deepEqual(sandbox.outbox().emails.map((e) => e.operationId), [operationId]);
  });

  it('Teams: 202 for everything; the outbox says which cards Teams would show', async () => {
    sandbox.clearOutbox();
    const url = new URL(sandbox.teamsWebhooks['ml-alerts']).pathname;
    const card = (text: string) => JSON.stringify({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text }] } }],
    });
    const posts = [card('ci-oom fails'), card('x'.repeat(TEAMS_MAX_BYTES)), JSON.stringify({ text: 'not a card' })];
    for (const body of posts) assert.equal((await sandboxRequest(sandbox, 'POST', url, { headers: { 'content-type': 'application/json' }, body })).status, 202);
    const teams = sandbox.outbox().teams;
    assert.deepEqual(teams.map((t) => [t.channel, t.accepted]), [['ml-alerts', true], ['ml-alerts', false], ['ml-alerts', false]]);
    assert.equal(teams[0].bytes, Buffer.byteLength(posts[0]));
    assert.match(teams[1].reason ?? '', /28000-byte limit/);
    assert.equal((await sandboxRequest(sandbox, 'POST', '/teams/other', { body: card('x') })).status, 404);
    const viaRoute = (await sandboxRequest(sandbox, 'GET', '/_sandbox/outbox')).json<{ teams: unknown[]; emails: unknown[] }>();
    assert.equal(viaRoute.teams.length, 3);
    assert.equal((await sandboxRequest(sandbox, 'DELETE', '/_sandbox/outbox')).status, 204);
    assert.equal(sandbox.outbox().teams.length, 0);
  });
});
