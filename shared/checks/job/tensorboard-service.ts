// job.tensorboard-service (CHECKS.md § job): the TensorBoard service of an active AzureML v2 job, as the workspace's
// job list gives it (REST JobBase `properties.services.<name>`: jobServiceType, port, endpoint, status, errorMessage;
// `properties.status`). The service's own status values are not documented, so only two are read, case-insensitively:
// Failed, and Running. A service that failed, or carries an errorMessage → fail with the message; the job Running
// and the service Running with an endpoint → pass; the job Running but the service not (yet) Running → warn once
// SERVICE_GRACE_MS has passed since the job was created (services take "a few minutes" to start), unknown before;
// a job not Running (queued, preparing, finalizing…) → warn: its services answer only while it runs.
import type { CheckOutcome, HostRecord, JobServiceFacts } from '../../model';
import { AML_JOB_SERVICES_DOC, AML_JOBS_SPEC } from '../sources';
import type { CheckDefinition } from '../types';
import { EXAMPLE_NOW, exampleEvidence, minutesAgo } from '../examples';
import { cannotTell, evidenceText, quoteLine } from '../words';
import { azScope, workspaceOf } from '../az';
import { shellWord } from '../network/fix';

/** How long a Running job's TensorBoard service may take to come up before it is a finding. */
export const SERVICE_GRACE_MS = 10 * 60_000;

/** `--subscription S --resource-group RG --workspace-name W` of the job's workspace. */
function jobScope(host: HostRecord): string {
  return `${azScope(host)} --workspace-name ${shellWord(workspaceOf(host))}`;
}

function showServices(host: HostRecord): string {
  return `az ml job show-services --name ${shellWord(host.name)} ${jobScope(host)}`;
}

function showJob(host: HostRecord): string {
  return `az ml job show --name ${shellWord(host.name)} ${jobScope(host)}`;
}

export const jobTensorboardServiceCheck: CheckDefinition = {
  id: 'job.tensorboard-service',
  class: 'job',
  severity: 'high',
  title: 'The job\'s TensorBoard service is up',
  appliesTo: ['job-service'],
  sources: [AML_JOBS_SPEC, AML_JOB_SERVICES_DOC],
  run({ host }): CheckOutcome {
    const job = host.facts.job;
    if (!job) return { status: 'unknown', summary: `The job list gave no TensorBoard service for ${host.name}`, hint: `Read it with: ${showServices(host)}` };
    const svc = job.service;
    const evidence = { jobStatus: job.status, service: job.serviceName, serviceStatus: svc.status, errorMessage: svc.errorMessage, endpoint: svc.endpoint, port: svc.port, computeId: job.computeId, createdAt: job.createdAt };
    const logs = `the service's logs are in the job's outputs under system_logs/interactive_capability (${showServices(host)})`;
    if ((svc.status ?? '').toLowerCase() === 'failed' || svc.errorMessage) {
      return {
        status: 'fail',
        summary: `The TensorBoard service "${job.serviceName}" of job ${host.name} ${svc.errorMessage ? `reports: ${svc.errorMessage}` : 'failed'} (service ${svc.status ?? 'status unknown'}, job ${job.status ?? 'status unknown'})`,
        evidence,
        remediation: `Read why: ${logs}. Its log_dir must be a path the job writes (services: {${job.serviceName}: {type: tensor_board, log_dir: outputs/tblogs}}) and the environment must provide TensorBoard; resubmit the job with the fix (az ml job create --file job.yml ${jobScope(host)}).`,
      };
    }
    const status = (job.status ?? '').toLowerCase();
    if (status === 'running') {
      if ((svc.status ?? '').toLowerCase() === 'running' && svc.endpoint) {
        return { status: 'pass', summary: `The TensorBoard service "${job.serviceName}" of job ${host.name} is Running at its endpoint`, evidence };
      }
      // The job list's own time is the clock (checks are pure): how long the job had existed when it was listed.
      const listed = Date.parse(job.listedAt ?? '');
      const created = Date.parse(job.createdAt ?? '');
      if (Number.isFinite(created) && Number.isFinite(listed) && listed - created < SERVICE_GRACE_MS) {
        return { status: 'unknown', summary: `Job ${host.name} started less than ${SERVICE_GRACE_MS / 60_000} minutes ago; its TensorBoard service is ${svc.status ?? 'not reported yet'}`, hint: 'A job\'s services take a few minutes to start; the next sweep judges it.', evidence };
      }
      return {
        status: 'warn',
        summary: `Job ${host.name} is Running but its TensorBoard service "${job.serviceName}" is ${svc.status ?? 'not reported'}${svc.endpoint ? '' : ' and has no endpoint'}`,
        evidence,
        remediation: `Look at the service: ${logs}. The job's environment needs TensorBoard, and the command must keep the job running while you look (services stop with it).`,
      };
    }
    if (status === 'unknown' || status === '') {
      return { status: 'unknown', summary: `Job ${host.name} reports status ${job.status ?? '(none)'}, so whether its TensorBoard service can answer is unknown`, hint: `Read the job: ${showJob(host)}`, evidence };
    }
    return {
      status: 'warn',
      summary: `Job ${host.name} is ${job.status}: its TensorBoard service answers only while the job is Running, so a 502 is expected now`,
      evidence,
      remediation: `Wait for the job to run (${showJob(host)} --query status); a job queued for long needs compute quota or free nodes on ${job.computeId ? job.computeId.split('/').pop() : 'its cluster'}`,
    };
  },
  sentence(o, host) {
    if (o.status === 'fail') {
      const msg = evidenceText(o, 'errorMessage');
      return `The TensorBoard service of job ${host.name} failed${msg ? `: ${quoteLine(msg)}` : ''}`;
    }
    if (o.status === 'warn') {
      const job = evidenceText(o, 'jobStatus');
      return job.toLowerCase() === 'running'
        ? `Job ${host.name} runs, but its TensorBoard service is not up`
        : `Job ${host.name} is ${job.toLowerCase() || 'not running'}, so its TensorBoard cannot answer until it runs`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'the job\'s TensorBoard service is up', 'the job has just started or reports no status');
    return `The TensorBoard service of job ${host.name} is up`;
  },
  examples(host, settings) {
    const job = (over: Partial<JobServiceFacts>, service: Partial<JobServiceFacts['service']> = {}): JobServiceFacts => ({
      status: 'Running', displayName: 'train', experimentName: 'exp', computeId: `/subscriptions/${host.subscriptionId}/resourceGroups/${host.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${host.workspace ?? 'ws'}/computes/gpu-cluster`,
      createdAt: minutesAgo(45), listedAt: EXAMPLE_NOW, serviceName: 'tb', ...over,
      service: { jobServiceType: 'TensorBoard', status: 'Running', errorMessage: null, endpoint: `https://${host.name}.eastus2.nodes.azureml.ms`, port: 6006, ...service },
    });
    const run = (j: JobServiceFacts) => jobTensorboardServiceCheck.run(exampleEvidence(host, { facts: { job: j } }), settings);
    return {
      fail: [run(job({}, { status: 'Failed', errorMessage: 'TensorBoard failed to start: log_dir outputs/tblogs does not exist', endpoint: null }))],
      warn: [run(job({}, { status: 'Starting', endpoint: null })), run(job({ status: 'Queued' }, { status: null, endpoint: null }))],
      pass: [run(job({}))],
      unknown: [run(job({ createdAt: minutesAgo(3) }, { status: 'Starting', endpoint: null })), run(job({ status: 'Unknown' }))],
    };
  },
};
