// The outbox between evaluate (and the sweep, for gone hosts) and alert: one row per (recipient, notice) in table
// `tbmonoutbox` (contract in shared/notices.ts). Writers insert with create-only semantics, so a queue message
// delivered twice, or an evaluate killed and retried, records nothing twice; the alert function claims rows with
// ETag-conditional updates, so two alert runs never send the same row.
//
// Row lifecycle:  pending ──claim()──> sending ──markSent()──> sent
//                                         └──release()──> pending   (send failed or paced: retry in a later digest)
// `sending` carries the attempt's id (for email, the ACS Operation-Id) and is written before the call; a row whose
// sender died in it is listed again once its lease (default 10 minutes) has passed — *interrupted*: it may have gone
// out. So may a row released after a send that may have been delivered (a timeout after connecting): `maybeSent`.
// Alert then asks ACS about the attempt before resending an email, and resends a Teams card at most once, saying so.
// Rows written as `claimed` (before `sending` existed) read as `sending`.
// claimMany/markSentMany do the same for a recipient's rows in Table transactions (one partition, ≤ 100 rows each):
// the ETag conditions hold per row, and one row changed by someone else fails its whole transaction.
import { randomUUID } from 'node:crypto';
import { odata, type TableClient, type TableEntity } from '@azure/data-tables';
import { mapLimited } from '../limit';
import type { Notice } from '../notices';
import { statusOf } from '../storage';
import { packJson, PackTooLargeError, unpackJson } from './packing';

export type OutboxState = 'pending' | 'sending' | 'sent';

/** One outbox row as read back. `etag` changes on every write: claim/markSent/release update it in place. */
export interface OutboxRow {
  /** Lower-cased email address, or `teams:<channel>` (the PartitionKey is recipientKey of it). */
  recipient: string;
  /** RowKey: the notice id. */
  id: string;
  notice: Notice;
  state: OutboxState;
  /** How many times the row was claimed (a row released after a failed send is claimed again). */
  attempts: number;
  claimedBy: string | null;
  /** ISO time of the last claim. */
  claimedAt: string | null;
  sentAt: string | null;
  /** Why the row was last released (e.g. the send error), for people reading the table. */
  lastError: string | null;
  /** The send attempt the row was last part of (email: the ACS Operation-Id), kept after a release. */
  attemptId: string | null;
  /** The last attempt may have been delivered (released after a timeout once connected). */
  maybeSent: boolean;
  /** The row already went out once more after an interruption: it is never resent again. */
  resent: boolean;
  etag: string;
}

/** What claim/claimMany write beside `sending`. */
export interface ClaimOptions {
  /** The attempt's id (email: the ACS Operation-Id); a new UUID when absent. */
  attemptId?: string;
  /** This attempt resends rows after an interruption (they are marked `resent`, never resent again). */
  resend?: boolean;
}

/**
 * Whether a listed row's last attempt may have gone out: its sender died while `sending` (the lease ran out), or it
 * was released after a send that may have been delivered.
 */
export function isInterrupted(row: Pick<OutboxRow, 'state' | 'maybeSent'>): boolean {
  return row.state === 'sending' || row.maybeSent;
}

export interface WriteNoticesResult {
  /** Rows inserted by this call. */
  created: number;
  /** Rows that were already there (an earlier delivery of the same message wrote them): left untouched. */
  existing: number;
  /** Notices that had no recipient at all (no owner, no fallback, no Teams): nobody can be told. */
  unaddressed: Notice[];
}

export interface ClaimManyResult {
  /** True when every row was claimed. */
  all: boolean;
  /** The rows this call claimed (updated in place); when not `all`, the caller releases them. */
  won: OutboxRow[];
}

export interface MarkSentManyResult {
  /** Rows marked sent. */
  sent: number;
  /** Rows that could not be marked (LostClaimError: the lease ran out and another run took them). */
  failures: { row: OutboxRow; error: Error }[];
}

export interface OutboxOptions {
  /** How long a claim holds before another alert run may take the row over (ms). */
  leaseMs?: number;
  /** Clock, for tests. */
  now?: () => Date;
  /** Parallel inserts per writeNotices call. */
  concurrency?: number;
}

const DEFAULT_LEASE_MS = 10 * 60_000;
/** A Table transaction holds at most 100 operations, all on one partition (here: one recipient). */
const MAX_TRANSACTION_ROWS = 100;

