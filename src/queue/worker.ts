import type PgBoss from 'pg-boss';
import type { JobError, OrgSyncJobData } from './jobs.js';
import { JOB_DEFAULTS, ORG_SYNC_QUEUE, QUEUE_SCHEMA, type JobQueue } from './queue.js';
import { tickSchedules } from './schedules.js';

export interface JobTicket {
  id: string;
  org: string;
  /** 1 for the first run, 2 for the first retry… */
  attempt: number;
  maxAttempts: number;
}

/**
 * What became of one attempt: done (with the sync's summary, partial ones included: running it
 * again would not book what the ledger refused), worth retrying (a held lock, a network failure, a
 * worker that stopped), or failed for good (a sign-in needed, an org without a shop).
 */
export type JobOutcome =
  | { kind: 'done'; summary: Record<string, unknown>; line: string }
  | { kind: 'retry'; error: JobError }
  | { kind: 'fail'; error: JobError };

/** Runs one job; `signal` aborts when the worker hands the job back. */
export type JobRunner = (job: JobTicket, signal: AbortSignal) => Promise<JobOutcome>;

export interface WorkerOptions {
  concurrency: number;
  /** Exit once the queue holds no job queued, retrying or running (by any worker). */
  once?: boolean;
  /** How long in-flight jobs may take to finish after a stop before they are handed back. */
  graceMs: number;
  /** How long a job handed back may take to stop before its attempt is failed for it. */
  handBackMs?: number;
  pollMs?: number;
  tickMs?: number;
  now: () => Date;
  log: (line: string) => void;
  run: JobRunner;
}

export interface WorkerResult {
  done: number;
  failed: number;
  retried: number;
  handedBack: number;
}

interface InFlight {
  ticket: JobTicket;
  controller: AbortController;
  settled: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

const HANDED_BACK: JobError = { code: 'handed_back', message: 'The worker stopped before this sync finished; another worker carries on from what it recorded.' };

/**
 * Takes org-sync jobs and runs up to `concurrency` of them at once. A sync spends most of its time
 * waiting on its companies' rate limits, so one process carries many; the queue's policy keeps an
 * org to one job at a time across all workers.
 */
export class QueueWorker {
  private readonly inFlight = new Map<string, InFlight>();
  private stopping = false;
  private handingBack = false;
  private wake: (() => void) | undefined;
  private readonly result: WorkerResult = { done: 0, failed: 0, retried: 0, handedBack: 0 };

  constructor(private readonly queue: JobQueue, private readonly opts: WorkerOptions) {}

  /** First call: take no more jobs and let running ones finish. Second call: hand them back now. */
  stop(): void {
    if (this.stopping) {
      this.handingBack = true;
    } else {
      this.stopping = true;
      if (this.inFlight.size > 0) this.opts.log(`stopping: waiting up to ${Math.round(this.opts.graceMs / 1000)}s for ${this.inFlight.size} running job(s), then handing them back`);
    }
    this.wake?.();
  }

  async run(): Promise<WorkerResult> {
    const pollMs = this.opts.pollMs ?? 1000;
    const tickMs = this.opts.tickMs ?? 30_000;
    let nextTick = 0;
    while (!this.stopping) {
      if (Date.now() >= nextTick) {
        nextTick = Date.now() + tickMs;
        await this.tick();
      }
      const free = this.opts.concurrency - this.inFlight.size;
      let fetched = 0;
      if (free > 0) {
        const jobs = await this.fetch(free);
        fetched = jobs.length;
        for (const job of jobs) this.launch(job);
      }
      if (fetched > 0) continue;
      if (this.opts.once && this.inFlight.size === 0 && !(await this.anythingPending())) break;
      await this.idle(pollMs);
    }
    await this.finish();
    return this.result;
  }

  private async tick(): Promise<void> {
    try {
      for (const t of await tickSchedules(this.queue, this.opts.now())) {
        this.opts.log(t.created ? `scheduled ${t.org}: queued job ${t.jobId}` : `scheduled ${t.org}: job ${t.jobId} is already queued or running`);
      }
    } catch (err) {
      this.opts.log(`could not check the schedules: ${(err as Error).message}`);
    }
  }

  private async fetch(n: number): Promise<PgBoss.JobWithMetadata<OrgSyncJobData>[]> {
    try {
      return await this.queue.boss.fetch<OrgSyncJobData>(ORG_SYNC_QUEUE, { batchSize: n, includeMetadata: true });
    } catch (err) {
      this.opts.log(`could not fetch jobs: ${(err as Error).message}`);
      return [];
    }
  }

