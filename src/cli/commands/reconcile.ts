import type { Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';

export function registerReconcile(program: Command, deps: ProgramDeps): void {
  program
    .command('reconcile')
    .description("Compare the clearing balance in the ledger with TikTok's unpaid settlements")
    .option('--json', 'print as JSON')
    .action(action(deps, runReconcile));
}

export async function runReconcile(ctx: Context): Promise<void> {
  const org = await ctx.requireOrg();
  const { showReconciliation } = await import('../../sync/show.js');
  ctx.output.startPaging();
  try {
    await showReconciliation(ctx, org);
  } finally {
    await ctx.output.endPaging();
  }
}
