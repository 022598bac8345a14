// The sweep ledger (table `tbmonsweeps`): what each sweep found, the host batches behind its tb-evaluate claim
// checks, and the completion marker (DESIGN.md § Contracts).
//
// Rows:
//   PK 'sweep'          RK sweepId                 the sweep: state, batchCount, doneCount, doneBits, alertsClaimedAt, …
//   PK 'batch:<sweep>'  RK batchKey                one batch: hostCount, parts, and the first part's hosts (packed)
//   PK 'batch:<sweep>'  RK '<batchKey>:part:<n>'   further parts of a batch too large for one entity
//   PK 'housekeeping'   RK task name               when a periodic housekeeping task last finished (lastRunAt)
//
// Completion. Batches are numbered (the key starts with `b<index>-`); the sweep row keeps a bitmap of the batches
// marked done, so marking is idempotent (a batch marked twice counts once) and one ETag-conditional update of one
// entity both records the batch and tells whether the sweep is now complete — there is no window between the two.
// Concurrent evaluates retry on 412 with a fresh read.
import { randomBytes } from 'node:crypto';
import { odata, TableClient } from '@azure/data-tables';
import type { HostRecord, RunError } from '../model';
import { isConditionFailed, isNotFound, type StorageClients } from '../storage';
import { packJson, PackTooLargeError, unpackJson } from './packing';

export const SWEEPS_TABLE = 'tbmonsweeps';
/** Hosts per batch (DESIGN.md: a claim check names up to 1,000 hosts). */
export const MAX_HOSTS_PER_BATCH = 1000;

const SWEEP_PARTITION = 'sweep';
const HOUSEKEEPING_PARTITION = 'housekeeping';
const MAX_CONFLICT_RETRIES = 100;
const MAX_ERRORS_KEPT = 200;

export type SweepState = 'discovering' | 'enqueued' | 'complete' | 'failed';

export interface SweepRecord {
  sweepId: string;
  startedAt: string;
  scope: string;
  state: SweepState;
  /** Null until discovery has stored every batch. */
  batchCount: number | null;
  doneCount: number;
  hostCount: number | null;
  completedAt: string | null;
  alertsClaimedAt: string | null;
  subscriptionsRead: number | null;
  subscriptionsFailed: number | null;
  goneCount: number | null;
  errors: RunError[];
  /**
   * Hosts by status over the batches marked done: the sweep's one summary row for the status page's chart, complete
   * when the sweep is (null for sweeps recorded before tbmon kept it).
   */
  tally?: SweepTally | null;
}

/** Hosts per status in a sweep (or in one batch of it). */
export interface SweepTally {
  pass: number;
  warn: number;
  fail: number;
  unknown: number;
}

function addTally(a: SweepTally | null, b: SweepTally): SweepTally {
  return { pass: (a?.pass ?? 0) + b.pass, warn: (a?.warn ?? 0) + b.warn, fail: (a?.fail ?? 0) + b.fail, unknown: (a?.unknown ?? 0) + b.unknown };
}

