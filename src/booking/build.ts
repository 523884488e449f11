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
import { checkDocument, checkStatementClearing, checkTransactionClearing } from './invariants.js';
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

/** One statement → its documents (per mode) and issues. The sync engine calls this per statement. */
export function buildStatementDocuments(bundle: StatementBundle, opts: BuildOptions): BuildResult {
  const statement = bundle.statement;
  const currency = normCurrency(statement.currency);
  const issues: BookingIssue[] = [];
  const bad = statementShapeProblem(bundle);
  if (bad) return { documents: [], issues: [{ severity: 'error', code: bad.code, statementId: safeText(statement?.id), fields: [bad.field], message: `statement ${safeText(statement?.id)}: ${bad.message}; nothing booked` }] };
  const builds = bundle.transactions.map((tx) => buildTransactionDocuments(tx, bundle, opts));
  for (const b of builds) issues.push(...b.issues);
  issues.push(...checkStatementData(bundle, builds, currency));

  const statementOk = issues.every((i) => i.severity !== 'error');
  if (statementOk) checkStatementClearing(bundle, builds.flatMap((b) => b.documents), currency);

  if (opts.mode === 'per-transaction') return { documents: builds.flatMap((b) => b.documents), issues };
  if (!statementOk) {
    issues.push({ severity: 'error', code: 'statement_not_built', statementId: statement.id, message: `statement ${statement.id}: summary entry not built because of the errors above` });
    return { documents: [], issues };
  }
  return { documents: summarize(bundle, builds, opts, currency), issues };
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

function checkStatementData(bundle: StatementBundle, builds: TransactionBuild[], currency: string): BookingIssue[] {
  const issues: BookingIssue[] = [];
  const { statement, header } = bundle;
  const sid = statement.id;
  const fmt = (n: number) => formatSigned(n, currency);
  if (header && header.currency !== undefined && normCurrency(header.currency) !== currency) {
    issues.push({ severity: 'error', code: 'currency_mismatch', statementId: sid, fields: ['currency'], message: `statement ${sid}: transactions header currency ${safeText(header.currency)} differs from the statement's ${currency}` });
  }
  if (header?.total_count !== undefined && header.total_count !== bundle.transactions.length) {
    issues.push({ severity: 'error', code: 'statement_mismatch', statementId: sid, fields: ['total_count'], message: `statement ${sid}: ${bundle.transactions.length} transactions fetched but total_count is ${header.total_count}` });
  }
  // Sum of stated transaction settlements (parsed leniently: unparseable ones are already reported per transaction).
  let sum = 0;
  let reserveSum = 0;
  let complete = true;
  for (const b of builds) {
    const s = b.extracted?.settlementMinor;
    if (s === undefined) complete = false;
    else sum += s;
    for (const c of b.extracted?.components ?? []) if (c.group === 'reserve') reserveSum += c.amountMinor;
  }
  if (!complete) return issues;
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

/** Summary mode: per-transaction lines aggregated by role, one balanced document per calendar month. */
function summarize(bundle: StatementBundle, builds: TransactionBuild[], opts: BuildOptions, currency: string): BookingDocument[] {
  const sid = bundle.statement.id;
  const months = new Map<string, TransactionBuild[]>();
  for (const b of builds) {
    const m = b.date.slice(0, 7);
    months.set(m, [...(months.get(m) ?? []), b]);
  }
  const out: BookingDocument[] = [];
  for (const [month, group] of [...months.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const sums = new Map<string, { role: AccountRole; amount: number; description: string; count: number; tax?: BookingLine['tax'] }>();
    const warnings = new Set<string>();
    const memo: Record<string, number> = {};
    for (const b of group) {
      for (const d of b.documents) {
        d.warnings.forEach((w) => warnings.add(`transaction ${b.transaction.id}: ${w}`));
        for (const l of d.lines) {
          if (l.role === 'clearing' && !l.source.field.startsWith('supplementary_component')) continue;
          // Tax is split again from the aggregated gross of each role and code (the ledger rounds per line).
          if (l.role === 'vat') continue;
          // MF-tax lines stay gross (collected / remitted) instead of netting to nothing.
          const mf = l.source.field.startsWith('supplementary_component');
          const k = mf ? `${l.role}|${l.amountMinor > 0 ? 'dr' : 'cr'}` : l.tax ? `${l.role}|tax:${l.tax.code}` : l.role;
          const e = sums.get(k) ?? { role: l.role, amount: 0, description: mf ? l.description : roleDescription(l.role), count: 0, tax: l.tax ? { ...l.tax, amountMinor: 0 } : undefined };
          e.amount += l.amountMinor + (l.tax?.amountMinor ?? 0);
          e.count += 1;
          sums.set(k, e);
        }
      }
      for (const [f, v] of Object.entries(b.extracted?.memo ?? {})) {
        try {
          memo[f] = (memo[f] ?? 0) + parseMinor(v, currency, f);
        } catch {
          /* informational; unparseable values are left out of the statement total */
        }
      }
    }
    const lines: BookingLine[] = [];
    for (const e of sums.values()) {
      if (e.amount === 0) continue;
      lines.push({ role: e.role, amountMinor: e.amount, description: e.description, source: { kind: 'statement', id: sid, field: `transactions[${group.length}]` }, ...(e.tax ? { tax: e.tax } : {}) });
    }
    const clearing = -lines.reduce((s, l) => s + l.amountMinor, 0);
    if (clearing !== 0) lines.push({ role: 'clearing', amountMinor: clearing, description: 'TikTok Shop settlement', source: { kind: 'statement', id: sid, field: 'settlement_amount' } });
    if (lines.length === 0) continue;
    const date = group.map((b) => b.date).sort().at(-1)!;
    const split = months.size > 1;
    const doc: BookingDocument = {
      key: documentKey(opts.shopId, sid, 'statement', month.replace('-', '')),
      kind: 'statement',
      date,
      currency,
      memo: `TikTok Shop statement ${sid}${split ? ` (part ${month})` : ''}: ${group.length} transaction${group.length === 1 ? '' : 's'}`,
      lines,
      refs: { shopId: opts.shopId, statementId: sid, paymentId: bundle.statement.payment_id || undefined },
      warnings: [...warnings],
      memoData: Object.keys(memo).length > 0 ? Object.fromEntries(Object.entries(memo).map(([k, v]) => [k, formatSigned(v, currency).split(' ')[0]!])) : undefined,
    };
    const taxed = opts.tax ? applyTax(doc, opts.tax) : doc;
    checkDocument(taxed);
    out.push(taxed);
  }
  return out;
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
