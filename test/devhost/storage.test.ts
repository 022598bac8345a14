// shared/storage.ts against real Azurite: clients from a connection string (http tables need the insecure flag),
// the base64 message encoding, the 64 KiB limit, name rules and the error helpers on the SDKs' real error shapes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageSettings } from '../../shared/config';
import {
  StorageClients, decodeHostQueueMessage, decodeQueueMessage, encodeQueueMessage, enqueueJson, ensureQueue, ensureTable, isConditionFailed,
  isConflict, isNotFound, isValidQueueName, isValidTableName, MAX_QUEUE_MESSAGE_CHARS, storageErrorCode,
} from '../../shared/storage';
import { testStorageConnectionString, uniqueName } from '../support/env';

let clients: StorageClients;
before(async () => {
  const storage: StorageSettings = { kind: 'connectionString', connectionString: await testStorageConnectionString() };
  clients = new StorageClients(storage, { retry: { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50 } });
});

test('encodeQueueMessage is base64 of the UTF-8 JSON; decodeQueueMessage inverts it', () => {
  const value = { sweepId: 'Ω-1', batchKey: 'a"b' };
  const text = encodeQueueMessage(value);
  assert.match(text, /^[A-Za-z0-9+/]+=*$/);
  assert.equal(Buffer.from(text, 'base64').toString('utf8'), JSON.stringify(value));
  assert.deepEqual(decodeQueueMessage(text), value);
  assert.deepEqual(decodeHostQueueMessage(` ${text.slice(0, 8)}\n${text.slice(8)} `), { ok: true, value }, 'whitespace is ignored, as .NET does');
  assert.equal(decodeQueueMessage(Buffer.from('"just a string"').toString('base64')), 'just a string');
  assert.equal(decodeQueueMessage(Buffer.from('not json').toString('base64')), 'not json');
  for (const bad of ['%%% not base64', '{"a":1}', 'abc', 'ab=c']) {
    const d = decodeHostQueueMessage(bad);
    assert.ok(!d.ok && /not base64/.test(d.reason), bad);
  }
  assert.deepEqual(decodeQueueMessage('{"a":1}'), { a: 1 }, 'the lenient reader takes raw JSON as-is');
});

test('a message over 64 KiB after base64 is refused before sending', () => {
  const fits = 'x'.repeat(Math.floor(MAX_QUEUE_MESSAGE_CHARS * 3 / 4) - 10);
  assert.ok(encodeQueueMessage(fits).length <= MAX_QUEUE_MESSAGE_CHARS);
  assert.throws(() => encodeQueueMessage('x'.repeat(MAX_QUEUE_MESSAGE_CHARS)), /limit is 65536.*claim check/);
  assert.throws(() => encodeQueueMessage(undefined), /JSON/);
});

test('enqueueJson writes base64 text to a real queue', async () => {
  const q = clients.queue(uniqueName('enq'));
  await ensureQueue(q);
  await ensureQueue(q); // idempotent
  await enqueueJson(q, { sweepId: 's' });
  const [m] = (await q.receiveMessages()).receivedMessageItems;
  assert.deepEqual(JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8')), { sweepId: 's' });
});

test('queue and table names follow Azure\'s rules', () => {
  assert.ok(isValidQueueName('tb-evaluate') && isValidQueueName('tb-evaluate-poison'));
  for (const bad of ['Tb-evaluate', 'tb--x', '-tb', 'tb-', 'ab', 'x'.repeat(64)]) assert.ok(!isValidQueueName(bad), bad);
  assert.ok(isValidTableName('tbmonReports') && isValidTableName('abc'));
  for (const bad of ['tb-reports', 'tb_reports', '1abc', 'ab', 'tables', 'x'.repeat(64)]) assert.ok(!isValidTableName(bad), bad);
  assert.throws(() => clients.table('tb-reports'), /not a valid table name/);
  assert.throws(() => clients.queue('TB'), /not a valid queue name/);
});

test('table errors: 409 on a duplicate, 412 on a stale ETag (code in the OData body), 404 on a missing row or table', async () => {
  const t = clients.table(uniqueName('errs'));
  await ensureTable(t);
  await ensureTable(t); // idempotent
  await t.createEntity({ partitionKey: 'p', rowKey: 'r', n: 1 });
  const dup = await t.createEntity({ partitionKey: 'p', rowKey: 'r', n: 2 }).catch((e: unknown) => e);
  assert.ok(isConflict(dup) && !isConditionFailed(dup) && !isNotFound(dup));
  assert.equal(storageErrorCode(dup), 'EntityAlreadyExists');

  const first = await t.getEntity('p', 'r');
  await t.updateEntity({ partitionKey: 'p', rowKey: 'r', n: 3 }, 'Merge', { etag: first.etag });
  const stale = await t.updateEntity({ partitionKey: 'p', rowKey: 'r', n: 4 }, 'Merge', { etag: first.etag }).catch((e: unknown) => e);
  assert.ok(isConditionFailed(stale) && !isConflict(stale));
  assert.equal(storageErrorCode(stale), 'UpdateConditionNotSatisfied');

  const missing = await t.getEntity('p', 'nope').catch((e: unknown) => e);
  assert.ok(isNotFound(missing));
  const noTable = await clients.table(uniqueName('absent')).getEntity('p', 'r').catch((e: unknown) => e);
  assert.ok(isNotFound(noTable));
  assert.equal(storageErrorCode(noTable), 'TableNotFound');

  assert.ok(!isConflict(new Error('plain')) && !isNotFound(undefined) && !isConditionFailed('412'));
});

test('identity settings build clients without a connection string (no request made)', () => {
  const c = new StorageClients({ kind: 'identity', queueServiceUri: 'https://acct.queue.core.windows.net', tableServiceUri: 'https://acct.table.core.windows.net', clientId: '00000000-0000-0000-0000-000000000001' });
  assert.equal(c.queue('tb-alerts').url, 'https://acct.queue.core.windows.net/tb-alerts');
  assert.equal(c.table('tbmonState').tableName, 'tbmonState');
});
