// Per-host state in Table storage: the latest report with each check's last known status and unknown streak
// (table `tbmonreports`), and a history row per host per sweep (table `tbmonhistory`, kept TBMON_HISTORY_DAYS).
//
// Keys. ARM ids hold `/`, which keys may not, so a host is keyed by a hash of its lower-cased id:
//   tbmonreports  PK = subscription id (lower-case)   RK = hostKey
//   tbmonhistory  PK = subscription id (lower-case)   RK = `${hostKey}_${inverted evaluation time}`  (newest first)
//
// Retries. The latest row remembers the sweep that last wrote it and the check states from before that sweep, so an
// evaluate that runs again for the same sweep (message delivered twice, or killed mid-batch and retried) compares
// against the same base: the same transitions, the same notice ids, no unknown streak counted twice. The history row
// of a sweep keeps its key across retries. Writes are ETag-conditional; a concurrent writer makes the step run again.
import { createHash } from 'node:crypto';
import type { TableClient, TableEntity } from '@azure/data-tables';
import { type HostReport, canonicalId } from '../model';
import type { HostCheckStates } from '../regressions';
import { packJson, PackTooLargeError, unpackJson, type PackedProperties } from './packing';
import { statusOf } from '../storage';
import { compareSweepIds } from './sweeps';

export const REPORTS_TABLE = 'tbmonreports';
export const HISTORY_TABLE = 'tbmonhistory';

const MAX_TIME_MS = 8_640_000_000_000_000;
const PRUNE_EVERY_MS = 86_400_000;
const MAX_ATTEMPTS = 4;

/** Stable, key-safe id of a host (ARM ids compare case-insensitively). */
export function hostKey(hostId: string): string {
  return createHash('sha256').update(canonicalId(hostId)).digest('hex').slice(0, 32);
}

function subscriptionKey(report: Pick<HostReport, 'host'>): string {
  return canonicalId(report.host.subscriptionId);
}

/** Row key part that sorts newest first. */
function invertedTime(ms: number): string {
  return String(MAX_TIME_MS - ms).padStart(16, '0');
}

/** What the status page shows of a host over time, kept in its latest row (never read from per-host history). */
export interface HostTimeline {
  /** The host's status in its last sweeps, oldest first: one letter each (p, w, f, u), at most RECENT_SWEEPS. */
  recent: string;
  /** The evaluation that began the current failing run (unknown sweeps do not break it); null when not failing. */
  failingSince: string | null;
  /** The last evaluation whose status differed from the one before; null while it never changed. */
  lastChangeAt: string | null;
}

export const RECENT_SWEEPS = 24;
const LETTER: Record<HostReport['status'], string> = { pass: 'p', warn: 'w', fail: 'f', unknown: 'u' };

/** The host's timeline after `report`, from the one before (a replay of the same sweep recomputes from `prev` again). */
export function nextTimeline(prev: HostTimeline | null, prevStatus: HostReport['status'] | null, report: Pick<HostReport, 'status' | 'evaluatedAt'>): HostTimeline {
  const recent = `${prev?.recent ?? ''}${LETTER[report.status]}`.slice(-RECENT_SWEEPS);
  let failingSince: string | null = null;
  if (report.status === 'fail') failingSince = prev?.failingSince ?? report.evaluatedAt;
  else if (report.status === 'unknown') failingSince = prev?.failingSince ?? null;
  const changed = prevStatus !== null && prevStatus !== report.status;
  return { recent, failingSince, lastChangeAt: changed ? report.evaluatedAt : prev?.lastChangeAt ?? null };
}

export interface LatestHostState {
  report: HostReport;
  timeline: HostTimeline;
  /** Check states after `sweepId` was applied. */
  checkStates: HostCheckStates;
  sweepId: string;
  etag: string;
}

export interface ReportStoreOptions {
  historyDays: number;
  /** Clock for history keys and retention (the sandbox clock in tests). */
  now?: () => Date;
}

/** What a host's step sees: the check states to compare against (undefined: never seen before). */
export interface HostStepInput {
  base: HostCheckStates | undefined;
  /** True when this sweep was already applied to the host (a retry or duplicate delivery). */
  replay: boolean;
}

/** What recordHost did: stored the report, or refused it because a newer sweep already evaluated the host. */
export type RecordOutcome = { recorded: true } | { recorded: false; newerSweepId: string };

