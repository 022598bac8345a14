// The TensorBoard launcher (scripts/tensorboard-launch.sh) as owners get it: they do not have this repository, so
// the Function App serves the exact script at GET /api/launcher and the CLI prints it with `tbmon launcher`. Fixes
// and hints say both.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const RELATIVE = path.join('scripts', 'tensorboard-launch.sh');

/** The script's path: found upwards from this module (shared/ unbuilt, dist/shared/ built, the deployed package). */
export function launcherPath(from = __dirname): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, RELATIVE);
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The exact script, byte for byte. */
export function launcherScript(): Buffer {
  const file = launcherPath();
  if (!file) throw new Error(`${RELATIVE} is not in this package`);
  return readFileSync(file);
}
