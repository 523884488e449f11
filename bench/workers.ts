import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { connectSandboxShop } from '../src/onboarding/sandbox-shop.js';
import { enqueueOrgSync, listRuns } from '../src/queue/jobs.js';
import { openQueue } from '../src/queue/queue.js';
import { Context } from '../src/runtime/context.js';
import { freePort } from '../src/sandbox/http-kit.js';
import { startSandbox } from '../src/sandbox/index.js';
import type { TikTokSandbox } from '../src/sandbox/tiktok/index.js';
import { floorOf, quickbooksLimits, tiktokLimits } from './floor.js';
import type { RequestCounter } from './request-counter.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

export interface WorkersCellOptions {
  workers: number;
  orgs: number;
  concurrency: number;
  scale: number;
  orders: number;
  days: number;
  seed: number;
  /** A PostgreSQL server; each cell makes a database of its own there and drops it after. */
  serverUrl: string;
  counter: RequestCounter;
  /** A folder to keep each worker's log in (worker-<cell>-<n>.log), to see where a run's time went. */
  logDir?: string;
}

export interface WorkersCellResult {
  workers: number;
  orgs: number;
  concurrency: number;
  done: number;
  failed: number;
  documents: number;
  wallSeconds: number;
  orgSyncsPerHour: number;
  documentsPerMinute: number;
  peakRssMb: number[];
  /** CPU seconds each worker used, and the benchmark process (the sandbox's APIs answer there). */
  workerCpuSeconds: number[];
  sandboxCpuSeconds: number;
  /** Attempts beyond the first, summed over the jobs (a held lock, a failure retried). */
  retries: number;
  /** Mean seconds a job waited in the queue before it started, and ran once started. */
  meanQueuedSeconds: number;
  meanRunSeconds: number;
  /** Least wall time the companies' own limits allow, all companies in parallel. */
  floorSeconds: number;
  floorBinding: string;
}

const devNull = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

