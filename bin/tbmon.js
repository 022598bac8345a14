#!/usr/bin/env node
'use strict';
// The `tbmon` command: the compiled CLI when built (npm run build), else the TypeScript source through tsx.
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const built = path.join(root, 'dist', 'cli', 'main.js');
if (fs.existsSync(built)) {
  require(built);
} else {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status === null ? 1 : r.status);
}
