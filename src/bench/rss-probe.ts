import fs from 'node:fs';

/**
 * Preloaded into the measured `synder sync` child (NODE_OPTIONS=--import): on exit it writes the
 * process's peak resident set size, so the figure is the child's alone and never misses the peak
 * the way polling can.
 */
const file = process.env.SYNDER_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const { maxRSS } = process.resourceUsage(); // kilobytes
    fs.writeFileSync(file, JSON.stringify({ maxRssKb: maxRSS, heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576) }));
  });
}
