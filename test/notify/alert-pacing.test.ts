// runAlerts' pacing decisions with a clock it does not wait on: an in-memory outbox (the real one is tested on
// Azurite in test/alert), a recording email channel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Notice } from '../../shared/notices';
import { runAlerts, type AlertOutbox } from '../../shared/notify/alert';
import { EmailSendError } from '../../shared/notify/email';
import { MemoryPacingStore } from '../../shared/notify/pacing';
import type { OutboxRow } from '../../shared/state/outbox';
import { host, notice } from './fixtures';

function memoryOutbox(entries: [string, Notice][]): AlertOutbox & { rows: OutboxRow[] } {
  const rows: OutboxRow[] = entries.map(([recipient, n]) => ({
    recipient, id: n.id, notice: n, state: 'pending', attempts: 0, claimedBy: null, claimedAt: null, sentAt: null, lastError: null, attemptId: null, maybeSent: false, resent: false, etag: '1',
  }));
  return {
    rows,
    listPending: async () => rows.filter((r) => r.state === 'pending').map((r) => ({ ...r })),
    // All or nothing, like a Table transaction over one recipient's rows.
    claimMany: async (rs) => {
      const reals = rs.map((r) => rows.find((x) => x.recipient === r.recipient && x.id === r.id));
      if (reals.some((real, i) => !real || real.etag !== rs[i].etag)) return { all: false, won: [] };
      reals.forEach((real, i) => {
        real!.state = 'sending';
        real!.etag = rs[i].etag = String(Number(real!.etag) + 1);
      });
      return { all: true, won: [...rs] };
    },
    markSentMany: async (rs) => {
      for (const r of rs) (rows.find((x) => x.recipient === r.recipient && x.id === r.id) as OutboxRow).state = 'sent';
      return { sent: rs.length, failures: [] };
    },
    release: async (r) => {
      const real = rows.find((x) => x.recipient === r.recipient && x.id === r.id) as OutboxRow;
      real.state = 'pending';
      real.etag = String(Number(real.etag) + 1);
    },
  };
}

test('per-minute pacing waits for a free slot (within maxWaitMs); urgent recipients go first; the hour limit holds back', async () => {
  let clock = 1_000_000;
  const slept: number[] = [];
  const sent: { to: string; at: number; subject: string }[] = [];
  const outbox = memoryOutbox([
    ['recover@x.io', notice(host('r'), 'recovery', 'script.port-in-use')],
    ['warn@x.io', notice(host('w'), 'regression', 'resource.cpu-saturation', { to: 'warn' })],
    ['fail1@x.io', notice(host('f1'), 'regression', 'script.port-in-use')],
    ['fail2@x.io', notice(host('f2'), 'regression', 'script.port-in-use')],
    ['gone@x.io', notice(host('g'), 'gone', undefined)],
  ]);
  const store = new MemoryPacingStore();
  const r = await runAlerts('s-1', {
    outbox, teams: null,
    email: { send: async (to, rendered, operationId) => { sent.push({ to, at: clock, subject: rendered.subject }); return { operationId, status: 'Succeeded' }; } },
    pacing: { limits: { perMinute: 2, perHour: 4 }, store, maxWaitMs: 60_000 },
    now: () => clock,
    sleep: async (ms) => { slept.push(ms); clock += ms; },
  });
  assert.deepEqual(sent.map((s) => s.to), ['fail1@x.io', 'fail2@x.io', 'warn@x.io', 'recover@x.io']);
  assert.deepEqual(slept, [60_000], 'the third send waited for the minute window');
  assert.deepEqual([r.email.sent, r.email.heldBack], [4, 1]);
  assert.deepEqual(outbox.rows.filter((x) => x.state === 'pending').map((x) => x.recipient), ['gone@x.io']);
  assert.equal((await store.load()).length, 4);
});

test('a 429 that outlives the pipeline retries blocks the rest of the run; the rows are released', async () => {
  const clock = 5_000_000;
  const outbox = memoryOutbox([
    ['a@x.io', notice(host('a'), 'regression', 'script.port-in-use')],
    ['b@x.io', notice(host('b'), 'regression', 'script.port-in-use')],
  ]);
  let calls = 0;
  const r = await runAlerts('s-1', {
    outbox, teams: null,
    email: { send: async () => { calls++; throw new EmailSendError('ACS email send failed (429): too many', 429, 'TooManyRequests', 600_000); } },
    pacing: { limits: { perMinute: 30, perHour: 100 }, store: new MemoryPacingStore() },
    now: () => clock,
    sleep: async () => { throw new Error('must not wait 10 minutes'); },
  });
  assert.equal(calls, 1);
  assert.deepEqual([r.email.failed, r.email.heldBack], [1, 1]);
  assert.ok(outbox.rows.every((x) => x.state === 'pending'));
});

test('an address ACS refuses for good (400) is dropped and logged, and does not stop the others', async () => {
  const outbox = memoryOutbox([
    ['bad1@x.io', notice(host('a'), 'regression', 'script.port-in-use')],
    ['bad2@x.io', notice(host('b'), 'regression', 'script.port-in-use')],
    ['bad3@x.io', notice(host('c'), 'regression', 'script.port-in-use')],
    ['good@x.io', notice(host('d'), 'regression', 'script.port-in-use')],
  ]);
  const logs: string[] = [];
  const r = await runAlerts('s-1', {
    outbox, teams: null, log: (m) => logs.push(m),
    email: {
      send: async (to, _r, operationId) => {
        if (to.startsWith('bad')) throw new EmailSendError(`ACS email send failed (400): The email address '${to}' is not valid.`, 400, 'InvalidEmailAddress', null);
        return { operationId, status: 'Succeeded' };
      },
    },
    pacing: { limits: { perMinute: 30, perHour: 100 }, store: new MemoryPacingStore() },
  });
  assert.deepEqual([r.email.sent, r.email.undeliverable, r.email.failed, r.email.heldBack], [1, 3, 0, 0]);
  assert.ok(outbox.rows.every((x) => x.state === 'sent'));
  assert.equal(logs.filter((l) => /refused for good/.test(l)).length, 3);
});
