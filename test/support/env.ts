// Test-process access to storage: the runner's shared Azurite (TBMON_TEST_STORAGE), or — when a test file runs on
// its own — one Azurite started for this process and stopped when it exits.
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { startAzurite } from '../../devhost/azurite';

/** Small retry delays so a test that meets a 429 or 503 stays fast. */
export const TEST_RETRY = { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50 };

let own: Promise<string> | undefined;

export function testStorageConnectionString(): Promise<string> {
  const shared = process.env.TBMON_TEST_STORAGE;
  if (shared) return Promise.resolve(shared);
  own ??= startAzurite().then((azurite) => {
    // 'exit' handlers run synchronously: a signal by PID is all that fits, and all Azurite needs.
    const kill = (): void => { try { process.kill(azurite.pid, 'SIGTERM'); } catch { /* already gone */ } };
    process.once('exit', kill);
    // Interrupted (Ctrl-C, a runner's SIGTERM): stop Azurite too, then die of the same signal.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        kill();
        process.kill(process.pid, sig);
      });
    }
    return azurite.connectionString;
  });
  return own;
}

/**
 * A queue/table name unique to this test run: lowercase letters and digits only, so it is valid for both queues
 * (3–63, lowercase, digits, single hyphens) and tables (3–63, alphanumeric, starting with a letter).
 */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/^[^a-z]+/, '') || 't';
  return `${clean.slice(0, 40)}${randomBytes(6).toString('hex')}`;
}

/** A client of table `name` on the test storage (Azurite over plain HTTP, short retries); pass a `uniqueName`. */
export function testTable(connectionString: string, name: string): TableClient {
  return TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true, retryOptions: TEST_RETRY });
}
