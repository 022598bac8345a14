// The host inventory (table `tbmoninventory`): every TensorBoard host a sweep has found, with when it was first and
// last seen, and when it went away. A host is gone when two consecutive sweeps that read its subscription
// successfully did not find it (CHECKS.md); a sweep that could not read the subscription changes nothing about its
// hosts. Keys: PK = subscription id (lower-case), RK = hash of the lower-cased host id (ids hold '/').
import { createHash } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { hostOf, type Host, type HostRecord, canonicalId } from '../model';
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
   * Runs for each page of the inventory once its hosts that become gone are known, before that page's changes are
   * written: where the sweep records their `gone` notices. If it throws, the page's changes are not written — a host
   * marked gone is never gone again, so marking it without its notice would lose the notice for good; the next sweep
   * decides again instead.
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
  return createHash('sha256').update(canonicalId(hostId)).digest('hex').slice(0, 32);
}

function toInventoryHost(e: Record<string, unknown>): InventoryHost {
  const str = (k: string) => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : null);
  return {
    host: unpackJson<Host>(e, 'host') as Host,
    // A row a running sweep has just upserted has no first seen until the sweep settles.
    firstSeen: String(e.firstSeen ?? e.lastSeen),
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
   * Applies one sweep at once (markSeen, then settle): found hosts are upserted (first seen kept, last seen now, a
   * gone host back again); hosts of read subscriptions the sweep did not find count a miss, once per sweep, and
   * become gone at the second. Running the same sweep again changes nothing more.
   */
  async reconcile(input: ReconcileInput): Promise<ReconcileResult> {
    await this.markSeen(input.sweepId, input.now, input.hosts);
    return this.settle(input);
  }

  /**
   * Records hosts a sweep found — batch by batch as discovery hands them on, so no sweep holds every host. Blind
   * upserts that merge what a sighting changes (the host, last seen, no miss); first seen and gone are settled by
   * `settle`, which sees the row's earlier state.
   */
  async markSeen(sweepId: string, now: Date, hosts: readonly HostRecord[]): Promise<void> {
    const nowIso = now.toISOString();
    const writes = new Map<string, Map<string, TransactionAction>>();
    for (const h of hosts) {
      const pk = canonicalId(h.subscriptionId);
      const rk = inventoryKey(h.id);
      let partition = writes.get(pk);
      if (!partition) writes.set(pk, (partition = new Map()));
      // A transaction names an entity once: the same host twice (ids differ only in case) is one sighting.
      partition.set(rk, ['upsert', {
        partitionKey: pk, rowKey: rk, hostId: h.id, name: h.name, kind: h.kind, ...packJson('host', hostOf(h)),
        lastSeen: nowIso, lastSeenSweepId: sweepId, missedSweeps: 0, lastMissedSweepId: '',
      }, 'Merge']);
    }
    await this.submit([...writes.values()].map((m) => [...m.values()]));
  }

  /**
   * Ends a sweep's reconciliation, one page of the inventory at a time: a row the sweep saw gets its first seen
   * (new, or back after being gone); a row of a read subscription it did not see counts a miss, and is gone at the
   * second. Each page's gone hosts go to `beforeCommit` before their rows are marked.
   */
  async settle(input: Omit<ReconcileInput, 'hosts'>): Promise<ReconcileResult> {
    const nowIso = input.now.toISOString();
    const read = new Set(input.subscriptionsRead.map(canonicalId));
    const result: ReconcileResult = { added: 0, seen: 0, missed: 0, gone: [] };
    const select = ['PartitionKey', 'RowKey', 'firstSeen', 'lastSeenSweepId', 'lastMissedSweepId', 'missedSweeps', 'goneAt'];
    for await (const page of this.table.listEntities<Record<string, unknown>>({ queryOptions: { select } }).byPage({ maxPageSize: 1_000 })) {
      const writes = new Map<string, TransactionAction[]>();
      const write = (pk: string, action: TransactionAction) => {
        const list = writes.get(pk) ?? [];
        list.push(action);
        writes.set(pk, list);
      };
      const goneKeys: { partitionKey: string; rowKey: string; change: Record<string, unknown> }[] = [];
      for (const e of page) {
        const partitionKey = String(e.partitionKey);
        const rowKey = String(e.rowKey);
        const wasGone = typeof e.goneAt === 'string' && e.goneAt !== '';
        if (e.lastSeenSweepId === input.sweepId) {
          const hasFirstSeen = typeof e.firstSeen === 'string' && e.firstSeen !== '';
          if (hasFirstSeen && !wasGone) {
            result.seen++;
            continue;
          }
          result.added++;
          write(partitionKey, ['update', { partitionKey, rowKey, firstSeen: nowIso, goneAt: '', goneSweepId: '' }, 'Merge']);
          continue;
        }
        if (!read.has(partitionKey) || wasGone || e.lastMissedSweepId === input.sweepId) continue; // this sweep already counted
        const missedSweeps = Number(e.missedSweeps ?? 0) + 1;
        const gone = missedSweeps >= GONE_AFTER_SWEEPS;
        const change = { partitionKey, rowKey, missedSweeps, lastMissedSweepId: input.sweepId, ...(gone ? { goneAt: nowIso, goneSweepId: input.sweepId } : {}) };
        write(partitionKey, ['update', change, 'Merge']);
        if (gone) goneKeys.push({ partitionKey, rowKey, change });
        else result.missed++;
      }
      // Gone hosts are few: their whole rows (with the host) are read one by one.
      const gone: InventoryHost[] = [];
      for (const g of goneKeys) gone.push(toInventoryHost({ ...(await this.table.getEntity<Record<string, unknown>>(g.partitionKey, g.rowKey)), ...g.change }));
      await input.beforeCommit?.(gone);
      result.gone.push(...gone);
      await this.submit([...writes.values()]);
    }
    return result;
  }

  private async submit(partitions: readonly TransactionAction[][]): Promise<void> {
    const batches: TransactionAction[][] = [];
    for (const actions of partitions) for (let i = 0; i < actions.length; i += 100) batches.push(actions.slice(i, i + 100));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await this.table.submitTransaction(batches[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 8, batches.length) }, worker));
  }
}
