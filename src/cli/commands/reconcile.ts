import type { Command } from 'commander';
import { formatMinor } from '../../booking/money.js';
import { action, type ProgramDeps } from '../command.js';

export function registerReconcile(program: Command, deps: ProgramDeps): void {
  program
    .command('reconcile')
    .description("Compare the clearing balance in the ledger with TikTok's unpaid settlements")
    .option('--json', 'print as JSON')
    .action(
      action<{ json?: boolean }>(deps, async (ctx) => {
        const { openLedger } = await import('../../sync/clients.js');
        const { clearingChecks } = await import('../../sync/clearing-check.js');
        const { listTransactions } = await import('../../sync/views.js');
        const org = await ctx.requireOrg();
        const store = await ctx.store();
        const ledger = await openLedger(ctx, org);
        const integrations = store.integrations.listForOrg(org.id).filter((i) => i.platform === 'tiktok');
        const checks = await clearingChecks(store, ledger, org, integrations);
        const open = listTransactions(store, org, { status: ['ready', 'failed', 'deleted'] });
        const unpaid = store.sourceRecords
          .list({ integrationIds: integrations.map((i) => i.id), kind: ['statement'] })
          .filter((r) => {
            const pid = (r.raw as { payment_id?: string }).payment_id;
            const p = pid ? store.sourceRecords.get(r.integrationId, 'payment', pid) : undefined;
            return !p || (p.status !== 'synced' && p.status !== 'synced_with_warnings');
          })
          .map((r) => ({ statementId: r.externalId, date: r.occurredAt?.slice(0, 10) ?? null, settlement: r.amountMinor !== null && r.currency ? formatMinor(r.amountMinor, r.currency) : null, currency: r.currency }));
        const result = { org: org.name, ledger: ledger.provider, ok: checks.every((c) => c.differenceMinor === 0), clearing: checks, unpaidStatements: unpaid, notBooked: open };
        if (ctx.output.json) {
          ctx.output.printJson(result);
          return;
        }
        if (checks.length === 0) ctx.output.line('No clearing account yet: run `synder sync` first.');
        else
          await ctx.output.table({
            head: ['Shop', 'Currency', 'Clearing in ledger', 'Unpaid settlements (TikTok)', 'Difference'],
            rows: checks.map((c) => [c.integration, c.currency, c.ledgerBalance, c.unpaidSettlements, c.difference]),
            alignRight: [2, 3, 4],
          });
        if (unpaid.length) await ctx.output.table({ title: 'Statements not paid out yet', head: ['Statement', 'Date', 'Settlement'], rows: unpaid.map((u) => [u.statementId, u.date, `${u.settlement} ${u.currency}`]), alignRight: [2] });
        if (open.length) await ctx.output.table({ title: 'Transactions not booked (explain the difference)', head: ['Order / transaction', 'Settlement', 'Status'], rows: open.map((t) => [t.orderId ?? t.id, `${t.settlement} ${t.currency}`, t.status]) });
        ctx.output.line(result.ok ? 'Clearing reconciles: no difference.' : 'Clearing does not reconcile; the rows above explain the difference.');
      }),
    );
}
