import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { action, type ProgramDeps } from '../command.js';
import type { Context } from '../context.js';

interface SyncOpts { since?: string; until?: string; dryRun?: boolean; json?: boolean; lookback?: string }

export function registerSync(program: Command, deps: ProgramDeps): void {
  program
    .command('sync')
    .description('Fetch TikTok finance data and book it into the ledger (safe to re-run)')
    .option('--since <date|Nd>', 'read statements from this date (default: where the last sync left off)')
    .option('--until <date|Nd>', 'read statements up to this date (default: now)')
    .option('--dry-run', 'show the documents that would be created; change nothing anywhere')
    .option('--lookback <hours>', 're-read this many hours before the bookmark for late TikTok updates', '72')
    .option('--json', 'print one JSON summary on stdout')
    .action(action<SyncOpts>(deps, runSyncCommand));
}

async function runSyncCommand(ctx: Context, opts: SyncOpts): Promise<number> {
  const { parseWhen } = await import('../../sync/dates.js');
  const now = ctx.clock.now();
  const since = parseWhen(opts.since, now, '--since');
  const until = parseWhen(opts.until, now, '--until');
  const lookbackHours = Number(opts.lookback ?? '72');
  if (!Number.isFinite(lookbackHours) || lookbackHours < 0) throw new UsageError(`--lookback "${opts.lookback}" is not a number of hours.`);
  if (since && until && since >= until) throw new UsageError('--since must be before --until.');
  const org = await ctx.requireOrg();
  const store = await ctx.store();
  const { openOrgClients } = await import('../../sync/clients.js');
  const { runSync } = await import('../../sync/engine.js');
  const { progressReporter } = await import('../../sync/progress.js');
  const clients = await openOrgClients(ctx, org);
  const reporter = await progressReporter(ctx.streams.stderr, ctx.output.json);
  let summary;
  try {
    summary = await runSync(
      { store, ledger: clients.ledger, tiktokFor: clients.tiktokFor, clock: ctx.clock, progress: reporter.event, logger: ctx.logger },
      { orgId: org.id, since, until, dryRun: Boolean(opts.dryRun), lookbackHours },
    );
  } finally {
    reporter.stop();
  }
  const { printSyncSummary } = await import('../../sync/report.js');
  await printSyncSummary(ctx, summary);
  return summary.failures.length > 0 ? ExitCode.partial : ExitCode.ok;
}
