// Table `tbmonplatform`: what tbmon remembers about its own health between sweeps, and the platform notices waiting to
// be sent (shared/platform.ts has the rules).
//
//   PK 'condition'            RK key (sweep, subscription:<id>, poison)   a raised condition: anchor, raisedAt, title
//   PK 'subscription'         RK subscription id                        an unreadable streak: streak, since, raised
//   PK 'memory'               RK 'readable' | 'poison-seen'               subscriptions read before; poison ids seen (packed)
//   PK 'outbox:<recipient>'   RK notice id                              a notice for one recipient: pending → claimed → sent
//
// Exactly once as in the host outbox (shared/state/outbox.ts): notice ids are deterministic and rows are created with
// conditional inserts (409 = already there), a sender claims a row with an ETag-conditional update before sending
// and marks it sent after; a claim whose lease ran out (a crash mid-send) may be sent once more.
import { randomUUID } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import type { PlatformNotice, RaisedCondition, SubscriptionStreak } from '../platform';
import { isConditionFailed, isConflict, isNotFound } from '../storage';
import { packJson, unpackJson } from './packing';
import { recipientKey } from './outbox';

export const PLATFORM_TABLE = 'tbmonplatform';
const LEASE_MS = 10 * 60_000;
const OUTBOX_PREFIX = 'outbox:';

export interface PlatformRow {
  recipient: string;
  notice: PlatformNotice;
  state: 'pending' | 'claimed' | 'sent';
  claimedAt: string | null;
  etag: string;
}

export class PlatformStore {
  constructor(readonly table: TableClient, private readonly now: () => Date = () => new Date()) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async conditions(): Promise<Map<string, RaisedCondition>> {
    const out = new Map<string, RaisedCondition>();
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq 'condition'` } })) {
      out.set(String(e.rowKey), { key: String(e.rowKey), anchor: String(e.anchor), raisedAt: String(e.raisedAt), title: String(e.title ?? '') });
    }
    return out;
  }

  async raise(c: RaisedCondition): Promise<void> {
    await this.table.upsertEntity({ partitionKey: 'condition', rowKey: c.key, anchor: c.anchor, raisedAt: c.raisedAt, title: c.title.slice(0, 2000) }, 'Replace');
  }

  async clear(key: string): Promise<void> {
    await this.deleteQuietly('condition', key);
  }

  async streaks(): Promise<Map<string, SubscriptionStreak>> {
    const out = new Map<string, SubscriptionStreak>();
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq 'subscription'` } })) {
      const id = String(e.rowKey);
      out.set(id, { subscriptionId: id, streak: Number(e.streak ?? 0), since: String(e.since), raised: e.raised === true });
    }
    return out;
  }

  async putStreak(s: SubscriptionStreak): Promise<void> {
    await this.table.upsertEntity({ partitionKey: 'subscription', rowKey: s.subscriptionId, streak: s.streak, since: s.since, raised: s.raised }, 'Replace');
  }

  async removeStreak(subscriptionId: string): Promise<void> {
    await this.deleteQuietly('subscription', subscriptionId);
  }

  async memory(name: 'readable' | 'poison-seen'): Promise<Set<string>> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>('memory', name);
      return new Set(unpackJson<string[]>(e, 'ids') ?? []);
    } catch (err) {
      if (isNotFound(err)) return new Set();
      throw err;
    }
  }

  async putMemory(name: 'readable' | 'poison-seen', ids: Iterable<string>): Promise<void> {
    await this.table.upsertEntity({ partitionKey: 'memory', rowKey: name, ...packJson('ids', [...ids].sort()) }, 'Replace');
  }

  /** One row per (recipient, notice); a row that exists already is left as it is. Returns how many were created. */
  async writeNotices(notices: readonly PlatformNotice[], recipients: readonly string[]): Promise<number> {
    let created = 0;
    for (const n of notices) {
      for (const r of recipients) {
        try {
          await this.table.createEntity({ partitionKey: `${OUTBOX_PREFIX}${recipientKey(r)}`, rowKey: n.id, state: 'pending', claimedAt: '', ...packJson('notice', n) });
          created++;
        } catch (e) {
          if (!isConflict(e)) throw e;
        }
      }
    }
    return created;
  }

  /** Rows waiting: pending, or claimed with an expired lease; grouped by recipient, oldest first. */
  async pending(): Promise<Map<string, PlatformRow[]>> {
    const expiry = new Date(this.now().getTime() - LEASE_MS).toISOString();
    const filter = odata`PartitionKey ge ${OUTBOX_PREFIX} and PartitionKey lt 'outbox;' and (state eq 'pending' or (state eq 'claimed' and claimedAt lt ${expiry}))`;
    const out = new Map<string, PlatformRow[]>();
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const recipient = String(e.partitionKey).slice(OUTBOX_PREFIX.length).replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      const notice = unpackJson<PlatformNotice>(e, 'notice');
      if (!notice) continue;
      const row: PlatformRow = { recipient, notice, state: e.state as PlatformRow['state'], claimedAt: (e.claimedAt as string) || null, etag: String(e.etag) };
      const list = out.get(recipient) ?? [];
      list.push(row);
      out.set(recipient, list);
    }
    for (const list of out.values()) list.sort((a, b) => a.notice.observedAt.localeCompare(b.notice.observedAt) || a.notice.id.localeCompare(b.notice.id));
    return out;
  }

  /** Claims every row or none (a row another run changed first: the claims won are handed back). */
  async claim(rows: readonly PlatformRow[]): Promise<boolean> {
    const claimant = randomUUID();
    const won: PlatformRow[] = [];
    for (const r of rows) {
      try {
        const res = await this.table.updateEntity({ partitionKey: this.key(r), rowKey: r.notice.id, state: 'claimed', claimedAt: this.now().toISOString(), claimedBy: claimant }, 'Merge', { etag: r.etag });
        r.etag = String(res.etag);
        r.state = 'claimed';
        won.push(r);
      } catch (e) {
        if (!isConditionFailed(e) && !isNotFound(e)) throw e;
        for (const w of won) await this.release(w);
        return false;
      }
    }
    return true;
  }

  async markSent(rows: readonly PlatformRow[]): Promise<void> {
    for (const r of rows) await this.table.updateEntity({ partitionKey: this.key(r), rowKey: r.notice.id, state: 'sent', sentAt: this.now().toISOString() }, 'Merge', { etag: r.etag });
  }

  async release(r: PlatformRow): Promise<void> {
    try {
      await this.table.updateEntity({ partitionKey: this.key(r), rowKey: r.notice.id, state: 'pending', claimedAt: '' }, 'Merge', { etag: r.etag });
    } catch (e) {
      if (!isConditionFailed(e) && !isNotFound(e)) throw e; // its lease will
    }
  }

  private key(r: PlatformRow): string {
    return `${OUTBOX_PREFIX}${recipientKey(r.recipient)}`;
  }

  private async deleteQuietly(pk: string, rk: string): Promise<void> {
    try {
      await this.table.deleteEntity(pk, rk);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
