// AzureML job services (DESIGN.md § Host kinds, `job-service`): an active v2 job whose
// `properties.services.<name>.jobServiceType` is `TensorBoard` (what the SDK's `JobService(type="tensor_board")`
// becomes) is a TensorBoard host while its `properties.status` is not terminal. Resource Graph does not index
// workspaces/jobs, so each ML workspace's ARM job list (Jobs_List, `@azure/arm-machinelearning` jobs.list) is read:
// `listViewType=ActiveOnly` hides only archived jobs, so the list is the workspace's whole history. Jobs_List has no
// ordering parameter (REST spec 2024-04-01: $skip, jobType, tag, listViewType, properties) and its order is not
// documented; the service answers newest first in practice, so the list is paged only while a page still holds a job
// created within TBMON_JOB_HORIZON — a page wholly older ends it. Cost: one ARM list per ML workspace per sweep, plus
// one per further page inside the horizon.
import type { JobBase, JobBaseProperties } from '@azure/arm-machinelearning';
import type { AzureContext } from '../azure';
import { canonicalId, type HostRecord, type JobServiceFacts } from '../model';
import { ownersFromTags } from './owners';
import { DEFAULT_TENSORBOARD_PORT, normaliseTags, type IdentifiedHost, LOG_ANALYTICS_TAG, tagValue } from './identify';
import { nameOfId, parseResourceId } from './ids';

/** Job statuses after which the job's services are gone (JobStatus: "Job completed successfully", "Job failed", "…canceled"). */
export const TERMINAL_JOB_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'canceled']);

/** `jobServiceType` of a TensorBoard service (REST name of the SDK's `tensor_board`). */
export const TENSORBOARD_SERVICE_TYPE = 'tensorboard';

export interface JobListOptions {
  ownerTags: readonly string[];
  horizonMs: number;
  now: Date;
  /** Only jobs with this name (the on-demand check). */
  name?: string;
  abortSignal?: AbortSignal;
}

export interface WorkspaceJobs {
  hosts: IdentifiedHost[];
  /** List pages read (the first, plus one per further page inside the horizon). */
  pages: number;
}

const iso = (d: unknown): string | null => (d instanceof Date && Number.isFinite(d.getTime()) ? d.toISOString() : typeof d === 'string' && Number.isFinite(Date.parse(d)) ? new Date(d).toISOString() : null);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** The job's TensorBoard service, or null: the first service (by key) whose jobServiceType is TensorBoard. */
export function tensorboardService(props: JobBaseProperties): { name: string; service: JobServiceFacts['service'] } | null {
  const services = props.services ?? {};
  for (const name of Object.keys(services).sort()) {
    const s = services[name];
    if (!s || (s.jobServiceType ?? '').toLowerCase() !== TENSORBOARD_SERVICE_TYPE) continue;
    const port = typeof s.port === 'number' && Number.isInteger(s.port) && s.port > 0 && s.port <= 65535 ? s.port : null;
    return { name, service: { jobServiceType: s.jobServiceType as string, status: text(s.status), errorMessage: text(s.errorMessage), endpoint: text(s.endpoint), port } };
  }
  return null;
}

/** The host a job is, or null: not a TensorBoard job service, or a finished job. */
export function identifyJobService(job: JobBase, workspace: { id: string; location?: string }, ownerTags: readonly string[], listedAt: Date): IdentifiedHost | null {
  if (!job.id || !job.properties) return null;
  const place = parseResourceId(job.id);
  if (!place) return null;
  const props: JobBaseProperties = job.properties;
  const tb = tensorboardService(props);
  if (!tb) return null;
  const status = text(props.status);
  if (status && TERMINAL_JOB_STATUSES.has(status.toLowerCase())) return null;
  const name = job.name ?? nameOfId(job.id);
  const tags = normaliseTags(props.tags);
  const port = tb.service.port ?? DEFAULT_TENSORBOARD_PORT;
  const record: HostRecord = {
    id: canonicalId(job.id),
    name,
    kind: 'job-service',
    subscriptionId: place.subscriptionId,
    resourceGroup: place.resourceGroup,
    workspace: nameOfId(workspace.id),
    location: workspace.location ?? '',
    port,
    publishedPort: port,
    owners: ownersFromTags(tags, ownerTags, text(job.systemData?.createdBy), `job ${name}`),
    logAnalyticsWorkspaceId: null,
    tags,
    facts: {
      vmSize: null, state: status, provisioningState: null, errors: null, lastOperation: null, enableNodePublicIp: null,
      subnetId: null, nicIds: [], computerName: null, workspaceId: canonicalId(workspace.id),
      job: {
        status, displayName: text(props.displayName), experimentName: text(props.experimentName), computeId: text(props.computeId),
        createdAt: iso(job.systemData?.createdAt), listedAt: listedAt.toISOString(), serviceName: tb.name, service: tb.service,
      },
    },
  };
  const laTag = tagValue(tags, LOG_ANALYTICS_TAG)?.trim();
  return { record, logAnalyticsTag: laTag ? laTag : null };
}

/** The TensorBoard job services of one ML workspace, newest jobs first, until a page holds no job inside the horizon. */
export async function listWorkspaceJobServices(azure: AzureContext, workspace: { id: string; subscriptionId: string; location?: string }, options: JobListOptions): Promise<WorkspaceJobs> {
  const place = parseResourceId(workspace.id);
  if (!place) throw new Error(`not an ML workspace id: ${workspace.id}`);
  const since = options.now.getTime() - options.horizonMs;
  const wanted = options.name?.toLowerCase();
  const hosts: IdentifiedHost[] = [];
  let pages = 0;
  const list = azure.ml(place.subscriptionId).jobs.list(place.resourceGroup, nameOfId(workspace.id), { listViewType: 'ActiveOnly', abortSignal: options.abortSignal });
  for await (const page of list.byPage()) {
    pages++;
    let inside = 0;
    for (const job of page) {
      const created = Date.parse(iso(job.systemData?.createdAt) ?? '');
      // A job without a creation time counts as inside: it cannot end the list, and is judged like any other.
      if (!Number.isFinite(created) || created >= since) inside++;
      else continue;
      if (wanted !== undefined && (job.name ?? '').toLowerCase() !== wanted) continue;
      const h = identifyJobService(job, workspace, options.ownerTags, options.now);
      if (h) hosts.push(h);
    }
    if (inside === 0) break;
  }
  return { hosts, pages };
}