async function withDatabase<T>(serverUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `synder_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    const drop = new pg.Client({ connectionString: serverUrl });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    await drop.end();
  }
}

/**
 * One cell of the workers benchmark: `orgs` orgs, each its own sandbox shop and QuickBooks company,
 * queued at once and synced by `workers` worker processes of `concurrency` syncs each.
 */
export async function runWorkersCell(o: WorkersCellOptions): Promise<WorkersCellResult> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-bench-workers-'));
  const redirectUri = `http://localhost:${await freePort()}/callback`;
  const sandbox = await startSandbox({ autoApprove: true, seed: o.seed, orders: o.orders, days: o.days, redirectUri, timeScale: o.scale, shops: o.orgs, companies: o.orgs, services: ['tiktok', 'quickbooks'] });
  try {
    return await withDatabase(o.serverUrl, async (databaseUrl) => {
      const env: Record<string, string> = { ...(process.env as Record<string, string>), ...sandbox.env, SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file', SYNDER_TIME_SCALE: String(o.scale), SYNDER_DATABASE_URL: databaseUrl, SYNDER_CREDENTIALS_KEY: randomBytes(24).toString('base64') };
      const tiktok = sandbox.services.find((s) => s.name === 'tiktok') as TikTokSandbox;
      const orgs = tiktok.dataset.shops.map((s, i) => ({ name: `Client ${String(i + 1).padStart(3, '0')}`, shop: s.shop.id }));
      const quiet = { stdin: process.stdin, stdout: devNull(), stderr: devNull() };
      for (const org of orgs) {
        const ctx = new Context(loadConfig(env), env, quiet as unknown as Context['streams'], { now: () => new Date() });
        try {
          await connectSandboxShop(ctx, { orgName: org.name, email: 'owner@bench.test', ledger: 'quickbooks', mode: 'per-transaction', shops: org.shop });
        } finally {
          await ctx.close();
        }
      }
      // The companies' minute windows start fresh, as for a scheduled run long after connecting.
      await new Promise((r) => setTimeout(r, 60_000 / o.scale + 100));
      const queue = await openQueue(databaseUrl);
      try {
        const probe = pathToFileURL(path.join(here, 'rss-probe.js')).href;
        const children: Array<{ child: ChildProcess; rssFile: string; exited: Promise<void> }> = [];
        for (let w = 0; w < o.workers; w++) {
          const rssFile = path.join(home, `rss-${w}.json`);
          const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'synder.js'), 'worker', '--concurrency', String(o.concurrency)], {
            env: { ...env, SYNDER_BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import ${probe}`.trim() },
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          if (o.logDir) child.stderr!.pipe(fs.createWriteStream(path.join(o.logDir, `worker-${o.workers}x${o.concurrency}-${w}.log`)));
          else child.stderr!.resume();
          children.push({ child, rssFile, exited: new Promise((r) => child.on('exit', () => r())) });
        }
        o.counter.reset();
        const started = Date.now();
        const cpuAtStart = process.cpuUsage();
        for (const org of orgs) await enqueueOrgSync(queue, org.name, 'enqueue');
        let runs = await listRuns(queue, { limit: 10_000 });
        while (runs.filter((r) => r.state === 'done' || r.state === 'failed').length < orgs.length) {
          await new Promise((r) => setTimeout(r, 200));
          runs = await listRuns(queue, { limit: 10_000 });
        }
        const wallSeconds = (Date.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuAtStart);
        const sandboxCpuSeconds = (cpu.user + cpu.system) / 1e6;
        for (const c of children) c.child.kill('SIGTERM');
        await Promise.all(children.map((c) => c.exited));
        const probes = children.map((c) => {
          try {
            return JSON.parse(fs.readFileSync(c.rssFile, 'utf8')) as { maxRssKb: number; cpuSeconds: number };
          } catch {
            return { maxRssKb: NaN, cpuSeconds: NaN };
          }
        });
        const peakRssMb = probes.map((p) => Math.round(p.maxRssKb / 1024));
        const workerCpuSeconds = probes.map((p) => p.cpuSeconds);
        const documents = runs.reduce((n, r) => {
          const d = r.summary?.documents as { created?: number; existing?: number; updated?: number; recovered?: number } | undefined;
          return n + (d ? (d.created ?? 0) + (d.existing ?? 0) + (d.updated ?? 0) + (d.recovered ?? 0) : 0);
        }, 0);
        // Every company has its own limits and the orgs are alike: the floor is one company's share
        // of the calls under its own limits (all companies run side by side).
        const share = (m: Map<string, number>) => new Map([...m].map(([p, n]) => [p, Math.ceil(n / orgs.length)]));
        const tiktokUrl = sandbox.services.find((s) => s.name === 'tiktok')!.url;
        const ledgerUrl = sandbox.services.find((s) => s.name === 'quickbooks')!.url;
        const floor = floorOf([...tiktokLimits(share(o.counter.forService(tiktokUrl)), o.scale), ...quickbooksLimits(share(o.counter.forService(ledgerUrl)), o.scale)]);
        const done = runs.filter((r) => r.state === 'done').length;
        const seconds = (from: string | null, to: string | null) => (from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : 0);
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
        return {
          workers: o.workers, orgs: orgs.length, concurrency: o.concurrency, done, failed: runs.length - done, documents, wallSeconds,
          orgSyncsPerHour: (done / wallSeconds) * 3600, documentsPerMinute: (documents / wallSeconds) * 60, peakRssMb, workerCpuSeconds, sandboxCpuSeconds,
          retries: runs.reduce((n, r) => n + Math.max(0, r.attempts - 1), 0),
          meanQueuedSeconds: mean(runs.map((r) => seconds(r.queuedAt, r.startedAt))),
          meanRunSeconds: mean(runs.map((r) => seconds(r.startedAt, r.finishedAt))),
          floorSeconds: floor.seconds, floorBinding: floor.binding ? `${floor.binding.provider} ${floor.binding.limit}` : '',
        };
      } finally {
        await queue.release();
      }
    });
  } finally {
    await sandbox.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
