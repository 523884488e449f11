import type pg from 'pg';
import { ORG_SYNC_QUEUE, QUEUE_SCHEMA, orgKey, type JobQueue } from './queue.js';

export interface OrgSyncJobData {
  org: string;
  /** Who asked: a person (`synder sync --enqueue`) or a schedule. */
  reason: 'enqueue' | 'schedule';
}

export type RunState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export const RUN_STATES: readonly RunState[] = ['queued', 'running', 'done', 'failed', 'cancelled'];

/** What a finished job keeps: the sync's summary, or the error that stopped it. */
export interface JobError {
  message: string;
  code: string;
  exitCode?: number;
  hint?: string | null;
}

export interface RunView {
  id: string;
  org: string;
  state: RunState;
  /** pg-boss's own state: `retry` is queued again after a failed attempt. */
  queueState: string;
  reason: string | null;
  attempts: number;
  maxAttempts: number;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** When a queued (or retrying) job may start. */
  startAfter: string | null;
  summary: Record<string, unknown> | null;
  error: JobError | null;
}

const STATE_OF: Record<string, RunState> = { created: 'queued', retry: 'queued', active: 'running', completed: 'done', failed: 'failed', cancelled: 'cancelled' };
const QUEUE_STATES_OF: Record<RunState, string[]> = { queued: ['created', 'retry'], running: ['active'], done: ['completed'], failed: ['failed'], cancelled: ['cancelled'] };

export interface Enqueued {
  id: string;
  /** False when the org already had a job queued or running: that one is returned instead. */
  created: boolean;
  state: RunState;
}

type Executor = Pick<pg.PoolClient, 'query'>;

/**
 * Queues one sync of `org`, unless it already has one queued, retrying or running. Enqueuers
 * take a per-org transaction lock, so the check and the insert are one step: a second job of an
 * org can never sit queued behind its running one.
 */
export async function enqueueOrgSync(queue: JobQueue, org: string, reason: OrgSyncJobData['reason'], opts: { startAfter?: Date } = {}): Promise<Enqueued> {
  const key = orgKey(org);
  const client = await queue.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`synder-enqueue:${key}`]);
    const existing = await pendingJob(client, key);
    if (existing) {
      await client.query('COMMIT');
      return { id: existing.id, created: false, state: STATE_OF[existing.state] ?? 'queued' };
    }
    const db = { executeSql: (text: string, values: unknown[]) => client.query(text, values) };
    const data: OrgSyncJobData = { org, reason };
    const id = await queue.boss.send(ORG_SYNC_QUEUE, data, { singletonKey: key, db, ...(opts.startAfter ? { startAfter: opts.startAfter } : {}) });
    await client.query('COMMIT');
    if (!id) {
      // The unique index refused it: another enqueuer that did not take the lock got there first.
      const other = await pendingJob(queue.pool, key);
      if (other) return { id: other.id, created: false, state: STATE_OF[other.state] ?? 'queued' };
      throw new Error(`The queue refused a sync job for ${org} and holds none for it.`);
    }
    return { id, created: true, state: 'queued' };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function pendingJob(db: Executor, key: string): Promise<{ id: string; state: string } | undefined> {
  const { rows } = await db.query<{ id: string; state: string }>(
    `SELECT id, state FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND singleton_key = $2 AND state < 'completed' ORDER BY created_on LIMIT 1`,
    [ORG_SYNC_QUEUE, key],
  );
  return rows[0];
}

interface JobRow {
  id: string;
  data: OrgSyncJobData | null;
  state: string;
  retry_count: number;
  retry_limit: number;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
  start_after: Date | null;
  output: Record<string, unknown> | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function view(row: JobRow): RunView {
  const state = STATE_OF[row.state] ?? 'queued';
  const output = row.output ?? null;
  const failed = row.state === 'failed' || row.state === 'retry';
  return {
    id: row.id,
    org: row.data?.org ?? '',
    state,
    queueState: row.state,
    reason: row.data?.reason ?? null,
    // A job that has started counts its first run as attempt 1; retry_count counts the ones after.
    attempts: row.started_on ? row.retry_count + 1 : row.retry_count,
    maxAttempts: row.retry_limit + 1,
    queuedAt: row.created_on.toISOString(),
    startedAt: iso(row.started_on),
    finishedAt: iso(row.completed_on),
    startAfter: state === 'queued' ? iso(row.start_after) : null,
    summary: row.state === 'completed' && output ? output : null,
    error: failed && output ? jobError(output) : null,
  };
}

/** The error a failed attempt left: ours, or pg-boss's own (a timeout keeps `{ value: { message } }`). */
function jobError(output: Record<string, unknown>): JobError {
  const inner = (typeof output.value === 'object' && output.value !== null ? output.value : output) as Record<string, unknown>;
  return {
    message: typeof inner.message === 'string' ? inner.message : JSON.stringify(inner),
    code: typeof inner.code === 'string' ? inner.code : inner.message === 'job failed by timeout in active state' ? 'expired' : 'error',
    exitCode: typeof inner.exitCode === 'number' ? inner.exitCode : undefined,
    hint: typeof inner.hint === 'string' ? inner.hint : null,
  };
}

export interface RunFilter {
  org?: string;
  state?: RunState;
  limit?: number;
}

/** Jobs newest first, from the live table and the archive (where pg-boss moves finished ones). */
export async function listRuns(queue: JobQueue, filter: RunFilter = {}): Promise<RunView[]> {
  const where: string[] = ['name = $1'];
  const values: unknown[] = [ORG_SYNC_QUEUE];
  if (filter.org) {
    values.push(orgKey(filter.org));
    where.push(`singleton_key = $${values.length}`);
  }
  if (filter.state) {
    values.push(QUEUE_STATES_OF[filter.state]);
    where.push(`state::text = ANY($${values.length}::text[])`);
  }
  values.push(filter.limit ?? 50);
  const cols = 'id, data, state::text AS state, retry_count, retry_limit, created_on, started_on, completed_on, start_after, output';
  const cond = where.join(' AND ');
  const { rows } = await queue.pool.query<JobRow>(
    `SELECT * FROM (SELECT ${cols} FROM ${QUEUE_SCHEMA}.job WHERE ${cond} UNION ALL SELECT ${cols} FROM ${QUEUE_SCHEMA}.archive WHERE ${cond}) runs
     ORDER BY created_on DESC, id LIMIT $${values.length}`,
    values,
  );
  return rows.map(view);
}

export type QueueCounts = Record<RunState, number>;

/** How many jobs are in each state (finished ones only while pg-boss keeps them in its live table). */
export async function queueCounts(queue: JobQueue, org?: string): Promise<QueueCounts> {
  const counts: QueueCounts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
  const values: unknown[] = [ORG_SYNC_QUEUE];
  if (org) values.push(orgKey(org));
  const { rows } = await queue.pool.query<{ state: string; n: string }>(
    `SELECT state::text AS state, count(*) AS n FROM (SELECT state FROM ${QUEUE_SCHEMA}.job WHERE name = $1${org ? ' AND singleton_key = $2' : ''}
       UNION ALL SELECT state FROM ${QUEUE_SCHEMA}.archive WHERE name = $1${org ? ' AND singleton_key = $2' : ''}) j GROUP BY state`,
    values,
  );
  for (const r of rows) {
    const s = STATE_OF[r.state];
    if (s) counts[s] += Number(r.n);
  }
  return counts;
}
