// The email pacing history in Table storage (Azurite): survives between runs, merges concurrent saves.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TablePacingStore } from '../../shared/notify/pacing-store';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';

let cs: string;
before(async () => {
  cs = await testStorageConnectionString();
});

test('load of an empty store is []; saves keep the last hour; two stores saving at once keep both histories', async () => {
  const name = uniqueName('pacing');
  const now = 1_800_000_000_000;
  const a = new TablePacingStore(testTable(cs, name), () => now);
  const b = new TablePacingStore(testTable(cs, name), () => now);
  await a.ensureTable();
  assert.deepEqual(await a.load(), []);
  await a.save([now - 4_000_000, now - 10]);
  assert.deepEqual(await b.load(), [now - 10], 'older than an hour is dropped');
  await Promise.all([a.save([now - 5, now - 4]), b.save([now - 3]), a.save([now - 2]), b.save([now - 1])]);
  assert.deepEqual(await a.load(), [now - 10, now - 5, now - 4, now - 3, now - 2, now - 1]);
});
