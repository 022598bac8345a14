// tbmon's own health: the pure rules (a table of ledger/queue states → healthy, degraded, unhealthy) and
// GET /api/health through the dev host on Azurite after a real sweep → evaluate → alert cycle of the app's handlers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeHealth, scheduleIntervalMs, type HealthFacts, type HealthReport, type QueueDepth } from '../../shared/health';
import type { SweepRecord } from '../../shared/state/sweeps';
import { enqueueJson } from '../../shared/storage';
import { startTestApp, type TestApp } from '../support/app';
import { loadTenant } from '../support/sandbox';

const NOW = new Date('2026-11-26T06:20:00Z');
const EVERY_15 = '0 */15 * * * *';

function sweep(id: string, state: SweepRecord['state'], startedAt: string, completedAt: string | null, extra: Partial<SweepRecord> = {}): SweepRecord {
  return {
    sweepId: id, startedAt, scope: 'all', state, batchCount: 2, doneCount: state === 'complete' ? 2 : 1, hostCount: 11, completedAt,
    alertsClaimedAt: null, subscriptionsRead: 2, subscriptionsFailed: 0, goneCount: 0, errors: [], ...extra,
  };
}
const queues = (poison = 0): QueueDepth[] => [
  { queue: 'tb-evaluate', messages: 0, poison: false }, { queue: 'tb-evaluate-poison', messages: poison, poison: true },
  { queue: 'tb-alerts', messages: 0, poison: false }, { queue: 'tb-alerts-poison', messages: 0, poison: true },
];
const facts = (sweeps: SweepRecord[], poison = 0, schedule = EVERY_15): HealthFacts => ({ now: NOW, schedule, sweeps, queues: queues(poison), outboxWaiting: 0 });

const cases: { name: string; facts: HealthFacts; status: HealthReport['status']; reason?: RegExp }[] = [
  { name: 'a sweep completed 10 minutes ago', facts: facts([sweep('20261126T060000Z-a', 'complete', '2026-11-26T06:00:00Z', '2026-11-26T06:10:00Z')]), status: 'healthy' },
  { name: 'the newest sweep still running, the one before complete', facts: facts([sweep('20261126T061500Z-b', 'enqueued', '2026-11-26T06:15:00Z', null), sweep('20261126T060000Z-a', 'complete', '2026-11-26T06:00:00Z', '2026-11-26T06:05:00Z')]), status: 'healthy' },
  { name: 'exactly twice the interval is still healthy', facts: facts([sweep('20261126T054000Z-a', 'complete', '2026-11-26T05:40:00Z', '2026-11-26T05:50:00Z')]), status: 'healthy' },
  { name: 'last completed sweep older than twice the schedule', facts: facts([sweep('20261126T053000Z-a', 'complete', '2026-11-26T05:30:00Z', '2026-11-26T05:45:00Z')]), status: 'unhealthy', reason: /more than twice the schedule's interval \(15 minutes\)/ },
  { name: 'a sweep that stalls (enqueued for an hour) and none completed since', facts: facts([sweep('20261126T051500Z-s', 'enqueued', '2026-11-26T05:15:00Z', null), sweep('20261126T050000Z-a', 'complete', '2026-11-26T05:00:00Z', '2026-11-26T05:10:00Z')]), status: 'unhealthy', reason: /finished 70 minutes ago/ },
  { name: 'no sweep at all', facts: facts([]), status: 'unhealthy', reason: /no sweep has completed/ },
  { name: 'the newest sweep failed', facts: facts([sweep('20261126T061500Z-f', 'failed', '2026-11-26T06:15:00Z', '2026-11-26T06:15:05Z', { errors: [{ scope: 'tenant', code: 'AuthorizationFailed', message: 'no subscription readable' }] }), sweep('20261126T060000Z-a', 'complete', '2026-11-26T06:00:00Z', '2026-11-26T06:10:00Z')]), status: 'unhealthy', reason: /last sweep \(20261126T061500Z-f\) failed: tenant: no subscription readable/ },
  { name: 'poison messages on a healthy app', facts: facts([sweep('20261126T060000Z-a', 'complete', '2026-11-26T06:00:00Z', '2026-11-26T06:10:00Z')], 3), status: 'degraded', reason: /3 messages in tb-evaluate-poison/ },
  { name: 'poison messages do not soften unhealthy', facts: facts([], 1), status: 'unhealthy', reason: /1 message in tb-evaluate-poison/ },
  { name: 'an hourly schedule allows two hours', facts: facts([sweep('20261126T050000Z-a', 'complete', '2026-11-26T05:00:00Z', '2026-11-26T05:10:00Z')], 0, '0 0 * * * *'), status: 'healthy' },
];

for (const c of cases) {
  test(`health: ${c.name} → ${c.status}`, () => {
    const h = judgeHealth(c.facts);
    assert.equal(h.status, c.status, h.reasons.join('; '));
    if (c.reason) assert.ok(h.reasons.some((r) => c.reason!.test(r)), `${c.reason} in ${JSON.stringify(h.reasons)}`);
    if (c.status === 'healthy') assert.deepEqual(h.reasons, []);
  });
}

test('scheduleIntervalMs: the longest gap of the next fires (6-field NCRONTAB, UTC)', () => {
  assert.equal(scheduleIntervalMs(EVERY_15, NOW), 15 * 60_000);
  assert.equal(scheduleIntervalMs('0 30 9 * * 1-5', new Date('2026-11-26T06:00:00Z')), 3 * 86_400_000); // Thu → Fri → Mon
});

const contoso = loadTenant('contoso');
let t: TestApp;
before(async () => {
  t = await startTestApp({ tenant: contoso, functions: ['sweep', 'evaluate', 'alert', 'health'] });
});
after(() => t?.close());

async function health(init: RequestInit & { key?: string | null } = {}): Promise<{ status: number; body: HealthReport & { error?: { code: string } } }> {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set('x-functions-key', init.key ?? t.key('health'));
  const res = await fetch(t.url('health'), { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as HealthReport };
}

test('GET /api/health: 503 before any sweep, 200 after one, degraded with poison messages; a function key is required', async () => {
  const first = await health();
  assert.equal(first.status, 503);
  assert.equal(first.body.status, 'unhealthy');
  assert.equal(first.body.lastSweep, null);

  assert.equal((await health({ key: null })).status, 401);
  assert.equal((await health({ method: 'POST' })).status, 405);

  await t.host.runTimer('sweep');
  await t.host.drain({ timeoutMs: 60_000 });
  const ok = await health();
  assert.equal(ok.status, 200, JSON.stringify(ok.body.reasons));
  assert.equal(ok.body.status, 'healthy');
  assert.equal(ok.body.lastSweep?.state, 'complete');
  assert.equal(ok.body.lastSweep?.batches.done, ok.body.lastSweep?.batches.total);
  assert.ok((ok.body.lastSweep?.hosts ?? 0) > 0);
  assert.equal(ok.body.outboxWaiting, 0, 'every notice of the cycle was sent');
  assert.deepEqual(ok.body.queues.map((q) => q.queue).sort(), ['tb-alerts', 'tb-alerts-poison', 'tb-evaluate', 'tb-evaluate-poison']);

  const poison = t.app.storage.queue('tb-evaluate-poison');
  await poison.createIfNotExists();
  await enqueueJson(poison, { reason: 'test', message: { sweepId: 'x', batchKey: 'y' } });
  const degraded = await health();
  assert.equal(degraded.status, 200);
  assert.equal(degraded.body.status, 'degraded');
  assert.match(degraded.body.reasons.join('\n'), /1 message in tb-evaluate-poison/);
  await poison.clearMessages();
});
