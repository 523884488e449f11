import path from 'node:path';
import { LockedError, LockLostError, StateError } from '../errors.js';
import { acquireLock, tryLock, type LockOptions } from './locks.js';

/**
 * Exclusive named locks between synder processes: the org's sync lock and each token refresh.
 * With SQLite state they are lock files beside the database (one host); with PostgreSQL state
 * they are the server's advisory locks, held by a connection of their own, so they hold across
 * hosts and die with their holder's connection.
 */
export interface LockService {
  readonly kind: 'file' | 'postgres';
  /** Takes the lock now, or says who holds it. Never waits. */
  tryAcquire(name: string, opts?: LockOptions): Promise<{ lock: ServiceLock } | { heldBy: LockHolderInfo | undefined }>;
  /** Waits up to `waitMs` for the lock; a LockedError (exit code 5) names the holder when it stays taken. */
  acquire(name: string, opts: AcquireOptions): Promise<ServiceLock>;
  /** How a lock whose holder died is freed, for the hint of a "held by" message. */
  readonly takeoverHint: string;
}

export interface AcquireOptions extends LockOptions {
  waitMs: number;
  /** Words for the LockedError, e.g. "the token refresh of org:1:ledger". */
  what: string;
}

export interface LockHolderInfo {
  pid?: number;
  host?: string;
  /** When the holder took the lock (ms since the epoch), when known. */
  at?: number;
}

export interface ServiceLock {
  readonly name: string;
  /**
   * Aborts (with a LockLostError) when the lock ends before release() through no act of the
   * holder: a database lock whose connection was cut is free for anyone else to take.
   */
  readonly lost?: AbortSignal;
  release(): Promise<void>;
}

/** "(pid 12 on build-3, started 2026-…)", or nothing when the holder cannot be told. */
export function describeHolder(h: LockHolderInfo | undefined): string {
  if (!h || (h.pid === undefined && h.host === undefined)) return '';
  const parts = [h.pid !== undefined ? `pid ${h.pid}` : 'a process', h.host ? `on ${h.host}` : ''].filter(Boolean).join(' ');
  return ` (${parts}${h.at !== undefined ? `, started ${new Date(h.at).toISOString()}` : ''})`;
}

/** Lock files in one directory (normally `<SYNDER_HOME>/locks`): `<name>.lock`. */
export class FileLockService implements LockService {
  readonly kind = 'file' as const;
  readonly takeoverHint = 'A lock whose holder died is taken over automatically (at once on the same host, after it goes stale otherwise).';

  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, `${name}.lock`);
  }

  async tryAcquire(name: string, opts: LockOptions = {}): Promise<{ lock: ServiceLock } | { heldBy: LockHolderInfo | undefined }> {
    const r = tryLock(this.file(name), opts);
    if ('heldBy' in r) return { heldBy: r.heldBy && { pid: r.heldBy.pid, host: r.heldBy.host, at: r.heldBy.at } };
    const held = r.lock;
    return { lock: { name, release: async () => held.release() } };
  }

  async acquire(name: string, opts: AcquireOptions): Promise<ServiceLock> {
    const held = await acquireLock(this.file(name), opts);
    return { name, release: async () => held.release() };
  }
}
