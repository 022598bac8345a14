// CHECKS.md § What counts as a regression, row by row: one line per case, run by one helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareHost, noticeId, noticesFor, stepCheck, type CheckState, type HostCheckStates, type KnownStatus, type RegressionSettings, type TransitionKind } from '../../shared/regressions';
import { activeSuppressions, applySuppressions, parseSuppressions } from '../../shared/suppressions';
import type { CheckResult, CheckStatus, Host } from '../../shared/model';
import { testHost } from '../support/hosts';

const defaults: RegressionSettings = { alertMinStatus: 'fail', alertOnFirstSight: true, dataGapSweeps: 4, alertNewChecks: false };

interface Row {
  name: string;
  last: KnownStatus | null;
  streak?: number;
  now: CheckStatus;
  suppressed?: boolean;
  settings?: Partial<RegressionSettings>;
  expect: { kind: TransitionKind; send: boolean } | null;
  lastKnown: KnownStatus | null;
  streakAfter?: number;
}

const rows: Row[] = [
  { name: 'first sight → fail: regression "new", sent', last: null, now: 'fail', expect: { kind: 'regression', send: true }, lastKnown: 'fail' },
  { name: 'first sight → fail, TBMON_ALERT_ON_FIRST_SIGHT=false: recorded, not sent', last: null, now: 'fail', settings: { alertOnFirstSight: false }, expect: { kind: 'regression', send: false }, lastKnown: 'fail' },
  { name: 'first sight → pass: nothing', last: null, now: 'pass', expect: null, lastKnown: 'pass' },
  { name: 'first sight → warn (min fail): recorded, not sent', last: null, now: 'warn', expect: { kind: 'regression', send: false }, lastKnown: 'warn' },
  { name: 'first sight → warn (min warn): sent', last: null, now: 'warn', settings: { alertMinStatus: 'warn' }, expect: { kind: 'regression', send: true }, lastKnown: 'warn' },
  { name: 'first sight → unknown: nothing, streak 1', last: null, now: 'unknown', expect: null, lastKnown: null, streakAfter: 1 },
  { name: 'first sight → skipped: nothing', last: null, now: 'skipped', expect: null, lastKnown: null, streakAfter: 0 },
  { name: 'pass → fail: regression', last: 'pass', now: 'fail', expect: { kind: 'regression', send: true }, lastKnown: 'fail' },
  { name: 'warn → fail: regression', last: 'warn', now: 'fail', expect: { kind: 'regression', send: true }, lastKnown: 'fail' },
  { name: 'pass → warn (min fail): regression of warn level, not sent', last: 'pass', now: 'warn', expect: { kind: 'regression', send: false }, lastKnown: 'warn' },
  { name: 'pass → warn (min warn): sent', last: 'pass', now: 'warn', settings: { alertMinStatus: 'warn' }, expect: { kind: 'regression', send: true }, lastKnown: 'warn' },
  { name: 'fail → pass: recovery, one notice', last: 'fail', now: 'pass', expect: { kind: 'recovery', send: true }, lastKnown: 'pass' },
  { name: 'fail → warn: improvement, not sent', last: 'fail', now: 'warn', settings: { alertMinStatus: 'warn' }, expect: { kind: 'improvement', send: false }, lastKnown: 'warn' },
  { name: 'warn → pass: improvement, not sent', last: 'warn', now: 'pass', expect: { kind: 'improvement', send: false }, lastKnown: 'pass' },
  { name: 'pass → pass: nothing', last: 'pass', now: 'pass', expect: null, lastKnown: 'pass' },
  { name: 'warn → warn: nothing', last: 'warn', now: 'warn', settings: { alertMinStatus: 'warn' }, expect: null, lastKnown: 'warn' },
  { name: 'fail → fail: nothing (still failing)', last: 'fail', now: 'fail', expect: null, lastKnown: 'fail' },
  { name: 'pass → unknown: nothing, last known stays', last: 'pass', now: 'unknown', expect: null, lastKnown: 'pass', streakAfter: 1 },
  { name: 'fail → unknown (2nd): nothing', last: 'fail', streak: 1, now: 'unknown', expect: null, lastKnown: 'fail', streakAfter: 2 },
  { name: 'any → 4th consecutive unknown: one data-gap notice', last: 'pass', streak: 3, now: 'unknown', expect: { kind: 'data-gap', send: true }, lastKnown: 'pass', streakAfter: 4 },
  { name: '5th consecutive unknown: no second data-gap notice', last: 'pass', streak: 4, now: 'unknown', expect: null, lastKnown: 'pass', streakAfter: 5 },
  { name: 'TBMON_DATA_GAP_SWEEPS=2: the 2nd unknown gives the notice', last: null, streak: 1, now: 'unknown', settings: { dataGapSweeps: 2 }, expect: { kind: 'data-gap', send: true }, lastKnown: null, streakAfter: 2 },
  { name: 'fail → unknown → fail: nothing (still failing), streak reset', last: 'fail', streak: 1, now: 'fail', expect: null, lastKnown: 'fail', streakAfter: 0 },
  { name: 'pass → unknown → fail: regression', last: 'pass', streak: 2, now: 'fail', expect: { kind: 'regression', send: true }, lastKnown: 'fail', streakAfter: 0 },
  { name: 'fail → skipped: nothing, last known stays', last: 'fail', now: 'skipped', expect: null, lastKnown: 'fail' },
  { name: 'skipped neither extends nor breaks an unknown streak', last: 'pass', streak: 2, now: 'skipped', expect: null, lastKnown: 'pass', streakAfter: 2 },
  { name: 'suppressed pass → fail: recorded, never sent; state kept as before the suppression', last: 'pass', now: 'fail', suppressed: true, expect: { kind: 'regression', send: false }, lastKnown: 'pass' },
  { name: 'suppressed first sight → fail: never sent', last: null, now: 'fail', suppressed: true, expect: { kind: 'regression', send: false }, lastKnown: null },
  { name: 'suppressed fail → pass: recovery recorded, not sent', last: 'fail', now: 'pass', suppressed: true, expect: { kind: 'recovery', send: false }, lastKnown: 'fail' },
  { name: 'suppressed data gap: not sent, streak kept', last: 'pass', streak: 3, now: 'unknown', suppressed: true, expect: { kind: 'data-gap', send: false }, lastKnown: 'pass', streakAfter: 3 },
];

