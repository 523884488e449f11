import fs from 'node:fs';

/**
 * Preloaded into the measured `synder sync` child (NODE_OPTIONS=--import): on exit it writes the
 * process's peak resident set size, so the figure is the child's alone and never misses the peak
 * the way polling can, plus the peaks of the JavaScript heap and of memory outside it (SQLite,
 * buffers), sampled, which tell what a growing RSS is made of, and the CPU time it used.
 */
const file = process.env.SYNDER_BENCH_RSS_FILE;
if (file) {
  let heapUsed = 0;
  let heapTotal = 0;
  let outsideHeap = 0;
  let external = 0;
  const sample = () => {
    const m = process.memoryUsage();
    heapUsed = Math.max(heapUsed, m.heapUsed);
    heapTotal = Math.max(heapTotal, m.heapTotal);
    outsideHeap = Math.max(outsideHeap, m.rss - m.heapTotal);
    // Buffers and other memory V8 knows is held by JS objects (network responses, SQLite results).
    external = Math.max(external, m.external);
  };
  setInterval(sample, 200).unref();
  process.on('exit', () => {
    sample();
    const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage(); // kilobytes, microseconds
    const mb = (n: number) => Math.round(n / 1048576);
    fs.writeFileSync(file, JSON.stringify({ maxRssKb: maxRSS, peakHeapUsedMb: mb(heapUsed), peakHeapTotalMb: mb(heapTotal), peakOutsideHeapMb: mb(outsideHeap), peakExternalMb: mb(external), cpuSeconds: (userCPUTime + systemCPUTime) / 1e6 }));
  });
}
