// The sweep use-case (timer): discover every TensorBoard host in scope, store them in batches — one per Log Analytics
// workspace, split at 1,000 hosts — in the sweep ledger, reconcile the host inventory (gone hosts become `gone`
// notices in the outbox), record the batch count (the completion marker's denominator), then enqueue one tb-evaluate
// claim check per batch. Order matters: every batch is stored and counted before any message can be evaluated, and
// gone notices are in the outbox before the sweep can complete and trigger its digest. A sweep that could read no
// subscription at all fails (SweepFailedError) rather than reporting an empty tenant; a partly readable scope
// succeeds with its errors recorded.
import type { QueueClient } from '@azure/storage-queue';
import type { AzureContext } from './azure';
import type { Scope, Settings } from './config';
import { discoverInBatches, type DiscoverySummary } from './discovery/discover';
import { partitionByWorkspace } from './evidence/logs/partition';
import { mapLimited } from './limit';
import { sweepMetricPoints, type MetricsSink } from './metrics';
import { requestsBetween, type Host, type HostRecord, type RequestCounts, type RunError } from './model';
import type { Notice } from './notices';
import { noticeId } from './regressions';
import { validateAlertsMessage, validateEvaluateMessage } from './schemas';
import { enqueueJson, ensureQueue } from './storage';
import type { HostInventory, InventoryHost } from './state/inventory';
import { recipientsOf } from './notify/recipients';
import type { Outbox } from './state/outbox';
import { batchKeyFor, MAX_HOSTS_PER_BATCH, newSweepId, type SweepLedger } from './state/sweeps';
import type { PlatformStore } from './state/platform';
import { watchPlatform, type SweepObservation } from './platform-watch';

export interface SweepDeps {
  azure: AzureContext;
  settings: Settings;
  ledger: SweepLedger;
  inventory: HostInventory;
  outbox: Outbox;
  evaluateQueue: QueueClient;
  /** For a sweep with no batches: its tb-alerts message (gone notices) goes out at once. */
  alertsQueue: QueueClient;
  now?: () => Date;
  log?: (line: string) => void;
  /** Resource Graph quota / throttle waits (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** A sweep whose batches are not all evaluated this long after it started gets its tb-alerts anyway. Default 1 h. */
  stalledAfterMs?: number;
  /** Batch rows of sweeps older than this are deleted. Default 2 days. */
  keepBatchesMs?: number;
  /** Outbox rows sent longer ago than this are deleted, at most once per OUTBOX_PURGE_INTERVAL_MS. Default 8 days. */
  keepSentNoticesMs?: number;
  /** tbmon's look at itself (platform notices); without it the sweep watches nothing but hosts. */
  platform?: { store: PlatformStore; poisonQueues: readonly QueueClient[] };
  /** Where the sweep's metrics go (Application Insights); none: not exported. */
  metrics?: MetricsSink;
}

export interface SweepBatch {
  batchKey: string;
  logAnalyticsWorkspaceId: string | null;
  hosts: HostRecord[];
}

/** No subscription in scope could be read: the sweep recorded its errors and stopped. */
export class SweepFailedError extends Error {
  constructor(readonly sweepId: string, readonly errors: RunError[]) {
    super(`sweep ${sweepId} could not read any subscription in scope: ${errors.slice(0, 3).map((e) => `${e.scope}: ${e.code}: ${e.message}`).join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`);
    this.name = 'SweepFailedError';
  }
}

export const DEFAULT_STALLED_AFTER_MS = 3_600_000;
export const DEFAULT_KEEP_BATCHES_MS = 2 * 86_400_000;
/**
 * A sent outbox row is what keeps a replayed queue message from notifying again, so it must outlive any message
 * (Storage queues keep one at most 7 days): 8 days.
 */
export const DEFAULT_KEEP_SENT_NOTICES_MS = 8 * 86_400_000;
/** The purge scans the whole outbox table (state is no key), so it runs once a day, not every sweep. */
export const OUTBOX_PURGE_INTERVAL_MS = 86_400_000;
const OUTBOX_PURGE_TASK = 'outbox-purge';

