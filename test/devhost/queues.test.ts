// The dev host's storage-queue trigger against real Azurite: base64 JSON in, dequeueCount, retries after the
// visibility timeout, the poison queue after maxDequeueCount, and text that is not base64 still reaching the handler.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InvocationContext } from '@azure/functions';
import type { QueueRegistration } from '../../functions/registration';
import { startDevHost, type DevHost } from '../../devhost/host';
import { readHostConfig } from '../../devhost/host-config';
import type { StorageSettings } from '../../shared/config';
import { StorageClients, enqueueJson, ensureQueue } from '../../shared/storage';
import { testStorageConnectionString, uniqueName } from '../support/env';

const retry = { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50 };
let storage: StorageSettings;
let clients: StorageClients;
const hosts: DevHost[] = [];

before(async () => {
  storage = { kind: 'connectionString', connectionString: await testStorageConnectionString() };
  clients = new StorageClients(storage, { retry });
});
after(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
});

interface Seen { input: unknown; meta: Record<string, unknown> }

function queueFunction(queueName: string, handle: (input: unknown, ctx: InvocationContext) => void | Promise<void>): QueueRegistration {
  return { name: `fn-${queueName}`, trigger: { type: 'queue', queueName, connection: 'AzureWebJobsStorage' }, handler: async (input, ctx) => handle(input, ctx) };
}

async function host(reg: QueueRegistration, queues: { maxDequeueCount?: number; visibilityTimeoutMs?: number; batchSize?: number } = {}, lines: string[] = []): Promise<DevHost> {
  const h = await startDevHost({
    registrations: [reg], storage, storageOptions: { retry },
    queues: { visibilityTimeoutMs: 0, maxPollingIntervalMs: 500, ...queues },
    log: (l) => lines.push(l),
  });
  hosts.push(h);
  return h;
}

test('enqueueJson → handler receives the object, with the host trigger metadata', async () => {
  const name = uniqueName('roundtrip');
  const seen: Seen[] = [];
  const q = clients.queue(name);
  await ensureQueue(q);
  const payload = { sweepId: 'sw-1', batchKey: 'b/ü/é', n: 3, nested: { list: [1, 'two'] } };
  await enqueueJson(q, payload);
  const raw = (await q.peekMessages()).peekedMessageItems[0].messageText;
  assert.deepEqual(JSON.parse(Buffer.from(raw, 'base64').toString('utf8')), payload, 'the queued text is base64 of the JSON');

  const h = await host(queueFunction(name, (input, ctx) => { seen.push({ input, meta: ctx.triggerMetadata ?? {} }); }));
  await h.drain({ timeoutMs: 10_000 });
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0].input, payload);
  assert.equal(seen[0].meta.dequeueCount, 1);
  for (const key of ['id', 'popReceipt', 'insertionTime', 'expirationTime', 'nextVisibleTime']) assert.equal(typeof seen[0].meta[key], 'string', key);
  assert.equal((await q.getProperties()).approximateMessagesCount, 0, 'deleted after success');
});

test('a failing message comes back with dequeueCount 1, 2, 3 and is deleted once it succeeds', async () => {
  const name = uniqueName('retry');
  const counts: unknown[] = [];
  const q = clients.queue(name);
  await ensureQueue(q);
  const h = await host(queueFunction(name, (_input, ctx) => {
    counts.push(ctx.triggerMetadata?.dequeueCount);
    if (counts.length < 3) throw new Error('transient');
  }), { maxDequeueCount: 5 });
  await enqueueJson(q, { sweepId: 'x' });
  await h.drain({ timeoutMs: 15_000 });
  assert.deepEqual(counts, [1, 2, 3]);
  assert.equal((await q.getProperties()).approximateMessagesCount, 0);
  assert.equal((await clients.queue(`${name}-poison`).exists()), false, 'nothing was poisoned');
});

test('after maxDequeueCount failures the message text moves to <queue>-poison; the body is never logged', async () => {
  const name = uniqueName('poison');
  const q = clients.queue(name);
  await ensureQueue(q);
  const lines: string[] = [];
  let calls = 0;
  const h = await host(queueFunction(name, () => { calls++; throw new Error('always fails'); }), { maxDequeueCount: 3 }, lines);
  await enqueueJson(q, { sweepId: 'sw-poison', secret: 'p4ssw0rd-in-body' });
  const original = (await q.peekMessages()).peekedMessageItems[0].messageText;
  await h.drain({ timeoutMs: 15_000 });
  assert.equal(calls, 3);
  assert.equal((await q.getProperties()).approximateMessagesCount, 0);
  const poisoned = (await clients.queue(`${name}-poison`).peekMessages({ numberOfMessages: 32 })).peekedMessageItems;
  assert.equal(poisoned.length, 1);
  assert.equal(poisoned[0].messageText, original, 'the poison queue holds the original text');
  assert.ok(lines.some((l) => l.includes(`${name}-poison`)), 'the move is logged');
  assert.ok(lines.some((l) => l.includes('always fails')), 'the error is logged');
  assert.ok(!lines.some((l) => l.includes('p4ssw0rd') || l.includes(original)), 'message bodies are not logged');
});

