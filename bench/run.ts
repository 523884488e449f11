import Table from 'cli-table3';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { LedgerProvider } from '../src/onboarding/connect-ledger.js';
import { ordersForSettled } from './calibrate.js';
import { runCell, type CellResult } from './cell.js';
import { startPostgres } from '../test/helpers/postgres-cluster.js';
import { RequestCounter } from './request-counter.js';
import { runWorkersCell, type WorkersCellResult } from './workers.js';

/**
 * `npm run bench`: syncs a sandbox shop of N settled orders into each ledger and mode, with the
 * sandbox enforcing the published rate limits (time-compressed by --scale), and prints wall time,
 * API calls per order per provider, ledger calls per document, the sync process's peak RSS, and
 * the ratio of wall time to the rate-limit floor. Options (or SYNDER_BENCH_<NAME> variables):
 *   --orders 2000,10000,100000   settled orders per run (sizes show whether memory grows); by
 *                         default all three in summary mode, 2,000 and 10,000 per transaction (a
 *                         per-transaction 100,000 run takes the better part of an hour: ask for it)
 *   --ledger quickbooks|xero|all   --mode per-transaction|summary|all
 *   --scale N             rate-limit windows divided by N (default 10 per-transaction, 1 summary)
 *   --days 30   --seed 11
 * Workers: `--workers 1,3 --orgs 20 [--concurrency 1,4]` queues one sync per org (each its own shop
 * and QuickBooks company) and times W worker processes through them: org syncs per hour, documents
 * per minute, each worker's peak RSS, and the ratio to the floor (each company's own limits, all
 * companies in parallel). Its state and queue live in PostgreSQL: the server named by
 * SYNDER_BENCH_DATABASE_URL (or SYNDER_DATABASE_URL), else a throwaway cluster started for the run.
 * SYNDER_BENCH_LOG_DIR keeps each worker's log there (job starts, ends, retries and their reasons).
 * SYNDER_BENCH_NODE_OPTIONS goes to the measured sync only: `--max-old-space-size=40` shows how little
 * of its peak RSS is live data (V8 grows the heap lazily when memory is plentiful).
 */
const TARGETS = { quickbooksDocsPerCall: 25, xeroDocsPerCall: 40, ratio: 1.2, rssGrowth: 1.1, rssMb: 150 };
const DEFAULT_ORDERS = { summary: [2000, 10_000, 100_000], 'per-transaction': [2000, 10_000] };

function options() {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string' }, orgs: { type: 'string' }, concurrency: { type: 'string' },
      orders: { type: 'string' }, ledger: { type: 'string' }, mode: { type: 'string' }, scale: { type: 'string' }, days: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  const env = (name: string) => process.env[`SYNDER_BENCH_${name.toUpperCase()}`];
  const pick = (name: keyof typeof values) => (values[name] as string | undefined) ?? env(name);
  if (values.help) {
    process.stdout.write('npm run bench -- [--orders 2000,10000,100000] [--ledger quickbooks|xero|all] [--mode per-transaction|summary|all] [--scale N] [--days 30] [--seed 11]\n');
    process.stdout.write('npm run bench -- --workers 1,3 --orgs 20 [--concurrency 1,4] [--orders 200] [--scale 10]   (SYNDER_BENCH_DATABASE_URL, or a throwaway PostgreSQL)\n');
    process.exit(0);
  }
  const list = <T extends string>(raw: string | undefined, all: T[], name: string): T[] => {
    if (!raw || raw === 'all') return all;
    const items = raw.split(',').map((s) => s.trim()) as T[];
    for (const i of items) if (!all.includes(i)) throw new Error(`--${name} "${i}" is not one of ${all.join(', ')}`);
    return items;
  };
  const num = (raw: string | undefined, def: number, name: string) => {
    const n = raw === undefined ? def : Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} "${raw}" is not a positive number`);
    return n;
  };
  return {
    orders: pick('orders')?.split(',').map((s) => num(s, 0, 'orders')),
    ledgers: list<LedgerProvider>(pick('ledger'), ['quickbooks', 'xero'], 'ledger'),
    modes: list<'per-transaction' | 'summary'>(pick('mode'), ['per-transaction', 'summary'], 'mode'),
    /** Default: ×10 for per-transaction (its floor is minutes of batch calls), ×1 for summary (seconds). */
    scale: pick('scale') === undefined ? undefined : num(pick('scale'), 10, 'scale'),
    days: num(pick('days'), 30, 'days'),
    seed: num(pick('seed'), 11, 'seed'),
    workers: pick('workers')?.split(',').map((s) => num(s, 1, 'workers')),
    orgs: num(pick('orgs'), 20, 'orgs'),
    concurrency: (pick('concurrency') ?? '4').split(',').map((s) => num(s, 4, 'concurrency')),
  };
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');

function table(rows: CellResult[]): string {
  const t = new Table({
    head: ['ledger', 'mode', 'orders', 'docs', 'wall s', 'tiktok calls/order', 'ledger calls/order', 'docs (objects) per ledger call', 'peak RSS MB', 'floor s (binding limit)', 'ratio'],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    t.push([
      r.ledger, r.mode, r.settledOrders, r.documents + (r.failed ? ` (+${r.failed} failed)` : ''), f(r.wallSeconds), f(r.tiktokCalls / r.settledOrders, 3), f(r.ledgerCalls / r.settledOrders, 3),
      `${f(r.documents / r.ledgerCalls)} (${f(r.ledgerObjects / r.ledgerCalls)})`, f(r.peakRssMb, 0), `${f(r.floor.seconds)} (${r.floor.binding?.provider ?? ''} ${r.floor.binding?.limit ?? ''}, ×${r.scale})`, f(r.wallSeconds / r.floor.seconds, 2),
    ]);
  }
  return t.toString();
}

function detail(r: CellResult): string {
  const calls = [...r.ledgerPaths].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${n} × ${p.replace(/\/v3\/company\/\{id\}|\/api\.xro\/2\.0/, '')}`).join(', ');
  const limits = r.floor.uses.filter((u) => u.seconds > 0).sort((a, b) => b.seconds - a.seconds).slice(0, 4).map((u) => `${u.provider} ${u.limit}: ${u.calls} calls → ${f(u.seconds)} s`).join('; ');
  return `  ${r.ledger} calls: ${calls}\n  limits: ${limits}\n  ${r.ledger} idle: ${f(r.ledgerIdle.before)} s from the start to its first call, ${f(r.ledgerIdle.after)} s from its last call to the end\n  429s: tiktok ${r.throttled.tiktok}, ${r.ledger} ${r.throttled.ledger}${r.throttledBy ? ` (${Object.entries(r.throttledBy).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})` : ''}; ${r.ledgerObjects} ledger objects\n  memory: peak RSS ${f(r.peakRssMb, 0)} MB; sampled peaks: JS heap used ${r.peakHeapMb} MB of ${r.peakHeapTotalMb} MB reserved, outside the JS heap ${r.peakOutsideHeapMb} MB (SQLite, buffers, code; buffers alone ${r.peakExternalMb} MB)`;
}

