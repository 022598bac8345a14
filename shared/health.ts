// tbmon's own health (GET /api/health): is the monitor itself sweeping? The last sweep and the last completed one
// from the sweep ledger, the depth of every queue including the poison queues, the outbox rows still waiting, and the
// last run errors. Pure judgement (judgeHealth) over facts gathered at the edge (gatherHealth), so the rules have a
// table of cases and the HTTP function is an adapter.
//
//   unhealthy (503)  no sweep completed within twice the schedule's interval, or the newest sweep failed
//   degraded  (200)  poison messages wait in tb-evaluate-poison / tb-alerts-poison (someone must look: tbmon poison)
//   healthy   (200)  otherwise
import type { QueueClient } from '@azure/storage-queue';
import { CronExpressionParser } from 'cron-parser';
import type { RunError } from './model';
import { isNotFound } from './storage';
import type { SweepLedger, SweepRecord } from './state/sweeps';

export type HealthState = 'healthy' | 'degraded' | 'unhealthy';

export interface SweepSummary {
  sweepId: string;
  state: SweepRecord['state'];
  startedAt: string;
  completedAt: string | null;
  hosts: number | null;
  batches: { done: number; total: number | null };
}

export interface QueueDepth {
  queue: string;
  /** Approximate, as the Queue service reports it; null when the queue could not be read. */
  messages: number | null;
  poison: boolean;
}

export interface HealthReport {
  status: HealthState;
  /** Why it is not healthy, in words; empty when healthy. */
  reasons: string[];
  checkedAt: string;
  schedule: { expression: string; intervalSeconds: number };
  lastSweep: SweepSummary | null;
  lastCompletedSweep: SweepSummary | null;
  queues: QueueDepth[];
  /** Outbox rows not yet sent (pending, or claimed and not marked sent); null when the outbox could not be read. */
  outboxWaiting: number | null;
  /** The newest sweep's run errors (at most 20). */
  lastErrors: RunError[];
}

export interface HealthFacts {
  now: Date;
  schedule: string;
  /** Sweeps of the look-back window, any order. */
  sweeps: readonly SweepRecord[];
  queues: readonly QueueDepth[];
  outboxWaiting: number | null;
}

/** The interval between two fires of a 6-field NCRONTAB schedule (UTC) around `at`: the longest gap of the next few. */
export function scheduleIntervalMs(schedule: string, at: Date): number {
  const it = CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: at });
  let prev = it.next().toDate().getTime();
  let longest = 0;
  for (let i = 0; i < 4; i++) {
    const next = it.next().toDate().getTime();
    longest = Math.max(longest, next - prev);
    prev = next;
  }
  return longest;
}

function summary(s: SweepRecord): SweepSummary {
  return { sweepId: s.sweepId, state: s.state, startedAt: s.startedAt, completedAt: s.completedAt, hosts: s.hostCount, batches: { done: s.doneCount, total: s.batchCount } };
}

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} hours` : `${Math.round(hours / 24)} days`;
}

/** The health rules (module comment); pure. */
export function judgeHealth(facts: HealthFacts): HealthReport {
  const intervalMs = scheduleIntervalMs(facts.schedule, facts.now);
  const newestFirst = [...facts.sweeps].sort((a, b) => b.sweepId.localeCompare(a.sweepId));
  const last = newestFirst[0] ?? null;
  const lastCompleted = newestFirst.find((s) => s.state === 'complete') ?? null;
  const reasons: string[] = [];
  let status: HealthState = 'healthy';
  const limitMs = 2 * intervalMs;
  if (!lastCompleted) {
    status = 'unhealthy';
    reasons.push(`no sweep has completed in the last ${ago(Math.max(limitMs, LOOKBACK_MS))}`);
  } else {
    const age = facts.now.getTime() - Date.parse(lastCompleted.completedAt ?? lastCompleted.startedAt);
    if (age > limitMs) {
      status = 'unhealthy';
      reasons.push(`the last completed sweep (${lastCompleted.sweepId}) finished ${ago(age)} ago, more than twice the schedule's interval (${ago(intervalMs)})`);
    }
  }
  if (last?.state === 'failed') {
    status = 'unhealthy';
    const first = last.errors[0];
    reasons.push(`the last sweep (${last.sweepId}) failed${first ? `: ${first.scope}: ${first.message}` : ''}`);
  }
  const poison = facts.queues.filter((q) => q.poison && (q.messages ?? 0) > 0);
  if (poison.length > 0) {
    if (status === 'healthy') status = 'degraded';
    for (const q of poison) reasons.push(`${q.messages} message${q.messages === 1 ? '' : 's'} in ${q.queue} (see them with: tbmon poison list)`);
  }
  return {
    status, reasons, checkedAt: facts.now.toISOString(),
    schedule: { expression: facts.schedule, intervalSeconds: Math.round(intervalMs / 1000) },
    lastSweep: last && summary(last), lastCompletedSweep: lastCompleted && summary(lastCompleted),
    queues: [...facts.queues], outboxWaiting: facts.outboxWaiting, lastErrors: (last?.errors ?? []).slice(0, 20),
  };
}

/** How far back the ledger is read: a healthy app completed a sweep well inside it. */
export const LOOKBACK_MS = 2 * 86_400_000;

export interface HealthDeps {
  ledger: Pick<SweepLedger, 'listSweeps'>;
  /** The app's queues; `poison` marks the -poison ones. */
  queues: readonly { client: QueueClient; poison: boolean }[];
  outbox: { countWaiting(): Promise<number> };
  schedule: string;
  now?: () => Date;
}

async function depth(client: QueueClient): Promise<number | null> {
  try {
    return (await client.getProperties()).approximateMessagesCount ?? 0;
  } catch (e) {
    if (isNotFound(e)) return 0; // a queue not created yet holds nothing
    return null;
  }
}

/** Reads the facts (ledger, queues, outbox) and judges them. Storage that cannot be read at all throws. */
export async function gatherHealth(deps: HealthDeps): Promise<HealthReport> {
  const now = deps.now?.() ?? new Date();
  const since = new Date(now.getTime() - Math.max(LOOKBACK_MS, 3 * scheduleIntervalMs(deps.schedule, now)));
  const [sweeps, queues, outboxWaiting] = await Promise.all([
    deps.ledger.listSweeps(since).catch((e: unknown) => {
      if (isNotFound(e)) return []; // no sweep has ever run: the ledger table does not exist yet
      throw e;
    }),
    Promise.all(deps.queues.map(async (q) => ({ queue: q.client.name, messages: await depth(q.client), poison: q.poison }))),
    deps.outbox.countWaiting().catch((e: unknown) => (isNotFound(e) ? 0 : null)),
  ]);
  return judgeHealth({ now, schedule: deps.schedule, sweeps, queues, outboxWaiting });
}
