// Log Analytics' query limits, kept on the caller's side (research/domain-facts.md §d): at most 5 concurrent
// queries per caller, at most 200 requests per 30 s, and a 429/503 answered with Retry-After pauses every new query
// until then (the sweep finishes later rather than reporting what it did not see). The limits are per user (the
// identity) and endpoint, so each AzureContext holds one gate: concurrent batches in one Functions host share the
// caller's budget, and a test's context never waits on another test's budget.

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface GateOptions {
  maxConcurrent: number;
  maxPerWindow: number;
  windowMs: number;
}

export const LOG_ANALYTICS_LIMITS: GateOptions = { maxConcurrent: 5, maxPerWindow: 200, windowMs: 30_000 };

export class QueryGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly starts: number[] = [];
  private pausedUntil = 0;
  /** Highest concurrency reached, for tests and benchmarks. */
  peakConcurrency = 0;

  constructor(readonly options: GateOptions = LOG_ANALYTICS_LIMITS) {}

  /** Hold every query that has not started yet until `until` (epoch ms). */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    if (this.running >= this.options.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.running);
    try {
      for (;;) {
        const now = Date.now();
        while (this.starts.length && this.starts[0] <= now - this.options.windowMs) this.starts.shift();
        const waitPause = this.pausedUntil - now;
        const waitWindow = this.starts.length >= this.options.maxPerWindow ? this.starts[0] + this.options.windowMs - now : 0;
        const wait = Math.max(waitPause, waitWindow);
        if (wait <= 0) break;
        await sleep(wait, signal);
      }
      this.starts.push(Date.now());
    } catch (e) {
      this.release();
      throw e;
    }
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }
}
