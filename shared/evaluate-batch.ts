// The evaluate pipeline behind the tb-evaluate queue trigger: validate the claim check, load the batch the sweep
// stored, evaluate its hosts, then per host — write the notices its transitions call for to the outbox, and only
// then store its report, history row and check states. Finally mark the batch done; the run that completes the
// sweep enqueues the sweep's single tb-alerts message.
//
// Replays are safe at every step: notice ids are deterministic and outbox inserts create-only; the report store
// compares a replayed sweep against the states from before that sweep, and refuses a host a newer sweep already
// evaluated (a late claim check; the batch still counts as done); markBatchDone is idempotent and
// claimAlertsEnqueue answers true once per sweep.
import type { QueueClient } from '@azure/storage-queue';
import type { AzureContext } from './azure';
import type { Settings } from './config';
import { evaluateHosts } from './evaluate';
import { mapLimited } from './limit';
import type { CheckResult, RunError, RunStats } from './model';
import { compareHost, noticesFor, type Transition } from './regressions';
import { validateAlertsMessage, validateEvaluateMessage } from './schemas';
import { enqueueJson, ensureQueue } from './storage';
import { recipientsOf } from './notify/recipients';
import type { Outbox } from './state/outbox';
import type { ReportStore } from './state/reports';
import type { SweepLedger } from './state/sweeps';
import type { PlatformStore } from './state/platform';
import { newChecksNotice } from './platform';
import { platformRecipients } from './platform-watch';
import { evaluateMetricPoints, type MetricsSink } from './metrics';

export interface EvaluatePipeline {
  settings: Settings;
  azure: AzureContext;
  ledger: Pick<SweepLedger, 'loadBatch' | 'markBatchDone' | 'claimAlertsEnqueue'>;
  outbox: Outbox;
  reports: ReportStore;
  alertsQueue: QueueClient;
  poisonQueue: QueueClient;
  /** Evaluation clock (the sandbox clock in tests). */
  now?: () => Date;
  /** Per-sweep memos shared by the batches of a sweep that this process evaluates. */
  caches?: SweepCaches;
  log: (line: string) => void;
  /** Hosts whose state is written in parallel. */
  concurrency?: number;
  /** Where the count of checks new to known hosts goes (one platform notice per sweep and batch). */
  platform?: Pick<PlatformStore, 'writeNotices'>;
  /** Where the batch's metrics go (Application Insights); none: not exported. */
  metrics?: MetricsSink;
}

export type EvaluateOutcome =
  | { kind: 'poisoned'; reason: string }
  | {
      kind: 'evaluated';
      sweepId: string;
      batchKey: string;
      hosts: number;
      transitions: Transition[];
      /** Outbox rows this run inserted (0 on a replay whose rows already exist). */
      noticesWritten: number;
      /** Hosts left alone because their stored report comes from a newer sweep (a late claim check). */
      staleHosts: number;
      sweepComplete: boolean;
      alertsEnqueued: boolean;
      errors: RunError[];
      stats: RunStats;
    };

/**
 * The memo of the sweeps this process is evaluating (service tags per region, VM size catalogues): shared by the
 * batches of one sweep, never carried into the next — a later sweep must see changed resources.
 */
export class SweepCaches {
  private readonly bySweep = new Map<string, Map<string, Promise<unknown>>>();
  constructor(private readonly keep = 2) {}

  for(sweepId: string): Map<string, Promise<unknown>> {
    let cache = this.bySweep.get(sweepId);
    if (!cache) {
      cache = new Map();
      this.bySweep.set(sweepId, cache);
      // Maps iterate in insertion order: the first keys are the oldest sweeps.
      for (const old of [...this.bySweep.keys()].slice(0, Math.max(0, this.bySweep.size - this.keep))) this.bySweep.delete(old);
    }
    return cache;
  }
}

/**
 * Processes one tb-evaluate message. A message that can never be processed (invalid, or naming a batch that does
 * not exist) goes to the poison queue with the reason logged and returns normally; a failure that may pass (storage
 * or Azure unavailable) throws, so the host retries the message and poisons it after maxDequeueCount.
 */
