// The alert use-case (issue 8): take every pending outbox row, one digest per recipient, send it, mark it sent.
//
// Exactly once: a row is claimed — `sending`, with the attempt's id — by an ETag-conditional update before anything
// is sent and marked sent after, so two alert runs (a queue message delivered twice, two instances) never send the
// same row. A crash between the send and the mark leaves the row `sending`; when its lease runs out it is
// interrupted: for email, ACS is asked about the attempt (GET /emails/operations/{Operation-Id}) and only what it
// never saw is sent again; a Teams card (no idempotency key) goes out once more with a visible "(resent after an
// interruption)" line, and never a third time. A send that failed before reaching the service is retried silently.
//
// Email and Teams run side by side and fail independently: whatever failed is released to pending and joins the
// next digest. Pacing (ACS's per-minute and per-hour limits) holds recipients back the same way.
import { alertMetricPoints, type MetricsSink } from '../metrics';
import { randomUUID } from 'node:crypto';
import { mapLimited } from '../limit';
import { TEAMS_RECIPIENT, type Notice } from '../notices';
import { isInterrupted, type ClaimManyResult, type ClaimOptions, type MarkSentManyResult, type OutboxRow } from '../state/outbox';
import { buildDigest, type Digest } from './digest';
import { EmailSendError, renderEmail, type EmailOperationState, type RenderedEmail, type RenderOptions, type SentEmail } from './email';
import type { NotifyLog } from './recipients';
import { defaultSleep, SendPacer, type PacingLimits, type PacingStore } from './pacing';
import { renderTeamsCard, TeamsSendError, type CardOptions, type TeamsEnvelope } from './teams';

/** The outbox operations alert needs (shared/state/outbox.ts Outbox implements them). */
export interface AlertOutbox {
  listPending(partition?: string): Promise<OutboxRow[]>;
  /** Claims one recipient's rows all or none, `sending` with the attempt's id (see Outbox.claimMany). */
  claimMany(rows: readonly OutboxRow[], claimant?: string, options?: ClaimOptions): Promise<ClaimManyResult>;
  /** Marks one recipient's claimed rows sent. */
  markSentMany(rows: readonly OutboxRow[]): Promise<MarkSentManyResult>;
  release(row: OutboxRow, reason?: string, maybeSent?: boolean): Promise<void>;
}

export interface EmailChannel {
  send(to: string, rendered: RenderedEmail, operationId: string): Promise<SentEmail>;
  /** What ACS knows of an earlier attempt (its Operation-Id): asked before resending interrupted rows. Without it,
   *  interrupted rows are sent again (ACS's Operation-Id is then the only guard). */
  lookup?(operationId: string): Promise<EmailOperationState>;
}

export interface TeamsChannel {
  /** Webhook per outbox partition (`teams:default` → TEAMS_WEBHOOK_URL); null when that channel has none. */
  hasChannel(partition: string): boolean;
  post(partition: string, envelope: TeamsEnvelope): Promise<{ status: number; attempts: number }>;
}

export interface AlertDeps {
  outbox: AlertOutbox;
  /** null when ACS is not configured: email rows stay pending. */
  email: EmailChannel | null;
  teams: TeamsChannel | null;
  pacing: { limits: PacingLimits; store: PacingStore; /** Longest wait for a free slot before holding a recipient back. */ maxWaitMs?: number };
  render?: RenderOptions & CardOptions;
  log?: NotifyLog;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Identifies this run in the claims it makes. */
  claimant?: string;
  /** Consecutive email failures after which the rest of this run's recipients are left for the next run. */
  maxConsecutiveEmailFailures?: number;
  /** Where the run's metrics go (Application Insights); none: not exported. */
  metrics?: MetricsSink;
}

export interface ChannelResult {
  /** Digests sent (emails, or cards). */
  sent: number;
  /** Digests whose send failed: their rows are pending again. */
  failed: number;
  /** Recipients held back by pacing or by an earlier failure: untouched, pending. */
  heldBack: number;
  /** Rows marked sent. */
  rowsSent: number;
  /** Digests the service refused for good (an address ACS will never take): logged, and their rows closed. */
  undeliverable: number;
  /** Interrupted rows (a crash while sending, or a send that may have been delivered) found already sent: ACS knew the operation. */
  confirmed: number;
  /** Digests that resent interrupted rows (email: ACS never saw them; Teams: once, labelled). */
  resent: number;
  /** Interrupted rows closed without a send: a Teams card already resent once after an interruption. */
  notResent: number;
}

