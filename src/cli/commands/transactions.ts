import { Option, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import type { SourceStatus } from '../../store/source-records.js';
import { action, type ProgramDeps } from '../command.js';
import { choiceList, numberOption, whenOption } from '../options.js';

const STATUSES = ['ready', 'synced', 'synced_with_warnings', 'failed', 'skipped', 'deleted'] as const satisfies readonly SourceStatus[];

/** What a terminal shows unless asked for more; piped output and --json are whole. */
export const TERMINAL_LIMIT = 50;

export interface TransactionsFlags { status?: SourceStatus[]; since?: Date; until?: Date; type?: string[]; limit?: number; json?: boolean }

export function registerTransactions(program: Command, deps: ProgramDeps): void {
  program
    .command('transactions')
    .description('List the platform transactions synder has seen, with status')
    .addOption(new Option('--status <list>', `only these statuses, comma-separated (${STATUSES.join(', ')})`).argParser(choiceList(STATUSES)))
    .addOption(new Option('--type <list>', 'only these types, comma-separated (ORDER, REFUND, ADJUSTMENT, PAYOUT, …)').argParser((v: string) => v.split(',').map((t) => t.trim()).filter(Boolean)))
    .addOption(whenOption('--since <date|Nd>', 'only transactions settled on or after this date', deps.clock))
    .addOption(whenOption('--until <date|Nd>', 'only transactions settled before this date', deps.clock))
    .addOption(numberOption('--limit <n>', `show the newest n (default ${TERMINAL_LIMIT} on a terminal, all otherwise; 0 for all)`, { min: 0, integer: true }))
    .option('--json', 'print as JSON')
    .addHelpText('after', `
Examples:
  synder transactions --status failed                  what still needs a fix
  synder transactions --type REFUND --since 7d         last week's refunds
  synder transactions --limit 0 > transactions.tsv     everything, tab-separated`)
    .action(action(deps, runTransactions));
}

export async function runTransactions(ctx: Context, flags: TransactionsFlags): Promise<void> {
  const org = await ctx.requireOrg();
  const { showTransactions } = await import('../../sync/show.js');
  const limit = flags.limit ?? (ctx.output.terminal && !ctx.output.json ? TERMINAL_LIMIT : 0);
  ctx.output.startPaging();
  try {
    await showTransactions(ctx, org, { status: flags.status, since: flags.since, until: flags.until, types: flags.type, limit });
  } finally {
    await ctx.output.endPaging();
  }
}
