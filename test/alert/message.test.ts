import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertsMessage } from '../../functions/alert';

test('tb-alerts messages: {sweepId} accepted, anything else refused with a reason', () => {
  assert.deepEqual(parseAlertsMessage({ sweepId: '2026-11-26T06:00:00Z-3f2a' }), { sweepId: '2026-11-26T06:00:00Z-3f2a' });
  const bad: unknown[] = [null, 'text', 42, [], {}, { sweepId: '' }, { sweepId: 7 }, { sweepId: 'a b' }, { sweepId: 'x'.repeat(129) }, { sweepId: "s' or 1==1" }, { sweepId: 's', extra: true }, { schemaVersion: 1, sweepId: 's-1' }];
  for (const m of bad) assert.equal(typeof parseAlertsMessage(m), 'string', JSON.stringify(m));
});
