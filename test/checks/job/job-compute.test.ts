// A job-service host is judged on the compute its job runs on (registry.ts, evidence/job-compute.ts): the compute's
// size, its nodes and the network checks of its subnet run on the compute's evidence; the script checks are skipped
// (a job's output does not reach Syslog); a job whose compute cannot be read (serverless, not found, another compute
// type) leaves those checks unknown with the reason — never a pass. Near misses: cluster-nodes on a job that runs on
// a compute instance (skipped: does not apply), a job with every log family present (script checks still skipped),
// a compute of type Kubernetes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS, NO_SYSLOG, plainSentence, runChecks, runsOnJobCompute } from '../../../shared/checks/registry';
import { jobComputeView } from '../../../shared/evidence/job-compute';
import type { HostEvidence, VmSizeInfo } from '../../../shared/evidence/types';
import type { CheckResult, CheckStatus, Gathered, HostRecord, JobServiceFacts } from '../../../shared/model';
import { hostOf } from '../../../shared/model';
import { clusterEvents } from '../../../shared/checks/examples';
import { evidence, host, launchLog, settings } from '../../support/evidence';

const WS = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1';
const CLUSTER_ID = `${WS}/computes/gpu-cluster`;
const SUBNET = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-train';

const jobFacts = (computeId: string | null = CLUSTER_ID): JobServiceFacts => ({
  status: 'Running', displayName: 'train', experimentName: 'exp', computeId, createdAt: '2026-11-26T05:00:00.000Z', listedAt: '2026-11-26T06:00:00.000Z',
  serviceName: 'tb', service: { jobServiceType: 'TensorBoard', status: 'Running', errorMessage: null, endpoint: 'https://job-1-6006.eastus2.nodes.azureml.ms/', port: 6006 },
});

const job = (computeId: string | null = CLUSTER_ID): HostRecord => host({ kind: 'job-service', id: `${WS}/jobs/job-1`, name: 'job-1', facts: { job: jobFacts(computeId), workspaceId: WS } });

const cluster = (over: Partial<HostRecord> = {}): HostRecord => host({ kind: 'compute-cluster', id: CLUSTER_ID, name: 'gpu-cluster', ...over, facts: { workspaceId: WS, vmSize: 'STANDARD_NC4AS_T4_V3', subnetId: SUBNET } });

const SMALL: Gathered<VmSizeInfo> = { ok: true, value: { name: 'Standard_D2_v2', vCPUs: 2, memoryGB: 7 } };
const LARGE: Gathered<VmSizeInfo> = { ok: true, value: { name: 'Standard_NC4as_T4_v3', vCPUs: 4, memoryGB: 28 } };

function jobEvidence(jobCompute: HostEvidence['jobCompute'], logs: Partial<HostEvidence['logs']> = {}): HostEvidence {
  return { ...evidence(job(), logs), ...(jobCompute === undefined ? {} : { jobCompute }) };
}

const onCompute = (h: HostRecord, vmSize: Gathered<VmSizeInfo>, logs: Partial<HostEvidence['logs']> = {}): Gathered<HostEvidence> => ({ ok: true, value: evidence(h, logs, vmSize) });

function results(ev: HostEvidence): Map<string, CheckResult> {
  return new Map(runChecks(ev, settings, { now: new Date('2026-11-26T06:00:00Z') }).map((r) => [r.id, r]));
}

type Case = [name: string, ev: HostEvidence, id: string, want: CheckStatus, also?: (r: CheckResult) => void];

const SERVERLESS = { ok: false as const, reason: 'job job-1 names no compute (serverless compute, or a job list without properties.computeId), so its size, nodes and network cannot be read', hint: 'run it on a cluster' };

