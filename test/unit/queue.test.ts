import { afterEach, describe, expect, it } from 'vitest';
import { enqueueOrgSync, listRuns } from '../../src/queue/jobs.js';
import { ORG_SYNC_QUEUE, QUEUE_SCHEMA, openQueue, type JobQueue } from '../../src/queue/queue.js';
import { addSchedule, everyToCron, tickSchedules } from '../../src/queue/schedules.js';
import { QueueWorker, type JobOutcome, type JobRunner, type JobTicket } from '../../src/queue/worker.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

/** The org-sync queue on a real pg-boss: one job per org at a time, retries that keep their error, expiry, hand-back, schedules. */

const skip = postgresSkipReason();
const opened: JobQueue[] = [];
afterEach(async () => {
  for (const q of opened.splice(0)) await q.release();
});

async function queue(): Promise<JobQueue> {
  const q = await openQueue(await freshDatabase('synder_queue_test'));
  opened.push(q);
  return q;
}

const done = (org: string): JobOutcome => ({ kind: 'done', summary: { org, documents: { created: 1, failed: 0 } }, line: '1 created' });

function worker(q: JobQueue, run: JobRunner, opts: { concurrency?: number; once?: boolean; graceMs?: number } = {}): { worker: QueueWorker; log: string[] } {
  const log: string[] = [];
  const w = new QueueWorker(q, { concurrency: opts.concurrency ?? 4, once: opts.once ?? true, graceMs: opts.graceMs ?? 0, handBackMs: 2000, pollMs: 50, now: () => new Date(), log: (l) => log.push(l), run });
  return { worker: w, log };
}

const jobRow = async (q: JobQueue, id: string) =>
  (await q.pool.query<{ state: string; retry_count: number; start_after: Date; output: Record<string, unknown> | null }>(`SELECT state::text, retry_count, start_after, output FROM ${QUEUE_SCHEMA}.job WHERE id = $1`, [id])).rows[0]!;

