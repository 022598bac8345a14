// discoverHosts: every TensorBoard host in a scope. Resource Graph first — per subscription batch, one paged query
// for the scope inventory and one for the host candidates — then the ARM fallback for the ML workspaces whose
// computes Graph lacks (bounded concurrency, raw JSON), then Log Analytics routing. Run-level problems go into
// ctx.errors; a subscription that could not be read completely is in `subscriptionsFailed`, never in
// `subscriptionsRead` (the sweep makes no host of it gone).
import { createHash } from 'node:crypto';
import { API_VERSIONS, type AzureContext } from '../azure';
import type { Scope, Settings } from '../config';
import { canonicalId, type HostRecord, type RunError } from '../model';
import { listWorkspaceComputes } from './arm-fallback';
import { listWorkspaceJobServices } from './jobs';
import { graphPages, GraphQuotaGate, type GraphScope, type GraphWait } from './graph';
import { identifyHost, type IdentifiedHost, type RawResource } from './identify';
import { mapLimited } from '../limit';
import { LogAnalyticsResolver } from './log-analytics';
import { hostCandidatesQuery, scopeInventoryQuery } from './queries';
import { chunk, planScope, SUBSCRIPTIONS_PER_GRAPH_REQUEST } from './scope';
import { ScopeInventory } from './scope-inventory';

export interface DiscoveryContext {
  azure: AzureContext;
  settings: Pick<Settings, 'scope' | 'hostTag' | 'ownerTags' | 'defaultLogAnalyticsWorkspaceId'> & Partial<Pick<Settings, 'jobHorizonMs'>>;
  /** Run-level problems are appended here (DESIGN.md § Contracts: `errors`, never dropped). */
  errors: RunError[];
  now: Date;
}

export type DiscoveryProgress =
  | { phase: 'scope'; description: string }
  | { phase: 'graph'; rows: number }
  | { phase: 'wait'; wait: GraphWait }
  | { phase: 'arm-fallback'; workspaces: number }
  | { phase: 'graph-split'; parts: number; reason: string }
  | { phase: 'jobs'; workspaces: number }
  | { phase: 'hosts'; found: number };

export interface DiscoverOptions {
  /** Overrides settings.scope (CLI `--scope`). */
  scope?: Scope;
  /** Only hosts with this name, compared case-insensitively (the on-demand check). */
  name?: string;
  onProgress?: (p: DiscoveryProgress) => void;
  /** Used for quota and throttle waits (tests observe them). */
  sleep?: (ms: number) => Promise<void>;
  /** Leave `logAnalyticsWorkspaceId` null (findHost resolves it for the one host it returns). */
  skipLogAnalytics?: boolean;
  /** ARM calls in flight at once (fallback compute lists, diagnostic settings). Default 8. */
  armConcurrency?: number;
  abortSignal?: AbortSignal;
}

/** What a discovery run learnt about its scope, beside the hosts. */
export interface DiscoverySummary {
  /** Hosts found (given to onBatch, or in `hosts`). */
  hostCount: number;
  /** Subscriptions read completely, lower-cased. */
  subscriptionsRead: string[];
  /** Subscriptions in scope that could not be read (completely), lower-cased. */
  subscriptionsFailed: string[];
  /**
   * False when part of the scope could not be read: a failed subscription, or a Resource Graph batch over the whole
   * tenant (scope `all`) that failed — then which subscriptions were missed is unknown and `subscriptionsFailed` is empty —
   * or a tenant-scope answer that covered only Graph's first 10,000 subscriptions.
   */
  complete: boolean;
  /** ML workspaces whose computes came through ARM because Resource Graph lacked them. */
  armFallbackWorkspaces: string[];
}

export interface DiscoveryResult extends DiscoverySummary {
  /** Sorted by id (case-insensitively). */
  hosts: HostRecord[];
}

/** Hosts that share a Log Analytics workspace (null: none), as discovery hands them on. */
export interface HostBatch {
  logAnalyticsWorkspaceId: string | null;
  hosts: HostRecord[];
}

export interface StreamOptions extends DiscoverOptions {
  /** A batch is handed on when it holds this many hosts. Default 1,000 (MAX_HOSTS_PER_BATCH). */
  batchSize?: number;
  /**
   * Most hosts held in partial batches at once: past it, the fullest partial batch is handed on early. Default
   * 20,000 — with many Log Analytics workspaces, memory stays bounded whatever the fleet's size.
   */
  maxHeld?: number;
}

const DEFAULT_ARM_CONCURRENCY = 8;
/** TBMON_JOB_HORIZON's default, for callers whose settings do not carry it. */
const DEFAULT_JOB_HORIZON_MS = 7 * 86_400_000;
const DEFAULT_BATCH_SIZE = 1_000;
const DEFAULT_MAX_HELD = 20_000;
/** ML workspaces whose Log Analytics routing is looked up at once while Graph pages keep coming. */
const ROUTING_IN_FLIGHT = 8;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A short key of a host id: what a failed batch handed on, kept while its parts are read. */
function emittedKey(id: string): string {
  return createHash('sha1').update(id).digest('base64').slice(0, 16);
}

