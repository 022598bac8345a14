// Platform notices: what the platform team (TBMON_ALERT_FALLBACK_TO and the Teams channel) hears about tbmon itself.
// Pure rules over what a sweep observes; shared/state/platform.ts stores the conditions and the notices, the sweep
// and evaluate write them, alert sends them (exactly once: deterministic ids, conditional inserts, ETag claims).
//
//   condition                 raised when                                                   cleared when
//   sweep                     the newest earlier sweep failed, or one stalled (batches not   a later sweep completed
//                             all evaluated past the deadline) and none completed since
//   subscription:<id>         a subscription tbmon read before could not be read in two      it is read again
//                             sweeps in a row (one throttled sweep is not news)
//   poison                    messages appear in a poison queue that were not there before   the poison queues are empty
//   new-checks                an upgrade added checks: one count per check of the known      (one-off: nothing to clear)
//                             hosts each fails (their first result is the baseline, not news)
import { createHash } from 'node:crypto';
import type { RunError } from './model';

/** What the rules read of a sweep (the sweep ledger's SweepRecord has these fields). */
export interface SweepFacts {
  sweepId: string;
  startedAt: string;
  state: 'discovering' | 'enqueued' | 'complete' | 'failed';
  batchCount: number | null;
  doneCount: number;
  hostCount: number | null;
  errors: RunError[];
}

export type PlatformCondition = 'sweep' | 'subscription' | 'poison' | 'new-checks';

export interface PlatformNotice {
  /** Deterministic (platformNoticeId): the same event observed again, by a redelivered message or a retried sweep, has the same id. */
  id: string;
  condition: PlatformCondition;
  /** `sweep`, `subscription:<id>`, `poison`, `new-checks`. */
  key: string;
  state: 'raised' | 'cleared';
  /** The sweep that observed it. */
  sweepId: string;
  observedAt: string;
  /** One line for people: what broke (or recovered). */
  title: string;
  /** Further lines: what to look at, how to fix it. */
  details: string[];
  /** new-checks only: check id → hosts evaluated with it for the first time, and how many of them fail it. */
  newChecks?: Record<string, { hosts: number; failing: number }>;
}

/** What tbmon keeps about a raised condition between sweeps. */
export interface RaisedCondition {
  key: string;
  /** What makes this episode one event (a sweep id, a message id). */
  anchor: string;
  raisedAt: string;
  title: string;
}

export function platformNoticeId(key: string, state: PlatformNotice['state'], anchor: string): string {
  return createHash('sha256').update(['platform', key.toLowerCase(), state, anchor].join('\n')).digest('hex').slice(0, 40);
}

function notice(key: string, condition: PlatformCondition, state: PlatformNotice['state'], anchor: string, at: { sweepId: string; observedAt: string }, title: string, details: string[]): PlatformNotice {
  return { id: platformNoticeId(key, state, anchor), condition, key, state, sweepId: at.sweepId, observedAt: at.observedAt, title, details };
}

export interface StepResult {
  notices: PlatformNotice[];
  /** Conditions raised after this step (those not named stay as they were). */
  raise: RaisedCondition[];
  /** Keys cleared by this step. */
  clear: string[];
}

const none = (): StepResult => ({ notices: [], raise: [], clear: [] });

/**
 * The sweep condition, judged when a sweep starts from the sweeps before it (newest first): failed, stalled (state
 * `enqueued`, started more than `stalledAfterMs` ago) and not followed by a completed sweep → raised; a completed
 * sweep newer than every failed or stalled one → cleared. A sweep still running within its deadline decides nothing.
 */
export function stepSweepCondition(
  earlier: readonly SweepFacts[],
  raised: RaisedCondition | null,
  at: { sweepId: string; observedAt: string; now: Date },
  stalledAfterMs: number,
  /** The sweep judging has read its scope: a failed sweep (one that could not) is over, without waiting for its batches. */
  currentDiscovered = false,
): StepResult {
  const sorted = [...earlier].sort((a, b) => b.sweepId.localeCompare(a.sweepId));
  const stalled = (s: SweepFacts) => s.state === 'enqueued' && at.now.getTime() - Date.parse(s.startedAt) > stalledAfterMs;
  const bad = sorted.find((s) => s.state === 'failed' || stalled(s) || s.state === 'complete');
  const out = none();
  if (!bad) return out;
  if (bad.state === 'failed' && raised && currentDiscovered) {
    out.clear.push('sweep');
    out.notices.push(notice('sweep', 'sweep', 'cleared', raised.anchor, at, `tbmon sweeps again: sweep ${at.sweepId} read its scope`, [`The problem reported at ${raised.raisedAt}: ${raised.title}`]));
    return out;
  }
  if (bad.state === 'complete') {
    if (raised) {
      out.clear.push('sweep');
      out.notices.push(notice('sweep', 'sweep', 'cleared', raised.anchor, at, `tbmon sweeps again: sweep ${bad.sweepId} completed (${bad.hostCount ?? 0} hosts)`, [`The problem reported at ${raised.raisedAt}: ${raised.title}`]));
    }
    return out;
  }
  if (raised?.anchor === bad.sweepId) return out;
  if (raised) return out; // one episode at a time: still broken, already told
  const first = bad.errors[0];
  const title = bad.state === 'failed'
    ? `tbmon's sweep ${bad.sweepId} failed${first ? `: ${first.scope}: ${first.message}` : ''}`
    : `tbmon's sweep ${bad.sweepId} stalled: ${bad.doneCount} of ${bad.batchCount ?? '?'} batches evaluated ${Math.round((at.now.getTime() - Date.parse(bad.startedAt)) / 60_000)} minutes after it started`;
  const details = bad.state === 'failed'
    ? ['No host was evaluated by that sweep. Look at the sweep function\'s log in Application Insights (operation_Name "sweep"), and at GET /api/health.',
      ...(bad.errors.length > 1 ? [`${bad.errors.length} errors in all; the first: ${first?.code}`] : [])]
    : ['Evaluate messages are not being processed: see the evaluate function\'s failures in Application Insights, GET /api/health for the queue depths, and tbmon poison list.'];
  out.raise.push({ key: 'sweep', anchor: bad.sweepId, raisedAt: at.observedAt, title });
  out.notices.push(notice('sweep', 'sweep', 'raised', bad.sweepId, at, title, details));
  return out;
}

