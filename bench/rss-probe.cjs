// Preloaded into a measured process (node --require): at exit, writes the process's peak resident set size (KB)
// to the file named by TBMON_BENCH_RSS_FILE. Measures the process itself, not its children or the sandbox.
'use strict';
const fs = require('node:fs');

const file = process.env.TBMON_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    fs.writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
