// The platform rules (shared/platform.ts) as tables: each condition raises once and clears once; the two-sweep rule
// for subscriptions; poison messages that are news and ones already told.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepPoison, stepSubscriptions, stepSweepCondition, type RaisedCondition, type SubscriptionStreak, type SweepFacts } from '../../shared/platform';

const NOW = new Date('2026-11-26T06:20:00Z');
const at = { sweepId: '20261126T062000Z-now', observedAt: NOW.toISOString(), now: NOW };
const HOUR = 3_600_000;
const sweep = (id: string, state: SweepFacts['state'], startedAt: string, errors: SweepFacts['errors'] = []): SweepFacts => ({ sweepId: id, startedAt, state, batchCount: 4, doneCount: state === 'complete' ? 4 : 1, hostCount: 10, errors });
const raised = (key: string, anchor: string): RaisedCondition => ({ key, anchor, raisedAt: '2026-11-26T05:00:00.000Z', title: 'earlier' });

const sweepCases: { name: string; earlier: SweepFacts[]; raised?: RaisedCondition; current?: boolean; expect: string[] }[] = [
  { name: 'all complete, nothing raised', earlier: [sweep('s2', 'complete', '2026-11-26T06:05:00Z'), sweep('s1', 'complete', '2026-11-26T05:50:00Z')], expect: [] },
  { name: 'the newest sweep failed', earlier: [sweep('s2', 'failed', '2026-11-26T06:05:00Z', [{ scope: 'tenant', code: 'X', message: 'no subscription' }]), sweep('s1', 'complete', '2026-11-26T05:50:00Z')], expect: ['raised sweep s2'] },
  { name: 'already raised for that sweep: nothing', earlier: [sweep('s2', 'failed', '2026-11-26T06:05:00Z')], raised: raised('sweep', 's2'), expect: [] },
  { name: 'still failing (another sweep): one episode, nothing new', earlier: [sweep('s3', 'failed', '2026-11-26T06:10:00Z'), sweep('s2', 'failed', '2026-11-26T06:05:00Z')], raised: raised('sweep', 's2'), expect: [] },
  { name: 'a complete sweep after the failure clears it', earlier: [sweep('s3', 'complete', '2026-11-26T06:10:00Z'), sweep('s2', 'failed', '2026-11-26T06:05:00Z')], raised: raised('sweep', 's2'), expect: ['cleared sweep s2'] },
  { name: 'a sweep enqueued past the deadline stalled', earlier: [sweep('s2', 'enqueued', '2026-11-26T05:10:00Z'), sweep('s1', 'complete', '2026-11-26T05:00:00Z')], expect: ['raised sweep s2'] },
  { name: 'a sweep enqueued within the deadline decides nothing', earlier: [sweep('s2', 'enqueued', '2026-11-26T06:05:00Z'), sweep('s1', 'failed', '2026-11-26T05:50:00Z')], raised: raised('sweep', 's1'), expect: [] },
  { name: 'a running sweep in front of a complete one: the complete one clears', earlier: [sweep('s3', 'enqueued', '2026-11-26T06:15:00Z'), sweep('s2', 'complete', '2026-11-26T06:00:00Z')], raised: raised('sweep', 's1'), expect: ['cleared sweep s1'] },
  { name: 'no earlier sweep', earlier: [], expect: [] },
  { name: 'after a failed sweep, one that read its scope clears at once', earlier: [sweep('s2', 'failed', '2026-11-26T06:05:00Z')], raised: raised('sweep', 's2'), current: true, expect: ['cleared sweep s2'] },
  { name: 'after a stall, reading the scope is not enough: a sweep must complete', earlier: [sweep('s2', 'enqueued', '2026-11-26T05:10:00Z')], raised: raised('sweep', 's2'), current: true, expect: [] },
];
for (const c of sweepCases) {
  test(`platform sweep condition: ${c.name}`, () => {
    const r = stepSweepCondition(c.earlier, c.raised ?? null, at, HOUR, c.current);
    assert.deepEqual(r.notices.map((n) => `${n.state} ${n.key} ${n.state === 'raised' ? r.raise[0].anchor : c.raised!.anchor}`), c.expect);
    for (const n of r.notices) assert.ok(n.title.length > 10 && !/undefined|null/.test(n.title), n.title);
  });
}

test('platform subscriptions: two unreadable sweeps in a row raise once; one is not news; read again clears; never-read is ignored', () => {
  const A = 'aaaaaaaa-0000-0000-0000-000000000001';
  const NEW = 'aaaaaaaa-0000-0000-0000-000000000009';
  const readable = new Set([A]);
  const errors = new Map([[A, 'SubscriptionNotReadable: nothing returned']]);
  let streaks = new Map<string, SubscriptionStreak>();
  const step = (read: string[], failed: string[], sweepId: string) => {
    const r = stepSubscriptions(streaks, readable, { read, failed, errors }, { sweepId, observedAt: NOW.toISOString() });
    const next = new Map(streaks);
    for (const s of r.streaks) next.set(s.subscriptionId, s);
    for (const id of r.removed) next.delete(id);
    streaks = next;
    return r.result.notices.map((n) => `${n.state} ${n.key}`);
  };
  assert.deepEqual(step([], [A, NEW], 's1'), [], 'one throttled sweep is not news; a subscription never read is no change');
  assert.equal(streaks.has(NEW), false);
  assert.deepEqual(step([], [A], 's2'), [`raised subscription:${A}`]);
  assert.deepEqual(step([], [A], 's3'), [], 'told once');
  assert.deepEqual(step([A], [], 's4'), [`cleared subscription:${A}`]);
  assert.deepEqual(step([], [A], 's5'), []);
  assert.deepEqual(step([A], [], 's6'), [], 'a one-sweep blip that never raised clears silently');
  assert.equal(streaks.size, 0);
});

test('platform poison: new ids are news once; more of the same is not; empty clears', () => {
  const q = (ids: string[]) => [{ queue: 'tb-evaluate-poison', count: ids.length, ids }, { queue: 'tb-alerts-poison', count: 0, ids: [] }];
  const a = { sweepId: 's', observedAt: NOW.toISOString() };
  const first = stepPoison(q(['m1', 'm2']), new Set(), null, a);
  assert.deepEqual(first.notices.map((n) => [n.state, n.title]), [['raised', "2 new messages in tbmon's poison queues (2 in tb-evaluate-poison)"]]);
  assert.deepEqual(stepPoison(q(['m1', 'm2']), new Set(['m1', 'm2']), first.raise[0], a).notices, [], 'the same messages: already told');
  const more = stepPoison(q(['m1', 'm2', 'm3']), new Set(['m1', 'm2']), first.raise[0], a);
  assert.deepEqual(more.notices.map((n) => n.title), ["1 new message in tbmon's poison queues (3 in tb-evaluate-poison)"]);
  assert.notEqual(more.notices[0].id, first.notices[0].id);
  assert.deepEqual(stepPoison(q([]), new Set(['m1']), first.raise[0], a).notices.map((n) => n.state), ['cleared']);
  assert.deepEqual(stepPoison(q([]), new Set(), null, a).notices, []);
});