/**
 * The parts a failed Resource Graph batch is read again in: the tenant (scope `all`) as groups of the subscriptions
 * ARM lists for the identity; a group of subscriptions as two halves; null for one subscription, or when the
 * tenant's subscriptions cannot be listed either.
 */
async function splitScope(azure: AzureContext, batch: GraphScope, abortSignal?: AbortSignal): Promise<GraphScope[] | null> {
  const subs = batch.subscriptions;
  if (subs) {
    if (subs.length < 2) return null;
    const half = Math.ceil(subs.length / 2);
    return [{ subscriptions: subs.slice(0, half) }, { subscriptions: subs.slice(half) }];
  }
  try {
    const ids: string[] = [];
    for await (const page of azure.armListPages<{ subscriptionId?: string }>('/subscriptions', API_VERSIONS.subscriptions, abortSignal)) {
      for (const s of page) if (s.subscriptionId) ids.push(canonicalId(s.subscriptionId));
    }
    if (!ids.length) return null;
    return chunk([...new Set(ids)], SUBSCRIPTIONS_PER_GRAPH_REQUEST).map((s) => ({ subscriptions: s }));
  } catch {
    return null;
  }
}

/**
 * Every TensorBoard host of the scope, in one array sorted by id: for callers that need them all at once (the
 * on-demand lookup of one host, tests). A fleet goes through discoverInBatches instead.
 */
export async function discoverHosts(ctx: DiscoveryContext, options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const hosts: HostRecord[] = [];
  const summary = await discoverInBatches(ctx, options, async (batch) => {
    hosts.push(...batch.hosts);
  });
  hosts.sort((a, b) => a.id.localeCompare(b.id));
  return { ...summary, hosts };
}

/** Partial batches per Log Analytics workspace ('' for none), handed on full, when too many are held, or at the end. */
class Batcher {
  private readonly partial = new Map<string, HostRecord[]>();
  private held = 0;
  count = 0;
  /** The caller's onBatch failed: discovery stops and throws its error (it is no Resource Graph failure). */
  failure?: { error: unknown };

  constructor(private readonly onBatch: (b: HostBatch) => Promise<void>, private readonly size: number, private readonly maxHeld: number) {}

  /** One caller at a time (the ARM fallback adds from several workers): batches are handed on one by one. */
  private lock: Promise<void> = Promise.resolve();

  add(hosts: readonly HostRecord[]): Promise<void> {
    if (!hosts.length) return this.lock;
    const run = this.lock.then(() => this.addNow(hosts));
    this.lock = run.catch(() => {});
    return run;
  }

  private async addNow(hosts: readonly HostRecord[]): Promise<void> {
    for (const h of hosts) {
      const key = h.logAnalyticsWorkspaceId ?? '';
      let list = this.partial.get(key);
      if (!list) this.partial.set(key, (list = []));
      list.push(h);
      this.held++;
      this.count++;
      if (list.length >= this.size) await this.flush(key);
    }
    while (this.held > this.maxHeld) {
      let fullest = '';
      let most = -1;
      for (const [key, list] of this.partial) if (list.length > most) [fullest, most] = [key, list.length];
      await this.flush(fullest);
    }
  }

  async end(): Promise<void> {
    await this.lock;
    for (const key of [...this.partial.keys()].sort()) await this.flush(key);
  }

  private async flush(key: string): Promise<void> {
    const hosts = this.partial.get(key);
    if (!hosts?.length) return;
    this.partial.delete(key);
    this.held -= hosts.length;
    try {
      await this.onBatch({ logAnalyticsWorkspaceId: key === '' ? null : key, hosts });
    } catch (error) {
      this.failure ??= { error };
      throw error;
    }
  }
}

/**
 * Discovery as a stream: Resource Graph pages (ordered by ML workspace, so a workspace's hosts arrive together) are
 * identified and routed to their Log Analytics workspace one ML workspace at a time, and handed to `onBatch` in
 * batches of one Log Analytics workspace — at most `batchSize` hosts, at most `maxHeld` held in partial batches.
 * `onBatch` is awaited before more pages are read, so a caller that evaluates and writes out each batch holds one
 * batch at a time, whatever the fleet's size.
 */