export interface SweepLedgerOptions {
  now?: () => Date;
  /** Waits between 412 retries (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
}

/** A sortable, key-safe sweep id: `20261126T060000Z-3f9a1c`. */
export function newSweepId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}-${randomBytes(3).toString('hex')}`;
}

const SWEEP_TIME = /^(\d{8}T\d{6}Z)-/;

/**
 * Orders two sweep ids by the time they carry (newSweepId: `YYYYMMDDTHHMMSSZ-<random>`): negative when `a` is the
 * older, positive when newer, 0 for the same id — and null when they cannot be ordered (same second, or an id that
 * carries no time), so a caller never refuses on a guess.
 */
export function compareSweepIds(a: string, b: string): number | null {
  if (a === b) return 0;
  const ta = SWEEP_TIME.exec(a)?.[1];
  const tb = SWEEP_TIME.exec(b)?.[1];
  if (!ta || !tb || ta === tb) return null;
  return ta < tb ? -1 : 1;
}

/** The key of the `index`-th batch (0-based) of a sweep, naming its Log Analytics workspace for people reading it. */
export function batchKeyFor(index: number, logAnalyticsWorkspaceId: string | null): string {
  return `b${String(index).padStart(5, '0')}-${logAnalyticsWorkspaceId ?? 'none'}`;
}

/** The batch index a key carries; throws for a key batchKeyFor did not make. */
export function batchIndexOf(batchKey: string): number {
  const m = /^b(\d{5,})-/.exec(batchKey);
  if (!m) throw new Error(`"${batchKey}" is not a batch key of this ledger (b<index>-…)`);
  return Number(m[1]);
}

function batchPartition(sweepId: string): string {
  return `batch:${sweepId}`;
}

function hasBit(bits: Buffer, i: number): boolean {
  return ((bits[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
}

function withBit(bits: Buffer, i: number, size: number): Buffer {
  const out = Buffer.alloc(Math.max(bits.length, Math.ceil(size / 8)));
  bits.copy(out);
  out[i >> 3] |= 1 << (i & 7);
  return out;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}
function num(v: unknown): number | null {
  return v === undefined || v === null || v === '' ? null : Number(v);
}

export class SweepLedger {
  readonly table: TableClient;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(storage: StorageClients | TableClient, options: SweepLedgerOptions = {}) {
    this.table = storage instanceof TableClient ? storage : storage.table(SWEEPS_TABLE);
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? realSleep;
  }

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  /** Opens a sweep (state `discovering`). Creating the same id twice is an error: ids are unique per run. */
  async createSweep(sweepId: string, startedAt: Date, scope: string): Promise<void> {
    await this.table.createEntity({ partitionKey: SWEEP_PARTITION, rowKey: sweepId, startedAt: startedAt.toISOString(), scope, state: 'discovering', doneCount: 0, doneBits: '', batchesPruned: false });
  }

  /**
   * Stores one batch's hosts (≤ 1,000): packed (gzip when large) into the batch row, spilling into part rows when an
   * entity cannot hold them. Storing the same batch again replaces it. The batch row is written last, so a batch
   * that loads is complete.
   */
  async storeBatch(sweepId: string, batchKey: string, hosts: readonly HostRecord[]): Promise<void> {
    batchIndexOf(batchKey);
    if (hosts.length > MAX_HOSTS_PER_BATCH) throw new RangeError(`a batch holds at most ${MAX_HOSTS_PER_BATCH} hosts, not ${hosts.length}`);
    const parts = packParts(hosts);
    const pk = batchPartition(sweepId);
    for (let i = 1; i < parts.length; i++) {
      await this.table.upsertEntity({ partitionKey: pk, rowKey: `${batchKey}:part:${i}`, ...parts[i] }, 'Replace');
    }
    await this.table.upsertEntity({ partitionKey: pk, rowKey: batchKey, hostCount: hosts.length, parts: parts.length, ...parts[0] }, 'Replace');
  }

  /** The hosts of a stored batch; null when the ledger holds no such batch. */
  async loadBatch(sweepId: string, batchKey: string): Promise<HostRecord[] | null> {
    const pk = batchPartition(sweepId);
    let head: Record<string, unknown>;
    try {
      head = await this.table.getEntity<Record<string, unknown>>(pk, batchKey);
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
    const parts = Number(head.parts ?? 1);
    const rest = await Promise.all(Array.from({ length: parts - 1 }, (_, i) => this.table.getEntity<Record<string, unknown>>(pk, `${batchKey}:part:${i + 1}`)));
    return [head, ...rest].flatMap((e) => unpackJson<HostRecord[]>(e, 'hosts') ?? []);
  }

  /** Records how many batches the sweep made (and what it found): the completion marker's denominator. */
  async recordBatches(sweepId: string, summary: { batchCount: number; hostCount: number; subscriptionsRead: number; subscriptionsFailed: number; goneCount: number; errors: RunError[] }): Promise<void> {
    const complete = summary.batchCount === 0;
    await this.table.updateEntity({
      partitionKey: SWEEP_PARTITION, rowKey: sweepId, state: complete ? 'complete' : 'enqueued', batchCount: summary.batchCount,
      hostCount: summary.hostCount, subscriptionsRead: summary.subscriptionsRead, subscriptionsFailed: summary.subscriptionsFailed,
      goneCount: summary.goneCount, ...(complete ? { completedAt: this.now().toISOString() } : {}),
      ...packErrors(summary.errors),
    }, 'Merge');
  }

  /** Marks a sweep that could not run (discovery failed as a whole). */
  async failSweep(sweepId: string, errors: RunError[]): Promise<void> {
    await this.table.updateEntity({ partitionKey: SWEEP_PARTITION, rowKey: sweepId, state: 'failed', completedAt: this.now().toISOString(), ...packErrors(errors) }, 'Merge');
  }

  async getSweep(sweepId: string): Promise<SweepRecord | null> {
    try {
      return toSweep(await this.table.getEntity<Record<string, unknown>>(SWEEP_PARTITION, sweepId));
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /**
   * Marks a batch evaluated. Idempotent: a batch marked again changes nothing. `sweepComplete` is true when every
   * batch of the sweep is done after this call (also on a repeated call for a complete sweep — whoever acts on it
   * goes through claimAlertsEnqueue, which says yes once).
   */
  async markBatchDone(sweepId: string, batchKey: string, tally?: SweepTally): Promise<{ sweepComplete: boolean }> {
    const index = batchIndexOf(batchKey);
    for (let attempt = 0; ; attempt++) {
      const row = await this.table.getEntity<Record<string, unknown>>(SWEEP_PARTITION, sweepId);
      const batchCount = num(row.batchCount);
      if (batchCount === null) throw new Error(`sweep ${sweepId} has not recorded its batch count yet`);
      if (index >= batchCount) throw new RangeError(`batch ${batchKey} is beyond sweep ${sweepId}'s ${batchCount} batches`);
      const bits = Buffer.from(String(row.doneBits ?? ''), 'base64');
      const doneCount = Number(row.doneCount ?? 0);
      if (hasBit(bits, index)) return { sweepComplete: doneCount >= batchCount };
      const nowDone = doneCount + 1;
      const complete = nowDone >= batchCount;
      try {
        // The batch's host counts join the sweep's in the same conditional update as its bit: counted once, and
        // complete exactly when the sweep is.
        const sum = tally ? addTally(parseTally(row.tally), tally) : null;
        await this.table.updateEntity({
          partitionKey: SWEEP_PARTITION, rowKey: sweepId, doneBits: withBit(bits, index, batchCount).toString('base64'), doneCount: nowDone,
          ...(sum ? { tally: JSON.stringify(sum) } : {}),
          ...(complete ? { state: 'complete', completedAt: this.now().toISOString() } : {}),
        }, 'Merge', { etag: row.etag as string });
        return { sweepComplete: complete };
      } catch (e) {
        if (!isConditionFailed(e) || attempt >= MAX_CONFLICT_RETRIES) throw e;
        await this.sleep(Math.floor(Math.random() * Math.min(200, 5 * (attempt + 1))));
      }
    }
  }

  /** True for exactly one caller per sweep: the one that enqueues its tb-alerts message. */
  async claimAlertsEnqueue(sweepId: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const row = await this.table.getEntity<Record<string, unknown>>(SWEEP_PARTITION, sweepId);
      if (str(row.alertsClaimedAt)) return false;
      try {
        await this.table.updateEntity({ partitionKey: SWEEP_PARTITION, rowKey: sweepId, alertsClaimedAt: this.now().toISOString() }, 'Merge', { etag: row.etag as string });
        return true;
      } catch (e) {
        if (!isConditionFailed(e) || attempt >= MAX_CONFLICT_RETRIES) throw e;
        await this.sleep(Math.floor(Math.random() * 20));
      }
    }
  }

  /**
   * Sweeps that enqueued batches, started more than `deadlineMs` before `now`, are not complete and have not had
   * their tb-alerts message: the deadline path sends it with what was evaluated.
   */
  async findStalledSweeps(now: Date, deadlineMs: number): Promise<string[]> {
    const before = new Date(now.getTime() - deadlineMs).toISOString();
    const out: string[] = [];
    const filter = odata`PartitionKey eq ${SWEEP_PARTITION} and state eq 'enqueued' and startedAt lt ${before}`;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (!str(e.alertsClaimedAt)) out.push(e.rowKey as string);
    }
    return out.sort();
  }

  /** Sweeps started after `since`, newest first. */
  async listSweeps(since: Date): Promise<SweepRecord[]> {
    const filter = odata`PartitionKey eq ${SWEEP_PARTITION} and startedAt ge ${since.toISOString()}`;
    const out: SweepRecord[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) out.push(toSweep(e));
    return out.sort((a, b) => b.sweepId.localeCompare(a.sweepId));
  }

  /** When the periodic housekeeping task `task` last finished; null when it never has. */
  async lastHousekeeping(task: string): Promise<Date | null> {
    try {
      const at = str((await this.table.getEntity<Record<string, unknown>>(HOUSEKEEPING_PARTITION, task)).lastRunAt);
      return at ? new Date(at) : null;
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  /** Records that the housekeeping task `task` finished at `at`. */
  async recordHousekeeping(task: string, at: Date): Promise<void> {
    await this.table.upsertEntity({ partitionKey: HOUSEKEEPING_PARTITION, rowKey: task, lastRunAt: at.toISOString() }, 'Merge');
  }

  /**
   * Deletes the batch rows of sweeps started before `before` (a replayed claim check that old is moot), keeping the
   * sweep rows. Returns how many batch rows went. (A filter on a property an entity lacks excludes it, so sweep rows
   * carry `batchesPruned: false` from the start.)
   */
  async pruneBatches(before: Date): Promise<number> {
    const filter = odata`PartitionKey eq ${SWEEP_PARTITION} and startedAt lt ${before.toISOString()} and batchesPruned eq false`;
    let deleted = 0;
    for await (const sweep of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['RowKey'] } })) {
      const sweepId = sweep.rowKey as string;
      const pk = batchPartition(sweepId);
      const keys: string[] = [];
      for await (const e of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ['RowKey'] } })) keys.push(e.rowKey as string);
      for (let i = 0; i < keys.length; i += 100) {
        await this.table.submitTransaction(keys.slice(i, i + 100).map((rk) => ['delete', { partitionKey: pk, rowKey: rk }] as const));
      }
      deleted += keys.length;
      await this.table.updateEntity({ partitionKey: SWEEP_PARTITION, rowKey: sweepId, batchesPruned: true }, 'Merge');
    }
    return deleted;
  }
}

