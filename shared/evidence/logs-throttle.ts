// Retrying Log Analytics queries through the caller's gate (AzureContext.logAnalyticsGate, shared/query-gate.ts): a
// 429/503 answered with Retry-After pauses every new query until then — the sweep finishes later rather than
// reporting what it did not see.
import { RestError } from '@azure/core-rest-pipeline';
import { sleep, type QueryGate } from '../query-gate';

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
