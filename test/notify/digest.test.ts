import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDigest, digestId, digestTitle, worstRegression } from '../../shared/notify/digest';
import { host, notice } from './fixtures';

test('hosts are grouped and ordered worst first; the subject names the worst host and check', () => {
  const a = host('ci-a'), b = host('ci-gpu-1'), c = host('ci-c'), d = host('ci-d'), e = host('ci-e');
  const notices = [
    notice(a, 'regression', 'resource.cpu-saturation', { to: 'warn', severity: 'low' }),
    notice(b, 'regression', 'script.logdir', { severity: 'low' }),
    notice(b, 'regression', 'network.tensorboard-port', { severity: 'high' }),
    notice(c, 'recovery', 'script.port-in-use'),
    notice(d, 'gone', undefined),
    notice(e, 'data-gap', 'resource.memory-pressure'),
  ];
  const dg = buildDigest('o@contoso.com', 's-1', notices);
  assert.deepEqual(dg.hosts.map((h) => [h.host.name, h.group]), [
    ['ci-gpu-1', 'failing'], ['ci-a', 'warning'], ['ci-e', 'no-data'], ['ci-c', 'recovered'], ['ci-d', 'gone'],
  ]);
  assert.deepEqual(dg.hosts[0].regressions.map((n) => n.checkId), ['network.tensorboard-port', 'script.logdir']);
  assert.deepEqual(worstRegression(dg), { host: b, checkId: 'network.tensorboard-port' });
  assert.equal(digestTitle(dg), 'tbmon: 2 TensorBoard hosts regressed — worst: ci-gpu-1 (network.tensorboard-port); 1 without data, 1 recovered, 1 gone');
});

test('titles without regressions, singular and plural', () => {
  const a = host('ci-a');
  assert.equal(digestTitle(buildDigest('x@y.io', 's', [notice(a, 'regression', 'script.port-in-use')])), 'tbmon: 1 TensorBoard host regressed — worst: ci-a (script.port-in-use)');
  assert.equal(digestTitle(buildDigest('x@y.io', 's', [notice(a, 'recovery', 'script.port-in-use'), notice(host('b'), 'recovery', 'x.y')])), 'tbmon: 2 TensorBoard hosts recovered');
  assert.equal(digestTitle(buildDigest('x@y.io', 's', [notice(a, 'gone', undefined)])), 'tbmon: 1 TensorBoard host gone');
});

test('held-back notices merge: per check the newest transition wins, a newer gone replaces the rest', () => {
  const a = host('ci-a'), b = host('ci-b');
  const dg = buildDigest('x@y.io', 's-2', [
    notice(a, 'regression', 'script.port-in-use', { observedAt: '2026-11-26T05:00:00Z', sweepId: 's-1' }),
    notice(a, 'recovery', 'script.port-in-use', { observedAt: '2026-11-26T06:00:00Z' }),
    notice(a, 'regression', 'network.tensorboard-port', { observedAt: '2026-11-26T05:00:00Z', sweepId: 's-1' }),
    notice(b, 'regression', 'script.port-in-use', { observedAt: '2026-11-26T05:00:00Z', sweepId: 's-1' }),
    notice(b, 'gone', undefined, { observedAt: '2026-11-26T06:00:00Z' }),
  ]);
  assert.equal(dg.notices.length, 5, 'every row is covered (and marked sent together)');
  const [sa, sb] = dg.hosts;
  assert.equal(sa.host.name, 'ci-a');
  assert.deepEqual(sa.regressions.map((n) => n.checkId), ['network.tensorboard-port']);
  assert.deepEqual(sa.recoveries.map((n) => n.checkId), ['script.port-in-use']);
  assert.equal(sb.group, 'gone');
  assert.equal(sb.regressions.length, 0);
});

test('held-back notices merge: a later data gap does not hide the regression or recovery it followed (the last known status stands)', () => {
  const a = host('ci-a');
  const at = (hh: string) => `2026-11-26T${hh}:00:00Z`;
  const cases: [name: string, notices: ReturnType<typeof notice>[], want: { group: string; regressions: string[]; recoveries: string[]; dataGaps: string[] }][] = [
    ['fail, then no data', [notice(a, 'regression', 'script.not-running', { observedAt: at('05') }), notice(a, 'data-gap', 'script.not-running', { from: 'fail', observedAt: at('06') })],
      { group: 'failing', regressions: ['script.not-running'], recoveries: [], dataGaps: ['script.not-running'] }],
    ['recovered, then no data', [notice(a, 'recovery', 'script.not-running', { observedAt: at('05') }), notice(a, 'data-gap', 'script.not-running', { from: 'pass', observedAt: at('06') })],
      { group: 'no-data', regressions: [], recoveries: ['script.not-running'], dataGaps: ['script.not-running'] }],
    ['no data, then fail: the gap is over', [notice(a, 'data-gap', 'script.not-running', { observedAt: at('05') }), notice(a, 'regression', 'script.not-running', { observedAt: at('06') })],
      { group: 'failing', regressions: ['script.not-running'], recoveries: [], dataGaps: [] }],
    ['fail, then recovered: the recovery is told', [notice(a, 'regression', 'script.not-running', { observedAt: at('05') }), notice(a, 'recovery', 'script.not-running', { observedAt: at('06') })],
      { group: 'recovered', regressions: [], recoveries: ['script.not-running'], dataGaps: [] }],
  ];
  for (const [name, notices, want] of cases) {
    const [section] = buildDigest('x@y.io', 's-2', notices).hosts;
    assert.deepEqual({ group: section.group, regressions: section.regressions.map((n) => n.checkId), recoveries: section.recoveries.map((n) => n.checkId), dataGaps: section.dataGaps.map((n) => n.checkId) }, want, name);
  }
});

test('the digest id is a stable UUID of recipient and notice ids, order-free', () => {
  const ns = [notice(host('a'), 'regression', 'x.y'), notice(host('b'), 'regression', 'x.y')];
  const id = digestId('A@x.io', ns);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(digestId('a@x.io', [...ns].reverse()), id);
  assert.notEqual(digestId('b@x.io', ns), id);
  assert.notEqual(digestId('a@x.io', ns.slice(1)), id);
});
