// GET/POST /api/check through the dev host, wired as in Azure (the app's own handler) to an in-process sandbox
// (contoso) and Azurite. Every malformed or hostile `host` is a 4xx with a message and reaches no Azure API; valid
// names that look like KQL reach Resource Graph only inside an escaped string literal; the HTTP statuses of the
// contract (401, 405, 413, 415, 400, 403, 404, 409, 200 JSON/HTML) hold; a check writes nothing and sends nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { reportStore } from '../../shared/app';
import { parseHostQuery } from '../../shared/host-query';
import { kqlString } from '../../shared/kql';
import type { Report } from '../../shared/model';
import { validateReport } from '../../shared/schemas';
import type { RecordedRequest } from '../../sandbox/server';
import { ambiguousTenant, expectations, failingHostNames, startTestApp, type TestApp } from '../support/app';
import { HOSTILE_HOST_INPUTS } from '../support/hostile-inputs';
import { loadTenant } from '../support/sandbox';

const contoso = loadTenant('contoso');
const SUB1 = contoso.subscriptions[0].subscriptionId;
const SUB2 = contoso.subscriptions[1].subscriptionId;
const hostId = (name: string): string => {
  const r = contoso.resources.find((x) => x.name === name && /\/(computes|virtualMachines)\//i.test(x.id));
  if (!r) throw new Error(`contoso has no host ${name}`);
  return r.id;
};

let t: TestApp;
before(async () => {
  t = await startTestApp({ tenant: contoso });
});
after(() => t?.close());

interface Answer { status: number; type: string; text: string; json: () => { error?: { code?: string; message?: string; candidates?: { id: string }[] } } }

interface SendInit { method?: string; query?: Record<string, string>; rawQuery?: string; headers?: Record<string, string>; body?: string; key?: string | null }

async function send(app: TestApp, init: SendInit): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== null) headers['x-functions-key'] = init.key ?? app.key('check');
  const url = init.rawQuery !== undefined ? `${app.url('check')}?${init.rawQuery}` : app.url('check', init.query);
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
}

const getHost = (app: TestApp, host: string, headers?: Record<string, string>) => send(app, { query: { host }, headers });
const postHost = (app: TestApp, host: unknown) => send(app, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ host }) });

function assertClientError(a: Answer, what: string): void {
  assert.ok(a.status >= 400 && a.status < 500, `${what}: ${a.status} ${a.text.slice(0, 200)}`);
  const message = a.json().error?.message;
  assert.ok(typeof message === 'string' && message.length > 10, `${what}: a message (got ${a.text.slice(0, 200)})`);
}

