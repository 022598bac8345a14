import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOnce } from '../../functions/once';

test('dependencies are built once and shared; a failed build is tried again by the next caller', async () => {
  let calls = 0;
  const deps = buildOnce(async (n: number) => {
    calls++;
    if (calls === 1) throw new Error('storage not reachable yet');
    return { n, calls };
  });
  await assert.rejects(deps(1), /storage not reachable yet/);
  const [a, b] = await Promise.all([deps(2), deps(3)]);
  assert.equal(a, b, 'concurrent invocations share one build');
  assert.deepEqual(a, { n: 2, calls: 2 });
  assert.equal(await deps(4), a);
  assert.equal(calls, 2);
});
