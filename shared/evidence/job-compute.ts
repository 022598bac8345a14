// The compute an AzureML job runs on, for its job-service host: the job's TensorBoard service lives on that compute's
// nodes, so the compute's size (resource.vm-size), nodes (resource.cluster-nodes) and subnet (the network checks)
// are the job's too. The job list names the compute in `properties.computeId` (REST JobBase, mfe.json); tbmon reads
// it as discovery reads a compute: the raw compute (`…/workspaces/{ws}/computes/{name}`, AmlCompute or
// ComputeInstance) through identifyHost, so a cluster the job names is described exactly as a tagged one would be.
// Where the compute comes from, without a call per host in a batch:
// - a host of the batch with that id (a TensorBoard cluster that also runs jobs): its record, and its evidence later;
// - batch mode: one Resource Graph query for every other compute the batch's jobs name, and for a compute Graph did
//   not return one ARM list of its ML workspace's computes (Graph may not index computes; the network gatherer does
//   the same);
// - on demand: ARM, one GET per compute (a check of one job reads one compute).
// A job without a compute id (serverless compute) or naming a compute that was not found or is of another type
// gets the reason instead: the checks that need the compute say `unknown` with it, never pass.
import { API_VERSIONS, ArmError } from '../azure';
import { kqlString } from '../kql';
import { identifyHost, normaliseTags, type RawResource } from '../discovery/identify';
import { nameOfId, workspaceIdOfCompute } from '../discovery/ids';
import { canonicalId, type Gathered, type HostRecord } from '../model';
import { cached, type EvidenceContext } from './context';

/** What a job-service host's compute checks say when the compute cannot be read. */
export const JOB_COMPUTE_HINT =
  'tbmon reads the compute a job names in properties.computeId (an AmlCompute cluster or a compute instance) through Resource Graph, or ARM on demand; ' +
  'grant Reader on the ML workspace. A job on serverless compute names none, so its size, nodes and network cannot be checked.';

/** Tag key identifyHost is told to treat as the host tag, so a compute without tbmon's tag is still described. */
const VIEW_TAG = 'tbmon-job-compute';

type Found = { raw: RawResource } | { missing: string };

/** The Resource Graph query for the computes the batch's jobs name (ids compared in lower case). */
export function jobComputeQuery(ids: readonly string[]): string {
  const list = ids.map((i) => kqlString(canonicalId(i))).join(', ');
  return `resources | where type =~ 'microsoft.machinelearningservices/workspaces/computes' and tolower(id) in (${list}) | project id, name, type, location, tags, properties`;
}

/**
 * The compute as a host record of its kind, as the job sees it: the compute's own facts (size, subnet, state), the
 * job's TensorBoard port, owners and Log Analytics workspace (the compute is in the job's ML workspace, whose
 * diagnostics route both). A compute of another type (Kubernetes, attached VM, Databricks, …) is the reason instead.
 */
export function jobComputeView(job: HostRecord, raw: RawResource): Gathered<HostRecord> {
  const identified = identifyHost({ ...raw, tags: { [VIEW_TAG]: String(job.port) } }, { hostTag: VIEW_TAG, ownerTags: [] });
  if (!identified) {
    const props = raw.properties && typeof raw.properties === 'object' ? (raw.properties as Record<string, unknown>) : {};
    const type = typeof props.computeType === 'string' ? props.computeType : 'unknown';
    return {
      ok: false,
      reason: `job ${job.name} runs on ${raw.name ?? nameOfId(raw.id)}, a compute of type ${type}: tbmon reads the size, nodes and network of AmlCompute clusters and compute instances only`,
      hint: JOB_COMPUTE_HINT,
    };
  }
  const r = identified.record;
  return {
    ok: true,
    value: {
      ...r, port: job.port, publishedPort: job.port, owners: job.owners, tags: normaliseTags(raw.tags),
      logAnalyticsWorkspaceId: job.logAnalyticsWorkspaceId,
      facts: { ...r.facts, ...(job.facts.logAnalyticsResourceId !== undefined ? { logAnalyticsResourceId: job.facts.logAnalyticsResourceId } : {}) },
    },
  };
}

/** The batch's host of that id seen from the job (its port), when the compute is itself a TensorBoard host. */
function fromBatchHost(job: HostRecord, host: HostRecord): HostRecord {
  return { ...host, port: job.port, publishedPort: job.port };
}

const cacheKey = (id: string) => `job-compute:${canonicalId(id)}`;

async function graphComputes(ctx: EvidenceContext, ids: string[]): Promise<Map<string, RawResource>> {
  const out = new Map<string, RawResource>();
  const query = jobComputeQuery(ids);
  const subscriptions = [...new Set(ids.map((i) => i.split('/')[2] ?? '').filter(Boolean))];
  let skipToken: string | undefined;
  do {
    const res = await ctx.azure.resourceGraph().resources(
      { query, subscriptions, options: { resultFormat: 'objectArray', top: 1000, ...(skipToken ? { skipToken } : {}) } },
      { abortSignal: ctx.abortSignal },
    );
    for (const row of Array.isArray(res.data) ? (res.data as RawResource[]) : []) if (typeof row?.id === 'string') out.set(canonicalId(row.id), row);
    skipToken = res.skipToken ?? undefined;
  } while (skipToken);
  return out;
}

