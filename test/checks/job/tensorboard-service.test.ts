// job.tensorboard-service as a table (the job list's `properties.services.<name>` and `properties.status`), and
// which jobs are job-service hosts at all (identifyJobService): near misses are a Completed/Failed/Canceled job, a
// service of another type, a TensorBoard service just starting, and a type spelled in another case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobBase } from '@azure/arm-machinelearning';
import { jobTensorboardServiceCheck } from '../../../shared/checks/job/tensorboard-service';
import { identifyJobService } from '../../../shared/discovery/jobs';
import type { CheckStatus, JobServiceFacts } from '../../../shared/model';
import { checkTable } from '../../support/check-table';
import { evidence, host } from '../../support/evidence';

const LISTED = '2026-11-26T06:00:00.000Z';
const job = (over: Partial<JobServiceFacts> = {}, service: Partial<JobServiceFacts['service']> = {}): JobServiceFacts => ({
  status: 'Running', displayName: 'train', experimentName: 'exp', computeId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws1/computes/gpu',
  createdAt: '2026-11-26T05:00:00.000Z', listedAt: LISTED, serviceName: 'tb', ...over,
  service: { jobServiceType: 'TensorBoard', status: 'Running', errorMessage: null, endpoint: 'https://x-6006.eastus2.nodes.azureml.ms/', port: 6006, ...service },
});

const CASES: [name: string, facts: JobServiceFacts | undefined, want: CheckStatus][] = [
  ['Running with an endpoint → pass', job(), 'pass'],
  ['service Failed → fail', job({}, { status: 'Failed', endpoint: null }), 'fail'],
  ['an errorMessage while the status still says Running → fail', job({}, { errorMessage: 'TensorBoard exited with 1' }), 'fail'],
  ['service failed, status spelled in lower case → fail', job({}, { status: 'failed' }), 'fail'],
  ['job Running, service Starting after 60 minutes → warn', job({}, { status: 'Starting', endpoint: null }), 'warn'],
  ['job Running, service Running but no endpoint → warn', job({}, { endpoint: null }), 'warn'],
  ['near-miss: service Starting 3 minutes after the job was created → unknown (grace)', job({ createdAt: '2026-11-26T05:57:00.000Z' }, { status: 'Starting', endpoint: null }), 'unknown'],
  ['near-miss: 11 minutes after → warn', job({ createdAt: '2026-11-26T05:49:00.000Z' }, { status: 'Starting', endpoint: null }), 'warn'],
  ['job Queued → warn (a 502 is expected until it runs)', job({ status: 'Queued' }, { status: null, endpoint: null }), 'warn'],
  ['job Finalizing → warn', job({ status: 'Finalizing' }, { status: null }), 'warn'],
  ['job NotResponding → warn', job({ status: 'NotResponding' }), 'warn'],
  ['job status Unknown → unknown', job({ status: 'Unknown' }), 'unknown'],
  ['no job facts → unknown', undefined, 'unknown'],
];

checkTable(jobTensorboardServiceCheck, CASES.map(([name, facts, want]) => ({
  name: `job.tensorboard-service: ${name}`,
  evidence: evidence(host({ kind: 'job-service', name: 'job-1', facts: { job: facts } })),
  expect: want,
  then: (r) => {
    if (want !== 'fail') return;
    assert.ok(r.remediation?.includes('az ml job show-services --name job-1'), r.remediation);
    if (facts?.service.errorMessage) assert.ok(r.summary.includes(facts.service.errorMessage), 'the fail names the service\'s message');
  },
})));

const WS = '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1';
const raw = (status: string, services: Record<string, unknown>): JobBase => ({
  id: `${WS}/jobs/j1`, name: 'j1', systemData: { createdBy: 'erin@contoso.com', createdAt: new Date('2026-11-26T05:00:00Z') },
  properties: { jobType: 'Command', status, services } as unknown as JobBase['properties'],
} as JobBase);

test('identifyJobService: an active job with a TensorBoard service is a host; finished jobs and other services are not', () => {
  const tb = { jobServiceType: 'TensorBoard', port: 6007, status: 'Running', endpoint: 'https://e/' };
  const cases: [string, JobBase, boolean][] = [
    ['Running + TensorBoard', raw('Running', { tb }), true],
    ['Queued + TensorBoard', raw('Queued', { tb }), true],
    ['NotResponding + TensorBoard (may return to any state)', raw('NotResponding', { tb }), true],
    ['Completed', raw('Completed', { tb }), false],
    ['Failed', raw('Failed', { tb }), false],
    ['Canceled', raw('Canceled', { tb }), false],
    ['near-miss: only Studio and JupyterLab services', raw('Running', { Studio: { jobServiceType: 'Studio' }, jl: { jobServiceType: 'JupyterLab', port: 8888 } }), false],
    ['near-miss: the SDK\'s spelling tensor_board is not the REST value', raw('Running', { tb: { jobServiceType: 'tensor_board' } }), false],
    ['REST value in another case', raw('Running', { tb: { ...tb, jobServiceType: 'tensorboard' } }), true],
  ];
  for (const [name, j, isHost] of cases) {
    const h = identifyJobService(j, { id: WS, location: 'eastus2' }, ['tensorboard-owner'], new Date(LISTED));
    assert.equal(h !== null, isHost, name);
    if (h) {
      assert.equal(h.record.kind, 'job-service', name);
      assert.deepEqual(h.record.owners, ['erin@contoso.com'], name);
      assert.equal(h.record.workspace, 'ws1');
      assert.equal(h.record.facts.workspaceId, WS.toLowerCase());
    }
  }
  const h = identifyJobService(raw('Running', { tb }), { id: WS }, [], new Date(LISTED));
  assert.equal(h?.record.port, 6007, 'the service\'s port');
});