export async function processEvaluateMessage(message: unknown, p: EvaluatePipeline): Promise<EvaluateOutcome> {
  const checked = validateEvaluateMessage(message);
  if (!checked.ok) return poison(p, message, `not a valid tb-evaluate message: ${checked.errors.join('; ').slice(0, 500)}`);
  const { sweepId, batchKey } = checked.value;
  const hosts = await p.ledger.loadBatch(sweepId, batchKey);
  if (hosts === null) return poison(p, message, `sweep ${sweepId} has no batch ${batchKey} (the sweep ledger holds no such claim check)`);

  const now = p.now?.() ?? new Date();
  const result = await evaluateHosts(hosts, { azure: p.azure, settings: p.settings, mode: 'batch', now, cache: p.caches?.for(sweepId) });
  for (const e of result.errors) p.log(`evaluate ${sweepId}/${batchKey}: ${e.scope}: ${e.code}: ${e.message}`);

  const transitions: Transition[] = [];
  let noticesWritten = 0;
  const staleHosts: string[] = [];
  // Checks new to each known host (a step may run again after an ETag conflict: the last run's answer counts). Rebuilt
  // by each run of the batch: a replay that finds the states stored counts nothing new; the first run's notice stays.
  const introducedOn = new Map<string, CheckResult[]>();
  const recordedReports: typeof result.reports = [];
  const recipients = recipientsOf(p.settings, p.log);
  await mapLimited(result.reports, p.concurrency ?? 16, async (report) => {
    let hostTransitions: Transition[] = [];
    const recorded = await p.reports.recordHost(report, sweepId, async ({ base }) => {
      const { states, transitions: t, introduced } = compareHost(base, report.checks, p.settings, sweepId);
      introducedOn.set(report.host.id, introduced);
      const notices = noticesFor(report.host, t, report.checks, sweepId, report.evaluatedAt);
      if (notices.length) {
        const written = await p.outbox.writeNotices(notices, recipients);
        noticesWritten += written.created;
        for (const n of written.unaddressed) p.log(`evaluate ${sweepId}: ${n.kind} of ${n.checkId ?? 'host'} on ${n.host.name} has no recipient (no owner, no TBMON_ALERT_FALLBACK_TO, no Teams)`);
      }
      hostTransitions = t;
      return states;
    });
    if (recorded.recorded) recordedReports.push(report);
    if (!recorded.recorded) {
      introducedOn.delete(report.host.id);
      staleHosts.push(report.host.name);
      p.log(`evaluate ${sweepId}/${batchKey}: ${report.host.name} skipped — its stored report comes from the newer sweep ${recorded.newerSweepId} (a late claim check judges facts that may no longer hold)`);
    }
    transitions.push(...hostTransitions);
  });

  const newChecks: Record<string, { hosts: number; failing: number }> = {};
  for (const c of [...introducedOn.values()].flat()) {
    const n = newChecks[c.id] ?? { hosts: 0, failing: 0 };
    newChecks[c.id] = { hosts: n.hosts + 1, failing: n.failing + (c.status === 'fail' ? 1 : 0) };
  }
  const introducedNotice = p.platform ? newChecksNotice(newChecks, { sweepId, batchKey, observedAt: now.toISOString() }) : null;
  if (introducedNotice) {
    const to = platformRecipients(p.settings);
    if (to.length) await p.platform!.writeNotices([introducedNotice], to);
    p.log(`evaluate ${sweepId}/${batchKey}: new check(s) recorded as the baseline: ${Object.entries(newChecks).map(([id, c]) => `${id} fails on ${c.failing} of ${c.hosts}`).join('; ')}`);
  }

  const tally = { pass: 0, warn: 0, fail: 0, unknown: 0 };
  for (const r of result.reports) tally[r.status]++;
  const { sweepComplete } = await p.ledger.markBatchDone(sweepId, batchKey, tally);
  const alertsEnqueued = sweepComplete ? await enqueueAlerts(p, sweepId) : false;
  // Hosts left to a newer sweep are that sweep's to count.
  await p.metrics?.export(evaluateMetricPoints(recordedReports, result.stats.requests), p.log);
  p.log(`evaluate ${sweepId}/${batchKey}: ${hosts.length} host(s), ${transitions.filter((t) => t.send).length} notice(s) due, ${noticesWritten} new outbox row(s)${staleHosts.length ? `, ${staleHosts.length} skipped (a newer sweep evaluated them)` : ''}${sweepComplete ? ', sweep complete' : ''}`);
  return {
    kind: 'evaluated', sweepId, batchKey, hosts: hosts.length, transitions, noticesWritten, staleHosts: staleHosts.length, sweepComplete, alertsEnqueued,
    errors: result.errors, stats: result.stats,
  };
}

/**
 * Enqueues `{sweepId}` on tb-alerts when this caller wins the sweep's one-time claim. A crash between the claim and
 * the send loses this message but no notice: the rows stay pending in the outbox and the next sweep's digest
 * carries them.
 */
async function enqueueAlerts(p: Pick<EvaluatePipeline, 'ledger' | 'alertsQueue' | 'log'>, sweepId: string): Promise<boolean> {
  if (!(await p.ledger.claimAlertsEnqueue(sweepId))) return false;
  const message = { sweepId };
  const checked = validateAlertsMessage(message);
  if (!checked.ok) throw new Error(`tb-alerts message for sweep ${sweepId} does not validate: ${checked.errors.join('; ')}`);
  await ensureQueue(p.alertsQueue);
  await enqueueJson(p.alertsQueue, message);
  p.log(`evaluate: sweep ${sweepId} complete — tb-alerts enqueued`);
  return true;
}

const MAX_POISON_COPY_CHARS = 30_000;

async function poison(p: EvaluatePipeline, message: unknown, reason: string): Promise<EvaluateOutcome> {
  // Straight to the poison queue: retrying a message that can never be processed only delays the others.
  await ensureQueue(p.poisonQueue);
  const text = JSON.stringify(message ?? null) ?? 'null';
  // Whatever arrived fits a queue message; with the reason beside it, keep room for both.
  const kept = text.length > MAX_POISON_COPY_CHARS ? { truncatedJson: text.slice(0, MAX_POISON_COPY_CHARS) } : (message ?? null);
  await enqueueJson(p.poisonQueue, { reason, message: kept });
  p.log(`evaluate: message moved to ${p.poisonQueue.name}: ${reason}`);
  return { kind: 'poisoned', reason };
}

