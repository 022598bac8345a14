// The report store on real Azurite: latest + history per host, replays compare against the same base, concurrent
// writers are resolved by ETags, history is pruned after TBMON_HISTORY_DAYS, large reports fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReportStore } from '../../shared/state/reports';
import type { HostReport } from '../../shared/model';
import type { HostCheckStates } from '../../shared/regressions';
import { testStorageConnectionString, testTable, uniqueName } from '../support/env';
import { testHost } from '../support/hosts';

async function openStore(now: () => Date, historyDays = 30): Promise<ReportStore> {
  const cs = await testStorageConnectionString();
  const t = (n: string) => testTable(cs, uniqueName(n));
  const store = new ReportStore(t('reports'), t('history'), { historyDays, now });
  await store.ensureTables();
  return store;
}

function report(evaluatedAt: string, status: HostReport['status'] = 'fail', hostName = 'ci-1'): HostReport {
  return {
    host: testHost({ name: hostName, subscriptionId: 'SUB-1', resourceGroup: 'rg', workspace: 'ws', logAnalyticsWorkspaceId: null }),
    evaluatedAt, status,
    checks: [{ id: 'network.tensorboard-port', class: 'network', status, severity: 'high', summary: 's' }],
  };
}

const states = (s: 'pass' | 'fail'): HostCheckStates => ({ 'network.tensorboard-port': { lastKnown: s, unknownStreak: 0, since: 'sw1', unknownSince: null } });

test('first sight has no base; the next sweep sees the stored states; a replay of that sweep sees the same base again', async () => {
  const store = await openStore(() => new Date('2026-11-26T06:00:00Z'));
  const seen: unknown[] = [];
  await store.recordHost(report('2026-11-26T06:00:00Z', 'pass'), 'sw1', async (input) => { seen.push(input); return states('pass'); });
  await store.recordHost(report('2026-11-26T06:15:00Z'), 'sw2', async (input) => { seen.push(input); return states('fail'); });
  await store.recordHost(report('2026-11-26T06:16:00Z'), 'sw2', async (input) => { seen.push(input); return states('fail'); });
  assert.deepEqual(seen, [
    { base: undefined, replay: false },
    { base: states('pass'), replay: false },
    { base: states('pass'), replay: true },
  ]);
  const latest = await store.getLatest(report('x').host.id.toLowerCase());
  assert.equal(latest?.sweepId, 'sw2');
  assert.deepEqual(latest?.checkStates, states('fail'));
  const history = await store.listHistory(report('x').host.id);
  assert.deepEqual(history.map((h) => h.evaluatedAt), ['2026-11-26T06:16:00Z', '2026-11-26T06:00:00Z'], 'one row per sweep, newest first; the replay replaced its sweep\'s row');
});

test('a concurrent writer between read and write makes the step run again on fresh state', async () => {
  const store = await openStore(() => new Date('2026-11-26T06:00:00Z'));
  await store.recordHost(report('2026-11-26T06:00:00Z', 'pass'), 'sw1', async () => states('pass'));
  let runs = 0;
  await store.recordHost(report('2026-11-26T06:15:00Z'), 'sw2', async (input) => {
    runs++;
    if (runs === 1) await store.recordHost(report('2026-11-26T06:15:00Z'), 'sw2', async () => states('fail')); // the duplicate delivery wins
    else assert.deepEqual(input, { base: states('pass'), replay: true });
    return states('fail');
  });
  assert.equal(runs, 2);
  assert.equal((await store.listHistory(report('x').host.id)).length, 2);
});

test('history older than TBMON_HISTORY_DAYS is pruned (at most once a day per host)', async () => {
  let clock = new Date('2026-11-01T00:00:00Z');
  const store = await openStore(() => clock, 2);
  for (let day = 0; day < 5; day++) {
    clock = new Date(Date.parse('2026-11-01T00:00:00Z') + day * 86_400_000 + 1000);
    await store.recordHost(report(clock.toISOString()), `sw${day}`, async () => states('fail'));
  }
  const kept = (await store.listHistory(report('x').host.id)).map((h) => h.evaluatedAt.slice(0, 10));
  assert.deepEqual(kept, ['2026-11-05', '2026-11-04', '2026-11-03']);
});

test('listLatest streams every host; a report far beyond 64 KiB is stored and read back whole', async () => {
  const store = await openStore(() => new Date('2026-11-26T06:00:00Z'));
  const big = report('2026-11-26T06:00:00Z', 'fail', 'ci-big');
  big.checks[0].evidence = { rows: Array.from({ length: 4000 }, (_, i) => ({ i, message: `Out of memory: Killed process ${i} (python3) total-vm:${i * 7}kB` })) };
  assert.ok(JSON.stringify(big).length > 200_000);
  await store.recordHost(big, 'sw1', async () => states('fail'));
  await store.recordHost(report('2026-11-26T06:00:00Z', 'pass', 'ci-2'), 'sw1', async () => states('pass'));
  const all = [];
  for await (const l of store.listLatest('sub-1')) all.push(l);
  assert.deepEqual(all.map((l) => l.report.host.name).sort(), ['ci-2', 'ci-big']);
  assert.deepEqual(all.find((l) => l.report.host.name === 'ci-big')?.report, big);
});
