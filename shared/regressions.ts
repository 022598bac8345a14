// What counts as a regression (CHECKS.md § What counts as a regression): per check, the new status against the last
// known one (the newest pass/warn/fail — unknown and skipped leave it as it was). Pure: state and results in, next
// state and transitions out; evaluate stores the state and turns the transitions marked `send` into outbox notices.
import { createHash } from 'node:crypto';
import type { Settings } from './config';
import { type CheckResult, type CheckStatus, type Host, canonicalId } from './model';
import type { Notice, NoticeKind } from './notices';

export type KnownStatus = 'pass' | 'warn' | 'fail';

/** What tbmon remembers about one check of one host between sweeps. */
export interface CheckState {
  /** Newest pass/warn/fail seen; null until the check has produced one (first sight). */
  lastKnown: KnownStatus | null;
  /** Consecutive sweeps that ended `unknown` (skipped sweeps neither extend nor break it: nothing was observed). */
  unknownStreak: number;
  /** The sweep that first saw `lastKnown`. */
  since: string | null;
  /** The sweep that began the current unknown streak. */
  unknownSince: string | null;
  /**
   * Whether the check has failed on this host before (true once a sweep saw it fail): a later regression to fail is
   * then "back again", not new. Absent in states stored before tbmon remembered it: neither is claimed then.
   */
  failedBefore?: boolean;
}

/** Per check id. */
export type HostCheckStates = Record<string, CheckState>;

export type TransitionKind = 'regression' | 'recovery' | 'improvement' | 'data-gap';

export interface Transition {
  kind: TransitionKind;
  checkId: string;
  /** Last known status before this sweep (null on first sight). */
  from: KnownStatus | null;
  to: CheckStatus;
  /** Whether the table says to notify: regressions per TBMON_ALERT_MIN_STATUS / TBMON_ALERT_ON_FIRST_SIGHT, recoveries
   *  and data gaps always — and never for a suppressed check or an improvement. */
  send: boolean;
  /**
   * What makes this transition one event, whichever sweep observes it: the sweep that first saw the status it leaves
   * (`first` on first sight), or for a data gap the sweep that began the unknown streak. A sweep that repeats the
   * observation of an earlier sweep whose state was never stored (it crashed after writing its notices) computes the
   * same anchor, so the same notice id.
   */
  anchor: string;
  /**
   * The check is new to a host tbmon already knew (a check added by an upgrade): its first result is the baseline,
   * not news — unsent unless TBMON_ALERT_NEW_CHECKS. The platform team hears of it once, as a count per check.
   */
  introduced?: true;
  /** For a regression to fail: `new` (its first failure on this host) or `again` (failing after a recovery); absent
   *  when the stored state predates this memory, so neither can be said truthfully. */
  repeat?: 'new' | 'again';
}

export type RegressionSettings = Pick<Settings, 'alertMinStatus' | 'alertOnFirstSight' | 'dataGapSweeps' | 'alertNewChecks'>;

/**
 * One check's step, row by row of the CHECKS.md table:
 *   none → fail                 regression ("new"), sent when alertOnFirstSight
 *   none → warn                 regression ("new") of warn level, sent when alertOnFirstSight and alertMinStatus=warn
 *   pass/warn → fail            regression, sent
 *   pass → warn                 regression of warn level, sent only when alertMinStatus=warn
 *   fail → pass                 recovery, sent
 *   fail → warn, warn → pass    improvement, recorded, not sent
 *   any → unknown               nothing; the TBMON_DATA_GAP_SWEEPS-th consecutive unknown gives one data-gap notice
 *   any → skipped               nothing; the last known status stays for when it runs again
 *   partial, better than known  a data gap, as unknown: no improvement, no recovery (CHECKS.md § Partial evidence)
 *   suppressed                  recorded (the transition is returned, unsent), never sent; the state keeps what it
 *                               was before the suppression, so an expired suppression of a still-failing check alerts
 */