export interface SubscriptionStreak {
  subscriptionId: string;
  /** Consecutive sweeps that could not read it. */
  streak: number;
  /** The sweep that began the streak. */
  since: string;
  raised: boolean;
}

/**
 * Subscriptions: a subscription in `readableBefore` (read successfully by an earlier sweep) that this sweep could not
 * read extends its streak; at two it is raised (once). A subscription read again clears its streak, with a notice
 * when it had been raised. `errors` gives the reason per subscription, for the notice.
 */
export function stepSubscriptions(
  streaks: ReadonlyMap<string, SubscriptionStreak>,
  readableBefore: ReadonlySet<string>,
  sweep: { read: readonly string[]; failed: readonly string[]; errors: ReadonlyMap<string, string> },
  at: { sweepId: string; observedAt: string },
): { result: StepResult; streaks: SubscriptionStreak[]; removed: string[] } {
  const result = none();
  const next: SubscriptionStreak[] = [];
  const removed: string[] = [];
  for (const id of sweep.failed) {
    const prev = streaks.get(id);
    if (!prev && !readableBefore.has(id)) continue; // never read: not a change of state
    const s: SubscriptionStreak = prev ? { ...prev, streak: prev.streak + 1 } : { subscriptionId: id, streak: 1, since: at.sweepId, raised: false };
    if (s.streak >= 2 && !s.raised) {
      s.raised = true;
      const key = `subscription:${id}`;
      const title = `tbmon cannot read subscription ${id} (${s.streak} sweeps in a row): its hosts are not evaluated`;
      result.raise.push({ key, anchor: s.since, raisedAt: at.observedAt, title });
      result.notices.push(notice(key, 'subscription', 'raised', s.since, at, title, [
        `Last error: ${sweep.errors.get(id) ?? 'unknown'}`,
        `Its hosts keep their last state and make no gone notices. Check that tbmon's identity still has Reader on it: az role assignment list --assignee <tbmon identity> --scope /subscriptions/${id}`,
      ]));
    }
    next.push(s);
  }
  for (const id of sweep.read) {
    const prev = streaks.get(id);
    if (!prev) continue;
    removed.push(id);
    if (prev.raised) {
      const key = `subscription:${id}`;
      result.clear.push(key);
      result.notices.push(notice(key, 'subscription', 'cleared', prev.since, at, `tbmon reads subscription ${id} again`, [`It could not be read from sweep ${prev.since} on.`]));
    }
  }
  return { result, streaks: next, removed };
}

/**
 * Poison queues: messages whose ids were not there at the last look are news (one notice naming how many); empty
 * queues clear a raised condition. `seen` is what the last look found.
 */
export function stepPoison(
  current: { queue: string; count: number; ids: readonly string[] }[],
  seen: ReadonlySet<string>,
  raised: RaisedCondition | null,
  at: { sweepId: string; observedAt: string },
): StepResult {
  const out = none();
  const total = current.reduce((n, q) => n + q.count, 0);
  if (total === 0) {
    if (raised) {
      out.clear.push('poison');
      out.notices.push(notice('poison', 'poison', 'cleared', raised.anchor, at, 'tbmon\'s poison queues are empty again', []));
    }
    return out;
  }
  const fresh = current.flatMap((q) => q.ids.filter((id) => !seen.has(id)).map((id) => ({ queue: q.queue, id })));
  if (fresh.length === 0) return out;
  const anchor = fresh.map((f) => f.id).sort()[0];
  const where = current.filter((q) => q.count > 0).map((q) => `${q.count} in ${q.queue}`).join(', ');
  const title = `${fresh.length} new message${fresh.length === 1 ? '' : 's'} in tbmon's poison queues (${where})`;
  out.raise.push({ key: 'poison', anchor, raisedAt: at.observedAt, title });
  out.notices.push(notice('poison', 'poison', 'raised', anchor, at, title, [
    'Work tbmon gave up on: an evaluate batch whose hosts were not judged, or a digest not sent. See why and put them back:',
    'tbmon poison list',
    'tbmon poison requeue <id>   (or: tbmon poison drop <id>)',
  ]));
  return out;
}

/** The counts one evaluate batch adds to the new-checks notice of its sweep (a notice per sweep and batch, summed when sent). */
export function newChecksNotice(counts: Record<string, { hosts: number; failing: number }>, at: { sweepId: string; observedAt: string; batchKey: string }): PlatformNotice | null {
  const ids = Object.keys(counts).sort();
  if (ids.length === 0) return null;
  const n = notice('new-checks', 'new-checks', 'raised', `${at.sweepId}/${at.batchKey}`, at, `tbmon has ${ids.length} new check${ids.length === 1 ? '' : 's'}`, []);
  return { ...n, newChecks: Object.fromEntries(ids.map((id) => [id, counts[id]])) };
}
