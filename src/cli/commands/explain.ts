import { Argument, InvalidArgumentError, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';

export interface ExplainFlags { open?: boolean; json?: boolean }

export function registerExplain(program: Command, deps: ProgramDeps): void {
  program
    .command('explain')
    .description('Show every amount, posting, ledger document and status change for one order, statement transaction, statement or payout')
    .addArgument(new Argument('<id>', 'any id `synder transactions` shows: order, statement transaction, statement or payout').argParser(nonBlankId))
    .option('--open', 'open its ledger document in the browser ("Show in QuickBooks/Xero")')
    .option('--json', 'print as JSON')
    .action(action(deps, runExplain));
}

// A blank id is a typing slip (an empty shell variable): usage, not a lookup that finds nothing.
function nonBlankId(value: string): string {
  const id = value.trim();
  if (!id) throw new InvalidArgumentError('Give an order, statement transaction, statement or payout id (see `synder transactions`).');
  return id;
}

export async function runExplain(ctx: Context, flags: ExplainFlags, [id]: string[]): Promise<void> {
  const org = await ctx.requireOrg();
  let ledger;
  try {
    const { openLedger } = await import('../../sync/clients.js');
    ledger = org.ledger ? await openLedger(ctx, org) : undefined;
  } catch (err) {
    // Without the ledger the explanation is whole, only without links into it.
    ctx.logger.debug(`no ledger links: ${(err as Error).message}`);
  }
  const { showExplanation } = await import('../../sync/show.js');
  ctx.output.startPaging();
  let ex;
  try {
    ex = await showExplanation(ctx, org, id!, { ledger });
  } finally {
    await ctx.output.endPaging();
  }
  if (!flags.open) return;
  const link = [...ex.transactions.flatMap((t) => t.documents), ...(ex.payout?.documents ?? [])].map((d) => d.link).find((l): l is string => Boolean(l));
  if (link) await openLink(ctx, link);
  else ctx.output.info('Nothing to open: no document of it is in the ledger.');
}

async function openLink(ctx: Context, link: string): Promise<void> {
  const { browserUnavailable } = await import('../../auth/browser-sign-in.js');
  if (!browserUnavailable(ctx.env, ctx.interactive)) {
    try {
      const { default: open } = await import('open');
      await open(link);
      ctx.output.info(`Opened ${link}`);
      return;
    } catch {
      // fall through to printing it
    }
  }
  ctx.output.info('No browser can be opened here; open this link yourself:');
  ctx.output.info(link);
}
