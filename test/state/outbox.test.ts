// The outbox on real Azurite: create-only inserts (a replay records nothing twice), ETag-conditional claims (one
// winner), leases that expire, and notices too large for a plain string property.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recipientsOf } from '../../shared/notify/recipients';
import { LostClaimError, Outbox, type OutboxRow } from '../../shared/state/outbox';
import type { Notice } from '../../shared/notices';
import type { Host } from '../../shared/model';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';
import { testHost } from '../support/hosts';

const host: Host = testHost({ name: 'ci-1', subscriptionId: 's1', resourceGroup: 'rg', workspace: 'ws', owners: ['Owner@Contoso.com'], logAnalyticsWorkspaceId: null });

function notice(id: string, extra: Partial<Notice> = {}): Notice {
  return { id, kind: 'regression', sweepId: 'sw1', host, checkId: 'network.tensorboard-port', from: 'pass', to: 'fail', observedAt: '2026-11-26T06:00:00.000Z', ...extra };
}

async function openOutbox(now = () => new Date('2026-11-26T06:00:00Z')): Promise<Outbox> {
  const cs = await testStorageConnectionString();
  const table = testTable(cs, uniqueName('outbox'));
  const outbox = new Outbox(table, { now, leaseMs: 60_000 });
  await outbox.ensureTable();
  return outbox;
}

const settings = { alertFallbackTo: ['ops@contoso.com'], teamsWebhookUrl: 'https://teams.example/hook' };

test('recipients: owners lower-cased, else fallback; plus Teams when a webhook is set', () => {
  assert.deepEqual(recipientsOf(settings)(notice('a')), ['owner@contoso.com', 'teams:default']);
  assert.deepEqual(recipientsOf({ ...settings, teamsWebhookUrl: null })(notice('a', { host: { ...host, owners: [] } })), ['ops@contoso.com']);
  assert.deepEqual(recipientsOf({ alertFallbackTo: [], teamsWebhookUrl: null })(notice('a', { host: { ...host, owners: [] } })), []);
  // A webhook whose Key Vault reference is not resolved yet still addresses Teams: the cards wait in the outbox.
  const unresolved = [{ setting: 'TEAMS_WEBHOOK_URL' as const, message: 'unresolved' }];
  assert.deepEqual(recipientsOf({ ...settings, teamsWebhookUrl: null, unresolvedSecrets: unresolved })(notice('a')), ['owner@contoso.com', 'teams:default']);
  assert.deepEqual(recipientsOf({ ...settings, teamsWebhookUrl: null, unresolvedSecrets: [{ setting: 'ACS_CONNECTION_STRING', message: 'x' }] })(notice('a')), ['owner@contoso.com']);
});

test('writing the same notices twice records each (recipient, notice) once', async () => {
  const outbox = await openOutbox();
  const first = await outbox.writeNotices([notice('n1'), notice('n2')], recipientsOf(settings));
  assert.deepEqual([first.created, first.existing], [4, 0]);
  const again = await outbox.writeNotices([notice('n1'), notice('n2')], recipientsOf(settings));
  assert.deepEqual([again.created, again.existing], [0, 4]);
  const pending = await outbox.listPending();
  assert.equal(pending.length, 4);
  assert.deepEqual(pending.filter((r) => r.recipient === 'teams:default').map((r) => r.id), ['n1', 'n2']);
  assert.deepEqual((await outbox.listPending('owner@contoso.com')).map((r) => r.notice.checkId), ['network.tensorboard-port', 'network.tensorboard-port']);
});

test('notices nobody can receive are reported, not silently dropped', async () => {
  const outbox = await openOutbox();
  const res = await outbox.writeNotices([notice('n1', { host: { ...host, owners: [] } })], recipientsOf({ alertFallbackTo: [], teamsWebhookUrl: null }));
  assert.equal(res.created, 0);
  assert.deepEqual(res.unaddressed.map((n) => n.id), ['n1']);
});

test('claim: one winner; a sent row is never pending again, even after a replayed write', async () => {
  const outbox = await openOutbox();
  await outbox.writeNotices([notice('n1')], () => ['owner@contoso.com']);
  const [a] = await outbox.listPending();
  const [b] = await outbox.listPending();
  assert.equal(await outbox.claim(a, 'run-a'), true);
  assert.equal(await outbox.claim(b, 'run-b'), false, 'the second claimant read a stale etag');
  assert.equal(a.state, 'sending');
  assert.equal(a.attempts, 1);
  assert.deepEqual(await outbox.listPending(), [], 'a claimed row inside its lease is not pending');
  await outbox.markSent(a);
  assert.equal(a.state, 'sent');
  await outbox.writeNotices([notice('n1')], () => ['owner@contoso.com']);
  assert.deepEqual(await outbox.listPending(), []);
});