export interface SweepOutcome {
  sweepId: string;
  hosts: number;
  batches: { batchKey: string; logAnalyticsWorkspaceId: string | null; hosts: number }[];
  subscriptionsRead: string[];
  subscriptionsFailed: string[];
  gone: Host[];
  /** Earlier sweeps that stalled past the deadline and had their tb-alerts message sent by this run. */
  flushedStalledSweeps: string[];
  /** Sent outbox rows this run deleted; null when the daily purge was not due (or failed: see the log). */
  purgedSentNotices: number | null;
  errors: RunError[];
  stats: { durationMs: number; requests: RequestCounts };
}

/**
 * Hosts grouped by Log Analytics workspace (hosts without one together), each group split into batches of at most
 * `maxPerBatch`, in a stable order (workspace id, then host id) so a re-run makes the same batches.
 */
export function planBatches(hosts: readonly HostRecord[], maxPerBatch = MAX_HOSTS_PER_BATCH): SweepBatch[] {
  return partitionByWorkspace(hosts, maxPerBatch).map((p, i) => ({ batchKey: batchKeyFor(i, p.workspaceId), logAnalyticsWorkspaceId: p.workspaceId, hosts: p.hosts }));
}

/**
 * What the sweep says about its reach (issue: `TBMON_SCOPE=all` quietly meant the one subscription the deployment
 * granted roles on). `all` is every subscription the identity can read, so one that resolves to a single
 * subscription most likely lacks grants elsewhere: said once per sweep, with the fix. Listed subscriptions that could
 * not be read are already SubscriptionNotReadable errors (discovery); this adds the grant that fixes them.
 */
export function scopeFindings(scope: Scope, subscriptionsRead: readonly string[], subscriptionsFailed: readonly string[]): RunError[] {
  const out: RunError[] = [];
  const grant = 'grant the identity Log Analytics Reader (it includes read of every resource, which Resource Graph needs) on each subscription or management group to scan: '
    + '`node infra/scripts/grant.mjs <subscription-id>...` or `--management-group <id>` (README § Deploy)';
  if (scope.kind === 'all' && subscriptionsRead.length === 1 && subscriptionsFailed.length === 0) {
    out.push({
      scope: 'TBMON_SCOPE',
      code: 'ScopeIsOneSubscription',
      message: `TBMON_SCOPE=all resolved to one subscription (${subscriptionsRead[0]}): the identity can read no other. If more subscriptions hold TensorBoard hosts, ${grant}`,
    });
  }
  if (scope.kind === 'subscriptions' && subscriptionsFailed.length > 0) {
    out.push({
      scope: 'TBMON_SCOPE',
      code: 'ScopeNotReadable',
      message: `${subscriptionsFailed.length} of the ${scope.subscriptionIds.length} subscription(s) TBMON_SCOPE lists could not be read (${subscriptionsFailed.slice(0, 5).join(', ')}${subscriptionsFailed.length > 5 ? ', …' : ''}); their hosts are not checked. If the identity lacks roles there, ${grant}`,
    });
  }
  return out;
}

/** The `gone` notice of a host; its id is fixed by the host and the last sweep that saw it, so a retried sweep writes it once. */
export function goneNotice(entry: InventoryHost, sweepId: string, observedAt: string): Notice {
  return { id: noticeId({ hostId: entry.host.id, kind: 'gone', sweepId: entry.lastSeenSweepId }), kind: 'gone', sweepId, host: entry.host, observedAt };
}

/** Sends the sweep's single tb-alerts message if nobody has (the ledger's claim says yes once). */
async function enqueueAlertsOnce(deps: Pick<SweepDeps, 'ledger' | 'alertsQueue'>, sweepId: string): Promise<boolean> {
  if (!(await deps.ledger.claimAlertsEnqueue(sweepId))) return false;
  const message = { sweepId };
  const checked = validateAlertsMessage(message);
  if (!checked.ok) throw new Error(`tb-alerts message ${JSON.stringify(message)} does not validate: ${checked.errors.join('; ')}`);
  await ensureQueue(deps.alertsQueue);
  await enqueueJson(deps.alertsQueue, message);
  return true;
}

/**
 * The deadline path of the completion marker (earlier sweeps whose batches stalled get their digest with what was
 * evaluated), retention of batch rows and, once a day, of sent outbox rows. Failures here are logged: they must not
 * fail the sweep that just ran.
 */
