import type { Database } from './db.js';

export interface LockHolder {
  name: string;
  owner: string;
  pid: number;
  host: string;
  acquiredAt: string;
  heartbeatAt: string;
}

interface Row { name: string; owner: string; pid: number; host: string; acquired_at: string; heartbeat_at: string }

const fromRow = (r: Row): LockHolder => ({ name: r.name, owner: r.owner, pid: r.pid, host: r.host, acquiredAt: r.acquired_at, heartbeatAt: r.heartbeat_at });

export interface LockClaim {
  owner: string;
  pid: number;
  host: string;
  /** A holder whose heartbeat is older than this is presumed gone. */
  staleMs: number;
  /** Whether a process on this host is alive (a dead local holder is taken over at once). */
  isAlive: (pid: number) => boolean;
}

/** Advisory locks in the state database: one holder per name, taken over when the holder is dead or silent. */
export class LockRepository {
  constructor(private readonly db: Database, private readonly now: () => Date) {}

  holder(name: string): LockHolder | undefined {
    const r = this.db.prepare('SELECT * FROM locks WHERE name=?').get(name) as Row | undefined;
    return r && fromRow(r);
  }

  /** Takes the lock, or returns the live holder that keeps it. Atomic (one immediate transaction). */
  acquire(name: string, claim: LockClaim): { acquired: true; takenOver?: LockHolder } | { acquired: false; holder: LockHolder } {
    const attempt = this.db.transaction(() => {
      const current = this.holder(name);
      const at = this.now();
      if (current && current.owner !== claim.owner) {
        const stale = at.getTime() - Date.parse(current.heartbeatAt) > claim.staleMs;
        const deadHere = current.host === claim.host && !claim.isAlive(current.pid);
        if (!stale && !deadHere) return { acquired: false as const, holder: current };
      }
      this.db
        .prepare(
          `INSERT INTO locks (name, owner, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET owner=excluded.owner, pid=excluded.pid, host=excluded.host, acquired_at=excluded.acquired_at, heartbeat_at=excluded.heartbeat_at`,
        )
        .run(name, claim.owner, claim.pid, claim.host, at.toISOString(), at.toISOString());
      return current && current.owner !== claim.owner ? { acquired: true as const, takenOver: current } : { acquired: true as const };
    });
    return attempt.immediate();
  }

  heartbeat(name: string, owner: string): boolean {
    return this.db.prepare('UPDATE locks SET heartbeat_at=? WHERE name=? AND owner=?').run(this.now().toISOString(), name, owner).changes === 1;
  }

  release(name: string, owner: string): void {
    this.db.prepare('DELETE FROM locks WHERE name=? AND owner=?').run(name, owner);
  }
}