export class Outbox {
  private readonly leaseMs: number;
  private readonly now: () => Date;
  private readonly concurrency: number;

  constructor(readonly table: TableClient, options: OutboxOptions = {}) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.now = options.now ?? (() => new Date());
    this.concurrency = options.concurrency ?? 16;
  }

  /** Creates the table when missing (idempotent). */
  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  /**
   * Records each notice once per recipient with a create-only insert: a row that already exists (409) is left as it
   * is — whether pending, claimed or already sent — so replays never re-notify.
   */
  async writeNotices(notices: readonly Notice[], recipients: (notice: Notice) => string[]): Promise<WriteNoticesResult> {
    const rows: TableEntity[] = [];
    const unaddressed: Notice[] = [];
    for (const n of notices) {
      const to = recipients(n);
      if (to.length === 0) unaddressed.push(n);
      const packed = packNotice(n);
      for (const r of to) {
        rows.push({
          partitionKey: recipientKey(r), rowKey: n.id, state: 'pending', kind: n.kind, sweepId: n.sweepId, hostId: n.host.id,
          checkId: n.checkId ?? '', observedAt: n.observedAt, attempts: 0, ...packed,
        });
      }
    }
    let created = 0;
    let existing = 0;
    await mapLimited(rows, this.concurrency, async (row) => {
      try {
        await this.table.createEntity(row);
        created++;
      } catch (e) {
        if (statusOf(e) !== 409) throw e;
        existing++;
      }
    });
    return { created, existing, unaddressed };
  }

  /**
   * Rows waiting to be sent — state `pending`, or `claimed` with an expired lease — optionally of one recipient,
   * oldest observation first. Includes rows of earlier sweeps that pacing held back, so they join the next digest.
   */
  async listPending(partition?: string): Promise<OutboxRow[]> {
    const leaseExpiry = new Date(this.now().getTime() - this.leaseMs).toISOString();
    const waiting = odata`(state eq 'pending' or ((state eq 'sending' or state eq 'claimed') and claimedAt lt ${leaseExpiry}))`;
    const filter = partition === undefined ? waiting : `PartitionKey eq ${quote(recipientKey(partition))} and ${waiting}`;
    const out: OutboxRow[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) out.push(toRow(e));
    return out.sort((a, b) => a.notice.observedAt.localeCompare(b.notice.observedAt) || a.id.localeCompare(b.id));
  }

  /** How many rows are not sent yet (pending, claimed or held back by pacing), for the health probe; keys only. */
  async countWaiting(): Promise<number> {
    let n = 0;
    const pages = this.table.listEntities({ queryOptions: { filter: odata`state ne 'sent'`, select: ['PartitionKey'] } }).byPage({ maxPageSize: 1000 });
    for await (const page of pages) n += page.length;
    return n;
  }

  /**
   * Takes the row for sending: an ETag-conditional update to `claimed`. Returns false when someone else changed it
   * first (claimed, sent or released it since it was read) or it is gone — then leave it alone. On success the row's
   * state, claim fields and etag are updated in place, ready for markSent/release.
   */
  async claim(row: OutboxRow, claimant: string = randomUUID(), options: ClaimOptions = {}): Promise<boolean> {
    const claimedAt = this.now().toISOString();
    const change = { state: 'sending' as const, claimedBy: claimant, claimedAt, attempts: row.attempts + 1, attemptId: options.attemptId ?? randomUUID(), resent: row.resent || !!options.resend };
    try {
      const res = await this.table.updateEntity({ partitionKey: recipientKey(row.recipient), rowKey: row.id, ...change }, 'Merge', { etag: row.etag });
      Object.assign(row, change, { etag: res.etag as string });
      return true;
    } catch (e) {
      const s = statusOf(e);
      if (s === 412 || s === 404) return false;
      throw e;
    }
  }

  /**
   * Records that the row's notice went out. Conditional on the claim's etag: throws LostClaimError when the lease
   * expired and another run took the row over meanwhile (the notice may then go out twice; keep sends shorter than
   * the lease).
   */
  async markSent(row: OutboxRow): Promise<void> {
    await this.transition(row, { state: 'sent', sentAt: this.now().toISOString(), maybeSent: false });
  }

  /**
   * Claims one recipient's rows as one: in id order, in transactions of up to 100 rows, the first transaction alone
   * and then the rest. Two runs racing for the same recipient meet on the first transaction, so one takes them all
   * and the other none; a later transaction can still be lost (a row written or released while the other run was
   * listing) — then `all` is false and `won` holds what this call claimed, for the caller to release.
   */
  async claimMany(rows: readonly OutboxRow[], claimant: string = randomUUID(), options: ClaimOptions = {}): Promise<ClaimManyResult> {
    const [first, ...rest] = chunked(sameRecipient(rows).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), MAX_TRANSACTION_ROWS);
    const attempt = { attemptId: options.attemptId ?? randomUUID(), resend: options.resend };
    if (!first || !(await this.claimChunk(first, claimant, attempt))) return { all: false, won: [] };
    const won = [...first];
    let lost = false;
    await mapLimited(rest, this.concurrency, async (chunk) => {
      if (lost) return;
      if (await this.claimChunk(chunk, claimant, attempt)) won.push(...chunk);
      else lost = true;
    });
    return { all: !lost, won };
  }

  /**
   * markSent for one recipient's claimed rows, in transactions of up to 100. A transaction that fails (a row's lease
   * ran out and another run took it) is redone row by row, so every row still held is marked and only the lost ones
   * are reported.
   */
  async markSentMany(rows: readonly OutboxRow[]): Promise<MarkSentManyResult> {
    const result: MarkSentManyResult = { sent: 0, failures: [] };
    await mapLimited(chunked(sameRecipient(rows), MAX_TRANSACTION_ROWS), this.concurrency, async (chunk) => {
      const sentAt = this.now().toISOString();
      try {
        await this.transitionChunk(chunk, () => ({ state: 'sent', sentAt, maybeSent: false }));
        result.sent += chunk.length;
        return;
      } catch {
        // Row by row below: each row's own outcome (and error) is what the caller needs.
      }
      for (const row of chunk) {
        try {
          await this.markSent(row);
          result.sent++;
        } catch (e) {
          result.failures.push({ row, error: e as Error });
        }
      }
    });
    return result;
  }

  /**
   * Gives a claimed row back (send failed, or pacing held it): it is pending again, for the next digest. `maybeSent`
   * when the attempt may have been delivered (or the row was interrupted before and still may have been): the next
   * run then treats it as interrupted. The attempt id stays, for asking ACS about it.
   */
  async release(row: OutboxRow, reason?: string, maybeSent = false): Promise<void> {
    await this.transition(row, { state: 'pending', claimedBy: '', claimedAt: '', lastError: reason ?? '', maybeSent });
  }

  /**
   * Deletes rows sent before `before` (for the sweep's housekeeping). Keep them longer than a queue message can
   * live (7 days) — a sent row is what stops a replayed message from notifying again — e.g. `now - 8 days`.
   * Deletes go in transactions of up to 100 rows of one recipient; a transaction that meets a row already gone
   * (another purge) is redone row by row.
   */
  async purgeSent(before: Date): Promise<number> {
    const filter = odata`state eq 'sent' and sentAt lt ${before.toISOString()}`;
    const byRecipient = new Map<string, string[]>();
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
      const keys = byRecipient.get(e.partitionKey as string) ?? [];
      keys.push(e.rowKey as string);
      byRecipient.set(e.partitionKey as string, keys);
    }
    const chunks = [...byRecipient].flatMap(([recipient, keys]) => chunked(keys, MAX_TRANSACTION_ROWS).map((ids) => ({ recipient, ids })));
    let deleted = 0;
    await mapLimited(chunks, this.concurrency, async ({ recipient, ids }) => {
      try {
        await this.table.submitTransaction(ids.map((id) => ['delete', { partitionKey: recipient, rowKey: id }] as const));
        deleted += ids.length;
        return;
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
      for (const id of ids) {
        try {
          await this.table.deleteEntity(recipient, id);
          deleted++;
        } catch (err) {
          if (statusOf(err) !== 404) throw err;
        }
      }
    });
    return deleted;
  }

  /** One transaction claiming `chunk`; false when a row changed since it was read (412) or is gone (404). */
  private async claimChunk(chunk: OutboxRow[], claimant: string, attempt: { attemptId: string; resend?: boolean }): Promise<boolean> {
    const claimedAt = this.now().toISOString();
    try {
      await this.transitionChunk(chunk, (row) => ({ state: 'sending', claimedBy: claimant, claimedAt, attempts: row.attempts + 1, attemptId: attempt.attemptId, resent: row.resent || !!attempt.resend }));
      return true;
    } catch (e) {
      const s = statusOf(e);
      if (s === 412 || s === 404) return false;
      throw e;
    }
  }

  /** ETag-conditional Merge of every row of one partition in one transaction; on success the rows are updated in place. */
  private async transitionChunk(chunk: OutboxRow[], changeOf: (row: OutboxRow) => Partial<Omit<OutboxRow, 'recipient' | 'id' | 'notice' | 'etag'>>): Promise<void> {
    const changes = chunk.map(changeOf);
    const res = await this.table.submitTransaction(chunk.map((row, i) => ['update', { partitionKey: recipientKey(row.recipient), rowKey: row.id, ...changes[i] }, 'Merge', { etag: row.etag }] as const));
    // Sub-responses come back in the order of the operations.
    chunk.forEach((row, i) => {
      const etag = res.subResponses[i]?.etag;
      if (!etag) throw new Error(`outbox transaction: no ETag in the answer for ${row.id}`);
      Object.assign(row, changes[i], { etag });
    });
  }

  private async transition(row: OutboxRow, change: Record<string, string | boolean>): Promise<void> {
    try {
      const res = await this.table.updateEntity({ partitionKey: recipientKey(row.recipient), rowKey: row.id, ...change }, 'Merge', { etag: row.etag });
      Object.assign(row, change, { etag: res.etag as string });
      for (const k of ['claimedBy', 'claimedAt', 'lastError', 'sentAt'] as const) if (row[k] === '') row[k] = null;
    } catch (e) {
      const s = statusOf(e);
      if (s === 412 || s === 404) throw new LostClaimError(row, s);
      throw e;
    }
  }
}

