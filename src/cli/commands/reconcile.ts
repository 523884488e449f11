import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';

export function registerReconcile(program: Command, deps: ProgramDeps): void {
  program
    .command('reconcile')
    .description("Compare the clearing balance in the ledger with TikTok's unpaid settlements")
    .option('--json', 'print as JSON')
    .action(action(deps, runReconcile));
}

/** Exits 6 when the books do not reconcile, so a scheduled check turns red on a difference. */
export async function runReconcile(ctx: Context): Promise<number> {
  const org = await ctx.requireOrg();
  const { showReconciliation } = await import('../../sync/show.js');
  ctx.output.startPaging();
  let result;
  try {
    result = await showReconciliation(ctx, org);
  } finally {
    await ctx.output.endPaging();
  }
  return result.reconciles ? ExitCode.ok : ExitCode.unreconciled;
}
