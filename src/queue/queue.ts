import PgBoss from 'pg-boss';
import pg from 'pg';

/** pg-boss keeps its tables in a schema of its own, so it never meets the state store's. */
export const QUEUE_SCHEMA = 'synder_queue';
export const ORG_SYNC_QUEUE = 'org-sync';

/**
 * How org-sync jobs behave unless a worker says otherwise. The expiry is how long a job may stay
 * active: a worker killed without warning holds its job that long before another worker retries
 * it, so it must be longer than a sync normally takes and short enough that a dead host's orgs
 * are not left waiting for hours.
 */
export const JOB_DEFAULTS = {
  expireInSeconds: 30 * 60,
  retryLimit: 6,
  retryDelaySeconds: 30,
  /**
   * A job that finds its org's lock held waits this long, spending no attempt: the holder (a sync
   * run by hand, another host) is usually done within a few of these, and a backoff of minutes
   * would leave the org waiting long after it is free.
   */
  lockedRetrySeconds: 10,
} as const;

export interface JobQueue {
  readonly boss: PgBoss;
  /** A pool of our own for the few statements pg-boss has no call for (a transaction per enqueue, the run list). */
  readonly pool: pg.Pool;
  release(): Promise<void>;
}

interface Shared {
  boss: PgBoss;
  pool: pg.Pool;
  users: number;
  ready: Promise<void>;
}

const open = new Map<string, Shared>();

export interface OpenQueueOptions {
  /** Expire, archive and purge jobs in the background: only long-lived processes (workers) should. */
  supervise?: boolean;
  /** Where pg-boss reports errors it meets in the background. */
  onError?: (err: Error) => void;
}

/**
 * The process's pg-boss for `url`, started on first use (creating its schema and the org-sync
 * queue when missing) and stopped when the last user releases it, so one process never runs two
 * sets of pollers and pools against the same database.
 */
export async function openQueue(url: string, opts: OpenQueueOptions = {}): Promise<JobQueue> {
  const key = `${opts.supervise ? 'supervise' : 'client'} ${url}`;
  let shared = open.get(key);
  if (!shared) {
    const boss = new PgBoss({
      connectionString: url,
      schema: QUEUE_SCHEMA,
      application_name: 'synder',
      max: 4,
      supervise: Boolean(opts.supervise),
      // Schedules are synder's own (one per org); pg-boss's cron allows one per queue.
      schedule: false,
      maintenanceIntervalSeconds: 15,
      // Finished runs stay listable for a week.
      archiveCompletedAfterSeconds: 7 * 24 * 3600,
      deleteAfterDays: 30,
    });
    boss.on('error', (err) => opts.onError?.(err));
    const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'synder' });
    pool.on('error', (err) => opts.onError?.(err));
    shared = { boss, pool, users: 0, ready: start(boss, pool) };
    open.set(key, shared);
  }
  shared.users++;
  try {
    await shared.ready;
  } catch (err) {
    await releaseShared(key, shared);
    throw err;
  }
  const s = shared;
  let released = false;
  return {
    boss: s.boss,
    pool: s.pool,
    release: async () => {
      if (released) return;
      released = true;
      await releaseShared(key, s);
    },
  };
}

async function releaseShared(key: string, shared: Shared): Promise<void> {
  if (--shared.users > 0) return;
  if (open.get(key) === shared) open.delete(key);
  await shared.boss.stop({ graceful: false, wait: true, close: true }).catch(() => undefined);
  await shared.pool.end().catch(() => undefined);
}

async function start(boss: PgBoss, pool: pg.Pool): Promise<void> {
  await boss.start();
  await boss.createQueue(ORG_SYNC_QUEUE, {
    name: ORG_SYNC_QUEUE,
    // At most one job per org queued, one retrying and one active, enforced by a unique index;
    // enqueue() adds a job only when the org has none of the three, so a queued job never waits
    // behind a running one of its own org (which in pg-boss 10 would stall fetching for everyone).
    policy: 'stately',
    expireInSeconds: JOB_DEFAULTS.expireInSeconds,
    retryLimit: JOB_DEFAULTS.retryLimit,
    retryDelay: JOB_DEFAULTS.retryDelaySeconds,
    retryBackoff: true,
  });
  // Several processes may start at once: the lock keeps their CREATE TABLEs from racing.
  await pool.query(`
    BEGIN;
    SELECT pg_advisory_xact_lock(hashtext('${QUEUE_SCHEMA}.org_schedule'));
    CREATE TABLE IF NOT EXISTS ${QUEUE_SCHEMA}.org_schedule (
      org_key text PRIMARY KEY,
      org text NOT NULL,
      cron text NOT NULL,
      every text,
      timezone text NOT NULL,
      last_slot timestamptz NOT NULL,
      created_on timestamptz NOT NULL DEFAULT now()
    );
    COMMIT;
  `);
}

/** How jobs name an org: names are matched without regard to case everywhere else too. */
export const orgKey = (name: string): string => name.trim().toLowerCase();
