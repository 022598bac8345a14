// What evidence gatherers get: clients, settings, a per-sweep cache and a place to report run-level problems.
import type { AzureContext } from '../azure';
import type { Settings } from '../config';
import type { RunError } from '../model';

export interface EvidenceContext {
  azure: AzureContext;
  settings: Settings;
  /** `batch`: a sweep's tb-evaluate batch (Resource Graph bulk reads are fine); `on-demand`: fresh ARM reads. */
  mode: 'batch' | 'on-demand';
  /** Run-level problems (a query that failed after retries, an unreadable resource); never dropped. */
  errors: RunError[];
  /** Per-sweep memo (service tags per region, VM sizes per location, …): key → pending value. */
  cache: Map<string, Promise<unknown>>;
  /** The evaluation time (the sandbox clock in tests); defaults to now. */
  now: Date;
  abortSignal?: AbortSignal;
}

/** Memoize one value per key for the life of the context's cache (a sweep). */
export function cached<T>(ctx: Pick<EvidenceContext, 'cache'>, key: string, make: () => Promise<T>): Promise<T> {
  let p = ctx.cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    ctx.cache.set(key, p);
    // A failed lookup is not cached: the next caller tries again.
    p.catch(() => ctx.cache.delete(key));
  }
  return p;
}
