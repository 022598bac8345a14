// Bounded concurrency: enough calls in flight to hide latency (ARM, Table storage), few enough to stay well under
// the services' per-caller limits.

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results in input order. After a call fails nothing
 * new starts: the calls in flight are waited for, then the first error is thrown — no work goes on behind the
 * caller's back.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return out;
}
