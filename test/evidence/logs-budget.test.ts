// Query budget on a generated tenant of 10,000 hosts over 20 Log Analytics workspaces, read from the sandbox's
// request log: at most one query per evidence family per workspace per 1,000 hosts, never a per-host query; and
// the designed findings of the generated hosts come out of those few queries.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateTenant } from '../../sandbox/generate';
import { resourceChecks } from '../../shared/checks/resource';
import { scriptChecks } from '../../shared/checks/script';
import { loadSettings } from '../../shared/config';
import { gatherLogEvidence, MAX_HOSTS_PER_QUERY, plannedQueries } from '../../shared/evidence/logs';
import { LOG_FAMILIES } from '../../shared/evidence/log-types';
import { gatherVmSizes } from '../../shared/evidence/vm-size';
import { kqlString } from '../../shared/kql';
import type { HostRecord } from '../../shared/model';
import { azureContextFor, startTestSandbox, type RunningSandbox } from '../support/sandbox';
import { discover, evidenceContext, logQueries } from './logs-support';

const tenant = generateTenant({ subscriptions: 20, mlWorkspaces: 100, hosts: 10_000, logAnalyticsWorkspaces: 20, seed: 7 });
const settings = loadSettings({});
let sandbox: RunningSandbox;
let hosts: HostRecord[];

before(async () => {
  sandbox = await startTestSandbox(tenant);
  hosts = (await discover(sandbox, settings)).hosts;
});
after(() => sandbox.close());

test('10,000 hosts over 20 workspaces: ≤ one query per family per workspace per 1,000 hosts, none per host', async () => {
  assert.equal(hosts.length, 10_000);
  const perWorkspace = new Map<string, HostRecord[]>();
  for (const h of hosts) {
    assert.ok(h.logAnalyticsWorkspaceId, `${h.name} has a workspace`);
    const ws = h.logAnalyticsWorkspaceId.toLowerCase();
    perWorkspace.set(ws, [...(perWorkspace.get(ws) ?? []), h]);
  }
  assert.equal(perWorkspace.size, 20);

  sandbox.clearRequests();
  const ctx = evidenceContext(sandbox, azureContextFor(sandbox), settings);
  const logs = await gatherLogEvidence(hosts, ctx);
  const queries = logQueries(sandbox);

  const allowed = [...perWorkspace.values()].reduce((n, list) => n + LOG_FAMILIES.length * Math.ceil(list.length / MAX_HOSTS_PER_QUERY), 0);
  assert.ok(queries.length <= allowed, `${queries.length} queries > ${allowed}`);
  assert.ok(queries.length <= 100, `${queries.length} queries`);
  // No per-host query: every launch-log query names every host of its workspace chunk (here: all of them).
  const launch = queries.filter((q) => q.query?.includes('ProcessName'));
  assert.equal(launch.length, perWorkspace.size);
  for (const q of launch) {
    const wsHosts = perWorkspace.get((q.workspace ?? '').toLowerCase()) ?? [];
    const named = wsHosts.filter((h) => q.query?.includes(kqlString(h.id.toLowerCase()))).length;
    assert.equal(named, wsHosts.length, `launch query of ${q.workspace} names ${named} of ${wsHosts.length} hosts`);
  }
  assert.equal(logs.size, hosts.length);
  assert.deepEqual(ctx.errors, []);
  console.log(`# ${queries.length} Log Analytics queries for ${hosts.length} hosts in ${perWorkspace.size} workspaces`);

  // The designed findings come out of those queries.
  const sizes = await gatherVmSizes(hosts, ctx);
  const expectations = (tenant._expect ?? {}) as Record<string, Record<string, string>>;
  const checks = [...resourceChecks, ...scriptChecks];
  let compared = 0;
  const wrong: string[] = [];
  for (const h of hosts) {
    const expected = expectations[h.name] ?? expectations[h.id];
    if (!expected) continue;
    const ev = { host: h, vmSize: sizes.get(h.id) ?? { ok: false as const, reason: 'none' }, network: { ok: false as const, reason: 'not read' }, logs: logs.get(h.id) ?? (() => { throw new Error('no logs'); })() };
    for (const [id, designed] of Object.entries(expected)) {
      // The network is not read here: localhost behind the instance proxy passes only once the load balancers are
      // known, so without them it is unknown (never a pass on partial evidence).
      const status = id === 'script.localhost-only' && designed === 'pass' ? 'unknown' : designed;
      const check = checks.find((c) => c.id === id);
      if (!check) continue;
      const got = check.run(ev, settings);
      compared++;
      if (got.status !== status) wrong.push(`${h.name} ${id}: ${got.status} (${got.summary}) ≠ ${status}`);
    }
  }
  assert.ok(compared > 1000, `compared ${compared}`);
  // script.not-relaunched reads the launch query's read-back: the restarted instances fail from the same queries.
  const restarted = Object.entries(expectations).filter(([, e]) => e['script.not-relaunched'] === 'fail').length;
  assert.ok(restarted > 50, `${restarted} restarted instances designed`);
  const launchWithReadBack = launch.filter((q) => q.query?.includes('tbRestartHosts')).length;
  console.log(`# script.not-relaunched: ${restarted} restarted instances judged from the ${launch.length} launch queries (${launchWithReadBack} reading back), no query of its own`);
  // Measured against the same fleet without the restarts (no lastOperation): the same number of queries.
  const unrestarted = hosts.map((h) => ({ ...h, facts: { ...h.facts, lastOperation: null } }));
  const now = new Date(sandbox.tenant().now);
  assert.ok(launchWithReadBack > 0);
  assert.equal(plannedQueries(unrestarted, settings, now).filter((q) => q.query.includes('tbRestartHosts')).length, 0, 'without restarts nothing is read back');
  assert.equal(plannedQueries(hosts, settings, now).length, plannedQueries(unrestarted, settings, now).length, 'the restart check adds no Log Analytics query');
  assert.equal(queries.length, plannedQueries(hosts, settings, now).length, 'the queries sent are the planned ones');
  assert.deepEqual(wrong.slice(0, 10), []);
});
