import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { TikTokSandbox } from '../../src/sandbox/tiktok/index.js';
import { binPath, tempHome } from '../helpers/cli.js';
import { connectThroughLoopback } from '../helpers/e2e.js';
import { synder } from '../helpers/in-process.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';
import { startTestSandbox } from '../helpers/sandbox.js';

/**
 * A firm on one sandbox: 20 orgs, each its own shop and its own QuickBooks company, synced by three
 * worker processes taking jobs from one queue. One worker is killed with SIGKILL in the middle of
 * a sync; its job expires and another worker runs it again. In the end every org is synced (one
 * job done each), a second sync finds nothing left to book, and each org's clearing account
 * reconciles against its shop's ledger in the sandbox with no difference.
 */

const ORGS = 20;
const skip = postgresSkipReason();

interface Worker {
  child: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [binPath, 'worker', '--concurrency', '4', '--job-timeout', '0.25', '--grace', '5'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => (log += String(d)));
  child.stdout!.resume();
  return { child, log: () => log, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function until(what: string, ok: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(skip)(`three workers, twenty orgs, one worker killed${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let sandbox: Awaited<ReturnType<typeof startTestSandbox>>;
  let env: Record<string, string>;
  const workers: Worker[] = [];
  const orgs = Array.from({ length: ORGS }, (_, i) => `Client ${String(i + 1).padStart(2, '0')}`);
  const cli = (args: string[], org?: string) => synder(org ? [...args, '--org', org] : args, { env, clock: systemClock });

  beforeAll(async () => {
    sandbox = await startTestSandbox({ autoApprove: true, seed: 17, orders: 10, days: 6, shops: ORGS, companies: ORGS, timeScale: 40, services: ['tiktok', 'quickbooks'] });
    env = { ...sandbox.env, SYNDER_HOME: tempHome('synder-firm-'), SYNDER_CREDENTIALS: 'file', SYNDER_DATABASE_URL: await freshDatabase('synder_firm'), SYNDER_CREDENTIALS_KEY: 'the firm key' };
    const tiktok = sandbox.services.find((s) => s.name === 'tiktok') as TikTokSandbox;
    const shops = tiktok.dataset.shops.map((s) => s.shop.id);
    expect(shops).toHaveLength(ORGS);
    for (const [i, org] of orgs.entries()) {
      expect((await cli(['org', 'create', org, '--currency', 'USD', '--no-use'])).code).toBe(0);
      const orgEnv = { ...env, SYNDER_ORG: org };
      await connectThroughLoopback(['connect', 'quickbooks', '--mode', 'per-transaction', '--bank-account', 'Business Checking'], orgEnv);
      await connectThroughLoopback(['connect', 'tiktok', '--shops', shops[i]!], orgEnv);
    }
  }, 300_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await sandbox?.close();
  });

  it('syncs every org exactly once, and each org reconciles with its own shop and company', async () => {
    // The workers start first: their --job-timeout applies to the jobs queued after them.
    workers.push(startWorker(env));
    await until('the first worker to take jobs', () => workers[0]!.log().includes('taking jobs'), 30_000);
    workers.push(startWorker(env), startWorker(env));
    for (const org of orgs) expect((await cli(['sync', '--enqueue'], org)).code).toBe(0);

    const victim = workers[0]!;
    await until('a sync on the first worker', () => /start Client/.test(victim.log()), 60_000);
    await new Promise((r) => setTimeout(r, 300));
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe(null);
    const cut = [...victim.log().matchAll(/start (Client \d+) \(job (\S+),/g)].map((m) => m[1]!);
    const finished = new Set([...victim.log().matchAll(/done (Client \d+) /g)].map((m) => m[1]!));
    const orphaned = cut.filter((o) => !finished.has(o));
    expect(orphaned.length, victim.log()).toBeGreaterThan(0);

    const runs = async () => JSON.parse((await cli(['runs', '--limit', '500', '--json'])).stdout) as Array<{ org: string; state: string; attempts: number; error: { code: string } | null }>;
    await until('every org synced', async () => (await runs()).filter((r) => r.state === 'done').length === ORGS, 240_000);

    for (const w of workers.slice(1)) w.child.kill('SIGTERM');
    for (const w of workers.slice(1)) expect(await w.exited).toBe(0);

    const all = await runs();
    expect(all).toHaveLength(ORGS);
    expect(new Set(all.map((r) => r.org))).toEqual(new Set(orgs));
    expect(all.every((r) => r.state === 'done')).toBe(true);
    // The killed worker's jobs ran again elsewhere after they expired.
    for (const org of orphaned) expect(all.find((r) => r.org === org)!.attempts, org).toBeGreaterThan(1);

    for (const org of orgs) {
      const again = await cli(['sync', '--json'], org);
      expect(again.code, `${org}: ${again.stderr}`).toBe(0);
      const s = JSON.parse(again.stdout) as { documents: { created: number; failed: number } };
      expect(s.documents, org).toMatchObject({ created: 0, failed: 0 });
      const rec = await cli(['reconcile', '--json'], org);
      expect(rec.code, `${org}: ${rec.stdout}${rec.stderr}`).toBe(0);
      const r = JSON.parse(rec.stdout) as { reconciliation: { reconciles: boolean; clearing: Array<{ differenceMinor: number }> } };
      expect(r.reconciliation.reconciles, org).toBe(true);
      expect(r.reconciliation.clearing.every((c) => c.differenceMinor === 0), org).toBe(true);
    }
  }, 600_000);
});
