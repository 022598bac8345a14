// The email pacing history in Table storage (table `tbmonpacing`, one row): ACS counts sends per subscription, so
// every alert run — whichever instance — must see the sends of the others. Writes are ETag-conditional and merge
// on conflict, so two runs saving at once both keep their sends.
import type { TableClient } from '@azure/data-tables';
import type { PacingStore } from './pacing';

export const PACING_TABLE = 'tbmonpacing';
const PK = 'pacing';
const RK = 'acs-email';
const HOUR = 3_600_000;

export class TablePacingStore implements PacingStore {
  constructor(private readonly table: TableClient, private readonly now: () => number = Date.now) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async load(): Promise<number[]> {
    return (await this.read())?.times ?? [];
  }

  async save(history: number[]): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.read();
      const cutoff = this.now() - HOUR;
      const times = [...new Set([...(current?.times ?? []), ...history])].filter((t) => t > cutoff).sort((a, b) => a - b);
      const entity = { partitionKey: PK, rowKey: RK, times: JSON.stringify(times) };
      try {
        if (current) await this.table.updateEntity(entity, 'Replace', { etag: current.etag });
        else await this.table.createEntity(entity);
        return;
      } catch (e) {
        const s = (e as { statusCode?: number }).statusCode;
        if (s !== 412 && s !== 409) throw e; // someone saved first: merge with theirs and try again
      }
    }
    throw new Error('could not save the email pacing history after 5 conflicting writes');
  }

  private async read(): Promise<{ times: number[]; etag: string } | null> {
    try {
      const e = await this.table.getEntity<{ times?: string }>(PK, RK);
      const parsed: unknown = JSON.parse(e.times ?? '[]');
      const times = Array.isArray(parsed) ? parsed.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
      return { times, etag: e.etag };
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return null;
      throw e;
    }
  }
}
