import type { Context } from '../runtime/context.js';
import { formatMinor } from '../booking/money.js';
import type { SyncSummary } from './types.js';

const debitCredit = (minor: number, currency: string): [string, string] =>
  minor >= 0 ? [formatMinor(minor, currency), ''] : ['', formatMinor(-minor, currency)];

/** The run summary as JSON or tables. */
export async function printSyncSummary(ctx: Context, s: SyncSummary): Promise<void> {
  if (ctx.output.json) {
    const { plan, ...rest } = s;
    ctx.output.printJson({
      ...rest,
      plan: plan?.map((p) => ({ action: p.action, key: p.doc.key, kind: p.doc.kind, date: p.doc.date, currency: p.doc.currency, memo: p.doc.memo, refs: p.doc.refs, warnings: p.doc.warnings, lines: p.doc.lines.map((l) => ({ account: p.accountNames[l.role] ?? l.role, role: l.role, amount: formatMinor(l.amountMinor, p.doc.currency), amountMinor: l.amountMinor, description: l.description, source: l.source, ...(l.tax ? { tax: { code: l.tax.name, amount: formatMinor(l.tax.amountMinor, p.doc.currency) } } : {}) })) })),
    });
    return;
  }
  const out = ctx.output;
  if (s.dryRun) {
    const shown = (s.plan ?? []).filter((p) => p.action !== 'existing');
    out.line(`Dry run for ${s.org}: ${shown.length} document(s) would be booked in ${s.ledger} (${s.mode}); nothing was changed.`);
    for (const p of shown) {
      await out.table({
        title: `${p.action === 'update' ? 'Would replace' : 'Would create'} ${p.doc.kind} ${p.doc.key} — ${p.doc.date} — ${p.doc.memo}`,
        head: ['Account', 'Debit', 'Credit', 'Description'],
        rows: p.doc.lines.map((l) => [p.accountNames[l.role] ?? l.role, ...debitCredit(l.amountMinor, p.doc.currency), l.description]),
        alignRight: [1, 2],
      });
    }
  } else {
    out.line(`Synced ${s.org} into ${s.ledger} (${s.mode}), run #${s.runId}.`);
  }
  await out.table({
    head: ['Fetched', 'Statements', 'Transactions', 'Payments', 'Orders'],
    rows: [['', s.fetched.statements, s.fetched.transactions, s.fetched.payments, s.fetched.orders]],
  });
  if (!s.dryRun) {
    await out.table({
      head: ['Documents', 'Created', 'Already present', 'Updated', 'Recovered', 'Failed'],
      rows: [['', s.documents.created, s.documents.existing, s.documents.updated, s.documents.recovered, s.failures.length]],
    });
  }
  for (const c of s.clearing) {
    out.line(`Clearing ${c.account}: ledger ${c.ledgerBalance} ${c.currency}, unpaid settlements ${c.unpaidSettlements}, difference ${c.difference}.`);
  }
  if (s.failures.length > 0) {
    await out.table({
      title: 'Failed',
      head: ['What', 'Order', 'Error', 'Fix'],
      keep: [0, 1],
      rows: s.failures.map((f) => [f.key, f.orderId ?? '', f.error, f.fix ?? '']),
    });
    out.line('Fix these and run `synder sync` again; `synder explain <orderId>` shows the details.');
  }
  const warnings = s.warnings.length + (s.warningsNotListed ?? 0);
  if (warnings > 0) out.line(`${warnings} warning(s); see \`synder transactions --status synced_with_warnings\`.`);
  out.line(`API calls: ${Object.entries(s.apiCalls).map(([k, v]) => `${k} ${v}`).join(', ')}; ${(s.durationMs / 1000).toFixed(1)} s.`);
}
