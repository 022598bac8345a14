// A job-service host's compute, read on the sandbox (contoso: tb-train-resnet and tb-sweep-bert run on cpu-cluster,
// which is no TensorBoard host): in a batch, one Resource Graph query for every compute the batch's jobs name — none
// when the compute is a host of the batch, whose evidence is reused — and no ARM read of a compute; where Graph does
// not index computes, one compute list of the ML workspace; on demand, one ARM GET. The compute's evidence is
// gathered in the batch's own queries: its Log Analytics workspace's chunk gains the cluster-events query if it had no
// cluster, and nothing per job.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSettings } from '../../shared/config';
import { evaluateHosts } from '../../shared/evaluate';
import { gatherEvidence } from '../../shared/evidence/index';
import type { HostRecord } from '../../shared/model';
import type { Tenant } from '../../sandbox/tenant-types';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';
import { discover, evidenceContext } from './logs-support';

const settings = loadSettings({});
let sandbox: RunningSandbox;
let hosts: HostRecord[];

function useTenant(mutate: (t: Tenant) => void = () => {}): void {
  const t = loadTenant('contoso');
  mutate(t);
  sandbox.setTenant(t);
  sandbox.clearRequests();
}

before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'));
  hosts = (await discover(sandbox, settings)).hosts;
});
after(() => sandbox.close());

const byName = (name: string) => {
  const h = hosts.find((x) => x.name === name);
  assert.ok(h, name);
  return h;
};
const isComputeQuery = (q: string | undefined) => /workspaces\/computes' and tolower\(id\) in/.test(q ?? '');
const computeReads = () => sandbox.requests().filter((r) => r.api === 'arm' && /\/computes\/[^/]+$/i.test(r.path));

test('batch: the two jobs on cpu-cluster cost one Resource Graph query naming it once, no ARM read of the compute', async () => {
  useTenant();
  const ctx = evidenceContext(sandbox, azureContextFor(sandbox), settings);
  const batch = hosts.filter((h) => h.logAnalyticsWorkspaceId === byName('tb-train-resnet').logAnalyticsWorkspaceId);
  const laBefore = await (async () => {
    const without = batch.filter((h) => h.kind !== 'job-service');
    sandbox.clearRequests();
    await gatherEvidence(without, evidenceContext(sandbox, azureContextFor(sandbox), settings));
    return sandbox.requests().filter((r) => r.api === 'logAnalytics').length;
  })();
  sandbox.clearRequests();
  const ev = await gatherEvidence(batch, ctx);
  const graph = sandbox.requests().filter((r) => r.api === 'resourceGraph' && isComputeQuery(r.query));
  assert.equal(graph.length, 1, 'one compute query for the batch');
  assert.equal((graph[0].query?.match(/computes\/cpu-cluster/g) ?? []).length, 1, 'cpu-cluster named once for its two jobs');
  assert.equal(computeReads().length, 0, 'no ARM read of a compute in a batch');
  // The compute joins the batch's queries; only the cluster-events query is new, for a workspace whose chunk held no
  // cluster before (the per-family bound: one query per family per workspace per 1,000 hosts).
  const la = sandbox.requests().filter((r) => r.api === 'logAnalytics');
  assert.equal(la.length, laBefore + 1, 'the cluster-events query of the compute, nothing else');
  assert.equal(la.filter((r) => r.query?.includes('AmlComputeClusterEvent')).length, 1);
  for (const name of ['tb-train-resnet', 'tb-sweep-bert']) {
    const jc = ev.get(byName(name).id)?.jobCompute;
    assert.ok(jc?.ok, `${name}: ${jc && !jc.ok ? jc.reason : 'none'}`);
    assert.equal(jc.value.host.name, 'cpu-cluster');
    assert.equal(jc.value.host.kind, 'compute-cluster');
    assert.ok(jc.value.vmSize.ok && jc.value.vmSize.value.name === 'Standard_DS3_v2', JSON.stringify(jc.value.vmSize));
    assert.ok(jc.value.network.ok && jc.value.network.value.subnet.state === 'found', 'the subnet of the compute');
    assert.ok(jc.value.logs.cluster.ok, 'the cluster events of the compute');
  }
  assert.deepEqual(ctx.errors, []);
});

