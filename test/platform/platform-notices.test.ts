// Platform notices end to end — the app's own sweep, evaluate and alert handlers on the dev host, Azurite and the
// sandbox (contoso, scope: its two subscriptions): each condition gives exactly one notice to the platform team
// (TBMON_ALERT_FALLBACK_TO and the Teams channel) and one recovery, also when every tb-evaluate and tb-alerts message
// of a sweep is delivered a second time; a subscription is news only after two unreadable sweeps; a check new to
// known hosts sends nothing to owners and one count to the platform.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tenant } from '../../sandbox/tenant-types';
import { unpackJson, packJson } from '../../shared/state/packing';
import { OUTBOX_TABLE } from '../../shared/notices';
import { REPORTS_TABLE } from '../../shared/state/reports';
import { SweepLedger } from '../../shared/state/sweeps';
import { enqueueJson } from '../../shared/storage';
import type { HostCheckStates } from '../../shared/regressions';
import { startTestApp, type TestApp } from '../support/app';
import { loadTenant } from '../support/sandbox';

const contoso = loadTenant('contoso');
const [S1, S2] = contoso.subscriptions.map((s) => s.subscriptionId);
const PLATFORM = 'ml-platform@contoso.com';
let clock = new Date(contoso.now);
let t: TestApp;
let ledger: SweepLedger;

before(async () => {
  t = await startTestApp({
    tenant: contoso, functions: ['sweep', 'evaluate', 'alert'], clock: () => clock,
    env: { TBMON_SCOPE: `subscriptions:${S1},${S2}`, TBMON_ALERT_FALLBACK_TO: PLATFORM },
  });
  ledger = new SweepLedger(t.app.storage);
});
after(() => t?.close());

interface Told { emails: string[]; cards: string[] }
function platformMessages(): Told {
  const { emails, teams } = t.sandbox.outbox();
  return {
    emails: emails.filter((e) => e.subject.startsWith('tbmon itself:')).map((e) => { assert.deepEqual(e.to, [PLATFORM]); return e.subject; }),
    cards: teams.map((c) => JSON.stringify(c.card)).filter((c) => c.includes('tbmon itself:')),
  };
}