export async function discoverInBatches(ctx: DiscoveryContext, options: StreamOptions, onBatch: (batch: HostBatch) => Promise<void>): Promise<DiscoverySummary> {
  const { azure, settings, errors } = ctx;
  const progress = options.onProgress ?? (() => {});
  const concurrency = options.armConcurrency ?? DEFAULT_ARM_CONCURRENCY;
  const wanted = options.name?.toLowerCase();
  const identifyOptions = { hostTag: settings.hostTag, ownerTags: settings.ownerTags };
  const identify = (raw: RawResource): IdentifiedHost | null => {
    const h = identifyHost(raw, identifyOptions);
    return h && (wanted === undefined || h.record.name.toLowerCase() === wanted) ? h : null;
  };

  const plan = await planScope(azure, options.scope ?? settings.scope, options.abortSignal);
  progress({ phase: 'scope', description: plan.description });

  const batcher = new Batcher(onBatch, options.batchSize ?? DEFAULT_BATCH_SIZE, options.maxHeld ?? DEFAULT_MAX_HELD);
  const inventory = new ScopeInventory();
  const resolver = options.skipLogAnalytics ? null : new LogAnalyticsResolver(azure, errors, {
    known: inventory.logAnalytics, defaultWorkspaceId: settings.defaultLogAnalyticsWorkspaceId, concurrency, abortSignal: options.abortSignal,
  });

  // Routing: one ML workspace's hosts at a time, a few workspaces in flight while Graph pages keep coming; handed to
  // the batcher in the order they were found.
  const routing: { hosts: IdentifiedHost[]; routed: Promise<void> }[] = [];
  let fresh: (hs: IdentifiedHost[]) => IdentifiedHost[] = (hs) => hs;
  const route = (all: IdentifiedHost[]) => {
    const hosts = fresh(all);
    if (hosts.length) routing.push({ hosts, routed: resolver ? resolver.resolveAll(hosts) : Promise.resolve() });
  };
  const drain = async (keep: number) => {
    while (routing.length > keep) {
      const next = routing.shift()!;
      await next.routed;
      await batcher.add(next.hosts.map((h) => h.record));
      progress({ phase: 'hosts', found: batcher.count });
    }
  };

  // 1. Resource Graph, batch by batch (sequential: the quota is per caller, and pages are sequential anyway).
  const gate = new GraphQuotaGate(options.sleep, (wait) => progress({ phase: 'wait', wait }));
  const failed = new Set<string>();
  const fromArm: string[] = [];
  let wholeScopeFailed = false;
  const inventoryQuery = scopeInventoryQuery();
  const hostQuery = hostCandidatesQuery({ hostTag: settings.hostTag, name: options.name });
  // A batch that fails after its page retries is split (a tenant-wide one into subscription groups, a group into
  // halves) and read again, so one bad page costs only the subscriptions that stay unreadable. What a batch handed on
  // before it failed is remembered (short hashes of host ids, for the batch being read and its parts only) so the
  // parts hand on only the rest.
  const queue: { scope: GraphScope; root: number }[] = plan.batches.map((scope, root) => ({ scope, root }));
  let emitted = new Set<string>();
  let emittedRoot = -1;
  const jobsListed = new Set<string>();
  for (let item = queue.shift(); item; item = queue.shift()) {
    const batch = item.scope;
    if (item.root !== emittedRoot) {
      emitted = new Set();
      emittedRoot = item.root;
    }
    fresh = (hs: IdentifiedHost[]) => hs.filter((h) => {
      const k = emittedKey(h.record.id);
      if (emitted.has(k)) return false;
      emitted.add(k);
      return true;
    });
    // Graph's rows of the ML workspaces that need the ARM fallback: used only if ARM cannot list them.
    const heldForFallback = new Map<string, IdentifiedHost[]>();
    let inventoryRead = false;
    try {
      for await (const rows of graphPages(azure, inventoryQuery, batch, gate, options)) {
        inventory.add(rows);
        progress({ phase: 'graph', rows: rows.length });
      }
      inventoryRead = true;
      let group: IdentifiedHost[] = [];
      let groupKey: string | undefined;
      for await (const rows of graphPages(azure, hostQuery, batch, gate, options)) {
        for (const r of rows) {
          const h = identify(r as unknown as RawResource);
          if (!h) continue;
          const ws = h.record.facts.workspaceId;
          if (ws && inventory.needsArmFallback(ws)) {
            const held = heldForFallback.get(ws) ?? [];
            held.push(h);
            heldForFallback.set(ws, held);
            continue;
          }
          // A VM has no ML workspace: the VMs of a resource group arrive together and are routed together.
          const key = ws ?? canonicalId(`vm:${h.record.subscriptionId}/${h.record.resourceGroup}`);
          if (key !== groupKey) {
            route(group);
            group = [];
            groupKey = key;
          }
          group.push(h);
        }
        progress({ phase: 'graph', rows: rows.length });
        await drain(ROUTING_IN_FLIGHT);
      }
      route(group);
      await drain(0);
    } catch (e) {
      if (batcher.failure) throw batcher.failure.error;
      await drain(0);
      const parts = await splitScope(azure, batch, options.abortSignal);
      if (parts) {
        progress({ phase: 'graph-split', parts: parts.length, reason: message(e) });
        queue.unshift(...parts.map((scope) => ({ scope, root: item.root })));
        continue;
      }
      const subs = batch.subscriptions;
      errors.push({
        scope: subs ? `subscriptions:${subs.length === 1 ? subs[0] : `${subs[0]}…(${subs.length})`}` : 'resourceGraph',
        code: 'ResourceGraphFailed',
        message: `Resource Graph query failed: ${message(e)}`,
      });
      if (subs) for (const s of subs) failed.add(s);
      else wholeScopeFailed = true;
    }

    // 2. ARM fallback for this batch's ML workspaces whose computes Graph lacks; their ARM answer replaces Graph's rows.
    if (!inventoryRead) continue;
    const inBatch = batch.subscriptions ? new Set(batch.subscriptions) : null;
    const workspacesInBatch = [...inventory.mlWorkspaces.values()].filter((w) => (inBatch === null || inBatch.has(w.subscriptionId)) && !failed.has(w.subscriptionId) && !wholeScopeFailed);
    // 2b. Job services: Resource Graph does not index jobs, so each ML workspace's job list (shared/discovery/jobs.ts),
    // once per sweep even when a failed batch's parts are read again.
    const jobWorkspaces = workspacesInBatch.filter((w) => !jobsListed.has(canonicalId(w.id)));
    for (const w of jobWorkspaces) jobsListed.add(canonicalId(w.id));
    progress({ phase: 'jobs', workspaces: jobWorkspaces.length });
    await mapLimited(jobWorkspaces, concurrency, async (w) => {
      let hosts: IdentifiedHost[];
      try {
        hosts = (await listWorkspaceJobServices(azure, w, {
          ownerTags: settings.ownerTags, horizonMs: settings.jobHorizonMs ?? DEFAULT_JOB_HORIZON_MS, now: ctx.now, name: options.name, abortSignal: options.abortSignal,
        })).hosts;
      } catch (e) {
        // The workspace's computes were read; only its jobs are missing: a run error, not a failed subscription
        // (which would hold back every gone notice of its hosts).
        errors.push({ scope: w.id, code: 'JobListFailed', message: `could not list the ML workspace's jobs through ARM (TensorBoard job services there are not checked): ${message(e)}` });
        return;
      }
      hosts = fresh(hosts);
      if (resolver) await resolver.resolveAll(hosts);
      await batcher.add(hosts.map((h) => h.record));
    });
    const fallback = workspacesInBatch.filter((w) => inventory.needsArmFallback(w.id));
    if (!fallback.length) continue;
    progress({ phase: 'arm-fallback', workspaces: fallback.length });
    await mapLimited(fallback, concurrency, async (w) => {
      let hosts: IdentifiedHost[];
      try {
        hosts = [];
        for (const c of await listWorkspaceComputes(azure, w.id, options.abortSignal)) {
          const h = identify(c);
          if (h) hosts.push(h);
        }
        fromArm.push(canonicalId(w.id));
      } catch (e) {
        errors.push({ scope: w.id, code: 'ComputeListFailed', message: `could not list the ML workspace's computes through ARM: ${message(e)}` });
        failed.add(w.subscriptionId);
        hosts = heldForFallback.get(canonicalId(w.id)) ?? [];
      }
      hosts = fresh(hosts);
      if (resolver) await resolver.resolveAll(hosts);
      await batcher.add(hosts.map((h) => h.record));
    });
  }
  await batcher.end();

  if (gate.subscriptionLimitHit) {
    errors.push({
      scope: 'resourceGraph', code: 'TenantSubscriptionLimit',
      message: 'Resource Graph answered for the first 10,000 subscriptions only (x-ms-tenant-subscription-limit-hit): hosts in the others are missing; set TBMON_SCOPE to management groups or subscription lists',
    });
  }

  // 3. Which subscriptions were read: in scope, answered by Graph, not in a failed batch.
  const read = new Set<string>();
  for (const s of plan.subscriptions ?? [...inventory.subscriptions]) {
    if (wholeScopeFailed || failed.has(s)) {
      failed.add(s);
    } else if (!inventory.subscriptions.has(s)) {
      failed.add(s);
      errors.push({ scope: s, code: 'SubscriptionNotReadable', message: 'Resource Graph returned nothing for this subscription: it does not exist or this identity cannot read it' });
    } else {
      read.add(s);
    }
  }

  return {
    hostCount: batcher.count,
    subscriptionsRead: [...read].sort(),
    subscriptionsFailed: [...failed].sort(),
    complete: !wholeScopeFailed && failed.size === 0 && !gate.subscriptionLimitHit,
    armFallbackWorkspaces: [...new Set(fromArm)].sort(),
  };
}
