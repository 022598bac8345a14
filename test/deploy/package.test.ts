// The deploy package (scripts/stage-deploy.mjs, what azd zips: azure.yaml `dist: .deploy`): production dependencies
// only, measured, and every function module loads from it alone with NODE_ENV=production — as the Functions host
// loads package.json "main" (dist/functions/*.js) from the uploaded package.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
let dir: string;
let out: string;

function size(p: string): { bytes: number; files: number } {
  const st = statSync(p);
  if (!st.isDirectory()) return { bytes: st.size, files: 1 };
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(p)) {
    const s = size(path.join(p, name));
    bytes += s.bytes;
    files += s.files;
  }
  return { bytes, files };
}

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tbmon-package-'));
  out = path.join(dir, 'package');
  // A fresh build of the sources under test (the tests run the sources through tsx), of the same files
  // tsconfig.build.json compiles — transpiled by esbuild (tsx's compiler) rather than tsc: the same modules and
  // imports, without the type check (`npm run typecheck` does that), in about 2 s instead of 40 on a busy 2-core machine.
  const include = (JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] }).include;
  const entryPoints: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) entryPoints.push(p);
    }
  };
  for (const d of include) walk(path.join(root, d));
  // esbuild comes with tsx (a devDependency), hoisted to node_modules/esbuild.
  const esbuild = require('esbuild') as { buildSync(o: Record<string, unknown>): unknown };
  esbuild.buildSync({ entryPoints, outdir: path.join(dir, 'dist'), outbase: root, format: 'cjs', platform: 'node', target: 'node22', logLevel: 'error' });
  // tsc (resolveJsonModule) also emits the JSON files the sources import (schemas/*.json) beside them in dist/.
  for (const f of entryPoints) {
    for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.{1,2}\/[^']+\.json)'/g)) {
      const src = path.resolve(path.dirname(f), m[1]);
      const dst = path.join(dir, 'dist', path.relative(root, src));
      mkdirSync(path.dirname(dst), { recursive: true });
      copyFileSync(src, dst);
    }
  }
  execFileSync(process.execPath, [path.join(root, 'scripts', 'stage-deploy.mjs'), '--dist', path.join(dir, 'dist'), '--out', out], { cwd: root, stdio: 'pipe' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('the package holds dist/, host.json, package.json and production dependencies — no devDependency', (t) => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  assert.deepEqual(readdirSync(out).sort(), ['dist', 'host.json', 'node_modules', 'package-lock.json', 'package.json', 'scripts']);
  // GET /api/launcher serves the launcher from the package: the script, byte for byte, and nothing else of scripts/.
  assert.deepEqual(readdirSync(path.join(out, 'scripts')), ['tensorboard-launch.sh']);
  assert.ok(readFileSync(path.join(out, 'scripts', 'tensorboard-launch.sh')).equals(readFileSync(path.join(root, 'scripts', 'tensorboard-launch.sh'))));
  for (const dep of Object.keys(pkg.dependencies)) assert.ok(existsSync(path.join(out, 'node_modules', dep, 'package.json')), `${dep} (a dependency) is in the package`);
  for (const dep of Object.keys(pkg.devDependencies)) assert.ok(!existsSync(path.join(out, 'node_modules', dep)), `${dep} (a devDependency) is not in the package`);
  assert.ok(!existsSync(path.join(out, 'node_modules', '.bin')), 'no .bin links');
  const total = size(out);
  const modules = size(path.join(out, 'node_modules'));
  const project = size(path.join(root, 'node_modules'));
  t.diagnostic(`package: ${(total.bytes / 1048576).toFixed(1)} MB in ${total.files} files (node_modules ${(modules.bytes / 1048576).toFixed(1)} MB); the project's node_modules: ${(project.bytes / 1048576).toFixed(1)} MB`);
  assert.ok(modules.bytes < project.bytes / 2, 'production dependencies are well under half the project node_modules');
});

test('every dist/functions/*.js loads from the package alone with NODE_ENV=production', () => {
  const modules = readdirSync(path.join(out, 'dist', 'functions')).filter((f) => f.endsWith('.js'));
  assert.ok(modules.length >= 5, 'the function modules are there');
  // One process, cwd = the package, a bare environment (no NODE_PATH): only the package's node_modules can resolve.
  // The package lives outside the project, so no parent node_modules is on the resolution path either.
  const script = `for (const m of ${JSON.stringify(modules)}) { require('./dist/functions/' + m); console.log('loaded ' + m); }`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: out, env: { PATH: process.env.PATH, NODE_ENV: 'production' }, encoding: 'utf8' });
  assert.equal(r.status, 0, `the function modules load: ${r.stderr.slice(0, 2000)}`);
  assert.deepEqual(r.stdout.trim().split('\n'), modules.map((m) => `loaded ${m}`));
});
