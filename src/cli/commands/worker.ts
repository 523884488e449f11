import type { Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { numberOption } from '../options.js';

export interface WorkerFlags { concurrency: number; once?: boolean; grace: number; jobTimeout?: number; json?: boolean }

export function registerWorker(program: Command, deps: ProgramDeps): void {
  program
    .command('worker')
    .description('Take org sync jobs from the queue and run several at once (needs SYNDER_DATABASE_URL)')
    .addOption(numberOption('--concurrency <n>', 'org syncs to run at once in this process (a sync mostly waits on rate limits)', { min: 1, max: 64, integer: true, unit: 'syncs' }).default(4, '4'))
    .option('--once', 'exit when the queue holds no job queued, retrying or running (for cron and tests)')
    .addOption(numberOption('--grace <seconds>', 'on SIGTERM or Ctrl+C, how long running syncs may take to finish before they are handed back to the queue', { min: 0, max: 3600, unit: 'seconds' }).default(60, '60'))
    .addOption(numberOption('--job-timeout <minutes>', 'how long a job may run before the queue counts it abandoned and retries it (a worker that was killed); applies to jobs queued from now on', { min: 0.25, max: 23 * 60, unit: 'minutes' }))
    .option('--json', 'print one JSON summary on stdout when the worker exits')
    .action(action(deps, runWorker));
}

export async function runWorker(ctx: Context, flags: WorkerFlags): Promise<number> {
  const { queueFor } = await import('../../queue/for-command.js');
  const { QueueWorker } = await import('../../queue/worker.js');
  const { orgSyncRunner } = await import('../../queue/run-job.js');
  const { ORG_SYNC_QUEUE } = await import('../../queue/queue.js');
  // The jobs share this process's state pool: a connection for each sync's transaction, and a few
  // for the statements run beside them (token refreshes, run records).
  ctx.databasePoolSize = flags.concurrency + 4;
  const queue = await queueFor(ctx, 'worker', { supervise: true });
  // Opened (and migrated) now, once: a state database that cannot be reached stops the worker here
  // instead of failing every job it takes.
  await ctx.store();
  if (flags.jobTimeout !== undefined) {
    const current = await queue.boss.getQueue(ORG_SYNC_QUEUE);
    await queue.boss.updateQueue(ORG_SYNC_QUEUE, { name: ORG_SYNC_QUEUE, policy: current?.policy, retryLimit: current?.retryLimit, retryDelay: current?.retryDelay, retryBackoff: current?.retryBackoff, expireInSeconds: Math.max(1, Math.round(flags.jobTimeout * 60)) });
  }
  const log = (line: string): void => ctx.output.info(`${ctx.clock.now().toISOString()} worker ${process.pid}: ${line}`);
  const worker = new QueueWorker(queue, {
    concurrency: flags.concurrency,
    once: flags.once,
    graceMs: flags.grace * 1000,
    now: () => ctx.clock.now(),
    log,
    run: orgSyncRunner(ctx),
  });
  let signals = 0;
  ctx.onStopSignal(() => {
    signals++;
    log(signals === 1 ? 'stopping: no new jobs (send the signal again to hand running ones back now)' : 'handing running jobs back');
    worker.stop();
  });
  log(`taking jobs, up to ${flags.concurrency} at once${flags.once ? ', until the queue is empty' : ''}`);
  const result = await worker.run();
  log(`stopped: ${result.done} done, ${result.retried} to retry, ${result.failed} failed, ${result.handedBack} handed back`);
  if (ctx.output.json) ctx.output.printJson({ ok: true, ...result });
  return 0;
}
