// The layer rule of `npm run lint` (.dependency-cruiser.cjs) fires: a tree laid out like ours, with one import of
// each forbidden kind, is cruised by the real dependency-cruiser with the project's own config, and exactly those
// imports are reported — a lower room importing a higher one, a root file of shared/ in no layer, the sandbox in
// product code or loaded eagerly by the CLI — while the allowed ones (downward, a lazy require behind --sandbox) pass.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';

const root = path.resolve(__dirname, '..', '..');

const TREE: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true } }),
  'shared/model.ts': 'export type Id = string;\n',
  'shared/notify/digest.ts': "import type { Id } from '../model';\nexport const digest = (id: Id): string => id;\n",
  // state → notify: upward.
  'shared/state/outbox.ts': "import { digest } from '../notify/digest';\nexport const row = digest('a');\n",
  // checks → evidence → discovery: downward, allowed.
  'shared/discovery/ids.ts': 'export const lower = (s: string): string => s.toLowerCase();\n',
  'shared/evidence/logs.ts': "import { lower } from '../discovery/ids';\nexport const table = lower('Syslog');\n",
  'shared/checks/script.ts': "import { table } from '../evidence/logs';\nexport const check = table;\n",
  // discovery → checks: upward.
  'shared/discovery/identify.ts': "import { check } from '../checks/script';\nexport const identify = check;\n",
  // A root file of shared/ that no layer names.
  'shared/brand-new.ts': "import type { Id } from './model';\nexport const fresh: Id = 'x';\n",
  // One that imports nothing, caught where it is imported.
  'shared/leaf.ts': 'export const leaf = 1;\n',
  'shared/config.ts': "import { leaf } from './leaf';\nexport const setting = leaf;\n",
  // A use-case importing the sandbox.
  'shared/sweep.ts': "import { startSandbox } from '../sandbox/server';\nexport const sweep = startSandbox;\n",
  'sandbox/server.ts': 'export const startSandbox = (): number => 1;\n',
  // The CLI: a static import of the sandbox is refused, a lazy require() behind --sandbox is how it is done.
  'cli/main.ts': "import { startSandbox } from '../sandbox/server';\nexport const run = startSandbox;\n",
  'cli/demo.ts': "export function demo(): number {\n  const { startSandbox } = require('../sandbox/server') as typeof import('../sandbox/server');\n  return startSandbox();\n}\n",
};

test('the layer rules report exactly the upward, unassigned and sandbox imports of a tree', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tbmon-layers-'));
  try {
    for (const [file, text] of Object.entries(TREE)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    const bin = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
    // The same command line as the lint step (scripts/run-tests.ts, `npm run lint`).
    const run = spawnSync(process.execPath, [bin, '--config', path.join(root, '.dependency-cruiser.cjs'), '--output-type', 'err', 'shared', 'cli'], { cwd: dir, encoding: 'utf8' });
    const found = [...run.stdout.matchAll(/^\s*error (\S+): (\S+) → (\S+)$/gm)].map((m) => `${m[1]}: ${m[2]} → ${m[3]}`).sort();
    assert.deepEqual(found, [
      'discovery-imports-upward: shared/discovery/identify.ts → shared/checks/script.ts',
      'sandbox-eagerly-in-cli: cli/main.ts → sandbox/server.ts',
      'sandbox-in-product: shared/sweep.ts → sandbox/server.ts',
      'shared-root-unassigned: shared/brand-new.ts → shared/model.ts',
      'shared-root-unassigned: shared/config.ts → shared/leaf.ts',
      'state-imports-upward: shared/state/outbox.ts → shared/notify/digest.ts',
    ]);
    assert.notEqual(run.status, 0, `violations make the lint step fail: ${run.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
