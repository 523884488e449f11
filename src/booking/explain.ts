/**
 * The data behind `synder explain <orderId>`: every TikTok amount of the order by field name,
 * the documents and postings built from it, and the checks — a plain object the CLI renders as
 * tables or prints as JSON. Pure: the caller passes what it has fetched or stored.
 */
import { buildTransactionDocuments, type BuildOptions } from './build.js';
import { formatSigned } from './components.js';
import type { AccountRole, BookingDocument } from './document.js';
import type { BookingIssue } from './issues.js';
import { shortDocNumber } from './keys.js';
import { accountNameFor } from './routing.js';
import { formatMinor, parseMinor } from './money.js';
import type { Order, Payment, StatementBundle, StatementTransaction } from './tiktok-data.js';

export interface ExplainLine {
  role: AccountRole;
  account: string;
  /** Decimal strings in the document currency; one of them is empty. */
  debit: string;
  credit: string;
  amountMinor: number;
  description: string;
  field: string;
  sourceId: string;
  sku?: string;
  quantity?: number;
  /** The tax code the line books with, and the tax its TikTok amount included (or, on a vat line, the tax it carries). */
  tax?: { code: string; amount: string };
}

export interface ExplainDocument {
  key: string;
  docNumber: string;
  kind: BookingDocument['kind'];
  date: string;
  currency: string;
  memo: string;
  warnings: string[];
  postings: ExplainLine[];
  totalDebit: string;
  totalCredit: string;
  memoData?: Record<string, string>;
}

export interface ExplainCheck {
  name: 'balanced' | 'clearing_equals_settlement' | 'components_add_up';
  ok: boolean;
  detail: string;
}

export interface ExplainTransaction {
  transactionId: string;
  type: string;
  statementId: string;
  statementDate: string;
  paymentId?: string;
  paymentStatus?: string;
  currency: string;
  settlementAmount: string;
  sources: Array<{ field: string; value: string; amountMinor?: number; booked: boolean }>;
  documents: ExplainDocument[];
  checks: ExplainCheck[];
  issues: BookingIssue[];
}

export interface OrderExplanation {
  orderId: string;
  found: boolean;
  order?: { status: string; createTime: number; isSample: boolean; items: Array<{ sku?: string; name?: string; quantity: number }> };
  transactions: ExplainTransaction[];
  payments: Array<{ id: string; status: string; amount: string; currency: string; paidTime?: number }>;
  ok: boolean;
}

export interface ExplainInput {
  bundles: StatementBundle[];
  orders?: Map<string, Order>;
  payments?: Payment[];
  /** Account display name per role and currency; defaults to the routing's names. */
  accountName?: (role: AccountRole, currency: string) => string;
}

const txOrderIds = (tx: StatementBundle['transactions'][number]) => [tx.order_id, tx.adjustment_order_id, tx.associated_order_id].filter(Boolean);

export function explainDocument(doc: BookingDocument, accountName: (role: AccountRole, currency: string) => string): ExplainDocument {
  let debit = 0;
  let credit = 0;
  const postings = doc.lines.map((l): ExplainLine => {
    if (l.amountMinor > 0) debit += l.amountMinor;
    else credit -= l.amountMinor;
    return {
      role: l.role,
      account: accountName(l.role, doc.currency),
      debit: l.amountMinor > 0 ? formatMinor(l.amountMinor, doc.currency) : '',
      credit: l.amountMinor < 0 ? formatMinor(-l.amountMinor, doc.currency) : '',
      amountMinor: l.amountMinor,
      description: l.description,
      field: l.source.field,
      sourceId: l.source.id,
      sku: l.item?.sku,
      quantity: l.item?.quantity,
      ...(l.tax ? { tax: { code: l.tax.name, amount: formatMinor(l.tax.amountMinor, doc.currency) } } : {}),
    };
  });
  return {
    key: doc.key, docNumber: shortDocNumber(doc.key), kind: doc.kind, date: doc.date, currency: doc.currency, memo: doc.memo, warnings: doc.warnings,
    postings, totalDebit: formatMinor(debit, doc.currency), totalCredit: formatMinor(credit, doc.currency), memoData: doc.memoData,
  };
}

export function explainOrder(orderId: string, input: ExplainInput, opts: BuildOptions): OrderExplanation {
  return explainSelected((tx) => txOrderIds(tx).includes(orderId), orderId, input, opts);
}

/** The same explanation for any statement transactions: one by its id, or every one of a statement. */
export function explainTransactions(select: (tx: StatementTransaction) => boolean, input: ExplainInput, opts: BuildOptions): OrderExplanation {
  return explainSelected(select, '', input, opts);
}

