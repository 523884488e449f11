import { createHash } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { LockedError, LockLostError, StateError } from '../errors.js';
import { describeHolder, type AcquireOptions, type LockHolderInfo, type LockService, type ServiceLock } from './lock-service.js';
import type { LockOptions } from './locks.js';
import { clientConfig, connectionError, describeDatabaseUrl } from './postgres.js';

// Apart from the file locks: loading the PostgreSQL driver costs every SQLite run memory it never uses.

/**
 * The two 32-bit halves of a lock name's SHA-256, as pg_try_advisory_lock(int4, int4) takes them
 * (signed) and pg_locks shows them (classid/objid, unsigned oids). 64 bits: distinct names never
 * meet in practice.
 */
export function advisoryKey(name: string): { classid: number; objid: number; classOid: number; objOid: number } {
  const h = createHash('sha256').update(`synder:${name}`).digest();
  return { classid: h.readInt32BE(0), objid: h.readInt32BE(4), classOid: h.readUInt32BE(0), objOid: h.readUInt32BE(4) };
}

const APP_PREFIX = 'synder ';

/** What a lock connection calls itself: the holder's pid and host, read back by whoever finds the lock taken. */
export function lockApplicationName(pid = process.pid, host = os.hostname()): string {
  return `${APP_PREFIX}${pid}@${host}`.slice(0, 63);
}

export function parseLockApplicationName(name: string | null | undefined): { pid?: number; host?: string } {
  const m = name ? /^synder (\d+)@(.*)$/.exec(name) : null;
  return m ? { pid: Number(m[1]), host: m[2] } : {};
}

export interface PostgresLockOptions {
  /** This process as a holder (tests play other processes). */
  pid?: number;
  host?: string;
  /** First and largest pause between attempts of a waiting acquire. */
  pollMs?: { min: number; max: number };
}

/**
 * Session-level advisory locks, each on a connection of its own: a pooled connection would carry
 * the lock back to the pool and hand it to whoever checks that connection out next. Releasing
 * unlocks and closes the connection; a holder that crashes loses its connection, and the server
 * frees the lock at once. Keepalives make the server notice a holder whose host vanished.
 */
export class PostgresLockService implements LockService {
  readonly kind = 'postgres' as const;
  readonly takeoverHint = 'The lock is released as soon as its holder\'s database connection ends, also when the holder crashed.';
  readonly description: string;

  constructor(readonly url: string, private readonly opts: PostgresLockOptions = {}) {
    this.description = describeDatabaseUrl(url);
  }

  private async connect(): Promise<pg.Client> {
    const base = clientConfig(this.url, lockApplicationName(this.opts.pid, this.opts.host));
    const client = new pg.Client({
      ...base,
      // Without these the server may take hours to see that a holder's host went away, and the
      // holder that its server did.
      keepAliveInitialDelayMillis: 10_000,
      options: '-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3 -c statement_timeout=0 -c idle_in_transaction_session_timeout=0',
    });
    // A connection the server drops (restart, terminate) must not crash the holder; the lock is gone with it.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => {});
      throw connectionError(err, this.url);
    }
    return client;
  }

  private async attempt(client: pg.Client, name: string): Promise<boolean> {
    const k = advisoryKey(name);
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int4, $2::int4) AS ok', [k.classid, k.objid]);
      return rows[0]!.ok;
    } catch (err) {
      throw connectionError(err, this.url);
    }
  }

  /** Who holds `name`: the application_name of the backend holding it, via pg_locks. */
  async holderOf(name: string, client?: pg.Client): Promise<LockHolderInfo | undefined> {
    const k = advisoryKey(name);
    const c = client ?? (await this.connect());
    try {
      const { rows } = await c.query<{ application_name: string | null; backend_start: Date | null; pid: number }>(
        `SELECT a.application_name, a.backend_start, a.pid
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2
          LIMIT 1`,
        [String(k.classOid), String(k.objOid)],
      );
      const row = rows[0];
      if (!row) return undefined;
      return { ...parseLockApplicationName(row.application_name), at: row.backend_start ? row.backend_start.getTime() : undefined };
    } catch {
      // Who holds it is a courtesy for the message; not being allowed to look is no reason to fail.
      return undefined;
    } finally {
      if (!client) await c.end().catch(() => {});
    }
  }

  private held(client: pg.Client, name: string): ServiceLock {
    let released: Promise<void> | undefined;
    const k = advisoryKey(name);
    const lost = new AbortController();
    const onLost = (err?: Error): void => {
      if (released || lost.signal.aborted) return;
      lost.abort(
        new LockLostError(
          `Lost the lock ${name}: its connection to ${this.description} ended${err?.message ? ` (${err.message})` : ''}, so another process may hold it now.`,
          'No ledger call was started after that. Run it again once the database is reachable: it carries on from what was recorded, and books nothing twice.',
        ),
      );
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    return {
      name,
      lost: lost.signal,
      release: () =>
        (released ??= (async () => {
          try {
            await client.query('SELECT pg_advisory_unlock($1::int4, $2::int4)', [k.classid, k.objid]);
          } catch {
            // Closing the connection below frees the lock all the same.
          }
          await client.end().catch(() => {});
        })()),
    };
  }

  async tryAcquire(name: string): Promise<{ lock: ServiceLock } | { heldBy: LockHolderInfo | undefined }> {
    const client = await this.connect();
    try {
      if (await this.attempt(client, name)) return { lock: this.held(client, name) };
      const heldBy = await this.holderOf(name, client);
      await client.end().catch(() => {});
      return { heldBy };
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
  }

  async acquire(name: string, opts: AcquireOptions): Promise<ServiceLock> {
    const client = await this.connect();
    const poll = this.opts.pollMs ?? { min: 25, max: 1000 };
    const started = Date.now();
    try {
      for (let attempt = 0; ; attempt++) {
        if (await this.attempt(client, name)) return this.held(client, name);
        const waited = Date.now() - started;
        if (waited >= opts.waitMs) {
          const who = describeHolder(await this.holderOf(name, client));
          throw new LockedError(`Timed out waiting for ${opts.what}${who}.`, `${this.takeoverHint} Look for a stuck synder on the host named, or end its session on ${this.description} (pg_terminate_backend).`);
        }
        const pause = Math.min(poll.max, poll.min * 2 ** Math.min(attempt, 10));
        await new Promise((r) => setTimeout(r, Math.min(pause + Math.floor(Math.random() * poll.min), Math.max(1, opts.waitMs - waited))));
      }
    } catch (err) {
      await client.end().catch(() => {});
      if (err instanceof LockedError || err instanceof StateError) throw err;
      throw connectionError(err, this.url);
    }
  }
}