/** One sweep a minute after the last, drained; with `replay`, every message of it delivered again, drained. */
async function cycle(replay: boolean): Promise<void> {
  clock = new Date(clock.getTime() + 60_000);
  await t.host.runTimer('sweep').catch(() => undefined); // a sweep that fails throws, as the Functions host sees it
  await t.host.drain({ timeoutMs: 60_000 });
  if (!replay) return;
  const [last] = await ledger.listSweeps(new Date(0));
  for await (const e of ledger.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq 'batch:${last.sweepId}'` } })) {
    if (!String(e.rowKey).includes(':part:')) await enqueueJson(t.app.storage.queue('tb-evaluate'), { sweepId: last.sweepId, batchKey: e.rowKey });
  }
  await enqueueJson(t.app.storage.queue('tb-alerts'), { sweepId: last.sweepId });
  await t.host.drain({ timeoutMs: 60_000 });
}

/** What one cycle told the platform team (new messages only). */
async function told(step: () => void | Promise<void> = () => {}, replay = false): Promise<Told> {
  const before = platformMessages();
  await step();
  await cycle(replay);
  const now = platformMessages();
  return { emails: now.emails.slice(before.emails.length), cards: now.cards.slice(before.cards.length) };
}

function withoutS2(): Tenant {
  const copy = structuredClone(contoso);
  copy.subscriptions = copy.subscriptions.filter((s) => s.subscriptionId !== S2);
  return copy;
}

test('a first sweep of a healthy monitor tells the platform team nothing about tbmon', async () => {
  const r = await told();
  assert.deepEqual(r, { emails: [], cards: [] });
});

test('a subscription unreadable once is not news; twice in a row is one notice; read again is one recovery', async () => {
  assert.deepEqual(await told(() => t.sandbox.setTenant(withoutS2()), true), { emails: [], cards: [] });
  const raised = await told(undefined, true);
  assert.equal(raised.emails.length, 1, JSON.stringify(raised));
  assert.match(raised.emails[0], new RegExp(`cannot read subscription ${S2} \\(2 sweeps in a row\\)`));
  assert.equal(raised.cards.length, 1);
  assert.deepEqual(await told(), { emails: [], cards: [] }, 'still unreadable: told once');
  const cleared = await told(() => t.sandbox.setTenant(contoso));
  assert.equal(cleared.emails.length, 1);
  assert.match(cleared.emails[0], new RegExp(`reads subscription ${S2} again`));
  assert.equal(cleared.cards.length, 1);
});

test('new poison messages are one notice; empty poison queues one recovery', async () => {
  const poison = t.app.storage.queue('tb-evaluate-poison');
  await poison.createIfNotExists();
  const raised = await told(async () => { await enqueueJson(poison, { reason: 'test', message: { sweepId: 'x', batchKey: 'y' } }); });
  assert.deepEqual(raised.emails.map((s) => /1 new message in tbmon's poison queues \(1 in tb-evaluate-poison\)/.test(s)), [true]);
  assert.equal(raised.cards.length, 1);
  assert.deepEqual(await told(), { emails: [], cards: [] });
  const cleared = await told(async () => { await poison.clearMessages(); });
  assert.deepEqual(cleared.emails.map((s) => /poison queues are empty again/.test(s)), [true]);
});

test('a sweep that fails is told at once; the next sweep that completes is the recovery', async () => {
  const failing = structuredClone(contoso);
  failing.faults = [{ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', status: 403, error: { code: 'AuthorizationFailed', message: 'no access' } }];
  const raised = await told(() => t.sandbox.setTenant(failing), true);
  assert.equal(raised.emails.length, 1, JSON.stringify(raised));
  assert.match(raised.emails[0], /tbmon's sweep \S+ failed/);
  assert.equal(raised.cards.length, 1);
  const cleared = await told(() => t.sandbox.setTenant(contoso), true);
  assert.equal(cleared.emails.length, 1, JSON.stringify(cleared));
  assert.match(cleared.emails[0], /tbmon sweeps again/);
});

test('a check new to known hosts: nothing to its owners, one count per new check to the platform team', async () => {
  const NEW = 'script.port-in-use';
  const failing = Object.entries((contoso as unknown as { _expect: Record<string, Record<string, string>> })._expect).filter(([, c]) => c[NEW] === 'fail').map(([n]) => n);
  assert.ok(failing.length > 0);
  // As if the check did not exist until now: no state for it on any host, and no sent notice that would dedupe it.
  const reports = t.app.storage.table(REPORTS_TABLE);
  for await (const e of reports.listEntities<Record<string, unknown>>()) {
    const states = unpackJson<HostCheckStates>(e, 'checkStates') ?? {};
    delete states[NEW];
    await reports.updateEntity({ partitionKey: e.partitionKey as string, rowKey: e.rowKey as string, ...packJson('checkStates', states) }, 'Merge');
  }
  const outbox = t.app.storage.table(OUTBOX_TABLE);
  for await (const e of outbox.listEntities<Record<string, unknown>>()) await outbox.deleteEntity(e.partitionKey as string, e.rowKey as string);
  const emailsBefore = t.sandbox.outbox().emails.length;

  const r = await told();
  const owners = t.sandbox.outbox().emails.slice(emailsBefore).filter((e) => !e.subject.startsWith('tbmon itself:'));
  assert.deepEqual(owners.map((e) => e.subject), [], 'owners hear nothing of the new check');
  assert.equal(r.emails.length, 1, JSON.stringify(r));
  assert.match(r.emails[0], /tbmon has 1 new check/);
  const body = t.sandbox.outbox().emails.find((e) => e.subject === r.emails[0])!;
  assert.match(body.plainText ?? '', new RegExp(`${NEW.replace('.', '\\.')}: fails on ${failing.length} of \\d+ hosts`));
  assert.equal(r.cards.length, 1);
});
