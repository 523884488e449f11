import cronParser from 'cron-parser';
import { UsageError } from '../errors.js';
import { enqueueOrgSync } from './jobs.js';
import { QUEUE_SCHEMA, orgKey, type JobQueue } from './queue.js';

export const EVERY_HELP =
  'minutes that divide an hour (5m, 10m, 15m, 20m, 30m) or hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h)';

/** A string hash that stays the same across processes and releases. */
function spread(key: string, modulo: number): number {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return h % modulo;
}

/**
 * `--every 30m` as a cron expression. Each org gets its own minute (and hour, for multi-hour
 * intervals) from its name, so a firm's hundreds of hourly schedules do not all start on the hour.
 */
export function everyToCron(every: string, org: string): string {
  const m = /^\s*(\d+)\s*(m|min|h|hr)\s*$/i.exec(every);
  const fail = (): never => {
    throw new UsageError(`--every ${every} is not an interval synder can repeat evenly.`, `Use ${EVERY_HELP}, or --cron '<expr>' for anything else.`);
  };
  if (!m) return fail();
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase().startsWith('h') ? 'h' : 'm';
  const key = orgKey(org);
  if (unit === 'm') {
    if (n === 60) return `${spread(key, 60)} * * * *`;
    if (n < 1 || 60 % n !== 0) return fail();
    const first = spread(key, n);
    return `${first}-59/${n} * * * *`;
  }
  if (n < 1 || 24 % n !== 0) return fail();
  const minute = spread(key, 60);
  if (n === 1) return `${minute} * * * *`;
  if (n === 24) return `${minute} ${spread(key, 24)} * * *`;
  return `${minute} ${spread(key, n)}-23/${n} * * *`;
}

/** A five-field cron expression, checked by the parser that will run it. */
export function validateCron(expr: string, timezone = 'UTC'): string {
  const trimmed = expr.trim().replace(/\s+/g, ' ');
  const hint = "Use five fields: minute hour day-of-month month day-of-week, e.g. --cron '15 6 * * 1-5' (06:15 on weekdays).";
  if (trimmed.split(' ').length !== 5) throw new UsageError(`--cron '${expr}' does not have five fields.`, hint);
  try {
    cronParser.parseExpression(trimmed, { tz: timezone }).next();
  } catch (err) {
    throw new UsageError(`--cron '${expr}' is not a valid cron expression: ${(err as Error).message}.`, hint);
  }
  return trimmed;
}

export interface ScheduleView {
  org: string;
  cron: string;
  every: string | null;
  timezone: string;
  nextRunAt: string;
  lastSlotAt: string;
}

interface ScheduleRow {
  org_key: string;
  org: string;
  cron: string;
  every: string | null;
  timezone: string;
  last_slot: Date;
}

const nextAfter = (row: Pick<ScheduleRow, 'cron' | 'timezone'>, after: Date): Date => cronParser.parseExpression(row.cron, { currentDate: after, tz: row.timezone }).next().toDate();

const toView = (row: ScheduleRow, now: Date): ScheduleView => ({
  org: row.org,
  cron: row.cron,
  every: row.every,
  timezone: row.timezone,
  nextRunAt: nextAfter(row, row.last_slot > now ? row.last_slot : now).toISOString(),
  lastSlotAt: row.last_slot.toISOString(),
});

/** Adds or replaces the org's schedule; its first run is the next slot after `now`. */
export async function addSchedule(queue: JobQueue, s: { org: string; cron: string; every?: string; timezone: string }, now: Date): Promise<ScheduleView> {
  const { rows } = await queue.pool.query<ScheduleRow>(
    `INSERT INTO ${QUEUE_SCHEMA}.org_schedule (org_key, org, cron, every, timezone, last_slot) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (org_key) DO UPDATE SET org = EXCLUDED.org, cron = EXCLUDED.cron, every = EXCLUDED.every, timezone = EXCLUDED.timezone, last_slot = EXCLUDED.last_slot
     RETURNING *`,
    [orgKey(s.org), s.org, s.cron, s.every ?? null, s.timezone, now],
  );
  return toView(rows[0]!, now);
}

export async function listSchedules(queue: JobQueue, now: Date): Promise<ScheduleView[]> {
  const { rows } = await queue.pool.query<ScheduleRow>(`SELECT * FROM ${QUEUE_SCHEMA}.org_schedule ORDER BY org_key`);
  return rows.map((r) => toView(r, now));
}

/** Whether the org had a schedule to remove. */
export async function removeSchedule(queue: JobQueue, org: string): Promise<boolean> {
  const { rowCount } = await queue.pool.query(`DELETE FROM ${QUEUE_SCHEMA}.org_schedule WHERE org_key = $1`, [orgKey(org)]);
  return (rowCount ?? 0) > 0;
}

export interface TickResult {
  org: string;
  jobId: string;
  created: boolean;
}

/**
 * Queues a run for every schedule whose next slot has come. Every worker ticks; the row locks let
 * exactly one of them handle each due schedule, and a slot missed while no worker ran is run once,
 * not once per missed slot.
 */
export async function tickSchedules(queue: JobQueue, now: Date): Promise<TickResult[]> {
  const client = await queue.pool.connect();
  const queued: TickResult[] = [];
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<ScheduleRow>(`SELECT * FROM ${QUEUE_SCHEMA}.org_schedule ORDER BY org_key FOR UPDATE SKIP LOCKED`);
    for (const row of rows) {
      if (nextAfter(row, row.last_slot) > now) continue;
      const slot = cronParser.parseExpression(row.cron, { currentDate: now, tz: row.timezone }).prev().toDate();
      const job = await enqueueOrgSync(queue, row.org, 'schedule');
      queued.push({ org: row.org, jobId: job.id, created: job.created });
      await client.query(`UPDATE ${QUEUE_SCHEMA}.org_schedule SET last_slot = $2 WHERE org_key = $1`, [row.org_key, slot > row.last_slot ? slot : now]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  return queued;
}
