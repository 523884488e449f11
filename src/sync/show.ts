import type { LedgerConnector } from '../providers/ledger-connector.js';
import type { Context } from '../runtime/context.js';
import type { Output } from '../runtime/output.js';
import { humanTime } from '../runtime/time.js';
import type { Org } from '../store/orgs.js';
import type { SourceStatus } from '../store/source-records.js';
import type { Reconciliation } from './clearing-check.js';
import type { ExplainDocument, Explanation } from './explain.js';
import type { TransactionRow } from './views.js';

/**
 * The one rendering of each view of the store — `transactions`, `explain`, `reconcile` — as JSON
 * or as tables and lines. The commands print the full form; the wizard and the demo print the
 * brief one after their sync, so what they show reads the same as the commands they point to.
 */
export type ViewForm = 'full' | 'brief';

type DocumentRef = Pick<ExplainDocument, 'kind' | 'ledgerType' | 'ledgerId' | 'ledgerNumber'>;

/** A document as the ledger names it ("Invoice 1042"), or by its kind before it is there. */
const documentName = (d: DocumentRef): string => `${d.ledgerType ?? d.kind} ${d.ledgerNumber ?? d.ledgerId ?? ''}`;

export interface TransactionsView {
  org: string;
  transactions: TransactionRow[];
  /** Older transactions matching the filter that --limit left out. */
  omitted?: number;
}