async function workspaceComputes(ctx: EvidenceContext, workspaceId: string, into: Map<string, RawResource>): Promise<void> {
  for await (const page of ctx.azure.armListPages<RawResource>(`${workspaceId}/computes`, API_VERSIONS.machineLearning, ctx.abortSignal)) {
    for (const c of page) if (typeof c?.id === 'string') into.set(canonicalId(c.id), c);
  }
}

function why(e: unknown): string {
  return e instanceof ArmError ? `${e.statusCode} ${e.code}` : (e as Error)?.message ?? String(e);
}

/** Reads the computes not memoised yet; each answer (or why it is missing) is memoised for the sweep. */
async function readComputes(ctx: EvidenceContext, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const settle = (id: string, found: Found) => void cached(ctx, cacheKey(id), async () => found);
  if (ctx.mode === 'on-demand') {
    await Promise.all(ids.map(async (id) => {
      try {
        settle(id, { raw: await ctx.azure.armGet<RawResource>(id, API_VERSIONS.machineLearning, ctx.abortSignal) });
      } catch (e) {
        if (!(e instanceof ArmError && e.statusCode === 404)) ctx.errors.push({ scope: id, code: e instanceof ArmError ? e.code : 'ArmReadFailed', message: `reading a job's compute failed: ${why(e)}` });
        settle(id, { missing: e instanceof ArmError && e.statusCode === 404 ? 'it does not exist (deleted?)' : `reading it failed: ${why(e)}` });
      }
    }));
    return;
  }
  let found = new Map<string, RawResource>();
  try {
    found = await graphComputes(ctx, ids);
  } catch (e) {
    ctx.errors.push({ scope: 'resourceGraph', code: 'JobComputeQueryFailed', message: `the query for the computes of the batch's jobs failed; listing their ML workspaces' computes instead: ${why(e)}` });
  }
  const lacking = ids.filter((id) => !found.has(canonicalId(id)));
  const workspaces = new Map<string, string>();
  for (const id of lacking) {
    const ws = workspaceIdOfCompute(id);
    if (ws) workspaces.set(canonicalId(ws), ws);
  }
  const listFailed = new Map<string, string>();
  await Promise.all([...workspaces].map(async ([key, ws]) => {
    try {
      await workspaceComputes(ctx, ws, found);
    } catch (e) {
      listFailed.set(key, why(e));
      ctx.errors.push({ scope: ws, code: e instanceof ArmError ? e.code : 'ArmReadFailed', message: `listing the computes of ${ws} for its jobs failed: ${why(e)}` });
    }
  }));
  for (const id of ids) {
    const raw = found.get(canonicalId(id));
    const failed = listFailed.get(canonicalId(workspaceIdOfCompute(id) ?? ''));
    settle(id, raw ? { raw } : { missing: failed ? `its ML workspace's computes could not be listed: ${failed}` : 'neither Resource Graph nor its ML workspace\'s compute list has it (deleted?)' });
  }
}

/**
 * Per job-service host of `hosts`: its compute as a host record, or why it cannot be read. Reads in bulk (see the
 * top of this file); a compute that is itself a host of the batch is not read again.
 */
export async function resolveJobComputes(hosts: readonly HostRecord[], ctx: EvidenceContext): Promise<Map<string, Gathered<HostRecord>>> {
  const out = new Map<string, Gathered<HostRecord>>();
  const jobs = hosts.filter((h) => h.kind === 'job-service');
  if (!jobs.length) return out;
  const inBatch = new Map(hosts.filter((h) => h.kind !== 'job-service').map((h) => [canonicalId(h.id), h]));
  const wanted = new Map<string, string>();
  for (const job of jobs) {
    const id = job.facts.job?.computeId ?? null;
    if (id && workspaceIdOfCompute(id) && !inBatch.has(canonicalId(id)) && !ctx.cache.has(cacheKey(id))) wanted.set(canonicalId(id), id);
  }
  await readComputes(ctx, [...wanted.values()]);
  for (const job of jobs) {
    const id = job.facts.job?.computeId ?? null;
    if (!id || !workspaceIdOfCompute(id)) {
      out.set(job.id, {
        ok: false,
        reason: id
          ? `job ${job.name} names its compute as ${id}, not a compute of an ML workspace, so its size, nodes and network cannot be read`
          : `job ${job.name} names no compute (serverless compute, or a job list without properties.computeId), so its size, nodes and network cannot be read`,
        hint: JOB_COMPUTE_HINT,
      });
      continue;
    }
    const host = inBatch.get(canonicalId(id));
    if (host) {
      out.set(job.id, { ok: true, value: fromBatchHost(job, host) });
      continue;
    }
    const found = await (ctx.cache.get(cacheKey(id)) as Promise<Found> | undefined);
    out.set(job.id, !found
      ? { ok: false, reason: `job ${job.name}'s compute ${nameOfId(id)} was not read`, hint: JOB_COMPUTE_HINT }
      : 'raw' in found
      ? jobComputeView(job, found.raw)
      : { ok: false, reason: `job ${job.name} runs on ${nameOfId(id)}, but ${found.missing}`, hint: JOB_COMPUTE_HINT });
  }
  return out;
}