test('release makes a row pending again; an expired lease does too', async () => {
  let clock = new Date('2026-11-26T06:00:00Z');
  const outbox = await openOutbox(() => clock);
  await outbox.writeNotices([notice('n1'), notice('n2')], () => ['owner@contoso.com']);
  const [r1, r2] = await outbox.listPending();
  assert.ok(await outbox.claim(r1));
  await outbox.release(r1, 'ACS answered 429');
  const again = await outbox.listPending();
  assert.deepEqual(again.map((r) => [r.id, r.lastError]), [['n1', 'ACS answered 429'], ['n2', null]]);
  assert.ok(await outbox.claim(r2, 'crashed-run'));
  clock = new Date(clock.getTime() + 61_000);
  const afterLease = await outbox.listPending();
  assert.deepEqual(afterLease.map((r) => r.id), ['n1', 'n2']);
  const taken = afterLease[1];
  assert.ok(await outbox.claim(taken, 'rescuer'));
  await assert.rejects(outbox.markSent(r2), /no longer held/);
  assert.equal(taken.attempts, 2);
});

test('a notice with evidence beyond a string property is stored gzipped and read back whole', async () => {
  const outbox = await openOutbox();
  const rows = Array.from({ length: 3000 }, (_, i) => ({ TimeGenerated: `2026-11-26T05:${String(i % 60).padStart(2, '0')}:00Z`, SyslogMessage: `Out of memory: Killed process ${i} (tensorboard)` }));
  const big = notice('big', { check: { id: 'resource.memory-pressure', class: 'resource', status: 'fail', severity: 'high', summary: 'OOM', evidence: { rows } } });
  assert.ok(JSON.stringify(big).length > 100_000);
  await outbox.writeNotices([big], () => ['owner@contoso.com']);
  const [row] = await outbox.listPending();
  assert.deepEqual(row.notice, big);
});

test('purgeSent deletes only rows sent before the cut-off', async () => {
  let clock = new Date('2026-11-01T00:00:00Z');
  const outbox = await openOutbox(() => clock);
  await outbox.writeNotices([notice('old'), notice('new'), notice('unsent')], () => ['owner@contoso.com']);
  const rows = await outbox.listPending();
  for (const id of ['old', 'new']) {
    const row = rows.find((r) => r.id === id)!;
    assert.ok(await outbox.claim(row));
    await outbox.markSent(row);
    clock = new Date('2026-11-20T00:00:00Z');
  }
  assert.equal(await outbox.purgeSent(new Date('2026-11-10T00:00:00Z')), 1);
  const left = [];
  for await (const e of outbox.table.listEntities()) left.push(e.rowKey);
  assert.deepEqual(left.sort(), ['new', 'unsent']);
});

/** `n` notices for owner@ (ids sort in creation order), listed back as pending rows. */
async function pendingRows(outbox: Outbox, n: number, prefix = 'm'): Promise<OutboxRow[]> {
  await outbox.writeNotices(Array.from({ length: n }, (_, i) => notice(`${prefix}${String(i).padStart(3, '0')}`)), () => ['owner@contoso.com']);
  return outbox.listPending('owner@contoso.com');
}

test('claimMany claims a recipient\'s rows in transactions of ≤ 100; markSentMany marks them all sent', async () => {
  const outbox = await openOutbox();
  const rows = await pendingRows(outbox, 250);
  const res = await outbox.claimMany(rows, 'run-a');
  assert.equal(res.all, true);
  assert.equal(res.won.length, 250);
  assert.ok(rows.every((r) => r.state === 'sending' && r.claimedBy === 'run-a' && r.attempts === 1));
  assert.deepEqual(await outbox.listPending(), [], 'claimed within the lease: nothing pending');
  const marked = await outbox.markSentMany(rows);
  assert.deepEqual([marked.sent, marked.failures.length], [250, 0], 'the etags claimMany kept are the rows\' current ones');
  const states: string[] = [];
  for await (const e of outbox.table.listEntities<{ state: string }>()) states.push(e.state);
  assert.deepEqual([states.length, new Set(states)], [250, new Set(['sent'])]);
  await assert.rejects(outbox.claimMany([...rows.slice(0, 1), { ...rows[1], recipient: 'someone@contoso.com' }]), RangeError);
});