/** The row changed under a claim (its lease expired and another run took it, or it was deleted). */
export class LostClaimError extends Error {
  constructor(readonly row: Pick<OutboxRow, 'recipient' | 'id'>, readonly statusCode: number) {
    // Names the row, not the person: alert logs it beside a masked address.
    super(`outbox row ${row.id} is no longer held by this claim (${statusCode})`);
    this.name = 'LostClaimError';
  }
}

function packNotice(n: Notice): Record<string, string | number | Uint8Array> {
  try {
    return packJson('notice', n);
  } catch (e) {
    if (!(e instanceof PackTooLargeError) || !n.check) throw e;
    // Evidence too large for a row: the digest still needs the summary and the fix, not every evidence row.
    return packJson('notice', { ...n, check: { ...n.check, evidence: { truncated: true } } });
  }
}

function toRow(e: Record<string, unknown>): OutboxRow {
  const notice = unpackJson<Notice>(e, 'notice');
  if (!notice) throw new Error(`outbox row ${String(e.rowKey)} holds no notice`);
  const str = (k: string) => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : null);
  return {
    recipient: recipientOfKey(e.partitionKey as string), id: e.rowKey as string, notice, state: e.state === 'claimed' ? 'sending' : e.state as OutboxState,
    attempts: Number(e.attempts ?? 0), claimedBy: str('claimedBy'), claimedAt: str('claimedAt'), sentAt: str('sentAt'),
    lastError: str('lastError'), attemptId: str('attemptId'), maybeSent: e.maybeSent === true, resent: e.resent === true, etag: e.etag as string,
  };
}

// Table keys may not hold / \ # ? or control characters, but an email address may hold / # ? (and the address check
// lets \ through): those, control characters and % itself travel percent-encoded, so every other key is the address.
const KEY_UNSAFE = /[%/\\#?\u0000-\u001f\u007f-\u009f]/g;

/** The PartitionKey of a recipient's rows. */
export function recipientKey(recipient: string): string {
  return recipient.replace(KEY_UNSAFE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function recipientOfKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The rows, checked to share one recipient (a Table transaction spans one partition). */
function sameRecipient(rows: readonly OutboxRow[]): OutboxRow[] {
  const recipients = new Set(rows.map((r) => r.recipient));
  if (recipients.size > 1) throw new RangeError(`rows of one recipient expected, got ${recipients.size}`);
  return [...rows];
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

