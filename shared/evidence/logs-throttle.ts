// Log Analytics' query limits, kept on the caller's side (research/domain-facts.md §d): at most 5 concurrent
// queries per caller, at most 200 requests per 30 s, and a 429/503 answered with Retry-After pauses every new query
// until then (the sweep finishes later rather than reporting what it did not see). One gate per endpoint per
// process, so concurrent batches in one Functions host share the caller's budget.
import { RestError } from '@azure/core-rest-pipeline';

export interface GateOptions {
  maxConcurrent: number;
  maxPerWindow: number;
  windowMs: number;
}

export const LOG_ANALYTICS_LIMITS: GateOptions = { maxConcurrent: 5, maxPerWindow: 200, windowMs: 30_000 };

const sleep = (ms: number, signal?: AbortSignal) =>
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

const gates = new Map<string, QueryGate>();

export function gateFor(endpoint: string): QueryGate {
  let g = gates.get(endpoint);
  if (!g) gates.set(endpoint, (g = new QueryGate()));
  return g;
}

export interface RetryPolicy {
  /** Attempts in all (the SDK's own retries happen inside each). */
  attempts: number;
  /** Back-off when the answer carries no Retry-After. */
  baseDelayMs: number;
  /** Longest single wait we accept from Retry-After or back-off. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** Throttled or briefly unavailable: worth waiting for. */
export function isRetryable(e: unknown): boolean {
  return e instanceof RestError && (e.statusCode === 429 || e.statusCode === 503);
}

/** Retry-After of a RestError's response in ms (`retry-after-ms`, `x-ms-retry-after-ms`, or `retry-after` in seconds or as an HTTP date); null when absent. */
export function retryAfterMs(e: unknown, now = Date.now()): number | null {
  if (!(e instanceof RestError) || !e.response) return null;
  const h = e.response.headers;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(h.get(name));
    if (h.get(name) && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const v = h.get('retry-after')?.trim();
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Run `fn` through the gate; a 429/503 pauses the gate for Retry-After (or back-off) and tries again. */
export async function runThrottled<T>(gate: QueryGate, fn: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await gate.run(fn, signal);
    } catch (e) {
      if (!isRetryable(e) || attempt >= policy.attempts) throw e;
      const delay = Math.min(policy.maxDelayMs, retryAfterMs(e) ?? policy.baseDelayMs * 2 ** (attempt - 1));
      gate.pauseUntil(Date.now() + delay);
      await sleep(delay, signal);
    }
  }
}
