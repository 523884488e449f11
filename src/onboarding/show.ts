import type { Context } from '../runtime/context.js';
import type { Org } from '../store/orgs.js';

/**
 * What the wizard and the demo show after a sync: the data comes from the same functions the
 * `transactions`, `explain` and `reconcile` commands use; these are short renderings of it.
 */

export async function showTransactions(ctx: Context, org: Org, since?: Date): Promise<void> {
  const { listTransactions } = await import('../sync/views.js');
  const rows = listTransactions(await ctx.store(), org, { since: since?.toISOString() });
  if (rows.length === 0) {
    ctx.output.line('No transactions yet.');
    return;
  }
  await ctx.output.table({
    head: ['Order / transaction', 'Date', 'Type', 'Settlement', 'Status'],
    rows: rows.map((r) => [r.orderId ? `${r.orderId}\n${r.id}` : r.id, r.date, r.type, r.settlement ? `${r.settlement} ${r.currency}` : '', r.status + (r.error ? `\n${r.error.slice(0, 60)}` : '')]),
    alignRight: [3],
  });
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  ctx.output.line([...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', '));
}

/** One order's checks and ledger documents; `synder explain` shows every amount and posting too. */
export async function showOrder(ctx: Context, org: Org, orderId: string): Promise<void> {
  const { explainOrder } = await import('../sync/explain.js');
  const ex = explainOrder(await ctx.store(), org, orderId);
  ctx.output.line(`Order ${ex.orderId}${ex.order ? ` — ${ex.order.status}, created ${ex.order.createdAt?.slice(0, 10)}` : ''}`);
  for (const t of ex.transactions) {
    ctx.output.line(`Transaction ${t.transactionId} (${t.type}) — settlement ${t.settlement} ${t.currency} — ${t.status}`);
    await ctx.output.table({ title: 'Checks', head: ['Check', 'OK', 'Detail'], rows: t.checks.map((c) => [c.name, c.ok ? 'yes' : 'NO', c.detail]) });
    if (t.documents.length) await ctx.output.table({ title: 'Ledger documents', head: ['Document', 'Status'], rows: t.documents.map((d) => [`${d.ledgerType ?? d.kind} ${d.ledgerNumber ?? d.ledgerId ?? ''}`, d.status]) });
  }
}

/** The clearing balance in the ledger against TikTok's unpaid settlements; true when every difference is zero. */
export async function showClearing(ctx: Context, org: Org): Promise<boolean> {
  const { openLedger } = await import('../sync/clients.js');
  const { clearingChecks } = await import('../sync/clearing-check.js');
  const store = await ctx.store();
  const integrations = store.integrations.listForOrg(org.id).filter((i) => i.platform === 'tiktok');
  const checks = await clearingChecks(store, await openLedger(ctx, org), org, integrations);
  const ok = checks.every((c) => c.differenceMinor === 0);
  await ctx.output.table({
    head: ['Shop', 'Currency', 'Clearing in ledger', 'Unpaid settlements (TikTok)', 'Difference'],
    rows: checks.map((c) => [c.integration, c.currency, c.ledgerBalance, c.unpaidSettlements, c.difference]),
    alignRight: [2, 3, 4],
  });
  ctx.output.line(ok ? 'Clearing reconciles: no difference.' : 'Clearing does not reconcile; `synder reconcile` lists what explains the difference.');
  return ok;
}