for (const row of rows) {
  test(row.name, () => {
    const prev: CheckState | undefined = row.last === null && !row.streak ? undefined : { lastKnown: row.last, unknownStreak: row.streak ?? 0, since: 'sw0', unknownSince: row.streak ? 'sw0' : null };
    const { state, transition } = stepCheck(prev, { status: row.now, suppressed: row.suppressed }, { ...defaults, ...row.settings }, 'sw1');
    assert.deepEqual(transition && { kind: transition.kind, send: transition.send }, row.expect);
    if (transition) assert.deepEqual([transition.from, transition.to], [row.last, row.now]);
    assert.equal(state.lastKnown, row.lastKnown);
    assert.equal(state.unknownStreak, row.streakAfter ?? 0);
  });
}

const host: Host = testHost({ id: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM-1', name: 'vm-1', kind: 'vm', subscriptionId: 's1', resourceGroup: 'rg', logAnalyticsWorkspaceId: null });
const known = (s: KnownStatus, since = 'sw0'): CheckState => ({ lastKnown: s, unknownStreak: 0, since, unknownSince: null });
const check = (id: string, status: CheckStatus, extra: Partial<CheckResult> = {}): CheckResult => ({ id, class: 'network', status, severity: 'high', summary: `${id} ${status}`, ...extra });

test('compareHost: steps every check, carries states of absent checks, and only sendable transitions become notices', () => {
  const prev: HostCheckStates = { 'network.a': known('pass'), 'network.gone': known('fail'), 'network.c': known('fail') };
  const checks = [check('network.a', 'fail'), check('network.b', 'warn'), check('network.c', 'warn')];
  const { states, transitions } = compareHost(prev, checks, defaults, 'sweep-1');
  assert.deepEqual(states['network.gone'], known('fail'));
  assert.deepEqual(transitions.map((t) => [t.checkId, t.kind, t.send]), [['network.a', 'regression', true], ['network.b', 'regression', false], ['network.c', 'improvement', false]]);
  const notices = noticesFor(host, transitions, checks, 'sweep-1', '2026-11-26T06:00:00.000Z');
  assert.deepEqual(notices.map((n) => [n.kind, n.checkId, n.from, n.to, n.check?.summary]), [['regression', 'network.a', 'pass', 'fail', 'network.a fail']]);
});

test('notice ids: same transition + sweep → same id; another sweep, check, host or direction → another id', () => {
  const base = { hostId: host.id, checkId: 'network.a', kind: 'regression' as const, from: 'pass', to: 'fail', sweepId: 'sw1' };
  assert.equal(noticeId(base), noticeId({ ...base, hostId: host.id.toUpperCase() }), 'ARM ids compare case-insensitively');
  const others = [{ ...base, sweepId: 'sw2' }, { ...base, checkId: 'network.b' }, { ...base, hostId: `${host.id}2` }, { ...base, from: 'warn' }, { ...base, kind: 'recovery' as const }];
  const ids = new Set([noticeId(base), ...others.map(noticeId)]);
  assert.equal(ids.size, 6);
  assert.match(noticeId(base), /^[0-9a-f]{40}$/);
});

test('suppression in force: the regression is recorded but produces no notice; once expired, the still-failing check alerts', () => {
  const { entries } = parseSuppressions({ 'TBMON-Suppress': 'network.a:2026-11-30' });
  let states: HostCheckStates = { 'network.a': known('pass') };
  const sent: string[] = [];
  for (const now of ['2026-11-30T12:00:00Z', '2026-11-30T23:00:00Z', '2026-12-01T00:00:01Z', '2026-12-01T00:15:00Z']) {
    const checks = applySuppressions([check('network.a', 'fail')], activeSuppressions(entries, new Date(now)));
    const step = compareHost(states, checks, defaults, now);
    states = step.states;
    sent.push(...noticesFor(host, step.transitions, checks, now, now).map((n) => `${now} ${n.kind} ${n.from}→${n.to}`));
  }
  assert.deepEqual(sent, ['2026-12-01T00:00:01Z regression pass→fail'], 'one notice, when the suppression ends; none while it holds, none after');
});

test('anchors: a sweep repeating an unstored observation gets the same notice id; a new episode gets a new one', () => {
  const run = (states: HostCheckStates | undefined, status: CheckStatus, sweepId: string) => {
    const checks = [check('network.a', status)];
    const step = compareHost(states, checks, defaults, sweepId);
    return { states: step.states, ids: noticesFor(host, step.transitions, checks, sweepId, sweepId).map((n) => `${n.kind}:${n.id}`) };
  };
  const s1 = run(undefined, 'pass', 'sw1');
  const failA = run(s1.states, 'fail', 'sw2');
  const failAgain = run(s1.states, 'fail', 'sw3'); // sw2 crashed after writing its notices; sw3 sees the same base
  assert.deepEqual(failAgain.ids, failA.ids);
  const recovered = run(failA.states, 'pass', 'sw4');
  const failB = run(recovered.states, 'fail', 'sw5');
  assert.equal(failB.ids.length, 1);
  assert.notDeepEqual(failB.ids, failA.ids, 'a second episode is a second notice');
  assert.notDeepEqual(recovered.ids, failA.ids);

  const firstA = run(undefined, 'fail', 'sw1');
  assert.deepEqual(run(undefined, 'fail', 'sw2').ids, firstA.ids, 'first sight is one event');

  let gap: HostCheckStates | undefined = s1.states;
  const gapIds: string[][] = [];
  for (const sw of ['u1', 'u2', 'u3', 'u4']) {
    const r = run(gap, 'unknown', sw);
    if (sw === 'u4') gapIds.push(r.ids, run(gap, 'unknown', 'u4-retried-later').ids);
    gap = r.states;
  }
  assert.deepEqual(gapIds[0], gapIds[1]);
  let again = run(gap, 'pass', 'p1').states;
  for (const sw of ['v1', 'v2', 'v3']) again = run(again, 'unknown', sw).states;
  const secondGap = run(again, 'unknown', 'v4').ids;
  assert.equal(secondGap.length, 1);
  assert.notDeepEqual(secondGap, gapIds[0], 'a second data gap is a second notice');
});

test('a check an upgrade added: on a known host its first result is the baseline (introduced, unsent); on a new host first sight as before', () => {
  const prev: HostCheckStates = { 'network.a': known('pass') };
  const checks = [check('network.a', 'pass'), check('script.new-check', 'fail')];
  const quiet = compareHost(prev, checks, defaults, 'sweep-2');
  assert.deepEqual(quiet.transitions.map((t) => [t.checkId, t.kind, t.send, t.introduced]), [['script.new-check', 'regression', false, true]]);
  assert.deepEqual(noticesFor(host, quiet.transitions, checks, 'sweep-2', '2026-11-26T06:00:00.000Z'), []);
  assert.equal(quiet.states['script.new-check'].lastKnown, 'fail', 'the baseline is recorded');
  // The next sweep still failing is not news either; a later recovery and relapse are.
  const next = compareHost(quiet.states, checks, defaults, 'sweep-3');
  assert.deepEqual(next.transitions, []);

  const loud = compareHost(prev, checks, { ...defaults, alertNewChecks: true }, 'sweep-2');
  assert.deepEqual(loud.transitions.map((t) => [t.checkId, t.send, t.introduced]), [['script.new-check', true, true]]);

  const firstSight = compareHost(undefined, checks, defaults, 'sweep-2');
  assert.deepEqual(firstSight.transitions.map((t) => [t.checkId, t.send, t.introduced]), [['script.new-check', true, undefined]], 'a host seen for the first time is not an upgrade');
  const emptyStates = compareHost({}, checks, defaults, 'sweep-2');
  assert.equal(emptyStates.transitions[0].introduced, undefined, 'no stored state at all is first sight too');
});
