import type { Command } from 'commander';
import { action, type ProgramDeps } from '../command.js';

export function registerReconcile(program: Command, deps: ProgramDeps): void {
  program
    .command('reconcile')
    .description("Compare the clearing balance in the ledger with TikTok's unpaid settlements")
    .option('--json', 'print as JSON')
    .action(
      action<{ json?: boolean }>(deps, async (ctx) => {
        const { openLedger } = await import('../../sync/clients.js');
        const { reconcileOrg } = await import('../../sync/clearing-check.js');
        const org = await ctx.requireOrg();
        const store = await ctx.store();
        const ledger = await openLedger(ctx, org);
        const result = await reconcileOrg({ store, ledger }, org);
        if (ctx.output.json) {
          ctx.output.printJson(result);
          return;
        }
        if (result.clearing.length === 0) ctx.output.line('No clearing account yet: run `synder sync` first.');
        else
          await ctx.output.table({
            head: ['Shop', 'Currency', 'Clearing in ledger', 'Unpaid settlements (TikTok)', 'Difference'],
            rows: result.clearing.map((c) => [c.integration, c.currency, c.ledgerBalance, c.unpaidSettlements, c.difference]),
            alignRight: [2, 3, 4],
          });
        const many = result.clearing.length > 1;
        for (const c of result.clearing) {
          const of = many ? ` — ${c.integration} ${c.currency}` : '';
          // Each table ends with its total, the figure printed above: the rows add up to it.
          if (c.unpaidStatements.length)
            await ctx.output.table({
              title: `Statements not paid out yet${of}`,
              head: ['Statement', 'Date', 'Payment', 'Settlement', 'Reserve', 'Owed'],
              rows: [
                ...c.unpaidStatements.map((u) => [u.statementId, u.date ?? '', [u.paymentId, u.paymentStatus].filter(Boolean).join(' ') || 'none yet', u.settlement, u.reserve, u.amount]),
                ['Total', '', '', '', '', c.unpaidSettlements],
              ],
              alignRight: [3, 4, 5],
            });
          if (c.explanations.length)
            await ctx.output.table({
              title: `What makes the difference${of}`,
              head: ['Order / transaction / document', 'Status', 'Why', 'Amount'],
              rows: [
                ...c.explanations.map((e) => [e.orderId ?? e.transactionId ?? e.documentKey ?? e.paymentId ?? e.statementId ?? '', e.status ?? '', e.message, e.amount]),
                ['Total', '', '', c.difference],
              ],
              alignRight: [3],
            });
        }
        ctx.output.line(result.ok ? 'Clearing reconciles: no difference.' : 'Clearing does not reconcile; the rows above explain the difference.');
      }),
    );
}
