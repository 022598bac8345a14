// findHost: the one TensorBoard host an on-demand check asks for — by ARM id, by name, or by its TensorBoard URL —
// read fresh from ARM (Resource Graph may lag behind a compute that just failed). Not found and ambiguous are typed
// errors (errors.ts) the CLI maps to exit 2 and the HTTP check to 404 / 409.
import { API_VERSIONS, ArmError } from '../azure';
import type { Scope } from '../config';
import type { HostRecord } from '../model';
import { discoverHosts, type DiscoveryContext } from './discover';
import { AmbiguousHostError, HostNotFoundError, InvalidHostQueryError } from './errors';
import { parseResourceId } from './ids';
import { identifyHost, type RawResource } from './identify';
import { LogAnalyticsResolver } from './log-analytics';
import { readTensorBoardUrl } from './url';

export type HostQuery = { id: string } | { name: string } | { url: string };

export interface FindHostOptions {
  /** Overrides settings.scope for name and URL lookups (an id is read wherever it is). */
  scope?: Scope;
  sleep?: (ms: number) => Promise<void>;
  abortSignal?: AbortSignal;
}

const COMPUTE_ID = /\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/computes\/[^/]+$/i;
const VM_ID = /\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/i;

/** Reads one host by ARM id through ARM and identifies it; resolves its Log Analytics workspace. */
async function readHostById(ctx: DiscoveryContext, id: string, abortSignal?: AbortSignal): Promise<HostRecord> {
  const path = id.trim().replace(/\/+$/, '');
  if (!parseResourceId(path) || !(COMPUTE_ID.test(path) || VM_ID.test(path))) {
    throw new InvalidHostQueryError(`"${id}" is not the ARM id of an ML compute (…/workspaces/{ws}/computes/{name}) or a VM (…/Microsoft.Compute/virtualMachines/{name})`);
  }
  let raw: RawResource;
  try {
    raw = VM_ID.test(path)
      ? await ctx.azure.armGet<RawResource>(`${path}?$expand=instanceView`, API_VERSIONS.compute, abortSignal)
      : await ctx.azure.armGet<RawResource>(path, API_VERSIONS.machineLearning, abortSignal);
  } catch (e) {
    if (e instanceof ArmError && e.statusCode === 404) throw new HostNotFoundError(`id ${path}`, 'the resource does not exist');
    throw e;
  }
  const found = identifyHost(raw, { hostTag: ctx.settings.hostTag, ownerTags: ctx.settings.ownerTags });
  if (!found) throw new HostNotFoundError(`id ${path}`, `the resource exists but is not a TensorBoard host (no TensorBoard custom application and no "${ctx.settings.hostTag}" tag)`);
  await new LogAnalyticsResolver(ctx.azure, ctx.errors, { defaultWorkspaceId: ctx.settings.defaultLogAnalyticsWorkspaceId, abortSignal }).resolveAll([found]);
  return found.record;
}

async function hostsNamed(ctx: DiscoveryContext, name: string, options: FindHostOptions): Promise<HostRecord[]> {
  const { hosts } = await discoverHosts(ctx, { scope: options.scope, name, sleep: options.sleep, abortSignal: options.abortSignal, skipLogAnalytics: true });
  return hosts;
}

export async function findHost(ctx: DiscoveryContext, query: HostQuery, options: FindHostOptions = {}): Promise<HostRecord> {
  if ('id' in query) return readHostById(ctx, query.id, options.abortSignal);

  let label: string;
  let candidates: HostRecord[] = [];
  if ('name' in query) {
    const name = query.name.trim();
    if (!name) throw new InvalidHostQueryError('the host name is empty');
    label = `name "${name}"`;
    candidates = await hostsNamed(ctx, name, options);
  } else {
    const readings = readTensorBoardUrl(query.url);
    if (!readings) throw new InvalidHostQueryError(`"${query.url}" is not a TensorBoard URL of a compute instance (https://<instance>-<port>.<region>.instances.azureml.ms/…)`);
    label = `URL ${query.url}`;
    for (const r of readings) {
      candidates = (await hostsNamed(ctx, r.instance, options)).filter((h) => h.kind === 'compute-instance' && (!h.location || h.location.toLowerCase() === r.region));
      if (candidates.length) break;
    }
  }
  if (candidates.length === 0) throw new HostNotFoundError(label, 'nothing by that name in scope is a TensorBoard host');
  if (candidates.length > 1) throw new AmbiguousHostError(label, candidates.map(({ tags: _t, facts: _f, ...host }) => host));
  return readHostById(ctx, candidates[0].id, options.abortSignal);
}
