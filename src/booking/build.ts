/**
 * TikTok finance data → balanced clearing-account documents.
 *
 * Per-transaction mode: each settled statement transaction becomes up to five documents
 * (sale, fees, refund, adjustment, reserve — see components.ts for which amount goes where),
 * each balanced by its own Clearing line. Summary mode: one `statement` document per statement
 * and calendar month, aggregating the very same per-transaction lines by role, so both modes
 * always agree. Payouts are separate documents in both modes (payout.ts).
 */
import { extractComponents, formatSigned, safeText, type Bucket, type Component, type ExtractedTransaction } from './components.js';
import { localDate, toUnixSeconds } from './dates.js';
import type { AccountRole, BookingDocument, BookingLine } from './document.js';
import { checkDocument, checkStatementClearing, checkTransactionClearing, clearingTotal } from './invariants.js';
import { applyTax, hasMarketplaceVat } from './tax.js';
import type { BookingIssue } from './issues.js';
import { documentKey } from './keys.js';
import { MoneyError, parseMinor } from './money.js';
import type { Order, Payment, StatementBundle, StatementTransaction } from './tiktok-data.js';
import { buildPayoutDocuments } from './payout.js';
import type { BuildOptions, BuildResult } from './options.js';

export type { BuildOptions, BuildResult };

export interface TransactionBuild extends BuildResult {
  transaction: StatementTransaction;
  extracted?: ExtractedTransaction;
  /** Local date the transaction's documents carry. */
  date: string;
  ok: boolean;
}

const BUCKET_ORDER: Bucket[] = ['sale', 'fees', 'refund', 'adjustment', 'reserve'];

const normCurrency = (c: unknown) => (typeof c === 'string' ? c.trim().toUpperCase() : '');

function txLabel(tx: StatementTransaction, statementId: string): string {
  const ref = tx.order_id ? `order ${tx.order_id}` : tx.adjustment_id ? `adjustment ${tx.adjustment_id}` : tx.reserve_id ? `reserve ${tx.reserve_id}` : `type ${tx.type}`;
  return `transaction ${tx.id} (${ref}) in statement ${statementId}`;
}

