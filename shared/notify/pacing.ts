// Send pacing within ACS's email limits (research/anchors.md §6: 30/min and 100/hour per subscription for a custom
// domain; rejected retries still count). A sliding window over the times of earlier sends, persisted between runs
// by a PacingStore, plus a block after a 429 that said when to come back.

export interface PacingLimits {
  perMinute: number;
  perHour: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

export class SendPacer {
  private readonly sent: number[];
  private blockedUntil = 0;

  constructor(private readonly limits: PacingLimits, history: readonly number[] = []) {
    this.sent = [...history].sort((a, b) => a - b);
  }

  /** Milliseconds until one more send fits both windows and any block has passed; 0 = now. */
  waitMs(now: number): number {
    const inMinute = this.sent.filter((t) => t > now - MINUTE);
    const inHour = this.sent.filter((t) => t > now - HOUR);
    let wait = Math.max(0, this.blockedUntil - now);
    // The send that has to leave the window first: the (count - limit + 1)-th oldest inside it.
    if (inMinute.length >= this.limits.perMinute) wait = Math.max(wait, inMinute[inMinute.length - this.limits.perMinute] + MINUTE - now);
    if (inHour.length >= this.limits.perHour) wait = Math.max(wait, inHour[inHour.length - this.limits.perHour] + HOUR - now);
    return wait;
  }

  record(now: number): void {
    this.sent.push(now);
  }

  /** After a 429 with Retry-After: nothing more goes out before `until`. */
  block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  /** The sends of the last hour (what a store keeps between runs). */
  history(now: number): number[] {
    return this.sent.filter((t) => t > now - HOUR);
  }
}

/** Where the times of earlier sends live between runs (ACS counts per subscription, not per process). */
export interface PacingStore {
  load(): Promise<number[]>;
  save(history: number[]): Promise<void>;
}

export class MemoryPacingStore implements PacingStore {
  constructor(private times: number[] = []) {}
  async load(): Promise<number[]> {
    return [...this.times];
  }
  async save(history: number[]): Promise<void> {
    this.times = [...history];
  }
}

/** A minimum spacing between requests: `perSecond` requests in any second at most (Teams: 4). */
export class RequestSpacer {
  private next = 0;
  constructor(private readonly perSecond: number, private readonly now: () => number = Date.now) {}

  /** Reserves the next slot and resolves when it has come. */
  async take(sleep: (ms: number) => Promise<void> = defaultSleep): Promise<void> {
    const t = this.now();
    const slot = Math.max(t, this.next);
    this.next = slot + Math.ceil(1000 / this.perSecond);
    if (slot > t) await sleep(slot - t);
  }
}

export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
