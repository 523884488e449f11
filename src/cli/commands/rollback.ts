import type { Command } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { numberOption, whenOption } from '../options.js';
import type { RollbackResult } from '../../sync/rollback.js';

export interface RollbackFlags { run?: number; since?: Date; json?: boolean; dryRun?: boolean; yes?: boolean }

/** Rows listed before asking, and by --dry-run without --json or --verbose. */
const FIRST_ROWS = 15;

export function registerRollback(program: Command, deps: ProgramDeps): void {
  program
    .command('rollback')
    .description('Delete or void documents synder created so they can be synced again')
    .argument('[orderIds...]', 'TikTok order ids')
    .addOption(numberOption('--run <id>', 'everything one sync run created', { min: 1, integer: true }))
    .addOption(whenOption('--since <date|Nd>', 'everything dated on or after this date', deps.clock))
    .option('--dry-run', 'list what would be removed (counts per document type, the first rows); change nothing')
    .option('--yes', 'remove without asking (required without a terminal)')
    .option('--json', 'print as JSON')
    .action(action(deps, runRollback));
}

export async function runRollback(ctx: Context, flags: RollbackFlags, orderIds: string[]): Promise<number> {
  const chosen = [orderIds.length > 0, flags.run !== undefined, flags.since !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('Name what to roll back: order ids, or --run <id>, or --since <date> (one of them).');
  const org = await ctx.requireOrg();
  const store = await ctx.store();
  const { selectDocuments, rollback, rollbackPlan } = await import('../../sync/rollback.js');
  const docs = await selectDocuments(store, org, { orderIds: orderIds.length ? orderIds : undefined, runId: flags.run, since: flags.since?.toISOString().slice(0, 10) });
  const full = ctx.output.json || ctx.logger.verbose;
  if (docs.length === 0) {
    if (ctx.output.json) ctx.output.printJson(flags.dryRun ? { org: org.name, dryRun: true, total: 0, byKind: {}, documents: [] } : { org: org.name, removed: [], refused: [], sharedStatements: [] });
    else ctx.output.line('Nothing to roll back: synder booked no document for that selection.');
    return ExitCode.ok;
  }
  const plan = rollbackPlan(docs, full ? undefined : FIRST_ROWS);
  const counts = Object.entries(plan.byKind).map(([kind, n]) => `${n} ${kind}`).join(', ');
  const ledgerName = org.ledger === 'xero' ? 'Xero' : 'QuickBooks';
  const showPlan = async (title: string) => {
    ctx.output.line(`${title}: ${plan.total} document(s) in ${ledgerName} (${counts}).`);
    await ctx.output.table({ head: ['Document', 'Kind', 'Date', 'Order', 'In the ledger'], rows: plan.rows.map((r) => [r.key, r.kind, r.date, r.orderId ?? r.statementId ?? '', r.ledger ?? '']) });
    if (plan.rows.length < plan.total) ctx.output.line(`… and ${plan.total - plan.rows.length} more (all of them with --verbose or --json).`);
  };

  if (flags.dryRun) {
    if (ctx.output.json) ctx.output.printJson({ org: org.name, dryRun: true, total: plan.total, byKind: plan.byKind, documents: plan.rows });
    else {
      await showPlan('Would remove');
      ctx.output.line('Nothing was changed (dry run). Run again with --yes to remove them.');
    }
    return ExitCode.ok;
  }
  if (!flags.yes) {
    if (!ctx.interactive) {
      throw new UsageError(
        `This rollback would remove ${plan.total} document(s) from ${ledgerName} (${counts}); without a terminal it needs --yes.`,
        'List them first with --dry-run, then run again with --yes.',
      );
    }
    await showPlan('This removes');
    const { Prompter } = await import('../../runtime/prompts.js');
    const go = await new Prompter(ctx).confirm({ message: `Remove these ${plan.total} document(s) from ${ledgerName}?`, flag: '--yes', default: false });
    if (!go) {
      ctx.output.line('Cancelled: nothing was removed.');
      return ExitCode.usage;
    }
  }

  const { openLedger } = await import('../../sync/clients.js');
  const result = await removeWithProgress(ctx, docs.length, (opts) => openLedger(ctx, org).then((ledger) => rollback(store, ledger, org, docs, opts)));
  if (ctx.output.json) ctx.output.printJson({ org: org.name, ...result });
  else {
    const removedKinds = Object.entries(rollbackPlan(docs.filter((d) => result.removed.some((r) => r.key === d.key))).byKind).map(([k, n]) => `${n} ${k}`).join(', ');
    ctx.output.line(`Removed ${result.removed.length} of ${plan.total} document(s) from ${ledgerName}${removedKinds ? ` (${removedKinds})` : ''}; the ledger refused ${result.refused.length}.`);
    if (full && result.removed.length) await ctx.output.table({ title: 'Removed from the ledger', head: ['Document', 'Kind', 'Order', 'How'], rows: result.removed.map((r) => [r.key, r.kind, r.orderId, r.how]) });
    if (result.refused.length) await ctx.output.table({ title: 'The ledger refused', head: ['Document', 'Kind', 'Order', 'Reason'], rows: result.refused.map((r) => [r.key, r.kind, r.orderId, r.message]) });
    if (result.sharedStatements.length) ctx.output.line(`Summary entries of statement(s) ${result.sharedStatements.join(', ')} held other orders too; the next sync books them all again.`);
    if (result.removed.length) ctx.output.line('Run `synder sync` to book them again.');
  }
  return result.refused.length > 0 ? ExitCode.partial : ExitCode.ok;
}

type RollbackRun = (opts: { signal: AbortSignal; onForce: (step: () => void) => () => void; progress: (done: number, total: number) => void }) => Promise<RollbackResult>;

/** The rollback with a count, rate and time left on stderr, stopped by Ctrl+C between ledger calls. */
async function removeWithProgress(ctx: Context, total: number, run: RollbackRun): Promise<RollbackResult> {
  const { progressLine, count, rate, timeLeft } = await import('../../runtime/progress.js');
  const interrupt = ctx.interrupt('the rollback', 'Run the same `synder rollback` again to finish it: documents already removed are recognised.');
  const line = await progressLine(ctx.streams.stderr, { quiet: ctx.output.json });
  const started = Date.now();
  line.phase(`Removing ${count(total)} document(s) from the ledger`);
  try {
    return await run({
      signal: interrupt.signal,
      onForce: (step) => interrupt.onForce(step),
      progress: (done, all) => {
        const elapsed = Date.now() - started;
        const left = timeLeft(done, all, elapsed);
        line.update(`Removed ${count(done)}/${count(all)} (${rate(done, elapsed)})${left ? ` · about ${left} left` : ''}`);
      },
    });
  } catch (err) {
    if (interrupt.signal.aborted) throw interrupt.signal.reason;
    throw err;
  } finally {
    line.stop();
  }
}