async function housekeeping(deps: SweepDeps, sweepId: string, now: Date, log: (line: string) => void): Promise<{ flushed: string[]; purgedSentNotices: number | null }> {
  const flushed: string[] = [];
  let purgedSentNotices: number | null = null;
  try {
    for (const stalled of await deps.ledger.findStalledSweeps(now, deps.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS)) {
      if (stalled !== sweepId && (await enqueueAlertsOnce(deps, stalled))) {
        log(`sweep ${stalled} stalled past its deadline: tb-alerts enqueued with what was evaluated`);
        flushed.push(stalled);
      }
    }
    await deps.ledger.pruneBatches(new Date(now.getTime() - (deps.keepBatchesMs ?? DEFAULT_KEEP_BATCHES_MS)));
    const lastPurge = await deps.ledger.lastHousekeeping(OUTBOX_PURGE_TASK);
    if (!lastPurge || now.getTime() - lastPurge.getTime() >= OUTBOX_PURGE_INTERVAL_MS) {
      // Recorded after the purge: one that fails is tried again by the next sweep.
      purgedSentNotices = await deps.outbox.purgeSent(new Date(now.getTime() - (deps.keepSentNoticesMs ?? DEFAULT_KEEP_SENT_NOTICES_MS)));
      await deps.ledger.recordHousekeeping(OUTBOX_PURGE_TASK, now);
      log(`sweep ${sweepId}: outbox retention deleted ${purgedSentNotices} sent notice row(s)`);
    }
  } catch (e) {
    log(`sweep ${sweepId}: housekeeping failed (retried next sweep): ${(e as Error).message}`);
  }
  return { flushed, purgedSentNotices };
}

function platformWatchDeps(deps: SweepDeps, log: (line: string) => void) {
  return {
    store: deps.platform!.store, poisonQueues: deps.platform!.poisonQueues, ledger: deps.ledger, settings: deps.settings,
    stalledAfterMs: deps.stalledAfterMs ?? DEFAULT_STALLED_AFTER_MS, log,
  };
}

/** A sweep that failed as a whole tells the platform team now: its notice, and a tb-alerts message to send it. */
async function platformAfterFailure(deps: SweepDeps, sweepId: string, now: Date, log: (line: string) => void): Promise<void> {
  if (!deps.platform) return;
  const failed = await deps.ledger.getSweep(sweepId).catch(() => null);
  const obs: SweepObservation = { sweepId, now, discovery: null, failed: failed ?? undefined };
  const written = await watchPlatform(platformWatchDeps(deps, log), obs);
  if (written.length) await enqueueAlertsOnce(deps, sweepId).catch((e: unknown) => log(`sweep ${sweepId}: tb-alerts for the platform notice not enqueued: ${(e as Error).message}`));
}

