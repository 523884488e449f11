import os from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { tempHome } from '../helpers/cli.js';
import { assertBooks, expectReconciles, killPoints, killWhen, ledgerDocuments, ledgerObjectCount, snapshot, spawnSync, startE2E, sync, type E2E, type E2EOptions, type StoredDocument, type SyncChild } from '../helpers/e2e.js';
import { synder } from '../helpers/in-process.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

const skip = postgresSkipReason();
const T = 240_000;
const KEY = 'a firm-wide credentials key';

/** synder's documents as the shared database holds them. */
async function storedIn(url: string): Promise<StoredDocument[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<StoredDocument>('SELECT key, kind, status, order_id AS "orderId" FROM documents ORDER BY id')).rows;
  } finally {
    await client.end();
  }
}

/**
 * State in PostgreSQL: the org, its connections and its tokens live in the database, so a second
 * host with nothing in its own SYNDER_HOME syncs the same org, and the sync lock holds across them.
 */
describe.skipIf(skip)(`sync with PostgreSQL state${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let e: E2E;
  let url: string;
  /** The same database from another host: its own, empty SYNDER_HOME. */
  let hostB: E2E;
  beforeAll(async () => {
    ({ e, url } = await onFreshDatabase({ ledger: 'quickbooks', mode: 'per-transaction', seed: 17, orders: 60 }));
    const home = tempHome('synder-host-b-');
    hostB = { ...e, home, env: { ...e.env, SYNDER_HOME: home } };
    hostB.cli = (args) => synder(args, { env: hostB.env, clock: systemClock });
  }, T);
  afterAll(async () => {
    await e?.close();
  });

  it('keeps tokens in the database, sealed; the state folder holds no database and no credentials file', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ kind: string; key: string; sealed: string }>('SELECT kind, key, sealed FROM credentials ORDER BY key');
    await client.end();
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining(['org:1:ledger']));
    for (const r of rows) expect(r.sealed).not.toMatch(/"accessToken"|refresh/i);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${e.home}/synder.db`)).toBe(false);
    expect(existsSync(`${e.home}/credentials.json`)).toBe(false);
    const status = await hostB.cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).credentials.kind).toBe('database');
    // Where the state lives, without the password a URL may carry.
    const withPassword = new URL(url);
    withPassword.password = 'hunter2';
    const shown = await hostB.cli(['status', '--json', '--database-url', withPassword.toString()]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).state).toEqual({ engine: 'postgres', location: url });
    expect(shown.stdout).not.toContain('hunter2');
    const text = await hostB.cli(['status']);
    expect(text.stdout).toContain(`State kept in: PostgreSQL database ${url}`);
  });

  /** Resolves once the sync child holds a lock in the database (its lock connection names it). */
  async function holdingLock(a: SyncChild): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (;;) {
        const { rows } = await client.query(
          "SELECT 1 FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND s.application_name = $1",
          [`synder ${a.child.pid}@${os.hostname()}`.slice(0, 63)],
        );
        if (rows.length > 0) return;
        if (a.child.exitCode !== null) throw new Error(`the sync ended before it was seen holding the lock: ${a.stderr()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await client.end();
    }
  }

  it('two hosts syncing one org at once: one books, the other exits 5 naming the holder', async () => {
    const a = spawnSync(e, ['--json']);
    // Paused while it holds the org's lock, so the other host's attempt meets it held however fast
    // or slow this machine is.
    await holdingLock(a);
    a.child.kill('SIGSTOP');
    let rb;
    try {
      rb = await spawnSync(hostB, ['--json']).done;
    } finally {
      a.child.kill('SIGCONT');
    }
    const ra = await a.done;
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(5);
    expect(rb.stderr).toContain(`Another sync of "E2E Shop" is running (pid ${a.child.pid} on ${os.hostname()}, started 20`);
    expect(rb.stderr).toMatch(/connection ends/);
    expect(JSON.parse(rb.stdout)).toMatchObject({ ok: false, error: { code: 'locked' } });
    assertBooks(e, expect, await storedIn(url));
  }, T);

  it('a host killed mid-sync frees the org at once: the other host syncs without waiting for the lock to go stale', async () => {
    const before = snapshot(e);
    const a = spawnSync(e, ['--json']);
    await holdingLock(a);
    a.child.kill('SIGKILL');
    await a.done;
    const t0 = Date.now();
    const b = await sync(hostB);
    expect(b.result.code, b.result.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(b.summary.documents).toMatchObject({ created: 0, failed: 0 });
    expect(snapshot(e)).toEqual(before);
  }, T);

  it('the other host then syncs the same org from the shared state: nothing new, books unchanged, reconcile ties out', async () => {
    const before = snapshot(e);
    const again = await sync(hostB);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.summary.documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect(snapshot(e)).toEqual(before);
    await expectReconciles(e, expect, hostB);
  }, T);

  it('without the credentials key, a clear usage error naming the variable', async () => {
    const env = { ...hostB.env };
    delete (env as Record<string, string | undefined>).SYNDER_CREDENTIALS_KEY;
    const r = await synder(['sync', '--since', e.since], { env, clock: systemClock });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SYNDER_CREDENTIALS_KEY is not set');
    const wrong = await synder(['status'], { env: { ...hostB.env, SYNDER_CREDENTIALS_KEY: 'not the key' }, clock: systemClock });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Cannot decrypt .*SYNDER_CREDENTIALS_KEY/);
  });
});

/** The same guarantee as with SQLite: intent recorded before each post, so kill -9 anywhere leaves one copy. */
describe.skipIf(skip)(`kill -9 mid-sync with PostgreSQL state${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let e: E2E;
  let url: string;
  beforeAll(async () => {
    ({ e, url } = await onFreshDatabase({ ledger: 'xero', mode: 'per-transaction', seed: 23, orders: 200 }));
  }, T);
  afterAll(async () => {
    await e?.close();
  });

  it('leaves exactly one copy of every document, and a re-run completes the books', async () => {
    for (const point of [killPoints.firstWrite(), killPoints.afterObjects(20)]) {
      const start = ledgerObjectCount(e);
      const s = spawnSync(e, ['--json']);
      const { killed, result } = await killWhen(s, () => point.when(e, s, start));
      expect(killed, `the sync finished before "${point.name}" (exit ${result.code}): ${result.stderr.slice(-800)}`).toBe(true);
      expect([...ledgerDocuments(e)].filter(([, types]) => Object.values(types).some((n) => n > 1))).toEqual([]);
    }
    const { result, summary } = await sync(e);
    expect(result.code, result.stderr).toBe(0);
    expect(summary.failures).toEqual([]);
    assertBooks(e, expect, await storedIn(url));
    const again = await sync(e);
    expect(again.summary.documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
    const rec = await e.cli(['reconcile']);
    expect(rec.code, rec.stderr).toBe(0);
  }, T);
});

/**
 * The org's lock is the database connection that holds it: cut that connection and another host
 * may take the org, so the sync must stop before its next ledger call rather than book beside it.
 */
describe.skipIf(skip)(`a sync whose lock connection is cut${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let e: E2E;
  let url: string;
  beforeAll(async () => {
    ({ e, url } = await onFreshDatabase({ ledger: 'xero', mode: 'per-transaction', seed: 29, orders: 1000 }));
  }, T);
  afterAll(async () => {
    await e?.close();
  });

  it('stops with a clear error (exit 5) before booking more, and a re-run books the rest once', async () => {
    const start = ledgerObjectCount(e);
    const s = spawnSync(e, ['--json']);
    // Frozen once it has booked some, so the cut lands mid-run however fast this machine is.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (ledgerObjectCount(e) >= start + 20 && s.child.kill('SIGSTOP')) {
          clearInterval(timer);
          resolve();
        } else if (s.child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`the sync finished before it booked 20 objects: ${s.stderr().slice(-800)}`));
        }
      }, 1);
    });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    let cut: number;
    try {
      const { rows } = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [`synder ${s.child.pid}@${os.hostname()}`.slice(0, 63)]);
      cut = rows.filter((r) => r.ok).length;
    } finally {
      await admin.end();
      s.child.kill('SIGCONT');
    }
    expect(cut).toBe(1);
    const stopped = await s.done;
    expect(stopped.code, stopped.stderr).toBe(5);
    expect(stopped.stderr).toContain('The sync of "E2E Shop" stopped: it lost its lock on the database');
    expect(JSON.parse(stopped.stdout)).toMatchObject({ ok: false, error: { code: 'lock_lost' } });
    const booked = ledgerObjectCount(e);

    const { result, summary } = await sync(e);
    expect(result.code, result.stderr).toBe(0);
    expect(summary.documents.created).toBeGreaterThan(0);
    expect(ledgerObjectCount(e)).toBeGreaterThan(booked);
    expect([...ledgerDocuments(e)].filter(([, types]) => Object.values(types).some((n) => n > 1))).toEqual([]);
    assertBooks(e, expect, await storedIn(url));
  }, T);
});

/** A sandbox and an org whose state (and sealed credentials) live in a fresh PostgreSQL database. */
async function onFreshDatabase(opts: Omit<E2EOptions, 'env'>): Promise<{ e: E2E; url: string }> {
  const url = await freshDatabase();
  return { url, e: await startE2E({ ...opts, env: { SYNDER_DATABASE_URL: url, SYNDER_CREDENTIALS_KEY: KEY } }) };
}
