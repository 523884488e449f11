import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { LockedError } from '../errors.js';
import type { Store } from '../store/store.js';

export interface LockOptions {
  host?: string;
  pid?: number;
  /** A holder silent for longer than this is presumed gone (default 10 minutes). */
  staleMs?: number;
  heartbeatMs?: number;
  isAlive?: (pid: number) => boolean;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const orgLockName = (orgId: number): string => `sync:org:${orgId}`;

export interface HeldLock {
  owner: string;
  release(): void;
}

/** Takes the org's sync lock (or throws LockedError naming the holder) and keeps its heartbeat fresh. */
export function acquireOrgLock(store: Store, orgId: number, orgName: string, opts: LockOptions = {}): HeldLock {
  const host = opts.host ?? os.hostname();
  const pid = opts.pid ?? process.pid;
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const owner = `${host}:${pid}:${randomUUID()}`;
  const name = orgLockName(orgId);
  const result = store.locks.acquire(name, { owner, pid, host, staleMs, isAlive: opts.isAlive ?? processAlive });
  if (!result.acquired) {
    const h = result.holder;
    throw new LockedError(
      `Another sync of "${orgName}" is running (pid ${h.pid} on ${h.host}, started ${h.acquiredAt}).`,
      `Wait for it to finish. A lock whose holder died is taken over automatically (at once on the same host, after ${Math.round(staleMs / 60_000)} minutes otherwise).`,
    );
  }
  const timer = setInterval(() => {
    try {
      store.locks.heartbeat(name, owner);
    } catch {
      // A closed database at shutdown must not crash the process; the lock goes stale instead.
    }
  }, opts.heartbeatMs ?? 30_000);
  timer.unref();
  let released = false;
  return {
    owner,
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      store.locks.release(name, owner);
    },
  };
}
