// Log evidence on the contoso tenant through the real pipeline (discovery → evaluateHosts): every host's resource,
// script and flow-denied checks give the statuses the tenant was built for, from what the sandbox returns for the
// product's actual queries — one query per evidence family per workspace, each naming every host of the batch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateHosts } from '../../shared/evaluate';
import { loadSettings } from '../../shared/config';
import { kqlString } from '../../shared/kql';
import type { CheckResult, HostRecord } from '../../shared/model';
import { azureContextFor, loadTenant, type RunningSandbox } from '../support/sandbox';
import { logQueries, startContoso } from './logs-support';

const MINE = /^(resource\.|script\.|network\.flow-denied$)/;
let sandbox: RunningSandbox;
let hosts: HostRecord[];
const expectations = loadTenant('contoso')._expect as Record<string, Record<string, string>>;

before(async () => {
  ({ sandbox, hosts } = await startContoso());
});
after(() => sandbox.close());

test('contoso: designed resource and script statuses, one query per family per workspace', async () => {
  const settings = loadSettings({});
  const azure = azureContextFor(sandbox);
  sandbox.clearRequests();
  const result = await evaluateHosts(hosts, { azure, settings, mode: 'batch', now: new Date(sandbox.tenant().now) });
  assert.deepEqual(result.errors.filter((e) => /Log Analytics|vm size|VM sizes/i.test(e.message)), []);

  let compared = 0;
  for (const [name, expected] of Object.entries(expectations)) {
    const report = result.reports.find((r) => r.host.name === name);
    assert.ok(report, `host ${name} was evaluated`);
    for (const [id, status] of Object.entries(expected)) {
      if (!MINE.test(id)) continue;
      const check: CheckResult | undefined = report.checks.find((c) => c.id === id);
      assert.equal(check?.status, status, `${name} ${id}: ${check?.summary} ${check?.hint ?? ''}`);
      compared++;
    }
  }
  assert.ok(compared >= 15, `compared ${compared} designed statuses`);

  const queries = logQueries(sandbox);
  const byWorkspace = new Map<string, string[]>();
  for (const q of queries) byWorkspace.set(q.workspace ?? '', [...(byWorkspace.get(q.workspace ?? '') ?? []), q.query ?? '']);
  const workspaces = new Set(hosts.map((h) => h.logAnalyticsWorkspaceId).filter((w): w is string => !!w));
  assert.equal(byWorkspace.size, workspaces.size);
  for (const [ws, texts] of byWorkspace) {
    assert.ok(texts.length <= 5, `${ws}: ${texts.length} queries`);
    // Job services are judged from the job list: their output never reaches Log Analytics.
    const wsHosts = hosts.filter((h) => h.kind !== 'job-service' && h.logAnalyticsWorkspaceId?.toLowerCase() === ws.toLowerCase());
    const launch = texts.filter((t) => t.includes('ProcessName'));
    assert.equal(launch.length, 1, 'one launch-log query per workspace');
    for (const h of wsHosts) {
      assert.ok(launch[0].includes(kqlString(h.id.toLowerCase())), `${h.name}'s id is in its workspace's launch-log query`);
      if (h.kind !== 'compute-cluster') assert.ok(launch[0].includes(kqlString(syslogName(h))), `${h.name}'s computer name is in its workspace's launch-log query`);
    }
  }
  // contoso sends no traffic analytics: the flows query is the only one Log Analytics refuses (unknown table).
  for (const q of queries.filter((r) => r.status !== 200)) {
    assert.equal(q.status, 400);
    assert.match(q.query ?? '', /NTANetAnalytics/);
  }
});

function syslogName(h: HostRecord): string {
  return (h.kind === 'vm' ? h.facts.computerName ?? h.name : h.name).toLowerCase();
}

test('contoso: evidence the checks rely on', async () => {
  const settings = loadSettings({});
  const azure = azureContextFor(sandbox);
  const result = await evaluateHosts(hosts, { azure, settings, mode: 'batch', now: new Date(sandbox.tenant().now) });
  const check = (host: string, id: string): CheckResult | undefined => result.reports.find((r) => r.host.name === host)?.checks.find((c) => c.id === id);
  assert.match(check('ci-oom', 'resource.memory-pressure')?.summary ?? '', /killed tensorboard/);
  assert.match(String((check('ci-port-in-use', 'script.port-in-use')?.evidence as { message?: string })?.message), /could not bind to port 6006/);
  assert.match(check('vm-tb', 'script.not-running')?.summary ?? '', /launcher reports TensorBoard running/);
  assert.equal(check('ci-ok', 'resource.disk-pressure')?.status, 'pass');
  assert.equal(check('ci-ok', 'resource.cpu-saturation')?.status, 'pass');
});

test('contoso without traffic analytics or VM insights: unknown with the reason, never pass', async (t) => {
  const tenant = loadTenant('contoso');
  for (const ws of Object.values(tenant.logAnalytics ?? {})) {
    delete ws.tables.NTANetAnalytics;
    ws.tables.InsightsMetrics = (ws.tables.InsightsMetrics ?? []).filter((r) => r.Computer !== 'ci-localhost');
  }
  sandbox.setTenant(tenant);
  t.after(() => sandbox.setTenant(loadTenant('contoso')));
  const settings = loadSettings({});
  const result = await evaluateHosts(hosts, { azure: azureContextFor(sandbox), settings, mode: 'batch', now: new Date(tenant.now) });
  const check = (host: string, id: string): CheckResult | undefined => result.reports.find((r) => r.host.name === host)?.checks.find((c) => c.id === id);
  const flows = check('ci-ok', 'network.flow-denied');
  assert.equal(flows?.status, 'unknown');
  assert.match(flows?.summary ?? '', /NTANetAnalytics/);
  assert.match(flows?.hint ?? '', /traffic analytics/);
  const memory = check('ci-localhost', 'resource.memory-pressure');
  assert.equal(memory?.status, 'unknown');
  assert.match(memory?.summary ?? '', /no memory metrics/);
  assert.equal(check('ci-localhost', 'resource.disk-pressure')?.status, 'unknown');
  assert.equal(check('ci-localhost', 'script.localhost-only')?.status, 'fail', 'the launch log still decides the script checks');
});
