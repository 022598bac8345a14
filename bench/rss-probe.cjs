// Preloaded into a measured process (node --require): at exit, appends one JSON line to the file named by
// BENCH_RSS_FILE — the process's own peak resident set size (KB, the kernel's VmHWM) and, sampled every second, the peaks of
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
  // RSS split as the kernel counts it (/proc/self/status): anonymous memory is what the process allocated (V8's heap,
  // malloc); file-backed is the mapped node binary and libraries, shared with every Node process. Once khugepaged has
  // collapsed the binary's text into huge pages in the page cache, a process maps it 2 MB at a time: its file-backed
  // RSS then jumps by up to the whole text (~80 MB) at a time that depends on the machine, not on the run.
  const rssParts = { RssAnon: 0, RssFile: 0, RssShmem: 0 };
  // The process's own peak RSS since it started: VmHWM (the kernel's high-water mark of this process image, exact, not
  // sampled). Not resourceUsage().maxRSS: Linux carries it across fork and exec, so a process spawned by the bench
  // reported the bench's own RSS at the spawn (the tbmon bin's waiting parent: 124 MB at 100,000 hosts, of which it
  // used 48) whenever that was more than its own peak.
  let vmHwmKb = 0;
  const readStatus = () => {
    try {
      for (const m of fs.readFileSync('/proc/self/status', 'utf8').matchAll(/^(RssAnon|RssFile|RssShmem|VmHWM):\s+(\d+) kB/gm)) {
        if (m[1] === 'VmHWM') vmHwmKb = Number(m[2]);
        else rssParts[m[1]] = Math.max(rssParts[m[1]], Number(m[2]));
      }
    } catch {
      /* not Linux */
    }
  };
  const sample = () => {
    readStatus();
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
      peakRssKb: vmHwmKb || process.resourceUsage().maxRSS,
      peakRssAnonMb: Math.round(rssParts.RssAnon / 1024),
      peakRssFileMb: Math.round(rssParts.RssFile / 1024),
      peakHeapMb: mb(peak.heapUsed),
      peakHeapTotalMb: mb(peak.heapTotal),
      peakExternalMb: mb(peak.external),
      peakArrayBuffersMb: mb(peak.arrayBuffers),
      peakSpacesMb: Object.fromEntries(Object.entries(spaces).map(([k, v]) => [k.replace(/_space$/, ''), mb(v)])),
    })}\n`);
  });
}