export interface AlertResult {
  sweepId: string;
  email: ChannelResult;
  teams: ChannelResult;
  /** What went wrong, in words a person can act on (no secrets). */
  errors: string[];
}

const emptyChannel = (): ChannelResult => ({ sent: 0, failed: 0, heldBack: 0, rowsSent: 0, undeliverable: 0, confirmed: 0, resent: 0, notResent: 0 });

export async function runAlerts(sweepId: string, given: AlertDeps): Promise<AlertResult> {
  const deps: AlertDeps = { ...given, claimant: given.claimant ?? randomUUID() };
  const log = deps.log ?? (() => {});
  const result: AlertResult = { sweepId, email: emptyChannel(), teams: emptyChannel(), errors: [] };
  const rows = await deps.outbox.listPending();
  const byRecipient = new Map<string, OutboxRow[]>();
  for (const r of rows) {
    const list = byRecipient.get(r.recipient);
    if (list) list.push(r);
    else byRecipient.set(r.recipient, [r]);
  }
  const emailGroups = [...byRecipient].filter(([k]) => !k.startsWith('teams:'));
  const teamsGroups = [...byRecipient].filter(([k]) => k.startsWith('teams:'));

  await Promise.all([
    sendEmails(sweepId, emailGroups, deps, result, log).catch((e) => fail(result, log, `email: ${errorText(e)}`)),
    sendCards(sweepId, teamsGroups, deps, result, log).catch((e) => fail(result, log, `teams: ${errorText(e)}`)),
  ]);
  log(`tbmon alert ${sweepId}: email sent ${result.email.sent}, failed ${result.email.failed}, held back ${result.email.heldBack}; ` +
    `teams sent ${result.teams.sent}, failed ${result.teams.failed}`);
  await deps.metrics?.export(alertMetricPoints(result), log);
  return result;
}

async function sendEmails(sweepId: string, groups: [string, OutboxRow[]][], deps: AlertDeps, result: AlertResult, log: NotifyLog): Promise<void> {
  if (!groups.length) return;
  if (!deps.email) {
    result.email.heldBack = groups.length;
    log(`tbmon alert: ${groups.length} recipient(s) have pending email notices but ACS is not configured (ACS_ENDPOINT or ACS_CONNECTION_STRING, and TBMON_ALERT_EMAIL_FROM)`);
    return;
  }
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const maxWait = deps.pacing.maxWaitMs ?? 60_000;
  const maxFailures = deps.maxConsecutiveEmailFailures ?? 3;
  const pacer = new SendPacer(deps.pacing.limits, await deps.pacing.store.load());
  // Worst news first, so that what pacing holds back is the least urgent.
  const ordered = groups.map(([to, rs]) => ({ to, rows: rs, rank: urgency(rs.map((r) => r.notice)) })).sort((a, b) => a.rank - b.rank || a.to.localeCompare(b.to));
  let consecutiveFailures = 0;
  try {
    for (const { to, rows } of ordered) {
      if (consecutiveFailures >= maxFailures) {
        result.email.heldBack++;
        continue;
      }
      const wait = pacer.waitMs(now());
      if (wait > maxWait) {
        result.email.heldBack++;
        continue;
      }
      if (wait > 0) await sleep(wait);
      // Rows an earlier attempt may have sent: ask ACS about that attempt first (its id is the Operation-Id). What ACS
      // has is marked sent without a second email; what it never saw (or failed) goes out in this digest.
      let confirmed: Set<OutboxRow>;
      try {
        confirmed = await confirmedByAcs(deps.email, rows);
      } catch (e) {
        consecutiveFailures++;
        result.email.heldBack++;
        fail(result, log, `email to ${maskAddress(to)}: could not ask ACS whether an interrupted send went out, left for the next run: ${errorText(e)}`);
        continue;
      }
      const toSend = rows.filter((r) => !confirmed.has(r));
      const digest = buildDigest(to, sweepId, toSend.map((r) => r.notice));
      const interrupted = toSend.filter(isInterrupted);
      const won = await claimAll(deps, rows, log, { attemptId: digest.id, resend: interrupted.length > 0 });
      if (!won.length) continue; // another run has them
      if (confirmed.size) {
        result.email.confirmed += await markAllSent(deps, won.filter((r) => confirmed.has(r)), log);
        log(`tbmon alert: ${confirmed.size} interrupted notice(s) to ${maskAddress(to)} had reached ACS: marked sent, not sent again`);
      }
      const sending = won.filter((r) => !confirmed.has(r));
      if (!sending.length) continue;
      if (interrupted.length) result.email.resent++;
      let sent: SentEmail;
      try {
        sent = await deps.email.send(to, renderEmail(digest, deps.render), digest.id);
      } catch (e) {
        pacer.record(now()); // ACS counts rejected attempts too
        if (isPermanentRefusal(e)) {
          // Retrying would be refused the same way every sweep, and each try counts against the limits.
          result.email.undeliverable++;
          fail(result, log, `email to ${maskAddress(to)} refused for good, ${sending.length} notice(s) dropped: ${errorText(e)}`);
          await markAllSent(deps, sending, log);
          continue;
        }
        if (e instanceof EmailSendError && e.statusCode === 429) pacer.block(now() + (e.retryAfterMs ?? 60_000));
        consecutiveFailures++;
        result.email.failed++;
        const why = errorText(e);
        fail(result, log, `email to ${maskAddress(to)} (${sending.length} notice(s)) not sent, left for the next run: ${why}`);
        // No answer from ACS (a timeout, a dropped connection): it may have the message — the next run asks it.
        await releaseAll(deps, sending, why, log, !(e instanceof EmailSendError && e.statusCode !== null));
        continue;
      }
      pacer.record(now());
      consecutiveFailures = 0;
      result.email.sent++;
      result.email.rowsSent += await markAllSent(deps, sending, log);
      if (sent.status !== 'Succeeded') log(`tbmon alert: email ${sent.operationId} to ${maskAddress(to)} accepted by ACS, status ${sent.status}`);
    }
  } finally {
    await deps.pacing.store.save(pacer.history(now()));
  }
}

