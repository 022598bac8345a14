// Preloaded into a measured process (node --require): at exit, appends one JSON line to the file named by
// BENCH_RSS_FILE — the process's peak resident set size (KB) and the peak V8 heap it used (sampled every 100 ms).
// Measures the process itself, not the sandbox. The tbmon bin runs itself again under its heap limit (bin/heap.cjs),
// and the preload goes along, so both processes write a line and the bench adds them up.
'use strict';
const fs = require('node:fs');

const file = process.env.BENCH_RSS_FILE;
if (file) {
  let peakHeap = 0;
  const sample = () => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed); };
  setInterval(sample, 100).unref();
  process.on('exit', () => {
    sample();
    fs.appendFileSync(file, `${JSON.stringify({ pid: process.pid, maxRssKb: process.resourceUsage().maxRSS, peakHeapMb: Math.round(peakHeap / 1048576) })}\n`);
  });
}
