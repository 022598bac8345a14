// A function's dependencies are built on its first invocation and reused; a build that fails (a configuration or
// storage error) is not kept, so the next invocation tries again once the cause is fixed.
export function buildOnce<A extends unknown[], T>(build: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  let pending: Promise<T> | undefined;
  return (...args: A) => {
    pending ??= build(...args).catch((e: unknown) => {
      pending = undefined;
      throw e;
    });
    return pending;
  };
}
