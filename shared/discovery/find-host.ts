// findHost: the one TensorBoard host an on-demand check asks for — a parsed HostQuery (shared/host-query.ts: by ARM
// id, by name, by its TensorBoard or studio URL) — read fresh from ARM (Resource Graph may lag behind a compute that
// just failed). Not found, ambiguous and not supported are typed errors (errors.ts) that carry their HTTP status and
// CLI exit code.
import { API_VERSIONS, ArmError } from '../azure';
import type { Scope } from '../config';
import { cloudOfArmEndpoint, describeHostQuery, type HostQuery } from '../host-query';
import type { HostRecord } from '../model';
import { discoverHosts, type DiscoveryContext } from './discover';
import { AmbiguousHostError, HostNotFoundError } from './errors';
import { identifyHost, type RawResource } from './identify';
import { identifyJobService } from './jobs';
import { nameOfId } from './ids';
import { LogAnalyticsResolver } from './log-analytics';

export type { HostQuery } from '../host-query';

export interface FindHostOptions {
  /** Overrides settings.scope for name and URL lookups (an id is read wherever it is). */
  scope?: Scope;
  sleep?: (ms: number) => Promise<void>;
  abortSignal?: AbortSignal;
}

/** Discovery's context; the ARM endpoint (when given) tells a URL of another cloud from a host that is not there. */
export type FindHostContext = DiscoveryContext & { settings: DiscoveryContext['settings'] & { armEndpoint?: string } };

const CLOUD_NAMES = { AzureCloud: 'Azure (public)', AzureUSGovernment: 'Azure Government', AzureChinaCloud: 'Azure China' } as const;

/** Reads one host by ARM id through ARM and identifies it; resolves its Log Analytics workspace. */
async function readHostById(ctx: DiscoveryContext, id: string, hostKind: 'compute' | 'vm', label: string, abortSignal?: AbortSignal): Promise<HostRecord> {
  let raw: RawResource;
  try {
    raw = hostKind === 'vm'
      ? await ctx.azure.armGet<RawResource>(`${id}?$expand=instanceView`, API_VERSIONS.compute, abortSignal)
      : await ctx.azure.armGet<RawResource>(id, API_VERSIONS.machineLearning, abortSignal);
  } catch (e) {
    if (e instanceof ArmError && e.statusCode === 404) throw new HostNotFoundError(label, 'the resource does not exist');
    throw e;
  }
  const found = identifyHost(raw, { hostTag: ctx.settings.hostTag, ownerTags: ctx.settings.ownerTags });
  if (!found) throw new HostNotFoundError(label, `the resource exists but is not a TensorBoard host (no TensorBoard custom application and no "${ctx.settings.hostTag}" tag)`);
  await new LogAnalyticsResolver(ctx.azure, ctx.errors, { defaultWorkspaceId: ctx.settings.defaultLogAnalyticsWorkspaceId, abortSignal }).resolveAll([found]);
  return found.record;
}

/**
 * A job service by its job (ARM id or studio URL, parsed by host-query.ts): the job read fresh through the ML client
 * (Jobs_Get), identified as discovery identifies the job list's items.
 */
async function readJobService(ctx: DiscoveryContext, query: Extract<HostQuery, { kind: 'job' }>, label: string, abortSignal?: AbortSignal): Promise<HostRecord> {
  let job;
  try {
    job = await ctx.azure.ml(query.subscriptionId).jobs.get(query.resourceGroup, query.workspace, query.name, { abortSignal });
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) throw new HostNotFoundError(label, 'the job does not exist');
    throw e;
  }
  const workspaceId = `/subscriptions/${query.subscriptionId}/resourceGroups/${query.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${query.workspace}`;
  const found = identifyJobService(job, { id: workspaceId }, ctx.settings.ownerTags, ctx.now);
  if (!found) throw new HostNotFoundError(label, 'the job has no TensorBoard service (jobServiceType TensorBoard), or it has finished (Completed, Failed, Canceled)');
  await new LogAnalyticsResolver(ctx.azure, ctx.errors, { defaultWorkspaceId: ctx.settings.defaultLogAnalyticsWorkspaceId, abortSignal }).resolveAll([found]);
  return found.record;
}

async function hostsNamed(ctx: DiscoveryContext, name: string, options: FindHostOptions): Promise<HostRecord[]> {
  const { hosts } = await discoverHosts(ctx, { scope: options.scope, name, sleep: options.sleep, abortSignal: options.abortSignal, skipLogAnalytics: true });
  return hosts;
}

export async function findHost(ctx: FindHostContext, query: HostQuery, options: FindHostOptions = {}): Promise<HostRecord> {
  const label = describeHostQuery(query);
  if (query.kind === 'id') return readHostById(ctx, query.id, query.hostKind, label, options.abortSignal);
  if (query.kind === 'job') return readJobService(ctx, query, label, options.abortSignal);

  let candidates: HostRecord[] = [];
  let reason = 'nothing by that name in scope is a TensorBoard host';
  if (query.kind === 'name') {
    candidates = await hostsNamed(ctx, query.name, options);
  } else {
    // A URL of another cloud cannot be a host of the one tbmon reads: said without a lookup.
    const here = ctx.settings.armEndpoint ? cloudOfArmEndpoint(ctx.settings.armEndpoint) : null;
    if (here && here !== query.cloud) {
      throw new HostNotFoundError(label, `the URL is of ${CLOUD_NAMES[query.cloud]}; tbmon reads ${CLOUD_NAMES[here]} at ${ctx.settings.armEndpoint} (set AZURE_RESOURCE_MANAGER_ENDPOINT for that cloud)`);
    }
    for (const r of query.readings) {
      candidates = (await hostsNamed(ctx, r.instance, options)).filter((h) => h.kind === 'compute-instance' && (!h.location || h.location.toLowerCase() === query.region));
      if (candidates.length) break;
    }
    reason = `no compute instance ${query.readings.map((r) => `"${r.instance}"`).join(' or ')} in ${query.region} in scope is a TensorBoard host`;
  }
  if (candidates.length === 0) throw new HostNotFoundError(label, reason);
  if (candidates.length > 1) throw new AmbiguousHostError(label, candidates.map(({ tags: _t, facts: _f, ...host }) => host));
  const only = candidates[0];
  if (only.kind === 'job-service') return readJobService(ctx, jobQueryOf(only), label, options.abortSignal);
  return readHostById(ctx, only.id, /\/providers\/Microsoft\.Compute\/virtualMachines\//i.test(only.id) ? 'vm' : 'compute', label, options.abortSignal);
}

/** The job query of a job-service host found by name. */
function jobQueryOf(h: HostRecord): Extract<HostQuery, { kind: 'job' }> {
  return { kind: 'job', id: h.id, subscriptionId: h.subscriptionId, resourceGroup: h.resourceGroup, workspace: h.workspace ?? nameOfId(h.facts.workspaceId ?? ''), name: h.name, from: 'arm-id' };
}
