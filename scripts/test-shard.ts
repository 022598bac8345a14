// One process for many test files: scripts/run-tests.ts starts a few of these side by side and hands each the next
// file when it asks (over the IPC channel), so the shards stay level. Each file runs in a suite of its own — its
// top-level before/after hooks stay its own — and the modules it imports (the SDKs, the Kusto language service of the
// sandbox) are loaded once per shard, not once per file: on a 2-core machine starting processes cost more than the
// tests. A shard whose memory has grown past TBMON_TEST_SHARD_RSS_MB (default 1,024) after a file retires, and the
// runner starts a fresh one for the files left.
import path from 'node:path';
import { describe } from 'node:test';

type FromRunner = { file: string | null };
type ToRunner = { type: 'next' } | { type: 'done'; file: string; ms: number; rssMb: number };

const root = path.resolve(__dirname, '..');
/** A file still running after this has hung: it fails, and the shard goes on with the next one. */
const FILE_TIMEOUT_MS = 10 * 60_000;
const retireAtRss = (Number(process.env.TBMON_TEST_SHARD_RSS_MB) || 1_024) * 1_048_576;

function send(message: ToRunner): void {
  process.send?.(message);
}

function nextFile(): Promise<string | null> {
  if (!process.send) return Promise.resolve(null);
  return new Promise((resolve) => {
    process.once('message', (m: FromRunner) => resolve(m.file));
    send({ type: 'next' });
  });
}

async function main(): Promise<void> {
  for (let file = await nextFile(); file; file = await nextFile()) {
    const started = performance.now();
    const name = file;
    await describe(name, { timeout: FILE_TIMEOUT_MS }, () => {
      require(path.resolve(root, name));
    });
    const rss = process.memoryUsage().rss;
    send({ type: 'done', file, ms: Math.round(performance.now() - started), rssMb: Math.round(rss / 1_048_576) });
    if (rss > retireAtRss) break;
  }
  process.disconnect?.();
}

void main();
