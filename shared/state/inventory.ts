// The host inventory (table `tbmoninventory`): every TensorBoard host a sweep has found, with when it was first and
// last seen, and when it went away. A host is gone when two consecutive sweeps that read its subscription
// successfully did not find it (CHECKS.md); a sweep that could not read the subscription changes nothing about its
// hosts. Keys: PK = subscription id (lower-case), RK = hash of the lower-cased host id (ids hold '/').
import { createHash } from 'node:crypto';
import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { hostOf, type Host, type HostRecord } from '../model';
import { packJson, unpackJson } from './packing';

export const INVENTORY_TABLE = 'tbmoninventory';
/** Consecutive successful sweeps of its subscription without a host before it is gone. */
export const GONE_AFTER_SWEEPS = 2;

export interface InventoryHost {
  host: Host;
  firstSeen: string;
  lastSeen: string;
  lastSeenSweepId: string;
  /** Successful sweeps of its subscription in a row that did not find it. */
  missedSweeps: number;
  goneAt: string | null;
  goneSweepId: string | null;
}

export interface ReconcileInput {
  sweepId: string;
  now: Date;
  hosts: readonly HostRecord[];
  /** Subscriptions (lower-cased) this sweep read completely. */
  subscriptionsRead: readonly string[];
  /**
   * Runs after the hosts that become gone are known and before anything is written: where the sweep records their
   * `gone` notices. If it throws, nothing is written — a host marked gone is never gone again, so marking it without
   * its notice would lose the notice for good; the next sweep decides again instead.
   */
  beforeCommit?: (gone: readonly InventoryHost[]) => Promise<void>;
}

export interface ReconcileResult {
  /** Hosts seen for the first time (or again after being gone). */
  added: number;
  seen: number;
  /** Hosts of read subscriptions that this sweep missed but that are not gone yet. */
  missed: number;
  /** Hosts that became gone in this sweep. */
  gone: InventoryHost[];
}

function inventoryKey(hostId: string): string {
  return createHash('sha256').update(hostId.toLowerCase()).digest('hex').slice(0, 32);
}

function toInventoryHost(e: Record<string, unknown>): InventoryHost {
  const str = (k: string) => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : null);
  return {
    host: unpackJson<Host>(e, 'host') as Host,
    firstSeen: String(e.firstSeen),
    lastSeen: String(e.lastSeen),
    lastSeenSweepId: String(e.lastSeenSweepId),
    missedSweeps: Number(e.missedSweeps ?? 0),
    goneAt: str('goneAt'),
    goneSweepId: str('goneSweepId'),
  };
}

export class HostInventory {
  constructor(readonly table: TableClient, private readonly options: { concurrency?: number } = {}) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async list(): Promise<InventoryHost[]> {
    const out: InventoryHost[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>()) out.push(toInventoryHost(e));
    return out;
  }

  /**
   * Applies one sweep: found hosts are upserted (first seen kept, last seen now, a gone host back again); hosts of
   * read subscriptions the sweep did not find count a miss, once per sweep, and become gone at the second. Running
   * the same sweep again changes nothing more.
   */
  async reconcile(input: ReconcileInput): Promise<ReconcileResult> {
    const existing = new Map<string, Record<string, unknown>>();
    for await (const e of this.table.listEntities<Record<string, unknown>>()) existing.set(`${e.partitionKey}/${e.rowKey}`, e);

    const nowIso = input.now.toISOString();
    const writes = new Map<string, TransactionAction[]>();
    const write = (pk: string, action: TransactionAction) => {
      const list = writes.get(pk) ?? [];
      list.push(action);
      writes.set(pk, list);
    };
    const result: ReconcileResult = { added: 0, seen: 0, missed: 0, gone: [] };

    const found = new Set<string>();
    for (const h of input.hosts) {
      const pk = h.subscriptionId.toLowerCase();
      const rk = inventoryKey(h.id);
      const key = `${pk}/${rk}`;
      if (found.has(key)) continue;
      found.add(key);
      const prev = existing.get(key);
      const back = !prev || (typeof prev.goneAt === 'string' && prev.goneAt !== '');
      if (back) result.added++;
      else result.seen++;
      const entity: TableEntity<Record<string, unknown>> = {
        partitionKey: pk, rowKey: rk, hostId: h.id, name: h.name, kind: h.kind, ...packJson('host', hostOf(h)),
        firstSeen: prev && !back ? String(prev.firstSeen) : nowIso, lastSeen: nowIso, lastSeenSweepId: input.sweepId,
        missedSweeps: 0, lastMissedSweepId: '', goneAt: '', goneSweepId: '',
      };
      write(pk, ['upsert', entity, 'Replace']);
    }

    const read = new Set(input.subscriptionsRead.map((s) => s.toLowerCase()));
    for (const [key, e] of existing) {
      if (found.has(key) || !read.has(String(e.partitionKey))) continue;
      if (typeof e.goneAt === 'string' && e.goneAt !== '') continue;
      if (e.lastMissedSweepId === input.sweepId || e.lastSeenSweepId === input.sweepId) continue; // this sweep already counted
      const missedSweeps = Number(e.missedSweeps ?? 0) + 1;
      const gone = missedSweeps >= GONE_AFTER_SWEEPS;
      const change = { partitionKey: e.partitionKey as string, rowKey: e.rowKey as string, missedSweeps, lastMissedSweepId: input.sweepId, ...(gone ? { goneAt: nowIso, goneSweepId: input.sweepId } : {}) };
      write(change.partitionKey, ['update', change, 'Merge']);
      if (gone) result.gone.push(toInventoryHost({ ...e, ...change }));
      else result.missed++;
    }

    await input.beforeCommit?.(result.gone);

    const batches: TransactionAction[][] = [];
    for (const actions of writes.values()) for (let i = 0; i < actions.length; i += 100) batches.push(actions.slice(i, i + 100));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await this.table.submitTransaction(batches[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 8, batches.length) }, worker));
    return result;
  }
}