export class ReportStore {
  private readonly now: () => Date;

  constructor(readonly latest: TableClient, readonly history: TableClient, private readonly options: ReportStoreOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async ensureTables(): Promise<void> {
    await Promise.all([this.latest.createTable(), this.history.createTable()]);
  }

  /**
   * Records a host's report for `sweepId`. `step` gets the base check states and returns the next ones; it is where
   * the caller writes the host's notices to the outbox — before this store updates the states, so a run killed in
   * between loses no regression (the retry computes the same notices and the outbox keeps one of each). `step` may
   * run more than once (an ETag conflict with a concurrent writer reloads and runs it again), so it must be
   * idempotent — as outbox inserts are. A host whose stored report comes from a newer sweep (by the time in the sweep
   * ids) is left alone and `step` does not run: a late replay of an old claim check must not overwrite it.
   */
  async recordHost(report: HostReport, sweepId: string, step: (input: HostStepInput) => Promise<HostCheckStates>): Promise<RecordOutcome> {
    const pk = subscriptionKey(report);
    const rk = hostKey(report.host.id);
    for (let attempt = 1; ; attempt++) {
      const current = await this.readLatestEntity(pk, rk);
      // A claim check delivered after a newer sweep evaluated the host (a late replay) judges facts of its own sweep
      // that may no longer hold: nothing of it is stored or told.
      const stored = typeof current?.sweepId === 'string' ? current.sweepId : null;
      if (stored !== null && (compareSweepIds(stored, sweepId) ?? 0) > 0) return { recorded: false, newerSweepId: stored };
      const replay = current !== null && current.sweepId === sweepId;
      const base = current === null ? undefined : unpackJson<HostCheckStates>(current, replay ? 'prevCheckStates' : 'checkStates') ?? undefined;
      const next = await step({ base, replay });
      const historyRowKey = replay && typeof current?.historyRowKey === 'string'
        ? current.historyRowKey
        : `${rk}_${invertedTime(Date.parse(report.evaluatedAt) || this.now().getTime())}`;
      // A new host has no history to prune: its retention clock starts now.
      const prunedAt = typeof current?.prunedAt === 'string' && current.prunedAt ? current.prunedAt : this.now().toISOString();
      // The timeline steps from the one before this sweep: a replay (same sweep) starts again from the stored base.
      const baseTimeline = current === null ? null : replay ? timelineOf(current, 'prev') : timelineOf(current, '');
      const baseStatus = current === null ? null : ((replay ? current.prevStatus : current.status) as HostReport['status'] | undefined) ?? null;
      const timeline = nextTimeline(baseTimeline, baseStatus, report);
      const entity: TableEntity = {
        partitionKey: pk, rowKey: rk, hostId: report.host.id, hostName: report.host.name, kind: report.host.kind,
        status: report.status, evaluatedAt: report.evaluatedAt, sweepId, historyRowKey, prunedAt,
        recent: timeline.recent, failingSince: timeline.failingSince ?? '', lastChangeAt: timeline.lastChangeAt ?? '',
        prevRecent: baseTimeline?.recent ?? '', prevFailingSince: baseTimeline?.failingSince ?? '', prevLastChangeAt: baseTimeline?.lastChangeAt ?? '',
        prevStatus: baseStatus ?? '',
        ...packReport(report),
        ...packJson('checkStates', next),
        ...packJson('prevCheckStates', base ?? null),
      };
      try {
        if (current) await this.latest.updateEntity(entity, 'Replace', { etag: current.etag as string });
        else await this.latest.createEntity(entity);
      } catch (e) {
        const s = statusOf(e);
        if ((s === 412 || s === 409 || s === 404) && attempt < MAX_ATTEMPTS) continue;
        throw e;
      }
      await this.history.upsertEntity({
        partitionKey: pk, rowKey: historyRowKey, hostId: report.host.id, sweepId, status: report.status,
        evaluatedAt: report.evaluatedAt, ...packReport(report),
      }, 'Replace');
      await this.pruneIfDue(pk, rk, prunedAt);
      return { recorded: true };
    }
  }

  /** The latest stored state of a host, or null when it was never evaluated by a sweep. */
  async getLatest(hostId: string): Promise<LatestHostState | null> {
    const sub = /\/subscriptions\/([^/]+)/i.exec(hostId)?.[1];
    if (!sub) throw new Error(`"${hostId}" is not an ARM resource id`);
    const e = await this.readLatestEntity(canonicalId(sub), hostKey(hostId));
    return e && toLatest(e);
  }

  /** Every host's latest state (optionally of one subscription), streamed page by page. */
  async *listLatest(subscriptionId?: string): AsyncGenerator<LatestHostState> {
    const filter = subscriptionId ? `PartitionKey eq '${canonicalId(subscriptionId).replace(/'/g, "''")}'` : undefined;
    for await (const e of this.latest.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) yield toLatest(e);
  }

  /** A host's stored reports, newest first. */
  async listHistory(hostId: string, limit = 100): Promise<HostReport[]> {
    const sub = canonicalId(/\/subscriptions\/([^/]+)/i.exec(hostId)?.[1] ?? '');
    const rk = hostKey(hostId);
    const filter = `PartitionKey eq '${sub.replace(/'/g, "''")}' and RowKey gt '${rk}_' and RowKey lt '${rk}_~'`;
    const out: HostReport[] = [];
    for await (const e of this.history.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const r = unpackJson<HostReport>(e, 'report');
      if (r) out.push(r);
      if (out.length >= limit) break;
    }
    return out;
  }

  private async readLatestEntity(pk: string, rk: string): Promise<Record<string, unknown> | null> {
    try {
      return await this.latest.getEntity<Record<string, unknown>>(pk, rk);
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }

  /**
   * Deletes the host's history rows older than TBMON_HISTORY_DAYS, at most once a day per host: its rows sort newest
   * first, so the old ones are one key range at the end and the query returns only what is to be deleted.
   */
  private async pruneIfDue(pk: string, rk: string, prunedAt: string): Promise<void> {
    const now = this.now().getTime();
    if (now - Date.parse(prunedAt) < PRUNE_EVERY_MS) return;
    const cutoff = now - this.options.historyDays * 86_400_000;
    const filter = `PartitionKey eq '${pk.replace(/'/g, "''")}' and RowKey gt '${rk}_${invertedTime(cutoff)}' and RowKey lt '${rk}_~'`;
    for await (const e of this.history.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } })) {
      try {
        await this.history.deleteEntity(e.partitionKey as string, e.rowKey as string);
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
    }
    await this.markPruned(pk, rk, now);
  }