/** Splits a batch into packed parts that each fit an entity (usually one). */
function packParts(hosts: readonly HostRecord[]): Record<string, string | number | Uint8Array>[] {
  try {
    return [packJson('hosts', hosts)];
  } catch (e) {
    if (!(e instanceof PackTooLargeError) || hosts.length < 2) throw e;
    const mid = Math.ceil(hosts.length / 2);
    return [...packParts(hosts.slice(0, mid)), ...packParts(hosts.slice(mid))];
  }
}

function packErrors(errors: RunError[]): Record<string, string | number | Uint8Array> {
  const kept = errors.slice(0, MAX_ERRORS_KEPT);
  try {
    return { ...packJson('errors', kept), errorCount: errors.length };
  } catch {
    return { errors: '[]', errorCount: errors.length };
  }
}

function toSweep(e: Record<string, unknown>): SweepRecord {
  return {
    sweepId: e.rowKey as string,
    startedAt: String(e.startedAt),
    scope: String(e.scope ?? ''),
    state: e.state as SweepState,
    batchCount: num(e.batchCount),
    doneCount: Number(e.doneCount ?? 0),
    hostCount: num(e.hostCount),
    completedAt: str(e.completedAt),
    alertsClaimedAt: str(e.alertsClaimedAt),
    subscriptionsRead: num(e.subscriptionsRead),
    subscriptionsFailed: num(e.subscriptionsFailed),
    goneCount: num(e.goneCount),
    errors: unpackJson<RunError[]>(e, 'errors') ?? [],
    tally: parseTally(e.tally),
  };
}

function parseTally(v: unknown): SweepTally | null {
  if (typeof v !== 'string' || !v) return null;
  try {
    const t = JSON.parse(v) as Partial<SweepTally>;
    const n = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
    return { pass: n(t.pass), warn: n(t.warn), fail: n(t.fail), unknown: n(t.unknown) };
  } catch {
    return null;
  }
}
