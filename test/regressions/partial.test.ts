// CHECKS.md § Partial evidence in the regression rules: a partial verdict better than the last known status is a data
// gap (no improvement, no recovery, and so no second "new" regression when the full evidence returns); a partial
// verdict as bad or worse is judged like any other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareHost, noticesFor, stepCheck, type CheckState, type HostCheckStates, type KnownStatus, type RegressionSettings, type TransitionKind } from '../../shared/regressions';
import { runChecks } from '../../shared/checks/registry';
import { ALL_CHECKS } from '../../shared/checks/registry';
import type { CheckStatus } from '../../shared/model';
import { hostOf } from '../../shared/model';
import { evidence, host, kernelLog, series, settings } from '../support/evidence';

const defaults: RegressionSettings = { alertMinStatus: 'warn', alertOnFirstSight: true, dataGapSweeps: 4, alertNewChecks: false };

const rows: { name: string; last: KnownStatus | null; streak?: number; now: CheckStatus; expect: { kind: TransitionKind; send: boolean } | null; lastKnown: KnownStatus | null; streakAfter: number }[] = [
  { name: 'fail → partial warn: a data gap, not an improvement', last: 'fail', now: 'warn', expect: null, lastKnown: 'fail', streakAfter: 1 },
  { name: 'warn → partial warn: still warning', last: 'warn', now: 'warn', expect: null, lastKnown: 'warn', streakAfter: 0 },
  { name: 'pass → partial warn: a regression (what was seen is worse)', last: 'pass', now: 'warn', expect: { kind: 'regression', send: true }, lastKnown: 'warn', streakAfter: 0 },
  { name: 'pass → partial fail: a regression', last: 'pass', now: 'fail', expect: { kind: 'regression', send: true }, lastKnown: 'fail', streakAfter: 0 },
  { name: 'first sight → partial warn: a regression "new"', last: null, now: 'warn', expect: { kind: 'regression', send: true }, lastKnown: 'warn', streakAfter: 0 },
  { name: 'fail → 4th partial warn in a row: one data-gap notice', last: 'fail', streak: 3, now: 'warn', expect: { kind: 'data-gap', send: true }, lastKnown: 'fail', streakAfter: 4 },
];

for (const row of rows) {
  test(row.name, () => {
    const prev: CheckState | undefined = row.last === null ? undefined : { lastKnown: row.last, unknownStreak: row.streak ?? 0, since: 'sw0', unknownSince: row.streak ? 'sw0' : null };
    const { state, transition } = stepCheck(prev, { status: row.now, partial: true }, defaults, 'sw1');
    assert.deepEqual(transition && { kind: transition.kind, send: transition.send }, row.expect);
    assert.equal(state.lastKnown, row.lastKnown);
    assert.equal(state.unknownStreak, row.streakAfter);
  });
}

test('memory pressure: an OOM kill, then the kernel query fails while memory is low, then the kill is seen again — one notice in all', () => {
  const h = host();
  const low = { ok: true as const, value: { series: [series('memory-available-pct', { worstBinMax: 4, node: 'ci-tb' })] } };
  const kill = kernelLog([['05:40', 'kern', 'Out of memory: Killed process 4242 (tensorboard) total-vm:9000kB']]);
  const memoryCheck = ALL_CHECKS.filter((c) => c.id === 'resource.memory-pressure');
  const sweeps = [
    evidence(h, { kernel: kill, metrics: low }),
    evidence(h, { kernel: { ok: false, reason: 'the kernel query failed after retries (503)' }, metrics: low }),
    evidence(h, { kernel: kill, metrics: low }),
  ];
  let states: HostCheckStates | undefined;
  const told: string[] = [];
  const seen: string[] = [];
  sweeps.forEach((ev, i) => {
    const checks = runChecks(ev, settings, { checks: memoryCheck });
    seen.push(`${checks[0].status}${checks[0].partial ? ' (partial)' : ''}`);
    const step = compareHost(states, checks, defaults, `sw${i + 1}`);
    states = step.states;
    told.push(...noticesFor(hostOf(h), step.transitions, checks, `sw${i + 1}`, `2026-11-26T0${i}:00:00Z`).map((n) => `${n.kind} ${n.from ?? 'new'}→${n.to}`));
    assert.ok(!step.transitions.some((t) => t.kind === 'improvement'), `sweep ${i + 1}: no improvement from partial evidence`);
  });
  assert.deepEqual(seen, ['fail', 'warn (partial)', 'fail']);
  assert.deepEqual(told, ['regression new→fail'], 'the fail is told once; the partial warn between is a data gap');
  assert.equal(states?.['resource.memory-pressure'].lastKnown, 'fail');
});