test(`${HOSTILE_HOST_INPUTS.length} hostile host values, by GET ?host= and by POST JSON: each a 4xx with a message, no Azure request`, async () => {
  assert.ok(HOSTILE_HOST_INPUTS.length >= 100);
  const problems: string[] = [];
  for (const input of HOSTILE_HOST_INPUTS) {
    assert.equal(parseHostQuery(input).ok, false, `the parser refuses ${JSON.stringify(input)}`);
    for (const [how, call] of [['GET', () => getHost(t, input)], ['POST', () => postHost(t, input)]] as const) {
      t.sandbox.clearRequests();
      const a = await call();
      const what = `${how} ${JSON.stringify(input).slice(0, 60)}`;
      try {
        assertClientError(a, what);
        assert.equal(a.status, 400, what);
      } catch (e) {
        problems.push((e as Error).message.split('\n')[0]);
      }
      const made = t.sandbox.requests();
      if (made.length) problems.push(`${what}: refused at parse time but made ${made.length} request(s): ${made.map((r) => r.path).join(', ')}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('bodies and shapes that are not {"host": "<string>"}: 4xx with a message, no Azure request', async () => {
  const cases: { what: string; init: SendInit; status: number }[] = [
    { what: 'host missing (GET)', init: {}, status: 400 },
    { what: 'host twice (GET)', init: { rawQuery: 'host=ci-ok&host=ci-small' }, status: 400 },
    { what: 'a lone % (GET)', init: { rawQuery: 'host=%' }, status: 400 },
    { what: 'a bad escape (GET)', init: { rawQuery: 'host=%ZZci-ok' }, status: 400 },
    { what: 'a truncated UTF-8 escape (GET)', init: { rawQuery: 'host=ci-%E0%A4' }, status: 400 },
    { what: 'an encoded NUL (GET)', init: { rawQuery: 'host=ci-ok%00' }, status: 400 },
    { what: 'host[] (GET)', init: { rawQuery: 'host[]=ci-ok' }, status: 400 },
    { what: 'HOST (GET, names are case-sensitive)', init: { rawQuery: 'HOST=ci-ok' }, status: 400 },
    { what: 'host= empty (GET)', init: { rawQuery: 'host=' }, status: 400 },
    { what: 'not JSON', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"host": ci-ok' }, status: 400 },
    { what: 'text/plain body', init: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'ci-ok' }, status: 415 },
    { what: 'form body', init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'host=ci-ok' }, status: 415 },
    { what: 'no content type', init: { method: 'POST', body: '{"host":"ci-ok"}' }, status: 415 },
    { what: 'JSON array', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '["ci-ok"]' }, status: 400 },
    { what: 'JSON null', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' }, status: 400 },
    { what: 'JSON string', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"ci-ok"' }, status: 400 },
    { what: 'host a number', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"host":42}' }, status: 400 },
    { what: 'host an object', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"host":{"$ne":null}}' }, status: 400 },
    { what: 'host an array', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"host":["ci-ok","ci-small"]}' }, status: 400 },
    { what: 'host absent', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, status: 400 },
    { what: 'extra field', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"host":"ci-ok","query":"Syslog | take 1"}' }, status: 400 },
    { what: 'prototype pollution', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"host":"ci-ok","__proto__":{"x":1}}' }, status: 400 },
    { what: 'empty body', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' }, status: 400 },
    { what: 'huge body (over the 16 KiB limit of check)', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ host: 'a'.repeat(20_000) }) }, status: 413 },
    { what: 'bad format', init: { query: { host: 'ci-ok', format: 'xml' } }, status: 400 },
  ];
  for (const c of cases) {
    t.sandbox.clearRequests();
    const a = await send(t, c.init);
    assert.equal(a.status, c.status, `${c.what}: ${a.text.slice(0, 200)}`);
    assertClientError(a, c.what);
    assert.deepEqual(t.sandbox.requests(), [], `${c.what} reaches no Azure API`);
  }
});

test('the host refuses before the function: missing or wrong key 401, wrong method 405, body over the host limit 413', async () => {
  const cases: { what: string; init: SendInit; status: number }[] = [
    { what: 'no key', init: { query: { host: 'ci-ok' }, key: null }, status: 401 },
    { what: 'wrong key', init: { query: { host: 'ci-ok' }, key: 'not-the-key' }, status: 401 },
    { what: "the status function's key", init: { query: { host: 'ci-ok' }, key: 'status' }, status: 401 },
    { what: 'PUT', init: { method: 'PUT', query: { host: 'ci-ok' } }, status: 405 },
    { what: 'DELETE', init: { method: 'DELETE', query: { host: 'ci-ok' } }, status: 405 },
    { what: 'PATCH', init: { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"host":"ci-ok"}' }, status: 405 },
    { what: 'a 2 MiB body', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ host: 'x'.repeat(2 * 1024 * 1024) }) }, status: 413 },
  ];
  for (const c of cases) {
    t.sandbox.clearRequests();
    const a = await send(t, c.init.key === 'status' ? { ...c.init, key: t.key('status') } : c.init);
    assert.equal(a.status, c.status, c.what);
    assert.deepEqual(t.sandbox.requests(), [], `${c.what} reaches no Azure API`);
  }
  const key = await fetch(t.url('check', { host: 'ci-ok', code: 'wrong' }));
  assert.equal(key.status, 401, 'a wrong key in ?code=');
});

/** The KQL text of the Resource Graph requests made, with `literal` replaced by a placeholder. */
function graphTemplates(requests: RecordedRequest[], literal: string): string[] {
  return requests.filter((r) => r.api === 'resourceGraph').map((r) => (r.query ?? '').split(literal).join('«name»'));
}

test('valid names that look like KQL reach Resource Graph only as an escaped string literal, and are not found (404)', async () => {
  const baseline = 'zz-no-such-host';
  t.sandbox.clearRequests();
  const base = await getHost(t, baseline);
  assert.equal(base.status, 404, base.text);
  assert.match(base.json().error!.message!, /zz-no-such-host/);
  const template = graphTemplates(t.sandbox.requests(), kqlString(baseline));
  assert.equal(template.filter((q) => q.includes('«name»')).length, 1, 'the name is looked up in Resource Graph, once');

  const names = ['Syslog', 'union', 'take', 'where', 'project', 'let', 'evaluate', 'externaldata', 'x.take-1', 'print_1', 'a--b', 'ci-ok.', 'ci-ok..x', '1-2-3'];
  for (const name of names) {
    assert.equal(parseHostQuery(name).ok, true, name);
    t.sandbox.clearRequests();
    const a = await postHost(t, name);
    assert.equal(a.status, 404, `${name}: ${a.text}`);
    assertClientError(a, name);
    const made = t.sandbox.requests();
    assert.ok(made.every((r) => r.api === 'resourceGraph' || r.api === 'arm'), `${name}: only discovery calls`);
    assert.deepEqual(graphTemplates(made, kqlString(name)), template, `${name}: the same query, the name only inside its literal`);
  }
});

test('an ARM id of a resource that does not exist, in scope: 404 from one fresh ARM read', async () => {
  const id = `/subscriptions/${SUB1}/resourceGroups/rg-ml-prod/providers/Microsoft.Compute/virtualMachines/vm-gone`;
  t.sandbox.clearRequests();
  const a = await getHost(t, id);
  assert.equal(a.status, 404, a.text);
  assertClientError(a, id);
  assert.ok(t.sandbox.requests().some((r) => r.api === 'arm' && r.path.toLowerCase() === id.toLowerCase()));
  const id2 = `/subscriptions/${SUB1}/resourceGroups/rg-ml-prod/providers/Microsoft.Compute/virtualMachines/vm-build-agent`;
  const notTb = await getHost(t, id2);
  assert.equal(notTb.status, 404, 'a VM without the tensorboard tag is not a TensorBoard host');
  assert.match(notTb.json().error!.message!, /not a TensorBoard host/);
});

function designed(name: string): Record<string, string> {
  const e = expectations(contoso)[name];
  assert.ok(e, `_expect has ${name}`);
  return e;
}

function assertHostReport(a: Answer, name: string): Report {
  assert.equal(a.status, 200, a.text.slice(0, 300));
  const report = JSON.parse(a.text) as Report;
  const v = validateReport(report);
  assert.ok(v.ok, v.ok ? '' : v.errors.join('; '));
  assert.equal(report.hosts.length, 1);
  const h = report.hosts[0];
  assert.equal(h.host.name, name);
  for (const [check, status] of Object.entries(designed(name))) {
    assert.equal(h.checks.find((k) => k.id === check)?.status, status, `${name} ${check}`);
  }
  assert.ok(report.stats.requests.arm > 0, 'the check read ARM fresh');
  return report;
}

test('a valid host by name (GET), by ARM id (POST) and by TensorBoard URL: 200 with a report that validates and matches the design', async () => {
  const failing = Object.keys(expectations(contoso)).find((n) => Object.values(designed(n)).includes('fail'))!;
  const byName = assertHostReport(await getHost(t, failing), failing);
  assert.equal(byName.hosts[0].status, 'fail');
  const byId = assertHostReport(await postHost(t, hostId(failing)), failing);
  assert.equal(byId.hosts[0].host.id, byName.hosts[0].host.id);

  const h = byName.hosts[0].host;
  if (h.kind === 'compute-instance') {
    const url = `https://${h.name}-${h.publishedPort}.${h.location}.instances.azureml.ms/#scalars`;
    const byUrl = assertHostReport(await getHost(t, url), failing);
    assert.equal(byUrl.hosts[0].host.id, h.id);
  }
});

test('HTML when asked for (Accept: text/html or ?format=html); JSON when Accept prefers it', async () => {
  const name = failingHostNames(contoso)[0];
  for (const a of [await getHost(t, name, { accept: 'text/html,application/xhtml+xml' }), await send(t, { query: { host: name, format: 'html' } })]) {
    assert.equal(a.status, 200);
    assert.match(a.type, /^text\/html/);
    assert.match(a.text, /^<!doctype html>/i);
    assert.match(a.text, new RegExp(`data-host="${name}" data-status="fail"`));
    assert.match(a.text, /fix:<pre>/);
  }
  const json = await getHost(t, name, { accept: 'application/json' });
  assert.match(json.type, /application\/json/);
});

test('on demand is read-only: no report stored, nothing sent', async () => {
  const stored: unknown[] = [];
  const store = reportStore(t.app);
  await store.ensureTables();
  for await (const latest of store.listLatest()) stored.push(latest);
  assert.deepEqual(stored, []);
  const outbox = t.sandbox.outbox();
  assert.equal(outbox.emails.length + outbox.teams.length, 0);
});

test('TBMON_SCOPE=subscriptions:<other>: a host of another subscription is 403 by id and 404 by name; its own hosts answer', async () => {
  const sub2Host = contoso.resources.find((r) => r.id.toLowerCase().includes(SUB2) && /\/computes\//i.test(r.id) && expectations(contoso)[r.name])!;
  const scoped = await startTestApp({ tenant: contoso, env: { TBMON_SCOPE: `subscriptions:${SUB2}` }, functions: ['check'] });
  try {
    const sub1Host = contoso.resources.find((r) => r.id.toLowerCase().includes(SUB1) && /\/computes\//i.test(r.id) && expectations(contoso)[r.name])!;
    const byId = await getHost(scoped, sub1Host.id);
    assert.equal(byId.status, 403, byId.text);
    assertClientError(byId, 'out of scope');
    assert.match(byId.json().error!.message!, new RegExp(SUB1));
    const byName = await getHost(scoped, sub1Host.name);
    assert.equal(byName.status, 404, byName.text);
    assertHostReport(await getHost(scoped, sub2Host.name), sub2Host.name);
  } finally {
    await scoped.close();
  }
  const nowhere = await startTestApp({ tenant: contoso, env: { TBMON_SCOPE: 'subscriptions:00000000-0000-0000-0000-0000000000ff' }, functions: ['check'] });
  try {
    const a = await getHost(nowhere, hostId('ci-small'));
    assert.equal(a.status, 403, a.text);
    assertClientError(a, 'out of scope');
  } finally {
    await nowhere.close();
  }
});

test('two hosts of the same name: 409 listing both candidates', async () => {
  const twin = await startTestApp({ tenant: ambiguousTenant(contoso, 'ci-ok'), functions: ['check'] });
  try {
    const a = await getHost(twin, 'ci-ok');
    assert.equal(a.status, 409, a.text);
    assertClientError(a, 'ambiguous');
    const candidates = a.json().error!.candidates!;
    assert.equal(candidates.length, 2);
    assert.equal(new Set(candidates.map((c) => c.id.toLowerCase())).size, 2);
    assert.ok(candidates.some((c) => c.id === hostId('ci-ok').toLowerCase()));
    const byId = await getHost(twin, hostId('ci-ok'));
    assert.equal(byId.status, 200, 'the id is unambiguous');
  } finally {
    await twin.close();
  }
});

test('Azure failing is not "not found": Resource Graph down → 503 with a message; ARM down for an id → 503', async () => {
  const down = await startTestApp({
    tenant: { ...contoso, faults: [{ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', status: 500 }, { method: 'GET', path: hostId('ci-small'), status: 503 }] },
    functions: ['check'],
  });
  try {
    for (const host of ['ci-small', hostId('ci-small')]) {
      const a = await getHost(down, host);
      assert.equal(a.status, 503, `${host}: ${a.text}`);
      assert.ok((a.json().error?.message ?? '').length > 10, 'a message');
    }
  } finally {
    await down.close();
  }
});

test('a TBMON_SCOPE management group that does not exist is the server\'s configuration, not the caller\'s request: 500 naming TBMON_SCOPE', async () => {
  const misconfigured = await startTestApp({ tenant: contoso, env: { TBMON_SCOPE: 'managementGroup:no-such-mg' }, functions: ['check'] });
  try {
    for (const host of ['ci-small', hostId('ci-small')]) {
      const a = await getHost(misconfigured, host);
      assert.equal(a.status, 500, `${host}: ${a.text}`);
      assert.match(a.json().error?.message ?? '', /TBMON_SCOPE/);
    }
  } finally {
    await misconfigured.close();
  }
});
