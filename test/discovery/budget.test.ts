// The request budget of discovery on a generated tenant of 1,000 subscriptions / 200 ML workspaces / 10,000 hosts,
// read from the sandbox's request log: at most 20 Resource Graph requests, no per-host ARM call, and at most one ARM
// call per ML workspace (diagnostic settings) plus one per Log Analytics workspace — for the whole-tenant scope and
// for the scope as a long subscription list (batched under Graph's guidance). The quota is raised here so the test
// measures counts, not waits (quota waits have their own test). `tbmon scan` of the same tenant keeps to its budget
// too: discovery's, plus per batch at most 3 Resource Graph queries and 6 Log Analytics queries per 1,000 hosts of a
// Log Analytics workspace, ARM at most 2 per ML workspace + 50, and no call per host in either path.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../../shared/config';
import { discoverHosts, discoverInBatches, type HostBatch } from '../../shared/discovery/discover';
import { main, type CliIo } from '../../cli/main';
import type { RunError } from '../../shared/model';
import { generateTenant } from '../../sandbox/generate';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const ML_WORKSPACES = 200;
const LA_WORKSPACES = 50;
const HOSTS = 10_000;

let sandbox: RunningSandbox;
let tenant: Tenant;
before(async () => {
  tenant = generateTenant({ subscriptions: 1_000, mlWorkspaces: ML_WORKSPACES, hosts: HOSTS, logAnalyticsWorkspaces: LA_WORKSPACES, seed: 11 });
  tenant.resourceGraph = { quota: { limit: 1_000, windowMs: 5_000 } };
  sandbox = await startTestSandbox(tenant);
});
after(() => sandbox.close());

async function budgetOf(env: Record<string, string>) {
  sandbox.clearRequests();
  const azure = azureContextFor(sandbox);
  const errors: RunError[] = [];
  const result = await discoverHosts({ azure, settings: loadSettings(env), errors, now: new Date() });
  const log = sandbox.requests();
  const graph = log.filter((r) => r.api === 'resourceGraph');
  const arm = log.filter((r) => r.api === 'arm');
  const diagnostics = arm.filter((r) => /\/providers\/Microsoft\.Insights\/diagnosticSettings$/i.test(r.path));
  const perHost = arm.filter((r) => /\/computes\/[^/]+$|\/virtualMachines\/[^/]+$/i.test(r.path));
  const jobLists = arm.filter((r) => /\/workspaces\/[^/]+\/jobs$/i.test(r.path));
  return { result, errors, graph, arm, diagnostics, perHost, jobLists, counts: azure.counter.snapshot() };
}

function assertBudget(b: Awaited<ReturnType<typeof budgetOf>>, label: string): void {
  assert.deepEqual(b.errors, [], label);
  assert.equal(b.result.hosts.length, HOSTS, label);
  assert.ok(b.graph.length <= 20, `${label}: ${b.graph.length} Resource Graph requests`);
  assert.equal(b.perHost.length, 0, `${label}: no per-host ARM call`);
  assert.equal(b.diagnostics.length, ML_WORKSPACES, `${label}: one diagnostic-settings read per ML workspace`);
  assert.equal(new Set(b.diagnostics.map((r) => r.path.toLowerCase())).size, ML_WORKSPACES, `${label}: never the same workspace twice`);
  // Jobs: Resource Graph does not index them — one job list per ML workspace (one page each: these have no jobs).
  assert.equal(b.jobLists.length, ML_WORKSPACES, `${label}: one job list per ML workspace`);
  assert.equal(new Set(b.jobLists.map((r) => r.path.toLowerCase())).size, ML_WORKSPACES, `${label}: never the same job list twice`);
  assert.ok(b.arm.length <= 2 * ML_WORKSPACES + LA_WORKSPACES, `${label}: ${b.arm.length} ARM requests`);
  assert.deepEqual(b.counts.resourceGraph, b.graph.length, `${label}: the client's count agrees with the log`);
  assert.ok(b.result.hosts.every((h) => h.logAnalyticsWorkspaceId !== null), `${label}: every host routed to a Log Analytics workspace`);
}

test('whole-tenant scope: within the budget', async () => {
  const b = await budgetOf({});
  assertBudget(b, 'all');
  assert.equal(b.result.subscriptionsRead.length, 1_000);
});

test('a 1,000-subscription list: batched, still within the budget', async () => {
  const b = await budgetOf({ TBMON_SCOPE: `subscriptions:${tenant.subscriptions.map((s) => s.subscriptionId).join(',')}` });
  assertBudget(b, 'subscriptions');
  assert.equal(b.result.subscriptionsRead.length, 1_000);
});

