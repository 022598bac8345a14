// "New" or "back again": a regression to fail says which only when tbmon knows — the state remembers whether the
// check failed on the host before; states stored before it remembered say neither. And the status page's timeline:
// failing since = the first sweep of the current failing run (unknown sweeps do not break it), last change, the strip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../../shared/config';
import { stepCheck, type CheckState } from '../../shared/regressions';
import { nextTimeline, RECENT_SWEEPS, type HostTimeline } from '../../shared/state/reports';

const settings = loadSettings({});

function run(statuses: ('pass' | 'fail' | 'warn' | 'unknown' | 'skipped')[], start?: CheckState): (string | undefined)[] {
  let state = start;
  const out: (string | undefined)[] = [];
  statuses.forEach((status, i) => {
    const { state: next, transition } = stepCheck(state, { status }, settings, `sw${i}`);
    if (transition?.kind === 'regression' && transition.to === 'fail') out.push(transition.repeat ?? 'neither');
    state = next;
  });
  return out;
}

test('first failure is new; failing after a recovery is back again; unknown and skipped in between change nothing', () => {
  assert.deepEqual(run(['fail']), ['new']);
  assert.deepEqual(run(['pass', 'fail']), ['new']);
  assert.deepEqual(run(['pass', 'fail', 'pass', 'fail']), ['new', 'again']);
  assert.deepEqual(run(['fail', 'unknown', 'skipped', 'fail']), ['new'], 'an unknown sweep does not end the failing run');
  assert.deepEqual(run(['fail', 'warn', 'fail']), ['new', 'again']);
});

test('a state stored before tbmon remembered earlier failures claims neither', () => {
  const legacy: CheckState = { lastKnown: 'pass', unknownStreak: 0, since: 'old', unknownSince: null };
  assert.deepEqual(run(['fail'], legacy), ['neither']);
  assert.deepEqual(run(['fail', 'pass', 'fail'], legacy), ['neither', 'again']);
});

test('timeline: failing since the first failing sweep, through unknown ones; last change; the strip keeps the last sweeps', () => {
  const step = (prev: HostTimeline | null, prevStatus: 'pass' | 'fail' | 'warn' | 'unknown' | null, status: 'pass' | 'fail' | 'warn' | 'unknown', at: string) =>
    nextTimeline(prev, prevStatus, { status, evaluatedAt: at });
  let t = step(null, null, 'pass', 't0');
  assert.deepEqual(t, { recent: 'p', failingSince: null, lastChangeAt: null });
  t = step(t, 'pass', 'fail', 't1');
  assert.deepEqual(t, { recent: 'pf', failingSince: 't1', lastChangeAt: 't1' });
  t = step(t, 'fail', 'unknown', 't2');
  t = step(t, 'unknown', 'fail', 't3');
  assert.equal(t.failingSince, 't1', 'unknown did not break the run');
  assert.equal(t.recent, 'pfuf');
  t = step(t, 'fail', 'pass', 't4');
  assert.deepEqual([t.failingSince, t.lastChangeAt], [null, 't4']);
  for (let i = 0; i < 40; i++) t = step(t, 'pass', 'pass', `x${i}`);
  assert.equal(t.recent.length, RECENT_SWEEPS);
});
