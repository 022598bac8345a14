// GET /api/status through the dev host: the latest stored report of every host, after a real sweep → evaluate →
// alert cycle of the app's own handlers on Azurite and the sandbox (contoso). HTML and JSON (schema v1), the
// ?subscription= and ?status= filters, and 400 for filter values it does not accept (nothing read for them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Report } from '../../shared/model';
import { validateReport } from '../../shared/schemas';
import { expectations, failingHostNames, startTestApp, type TestApp } from '../support/app';
import { loadTenant } from '../support/sandbox';

const contoso = loadTenant('contoso');
const SUB2 = contoso.subscriptions[1].subscriptionId;

let t: TestApp;
before(async () => {
  t = await startTestApp({ tenant: contoso, functions: ['sweep', 'evaluate', 'alert', 'check', 'status'] });
});
after(() => t?.close());

async function status(query: Record<string, string>, init: RequestInit & { key?: string | null } = {}): Promise<{ status: number; type: string; text: string }> {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set('x-functions-key', init.key ?? t.key('status'));
  const res = await fetch(t.url('status', query), { ...init, headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function statusJson(query: Record<string, string> = {}): Promise<Report> {
  const a = await status({ ...query, format: 'json' });
  assert.equal(a.status, 200, a.text.slice(0, 300));
  const report = JSON.parse(a.text) as Report;
  const v = validateReport(report);
  assert.ok(v.ok, v.ok ? '' : v.errors.join('; '));
  return report;
}

test('before any sweep: 200, no hosts (JSON and HTML)', async () => {
  const report = await statusJson();
  assert.equal(report.hosts.length, 0);
  const html = await status({});
  assert.equal(html.status, 200);
  assert.match(html.text, /No host matches/);
});

test('after a sweep: every discovered host with its latest report, failing hosts first with their fixes', async () => {
  await t.host.runTimer('sweep');
  await t.host.drain({ timeoutMs: 60_000 });
  const report = await statusJson();
  const designed = expectations(contoso);
  const byName = new Map(report.hosts.map((h) => [h.host.name, h]));
  for (const name of Object.keys(designed)) assert.ok(byName.has(name), `${name} stored`);
  for (const name of failingHostNames(contoso)) {
    const h = byName.get(name)!;
    assert.equal(h.status, 'fail', name);
    for (const [check, s] of Object.entries(designed[name])) assert.equal(h.checks.find((k) => k.id === check)?.status, s, `${name} ${check}`);
  }
  const firstNonFail = report.hosts.findIndex((h) => h.status !== 'fail');
  assert.ok(report.hosts.slice(firstNonFail).every((h) => h.status !== 'fail'), 'failing hosts first');
  assert.equal(report.summary.hosts, report.hosts.length);

  const html = await status({});
  assert.equal(html.status, 200);
  assert.match(html.type, /^text\/html/);
  for (const name of failingHostNames(contoso)) {
    assert.match(html.text, new RegExp(`<section class="host fail" id="host-[a-z0-9-]+-[0-9a-f]{10}" data-host="${name}" data-status="fail">`), name);
  }
  assert.match(html.text, /<pre>az /, 'fixes shown');
});

test('?subscription= and ?status= filter (alone and together, either case of the GUID)', async () => {
  const all = await statusJson();
  const sub2 = await statusJson({ subscription: SUB2 });
  assert.ok(sub2.hosts.length > 0 && sub2.hosts.length < all.hosts.length);
  assert.ok(sub2.hosts.every((h) => h.host.subscriptionId === SUB2));
  assert.deepEqual(sub2.hosts.map((h) => h.host.id), all.hosts.filter((h) => h.host.subscriptionId === SUB2).map((h) => h.host.id));
  const upper = await statusJson({ subscription: SUB2.toUpperCase() });
  assert.deepEqual(upper.hosts.map((h) => h.host.id), sub2.hosts.map((h) => h.host.id), 'a subscription id is case-insensitive');

  for (const s of ['fail', 'pass'] as const) {
    const only = await statusJson({ status: s });
    assert.ok(only.hosts.length > 0, `some ${s}`);
    assert.deepEqual(only.hosts.map((h) => h.host.id), all.hosts.filter((h) => h.status === s).map((h) => h.host.id));
    assert.equal(only.summary[s], only.hosts.length);
  }
  const both = await statusJson({ status: 'pass', subscription: SUB2 });
  assert.deepEqual(both.hosts.map((h) => h.host.id), all.hosts.filter((h) => h.status === 'pass' && h.host.subscriptionId === SUB2).map((h) => h.host.id));

  const html = await status({ status: 'fail' });
  assert.equal(html.status, 200);
  assert.doesNotMatch(html.text, /data-status="pass"/);
  assert.match(html.text, /<option value="fail" selected>/);
});

test('filter values it does not accept: 400 with a message', async () => {
  const bad: Record<string, string>[] = [
    { subscription: 'not-a-guid' },
    { subscription: `${SUB2}' or PartitionKey ne '` },
    { subscription: `${SUB2} ` },
    { subscription: '../../reports' },
    { status: 'FAIL ' },
    { status: 'ok' },
    { status: 'skipped' },
    { status: "fail' or '1' eq '1" },
    { format: 'xml' },
  ];
  for (const q of bad) {
    const a = await status(q);
    assert.equal(a.status, 400, `${JSON.stringify(q)}: ${a.text}`);
    const body = JSON.parse(a.text) as { error?: { message?: string } };
    assert.ok((body.error?.message ?? '').length > 10, `${JSON.stringify(q)}: a message`);
  }
});

test('the host refuses before the function: no key or a wrong one 401, POST 405', async () => {
  assert.equal((await status({}, { key: null })).status, 401);
  assert.equal((await status({}, { key: 'wrong' })).status, 401);
  assert.equal((await status({}, { key: t.key('check') })).status, 401, "the check function's key");
  assert.equal((await status({}, { method: 'POST', body: '{}' })).status, 405);
});

test('the function key: kept in the filter form only when it came in the URL (the caller holds it there already); never sent back otherwise, never logged', async () => {
  const key = t.key('status');
  const viaQuery = await status({ code: key, status: 'fail' }, { key: null });
  assert.equal(viaQuery.status, 200);
  assert.equal(viaQuery.text.split(key).length - 1, 1, 'exactly once');
  assert.ok(viaQuery.text.includes(`<input type="hidden" name="code" value="${key}">`), 'in the GET form, so filtering keeps working');
  assert.doesNotMatch(viaQuery.text, /<(script|img|iframe)\b|\ssrc=/i, 'nothing on the page loads from elsewhere');
  assert.match(viaQuery.text, /<meta name="referrer" content="no-referrer">/, 'no link the page holds sends a Referer that could carry the key away');
  for (const href of viaQuery.text.match(/\shref="[^"]*"/g) ?? []) assert.match(href, /^ href="(data:,|#|\?|https:\/\/)/, `${href}: the favicon, an anchor, a filter link or https`);
  const viaHeader = await status({ status: 'fail' });
  assert.equal(viaHeader.status, 200);
  assert.ok(!viaHeader.text.includes(key), 'a key sent as x-functions-key is not echoed');
  assert.ok(!(await status({ code: key, format: 'json' }, { key: null })).text.includes(key), 'JSON never carries it');
  assert.ok(!t.lines.join('\n').includes(key), 'the host logs the path, not the query');
});