test('streamed: batches of one Log Analytics workspace, at most 1,000 hosts, handed on while Graph pages still come', async () => {
  sandbox.clearRequests();
  const azure = azureContextFor(sandbox);
  const errors: RunError[] = [];
  const sizes: number[] = [];
  const seen = new Set<string>();
  let graphAtFirstBatch = -1;
  const summary = await discoverInBatches({ azure, settings: loadSettings({}), errors, now: new Date() }, { maxHeld: 5_000 }, async (b: HostBatch) => {
    if (graphAtFirstBatch < 0) graphAtFirstBatch = azure.counter.snapshot().resourceGraph;
    sizes.push(b.hosts.length);
    assert.ok(b.hosts.every((h) => h.logAnalyticsWorkspaceId === b.logAnalyticsWorkspaceId), 'one Log Analytics workspace per batch');
    for (const h of b.hosts) seen.add(h.id.toLowerCase());
  });
  assert.deepEqual(errors, []);
  assert.equal(summary.hostCount, HOSTS);
  assert.equal(seen.size, HOSTS, 'every host once');
  assert.ok(Math.max(...sizes) <= 1_000, `largest batch ${Math.max(...sizes)}`);
  assert.ok(graphAtFirstBatch < azure.counter.snapshot().resourceGraph, `first batch after ${graphAtFirstBatch} of ${azure.counter.snapshot().resourceGraph} Graph requests`);
  // 50 Log Analytics workspaces and at most 5,000 held: partial batches go out early, so more batches than a plan by workspace would make.
  assert.ok(sizes.length > HOSTS / 1_000, `${sizes.length} batches`);
});

test('tbmon scan of the 10,000 hosts: bulk evidence per batch, within the budget, the report streamed as NDJSON', async () => {
  sandbox.clearRequests();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tbmon-budget-'));
  try {
    const output = path.join(dir, 'scan.ndjson');
    let stderr = '';
    const io: CliIo = { stdout: () => {}, stderr: (t) => { stderr += t; }, stdoutIsTty: false, stderrIsTty: false, env: {} };
    const code = await main(['scan', '--sandbox-url', sandbox.baseUrl, '--sandbox-ca', sandbox.caCertPath, '--format', 'ndjson', '--output', output, '-q'], io);
    assert.ok(code === 0 || code === 1, `exit ${code}: ${stderr}`);
    const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, HOSTS + 1, 'one line per host, then the summary');
    const tail = JSON.parse(lines[HOSTS]) as { summary: { hosts: number }; errors: RunError[] };
    assert.equal(tail.summary.hosts, HOSTS);
    assert.deepEqual(tail.errors, []);

    const log = sandbox.requests();
    const arm = log.filter((r) => r.api === 'arm' && !r.path.startsWith('/_sandbox'));
    const graph = log.filter((r) => r.api === 'resourceGraph');
    const la = log.filter((r) => r.api === 'logAnalytics');
    const batches = Math.ceil(HOSTS / 1_000) + LA_WORKSPACES; // at most one partial batch per Log Analytics workspace on top
    assert.equal(arm.filter((r) => /\/computes\/[^/]+$|\/virtualMachines\/[^/]+$|\/networkSecurityGroups\/[^/]+$|\/virtualNetworks\/[^/]+$/i.test(r.path)).length, 0, 'no per-resource ARM read');
    assert.ok(arm.length <= 2 * ML_WORKSPACES + 50, `${arm.length} ARM requests`);
    assert.ok(graph.length <= Math.ceil(HOSTS / 1_000) + 10 + 3 * batches, `${graph.length} Resource Graph requests`);
    const perWorkspace = new Map<string, number>();
    for (const r of la) perWorkspace.set(r.path, (perWorkspace.get(r.path) ?? 0) + 1);
    const hostsPer = new Map<string, number>();
    for (const l of lines.slice(0, HOSTS)) {
      const id = (JSON.parse(l) as { host: { logAnalyticsWorkspaceId: string | null } }).host.logAnalyticsWorkspaceId;
      if (id) hostsPer.set(id, (hostsPer.get(id) ?? 0) + 1);
    }
    for (const [p, n] of perWorkspace) {
      const id = /workspaces\/([^/]+)\/query/.exec(p)?.[1] ?? '';
      assert.ok(n <= 6 * Math.ceil((hostsPer.get(id) ?? 0) / 1_000), `${n} Log Analytics queries for workspace ${id} (${hostsPer.get(id)} hosts)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