/** Builds the per-transaction documents of one transaction (also the input of summary mode and explain). */
export function buildTransactionDocuments(tx: StatementTransaction, bundle: StatementBundle, opts: BuildOptions): TransactionBuild {
  const statement = bundle.statement;
  const currency = normCurrency(statement.currency);
  const settlementDate = localDate(toUnixSeconds(statement.statement_time) ?? NaN, opts.timeZone);
  const rawOrderTime = toUnixSeconds(tx.order_create_time);
  const orderTime = rawOrderTime !== undefined && Number.isFinite(new Date(rawOrderTime * 1000).getTime()) ? rawOrderTime : undefined;
  const date = opts.dateBasis === 'order' && orderTime !== undefined ? localDate(orderTime, opts.timeZone) : settlementDate;
  const base = { statementId: statement.id, transactionId: tx.id, orderId: tx.order_id };
  const fail = (issues: BookingIssue[], extracted?: ExtractedTransaction): TransactionBuild => ({ transaction: tx, extracted, date, ok: false, documents: [], issues });

  if (tx.currency !== undefined && tx.currency !== null && normCurrency(tx.currency) !== currency) {
    return fail([{ severity: 'error', code: 'currency_mismatch', ...base, fields: ['currency'], message: `${txLabel(tx, statement.id)}: currency ${safeText(tx.currency)} differs from the statement's ${currency}; nothing booked` }]);
  }
  let extracted: ExtractedTransaction;
  try {
    extracted = extractComponents(tx, currency, opts.routing);
  } catch (err) {
    if (!(err instanceof MoneyError)) throw err;
    return fail([{ severity: 'error', code: 'invalid_amount', ...base, message: `${txLabel(tx, statement.id)}: ${err.message}` }]);
  }
  if (extracted.problems.length > 0) {
    return fail(
      extracted.problems.map((p) => ({ severity: 'error' as const, code: p.code, ...base, fields: p.fields, differenceMinor: p.differenceMinor, message: `${txLabel(tx, statement.id)}: ${p.message}; nothing booked` })),
      extracted,
    );
  }

  const order = tx.order_id ? opts.orders?.get(tx.order_id) : undefined;
  const documents: BookingDocument[] = [];
  for (const bucket of BUCKET_ORDER) {
    const comps = extracted.components.filter((c) => c.bucket === bucket && c.amountMinor !== 0);
    const lines: BookingLine[] = [];
    for (const c of comps) lines.push(...componentLines(c, tx, bucket === 'sale' ? order : undefined, currency));
    if (bucket === 'sale' || bucket === 'refund') lines.push(...mfTaxLines(extracted, tx, bucket, opts, currency));
    if (lines.length === 0) continue;
    const clearing = -lines.reduce((s, l) => s + l.amountMinor, 0);
    if (clearing !== 0) {
      lines.push({
        role: 'clearing',
        amountMinor: clearing,
        description: bucket === 'reserve' ? 'TikTok Shop reserve movement' : 'TikTok Shop settlement',
        source: { kind: 'statement_transaction', id: tx.id, field: bucket === 'reserve' ? 'reserve_amount' : 'settlement_amount' },
      });
    }
    const warnings = [...new Set(comps.flatMap((c) => (c.warning ? [c.warning] : [])))];
    const doc: BookingDocument = {
      key: documentKey(opts.shopId, tx.id, bucket),
      kind: bucket,
      date,
      currency,
      memo: memoFor(tx, bucket, statement.id, order),
      lines,
      refs: { shopId: opts.shopId, orderId: tx.order_id ?? tx.adjustment_order_id ?? tx.associated_order_id, statementId: statement.id, transactionId: tx.id },
      warnings,
      memoData: Object.keys(extracted.memo).length > 0 ? { ...extracted.memo } : undefined,
    };
    const taxed = opts.tax ? applyTax(doc, opts.tax, { marketplaceVat: hasMarketplaceVat(extracted.components) }) : doc;
    checkDocument(taxed);
    documents.push(taxed);
  }
  // Warnings not tied to a booked line (e.g. a missing breakdown) go on the first document.
  const placed = new Set(documents.flatMap((d) => d.warnings));
  const rest = extracted.warnings.filter((w) => !placed.has(w));
  if (rest.length > 0 && documents[0]) documents[0].warnings.push(...rest);

  checkTransactionClearing(tx, documents, extracted, statement.id, currency);
  const issues: BookingIssue[] = extracted.warnings.map((w) => ({ severity: 'warning' as const, code: warningCode(w), ...base, message: `${txLabel(tx, statement.id)}: ${w}` }));
  return { transaction: tx, extracted, date, ok: true, documents, issues };
}

function warningCode(w: string): BookingIssue['code'] {
  if (w.startsWith('reserve_amount')) return 'reserve_sign';
  if (w.includes('missing')) return 'missing_breakdown';
  return 'unknown_field';
}

function componentLines(c: Component, tx: StatementTransaction, order: Order | undefined, currency: string): BookingLine[] {
  const source = { kind: 'statement_transaction' as const, id: tx.id, field: c.field };
  const description = describe(c);
  if (order && c.field === 'revenue_breakdown.subtotal_before_discount_amount' && c.amountMinor > 0) {
    const split = splitBySku(order, c.amountMinor, currency);
    if (split) return split.map((s) => ({ role: c.role, amountMinor: -s.amount, description: `${description}: ${s.item.name ?? s.item.sku ?? 'item'}`, source, item: s.item }));
  }
  return [{ role: c.role, amountMinor: -c.amountMinor, description, source }];
}

interface SkuGroup { item: { sku?: string; name?: string; quantity: number }; amount: number; priced: boolean }

/**
 * Splits list-price revenue per SKU when the order's line items (one unit each) add up to it
 * exactly; a single SKU carries its detail without needing prices; otherwise no split — the
 * numbers come from finance data and are never apportioned by guesswork.
 */