test('a message already over maxDequeueCount goes to poison without running the handler', async () => {
  const name = uniqueName('overdue');
  const q = clients.queue(name);
  await ensureQueue(q);
  await enqueueJson(q, { sweepId: 'crashed' });
  // Two receives without deleting, as a host that crashed mid-run would leave it.
  for (let i = 0; i < 2; i++) {
    const m = (await q.receiveMessages({ visibilityTimeout: 1 })).receivedMessageItems[0];
    await q.updateMessage(m.messageId, m.popReceipt, undefined, 0);
  }
  let calls = 0;
  const h = await host(queueFunction(name, () => { calls++; }), { maxDequeueCount: 2 });
  await h.drain({ timeoutMs: 10_000 });
  assert.equal(calls, 0);
  assert.equal((await clients.queue(`${name}-poison`).peekMessages()).peekedMessageItems.length, 1);
});

test('base64 text that is not JSON reaches the handler as a string', async () => {
  const name = uniqueName('rawtext');
  const q = clients.queue(name);
  await ensureQueue(q);
  const seen: unknown[] = [];
  const h = await host(queueFunction(name, (input) => { seen.push(input); }));
  await q.sendMessage(Buffer.from('plain words, not JSON').toString('base64'));
  await q.sendMessage(Buffer.from('"a JSON string"').toString('base64'));
  await h.drain({ timeoutMs: 10_000 });
  assert.deepEqual(seen.sort(), ['a JSON string', 'plain words, not JSON']);
});

test('text that is not base64 goes to poison at once without running the handler (queue extension v5)', async () => {
  const name = uniqueName('notb64');
  const q = clients.queue(name);
  await ensureQueue(q);
  const lines: string[] = [];
  let calls = 0;
  const h = await host(queueFunction(name, () => { calls++; }), { maxDequeueCount: 5 }, lines);
  await q.sendMessage('{"sweepId":"raw json, not base64"}');
  await h.drain({ timeoutMs: 10_000 });
  assert.equal(calls, 0);
  const poisoned = (await clients.queue(`${name}-poison`).peekMessages()).peekedMessageItems;
  assert.deepEqual(poisoned.map((m) => [m.messageText, m.dequeueCount]), [['{"sweepId":"raw json, not base64"}', 0]]);
  assert.ok(lines.some((l) => /not base64.*did not run/.test(l)), lines.join('\n'));
});

test('batchSize bounds how many handlers run at once', async () => {
  const name = uniqueName('batch');
  const q = clients.queue(name);
  await ensureQueue(q);
  let running = 0;
  let peak = 0;
  const h = await host(queueFunction(name, async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 60));
    running--;
  }), { batchSize: 2 });
  await Promise.all(Array.from({ length: 6 }, (_, i) => enqueueJson(q, { i })));
  await h.drain({ timeoutMs: 15_000 });
  assert.ok(peak >= 1 && peak <= 3, `peak concurrency ${peak} stays within batchSize + newBatchThreshold`);
  assert.equal((await q.getProperties()).approximateMessagesCount, 0);
});

test('drain names what is left when it times out', async () => {
  const name = uniqueName('stuck');
  const q = clients.queue(name);
  await ensureQueue(q);
  const h = await host(queueFunction(name, () => { throw new Error('nope'); }), { maxDequeueCount: 5, visibilityTimeoutMs: 60_000 });
  await enqueueJson(q, { sweepId: 'stuck' });
  await assert.rejects(h.drain({ timeoutMs: 700 }), new RegExp(`drain timed out.*${name}: 1 message`));
});

test('the repository host.json sets what the dev host honours', () => {
  const c = readHostConfig();
  assert.equal(c.queues.maxDequeueCount, 5);
  assert.equal(c.queues.messageEncoding, 'base64');
  assert.ok(c.queues.batchSize >= 1 && c.queues.batchSize <= 2, 'small batches: each message is up to 1,000 hosts');
  assert.ok(c.functionTimeoutMs > 0);
});