  private async anythingPending(): Promise<boolean> {
    const { rows } = await this.queue.pool.query(`SELECT 1 FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state < 'completed' LIMIT 1`, [ORG_SYNC_QUEUE]);
    return rows.length > 0;
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private launch(job: PgBoss.JobWithMetadata<OrgSyncJobData>): void {
    const ticket: JobTicket = { id: job.id, org: job.data.org, attempt: job.retryCount + 1, maxAttempts: job.retryLimit + 1 };
    const controller = new AbortController();
    const started = Date.now();
    this.opts.log(`start ${ticket.org} (job ${ticket.id}, attempt ${ticket.attempt} of ${ticket.maxAttempts})`);
    const settled = (async () => {
      let outcome: JobOutcome;
      try {
        outcome = await this.opts.run(ticket, controller.signal);
      } catch (err) {
        outcome = { kind: 'retry', error: { code: 'internal', message: (err as Error)?.message ?? String(err) } };
      }
      if (controller.signal.aborted && outcome.kind !== 'done') outcome = { kind: 'retry', error: HANDED_BACK };
      await this.record(ticket, outcome, (Date.now() - started) / 1000);
    })().finally(() => {
      this.inFlight.delete(ticket.id);
      this.wake?.();
    });
    this.inFlight.set(ticket.id, { ticket, controller, settled });
  }

  private async record(ticket: JobTicket, outcome: JobOutcome, seconds: number): Promise<void> {
    const took = `${seconds.toFixed(1)}s`;
    try {
      if (outcome.kind === 'done') {
        await this.queue.boss.complete(ORG_SYNC_QUEUE, ticket.id, outcome.summary);
        this.result.done++;
        this.opts.log(`done ${ticket.org} (job ${ticket.id}) in ${took}: ${outcome.line}`);
        return;
      }
      const last = outcome.kind === 'fail' || ticket.attempt >= ticket.maxAttempts;
      if (outcome.kind === 'fail') {
        // Retrying cannot fix it (a sign-in is needed, the org has no shop): spend no more attempts.
        await this.queue.pool.query(`UPDATE ${QUEUE_SCHEMA}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2 AND state = 'active'`, [ORG_SYNC_QUEUE, ticket.id]);
      }
      await this.queue.boss.fail(ORG_SYNC_QUEUE, ticket.id, { ...outcome.error });
      if (outcome.error.code === 'handed_back') {
        // Handed back, not failed: another worker may take it at once instead of after a backoff.
        await this.queue.pool.query(`UPDATE ${QUEUE_SCHEMA}.job SET start_after = now() WHERE name = $1 AND id = $2 AND state = 'retry'`, [ORG_SYNC_QUEUE, ticket.id]);
        this.result.handedBack++;
        this.opts.log(`handed back ${ticket.org} (job ${ticket.id}) after ${took}`);
        return;
      }
      if (outcome.error.code === 'locked' && !last) {
        await this.queue.pool.query(
          `UPDATE ${QUEUE_SCHEMA}.job SET start_after = now() + make_interval(secs => $3), retry_count = GREATEST(retry_count - 1, 0) WHERE name = $1 AND id = $2 AND state = 'retry'`,
          [ORG_SYNC_QUEUE, ticket.id, JOB_DEFAULTS.lockedRetrySeconds],
        );
      }
      if (last) this.result.failed++;
      else this.result.retried++;
      this.opts.log(`failed ${ticket.org} (job ${ticket.id}) after ${took}: ${outcome.error.message}${last ? '' : ' — will retry'}`);
    } catch (err) {
      this.opts.log(`could not record the end of job ${ticket.id} (${ticket.org}): ${(err as Error).message}; it is retried after it expires`);
    }
  }

  private async finish(): Promise<void> {
    if (this.inFlight.size === 0) return;
    const all = (): Promise<unknown> => Promise.allSettled([...this.inFlight.values()].map((f) => f.settled));
    const graceEnds = Date.now() + this.opts.graceMs;
    while (this.inFlight.size > 0 && !this.handingBack && Date.now() < graceEnds) {
      await Promise.race([all(), this.idle(Math.max(0, graceEnds - Date.now()))]);
    }
    if (this.inFlight.size === 0) return;
    for (const f of this.inFlight.values()) f.controller.abort();
    await Promise.race([all(), sleep(this.opts.handBackMs ?? 10_000)]);
    // Those still running could not stop in time: their attempts are given back for them.
    for (const f of [...this.inFlight.values()]) {
      this.inFlight.delete(f.ticket.id);
      await this.record(f.ticket, { kind: 'retry', error: HANDED_BACK }, 0);
    }
  }
}

