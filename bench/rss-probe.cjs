// Preloaded into a measured process (node --require): at exit, appends one JSON line to the file named by
// BENCH_RSS_FILE — the process's peak resident set size (KB, from the kernel) and, sampled every second, the peaks of
// what V8 and Node account for: heap used, heap committed (heapTotal) and each heap space's committed size (new, old,
// code, large objects), external memory and array buffers. RSS minus those is native memory (malloc: TLS, zlib, the
// parser…). Not more often: a 100 ms timer alone grows an idle process's RSS by ~7 MB over two minutes (measured: the
// bin's waiting parent, 45 MB without it, 52 MB with it), which made a long run look as if it grew with the fleet.
// Measures the process itself, not the sandbox. The tbmon bin runs itself again under its heap limit (bin/heap.cjs),
// and the preload goes along, so both processes write a line and the bench adds them up.
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');

const file = process.env.BENCH_RSS_FILE;
if (file) {
  const MB = 1048576;
  const peak = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, rss: 0 };
  const spaces = {};
  const sample = () => {
    const m = process.memoryUsage();
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k]);
    for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = Math.max(spaces[s.space_name] ?? 0, s.physical_space_size);
  };
  setInterval(sample, 1000).unref();
  process.on('exit', () => {
    sample();
    const mb = (n) => Math.round(n / MB);
    fs.appendFileSync(file, `${JSON.stringify({
      pid: process.pid,
      maxRssKb: process.resourceUsage().maxRSS,
      peakHeapMb: mb(peak.heapUsed),
      peakHeapTotalMb: mb(peak.heapTotal),
      peakExternalMb: mb(peak.external),
      peakArrayBuffersMb: mb(peak.arrayBuffers),
      peakSpacesMb: Object.fromEntries(Object.entries(spaces).map(([k, v]) => [k.replace(/_space$/, ''), mb(v)])),
    })}\n`);
  });
}