export async function runSweep(deps: SweepDeps): Promise<SweepOutcome> {
  const log = deps.log ?? (() => {});
  const now = (deps.now ?? (() => new Date()))();
  const started = Date.now();
  const requestsBefore = deps.azure.counter.snapshot();
  const sweepId = newSweepId(now);
  const errors: RunError[] = [];
  const scope = deps.settings.scope;
  const scopeText = scope.kind === 'all' ? 'all' : scope.kind === 'subscriptions' ? `subscriptions:${scope.subscriptionIds.join(',')}` : `managementGroup:${scope.managementGroupId}`;

  await Promise.all([deps.ledger.ensureTable(), deps.inventory.ensureTable(), deps.outbox.ensureTable(), ensureQueue(deps.evaluateQueue)]);
  await deps.ledger.createSweep(sweepId, now, scopeText.slice(0, 30_000));

  // Discovery streams batches: each is stored in the ledger and its hosts marked seen in the inventory as it comes,
  // so the sweep never holds every host.
  const batches: SweepOutcome['batches'] = [];
  let discovered: DiscoverySummary;
  try {
    discovered = await discoverInBatches({ azure: deps.azure, settings: deps.settings, errors, now }, { sleep: deps.sleep, batchSize: MAX_HOSTS_PER_BATCH }, async (b) => {
      const batchKey = batchKeyFor(batches.length, b.logAnalyticsWorkspaceId);
      batches.push({ batchKey, logAnalyticsWorkspaceId: b.logAnalyticsWorkspaceId, hosts: b.hosts.length });
      await Promise.all([deps.ledger.storeBatch(sweepId, batchKey, b.hosts), deps.inventory.markSeen(sweepId, now, b.hosts)]);
    });
  } catch (e) {
    errors.push({ scope: scopeText, code: (e as { code?: string }).code ?? 'DiscoveryFailed', message: (e as Error).message });
    await deps.ledger.failSweep(sweepId, errors);
    await platformAfterFailure(deps, sweepId, now, log);
    throw e;
  }
  for (const e of errors) log(`sweep ${sweepId}: ${e.scope}: ${e.code}: ${e.message}`);
  if (discovered.subscriptionsRead.length === 0 && discovered.subscriptionsFailed.length + errors.length > 0) {
    // Nothing in scope could be read: a failed run, not an empty one (the invocation fails, so monitoring sees it).
    await deps.ledger.failSweep(sweepId, errors);
    await platformAfterFailure(deps, sweepId, now, log);
    throw new SweepFailedError(sweepId, errors);
  }

  // Reach and unresolved secrets are the run's problems too: logged, stored with the sweep, shown on the status page.
  const findings = [
    ...scopeFindings(scope, discovered.subscriptionsRead, discovered.subscriptionsFailed),
    ...deps.settings.unresolvedSecrets.map((u) => ({ scope: u.setting, code: 'KeyVaultReferenceUnresolved', message: u.message })),
  ];
  for (const e of findings) log(`sweep ${sweepId}: ${e.scope}: ${e.code}: ${e.message}`);
  errors.push(...findings);

  // Gone notices are in the outbox before the inventory marks their hosts gone (a gone host is never gone again).
  const reconciled = await deps.inventory.settle({
    sweepId, now, subscriptionsRead: discovered.subscriptionsRead,
    beforeCommit: async (gone) => {
      if (!gone.length) return;
      const written = await deps.outbox.writeNotices(gone.map((g) => goneNotice(g, sweepId, now.toISOString())), recipientsOf(deps.settings, log));
      for (const n of written.unaddressed) log(`sweep ${sweepId}: ${n.host.name} is gone but has no recipient (no owner, no TBMON_ALERT_FALLBACK_TO, no Teams)`);
    },
  });

  await deps.ledger.recordBatches(sweepId, {
    batchCount: batches.length, hostCount: discovered.hostCount, subscriptionsRead: discovered.subscriptionsRead.length,
    subscriptionsFailed: discovered.subscriptionsFailed.length, goneCount: reconciled.gone.length, errors,
  });

  // Before any batch can complete the sweep and trigger its digest, so what it raises goes out with this sweep.
  if (deps.platform) {
    await watchPlatform(platformWatchDeps(deps, log), {
      sweepId, now, discovery: { read: discovered.subscriptionsRead, failed: discovered.subscriptionsFailed, errors },
    });
  }

  await mapLimited(batches, 16, async (b) => {
    const message = { sweepId, batchKey: b.batchKey };
    const checked = validateEvaluateMessage(message);
    if (!checked.ok) throw new Error(`tb-evaluate message ${JSON.stringify(message)} does not validate: ${checked.errors.join('; ')}`);
    await enqueueJson(deps.evaluateQueue, message);
  });

  if (batches.length === 0) await enqueueAlertsOnce(deps, sweepId);
  const { flushed: flushedStalledSweeps, purgedSentNotices } = await housekeeping(deps, sweepId, now, log);

  log(`sweep ${sweepId}: ${discovered.hostCount} host(s) in ${batches.length} batch(es); ${discovered.subscriptionsRead.length} subscription(s) read, ${discovered.subscriptionsFailed.length} failed; ${reconciled.added} new, ${reconciled.gone.length} gone`);
  const outcome: SweepOutcome = {
    sweepId,
    hosts: discovered.hostCount,
    batches,
    subscriptionsRead: discovered.subscriptionsRead,
    subscriptionsFailed: discovered.subscriptionsFailed,
    gone: reconciled.gone.map((g) => g.host),
    flushedStalledSweeps,
    purgedSentNotices,
    errors,
    stats: { durationMs: Date.now() - started, requests: requestsBetween(requestsBefore, deps.azure.counter.snapshot()) },
  };
  await deps.metrics?.export(sweepMetricPoints(outcome), log);
  return outcome;
}