function splitBySku(order: Order, amount: number, currency: string): Array<{ item: SkuGroup['item']; amount: number }> | undefined {
  const items = Array.isArray(order.line_items) ? order.line_items : [];
  if (items.length === 0) return undefined;
  const groups = new Map<string, SkuGroup>();
  for (const li of items) {
    const id = String(li.sku_id ?? li.seller_sku ?? li.product_id ?? li.id);
    let g = groups.get(id);
    if (!g) {
      const name = [li.product_name, li.sku_name].filter((x) => typeof x === 'string' && x.trim() !== '').join(' — ') || undefined;
      g = { item: { sku: (li.seller_sku || li.sku_id) ?? undefined, name, quantity: 0 }, amount: 0, priced: true };
      groups.set(id, g);
    }
    g.item.quantity += 1;
    try {
      g.amount += parseMinor(li.original_price ?? '', currency, 'original_price');
    } catch {
      g.priced = false;
    }
  }
  const all = [...groups.values()];
  if (all.length === 1) return [{ item: all[0]!.item, amount }];
  if (all.every((g) => g.priced) && all.reduce((s, g) => s + g.amount, 0) === amount) return all.filter((g) => g.amount !== 0).map((g) => ({ item: g.item, amount: g.amount }));
  return undefined;
}

function describe(c: Component): string {
  const key = c.field.split('.').pop() ?? c.field;
  return key.replace(/_amount$/, '').replace(/_/g, ' ');
}

function mfTaxLines(ex: ExtractedTransaction, tx: StatementTransaction, bucket: 'sale' | 'refund', opts: BuildOptions, currency: string): BookingLine[] {
  if (opts.mfTax !== 'gross') return [];
  const lines: BookingLine[] = [];
  for (const key of opts.routing.mfTaxKeys) {
    const field = `supplementary_component.${key}`;
    const raw = ex.memo[field];
    if (raw === undefined) continue;
    let t: number;
    try {
      t = parseMinor(raw, currency, field);
    } catch {
      continue; // kept in memoData; an unparseable informational amount is not booked
    }
    if (t === 0 || (t > 0) !== (bucket === 'sale')) continue;
    const source = { kind: 'statement_transaction' as const, id: tx.id, field };
    // Collected by TikTok from the buyer on the seller's behalf, and remitted by TikTok: net zero on both accounts.
    lines.push(
      { role: 'clearing', amountMinor: t, description: `${key.replace(/_amount$/, '').replace(/_/g, ' ')} collected by TikTok (marketplace facilitator)`, source },
      { role: 'mf_tax', amountMinor: -t, description: 'marketplace facilitator tax collected', source },
      { role: 'mf_tax', amountMinor: t, description: 'marketplace facilitator tax remitted by TikTok', source },
      { role: 'clearing', amountMinor: -t, description: `${key.replace(/_amount$/, '').replace(/_/g, ' ')} remitted by TikTok`, source },
    );
  }
  return lines;
}

function memoFor(tx: StatementTransaction, bucket: Bucket, statementId: string, order: Order | undefined): string {
  const what = { sale: 'sale', fees: 'fees and shipping', refund: 'refund', adjustment: 'adjustment', reserve: 'reserve' }[bucket];
  const subject = tx.order_id ? `order ${tx.order_id}` : tx.adjustment_id ? `${tx.type} ${tx.adjustment_id}` : `${tx.type} ${tx.id}`;
  const sample = order?.is_sample_order ? ' (creator sample order)' : '';
  return `TikTok Shop ${subject}${sample} — ${what}, statement ${statementId}`;
}

/** One statement → its documents (per mode) and issues. The sync engine builds statements a page at a time with StatementBuilder. */
export function buildStatementDocuments(bundle: StatementBundle, opts: BuildOptions): BuildResult {
  const builder = new StatementBuilder(bundle, opts);
  const page = Array.isArray(bundle.transactions) ? builder.add(bundle.transactions) : { documents: [], issues: [] };
  const rest = builder.finish();
  return { documents: [...page.documents, ...rest.documents], issues: [...page.issues, ...rest.issues] };
}

type RoleSum = { role: AccountRole; amount: number; description: string; count: number; tax?: BookingLine['tax'] };

/** What a summary document of one calendar month needs of its transactions, summed as they arrive. */
interface MonthSums {
  sums: Map<string, RoleSum>;
  warnings: Set<string>;
  memo: Record<string, number>;
  count: number;
  date: string;
}

/**
 * One statement built as its transactions arrive, a page at a time: add() builds a page and hands
 * back its per-transaction documents (none in summary mode) and their issues; the summary lines
 * and the statement-level checks are running totals, which finish() turns into the statement's
 * issues (and summary documents). What it holds does not grow with the statement, so
 * a large shop's statement of thousands of transactions is never held built at once.
 * add(all transactions) then finish(), concatenated, is buildStatementDocuments.
 */