async function workersBench(o: ReturnType<typeof options>, counter: RequestCounter): Promise<number> {
  // A server of the caller's, or a throwaway cluster like the tests': each cell makes a database and drops it.
  if (!process.env.SYNDER_BENCH_DATABASE_URL && process.env.SYNDER_DATABASE_URL) process.env.SYNDER_BENCH_DATABASE_URL = process.env.SYNDER_DATABASE_URL;
  const server = await startPostgres('SYNDER_BENCH_DATABASE_URL');
  if ('skip' in server) throw new Error(`--workers needs a PostgreSQL server: ${server.skip}`);
  try {
    return await workersCells(o, counter, server.url);
  } finally {
    server.stop();
  }
}

async function workersCells(o: ReturnType<typeof options>, counter: RequestCounter, serverUrl: string): Promise<number> {
  const orders = o.orders?.[0] ?? 200;
  const scale = o.scale ?? 10;
  const rows: WorkersCellResult[] = [];
  const logDir = process.env.SYNDER_BENCH_LOG_DIR;
  if (logDir) fs.mkdirSync(logDir, { recursive: true });
  for (const workers of o.workers!) {
    for (const concurrency of o.concurrency) {
      process.stderr.write(`\n▶ ${workers} worker(s) × ${concurrency} syncs, ${o.orgs} orgs of ${orders} generated orders, quickbooks per-transaction, limits ×${scale}…\n`);
      rows.push(await runWorkersCell({ workers, orgs: o.orgs, concurrency, scale, orders, days: o.days, seed: o.seed, serverUrl, counter, logDir }));
    }
  }
  const t = new Table({
    head: ['workers × syncs', 'orgs done', 'docs', 'wall s', 'org syncs/hour', 'docs/min', 'peak RSS MB per worker', 'floor s (binding limit)', 'ratio', 'retries', 'mean s queued / running', 'CPU s: workers + sandbox'],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    t.push([
      `${r.workers} × ${r.concurrency}`, `${r.done}${r.failed ? ` (+${r.failed} failed)` : ''}`, r.documents, f(r.wallSeconds), f(r.orgSyncsPerHour, 0), f(r.documentsPerMinute, 0), r.peakRssMb.map((m) => f(m, 0)).join(', '),
      `${f(r.floorSeconds)} (${r.floorBinding})`, f(r.wallSeconds / r.floorSeconds, 2), r.retries, `${f(r.meanQueuedSeconds)} / ${f(r.meanRunSeconds)}`,
      `${f(r.workerCpuSeconds.reduce((a, b) => a + b, 0))} + ${f(r.sandboxCpuSeconds)}`,
    ]);
  }
  process.stdout.write(`${t.toString()}\n`);
  if (rows.length > 1) {
    const [a, b] = [rows[0]!, rows[rows.length - 1]!];
    process.stdout.write(`  ${b.workers} × ${b.concurrency} vs ${a.workers} × ${a.concurrency}: ×${f(b.orgSyncsPerHour / a.orgSyncsPerHour, 2)} org syncs per hour; ${os.cpus().length} CPU(s) here, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  }
  return 0;
}

async function main(): Promise<number> {
  const o = options();
  const counter = new RequestCounter();
  counter.start();
  if (o.workers) {
    try {
      return await workersBench(o, counter);
    } finally {
      counter.stop();
    }
  }
  const results: CellResult[] = [];
  process.stderr.write(`synder bench: ${o.orders?.join(', ') ?? 'default'} settled orders × ${o.ledgers.join(', ')} × ${o.modes.join(', ')}; rate limits time-compressed ×${o.scale ?? '10 (per-transaction) / ×1 (summary)'}\n`);
  for (const ledger of o.ledgers) {
    for (const mode of o.modes) {
      for (const orders of o.orders ?? DEFAULT_ORDERS[mode]) {
        const generatedOrders = ordersForSettled(orders, o.seed, o.days);
        process.stderr.write(`\n▶ ${ledger} ${mode}: ${orders} settled orders (${generatedOrders} generated over ${o.days} days)…\n`);
        const scale = o.scale ?? (mode === 'summary' ? 1 : 10);
        const r = await runCell({ ledger, mode, generatedOrders, days: o.days, scale, seed: o.seed, counter });
        results.push(r);
        process.stdout.write(`${table([r])}\n${detail(r)}\n`);
        if (r.exitCode !== 0) process.stdout.write(`  sync exit code ${r.exitCode}${r.failed ? `, ${r.failed} document(s) failed` : ''}\n`);
      }
    }
  }
  counter.stop();
  process.stdout.write(`\nAll runs:\n${table(results)}\n\nTargets:\n`);
  let allMet = true;
  const line = (met: boolean, text: string) => {
    allMet &&= met;
    process.stdout.write(`  ${met ? 'met    ' : 'NOT MET'}  ${text}\n`);
  };
  for (const r of results) {
    const docsPerCall = r.documents / r.ledgerCalls;
    const objectsPerCall = r.ledgerObjects / r.ledgerCalls;
    if (r.mode === 'summary') {
      // Summary mode writes a handful of documents per statement: there is nothing to batch.
      process.stdout.write(`  n/a      ${r.ledger} summary ${r.settledOrders}: ${r.documents} documents in all (${f(docsPerCall)} per call); batching applies to per-transaction volumes\n`);
    } else if (r.ledger === 'quickbooks') {
      line(docsPerCall >= TARGETS.quickbooksDocsPerCall, `quickbooks ${r.mode} ${r.settledOrders}: batched writes, ${f(docsPerCall)} documents per QuickBooks call (target ≥ ${TARGETS.quickbooksDocsPerCall}; a batch holds 30)`);
    } else {
      // A Xero batch holds 50 objects, and a synder sale is two Xero documents (an invoice and its
      // payment, DESIGN §3): the target counts what Xero calls documents.
      line(objectsPerCall >= TARGETS.xeroDocsPerCall, `xero ${r.mode} ${r.settledOrders}: batched writes, ${f(objectsPerCall)} Xero documents (invoices, payments, bank transactions, transfers) per Xero call, from ${f(docsPerCall)} synder documents (target ≥ ${TARGETS.xeroDocsPerCall}; a PUT holds 50)`);
    }
  }
  for (const r of results) line(r.peakRssMb <= TARGETS.rssMb, `${r.ledger} ${r.mode} ${r.settledOrders}: peak RSS ${f(r.peakRssMb, 0)} MB (target ≤ ${TARGETS.rssMb} MB)`);
  for (const r of results) {
    const ratio = r.wallSeconds / r.floor.seconds;
    line(ratio < TARGETS.ratio, `${r.ledger} ${r.mode} ${r.settledOrders}: wall ${f(r.wallSeconds)} s / floor ${f(r.floor.seconds)} s = ${f(ratio, 2)} (target < ${TARGETS.ratio})`);
  }
  const sizes = [...new Set(results.map((r) => r.settledOrders))];
  for (const ledger of o.ledgers) {
    for (const mode of o.modes) {
      const cells = results.filter((r) => r.ledger === ledger && r.mode === mode).sort((a, b) => a.settledOrders - b.settledOrders);
      if (cells.length < 2) continue;
      const small = cells[0]!;
      const large = cells[cells.length - 1]!;
      const growth = large.peakRssMb / small.peakRssMb;
      const peak = Math.max(...cells.map((c) => c.peakRssMb));
      const low = Math.min(...cells.map((c) => c.peakRssMb));
      line(growth <= TARGETS.rssGrowth && peak / low <= TARGETS.rssGrowth, `${ledger} ${mode}: peak RSS ${cells.map((c) => `${f(c.peakRssMb, 0)} MB at ${c.settledOrders}`).join(', ')} orders (×${f(growth, 2)} from the smallest to the largest shop; target ≤ ×${TARGETS.rssGrowth}, i.e. flat)`);
    }
  }
  if (sizes.length < 2) process.stdout.write('  (memory growth needs two sizes: --orders 2000,100000)\n');
  void allMet; // a benchmark reports; it does not fail the caller
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