test('batch: a job on a TensorBoard cluster of the batch reuses that host\'s evidence, no compute query', async () => {
  useTenant();
  const clusterTb = byName('cluster-tb');
  const job = { ...byName('tb-train-resnet'), id: `${clusterTb.facts.workspaceId}/jobs/tb-on-cluster-tb`, name: 'tb-on-cluster-tb' };
  job.facts = { ...job.facts, job: { ...job.facts.job!, computeId: clusterTb.id.toUpperCase() } };
  const ctx = evidenceContext(sandbox, azureContextFor(sandbox), settings);
  const ev = await gatherEvidence([clusterTb, job], ctx);
  assert.equal(sandbox.requests().filter((r) => isComputeQuery(r.query)).length, 0);
  const jc = ev.get(job.id)?.jobCompute;
  assert.ok(jc?.ok);
  assert.equal(jc.value.host.id, clusterTb.id);
  assert.deepEqual(jc.value.vmSize, ev.get(clusterTb.id)?.vmSize);
  assert.deepEqual(jc.value.logs.cluster, ev.get(clusterTb.id)?.logs.cluster);
});

test('batch, Graph not indexing computes: one compute list of the ML workspace, never a GET per compute', async () => {
  useTenant((t) => { t.resourceGraph = { ...t.resourceGraph, excludeTypes: ['microsoft.machinelearningservices/workspaces/computes'] }; });
  const ctx = evidenceContext(sandbox, azureContextFor(sandbox), settings);
  const jobs = hosts.filter((h) => h.kind === 'job-service');
  const ev = await gatherEvidence(jobs, ctx);
  const lists = sandbox.requests().filter((r) => r.api === 'arm' && /workspaces\/mlw-prod\/computes$/i.test(r.path));
  assert.equal(lists.length, 1);
  assert.equal(computeReads().length, 0);
  for (const j of jobs) assert.equal(ev.get(j.id)?.jobCompute?.ok, true, j.name);
});

test('a serverless job (no computeId) and a job whose compute is gone: unknown with the reason, never pass', async () => {
  useTenant();
  const base = byName('tb-train-resnet');
  const serverless = { ...base, id: `${base.id}-serverless`, name: 'serverless', facts: { ...base.facts, job: { ...base.facts.job!, computeId: null } } };
  const gone = { ...base, id: `${base.id}-gone`, name: 'gone', facts: { ...base.facts, job: { ...base.facts.job!, computeId: `${base.facts.workspaceId}/computes/deleted-cluster` } } };
  const now = new Date(sandbox.tenant().now);
  const { reports } = await evaluateHosts([serverless, gone], { azure: azureContextFor(sandbox), settings, mode: 'batch', now });
  for (const r of reports) {
    for (const id of ['resource.vm-size', 'resource.cluster-nodes', 'network.tensorboard-port', 'network.aml-outbound']) {
      const c = r.checks.find((x) => x.id === id)!;
      assert.equal(c.status, 'unknown', `${r.host.name} ${id}: ${c.summary}`);
    }
    assert.notEqual(r.status, 'pass');
  }
  const [s, g] = reports;
  assert.match(s.checks.find((c) => c.id === 'resource.vm-size')!.summary, /names no compute \(serverless/);
  assert.match(g.checks.find((c) => c.id === 'resource.vm-size')!.summary, /deleted-cluster, but neither Resource Graph nor its ML workspace's compute list has it/);
});

test('on demand: one ARM GET of the job\'s compute; the verdicts match the batch', async () => {
  useTenant();
  const job = byName('tb-sweep-bert');
  const now = new Date(sandbox.tenant().now);
  const onDemand = await evaluateHosts([job], { azure: azureContextFor(sandbox), settings, mode: 'on-demand', now });
  const reads = computeReads();
  assert.equal(reads.length, 1);
  assert.match(reads[0].path, /\/computes\/cpu-cluster$/);
  sandbox.clearRequests();
  const batch = await evaluateHosts([job], { azure: azureContextFor(sandbox), settings, mode: 'batch', now });
  const statuses = (r: typeof batch) => r.reports[0].checks.map((c) => `${c.id}=${c.status}`);
  assert.deepEqual(statuses(onDemand), statuses(batch));
  assert.equal(batch.reports[0].checks.find((c) => c.id === 'resource.vm-size')?.status, 'pass');
  assert.equal(batch.reports[0].checks.find((c) => c.id === 'script.not-running')?.status, 'skipped');
});
