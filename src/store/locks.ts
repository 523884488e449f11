import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockedError } from '../errors.js';

/**
 * Exclusive locks between processes on this machine, one file per lock in SYNDER_HOME: created
 * with O_EXCL, holding the holder's pid, host, start time and a nonce. They guard the org's sync,
 * each token refresh and the credentials file. A holder that died (same host) is taken over at
 * once; one whose lock is older than `staleMs` (by its heartbeat, when it keeps one) after that.
 */

export interface LockHolder {
  pid: number;
  host: string;
  /** When the holder took the lock (ms since the epoch). */
  at: number;
  nonce: string;
}

export interface LockOptions {
  /** A lock older than this (since its last heartbeat) is taken over even when its holder looks alive. */
  staleMs?: number;
  /** Keeps the lock fresh while held (for holders that may run longer than `staleMs`). */
  heartbeatMs?: number;
  /** This process as a holder; overridable so tests can play another process or host. */
  pid?: number;
  host?: string;
  /** Whether a process on this host is alive (a dead local holder is taken over at once). */
  isAlive?: (pid: number) => boolean;
}

export interface WaitOptions extends LockOptions {
  /** How long to wait for another holder before giving up with LockedError. */
  waitMs?: number;
  /** Words for the LockedError message, e.g. "the token refresh of org:1:ledger". */
  what?: string;
}

export interface HeldLock {
  readonly file: string;
  readonly holder: LockHolder;
  release(): void;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Found {
  holder?: LockHolder;
  /** The file's modification time: a heartbeat touches it. */
  mtimeMs: number;
}

function readLock(file: string): Found | undefined {
  try {
    const stat = fs.statSync(file);
    const text = fs.readFileSync(file, 'utf8');
    try {
      const h = JSON.parse(text) as Partial<LockHolder>;
      return typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.at === 'number' && typeof h.nonce === 'string'
        ? { holder: h as LockHolder, mtimeMs: stat.mtimeMs }
        : { mtimeMs: stat.mtimeMs };
    } catch {
      return { mtimeMs: stat.mtimeMs };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isStale(found: Found, opts: LockOptions, now: number): boolean {
  const { holder } = found;
  // A holder that crashed between creating and writing the file leaves it empty.
  if (!holder) return now - found.mtimeMs > 5_000;
  if (holder.host === (opts.host ?? os.hostname()) && !(opts.isAlive ?? processAlive)(holder.pid)) return true;
  return now - Math.max(holder.at, found.mtimeMs) > (opts.staleMs ?? 5 * 60_000);
}

/**
 * Takes a stale lock out of the way without removing a fresh one another process just made:
 * the file is renamed aside, and put back if what was moved is not the lock judged stale.
 */
function breakStale(file: string, judged: Found): void {
  const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readLock(aside);
  if (judged.holder && moved?.holder?.nonce !== judged.holder.nonce) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // Someone created a new lock meanwhile; theirs wins, the one we moved was theirs to lose.
    }
  }
  fs.rmSync(aside, { force: true });
}

/** Takes the lock now, or says who holds it (a dead or stale holder is taken over first). */
export function tryLock(file: string, opts: LockOptions = {}): { lock: HeldLock } | { heldBy: LockHolder | undefined } {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // A few rounds: each may lose a race to take over a stale lock, never to a live holder.
  for (let round = 0; round < 5; round++) {
    const holder: LockHolder = { pid: opts.pid ?? process.pid, host: opts.host ?? os.hostname(), at: Date.now(), nonce: randomBytes(12).toString('hex') };
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(holder));
      } finally {
        fs.closeSync(fd);
      }
      return { lock: held(file, holder, opts.heartbeatMs) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const found = readLock(file);
    if (found && !isStale(found, opts, Date.now())) return { heldBy: found.holder };
    if (found) breakStale(file, found);
  }
  return { heldBy: readLock(file)?.holder };
}

/** Waits (up to `waitMs`) for the lock; a LockedError (exit code 5) names the holder when it stays taken. */
export async function acquireLock(file: string, opts: WaitOptions = {}): Promise<HeldLock> {
  const waitMs = opts.waitMs ?? 60_000;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const r = tryLock(file, opts);
    if ('lock' in r) return r.lock;
    if (Date.now() - started > waitMs) {
      const h = r.heldBy;
      const who = h ? ` (held by process ${h.pid} on ${h.host} since ${new Date(h.at).toISOString()})` : '';
      throw new LockedError(`Timed out waiting for ${opts.what ?? 'a lock'}${who}.`, `If no other synder is running, remove ${file}.`);
    }
    await sleep(Math.min(200, 20 + attempt * 10) + Math.floor(Math.random() * 20));
  }
}

function held(file: string, holder: LockHolder, heartbeatMs: number | undefined): HeldLock {
  const ours = () => readLock(file)?.holder?.nonce === holder.nonce;
  let timer: NodeJS.Timeout | undefined;
  if (heartbeatMs !== undefined) {
    timer = setInterval(() => {
      try {
        if (ours()) {
          const t = new Date();
          fs.utimesSync(file, t, t);
        }
      } catch {
        // A lock directory gone at shutdown must not crash the process; the lock goes stale instead.
      }
    }, heartbeatMs);
    timer.unref();
  }
  let released = false;
  return {
    file,
    holder,
    release() {
      if (released) return;
      released = true;
      if (timer) clearInterval(timer);
      // Only our own lock: if it went stale and was taken over, the file is someone else's now.
      if (ours()) fs.rmSync(file, { force: true });
    },
  };
}
