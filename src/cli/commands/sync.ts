import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { numberOption, whenOption } from '../options.js';

export interface SyncFlags { since?: Date; until?: Date; dryRun?: boolean; json?: boolean; lookback: number; takeOver?: Date }

export function registerSync(program: Command, deps: ProgramDeps): void {
  program
    .command('sync')
    .description('Fetch TikTok finance data and book it into the ledger (safe to re-run)')
    .addOption(whenOption('--since <date|Nd>', 'read statements from this date (default: where the last sync left off)', deps.clock))
    .addOption(whenOption('--until <date|Nd>', 'read statements up to this date (default: now)', deps.clock))
    .option('--dry-run', 'show the documents that would be created; change nothing anywhere')
    .addOption(numberOption('--lookback <hours>', 're-read this many hours before the bookmark for late TikTok updates', { min: 0, unit: 'hours' }).default(72, '72'))
    .addOption(whenOption('--take-over <date>', 'book the shops here from this cut-over date on, although another synder booked them into this ledger company until now', deps.clock))
    .option('--json', 'print one JSON summary on stdout')
    .action(action(deps, runSyncCommand));
}

export async function runSyncCommand(ctx: Context, flags: SyncFlags): Promise<number> {
  if (flags.since && flags.until && flags.since >= flags.until) throw new UsageError('--since must be before --until.');
  const org = await ctx.requireOrg();
  const { syncOrg, syncExitCode } = await import('../../sync/sync-org.js');
  const summary = await syncOrg(ctx, org, { since: flags.since, until: flags.until, dryRun: flags.dryRun, lookbackHours: flags.lookback, takeOver: flags.takeOver });
  const { printSyncSummary } = await import('../../sync/report.js');
  await printSyncSummary(ctx, summary);
  return syncExitCode(summary);
}