const CASES: Case[] = [
  // valid: the compute's own verdict, the compute named
  ['size of a cluster that holds TensorBoard → pass', jobEvidence(onCompute(cluster(), LARGE)), 'resource.vm-size', 'pass', (r) => assert.deepEqual(r.evidence?.jobCompute, { id: CLUSTER_ID, name: 'gpu-cluster', kind: 'compute-cluster' })],
  ['size of a cluster too small → fail, the fix resizes the cluster', jobEvidence(onCompute(cluster(), SMALL)), 'resource.vm-size', 'fail', (r) => assert.match(r.remediation ?? '', /az ml compute create --name gpu-cluster-2 --type AmlCompute/)],
  ['unusable nodes in the cluster → fail', jobEvidence(onCompute(cluster(), LARGE, { cluster: clusterEvents({ unusableNodeCount: 2 }) })), 'resource.cluster-nodes', 'fail', (r) => assert.match(r.summary, /gpu-cluster has 2 unusable node/)],
  ['usable nodes → pass', jobEvidence(onCompute(cluster(), LARGE, { cluster: clusterEvents({}) })), 'resource.cluster-nodes', 'pass'],
  ['near miss: cluster-nodes of a job on a compute instance → skipped (does not apply)', jobEvidence(onCompute(host({ kind: 'compute-instance', id: `${WS}/computes/ci-1`, name: 'ci-1' }), LARGE)), 'resource.cluster-nodes', 'skipped', (r) => assert.match(r.summary, /does not apply to the job's compute ci-1/)],
  ['network of the compute unreadable → unknown (the compute\'s reason)', jobEvidence(onCompute(cluster(), LARGE)), 'network.tensorboard-port', 'unknown'],
  ['load balancers are VMs\' → skipped on a cluster', jobEvidence(onCompute(cluster(), LARGE)), 'network.load-balancer', 'skipped'],
  // the rest of the host checks
  ['near miss: every log family present, the script checks are still skipped', jobEvidence(onCompute(cluster(), LARGE), { launch: launchLog([['05:50', 'TensorBoard 2.16.2 at http://0.0.0.0:6006/ (Press CTRL+C to quit)']]) }), 'script.not-running', 'skipped', (r) => assert.ok(r.summary.endsWith(NO_SYSLOG), r.summary)],
  ['memory pressure reads the host\'s own metrics → does not apply to a job', jobEvidence(onCompute(cluster(), LARGE)), 'resource.memory-pressure', 'skipped', (r) => assert.match(r.summary, /does not apply to job-service hosts/)],
  // invalid: no readable compute → unknown with the reason, never pass
  ['serverless job: size → unknown with the reason', jobEvidence(SERVERLESS), 'resource.vm-size', 'unknown', (r) => assert.ok(r.summary.includes('serverless') && r.hint, r.summary)],
  ['serverless job: nodes → unknown', jobEvidence(SERVERLESS), 'resource.cluster-nodes', 'unknown'],
  ['serverless job: NSG → unknown', jobEvidence(SERVERLESS), 'network.tensorboard-port', 'unknown'],
  ['serverless job: load balancer → unknown (the compute kind is not known)', jobEvidence(SERVERLESS), 'network.load-balancer', 'unknown'],
  ['compute not gathered at all → unknown', jobEvidence(undefined), 'network.private-endpoint', 'unknown'],
  ['serverless job: the script checks stay skipped', jobEvidence(SERVERLESS), 'script.launch-crash', 'skipped'],
];

for (const [name, ev, id, want, also] of CASES) {
  test(`job-service host on its compute: ${name}`, () => {
    const r = results(ev).get(id);
    assert.ok(r, id);
    assert.equal(r.status, want, r.summary);
    if (want === 'unknown') assert.ok(r.hint, `${id}: an unknown says how to fix it`);
    also?.(r);
  });
}

test('a job without a readable compute never passes: every check that needs the compute is unknown, the job check still runs', () => {
  const all = results(jobEvidence(SERVERLESS));
  for (const def of ALL_CHECKS) {
    const r = all.get(def.id)!;
    if (runsOnJobCompute(def)) assert.equal(r.status, 'unknown', `${def.id}: ${r.summary}`);
    else if (def.class === 'script') assert.equal(r.status, 'skipped', def.id);
  }
  assert.equal(all.get('job.tensorboard-service')?.status, 'pass');
});

test('every script check of a job-service host is skipped with the Syslog reason', () => {
  const all = results(jobEvidence(onCompute(cluster(), LARGE)));
  const script = ALL_CHECKS.filter((d) => d.class === 'script');
  assert.ok(script.length >= 10);
  for (const d of script) assert.equal(all.get(d.id)?.summary, `${d.title}: ${NO_SYSLOG}`, d.id);
});

test('sentences: a compute verdict names the compute and the job; an unknown compute gives the reason; a skipped script check says why', () => {
  const j = hostOf(job());
  const fail = results(jobEvidence(onCompute(cluster(), SMALL))).get('resource.vm-size')!;
  assert.match(plainSentence(fail, j), /^gpu-cluster is too small for TensorBoard and a workload: Standard_D2_v2 .* \(job job-1 runs there\)$/);
  const unknown = results(jobEvidence(SERVERLESS)).get('resource.cluster-nodes')!;
  assert.match(plainSentence(unknown, j), /^tbmon cannot tell whether “Cluster nodes are usable” holds for job job-1: job job-1 names no compute \(serverless compute/);
  const skipped = results(jobEvidence(onCompute(cluster(), LARGE))).get('script.port-in-use')!;
  assert.equal(plainSentence(skipped, j), 'Not checked on job job-1: an AzureML job\'s output does not reach Syslog, where tbmon reads TensorBoard\'s launch log');
  const instance = results(jobEvidence(onCompute(host({ kind: 'compute-instance', id: `${WS}/computes/ci-1`, name: 'ci-1' }), LARGE))).get('resource.cluster-nodes')!;
  assert.equal(plainSentence(instance, j), 'Not checked on job job-1: it does not apply to its compute ci-1, a compute instance');
});

test('jobComputeView: a cluster or an instance becomes a host of its kind with the job\'s port and owners; another compute type is the reason', () => {
  const j = { ...job(), port: 6010, owners: ['erin@contoso.com'] };
  const raw = (computeType: string, inner: Record<string, unknown> = {}) => ({
    id: CLUSTER_ID, name: 'gpu-cluster', type: 'Microsoft.MachineLearningServices/workspaces/computes', location: 'eastus2', tags: { team: 'vision' },
    properties: { computeType, properties: { vmSize: 'STANDARD_NC4AS_T4_V3', subnet: { id: SUBNET }, enableNodePublicIp: false, ...inner } },
  });
  const c = jobComputeView(j, raw('AmlCompute'));
  assert.ok(c.ok);
  assert.equal(c.value.kind, 'compute-cluster');
  assert.equal(c.value.port, 6010);
  assert.deepEqual(c.value.owners, ['erin@contoso.com']);
  assert.deepEqual(c.value.tags, { team: 'vision' });
  assert.equal(c.value.facts.vmSize, 'STANDARD_NC4AS_T4_V3');
  assert.equal(c.value.facts.enableNodePublicIp, false);
  assert.equal(c.value.logAnalyticsWorkspaceId, j.logAnalyticsWorkspaceId);
  const ci = jobComputeView(j, raw('ComputeInstance'));
  assert.ok(ci.ok && ci.value.kind === 'compute-instance');
  const k8s = jobComputeView(j, raw('Kubernetes'));
  assert.ok(!k8s.ok && /a compute of type Kubernetes/.test(k8s.reason) && k8s.hint, JSON.stringify(k8s));
});