/** A warning's first clause for the table ("unknown TikTok field …"); the whole of it and its fix are in `explain` and --json. */
const warningHeadline = (message: string): string => message.split(/ \(| booked to /)[0]!;

export async function printTransactions(out: Output, view: TransactionsView, form: ViewForm = 'full'): Promise<void> {
  if (out.json) {
    out.printJson(view);
    return;
  }
  const rows = view.transactions;
  if (rows.length === 0) {
    out.line(form === 'full' ? 'No transactions yet. Run `synder sync`.' : 'No transactions yet.');
    return;
  }
  const full = form === 'full';
  await out.table({
    head: ['Order / transaction', 'Date', 'Type', 'Settlement', 'Status', ...(full ? ['Ledger documents', 'Warnings'] : [])],
    rows: rows.map((r) => [
      r.orderId ? `${r.orderId}\n${r.id}` : r.id,
      r.date,
      r.type,
      r.settlement ? `${r.settlement} ${r.currency}` : '',
      r.status + (r.error ? `\n${r.error.slice(0, 60)}` : ''),
      ...(full ? [r.documents.map((d) => `${documentName(d)} (${d.status})`).join('\n'), r.warnings.map((w) => warningHeadline(w.message)).join('\n')] : []),
    ]),
    alignRight: [3],
  });
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  // Piped, the rows are all there is: a line of totals would be one more row to a script.
  if (out.terminal) out.line([...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', '));
  if (view.omitted) out.info(`${view.omitted} older transaction(s) not shown: --limit 0 shows all; --since, --until, --type and --status narrow the list.`);
}

/** The brief form leaves out the amounts, postings, payout and history: the order's checks and its documents. */
export async function printExplanation(out: Output, ex: Explanation, opts: { provider?: string; form?: ViewForm } = {}): Promise<void> {
  if (out.json) {
    out.printJson(ex);
    return;
  }
  const full = (opts.form ?? 'full') === 'full';
  const ledgerName = opts.provider === 'xero' ? 'Xero' : 'QuickBooks';
  if (ex.subject.kind === 'order') out.line(`Order ${ex.orderId}${ex.order ? ` — ${ex.order.status}, created ${ex.order.createdAt?.slice(0, 10)}` : ''}`);
  else if (ex.subject.kind === 'statement') out.line(`Statement ${ex.subject.id} — ${ex.transactions.length} transaction(s)`);
  else if (ex.subject.kind === 'transaction') out.line(`Statement transaction ${ex.subject.id}`);
  if (ex.payout) await printPayout(out, ex.payout, ledgerName, full);
  if (full && ex.order?.items.length) out.line(`Items: ${ex.order.items.map((i) => [i.name, i.sku].filter(Boolean).join(' / ') + (i.quantity > 1 ? ` × ${i.quantity}` : '')).join('; ')}`);
  if (full && ex.subject.kind === 'order' && ex.transactions.length === 0) out.line('Not settled yet: no statement transaction, so nothing is booked (TikTok shows it as an estimate).');
  for (const t of ex.transactions) {
    if (full) out.line('');
    out.line(`Transaction ${t.transactionId} (${t.type}) — settlement ${t.settlement} ${t.currency} — ${t.status}`);
    if (full) {
      out.line(`Statement ${t.statement.id} (${t.statement.date ?? '?'}), settlement ${t.statement.settlement ?? '?'}, payment ${t.statement.paymentId ?? 'none yet'} ${t.statement.paymentStatus ?? ''}`);
      await out.table({ title: 'TikTok amounts', head: ['Field', 'Amount', 'Booked'], rows: t.amounts.map((a) => [a.field, a.amount, a.booked ? 'yes' : 'total / info']), alignRight: [1] });
      if (t.postings.length) {
        const taxed = t.postings.some((p) => p.tax);
        await out.table({
          title: 'Postings',
          head: ['Document', 'Account', 'Debit', 'Credit', ...(taxed ? ['Tax code'] : []), 'From'],
          rows: t.postings.map((p) => [p.kind, p.account, p.debit, p.credit, ...(taxed ? [p.tax ?? ''] : []), p.source]),
          alignRight: [2, 3],
        });
      }
    }
    await out.table({ title: 'Checks', head: ['Check', 'OK', 'Detail'], rows: t.checks.map((c) => [c.name, c.ok ? 'yes' : 'NO', c.detail]) });
    if (t.documents.length)
      await out.table({
        title: 'Ledger documents',
        head: ['Document', 'Status', ...(full ? [`Show in ${ledgerName}`] : [])],
        rows: t.documents.map((d) => (full ? [`${documentName(d)}\n${d.key}`, d.status + (d.error ? `\n${d.error}` : ''), d.link ?? ''] : [documentName(d), d.status])),
      });
    if (!full) continue;
    for (const d of t.documents.filter((x) => x.status === 'failed')) out.line(`Failed: ${d.error}${d.fix ? `\nFix: ${d.fix}` : ''}`);
    if (t.error) out.line(`${t.status === 'skipped' ? 'Skipped' : 'Problem'}: ${t.error}`);
    for (const w of t.warnings) out.line(`Warning: ${w.message}\nFix: ${w.fix}`);
    if (t.payout) out.line(`Payout ${t.payout.id}: ${t.payout.amount}, ${t.payout.status}${t.payout.paidAt ? ` on ${t.payout.paidAt.slice(0, 10)}` : ''}${t.payout.documents[0]?.link ? ` — ${t.payout.documents[0].link}` : ''}`);
  }
  if (full && ex.history.length) await out.table({ title: 'History', head: ['When', 'What', 'Status', 'Note'], rows: ex.history.map((h) => [humanTime(h.at), h.subject, h.status, h.message ?? '']) });
}

async function printPayout(out: Output, p: NonNullable<Explanation['payout']>, ledgerName: string, full: boolean): Promise<void> {
  out.line(`Payout ${p.id} — ${p.amount}, ${p.status}${p.paidAt ? ` on ${p.paidAt.slice(0, 10)}` : ''}`);
  if (p.statements.length) out.line(`Pays statement(s) ${p.statements.join(', ')} (\`synder explain <statement id>\` for each).`);
  if (full && p.postings.length) await out.table({ title: 'Postings', head: ['Document', 'Account', 'Debit', 'Credit', 'From'], rows: p.postings.map((x) => [x.kind, x.account, x.debit, x.credit, x.source]), alignRight: [2, 3] });
  if (p.documents.length)
    await out.table({
      title: 'Ledger documents',
      head: ['Document', 'Status', ...(full ? [`Show in ${ledgerName}`] : [])],
      rows: p.documents.map((d) => (full ? [`${documentName(d)}\n${d.key}`, d.status + (d.error ? `\n${d.error}` : ''), d.link ?? ''] : [documentName(d), d.status])),
    });
  else out.line('No ledger document books this payout yet.');
}

/** The brief form is the balances alone, pointing to `synder reconcile` for what explains a difference. */
export async function printReconciliation(out: Output, result: Reconciliation, form: ViewForm = 'full'): Promise<void> {
  if (out.json) {
    // "ok" says the command ran; whether the books reconcile is the result's own.
    out.printJson({ ok: true, reconciliation: result });
    return;
  }
  const full = form === 'full';
  if (result.clearing.length === 0) out.line('No clearing account yet: run `synder sync` first.');
  else
    await out.table({
      head: ['Shop', 'Currency', 'Clearing in ledger', 'Unpaid settlements (TikTok)', 'Difference'],
      rows: result.clearing.map((c) => [c.integration, c.currency, c.ledgerBalance, c.unpaidSettlements, c.difference]),
      alignRight: [2, 3, 4],
    });
  const many = result.clearing.length > 1;
  for (const c of full ? result.clearing : []) {
    const of = many ? ` — ${c.integration} ${c.currency}` : '';
    // Each table ends with its total, the figure printed above: the rows add up to it.
    if (c.unpaidStatements.length)
      await out.table({
        title: `Statements not paid out yet${of}`,
        head: ['Statement', 'Date', 'Payment', 'Settlement', 'Reserve', 'Owed'],
        rows: [
          ...c.unpaidStatements.map((u) => [u.statementId, u.date ?? '', [u.paymentId, u.paymentStatus].filter(Boolean).join(' ') || 'none yet', u.settlement, u.reserve, u.amount]),
          ['Total', '', '', '', '', c.unpaidSettlements],
        ],
        alignRight: [3, 4, 5],
      });
    if (c.explanations.length)
      await out.table({
        title: `What makes the difference${of}`,
        head: ['Order / transaction / document', 'Status', 'Why', 'Amount'],
        rows: [
          ...c.explanations.map((e) => [e.orderId ?? e.transactionId ?? e.documentKey ?? e.paymentId ?? e.statementId ?? '', e.status ?? '', e.message, e.amount]),
          ['Total', '', '', c.difference],
        ],
        alignRight: [3],
      });
  }
  if (result.reconciles) out.line('Clearing reconciles: no difference.');
  else if (!full) out.line('Clearing does not reconcile; `synder reconcile` lists what explains the difference.');
  else if (result.clearing.every((c) => c.explanations.every((e) => e.kind !== 'unexplained'))) out.line('Clearing does not reconcile; the rows above account for the whole difference.');
  else {
    const none = result.clearing.every((c) => c.differenceMinor === 0 || c.explanations.every((e) => e.kind === 'unexplained'));
    out.line(
      `Clearing does not reconcile, and ${none ? 'no transaction synder has stored accounts for the difference' : 'the "unexplained" row is not accounted for by anything synder has stored'}: ` +
        "check the clearing account's register in the ledger for entries made or changed outside synder, and sync TikTok statements from before the first sync (`synder sync --since <date>`).",
    );
  }
}

/** The org's transactions, filtered, read from the store and printed. */
export async function showTransactions(
  ctx: Context,
  org: Org,
  filter: { status?: SourceStatus[]; since?: Date; until?: Date; types?: string[]; limit?: number } = {},
  form: ViewForm = 'full',
): Promise<TransactionsView> {
  const { listTransactions } = await import('./views.js');
  const all = await listTransactions(await ctx.store(), org, { status: filter.status, since: filter.since?.toISOString(), until: filter.until?.toISOString(), types: filter.types });
  // The newest ones, still oldest first.
  const shown = filter.limit && all.length > filter.limit ? all.slice(all.length - filter.limit) : all;
  const view: TransactionsView = { org: org.name, transactions: shown, ...(shown.length < all.length ? { omitted: all.length - shown.length } : {}) };
  await printTransactions(ctx.output, view, form);
  return view;
}

/** One order explained and printed; with a ledger, its documents carry links into it. */
export async function showExplanation(ctx: Context, org: Org, id: string, opts: { ledger?: Pick<LedgerConnector, 'deepLink' | 'provider'>; form?: ViewForm } = {}): Promise<Explanation> {
  const { explainId } = await import('./explain.js');
  const ex = await explainId(await ctx.store(), org, id, opts.ledger);
  await printExplanation(ctx.output, ex, { provider: opts.ledger?.provider, form: opts.form });
  return ex;
}

/** The org's clearing accounts reconciled against the ledger's balances, and printed. */
export async function showReconciliation(ctx: Context, org: Org, form: ViewForm = 'full'): Promise<Reconciliation> {
  const { openLedger } = await import('./clients.js');
  const { reconcileOrg } = await import('./clearing-check.js');
  const store = await ctx.store();
  const result = await reconcileOrg({ store, ledger: await openLedger(ctx, org) }, org);
  await printReconciliation(ctx.output, result, form);
  return result;
}
