'use strict';
// The V8 heap limit tbmon runs under: the CLI (bin/tbmon.js, npm run tbmon) and the Function App's Node worker
// (infra/app/resources.bicep `languageWorkers__node__arguments`; a test holds the two equal).
//
// tbmon's live memory is bounded whatever the fleet — discovery hands hosts on in batches and at most 20,000 are held;
// reports are written as they are made — but without a limit V8 sizes the heap from the machine's memory (a quarter
// of it, ~4 GB on a 16 GB laptop) and collects lazily, so peak RSS still grew with the length of the run (scan at
// 100,000 hosts: 656 MB). With this limit the collector keeps to it: measured with `npm run bench:scale` (README).
// A scan written as a table or HTML runs without it: those formats sort the fleet failing first, so they keep what
// they print of every host until the end (JSON and NDJSON are written host by host). `NODE_OPTIONS=
// --max-old-space-size=N` (or the flag itself) overrides it either way.
const HEAP_LIMIT_MB = 256;
const HEAP_LIMIT_ARG = `--max-old-space-size=${HEAP_LIMIT_MB}`;

/** True when this process already runs with a heap limit of its own (a flag, or NODE_OPTIONS). */
function hasHeapLimit(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS || '') {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => /^--max[-_]old[-_]space[-_]size(=|$)/.test(a));
}

/**
 * Whether the command `argv` (tbmon's arguments) runs under the limit: all but a scan whose format is table or html —
 * given, or table by default on a terminal without --output (cli/main.ts formatOf).
 */
function wantsHeapLimit(argv, stdoutIsTty) {
  if (argv[0] !== 'scan') return true;
  let format;
  let output = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--format') format = argv[++i];
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a === '--output' || a.startsWith('--output=')) output = true;
  }
  format ??= stdoutIsTty && !output ? 'table' : 'json';
  return format !== 'table' && format !== 'html';
}

module.exports = { HEAP_LIMIT_MB, HEAP_LIMIT_ARG, hasHeapLimit, wantsHeapLimit };
