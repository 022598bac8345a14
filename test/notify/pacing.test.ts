import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestSpacer, SendPacer } from '../../shared/notify/pacing';

test('per-minute and per-hour windows, and a 429 block', () => {
  const t0 = 1_000_000_000;
  const p = new SendPacer({ perMinute: 2, perHour: 3 });
  assert.equal(p.waitMs(t0), 0);
  p.record(t0);
  p.record(t0 + 1000);
  assert.equal(p.waitMs(t0 + 2000), 58_000, 'third send waits for the first to leave the minute');
  p.record(t0 + 60_000);
  assert.equal(p.waitMs(t0 + 61_000), 3_600_000 - 61_000, 'hour full: wait for the first to leave the hour');
  const q = new SendPacer({ perMinute: 30, perHour: 100 }, [t0 - 3_700_000, t0 - 10]);
  assert.equal(q.waitMs(t0), 0);
  assert.deepEqual(q.history(t0), [t0 - 10], 'history keeps only the last hour');
  q.block(t0 + 5000);
  assert.equal(q.waitMs(t0), 5000);
});

test('RequestSpacer keeps ≤ 4 requests in any second', async () => {
  let now = 0;
  const slept: number[] = [];
  const s = new RequestSpacer(4, () => now);
  const sleep = async (ms: number) => {
    slept.push(ms);
  };
  for (let i = 0; i < 5; i++) await s.take(sleep);
  assert.deepEqual(slept, [250, 500, 750, 1000]);
  now = 5000;
  await s.take(sleep);
  assert.equal(slept.length, 4, 'a later request does not wait');
});
