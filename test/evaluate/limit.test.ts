// mapLimited (shared/limit.ts): the bounded concurrency behind discovery, the sweep, evaluate's writes and the outbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimited } from '../../shared/limit';

test('results in input order, never more than `limit` calls in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await mapLimited([5, 1, 4, 2, 3, 0, 6], 3, async (ms, i) => {
    most = Math.max(most, ++inFlight);
    await sleep(ms);
    inFlight--;
    return `${i}:${ms}`;
  });
  assert.deepEqual(out, ['0:5', '1:1', '2:4', '3:2', '4:3', '5:0', '6:6']);
  assert.equal(most, 3);
  assert.deepEqual(await mapLimited([], 4, async () => 1), []);
});

test('after a failure nothing new starts; the calls in flight finish before the first error is thrown', async () => {
  const started: number[] = [];
  const finished: number[] = [];
  await assert.rejects(
    mapLimited([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      started.push(n);
      await sleep(n === 1 ? 1 : 10);
      if (n === 1) throw new Error('item 1 failed');
      finished.push(n);
    }),
    /item 1 failed/,
  );
  assert.deepEqual(started, [0, 1], 'the worker that failed took no more items, and neither did the other');
  assert.deepEqual(finished, [0], 'item 0 was in flight and was waited for');
});