async function sendCards(sweepId: string, groups: [string, OutboxRow[]][], deps: AlertDeps, result: AlertResult, log: NotifyLog): Promise<void> {
  for (const [partition, rows] of groups) {
    if (!deps.teams || !deps.teams.hasChannel(partition)) {
      result.teams.heldBack++;
      log(`tbmon alert: ${rows.length} Teams notice(s) for ${partition} are pending but no webhook is configured for it${partition === TEAMS_RECIPIENT ? ' (TEAMS_WEBHOOK_URL)' : ''}`);
      continue;
    }
    // A card that may have been posted (its sender died while sending, or the webhook went silent after taking the
    // request) goes out once more, saying so; rows that were resent like that once already are closed, not resent.
    // Teams has no idempotency key, so this is the one repeat the design allows — and it is labelled.
    const interrupted = rows.filter(isInterrupted);
    const spent = new Set(interrupted.filter((r) => r.resent));
    const resend = interrupted.some((r) => !r.resent);
    const won = await claimAll(deps, rows, log, { resend });
    if (!won.length) continue;
    if (spent.size) {
      result.teams.notResent += await markAllSent(deps, won.filter((r) => spent.has(r)), log);
      fail(result, log, `Teams card for ${partition}: ${spent.size} notice(s) were interrupted again after one resend; closed without a third card`);
    }
    const sending = won.filter((r) => !spent.has(r));
    if (!sending.length) continue;
    const digest: Digest = buildDigest(partition, sweepId, sending.map((r) => r.notice));
    const card = renderTeamsCard(digest, { ...deps.render, resent: resend });
    if (resend) result.teams.resent++;
    try {
      await deps.teams.post(partition, card.envelope);
    } catch (e) {
      result.teams.failed++;
      const why = errorText(e);
      fail(result, log, `Teams card for ${partition} (${sending.length} notice(s)) not sent, left for the next run: ${why}`);
      // Refused before it reached the webhook: a plain retry next run. Maybe posted: the next one is labelled.
      const maybe = e instanceof TeamsSendError && e.maybeDelivered;
      await mapLimited(sending, ROW_CONCURRENCY, async (r) => {
        try {
          await deps.outbox.release(r, why.slice(0, 500), maybe || interrupted.includes(r));
        } catch (err) {
          log(`tbmon alert: could not release ${r.recipient}/${r.id} (its lease will): ${errorText(err)}`);
        }
      });
      continue;
    }
    result.teams.sent++;
    result.teams.rowsSent += await markAllSent(deps, sending, log);
    if (card.omittedHosts) log(`tbmon alert: Teams card for ${partition} lists ${card.shownHosts} of ${digest.hosts.length} hosts (${card.bytes} bytes)`);
  }
}