  private async markPruned(pk: string, rk: string, now: number): Promise<void> {
    // Unconditional merge of one bookkeeping field: losing it to a race only means pruning again.
    await this.latest.updateEntity({ partitionKey: pk, rowKey: rk, prunedAt: new Date(now).toISOString() }, 'Merge');
  }
}

function packReport(report: HostReport): PackedProperties {
  try {
    return packJson('report', report);
  } catch (e) {
    if (!(e instanceof PackTooLargeError)) throw e;
    // Beyond what an entity holds even gzipped: keep statuses, summaries and fixes; drop the raw evidence.
    const slim: HostReport = { ...report, checks: report.checks.map((c) => (c.evidence ? { ...c, evidence: { truncated: true } } : c)) };
    return packJson('report', slim);
  }
}

function timelineOf(e: Record<string, unknown>, prefix: '' | 'prev'): HostTimeline | null {
  const key = (k: string) => (prefix ? `prev${k[0].toUpperCase()}${k.slice(1)}` : k);
  const text = (k: string) => (typeof e[key(k)] === 'string' && e[key(k)] ? (e[key(k)] as string) : null);
  if (typeof e[key('recent')] !== 'string') return null; // a row written before tbmon kept timelines
  return { recent: text('recent') ?? '', failingSince: text('failingSince'), lastChangeAt: text('lastChangeAt') };
}

function toLatest(e: Record<string, unknown>): LatestHostState {
  const report = unpackJson<HostReport>(e, 'report');
  if (!report) throw new Error(`report row ${String(e.partitionKey)}/${String(e.rowKey)} holds no report`);
  const timeline = timelineOf(e, '') ?? { recent: '', failingSince: null, lastChangeAt: null };
  return { report, timeline, checkStates: unpackJson<HostCheckStates>(e, 'checkStates') ?? {}, sweepId: String(e.sweepId ?? ''), etag: e.etag as string };
}
