// node scripts/bootstrap.js bench alert [-- --notices N --owners N --runs N]
// The outbox's share of an alert run on Azurite: N notices (default 560) over a few owners, each also for Teams
// (so 2N outbox rows), then runAlerts with channels that send instantly — what is timed is listing, claiming and
// marking rows sent. Prints milliseconds per run and per row; asserts nothing.
import { TableClient } from '@azure/data-tables';
import type { Host } from '../shared/model';
import type { Notice } from '../shared/notices';
import { runAlerts } from '../shared/notify/alert';
import { MemoryPacingStore } from '../shared/notify/pacing';
import { Outbox } from '../shared/state/outbox';
import { testStorageConnectionString, uniqueName } from '../test/support/env';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

function notice(i: number, owners: number): Notice {
  const name = `ci-${String(i).padStart(4, '0')}`;
  const host: Host = {
    id: `/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/${name}`,
    name, kind: 'compute-instance', subscriptionId: 's1', resourceGroup: 'rg', workspace: 'ws', location: 'eastus2',
    port: 6006, publishedPort: 6006, owners: [`owner${i % owners}@contoso.com`], logAnalyticsWorkspaceId: null,
  };
  return { id: `n-${name}`, kind: 'regression', sweepId: 's-1', host, checkId: 'network.tensorboard-port', from: 'pass', to: 'fail', observedAt: '2026-11-26T06:00:00.000Z' };
}

async function main(): Promise<void> {
  const notices = arg('notices', 560);
  const owners = arg('owners', 7);
  const runs = arg('runs', 3);
  const cs = await testStorageConnectionString();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const outbox = new Outbox(TableClient.fromConnectionString(cs, uniqueName('benchoutbox'), { allowInsecureConnection: true }));
    await outbox.ensureTable();
    const all = Array.from({ length: notices }, (_, i) => notice(i, owners));
    await outbox.writeNotices(all, (n) => [...n.host.owners, 'teams:default']);
    const t0 = performance.now();
    const r = await runAlerts('s-1', {
      outbox,
      email: { send: async (_to, _rendered, operationId) => ({ operationId, status: 'Succeeded' }) },
      teams: { hasChannel: () => true, post: async () => ({ status: 202, attempts: 1 }) },
      pacing: { limits: { perMinute: 10_000, perHour: 10_000 }, store: new MemoryPacingStore() },
    });
    const ms = performance.now() - t0;
    const rows = r.email.rowsSent + r.teams.rowsSent;
    if (rows !== 2 * notices) throw new Error(`expected ${2 * notices} rows sent, got ${rows}: ${JSON.stringify(r)}`);
    times.push(ms);
    console.log(`run ${run + 1}: ${rows} rows, ${r.email.sent} emails + ${r.teams.sent} card(s) in ${ms.toFixed(0)} ms (${(ms / rows).toFixed(2)} ms/row)`);
    await outbox.table.deleteTable();
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  console.log(`median ${median.toFixed(0)} ms for ${2 * notices} outbox rows`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