describe.skipIf(skip)(`the org-sync queue${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('holds one job per org: a second enqueue returns the first, and no second job of an org ever becomes active', async () => {
    const q = await queue();
    const a = await enqueueOrgSync(q, 'Acme', 'enqueue');
    expect(await enqueueOrgSync(q, 'ACME', 'schedule')).toEqual({ id: a.id, created: false, state: 'queued' });
    const b = await enqueueOrgSync(q, 'Beta', 'enqueue');
    expect(b.created).toBe(true);

    const fetched = await q.boss.fetch<{ org: string }>(ORG_SYNC_QUEUE, { batchSize: 10 });
    expect(fetched.map((j) => j.data.org).sort()).toEqual(['Acme', 'Beta']);
    expect(await enqueueOrgSync(q, 'Acme', 'enqueue')).toEqual({ id: a.id, created: false, state: 'running' });

    // Even a job sent past synder's own check cannot run beside the active one: the queue's unique index refuses it.
    const sneaked = await q.boss.send(ORG_SYNC_QUEUE, { org: 'Acme', reason: 'enqueue' }, { singletonKey: 'acme' });
    expect(sneaked).toBeTruthy();
    expect(await q.boss.fetch(ORG_SYNC_QUEUE, { batchSize: 10 })).toEqual([]);
    const { rows } = await q.pool.query(`SELECT count(*)::int AS n FROM ${QUEUE_SCHEMA}.job WHERE singleton_key = 'acme' AND state = 'active'`);
    expect(rows[0].n).toBe(1);
  });

  it('runs many orgs at once, never two jobs of one org', async () => {
    const q = await queue();
    for (let i = 0; i < 8; i++) await enqueueOrgSync(q, `Org ${i}`, 'enqueue');
    let running = 0;
    let peak = 0;
    const { worker: w } = worker(q, async (t) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 150));
      running--;
      return done(t.org);
    }, { concurrency: 4 });
    expect(await w.run()).toMatchObject({ done: 8, failed: 0 });
    expect(peak).toBe(4);
    const runs = await listRuns(q);
    expect(runs.filter((r) => r.state === 'done')).toHaveLength(8);
    expect(runs[0]!.summary).toMatchObject({ documents: { created: 1 } });
  });

  it('retries a failed attempt with backoff and keeps its error; an error no retry mends fails at once', async () => {
    const q = await queue();
    const a = await enqueueOrgSync(q, 'Acme', 'enqueue');
    const b = await enqueueOrgSync(q, 'Beta', 'enqueue');
    const seen: JobTicket[] = [];
    const before = Date.now();
    const { worker: w } = worker(q, async (t) => {
      seen.push(t);
      return t.org === 'Acme'
        ? { kind: 'retry', error: { code: 'network', message: 'QuickBooks did not answer.', exitCode: 1 } }
        : { kind: 'fail', error: { code: 'reauth_required', message: 'Sign in to QuickBooks again.', exitCode: 4 } };
    }, { once: false });
    const stopped = w.run();
    await new Promise((r) => setTimeout(r, 600));
    w.stop();
    expect(await stopped).toMatchObject({ retried: 1, failed: 1 });

    const retried = await jobRow(q, a.id);
    expect(retried.state).toBe('retry');
    // Backoff: the first retry waits at least the queue's retry delay (30 s), not a moment.
    expect(retried.start_after.getTime()).toBeGreaterThanOrEqual(before + 29_000);
    const [acme] = await listRuns(q, { org: 'Acme' });
    expect(acme).toMatchObject({ state: 'queued', queueState: 'retry', attempts: 1, error: { code: 'network', message: 'QuickBooks did not answer.', exitCode: 1 } });

    const [beta] = await listRuns(q, { org: 'Beta' });
    expect(beta).toMatchObject({ id: b.id, state: 'failed', attempts: 1, maxAttempts: 1, error: { code: 'reauth_required' } });

    // When the backoff is over the retry runs, as attempt 2, and its summary replaces the error.
    await q.pool.query(`UPDATE ${QUEUE_SCHEMA}.job SET start_after = now() WHERE id = $1`, [a.id]);
    const again = worker(q, async (t) => {
      seen.push(t);
      return done(t.org);
    });
    await again.worker.run();
    expect(seen.at(-1)).toMatchObject({ org: 'Acme', attempt: 2, maxAttempts: 7 });
    expect((await listRuns(q, { org: 'Acme' }))[0]).toMatchObject({ state: 'done', attempts: 2, error: null, summary: { org: 'Acme' } });
  });

  it('a job that meets its org locked by another process tries again within seconds, spending no attempt', async () => {
    const q = await queue();
    const a = await enqueueOrgSync(q, 'Acme', 'enqueue');
    const before = Date.now();
    const { worker: w } = worker(q, async () => ({ kind: 'retry', error: { code: 'locked', message: 'Another sync of "Acme" is running (pid 7 on host-b).', exitCode: 5 } }), { once: false });
    const stopped = w.run();
    await new Promise((r) => setTimeout(r, 600));
    w.stop();
    expect(await stopped).toMatchObject({ retried: 1 });
    const row = await jobRow(q, a.id);
    expect(row).toMatchObject({ state: 'retry', retry_count: 0 });
    expect(row.start_after.getTime()).toBeGreaterThanOrEqual(before + 9_000);
    expect(row.start_after.getTime()).toBeLessThan(before + 20_000);
    expect((await listRuns(q, { org: 'Acme' }))[0]).toMatchObject({ state: 'queued', error: { code: 'locked' } });
  });

  it('retries the job of a worker that died, once the job expires', async () => {
    const q = await queue();
    await q.boss.updateQueue(ORG_SYNC_QUEUE, { name: ORG_SYNC_QUEUE, policy: 'stately', expireInSeconds: 1, retryLimit: 6, retryDelay: 30, retryBackoff: true });
    const a = await enqueueOrgSync(q, 'Acme', 'enqueue');
    // A worker takes the job and is killed: nothing ever completes or fails it.
    expect(await q.boss.fetch(ORG_SYNC_QUEUE)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500));
    await q.boss.expire();
    const expired = (await listRuns(q, { org: 'Acme' }))[0]!;
    expect(expired).toMatchObject({ id: a.id, state: 'queued', queueState: 'retry', error: { code: 'expired' } });

    await q.pool.query(`UPDATE ${QUEUE_SCHEMA}.job SET start_after = now() WHERE id = $1`, [a.id]);
    const seen: JobTicket[] = [];
    await worker(q, async (t) => {
      seen.push(t);
      return done(t.org);
    }).worker.run();
    expect(seen).toEqual([{ id: a.id, org: 'Acme', attempt: 2, maxAttempts: 7 }]);
    expect((await listRuns(q, { org: 'Acme' }))[0]!.state).toBe('done');
  });

  it('a stopped worker hands running jobs back, ready for another worker at once', async () => {
    const q = await queue();
    const a = await enqueueOrgSync(q, 'Acme', 'enqueue');
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const { worker: w, log } = worker(q, (_t, signal) => {
      started();
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'retry', error: { code: 'interrupted', message: 'Stopped the sync.' } })));
    }, { once: false, graceMs: 200 });
    const stopped = w.run();
    await running;
    w.stop();
    expect(await stopped).toMatchObject({ handedBack: 1, done: 0 });
    expect(log.join('\n')).toContain('handed back Acme');
    const row = await jobRow(q, a.id);
    expect(row.state).toBe('retry');
    expect(row.start_after.getTime()).toBeLessThanOrEqual(Date.now());
    expect(row.output).toMatchObject({ code: 'handed_back' });
  });

  it('a schedule queues one run per slot, however many workers tick', async () => {
    const q = await queue();
    const now = new Date();
    await addSchedule(q, { org: 'Acme', cron: '* * * * *', timezone: 'UTC' }, new Date(now.getTime() - 5 * 60_000));
    const ticks = await Promise.all([tickSchedules(q, now), tickSchedules(q, now), tickSchedules(q, now)]);
    expect(ticks.flat().filter((t) => t.created)).toHaveLength(1);
    expect(await tickSchedules(q, now)).toEqual([]);
    expect((await listRuns(q)).map((r) => [r.org, r.reason])).toEqual([['Acme', 'schedule']]);
  });
});

describe('--every as cron', () => {
  it('spreads orgs over the interval and keeps each on its own minute', () => {
    expect(everyToCron('1h', 'Acme')).toMatch(/^\d{1,2} \* \* \* \*$/);
    expect(everyToCron('30m', 'Acme')).toMatch(/^\d{1,2}-59\/30 \* \* \* \*$/);
    expect(everyToCron('6h', 'Acme')).toMatch(/^\d{1,2} [0-5]-23\/6 \* \* \*$/);
    expect(everyToCron('24h', 'Acme')).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
    expect(everyToCron('1h', 'Acme')).toBe(everyToCron('1H', 'acme'));
    const minutes = new Set(Array.from({ length: 40 }, (_, i) => everyToCron('1h', `Org ${i}`).split(' ')[0]));
    expect(minutes.size).toBeGreaterThan(15);
  });
});
