// discoverHosts: every TensorBoard host in a scope. Resource Graph first — per subscription batch, one paged query
// for the scope inventory and one for the host candidates — then the ARM fallback for the ML workspaces whose
// computes Graph lacks (bounded concurrency, raw JSON), then Log Analytics routing. Run-level problems go into
// ctx.errors; a subscription that could not be read completely is in `subscriptionsFailed`, never in
// `subscriptionsRead` (the sweep makes no host of it gone).
import type { AzureContext } from '../azure';
import type { Scope, Settings } from '../config';
import type { HostRecord, RunError } from '../model';
import { listWorkspaceComputes } from './arm-fallback';
import { graphPages, GraphQuotaGate, type GraphWait } from './graph';
import { idKey } from './ids';
import { identifyHost, type IdentifiedHost, type RawResource } from './identify';
import { mapLimited } from '../limit';
import { LogAnalyticsResolver } from './log-analytics';
import { hostCandidatesQuery, scopeInventoryQuery } from './queries';
import { planScope } from './scope';
import { ScopeInventory } from './scope-inventory';

export interface DiscoveryContext {
  azure: AzureContext;
  settings: Pick<Settings, 'scope' | 'hostTag' | 'ownerTags' | 'defaultLogAnalyticsWorkspaceId'>;
  /** Run-level problems are appended here (DESIGN.md § Contracts: `errors`, never dropped). */
  errors: RunError[];
  now: Date;
}

export type DiscoveryProgress =
  | { phase: 'scope'; description: string }
  | { phase: 'graph'; rows: number }
  | { phase: 'wait'; wait: GraphWait }
  | { phase: 'arm-fallback'; workspaces: number }
  | { phase: 'log-analytics'; hosts: number };

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

export interface DiscoveryResult {
  /** Sorted by id (case-insensitively). */
  hosts: HostRecord[];
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

const DEFAULT_ARM_CONCURRENCY = 8;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function discoverHosts(ctx: DiscoveryContext, options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const { azure, settings, errors } = ctx;
  const progress = options.onProgress ?? (() => {});
  const concurrency = options.armConcurrency ?? DEFAULT_ARM_CONCURRENCY;
  const wanted = options.name?.toLowerCase();
  const identifyOptions = { hostTag: settings.hostTag, ownerTags: settings.ownerTags };
  const found = new Map<string, IdentifiedHost>();
  const keep = (raw: RawResource, into: Map<string, IdentifiedHost>) => {
    const h = identifyHost(raw, identifyOptions);
    if (h && (wanted === undefined || h.record.name.toLowerCase() === wanted)) into.set(idKey(h.record.id), h);
  };

  const plan = await planScope(azure, options.scope ?? settings.scope, options.abortSignal);
  progress({ phase: 'scope', description: plan.description });

  // 1. Resource Graph, batch by batch (sequential: the quota is per caller, and pages are sequential anyway).
  const gate = new GraphQuotaGate(options.sleep, (wait) => progress({ phase: 'wait', wait }));
  const inventory = new ScopeInventory();
  const failed = new Set<string>();
  let wholeScopeFailed = false;
  const inventoryQuery = scopeInventoryQuery();
  const hostQuery = hostCandidatesQuery({ hostTag: settings.hostTag, name: options.name });
  for (const batch of plan.batches) {
    try {
      for await (const rows of graphPages(azure, inventoryQuery, batch, gate, options)) {
        inventory.add(rows);
        progress({ phase: 'graph', rows: rows.length });
      }
      for await (const rows of graphPages(azure, hostQuery, batch, gate, options)) {
        for (const r of rows) keep(r as unknown as RawResource, found);
        progress({ phase: 'graph', rows: rows.length });
      }
    } catch (e) {
      const subs = batch.subscriptions;
      errors.push({
        scope: subs ? `subscriptions:${subs.length === 1 ? subs[0] : `${subs[0]}…(${subs.length})`}` : 'resourceGraph',
        code: 'ResourceGraphFailed',
        message: `Resource Graph query failed: ${message(e)}`,
      });
      if (subs) for (const s of subs) failed.add(s);
      else wholeScopeFailed = true;
    }
  }

  if (gate.subscriptionLimitHit) {
    errors.push({
      scope: 'resourceGraph', code: 'TenantSubscriptionLimit',
      message: 'Resource Graph answered for the first 10,000 subscriptions only (x-ms-tenant-subscription-limit-hit): hosts in the others are missing; set TBMON_SCOPE to management groups or subscription lists',
    });
  }

  // 2. Which subscriptions were read: in scope, answered by Graph, not in a failed batch.
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

  // 3. ARM fallback for ML workspaces whose computes Graph lacks; their ARM answer replaces Graph's rows.
  const fallback = [...inventory.mlWorkspaces.values()].filter((w) => read.has(w.subscriptionId) && inventory.needsArmFallback(w.id));
  progress({ phase: 'arm-fallback', workspaces: fallback.length });
  const fromArm = new Map<string, Map<string, IdentifiedHost>>();
  await mapLimited(fallback, concurrency, async (w) => {
    try {
      const hosts = new Map<string, IdentifiedHost>();
      for (const c of await listWorkspaceComputes(azure, w.id, options.abortSignal)) keep(c, hosts);
      fromArm.set(idKey(w.id), hosts);
    } catch (e) {
      errors.push({ scope: w.id, code: 'ComputeListFailed', message: `could not list the ML workspace's computes through ARM: ${message(e)}` });
      read.delete(w.subscriptionId);
      failed.add(w.subscriptionId);
    }
  });
  if (fromArm.size) {
    for (const [k, h] of found) if (h.record.facts.workspaceId && fromArm.has(idKey(h.record.facts.workspaceId))) found.delete(k);
    for (const hosts of fromArm.values()) for (const [k, h] of hosts) found.set(k, h);
  }

  // 4. Log Analytics routing.
  const identified = [...found.values()];
  if (!options.skipLogAnalytics) {
    progress({ phase: 'log-analytics', hosts: identified.length });
    const resolver = new LogAnalyticsResolver(azure, errors, {
      known: inventory.logAnalytics, defaultWorkspaceId: settings.defaultLogAnalyticsWorkspaceId, concurrency, abortSignal: options.abortSignal,
    });
    await resolver.resolveAll(identified);
  }

  const hosts = identified.map((h) => h.record).sort((a, b) => idKey(a.id).localeCompare(idKey(b.id)));
  return {
    hosts,
    subscriptionsRead: [...read].sort(),
    subscriptionsFailed: [...failed].sort(),
    complete: !wholeScopeFailed && failed.size === 0 && !gate.subscriptionLimitHit,
    armFallbackWorkspaces: [...fromArm.keys()].sort(),
  };
}