export function stepCheck(prev: CheckState | undefined, result: Pick<CheckResult, 'status' | 'suppressed' | 'partial'>, settings: RegressionSettings, sweepId: string): {
  state: CheckState;
  transition: Omit<Transition, 'checkId'> | null;
} {
  const none: CheckState = { lastKnown: null, unknownStreak: 0, since: null, unknownSince: null, failedBefore: false };
  if (result.suppressed) {
    // Recorded (the report and history keep the real status; the transition is returned, unsent) but not learned:
    // the state stays as it was before the suppression, so when it ends a check still failing is a regression then.
    const { transition } = stepCheck(prev, { status: result.status, partial: result.partial }, settings, sweepId);
    return { state: prev ?? none, transition: transition && { ...transition, send: false } };
  }
  const from = prev?.lastKnown ?? null;
  const since = prev?.since ?? null;
  const streak = prev?.unknownStreak ?? 0;
  // A partial verdict better than the last known one is a data gap (CHECKS.md § Partial evidence): the source it
  // could not read may still show the old status, so it is no improvement and no recovery — and when the full
  // evidence returns with the old status, nothing is told twice.
  const to: CheckStatus = result.partial && from !== null && isBetter(result.status, from) ? 'unknown' : result.status;

  if (to === 'skipped') return { state: prev ?? none, transition: null };
  if (to === 'unknown') {
    const unknownStreak = streak + 1;
    const unknownSince = streak === 0 ? sweepId : (prev?.unknownSince ?? sweepId);
    const state: CheckState = { lastKnown: from, unknownStreak, since, unknownSince, ...memory(prev) };
    const gap = unknownStreak === settings.dataGapSweeps;
    return { state, transition: gap ? { kind: 'data-gap', from, to, send: true, anchor: unknownSince } : null };
  }

  const before = prev === undefined ? false : memory(prev).failedBefore;
  const state: CheckState = {
    lastKnown: to, unknownStreak: 0, since: to === from ? since ?? sweepId : sweepId, unknownSince: null,
    ...(to === 'fail' ? { failedBefore: true } : before === undefined ? {} : { failedBefore: before }),
  };
  const repeat: Pick<Transition, 'repeat'> = to !== 'fail' ? {} : from === null || before === false ? { repeat: 'new' } : before ? { repeat: 'again' } : {};
  const anchor = from === null ? 'first' : since ?? sweepId;
  let transition: Omit<Transition, 'checkId'> | null = null;
  const warnSent = settings.alertMinStatus === 'warn';
  if (from === null) {
    if (to === 'fail') transition = { kind: 'regression', from, to, send: settings.alertOnFirstSight, anchor, ...repeat };
    else if (to === 'warn') transition = { kind: 'regression', from, to, send: settings.alertOnFirstSight && warnSent, anchor };
  } else if (to === 'fail' && from !== 'fail') {
    transition = { kind: 'regression', from, to, send: true, anchor, ...repeat };
  } else if (to === 'warn' && from === 'pass') {
    transition = { kind: 'regression', from, to, send: warnSent, anchor };
  } else if (to === 'pass' && from === 'fail') {
    transition = { kind: 'recovery', from, to, send: true, anchor };
  } else if ((from === 'fail' && to === 'warn') || (from === 'warn' && to === 'pass')) {
    transition = { kind: 'improvement', from, to, send: false, anchor };
  }
  return { state, transition };
}

const KNOWN_RANK: Record<KnownStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** Whether `status` is healthier than the last known one (unknown and skipped are neither). */
function isBetter(status: CheckStatus, than: KnownStatus): boolean {
  return (status === 'pass' || status === 'warn' || status === 'fail') && KNOWN_RANK[status] < KNOWN_RANK[than];
}

/** What a state remembers of earlier failures: `failedBefore` as stored (states from older versions lack it), and
 *  true when its last known status is fail. */
function memory(prev: CheckState | undefined): { failedBefore?: boolean } {
  if (!prev) return { failedBefore: false };
  if (prev.failedBefore === true || prev.lastKnown === 'fail') return { failedBefore: true };
  return prev.failedBefore === false ? { failedBefore: false } : {};
}

/**
 * A host's checks against its stored states. States of checks absent from this report (a check that no longer
 * exists, a partial report) are carried over unchanged. A check with no state on a host that has states (every check
 * it was evaluated with has one, skipped included) is new to that host — a check an upgrade added: its first-sight
 * transition is marked `introduced` and unsent unless `alertNewChecks`. A host seen for the first time has no states:
 * its first sight follows TBMON_ALERT_ON_FIRST_SIGHT as before.
 */
export function compareHost(prev: HostCheckStates | undefined, checks: readonly CheckResult[], settings: RegressionSettings, sweepId: string): {
  states: HostCheckStates;
  transitions: Transition[];
  /** Checks new to this (known) host, whatever their result: the platform team's count per new check. */
  introduced: CheckResult[];
} {
  const states: HostCheckStates = { ...(prev ?? {}) };
  const transitions: Transition[] = [];
  const introduced: CheckResult[] = [];
  const knownHost = prev !== undefined && Object.keys(prev).length > 0;
  for (const c of checks) {
    const { state, transition } = stepCheck(prev?.[c.id], c, settings, sweepId);
    states[c.id] = state;
    const isNew = knownHost && prev[c.id] === undefined;
    if (isNew) introduced.push(c);
    if (!transition) continue;
    if (isNew) {
      transitions.push({ checkId: c.id, ...transition, introduced: true, send: transition.send && settings.alertNewChecks });
    } else transitions.push({ checkId: c.id, ...transition });
  }
  return { states, transitions, introduced };
}

/**
 * Deterministic notice id: the same transition of the same host and check from the same anchor (Transition.anchor;
 * for `gone`, the sweep that last saw the host) always gets the same id — so a replayed or retried evaluate, even one
 * that runs after the next sweep, inserts rows that already exist and nothing goes out twice.
 */
export function noticeId(parts: { hostId: string; checkId?: string; kind: NoticeKind; from?: string | null; to?: string; sweepId: string }): string {
  const key = [canonicalId(parts.hostId), parts.checkId ?? '', parts.kind, parts.from ?? 'none', parts.to ?? '', parts.sweepId].join('\n');
  return createHash('sha256').update(key).digest('hex').slice(0, 40);
}

/** The notices a host's transitions produce: only those the table says to send (improvements never do). */
export function noticesFor(host: Host, transitions: readonly Transition[], checks: readonly CheckResult[], sweepId: string, observedAt: string): Notice[] {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const out: Notice[] = [];
  for (const t of transitions) {
    if (!t.send || t.kind === 'improvement') continue;
    const kind: NoticeKind = t.kind;
    out.push({
      id: noticeId({ hostId: host.id, checkId: t.checkId, kind, from: t.from, to: t.to, sweepId: t.anchor }),
      kind, sweepId, host, checkId: t.checkId, from: t.from, to: t.to, check: byId.get(t.checkId), observedAt,
      ...(t.repeat ? { repeat: t.repeat } : {}),
    });
  }
  return out;
}
