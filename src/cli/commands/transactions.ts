import { Option, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import type { SourceStatus } from '../../store/source-records.js';
import { action, type ProgramDeps } from '../command.js';
import { choiceList, whenOption } from '../options.js';

const STATUSES = ['ready', 'synced', 'synced_with_warnings', 'failed', 'skipped', 'deleted'] as const satisfies readonly SourceStatus[];

export interface TransactionsFlags { status?: SourceStatus[]; since?: Date; json?: boolean }

export function registerTransactions(program: Command, deps: ProgramDeps): void {
  program
    .command('transactions')
    .description('List the platform transactions synder has seen, with status')
    .addOption(new Option('--status <list>', `only these statuses, comma-separated (${STATUSES.join(', ')})`).argParser(choiceList(STATUSES)))
    .addOption(whenOption('--since <date|Nd>', 'only transactions settled on or after this date', deps.clock))
    .option('--json', 'print as JSON')
    .action(action(deps, runTransactions));
}

export async function runTransactions(ctx: Context, flags: TransactionsFlags): Promise<void> {
  const org = await ctx.requireOrg();
  const { showTransactions } = await import('../../sync/show.js');
  await showTransactions(ctx, org, { status: flags.status, since: flags.since });
}