/** Table round trips in flight at once per recipient when releasing rows. */
const ROW_CONCURRENCY = 16;

/**
 * Claims a recipient's rows as one (the outbox's claimMany: two runs racing meet on the first rows, so one takes
 * them all and the other none). If a later row is lost anyway (written while the other run was listing), what was
 * won is released for the next digest: never two emails per run.
 */
async function claimAll(deps: AlertDeps, rows: OutboxRow[], log: NotifyLog, options: ClaimOptions = {}): Promise<OutboxRow[]> {
  const { all, won } = await deps.outbox.claimMany(rows, deps.claimant, options);
  if (all) return won;
  if (won.length) await releaseAll(deps, won, 'another alert run holds this recipient', log);
  return [];
}

async function markAllSent(deps: AlertDeps, rows: OutboxRow[], log: NotifyLog): Promise<number> {
  const { sent, failures } = await deps.outbox.markSentMany(rows);
  // The lease ran out and another run took the row: it may go out once more (the documented worst case).
  for (const f of failures) log(`tbmon alert: could not mark ${maskAddress(f.row.recipient)}/${f.row.id} sent: ${errorText(f.error)}`);
  return sent;
}

async function releaseAll(deps: AlertDeps, rows: OutboxRow[], reason: string, log: NotifyLog, maybeSent = false): Promise<void> {
  await mapLimited(rows, ROW_CONCURRENCY, async (r) => {
    try {
      await deps.outbox.release(r, reason.slice(0, 500), maybeSent || r.maybeSent);
    } catch (e) {
      log(`tbmon alert: could not release ${maskAddress(r.recipient)}/${r.id} (its lease will): ${errorText(e)}`);
    }
  });
}


/**
 * The interrupted rows of a recipient that ACS already has: one lookup per earlier attempt (its Operation-Id). A row
 * whose attempt ACS never saw, or failed, is not in the set: it is sent again.
 */
async function confirmedByAcs(email: EmailChannel, rows: OutboxRow[]): Promise<Set<OutboxRow>> {
  const out = new Set<OutboxRow>();
  if (!email.lookup) return out;
  const byAttempt = new Map<string, OutboxRow[]>();
  for (const r of rows) {
    if (!isInterrupted(r) || !r.attemptId) continue;
    byAttempt.set(r.attemptId, [...(byAttempt.get(r.attemptId) ?? []), r]);
  }
  for (const [attemptId, list] of byAttempt) {
    if ((await email.lookup(attemptId)) === 'accepted') for (const r of list) out.add(r);
  }
  return out;
}

/** A 4xx that says the message itself can never be sent (bad address, bad request) — not auth, throttling or timeouts. */
function isPermanentRefusal(e: unknown): boolean {
  if (!(e instanceof EmailSendError) || e.statusCode === null) return false;
  return e.statusCode >= 400 && e.statusCode < 500 && ![401, 403, 408, 429].includes(e.statusCode);
}

/** Lower is more urgent: a regression to fail, to warn, a data gap, a recovery, a gone host. */
function urgency(notices: Notice[]): number {
  let best = 4;
  for (const n of notices) {
    const r = n.kind === 'regression' ? (n.to === 'fail' ? 0 : 1) : n.kind === 'data-gap' ? 2 : n.kind === 'recovery' ? 3 : 4;
    best = Math.min(best, r);
  }
  return best;
}

function fail(result: AlertResult, log: NotifyLog, message: string): void {
  result.errors.push(message);
  log(`tbmon alert: ${message}`);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `jane.doe@contoso.com` → `j***@contoso.com`: enough to tell recipients apart in logs without listing people. */
export function maskAddress(a: string): string {
  if (a.startsWith('teams:')) return a;
  const at = a.indexOf('@');
  return at > 0 ? `${a[0]}***${a.slice(at)}` : '***';
}