export class StatementBuilder {
  private readonly head: StatementBundle;
  private readonly currency: string;
  private readonly shape: ReturnType<typeof statementShapeProblem>;
  /** A transaction could not be built: the statement's checks and summary are off. */
  private transactionErrors = false;
  private readonly totals: StatementTotals = { count: 0, settlement: 0, reserve: 0, complete: true, clearing: 0 };
  private readonly months = new Map<string, MonthSums>();

  /** `bundle.transactions` is not read: the transactions come through add(). */
  constructor(bundle: StatementBundle, private readonly opts: BuildOptions) {
    this.head = { statement: bundle.statement, header: bundle.header, transactions: [], payment: bundle.payment };
    this.shape = statementShapeProblem({ ...this.head, transactions: Array.isArray(bundle.transactions) ? [] : bundle.transactions });
    this.currency = this.shape ? '' : normCurrency(bundle.statement.currency);
  }

  /** Builds the next transactions of the statement: their issues, and in per-transaction mode their documents. */
  add(transactions: StatementTransaction[]): BuildResult {
    const out: BuildResult = { documents: [], issues: [] };
    if (this.shape) return out;
    for (const tx of transactions) {
      const b = buildTransactionDocuments(tx, this.head, this.opts);
      out.issues.push(...b.issues);
      if (b.issues.some((i) => i.severity === 'error')) this.transactionErrors = true;
      const t = this.totals;
      t.count++;
      const s = b.extracted?.settlementMinor;
      if (s === undefined) t.complete = false;
      else t.settlement += s;
      for (const c of b.extracted?.components ?? []) if (c.group === 'reserve') t.reserve += c.amountMinor;
      t.clearing += clearingTotal(b.documents.filter((d) => d.kind !== 'reserve'));
      if (this.opts.mode === 'per-transaction') out.documents.push(...b.documents);
      else this.addToSummary(b);
    }
    return out;
  }

  /** The statement's own issues (its checks), and in summary mode its documents. */
  finish(): BuildResult {
    const { statement } = this.head;
    const bad = this.shape;
    if (bad) return { documents: [], issues: [{ severity: 'error', code: bad.code, statementId: safeText(statement?.id), fields: [bad.field], message: `statement ${safeText(statement?.id)}: ${bad.message}; nothing booked` }] };
    const issues = checkStatementData(this.head, this.totals, this.currency);
    const statementOk = !this.transactionErrors && issues.every((i) => i.severity !== 'error');
    if (statementOk) checkStatementClearing(this.head, this.totals.clearing, this.currency);
    if (this.opts.mode === 'per-transaction') return { documents: [], issues };
    if (!statementOk) {
      issues.push({ severity: 'error', code: 'statement_not_built', statementId: statement.id, message: `statement ${statement.id}: summary entry not built because of the errors above` });
      return { documents: [], issues };
    }
    return { documents: this.summaryDocuments(), issues };
  }

  /** Summary mode: a transaction's lines folded into its month's sums by role. */
  private addToSummary(b: TransactionBuild): void {
    const m = b.date.slice(0, 7);
    let month = this.months.get(m);
    if (!month) {
      month = { sums: new Map(), warnings: new Set(), memo: {}, count: 0, date: b.date };
      this.months.set(m, month);
    }
    month.count++;
    if (b.date > month.date) month.date = b.date;
    for (const d of b.documents) {
      d.warnings.forEach((w) => month.warnings.add(`transaction ${b.transaction.id}: ${w}`));
      for (const l of d.lines) {
        if (l.role === 'clearing' && !l.source.field.startsWith('supplementary_component')) continue;
        // Tax is split again from the aggregated gross of each role and code (the ledger rounds per line).
        if (l.role === 'vat') continue;
        // MF-tax lines stay gross (collected / remitted) instead of netting to nothing.
        const mf = l.source.field.startsWith('supplementary_component');
        const k = mf ? `${l.role}|${l.amountMinor > 0 ? 'dr' : 'cr'}` : l.tax ? `${l.role}|tax:${l.tax.code}` : l.role;
        const e = month.sums.get(k) ?? { role: l.role, amount: 0, description: mf ? l.description : roleDescription(l.role), count: 0, tax: l.tax ? { ...l.tax, amountMinor: 0 } : undefined };
        e.amount += l.amountMinor + (l.tax?.amountMinor ?? 0);
        e.count += 1;
        month.sums.set(k, e);
      }
    }
    for (const [f, v] of Object.entries(b.extracted?.memo ?? {})) {
      try {
        month.memo[f] = (month.memo[f] ?? 0) + parseMinor(v, this.currency, f);
      } catch {
        /* informational; unparseable values are left out of the statement total */
      }
    }
  }

