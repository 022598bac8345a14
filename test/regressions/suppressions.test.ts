// The tbmon-suppress tag: ids, optional end dates, expiry, and entries that must not silence anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeSuppressions, applySuppressions, parseSuppressions } from '../../shared/suppressions';
import type { CheckResult } from '../../shared/model';

const now = new Date('2026-11-26T06:00:00Z');

const cases: { tag: string | undefined; active: string[]; problems?: number }[] = [
  { tag: undefined, active: [] },
  { tag: '', active: [] },
  { tag: 'network.tensorboard-port', active: ['network.tensorboard-port'] },
  { tag: ' network.aml-outbound , script.logdir ', active: ['network.aml-outbound', 'script.logdir'] },
  { tag: 'Network.AML-Outbound', active: ['network.aml-outbound'] },
  { tag: 'script.logdir:2026-11-26', active: ['script.logdir'] },
  { tag: 'script.logdir:2026-11-25', active: [] },
  { tag: 'script.logdir:2026-11-26T05:59:59Z', active: [] },
  { tag: 'script.logdir:2026-11-26T06:30:00Z,network.flow-denied:2027-01-01', active: ['script.logdir', 'network.flow-denied'] },
  { tag: 'script.logdir:tomorrow', active: [], problems: 1 },
  { tag: 'script.logdir:2026-02-30', active: [], problems: 1 },
  { tag: 'everything, ,script.logdir', active: ['script.logdir'], problems: 1 },
];

for (const c of cases) {
  test(`tbmon-suppress=${JSON.stringify(c.tag)} → ${c.active.join(',') || 'none'}`, () => {
    const { entries, problems } = parseSuppressions(c.tag === undefined ? {} : { 'tbmon-suppress': c.tag });
    assert.deepEqual([...activeSuppressions(entries, now).keys()], c.active);
    assert.equal(problems.length, c.problems ?? 0);
  });
}

test('a suppressed result keeps its real status and carries the reason; others are untouched', () => {
  const results: CheckResult[] = [
    { id: 'script.logdir', class: 'script', status: 'warn', severity: 'low', summary: 'no dashboards' },
    { id: 'network.tensorboard-port', class: 'network', status: 'fail', severity: 'high', summary: 'denied' },
  ];
  const { entries } = parseSuppressions({ 'tbmon-suppress': 'script.logdir:2026-12-31' });
  const out = applySuppressions(results, activeSuppressions(entries, now));
  assert.deepEqual(out[0], { ...results[0], suppressed: true, suppressReason: "suppressed by the host's tbmon-suppress tag until 2026-12-31T23:59:59.999Z" });
  assert.equal(out[1], results[1]);
});
