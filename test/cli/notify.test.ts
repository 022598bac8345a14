// `tbmon notify --test` as people run it (the bin as a subprocess) against the sandbox's ACS and Teams webhook, and
// POST /api/notify-test through the dev host with the master key: a sample digest, rendered like a real one, goes
// to the recipient and the Teams channel; the subject and card say it is a test; no secret in what is printed; bad
// recipients and missing channels exit 2 naming what is wrong.
import { after, before, test } from 'node:test';
import { runTbmon } from '../support/bin';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/app';
import { loadTenant } from '../support/sandbox';

let t: TestApp;
before(async () => {
  t = await startTestApp({ tenant: loadTenant('contoso'), functions: ['notifyTest'] });
});
after(() => t?.close());

const tbmon = (args: string[], env: Record<string, string | undefined>) => runTbmon(args, env);

const channels = () => ({
  ACS_CONNECTION_STRING: t.sandbox.acsConnectionString, TBMON_ALERT_EMAIL_FROM: 'tbmon@contoso.com',
  TEAMS_WEBHOOK_URL: Object.values(t.sandbox.teamsWebhooks)[0],
});

test('tbmon notify --test: one sample email to the recipient and one card, marked as a test; nothing secret printed', async () => {
  t.sandbox.clearOutbox();
  const r = await tbmon(['notify', '--test', 'Jane.Doe@contoso.com', '--sandbox-ca', t.sandbox.caCertPath], channels());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /sent: email to j\*\*\*@contoso\.com: accepted by ACS/);
  assert.match(r.stdout, /sent: teams to teams:default: accepted by the webhook \(HTTP 202\)/);
  for (const secret of [t.sandbox.acsAccessKey, channels().TEAMS_WEBHOOK_URL]) assert.ok(!`${r.stdout}${r.stderr}`.includes(secret), 'no key or webhook URL printed');
  const { emails, teams } = t.sandbox.outbox();
  assert.equal(emails.length, 1);
  assert.deepEqual(emails[0].to, ['jane.doe@contoso.com']);
  assert.ok(emails[0].subject.startsWith('[tbmon test] '), emails[0].subject);
  assert.match(emails[0].plainText ?? '', /tbmon-test-host/);
  assert.equal(teams.length, 1);
  assert.ok(teams[0].accepted, teams[0].reason);
  assert.match(JSON.stringify(teams[0].card), /\[tbmon test\] a sample digest: nothing is wrong/);
});

test('tbmon notify: bad arguments and no channel exit 2 naming the problem; a refused channel exits 3', async () => {
  for (const [args, pattern] of [
    [['notify'], /say where to send the test/],
    [['notify', '--test'], /--test needs a value/],
    [['notify', '--test', 'not-an-address'], /is not an email address/],
    [['notify', '--test', 'a@contoso.com', '--loud'], /unknown option --loud/],
    [['notify', '--test', 'a@contoso.com', '--sandbox-ca', '/no/such/ca.pem'], /--sandbox-ca \/no\/such\/ca\.pem: no such file/],
  ] as const) {
    const r = await tbmon([...args], channels());
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  const none = await tbmon(['notify', '--test', 'a@contoso.com'], {});
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no channel is configured/);
  // Without the sandbox's CA the TLS handshake fails: the email is reported as not sent, exit 3.
  const refused = await tbmon(['notify', '--test', 'a@contoso.com'], { ACS_CONNECTION_STRING: channels().ACS_CONNECTION_STRING, TBMON_ALERT_EMAIL_FROM: 'tbmon@contoso.com' });
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /NOT sent: email to a\*\*\*@contoso\.com/);
});

test('POST /api/notify-test: master key only; sends the sample and says what each channel did; bad bodies are 400', async () => {
  t.sandbox.clearOutbox();
  const url = `${t.host.httpUrl}/api/notify-test`;
  const post = (body: string, key: string | null, type = 'application/json') => fetch(url, { method: 'POST', body, headers: { 'content-type': type, ...(key ? { 'x-functions-key': key } : {}) } });
  const master = t.host.keys!.masterKey;
  assert.equal((await post('{"recipient":"a@contoso.com"}', null)).status, 401);
  const ok = await post('{"recipient":"ops@contoso.com"}', master);
  assert.equal(ok.status, 200);
  const body = (await ok.json()) as { sent: { channel: string; ok: boolean }[] };
  assert.deepEqual(body.sent.map((s) => [s.channel, s.ok]), [['email', true], ['teams', true]]);
  assert.deepEqual(t.sandbox.outbox().emails.map((e) => e.to[0]), ['ops@contoso.com']);
  for (const [b, status] of [['{"recipient":"nope"}', 400], ['{"recipient":"a@contoso.com","x":1}', 400], ['[1]', 400], ['{', 400], ['x'.repeat(5000), 413]] as const) {
    assert.equal((await post(b, master)).status, status, b.slice(0, 40));
  }
  assert.equal((await post('{"recipient":"a@contoso.com"}', master, 'text/plain')).status, 415);
  assert.equal((await fetch(url, { headers: { 'x-functions-key': master } })).status, 405);
});