  /** Summary mode: one balanced document per calendar month of the statement. */
  private summaryDocuments(): BookingDocument[] {
    const { opts, currency } = this;
    const sid = this.head.statement.id;
    const out: BookingDocument[] = [];
    for (const [month, group] of [...this.months.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const lines: BookingLine[] = [];
      for (const e of group.sums.values()) {
        if (e.amount === 0) continue;
        lines.push({ role: e.role, amountMinor: e.amount, description: e.description, source: { kind: 'statement', id: sid, field: `transactions[${group.count}]` }, ...(e.tax ? { tax: e.tax } : {}) });
      }
      const clearing = -lines.reduce((s, l) => s + l.amountMinor, 0);
      if (clearing !== 0) lines.push({ role: 'clearing', amountMinor: clearing, description: 'TikTok Shop settlement', source: { kind: 'statement', id: sid, field: 'settlement_amount' } });
      if (lines.length === 0) continue;
      const split = this.months.size > 1;
      const memo = group.memo;
      const doc: BookingDocument = {
        key: documentKey(opts.shopId, sid, 'statement', month.replace('-', '')),
        kind: 'statement',
        date: group.date,
        currency,
        memo: `TikTok Shop statement ${sid}${split ? ` (part ${month})` : ''}: ${group.count} transaction${group.count === 1 ? '' : 's'}`,
        lines,
        refs: { shopId: opts.shopId, statementId: sid, paymentId: this.head.statement.payment_id || undefined },
        warnings: [...group.warnings],
        memoData: Object.keys(memo).length > 0 ? Object.fromEntries(Object.entries(memo).map(([k, v]) => [k, formatSigned(v, currency).split(' ')[0]!])) : undefined,
      };
      const taxed = opts.tax ? applyTax(doc, opts.tax) : doc;
      checkDocument(taxed);
      out.push(taxed);
    }
    return out;
  }
}

/** What the statement-level checks need of its transactions, summed as they are built. */
interface StatementTotals {
  count: number;
  /** Σ stated settlement_amount (parsed leniently: unparseable ones are reported per transaction). */
  settlement: number;
  reserve: number;
  /** Every transaction's settlement_amount could be read. */
  complete: boolean;
  /** Σ Clearing lines of the settlement (non-reserve) documents. */
  clearing: number;
}

function statementShapeProblem(bundle: StatementBundle): { code: BookingIssue['code']; field: string; message: string } | undefined {
  const st = bundle.statement as unknown as Record<string, unknown> | undefined;
  if (!st || typeof st !== 'object') return { code: 'invalid_amount', field: 'statement', message: 'statement is missing' };
  const cur = normCurrency(st.currency);
  if (!/^[A-Z]{3}$/.test(cur)) return { code: 'currency_mismatch', field: 'currency', message: `currency ${safeText(st.currency)} is not an ISO 4217 code` };
  const t = toUnixSeconds(st.statement_time);
  if (t === undefined || !Number.isFinite(new Date(t * 1000).getTime())) return { code: 'invalid_amount', field: 'statement_time', message: `statement_time ${safeText(st.statement_time)} is not a Unix time` };
  if (!Array.isArray(bundle.transactions)) return { code: 'invalid_amount', field: 'transactions', message: 'transactions is not a list' };
  return undefined;
}

function statementAmount(raw: unknown, currency: string, field: string, statementId: string, issues: BookingIssue[]): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  try {
    return parseMinor(raw as string, currency, field);
  } catch (err) {
    issues.push({ severity: 'error', code: 'invalid_amount', statementId, fields: [field], message: `statement ${statementId}: ${(err as Error).message}` });
    return undefined;
  }
}

