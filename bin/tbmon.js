#!/usr/bin/env node
'use strict';
// The `tbmon` command. Built (npm run build), it runs dist/cli/main.js; not built, the TypeScript source through tsx,
// in this process. Either way it calls the module's exported run(): a module that is required never runs itself.
// On a Node older than 22 it goes through scripts/bootstrap.js, as `npm run tbmon` does (which fetches Node 22).
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);

if (Number(process.versions.node.split('.')[0]) < 22) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'bootstrap.js'), 'tbmon', ...argv], { stdio: 'inherit' });
  process.exit(r.status === null ? 1 : r.status);
}

function installed(name) {
  try {
    require.resolve(name, { paths: [root] });
    return true;
  } catch {
    return false;
  }
}

function refuse(message) {
  process.stderr.write(`tbmon: ${message}\n`);
  process.exit(2);
}

if (!installed('@azure/identity')) {
  refuse(`the npm packages are not installed in ${root}.\n  Run \`npm ci\` there first (then \`npx tbmon …\` again), or run \`npm run tbmon -- …\`, which installs them.`);
}
// A bounded heap (bin/heap.cjs): started without one, tbmon runs itself again with it — one more Node start (tens of
// ms) — and the parent only waits, passing signals on and the exit code back.
const { HEAP_LIMIT_ARG, hasHeapLimit, wantsHeapLimit } = require('./heap.cjs');
if (!hasHeapLimit() && wantsHeapLimit(argv, Boolean(process.stdout.isTTY))) {
  const { spawn } = require('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, HEAP_LIMIT_ARG, __filename, ...argv], { stdio: 'inherit' });
  // Ctrl-C reaches the whole process group, the child too; a signal sent to this process alone is passed on.
  const forward = (signal) => { if (child.exitCode === null && child.signalCode === null) child.kill(signal); };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.once('error', (e) => refuse(`could not start Node (${process.execPath}): ${e.message}`));
  child.once('exit', (code, signal) => {
    if (signal) {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    }
    process.exit(code === null ? 1 : code);
  });
  return;
}
const built = path.join(root, 'dist', 'cli', 'main.js');
let cli;
if (fs.existsSync(built)) {
  cli = require(built);
} else {
  if (!installed('tsx')) refuse(`tbmon is not built and its development packages are not installed.\n  Run \`npm ci && npm run build\` in ${root}.`);
  require('tsx/cjs/api').register();
  cli = require(path.join(root, 'cli', 'main.ts'));
}
cli.run(argv);
