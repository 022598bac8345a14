// `tbmon poison list | requeue | drop` as people run it — the bin as a subprocess — against an Azurite of this file's
// own (the app's queue names are fixed): a message tbmon wrapped with its reason, one the host moved as it was, and
// one in tb-alerts-poison; requeue puts the original back on its queue, drop removes, unknown ids and bad arguments
// exit 2 naming what is wrong.
import { after, before, test } from 'node:test';
import { runTbmon } from '../support/bin';
import assert from 'node:assert/strict';
import { QueueClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../support/azurite';
import { decodeQueueMessage, encodeQueueMessage } from '../../shared/storage';
import type { PoisonListing } from '../../shared/poison';

let azurite: RunningAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => {
  try { process.kill(azurite.pid, 'SIGTERM'); } catch { /* gone */ }
});

const tbmon = (args: string[], env: Record<string, string | undefined> = { AzureWebJobsStorage: azurite.connectionString }) => runTbmon(args, env);

const queue = (name: string): QueueClient => new QueueClient(azurite.connectionString, name);

test('poison list, requeue and drop against the app storage', async () => {
  const evaluatePoison = queue('tb-evaluate-poison');
  const alertsPoison = queue('tb-alerts-poison');
  const evaluate = queue('tb-evaluate');
  await Promise.all([evaluatePoison.createIfNotExists(), alertsPoison.createIfNotExists(), evaluate.createIfNotExists()]);
  const claim = { sweepId: '20261126T060000Z-abc123', batchKey: 'b00000-none' };
  const wrapped = await evaluatePoison.sendMessage(encodeQueueMessage({ reason: 'sweep 20261126T060000Z-abc123 has no batch b00000-none', message: claim }));
  const moved = await evaluatePoison.sendMessage(encodeQueueMessage({ sweepId: '20261126T061500Z-def456', batchKey: 'b00001-none' }));
  const alert = await alertsPoison.sendMessage(encodeQueueMessage({ reason: 'the message is not a tb-alerts.v1 message', message: 'hello' }));

  const listed = await tbmon(['poison', 'list', '--format', 'json']);
  assert.equal(listed.code, 0, listed.stderr);
  const listing = JSON.parse(listed.stdout) as PoisonListing;
  assert.deepEqual(listing.counts, [{ queue: 'tb-evaluate-poison', messages: 2 }, { queue: 'tb-alerts-poison', messages: 1 }]);
  const byId = new Map(listing.messages.map((m) => [m.id, m]));
  assert.equal(byId.get(wrapped.messageId)?.reason, 'sweep 20261126T060000Z-abc123 has no batch b00000-none');
  assert.deepEqual(byId.get(wrapped.messageId)?.message, claim);
  assert.match(byId.get(moved.messageId)?.reason ?? '', /maxDequeueCount/);
  assert.equal(byId.get(alert.messageId)?.source, 'tb-alerts');

  const table = await tbmon(['poison', 'list']);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /tb-evaluate-poison: 2 messages/);
  assert.ok(table.stdout.includes(wrapped.messageId) && table.stdout.includes('has no batch b00000-none'));

  const requeued = await tbmon(['poison', 'requeue', wrapped.messageId]);
  assert.equal(requeued.code, 0, requeued.stderr);
  assert.match(requeued.stdout, /requeued 1 message/);
  const back = (await evaluate.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems;
  assert.equal(back.length, 1);
  assert.deepEqual(decodeQueueMessage(back[0].messageText), claim, 'the original claim check, not the wrapper');
  // The message passed over during the search is visible again at once.
  assert.equal((await evaluatePoison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.length, 1);

  const missing = await tbmon(['poison', 'drop', 'no-such-id']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no poison message with id no-such-id/);
  assert.equal((await evaluatePoison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.length, 1, 'nothing else dropped');

  const dropped = await tbmon(['poison', 'drop', '--all']);
  assert.equal(dropped.code, 0, dropped.stderr);
  assert.match(dropped.stdout, /dropped 2 messages/);
  assert.equal((await evaluatePoison.peekMessages()).peekedMessageItems.length + (await alertsPoison.peekMessages()).peekedMessageItems.length, 0);
});

test('poison: bad arguments and missing storage exit 2 naming the problem, touching nothing', async () => {
  for (const [args, pattern] of [
    [['poison'], /say what to do: list, requeue or drop/],
    [['poison', 'purge'], /unknown action "purge"/],
    [['poison', 'requeue'], /requeue needs the ids/],
    [['poison', 'drop', 'x', '--all'], /not both/],
    [['poison', 'list', '--format', 'xml'], /--format must be table or json/],
    [['poison', 'list', '--all'], /--all is for requeue and drop/],
    [['poison', 'drop', '--force'], /unknown option --force/],
  ] as const) {
    const r = await tbmon([...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
  const noStorage = await tbmon(['poison', 'list'], {});
  assert.equal(noStorage.code, 2);
  assert.match(noStorage.stderr, /AzureWebJobsStorage/);
});
