import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Context } from '../src/runtime/context.js';
import { loadConfig } from '../src/config.js';
import type { LedgerProvider } from '../src/onboarding/connect-ledger.js';
import { connectSandboxShop } from '../src/onboarding/sandbox-shop.js';
import { freePort } from '../src/sandbox/http-kit.js';
import { startSandbox } from '../src/sandbox/index.js';
import type { QuickBooksSandbox } from '../src/sandbox/quickbooks/server.js';
import type { XeroSandbox } from '../src/sandbox/xero/server.js';
import { Store } from '../src/store/store.js';
import type { SyncSummary } from '../src/sync/types.js';
import { apiCallsOf, floorOf, quickbooksLimits, tiktokLimits, xeroLimits, type Floor } from './floor.js';
import type { RequestCounter } from './request-counter.js';

export interface CellOptions {
  ledger: LedgerProvider;
  mode: 'per-transaction' | 'summary';
  /** Orders the sandbox generates (some stay unsettled or cancelled; see settledOrders). */
  generatedOrders: number;
  days: number;
  scale: number;
  seed: number;
  counter: RequestCounter;
}

export interface CellResult {
  ledger: LedgerProvider;
  mode: string;
  scale: number;
  settledOrders: number;
  documents: number;
  failed: number;
  wallSeconds: number;
  tiktokCalls: number;
  ledgerCalls: number;
  ledgerPaths: Map<string, number>;
  /** Calls the sandboxes answered with 429 (tiktok, ledger). */
  throttled: { tiktok: number; ledger: number };
  /** Seconds from the sync's start to the ledger's first call, and from its last call to the sync's end. */
  ledgerIdle: { before: number; after: number };
  /** Which limit refused the sync's throttled calls, as the ledger sandbox counted them. */
  throttledBy?: Record<string, number>;
  /** Objects created in the ledger (a Xero sale is an invoice and its payment). */
  ledgerObjects: number;
  peakRssMb: number;
  /** Sampled peaks: the JavaScript heap, and what the process holds outside it (SQLite, buffers, code). */
  peakHeapMb: number;
  /** Sampled peak of the heap V8 reserved (what it grew to, live or not). */
  peakHeapTotalMb: number;
  peakOutsideHeapMb: number;
  /** Sampled peak of memory held outside the heap on behalf of JS objects (buffers). */
  peakExternalMb: number;
  floor: Floor;
  exitCode: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

/**
 * One benchmark cell: a fresh sandbox shop and ledger, an org connected through the real OAuth
 * redirect flow (auto-approved), then `synder sync --json` as a child process whose wall time and
 * peak RSS are measured, and the provider calls the sandbox servers saw.
 */
export async function runCell(opts: CellOptions): Promise<CellResult> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-bench-'));
  const redirectUri = `http://localhost:${await freePort()}/callback`;
  const sandbox = await startSandbox({
    autoApprove: true, seed: opts.seed, orders: opts.generatedOrders, days: opts.days, redirectUri, timeScale: opts.scale, services: ['tiktok', opts.ledger],
  });
  try {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>), ...sandbox.env, SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file', SYNDER_ORG: 'Bench Shop', SYNDER_TIME_SCALE: String(opts.scale),
    };
    await connect(env, opts);
    // Connecting called the ledger too. Waiting out its windows (as compressed) lets the measured
    // sync start with the whole budget, like a scheduled sync long after `connect`: always the
    // per-second one (else the sync's first calls are refused for calls it did not make), the
    // minute only when compressed (summary runs make a few dozen calls in all).
    const minuteMs = 60_000 / opts.scale;
    await new Promise((r) => setTimeout(r, (minuteMs <= 10_000 ? minuteMs : 1000 / opts.scale) + 100));
    const since = new Date(Date.now() - (opts.days + 1) * 86_400_000).toISOString().slice(0, 10);
    opts.counter.reset();
    const ledgerSandbox = sandbox.services.find((x) => x.name === opts.ledger) as QuickBooksSandbox | XeroSandbox | undefined;
    const refusedBefore = throttledBy(ledgerSandbox) ?? {};
    const startedAt = Date.now();
    const run = await runChild(env, ['sync', '--since', since, '--json'], home);
    const endedAt = Date.now();
    const tiktokUrl = sandbox.services.find((s) => s.name === 'tiktok')!.url;
    const ledgerUrl = sandbox.services.find((s) => s.name === opts.ledger)!.url;
    const tiktokPaths = opts.counter.forService(tiktokUrl);
    const ledgerPaths = opts.counter.forService(ledgerUrl);
    const uses = [...tiktokLimits(tiktokPaths, opts.scale), ...(opts.ledger === 'quickbooks' ? quickbooksLimits(ledgerPaths, opts.scale) : xeroLimits(ledgerPaths, opts.scale))];
    const s = run.summary;
    return {
      ledger: opts.ledger,
      mode: opts.mode,
      scale: opts.scale,
      settledOrders: s ? await countSettled(home) : 0,
      documents: s ? s.documents.created + s.documents.existing + s.documents.updated + s.documents.recovered : 0,
      failed: s?.documents.failed ?? 0,
      wallSeconds: run.wallSeconds,
      tiktokCalls: apiCallsOf('tiktok', tiktokPaths),
      ledgerCalls: apiCallsOf(opts.ledger, ledgerPaths),
      ledgerPaths,
      throttled: { tiktok: opts.counter.throttledAt(tiktokUrl), ledger: opts.counter.throttledAt(ledgerUrl) },
      ledgerIdle: ((span) => ({ before: span ? (span.first - startedAt) / 1000 : 0, after: span ? (endedAt - span.last) / 1000 : 0 }))(opts.counter.spanAt(ledgerUrl)),
      throttledBy: Object.fromEntries(Object.entries(throttledBy(ledgerSandbox) ?? {}).map(([k, n]) => [k, n - (refusedBefore[k] ?? 0)])),
      ledgerObjects: s ? await countObjects(home) : 0,
      peakRssMb: run.peakRssMb,
      peakHeapMb: run.peakHeapMb,
      peakHeapTotalMb: run.peakHeapTotalMb,
      peakOutsideHeapMb: run.peakOutsideHeapMb,
      peakExternalMb: run.peakExternalMb,
      floor: floorOf(uses),
      exitCode: run.exitCode,
    };
  } finally {
    await sandbox.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function connect(env: Record<string, string>, opts: CellOptions): Promise<void> {
  const quiet = { stdin: process.stdin, stdout: devNull(), stderr: devNull() };
  const ctx = new Context(loadConfig(env), env, quiet as unknown as Context['streams'], { now: () => new Date() } as Context['clock']);
  try {
    await connectSandboxShop(ctx, { orgName: 'Bench Shop', email: 'owner@bench-shop.test', ledger: opts.ledger, mode: opts.mode });
  } finally {
    await ctx.close();
  }
}

function throttledBy(ledger: QuickBooksSandbox | XeroSandbox | undefined): Record<string, number> | undefined {
  if (!ledger) return undefined;
  return 'stats' in ledger ? { ...ledger.stats.throttledBy } : { ...ledger.throttledBy };
}

function devNull(): NodeJS.WritableStream {
  return fs.createWriteStream(os.devNull);
}

interface ChildRun {
  exitCode: number;
  wallSeconds: number;
  peakRssMb: number;
  peakHeapMb: number;
  peakHeapTotalMb: number;
  peakOutsideHeapMb: number;
  peakExternalMb: number;
  summary?: SyncSummary;
}

async function runChild(env: Record<string, string>, args: string[], home: string): Promise<ChildRun> {
  const rssFile = path.join(home, 'bench-rss.json');
  const probe = path.join(here, 'rss-probe.js');
  // SYNDER_BENCH_PROFILE=<dir> writes a CPU profile of the sync (open it in Chrome DevTools).
  const profile = env.SYNDER_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${env.SYNDER_BENCH_PROFILE}`] : [];
  // SYNDER_BENCH_NODE_OPTIONS=… goes to the measured sync only (e.g. --max-old-space-size=64 to prove its live heap stays small).
  const childEnv = { ...env, SYNDER_BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} ${env.SYNDER_BENCH_NODE_OPTIONS ?? ''} --import ${pathToFileUrl(probe)}`.trim() };
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...profile, path.join(repoRoot, 'bin', 'synder.js'), ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  let memory = { maxRssKb: 0, peakHeapUsedMb: 0, peakHeapTotalMb: 0, peakOutsideHeapMb: 0, peakExternalMb: 0 };
  try {
    memory = { ...memory, ...JSON.parse(fs.readFileSync(rssFile, 'utf8')) };
  } catch {
    // no probe output: reported as 0
  }
  let summary: SyncSummary | undefined;
  try {
    summary = JSON.parse(stdout) as SyncSummary;
  } catch {
    process.stderr.write(`sync printed no JSON (exit ${exitCode}):\n${stderr}\n`);
  }
  if (exitCode !== 0 && exitCode !== 3) process.stderr.write(`sync exited ${exitCode}:\n${stderr}\n`);
  return { exitCode, wallSeconds, peakRssMb: memory.maxRssKb / 1024, peakHeapMb: memory.peakHeapUsedMb, peakHeapTotalMb: memory.peakHeapTotalMb, peakOutsideHeapMb: memory.peakOutsideHeapMb, peakExternalMb: memory.peakExternalMb, summary };
}

function pathToFileUrl(p: string): string {
  return new URL(`file://${p}`).href;
}

/** Ledger objects behind the posted documents (their stored refs). */
const countObjects = (home: string) => inStore(home, (store) => store.documents.postedLedgerObjectCount());

/** Distinct orders with a settled ORDER statement transaction, as the sync stored them. */
const countSettled = (home: string) => inStore(home, (store) => store.sourceRecords.settledOrderCount());

/** One number read from the sync's state store. */
async function inStore(home: string, read: (store: Store) => Promise<number>): Promise<number> {
  const store = await Store.open(home, () => new Date());
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}
