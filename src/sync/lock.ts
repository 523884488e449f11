import path from 'node:path';
import { LockedError } from '../errors.js';
import { describeHolder, type LockService, type ServiceLock } from '../store/lock-service.js';
import { tryLock, type HeldLock, type LockOptions } from '../store/locks.js';
import type { Store } from '../store/store.js';

export type { LockOptions } from '../store/locks.js';

/** The file of an org's sync lock in the state directory. */
export const orgLockFile = (store: Store, orgId: number): string => path.join(store.home, 'locks', `sync-org-${orgId}.lock`);

/**
 * Takes the org's sync lock (or throws LockedError, exit code 5, naming the holder) and keeps its
 * heartbeat fresh. Never waits: a second sync of the same org is refused, not queued.
 */
export function acquireOrgLock(store: Store, orgId: number, orgName: string, opts: LockOptions = {}): HeldLock {
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const r = tryLock(orgLockFile(store, orgId), { heartbeatMs: 30_000, ...opts, staleMs });
  if ('lock' in r) return r.lock;
  const h = r.heldBy;
  const who = h ? ` (pid ${h.pid} on ${h.host}, started ${new Date(h.at).toISOString()})` : '';
  throw new LockedError(
    `Another sync of "${orgName}" is running${who}.`,
    `Wait for it to finish. A lock whose holder died is taken over automatically (at once on the same host, after ${Math.round(staleMs / 60_000)} minutes otherwise).`,
  );
}

/** The sync lock's name for an org, the same whether it is a file or a database lock. */
export const orgLockName = (orgId: number): string => `sync-org-${orgId}`;

/**
 * The org's sync lock from whichever lock service the store's engine provides: across hosts
 * with PostgreSQL state. Refused, never queued, like acquireOrgLock.
 */
export async function takeOrgLock(locks: LockService, orgId: number, orgName: string, opts: LockOptions = {}): Promise<ServiceLock> {
  const staleMs = opts.staleMs ?? 10 * 60_000;
  const r = await locks.tryAcquire(orgLockName(orgId), { heartbeatMs: 30_000, ...opts, staleMs });
  if ('lock' in r) return r.lock;
  const hint =
    locks.kind === 'file'
      ? `Wait for it to finish. A lock whose holder died is taken over automatically (at once on the same host, after ${Math.round(staleMs / 60_000)} minutes otherwise).`
      : `Wait for it to finish. ${locks.takeoverHint}`;
  throw new LockedError(`Another sync of "${orgName}" is running${describeHolder(r.heldBy)}.`, hint);
}
