// The request budget of discovery on a generated tenant of 1,000 subscriptions / 200 ML workspaces / 10,000 hosts,
// read from the sandbox's request log: at most 20 Resource Graph requests, no per-host ARM call, and at most one ARM
// call per ML workspace (diagnostic settings) plus one per Log Analytics workspace — for the whole-tenant scope and
// for the scope as a long subscription list (batched under Graph's guidance). The quota is raised here so the test
// measures counts, not waits (quota waits have their own test). `tbmon scan` of the same tenant keeps to its budget
// too: discovery's, plus per batch at most 3 Resource Graph queries and 6 Log Analytics queries per 1,000 hosts of a
// Log Analytics workspace, ARM at most 2 per ML workspace + 50, and no call per host in either path.
// Jobs: three ML workspaces hold 130 jobs each (120 inside TBMON_JOB_HORIZON, 10 older; 108 TensorBoard job services
// each, counted in the 10,000 hosts): one job list per ML workspace plus one per further page inside the horizon
// (the sandbox's 50 a page: two more each) — counted per API (the client's `arm` count agrees with the request log).
// The restart check (script.not-relaunched) reads back in the launch query: the Log Analytics bound is the one from
// before it, and no query is only a restart read-back.
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
import { DEFAULT_ARM_PAGE_SIZE } from '../../sandbox/server';
import { azureContextFor, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const ML_WORKSPACES = 200;
const LA_WORKSPACES = 50;
const HOSTS = 10_000;
const JOBS = { workspaces: 3, inside: 120, old: 10 };
const PAGE = DEFAULT_ARM_PAGE_SIZE;
/** Job-list pages a workspace costs: its jobs inside the horizon fill ceil(inside / PAGE) pages (at least the first). */
const JOB_PAGES = JOBS.workspaces * Math.max(1, Math.ceil(JOBS.inside / PAGE)) + (ML_WORKSPACES - JOBS.workspaces);
let jobServices = 0;

let sandbox: RunningSandbox;
let tenant: Tenant;
before(async () => {
  // 108 job services in each of the three workspaces (every 10th job Completed): the generated hosts make up the rest.
  jobServices = JOBS.workspaces * (JOBS.inside - Math.floor(JOBS.inside / 10));
  tenant = generateTenant({ subscriptions: 1_000, mlWorkspaces: ML_WORKSPACES, hosts: HOSTS - jobServices, logAnalyticsWorkspaces: LA_WORKSPACES, seed: 11, jobs: JOBS });
  assert.equal((tenant as { _jobServices?: number })._jobServices, jobServices);
  assert.ok(JOBS.inside % PAGE !== 0 && JOBS.inside % PAGE + JOBS.old <= PAGE, 'the old jobs share the last page inside the horizon: no page past it is read');
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
  // Jobs: Resource Graph does not index them — one job list per ML workspace, plus one per further page inside the
  // horizon (the three workspaces with jobs: ceil(120 / 50) = 3 pages each), never a job read by id.
  assert.equal(b.jobLists.length, JOB_PAGES, `${label}: ${b.jobLists.length} job-list requests = ${ML_WORKSPACES} ML workspaces + ${JOB_PAGES - ML_WORKSPACES} further pages`);
  assert.equal(b.jobLists.filter((r) => !r.query?.includes('$skip')).length, ML_WORKSPACES, `${label}: one first page per ML workspace`);
  assert.equal(new Set(b.jobLists.map((r) => `${r.path}?${r.query ?? ''}`.toLowerCase())).size, JOB_PAGES, `${label}: never the same page twice`);
  assert.equal(b.arm.filter((r) => /\/jobs\/[^/]+$/i.test(r.path)).length, 0, `${label}: no job read by id`);
  assert.equal(b.result.hosts.filter((h) => h.kind === 'job-service').length, jobServices, `${label}: every TensorBoard job service inside the horizon`);
  assert.ok(b.arm.length <= 2 * ML_WORKSPACES + LA_WORKSPACES + (JOB_PAGES - ML_WORKSPACES), `${label}: ${b.arm.length} ARM requests`);
  assert.deepEqual(b.counts.resourceGraph, b.graph.length, `${label}: the client's count agrees with the log`);
  assert.deepEqual(b.counts.arm, b.arm.length, `${label}: the job lists are counted as ARM requests by the client too`);
  console.log(`# ${label}: ${b.graph.length} Resource Graph, ${b.arm.length} ARM (${b.jobLists.length} job-list pages for ${ML_WORKSPACES} ML workspaces, ${b.diagnostics.length} diagnostic settings)`);
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
    // The restart check reads back inside the launch query: no query is a restart read-back alone.
    const readBack = la.filter((r) => r.query?.includes('tbRestartHosts'));
    assert.ok(readBack.length > 0, 'the generated restarted instances are read back');
    assert.deepEqual(readBack.filter((r) => !r.query?.includes('ProcessName')).map((r) => r.workspace), [], 'no Log Analytics query of the restart check\'s own');
    const jobLists = arm.filter((r) => /\/workspaces\/[^/]+\/jobs$/i.test(r.path));
    assert.equal(jobLists.length, JOB_PAGES, `${jobLists.length} job-list requests = ${ML_WORKSPACES} ML workspaces + ${JOB_PAGES - ML_WORKSPACES} further pages`);
    const jobs = lines.slice(0, HOSTS).map((l) => JSON.parse(l) as { host: { kind: string }; checks: { id: string; class: string; status: string }[] }).filter((h) => h.host.kind === 'job-service');
    assert.equal(jobs.length, jobServices);
    assert.ok(jobs.every((h) => h.checks.filter((c) => c.class === 'script').every((c) => c.status === 'skipped')), 'a job\'s script checks are skipped');
    assert.ok(jobs.every((h) => h.checks.find((c) => c.id === 'resource.vm-size')?.status === 'pass'), 'each job judged on its cluster\'s size');
    console.log(`# scan of ${HOSTS} hosts (${jobServices} job services): ${graph.length} Resource Graph, ${arm.length} ARM (${jobLists.length} job-list pages), ${la.length} Log Analytics (${readBack.length} launch queries reading restarts back)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
