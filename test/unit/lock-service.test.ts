import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockedError, LockLostError } from '../../src/errors.js';
import { FileLockService, type LockService } from '../../src/store/lock-service.js';
import { advisoryKey, PostgresLockService } from '../../src/store/lock-service-postgres.js';
import { takeOrgLock } from '../../src/sync/lock.js';
import { bundleForChild } from '../contract/auth-helpers.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

async function exclusion(a: LockService, b: LockService): Promise<void> {
  const first = await a.tryAcquire('sync-org-1');
  expect('lock' in first).toBe(true);
  const second = await b.tryAcquire('sync-org-1');
  expect('heldBy' in second).toBe(true);
  // Another name is another lock.
  const other = await b.tryAcquire('sync-org-2');
  expect('lock' in other).toBe(true);
  if ('lock' in other) await other.lock.release();
  if ('lock' in first) await first.lock.release();
  const third = await b.tryAcquire('sync-org-1');
  expect('lock' in third).toBe(true);
  if ('lock' in third) await third.lock.release();
}

describe('file locks behind the lock service', () => {
  it('exclude each other and free on release, as lock files named like before', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-locks-'));
    const a = new FileLockService(dir);
    await exclusion(a, new FileLockService(dir));
    const r = await a.tryAcquire('sync-org-7');
    expect(fs.existsSync(path.join(dir, 'sync-org-7.lock'))).toBe(true);
    if ('lock' in r) await r.lock.release();
    expect(fs.existsSync(path.join(dir, 'sync-org-7.lock'))).toBe(false);
  });
});

const skip = postgresSkipReason();

describe.skipIf(skip)(`PostgreSQL advisory locks${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let url: string;
  let child: string;
  beforeAll(async () => {
    url = await freshDatabase();
    child = await bundleForChild(path.join(path.dirname(new URL(import.meta.url).pathname), 'lock-service-child.ts'));
  });
  afterAll(() => fs.rmSync(child, { force: true }));

  async function backends(name: string): Promise<number[]> {
    const k = advisoryKey(name);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ pid: number }>("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid = $2::oid", [String(k.classOid), String(k.objOid)]);
      return rows.map((r) => r.pid);
    } finally {
      await c.end();
    }
  }

  it('two holders (two hosts) exclude each other; the refused one is told who holds it', async () => {
    const a = new PostgresLockService(url, { pid: 4242, host: 'host-a' });
    const b = new PostgresLockService(url, { pid: 777, host: 'host-b' });
    await exclusion(a, b);
    const held = await a.tryAcquire('sync-org-3');
    const refused = await b.tryAcquire('sync-org-3');
    expect('heldBy' in refused && refused.heldBy).toMatchObject({ pid: 4242, host: 'host-a' });
    expect('heldBy' in refused && refused.heldBy?.at).toBeGreaterThan(Date.now() - 60_000);
    const err = await takeOrgLock(b, 3, 'Acme').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockedError);
    expect((err as LockedError).exitCode).toBe(5);
    expect((err as Error).message).toMatch(/Another sync of "Acme" is running \(pid 4242 on host-a, started 20/);
    expect((err as LockedError).hint).toMatch(/connection ends/);
    if ('lock' in held) await held.lock.release();
    expect(await backends('sync-org-3')).toEqual([]);
  });

  it('a lock is not leaked to other users of a pool: each held lock has its own connection, closed on release', async () => {
    const s = new PostgresLockService(url);
    const r1 = await s.tryAcquire('refresh-a');
    const r2 = await s.tryAcquire('refresh-b');
    const [p1] = await backends('refresh-a');
    const [p2] = await backends('refresh-b');
    expect(p1).toBeDefined();
    expect(p1).not.toBe(p2);
    // The same process asking again is refused too (session locks are re-entrant per connection, not per process).
    expect('heldBy' in (await s.tryAcquire('refresh-a'))).toBe(true);
    if ('lock' in r1) await r1.lock.release();
    if ('lock' in r2) await r2.lock.release();
  });

  it('a lock released by its holder is not reported lost', async () => {
    const r = await new PostgresLockService(url).tryAcquire('sync-org-10');
    if (!('lock' in r)) throw new Error('not taken');
    await r.lock.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.lock.lost!.aborted).toBe(false);
  });

  it('a waiting acquire gets the lock when the holder lets go, and gives up with LockedError naming the holder', async () => {
    const a = new PostgresLockService(url, { pid: 1, host: 'holder' });
    const b = new PostgresLockService(url, { pollMs: { min: 10, max: 50 } });
    const r = await a.tryAcquire('refresh-x');
    if (!('lock' in r)) throw new Error('not taken');
    const t0 = Date.now();
    await expect(b.acquire('refresh-x', { waitMs: 300, what: 'the token refresh of org:1:ledger' })).rejects.toThrow(/Timed out waiting for the token refresh of org:1:ledger \(pid 1 on holder/);
    expect(Date.now() - t0).toBeLessThan(3000);
    setTimeout(() => void r.lock.release(), 200);
    const got = await b.acquire('refresh-x', { waitMs: 10_000, what: 'x' });
    await got.release();
  });

  it("killing the holder's connection frees the lock at once, and the holder hears of it", async () => {
    const a = new PostgresLockService(url);
    const r = await a.tryAcquire('sync-org-9');
    expect('lock' in r).toBe(true);
    const lost = 'lock' in r ? r.lock.lost! : undefined;
    expect(lost?.aborted).toBe(false);
    const [pid] = await backends('sync-org-9');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    await new Promise<void>((resolve) => (lost!.aborted ? resolve() : lost!.addEventListener('abort', () => resolve(), { once: true })));
    expect(lost!.reason).toBeInstanceOf(LockLostError);
    expect((lost!.reason as Error).message).toMatch(/^Lost the lock sync-org-9: its connection to postgres:\/\/.* ended/);
    const b = new PostgresLockService(url, { pollMs: { min: 10, max: 20 } });
    const got = await b.acquire('sync-org-9', { waitMs: 2000, what: 'x' });
    await got.release();
    // The old holder's release after losing its connection does not throw.
    if ('lock' in r) await r.lock.release();
  });

  it('a holder process killed with SIGKILL frees the lock at once', async () => {
    const proc = spawn(process.execPath, [child, url, 'sync-org-11'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (d) => ((out += d), out.includes('held\n') ? resolve() : out.includes('refused') && reject(new Error(out))));
      proc.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const b = new PostgresLockService(url, { pollMs: { min: 10, max: 20 } });
    const refused = await b.tryAcquire('sync-org-11');
    expect('heldBy' in refused && refused.heldBy?.pid).toBe(proc.pid);
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
    const t0 = Date.now();
    const got = await b.acquire('sync-org-11', { waitMs: 5000, what: 'x' });
    expect(Date.now() - t0).toBeLessThan(2000);
    await got.release();
  });
});
