// A sweep of the demo tenant (contoso) through the app's own handlers on the dev host — sweep → evaluate → alert —
// exports tbmon's metrics to Application Insights: here the sandbox's ingestion endpoint, which records every
// envelope. The names, values and dimensions are asserted against what the run did (the stored reports, the
// sandbox's request log and outbox); nothing but loopback is reached (no Statsbeat, no IMDS, no OneSettings).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import net from 'node:net';
import { evaluateMetricPoints, METRICS } from '../../shared/metrics';
import { emptyRequestCounts, type Report } from '../../shared/model';
import { metricsOf, type IngestedMetric } from '../../sandbox/ingestion';
import { startTestApp, type TestApp } from '../support/app';
import { loadTenant } from '../support/sandbox';

let t: TestApp;
let metrics: IngestedMetric[];
let stored: Report;
const offLoopback: string[] = [];
const restore: (() => void)[] = [];

/** Records every host a socket or a DNS lookup is asked for that is not loopback (the guard refuses them too). */
function watchNetwork(): void {
  const loopback = (h: unknown) => h === undefined || h === null || /^(localhost|127\.\d+\.\d+\.\d+|::1|::ffff:127\.0\.0\.1)$/i.test(String(h));
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function watched(this: net.Socket, ...args: unknown[]) {
    const o = args[0] as { host?: string; path?: string } | number | string;
    const host = typeof o === 'object' && o !== null ? (o.path ? undefined : o.host) : typeof args[1] === 'string' ? args[1] : undefined;
    if (!loopback(host)) offLoopback.push(`connect ${host}`);
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  const lookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = (host: string, ...rest: unknown[]) => {
    if (!loopback(host)) offLoopback.push(`lookup ${host}`);
    return (lookup as (...a: unknown[]) => unknown)(host, ...rest);
  };
  restore.push(() => { net.Socket.prototype.connect = connect; (dns as { lookup: unknown }).lookup = lookup; });
}

const sum = (name: string, where: (m: IngestedMetric) => boolean = () => true) => metrics.filter((m) => m.name === name && where(m)).reduce((a, m) => a + m.value, 0);

before(async () => {
  watchNetwork();
  const started = Date.now();
  t = await startTestApp({ tenant: loadTenant('contoso'), functions: ['sweep', 'evaluate', 'alert', 'status'], appInsights: true });
  await t.host.runTimer('sweep');
  await t.host.drain({ timeoutMs: 180_000 });
  const res = await fetch(`${t.url('status', { format: 'json' })}&code=${encodeURIComponent(t.key('status'))}`);
  stored = (await res.json()) as Report;
  // The exporter would poll its remote configuration 5-15 s after it started: wait that out, then look.
  await new Promise((r) => setTimeout(r, Math.max(0, 16_000 - (Date.now() - started))));
  metrics = metricsOf(t.sandbox.ingestion());
});

after(async () => {
  for (const r of restore) r();
  await t?.close();
});

test('every envelope is a metric for the connection string\'s instrumentation key, sent with an Entra ID token', () => {
  const envelopes = t.sandbox.ingestion();
  assert.ok(envelopes.length > 0, 'something arrived');
  for (const e of envelopes) {
    assert.equal(e.iKey, '00000000-0000-4000-8000-00000000a1b2');
    assert.equal(e.data?.baseType, 'MetricData', e.name);
    assert.equal(e.authenticated, true, 'a bearer token, as the deployed app sends with its managed identity');
  }
  assert.deepEqual([...new Set(metrics.map((m) => m.name))].sort(), Object.keys(METRICS).sort(), 'each listed metric arrived');
});

test('hosts by status and failing per check add up to what the run stored', () => {
  assert.ok(stored.hosts.length > 0);
  for (const status of ['fail', 'warn', 'unknown', 'pass'] as const) {
    assert.equal(sum('tbmon.hosts', (m) => m.properties.status === status), stored.summary[status], `tbmon.hosts{status=${status}}`);
  }
  assert.equal(sum('tbmon.hosts.failing'), stored.summary.fail);
  assert.ok(metrics.filter((m) => m.name === 'tbmon.hosts.failing').every((m) => Object.keys(m.properties).length === 0), 'no dimension on the alert rule\'s metric');
  // Per check: from the stored reports with the same rule, point by point.
  const expected = evaluateMetricPoints(stored.hosts, emptyRequestCounts()).filter((p) => p.name === 'tbmon.check.failing');
  assert.ok(expected.length > 0, 'contoso fails checks');
  for (const p of expected) assert.equal(sum('tbmon.check.failing', (m) => m.properties.check === p.dimensions.check), p.value, p.dimensions.check);
});

test('the sweep: hosts found, one duration; requests per API and stage match the sandbox\'s request log', () => {
  assert.equal(sum('tbmon.sweep.hosts'), stored.hosts.length);
  const durations = metrics.filter((m) => m.name === 'tbmon.sweep.duration');
  assert.equal(durations.reduce((a, m) => a + (m.count ?? 1), 0), 1, 'one sweep, one duration');
  assert.ok(durations[0].value > 0);
  for (const m of metrics.filter((x) => x.name === 'tbmon.requests')) {
    assert.ok(['sweep', 'evaluate'].includes(m.properties.stage), JSON.stringify(m.properties));
    assert.ok(['arm', 'resourceGraph', 'logAnalytics'].includes(m.properties.api), JSON.stringify(m.properties));
  }
  const seen = emptyRequestCounts();
  for (const r of t.sandbox.requests()) if (r.api === 'arm' || r.api === 'resourceGraph' || r.api === 'logAnalytics') seen[r.api]++;
  // A run's request count is the difference of one process-wide counter (the AzureContext's) before and after it, so
  // runs that overlap in one process — batches evaluated side by side, an evaluation starting while the sweep
  // finishes — each count the other's calls: the exported totals are at least what the sandbox saw, never less.
  // (Per-run counting needs a counter per run; see the report's stats, which share the same counter.)
  for (const api of ['resourceGraph', 'logAnalytics'] as const) {
    const exported = sum('tbmon.requests', (m) => m.properties.api === api);
    assert.ok(exported >= seen[api] && seen[api] > 0, `${api}: exported ${exported}, the sandbox saw ${seen[api]}`);
  }
  assert.ok(sum('tbmon.requests', (m) => m.properties.stage === 'sweep' && m.properties.api === 'resourceGraph') > 0);
  assert.ok(sum('tbmon.requests', (m) => m.properties.stage === 'evaluate' && m.properties.api === 'logAnalytics') > 0);
});

test('notices sent per channel match the sandbox outbox', () => {
  const outbox = t.sandbox.outbox();
  assert.ok(outbox.emails.length > 0 && outbox.teams.length > 0);
  assert.equal(sum('tbmon.notices.sent', (m) => m.properties.channel === 'email'), outbox.emails.length);
  assert.equal(sum('tbmon.notices.sent', (m) => m.properties.channel === 'teams'), outbox.teams.length);
});

test('nothing but loopback was asked for (no Statsbeat, IMDS or OneSettings), and no export failed', () => {
  assert.deepEqual(offLoopback, []);
  assert.deepEqual(t.lines.filter((l) => /metrics: export/.test(l)), []);
});
