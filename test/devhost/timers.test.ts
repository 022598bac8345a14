// Timer triggers: next fire times of 6-field NCRONTAB in UTC, on-demand runs, schedules from app settings, and a
// schedule that actually fires.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Timer } from '@azure/functions';
import { nextFire } from '../../devhost/timers';
import { startDevHost } from '../../devhost/host';
import { parseTimeSpan, hostConfigFrom } from '../../devhost/host-config';
import type { TimerRegistration } from '../../functions/registration';

const cases: { schedule: string; after: string; next: string }[] = [
  { schedule: '0 */15 * * * *', after: '2026-11-26T06:14:59.500Z', next: '2026-11-26T06:15:00.000Z' },
  { schedule: '0 */15 * * * *', after: '2026-11-26T06:15:00.000Z', next: '2026-11-26T06:30:00.000Z' },
  { schedule: '0 */15 * * * *', after: '2026-12-31T23:59:00.000Z', next: '2027-01-01T00:00:00.000Z' },
  { schedule: '30 5 * * * *', after: '2026-11-26T06:05:30.000Z', next: '2026-11-26T07:05:30.000Z' },
  { schedule: '0 30 9 * * 1-5', after: '2026-11-28T00:00:00.000Z', next: '2026-11-30T09:30:00.000Z' }, // Saturday → Monday
  { schedule: '0 0 0 1 * *', after: '2026-11-26T06:00:00.000Z', next: '2026-12-01T00:00:00.000Z' },
];
for (const c of cases) {
  test(`nextFire("${c.schedule}") after ${c.after} is ${c.next}`, () => {
    assert.equal(nextFire(c.schedule, new Date(c.after)).toISOString(), c.next);
  });
}

test('nextFire refuses 5-field cron and nonsense', () => {
  assert.throws(() => nextFire('*/15 * * * *', new Date()), /6 fields/);
  assert.throws(() => nextFire('0 */15 * * * bogus', new Date()));
});

test('runTimer runs the handler now with a Timer input; the schedule comes from %SETTING%', async () => {
  const seen: Timer[] = [];
  const reg: TimerRegistration = { name: 'sweep', trigger: { type: 'timer', schedule: '%MY_SCHEDULE%' }, handler: (t) => { seen.push(t); } };
  const host = await startDevHost({ registrations: [reg], timers: 'manual', env: { MY_SCHEDULE: '0 0 * * * *' }, log: () => undefined });
  try {
    await host.runTimer('sweep');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].isPastDue, false);
    assert.match(seen[0].scheduleStatus.next, /^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    await assert.rejects(host.runTimer('nope'), /no timer function named "nope"/);
  } finally {
    await host.stop();
  }
});

test('runTimer rejects with the handler error; a missing schedule setting fails at start', async () => {
  const reg: TimerRegistration = { name: 't', trigger: { type: 'timer', schedule: '0 0 * * * *' }, handler: () => { throw new Error('sweep broke'); } };
  const host = await startDevHost({ registrations: [reg], timers: 'manual', log: () => undefined });
  try {
    await assert.rejects(host.runTimer('t'), /sweep broke/);
  } finally {
    await host.stop();
  }
  await assert.rejects(startDevHost({ registrations: [{ ...reg, trigger: { type: 'timer', schedule: '%UNSET_SCHEDULE%' } }], env: {}, log: () => undefined }), /UNSET_SCHEDULE/);
});

test('a schedule fires on its own, and runOnStartup fires at once', async () => {
  let ticks = 0;
  let startup = 0;
  const host = await startDevHost({
    registrations: [
      { name: 'everySecond', trigger: { type: 'timer', schedule: '* * * * * *' }, handler: () => { ticks++; } },
      { name: 'onStart', trigger: { type: 'timer', schedule: '0 0 0 1 1 *', runOnStartup: true }, handler: () => { startup++; } },
    ],
    log: () => undefined,
  });
  try {
    const deadline = Date.now() + 3000;
    while (ticks < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(ticks >= 2, `ticks ${ticks}`);
    assert.equal(startup, 1);
  } finally {
    await host.stop();
  }
});

test('host.json TimeSpans and defaults', () => {
  assert.equal(parseTimeSpan('00:00:30'), 30_000);
  assert.equal(parseTimeSpan('01:02:03.5'), 3_723_500);
  assert.equal(parseTimeSpan('1.00:00:00'), 86_400_000);
  assert.throws(() => parseTimeSpan('30s'), /TimeSpan/);
  const d = hostConfigFrom({ version: '2.0' });
  assert.deepEqual(d.queues, { batchSize: 16, newBatchThreshold: 8, maxDequeueCount: 5, visibilityTimeoutMs: 0, maxPollingIntervalMs: 60_000, messageEncoding: 'base64' });
  assert.throws(() => hostConfigFrom({ extensions: { queues: { batchSize: 64 } } }), /batchSize/);
});