function checkStatementData(bundle: StatementBundle, totals: StatementTotals, currency: string): BookingIssue[] {
  const issues: BookingIssue[] = [];
  const { statement, header } = bundle;
  const sid = statement.id;
  const fmt = (n: number) => formatSigned(n, currency);
  if (header && header.currency !== undefined && normCurrency(header.currency) !== currency) {
    issues.push({ severity: 'error', code: 'currency_mismatch', statementId: sid, fields: ['currency'], message: `statement ${sid}: transactions header currency ${safeText(header.currency)} differs from the statement's ${currency}` });
  }
  if (header?.total_count !== undefined && header.total_count !== totals.count) {
    issues.push({ severity: 'error', code: 'statement_mismatch', statementId: sid, fields: ['total_count'], message: `statement ${sid}: ${totals.count} transactions fetched but total_count is ${header.total_count}` });
  }
  if (!totals.complete) return issues;
  const sum = totals.settlement;
  const reserveSum = totals.reserve;
  const stated = statementAmount(statement.settlement_amount, currency, 'settlement_amount', sid, issues);
  if (stated !== undefined && stated !== sum) {
    issues.push({ severity: 'error', code: 'statement_mismatch', statementId: sid, fields: ['statement.settlement_amount', 'transactions[].settlement_amount'], differenceMinor: sum - stated, message: `statement ${sid}: settlement_amount ${fmt(stated)} ≠ Σ transactions[].settlement_amount ${fmt(sum)} (difference ${fmt(sum - stated)})` });
  }
  if (header) {
    const total = statementAmount(header.total_settlement_amount, currency, 'total_settlement_amount', sid, issues);
    if (total !== undefined && total !== sum) {
      issues.push({ severity: 'error', code: 'statement_mismatch', statementId: sid, fields: ['total_settlement_amount', 'transactions[].settlement_amount'], differenceMinor: sum - total, message: `statement ${sid}: total_settlement_amount ${fmt(total)} ≠ Σ transactions[].settlement_amount ${fmt(sum)} (difference ${fmt(sum - total)})` });
    }
    const reserve = statementAmount(header.total_reserve_amount, currency, 'total_reserve_amount', sid, issues);
    if (reserve !== undefined && reserve !== reserveSum) {
      issues.push({ severity: 'error', code: 'statement_mismatch', statementId: sid, fields: ['total_reserve_amount', 'transactions[].reserve_amount'], differenceMinor: reserveSum - reserve, message: `statement ${sid}: total_reserve_amount ${fmt(reserve)} ≠ Σ transactions[].reserve_amount ${fmt(reserveSum)} (difference ${fmt(reserveSum - reserve)})` });
    }
    const payable = statementAmount(header.payable_amount, currency, 'payable_amount', sid, issues);
    if (payable !== undefined && total !== undefined && reserve !== undefined && payable !== total + reserve) {
      issues.push({ severity: 'error', code: 'statement_mismatch', statementId: sid, fields: ['payable_amount', 'total_settlement_amount', 'total_reserve_amount'], differenceMinor: payable - (total + reserve), message: `statement ${sid}: payable_amount ${fmt(payable)} ≠ total_settlement_amount ${fmt(total)} + total_reserve_amount ${fmt(reserve)} (difference ${fmt(payable - total - reserve)})` });
    }
  }
  return issues;
}

function roleDescription(role: AccountRole): string {
  return role.replace(/_/g, ' ');
}

/** Everything at once: every statement, then every payout (with the statements it pays). */
export function buildDocuments(input: { bundles: StatementBundle[]; orders?: Map<string, Order>; payments?: Payment[] }, opts: BuildOptions): BuildResult {
  const o: BuildOptions = { ...opts, orders: input.orders ?? opts.orders };
  const documents: BookingDocument[] = [];
  const issues: BookingIssue[] = [];
  for (const bundle of input.bundles) {
    const r = buildStatementDocuments(bundle, o);
    documents.push(...r.documents);
    issues.push(...r.issues);
  }
  const payments = new Map<string, Payment>();
  for (const p of input.payments ?? []) payments.set(p.id, p);
  for (const b of input.bundles) if (b.payment && !payments.has(b.payment.id)) payments.set(b.payment.id, b.payment);
  for (const p of payments.values()) {
    const of = input.bundles.filter((b) => b.statement.payment_id === p.id || b.payment?.id === p.id);
    const r = buildPayoutDocuments(p, of, o);
    documents.push(...r.documents);
    issues.push(...r.issues);
  }
  return { documents, issues };
}
