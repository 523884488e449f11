import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockedError } from '../errors.js';

export interface FileLock {
  readonly file: string;
  release(): Promise<void>;
}

export interface FileLockOptions {
  /** How long to wait for another holder before giving up with LockedError. */
  waitMs?: number;
  /** A lock older than this is taken over even when its holder looks alive. */
  staleMs?: number;
  /** Words for the LockedError message, e.g. "the token refresh of org:1:ledger". */
  what?: string;
}

interface Holder {
  pid: number;
  host: string;
  at: number;
  nonce: string;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readHolder(file: string): { holder?: Holder; mtimeMs: number } | undefined {
  try {
    const stat = fs.statSync(file);
    const text = fs.readFileSync(file, 'utf8');
    try {
      return { holder: JSON.parse(text) as Holder, mtimeMs: stat.mtimeMs };
    } catch {
      return { mtimeMs: stat.mtimeMs };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isStale(info: { holder?: Holder; mtimeMs: number }, staleMs: number, now: number): boolean {
  const { holder } = info;
  // A holder that crashed between creating and writing the file leaves it empty.
  if (!holder || typeof holder.pid !== 'number') return now - info.mtimeMs > 5_000;
  if (holder.host === os.hostname() && !pidAlive(holder.pid)) return true;
  return now - holder.at > staleMs;
}

/**
 * Takes a stale lock out of the way without removing a fresh one another process just made:
 * the file is renamed aside, and put back if what was moved is not the lock judged stale.
 */
function breakStale(file: string, judged: { holder?: Holder }): void {
  const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readHolder(aside);
  if (judged.holder && moved?.holder?.nonce !== judged.holder.nonce) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // Someone created a new lock meanwhile; theirs wins, the one we moved was theirs to lose.
    }
  }
  fs.rmSync(aside, { force: true });
}

/**
 * An exclusive lock between processes: a file created with O_EXCL holding pid, host and time.
 * A dead holder (same host) or an old lock is taken over.
 */
export async function acquireFileLock(file: string, opts: FileLockOptions = {}): Promise<FileLock> {
  const waitMs = opts.waitMs ?? 60_000;
  const staleMs = opts.staleMs ?? 5 * 60_000;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const holder: Holder = { pid: process.pid, host: os.hostname(), at: Date.now(), nonce: randomBytes(12).toString('hex') };
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify({ ...holder, at: Date.now() }));
      } finally {
        fs.closeSync(fd);
      }
      return { file, release: async () => release(file, holder.nonce) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const info = readHolder(file);
    if (info && isStale(info, staleMs, Date.now())) {
      breakStale(file, info);
      continue;
    }
    if (Date.now() - started > waitMs) {
      const who = info?.holder ? ` (held by process ${info.holder.pid} on ${info.holder.host} since ${new Date(info.holder.at).toISOString()})` : '';
      throw new LockedError(`Timed out waiting for ${opts.what ?? 'a lock'}${who}.`, `If no other synder is running, remove ${file}.`);
    }
    await sleep(Math.min(200, 20 + attempt * 10) + Math.floor(Math.random() * 20));
  }
}

function release(file: string, nonce: string): void {
  const info = readHolder(file);
  // Only our own lock: if it went stale and was taken over, the file is someone else's now.
  if (info?.holder?.nonce === nonce) fs.rmSync(file, { force: true });
}