function explainSelected(select: (tx: StatementTransaction) => boolean, orderId: string, input: ExplainInput, opts: BuildOptions): OrderExplanation {
  const accountName = input.accountName ?? ((role: AccountRole) => accountNameFor(opts.routing, role));
  const o: BuildOptions = { ...opts, mode: 'per-transaction', orders: input.orders ?? opts.orders };
  const transactions: ExplainTransaction[] = [];
  const paymentIds = new Set<string>();
  for (const bundle of input.bundles) {
    for (const tx of bundle.transactions) {
      if (!select(tx)) continue;
      const currency = String(bundle.statement.currency).trim().toUpperCase();
      const built = buildTransactionDocuments(tx, bundle, o);
      const docs = built.documents.map((d) => explainDocument(d, accountName));
      const postedFields = new Set(built.documents.flatMap((d) => d.lines.map((l) => l.source.field)));
      const checks: ExplainCheck[] = [];
      const unbalanced = built.documents.filter((d) => d.lines.reduce((s, l) => s + l.amountMinor, 0) !== 0);
      checks.push({ name: 'balanced', ok: unbalanced.length === 0, detail: unbalanced.length === 0 ? `${built.documents.length} document(s), each debits = credits` : `unbalanced: ${unbalanced.map((d) => d.key).join(', ')}` });
      const inconsistent = built.issues.filter((i) => i.severity === 'error');
      if (built.ok && built.extracted?.settlementMinor !== undefined) {
        const clearing = built.documents.filter((d) => d.kind !== 'reserve').reduce((s, d) => s + d.lines.reduce((t, l) => (l.role === 'clearing' ? t + l.amountMinor : t), 0), 0);
        const settlement = built.extracted.settlementMinor;
        checks.push({ name: 'clearing_equals_settlement', ok: clearing === settlement, detail: `Clearing ${formatSigned(clearing, currency)} vs settlement_amount ${formatSigned(settlement, currency)}` });
        checks.push({ name: 'components_add_up', ok: true, detail: 'revenue + shipping_cost + fee_tax + adjustment = settlement_amount' });
      } else {
        checks.push({ name: 'components_add_up', ok: false, detail: inconsistent.map((i) => i.message).join('; ') || 'not built' });
        checks.push({ name: 'clearing_equals_settlement', ok: false, detail: 'nothing booked for this transaction' });
      }
      if (bundle.statement.payment_id) paymentIds.add(bundle.statement.payment_id);
      transactions.push({
        transactionId: tx.id,
        type: tx.type,
        statementId: bundle.statement.id,
        statementDate: built.date,
        paymentId: bundle.statement.payment_id || undefined,
        paymentStatus: bundle.statement.payment_status,
        currency,
        settlementAmount: String(tx.settlement_amount ?? '').trim(),
        sources: [
          { field: 'settlement_amount', value: String(tx.settlement_amount ?? '').trim(), amountMinor: built.extracted?.settlementMinor ?? parseOrUndefined(tx.settlement_amount, currency), booked: false },
          ...totals(tx, currency),
          // An informational field can still be booked by an option (marketplace-facilitator tax, mfTax 'gross').
          ...(built.extracted?.sourceAmounts ?? []).map((s) => ({ field: s.field, value: s.raw.trim(), amountMinor: s.amountMinor, booked: s.booked || postedFields.has(s.field) })),
        ],
        documents: docs,
        checks,
        issues: built.issues,
      });
    }
  }
  const order = orderId ? input.orders?.get(orderId) : undefined;
  const payments = (input.payments ?? []).filter((p) => paymentIds.has(p.id)).map((p) => ({ id: p.id, status: p.status, amount: p.amount.value, currency: p.amount.currency, paidTime: p.paid_time }));
  return {
    orderId,
    found: transactions.length > 0 || order !== undefined,
    order: order ? { status: order.status, createTime: order.create_time, isSample: order.is_sample_order === true, items: orderItems(order) } : undefined,
    transactions,
    payments,
    ok: transactions.length > 0 && transactions.every((t) => t.checks.every((c) => c.ok)),
  };
}

/** The totals TikTok sends next to their breakdowns: shown, never booked (their breakdowns are). */
/** An order's line items, one per SKU with its quantity (TikTok sends one line item per unit). */
export function orderItems(order: Order): Array<{ sku?: string; name?: string; quantity: number }> {
  const items = new Map<string, { sku?: string; name?: string; quantity: number }>();
  for (const li of order.line_items ?? []) {
    const id = String(li.sku_id ?? li.seller_sku ?? li.id);
    const e = items.get(id) ?? { sku: li.seller_sku || li.sku_id, name: li.product_name, quantity: 0 };
    e.quantity += 1;
    items.set(id, e);
  }
  return [...items.values()];
}

function totals(tx: StatementBundle['transactions'][number], currency: string) {
  const fields = ['revenue_amount', 'shipping_cost_amount', 'fee_tax_amount'] as const;
  return fields.filter((f) => tx[f] !== undefined && tx[f] !== null).map((f) => ({ field: f, value: String(tx[f]).trim(), amountMinor: parseOrUndefined(tx[f], currency), booked: false }));
}

function parseOrUndefined(raw: unknown, currency: string): number | undefined {
  try {
    return parseMinor(raw as string, currency);
  } catch {
    return undefined;
  }
}