test('claimMany: two runs racing for a recipient — one wins every row, the other none', async () => {
  const outbox = await openOutbox();
  const a = await pendingRows(outbox, 230);
  const b = await outbox.listPending('owner@contoso.com');
  const [ra, rb] = await Promise.all([outbox.claimMany(a, 'run-a'), outbox.claimMany(b, 'run-b')]);
  assert.deepEqual([ra.all, rb.all].sort(), [false, true]);
  const loser = ra.all ? rb : ra;
  assert.deepEqual(loser.won, [], 'the loser met the winner on the first transaction');
  const holders = new Set<string>();
  for await (const e of outbox.table.listEntities<{ claimedBy: string }>()) holders.add(e.claimedBy);
  assert.deepEqual(holders, new Set([ra.all ? 'run-a' : 'run-b']));
});

test('claimMany: a row of a later transaction changed since it was listed → not all; what was won is returned to release', async () => {
  const outbox = await openOutbox();
  const rows = await pendingRows(outbox, 150);
  const [stolen] = await outbox.listPending('owner@contoso.com').then((rs) => rs.filter((r) => r.id === 'm120'));
  assert.ok(await outbox.claim(stolen, 'other-run'));
  const res = await outbox.claimMany(rows, 'run-a');
  assert.equal(res.all, false);
  assert.deepEqual(res.won.map((r) => r.id), rows.slice(0, 100).map((r) => r.id), 'the first transaction was won, the second lost as a whole');
  for (const r of res.won) await outbox.release(r, 'another alert run holds this recipient');
  assert.equal((await outbox.listPending()).length, 149, 'all but the stolen row are pending again');
});

test('markSentMany: a row whose lease ran out and was taken over is reported; the rest of its transaction is still marked', async () => {
  let clock = new Date('2026-11-26T06:00:00Z');
  const outbox = await openOutbox(() => clock);
  const rows = await pendingRows(outbox, 40);
  assert.equal((await outbox.claimMany(rows, 'slow-run')).all, true);
  clock = new Date(clock.getTime() + 61_000);
  const [expired] = (await outbox.listPending()).filter((r) => r.id === 'm007');
  assert.ok(await outbox.claim(expired, 'rescuer'));
  const res = await outbox.markSentMany(rows);
  assert.equal(res.sent, 39);
  assert.deepEqual(res.failures.map((f) => [f.row.id, f.error instanceof LostClaimError]), [['m007', true]]);
  assert.ok(!res.failures[0].error.message.includes(res.failures[0].row.recipient), 'alert logs this message beside a masked address: it names the row, not the person');
  const byState = new Map<string, string[]>();
  for await (const e of outbox.table.listEntities<{ state: string }>()) byState.set(e.state, [...(byState.get(e.state) ?? []), e.rowKey as string]);
  assert.deepEqual([byState.get('sent')?.length, byState.get('sending')], [39, ['m007']]);
});

test('owner addresses with characters Table keys forbid (/ \\ # ? %) are stored, listed, claimed, released and sent as themselves', async () => {
  // Valid addresses (RFC 5322 atext allows / # ? %; \ only quoted, but the address check lets it through): a row key
  // holding them raw is a 400 InvalidInput, which would fail the whole evaluate batch.
  const owners = ['ml/ops@contoso.com', 'ops#1@contoso.com', 'who?@contoso.com', 'back\\slash@contoso.com', 'per%2fcent@contoso.com'];
  const outbox = await openOutbox();
  const res = await outbox.writeNotices([notice('n1', { host: { ...host, owners } })], (n) => n.host.owners);
  assert.deepEqual([res.created, res.existing], [owners.length, 0]);
  const again = await outbox.writeNotices([notice('n1', { host: { ...host, owners } })], (n) => n.host.owners);
  assert.deepEqual([again.created, again.existing], [0, owners.length], 'a replay finds the same keys');
  assert.deepEqual((await outbox.listPending()).map((r) => r.recipient).sort(), [...owners].sort());
  for (const owner of owners) {
    const rows = await outbox.listPending(owner);
    assert.deepEqual(rows.map((r) => [r.recipient, r.id]), [[owner, 'n1']], owner);
    assert.equal((await outbox.claimMany(rows, 'run-a')).all, true, owner);
    await outbox.release(rows[0], 'paced');
    assert.equal(await outbox.claim(rows[0], 'run-b'), true, owner);
    await outbox.markSent(rows[0]);
  }
  assert.deepEqual(await outbox.listPending(), []);
  assert.equal(await outbox.purgeSent(new Date('2026-11-27T00:00:00Z')), owners.length);
});
