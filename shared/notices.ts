// What evaluate (and the sweep, for gone hosts) hands to alert through the outbox table (DESIGN.md, CHECKS.md
// § What counts as a regression). One notice per (recipient or channel, transition); its id is deterministic so a
// queue message delivered twice writes nothing twice.
import type { CheckResult, CheckStatus, Host } from './model';

export type NoticeKind = 'regression' | 'recovery' | 'data-gap' | 'gone';

export interface Notice {
  /** Deterministic: the same transition of the same host/check always gets the same id (see noticeId). */
  id: string;
  kind: NoticeKind;
  sweepId: string;
  host: Host;
  /** Absent for `gone`. */
  checkId?: string;
  /** Last known status before the transition (null on first sight). */
  from?: CheckStatus | null;
  to?: CheckStatus;
  /** The check result that triggered it (evidence, remediation) — absent for `gone`. */
  check?: CheckResult;
  /** ISO time the transition was observed: for a regression, the first sweep of the current failing run. */
  observedAt: string;
  /** A regression to fail: its first failure on this host (`new`) or failing after a recovery (`again`); absent when
   *  tbmon cannot tell (state stored before it remembered). */
  repeat?: 'new' | 'again';
}

/**
 * Outbox table `tbmonoutbox` row (owned by shared/state/outbox.ts):
 *   PartitionKey = recipient: a lower-cased email address, or `teams:<channel>` for the Teams webhook (`teams:default`),
 *                  with / \ # ? % and control characters percent-encoded (Table keys forbid them; outbox.ts recipientKey)
 *   RowKey       = notice id
 *   notice       = JSON of Notice (compressed if large)
 *   state        = 'pending' | 'sending' | 'sent'  (rows written before 'sending' existed may say 'claimed')
 *   claimedBy, claimedAt, sentAt, attempts, attemptId (the send attempt; email: its ACS Operation-Id), maybeSent, resent
 * Rows are created with conditional inserts (409 = already there = fine); alert claims a row with an ETag-conditional
 * update before sending and marks it sent after.
 */
export const OUTBOX_TABLE = 'tbmonoutbox';
export const TEAMS_RECIPIENT = 'teams:default';
