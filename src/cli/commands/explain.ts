import type { Command } from 'commander';
import { action, type ProgramDeps } from '../command.js';

export function registerExplain(program: Command, deps: ProgramDeps): void {
  program
    .command('explain')
    .description('Show every amount, posting and ledger document for one order')
    .argument('<orderId>', 'TikTok order id')
    .option('--open', 'open its ledger document in the browser ("Show in QuickBooks/Xero")')
    .option('--json', 'print as JSON')
    .action(
      action<{ open?: boolean; json?: boolean }>(deps, async (ctx, opts, [orderId]) => {
        const { explainOrder } = await import('../../sync/explain.js');
        const org = await ctx.requireOrg();
        const store = await ctx.store();
        let ledger;
        try {
          const { openLedger } = await import('../../sync/clients.js');
          ledger = org.ledger ? await openLedger(ctx, org) : undefined;
        } catch (err) {
          ctx.logger.debug(`no ledger links: ${(err as Error).message}`);
        }
        const ex = explainOrder(store, org, String(orderId).trim(), ledger);
        const links = ex.transactions.flatMap((t) => t.documents.map((d) => d.link)).filter((l): l is string => Boolean(l));
        if (ctx.output.json) ctx.output.printJson(ex);
        else await printExplanation(ctx, ex, ledger?.provider);
        if (opts.open) {
          if (links.length === 0) ctx.output.info('Nothing to open: no document of this order is in the ledger.');
          else await openLink(ctx, links[0]!);
        }
      }),
    );
}

async function openLink(ctx: import('../../runtime/context.js').Context, link: string): Promise<void> {
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

async function printExplanation(ctx: import('../../runtime/context.js').Context, ex: import('../../sync/explain.js').Explanation, provider?: string): Promise<void> {
  const out = ctx.output;
  const ledgerName = provider === 'xero' ? 'Xero' : 'QuickBooks';
  out.line(`Order ${ex.orderId}${ex.order ? ` — ${ex.order.status}, created ${ex.order.createdAt?.slice(0, 10)}` : ''}`);
  if (ex.order?.items.length) out.line(`Items: ${ex.order.items.map((i) => [i.name, i.sku].filter(Boolean).join(' / ') + (i.quantity > 1 ? ` × ${i.quantity}` : '')).join('; ')}`);
  if (ex.transactions.length === 0) out.line('Not settled yet: no statement transaction, so nothing is booked (TikTok shows it as an estimate).');
  for (const t of ex.transactions) {
    out.line('');
    out.line(`Transaction ${t.transactionId} (${t.type}) — settlement ${t.settlement} ${t.currency} — ${t.status}`);
    out.line(`Statement ${t.statement.id} (${t.statement.date ?? '?'}), settlement ${t.statement.settlement ?? '?'}, payment ${t.statement.paymentId ?? 'none yet'} ${t.statement.paymentStatus ?? ''}`);
    await out.table({ title: 'TikTok amounts', head: ['Field', 'Amount', 'Booked'], rows: t.amounts.map((a) => [a.field, a.amount, a.booked ? 'yes' : 'total / info']), alignRight: [1] });
    if (t.postings.length) await out.table({ title: 'Postings', head: ['Document', 'Account', 'Debit', 'Credit', 'From'], rows: t.postings.map((p) => [p.kind, p.account, p.debit, p.credit, p.source]), alignRight: [2, 3] });
    await out.table({ title: 'Checks', head: ['Check', 'OK', 'Detail'], rows: t.checks.map((c) => [c.name, c.ok ? 'yes' : 'NO', c.detail]) });
    if (t.documents.length)
      await out.table({
        title: 'Ledger documents',
        head: ['Document', 'Status', `Show in ${ledgerName}`],
        rows: t.documents.map((d) => [`${d.ledgerType ?? d.kind} ${d.ledgerNumber ?? d.ledgerId ?? ''}\n${d.key}`, d.status + (d.error ? `\n${d.error}` : ''), d.link ?? '']),
      });
    for (const d of t.documents.filter((x) => x.status === 'failed')) out.line(`Failed: ${d.error}${d.fix ? `\nFix: ${d.fix}` : ''}`);
    if (t.error) out.line(`Problem: ${t.error}`);
    if (t.payout) out.line(`Payout ${t.payout.id}: ${t.payout.amount}, ${t.payout.status}${t.payout.paidAt ? ` on ${t.payout.paidAt.slice(0, 10)}` : ''}${t.payout.documents[0]?.link ? ` — ${t.payout.documents[0].link}` : ''}`);
  }
  if (ex.history.length) await out.table({ title: 'History', head: ['When', 'What', 'Status', 'Note'], rows: ex.history.map((h) => [h.at.replace('T', ' ').slice(0, 19), h.subject, h.status, h.message ?? '']) });
}
