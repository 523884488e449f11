import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { numberOption, whenOption } from '../options.js';

export interface SyncFlags { since?: Date; until?: Date; dryRun?: boolean; json?: boolean; lookback: number; takeOver?: Date; enqueue?: boolean }

export function registerSync(program: Command, deps: ProgramDeps): void {
  program
    .command('sync')
    .description('Fetch TikTok finance data and book it into the ledger (safe to re-run)')
    .addOption(whenOption('--since <date|Nd>', 'read statements from this date (default: where the last sync left off)', deps.clock))
    .addOption(whenOption('--until <date|Nd>', 'read statements up to this date (default: now)', deps.clock))
    .option('--dry-run', 'show the documents that would be created; change nothing anywhere')
    .addOption(numberOption('--lookback <hours>', 're-read this many hours before the bookmark for late TikTok updates', { min: 0, unit: 'hours' }).default(72, '72'))
    .addOption(whenOption('--take-over <date>', 'book the shops here from this cut-over date on, although another synder booked them into this ledger company until now', deps.clock))
    .option('--enqueue', 'queue one run for `synder worker` instead of syncing here, and print its job id (needs SYNDER_DATABASE_URL)')
    .option('--json', 'print one JSON summary on stdout')
    .action(action(deps, runSyncCommand));
}

export async function runSyncCommand(ctx: Context, flags: SyncFlags): Promise<number> {
  if (flags.since && flags.until && flags.since >= flags.until) throw new UsageError('--since must be before --until.');
  if (flags.enqueue) return runEnqueue(ctx, flags);
  const org = await ctx.requireOrg();
  const { syncOrg, syncExitCode } = await import('../../sync/sync-org.js');
  const summary = await syncOrg(ctx, org, { since: flags.since, until: flags.until, dryRun: flags.dryRun, lookbackHours: flags.lookback, takeOver: flags.takeOver });
  const { printSyncSummary } = await import('../../sync/report.js');
  await printSyncSummary(ctx, summary);
  return syncExitCode(summary);
}

/** Queues a whole sync from the bookmark: the window and dry-run flags only mean something to a sync run here. */
export async function runEnqueue(ctx: Context, flags: SyncFlags): Promise<number> {
  const here = [flags.since && '--since', flags.until && '--until', flags.dryRun && '--dry-run', flags.takeOver && '--take-over'].filter(Boolean);
  if (here.length > 0) throw new UsageError(`--enqueue queues a sync from where the last one left off; ${here.join(', ')} only apply to a sync run here.`, 'Drop --enqueue to run it now in this shell.');
  const { queueFor } = await import('../../queue/for-command.js');
  const { enqueueOrgSync } = await import('../../queue/jobs.js');
  const org = await ctx.requireOrg();
  const queue = await queueFor(ctx, 'sync --enqueue');
  const job = await enqueueOrgSync(queue, org.name, 'enqueue');
  if (ctx.output.json) ctx.output.printJson({ ok: true, org: org.name, jobId: job.id, created: job.created, state: job.state });
  else {
    ctx.output.line(job.id);
    ctx.output.info(job.created ? `Queued a sync of ${org.name}; a running \`synder worker\` takes it (see \`synder runs --org "${org.name}"\`).` : `${org.name} already has a sync ${job.state}: job ${job.id}.`);
  }
  return 0;
}
