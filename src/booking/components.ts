/**
 * Turns one statement transaction into signed components (seller's view: positive = money to the
 * seller), each tagged with the account role and the document it goes into. Booking a component
 * is then always the same: line amount = −component (income credited, costs debited), and the
 * document's Clearing line = +Σ components, so every document balances and the Clearing lines of
 * a transaction add up to revenue + shipping + fee_tax + adjustment = settlement_amount.
 *
 * Which document a component goes into:
 *  - sale:       revenue_breakdown keys without "refund"; customer-paid shipping ≥ 0
 *  - refund:     revenue_breakdown keys with "refund"; customer-paid shipping < 0 (refunded);
 *                positive fee/tax amounts (fee reversals) when the transaction has a refund
 *  - fees:       every other shipping key (costs negative, platform subsidies positive = contra),
 *                fee and tax amounts (negative; positive ones too when there is no refund)
 *  - adjustment: adjustment_amount, role by transaction type
 *  - reserve:    reserve_amount (negative = withheld); outside settlement_amount
 */
import type { AccountRole, DocumentKind } from './document.js';
import type { IssueCode } from './issues.js';
import type { RoleRouting } from './routing.js';
import { formatMinor, MAX_AMOUNT_MINOR, MoneyError, parseMinor } from './money.js';
import type { StatementTransaction } from './tiktok-data.js';

export type Bucket = Extract<DocumentKind, 'sale' | 'fees' | 'refund' | 'adjustment' | 'reserve'>;

export interface Component {
  /** Full field path, e.g. "fee_tax_breakdown.fee.referral_fee_amount". */
  field: string;
  raw: string;
  amountMinor: number;
  role: AccountRole;
  bucket: Bucket;
  /** Set when the key was not in the routing and went to the catch-all. */
  unknown?: boolean;
  /** A finding about this amount that belongs on the document carrying it. */
  warning?: string;
  group: 'revenue' | 'shipping' | 'fee_tax' | 'adjustment' | 'reserve';
}

export interface ComponentProblem {
  code: IssueCode;
  message: string;
  fields: string[];
  differenceMinor?: number;
}

export interface ExtractedTransaction {
  components: Component[];
  /** Every amount TikTok sent for the transaction, by field path (booked or not), for explain. */
  sourceAmounts: Array<{ field: string; raw: string; amountMinor?: number; booked: boolean }>;
  /** Informational amounts (supplementary components), raw strings by field path. */
  memo: Record<string, string>;
  settlementMinor?: number;
  warnings: string[];
  problems: ComponentProblem[];
}

type Raw = unknown;

/** Text of an untrusted value for messages; never throws (objects may carry a hostile toString). */
export function safeText(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v) ?? typeof v;
  } catch {
    return typeof v;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function extractComponents(tx: StatementTransaction, currency: string, routing: RoleRouting): ExtractedTransaction {
  const out: ExtractedTransaction = { components: [], sourceAmounts: [], memo: {}, warnings: [], problems: [] };
  const parse = (raw: Raw, field: string): number | undefined => {
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      out.problems.push({ code: 'invalid_amount', message: `${field}: expected a decimal amount, got ${safeText(raw)}`, fields: [field] });
      return undefined;
    }
    try {
      const n = parseMinor(raw, currency, field);
      if (Math.abs(n) > MAX_AMOUNT_MINOR) {
        out.problems.push({ code: 'invalid_amount', message: `${field}: "${safeText(raw)}" is implausibly large`, fields: [field] });
        return undefined;
      }
      return n;
    } catch (err) {
      if (!(err instanceof MoneyError)) throw err;
      out.problems.push({ code: 'invalid_amount', message: err.message, fields: [field] });
      return undefined;
    }
  };
  const add = (group: Component['group'], field: string, raw: Raw, role: AccountRole | undefined, bucketFor: (amount: number, role: AccountRole) => Bucket) => {
    const amount = parse(raw, field);
    out.sourceAmounts.push({ field, raw: safeText(raw), amountMinor: amount, booked: amount !== undefined });
    if (amount === undefined) return;
    const known = role !== undefined;
    const r: AccountRole = role ?? 'uncategorized';
    const warning = !known && amount !== 0 ? `unknown TikTok field ${field} (${String(raw).trim()}) booked to uncategorized; route it with: synder map route ${field} ${suggestedRole(field)}` : undefined;
    if (warning) out.warnings.push(warning);
    out.components.push({ field, raw: String(raw), amountMinor: amount, role: r, bucket: bucketFor(amount, r), unknown: known ? undefined : true, group, warning });
  };
  /** Walks an open breakdown map; nested objects (other than informational ones) are walked too so nothing is dropped. */
  const walk = (group: Component['group'], prefix: string, map: Raw, lookup: (key: string) => AccountRole | undefined, bucketFor: (key: string) => (amount: number, role: AccountRole) => Bucket, skip: string[] = []) => {
    if (map === undefined || map === null) return;
    if (!isPlainObject(map)) {
      out.problems.push({ code: 'invalid_amount', message: `${prefix}: expected an object of amounts, got ${safeText(map)}`, fields: [prefix] });
      return;
    }
    for (const [key, value] of Object.entries(map)) {
      const field = `${prefix}.${key}`;
      if (skip.includes(key)) continue;
      if (isPlainObject(value)) walk(group, field, value, () => undefined, bucketFor);
      else add(group, field, value, lookup(key), bucketFor(key));
    }
  };

  const hasRefund = (() => {
    const rb = tx.revenue_breakdown;
    if (isPlainObject(rb)) {
      for (const [k, v] of Object.entries(rb)) if (k.includes('refund') && nonZero(v, currency)) return true;
    }
    const sb = tx.shipping_cost_breakdown;
    if (isPlainObject(sb) && nonZero(sb.customer_paid_shipping_fee_amount, currency, true)) return true;
    return false;
  })();

  const lookup = (table: Record<string, AccountRole>) => (key: string) => (Object.hasOwn(table, key) ? table[key] : undefined);

  // Revenue
  if (tx.revenue_breakdown !== undefined && tx.revenue_breakdown !== null) {
    walk('revenue', 'revenue_breakdown', tx.revenue_breakdown, lookup(routing.revenueKeys), (key) => () => (key.includes('refund') ? 'refund' : 'sale'));
  } else if (tx.revenue_amount !== undefined) {
    add('revenue', 'revenue_amount', tx.revenue_amount, 'sales', (a) => (a >= 0 ? 'sale' : 'refund'));
    if (nonZero(tx.revenue_amount, currency)) out.warnings.push('revenue_breakdown missing: revenue_amount booked to sales as a whole');
  }

  // Shipping
  if (tx.shipping_cost_breakdown !== undefined && tx.shipping_cost_breakdown !== null) {
    walk('shipping', 'shipping_cost_breakdown', tx.shipping_cost_breakdown, lookup(routing.shippingKeys), () => (a, role) => (role === 'shipping_income' ? (a >= 0 ? 'sale' : 'refund') : 'fees'), ['supplementary_component']);
  } else if (tx.shipping_cost_amount !== undefined) {
    add('shipping', 'shipping_cost_amount', tx.shipping_cost_amount, 'shipping_fulfilment', () => 'fees');
    if (nonZero(tx.shipping_cost_amount, currency)) out.warnings.push('shipping_cost_breakdown missing: shipping_cost_amount booked to shipping & fulfilment as a whole');
  }

  // Fees and taxes on fees
  const feeBucket = () => (a: number): Bucket => (a > 0 && hasRefund ? 'refund' : 'fees');
  const ftb = tx.fee_tax_breakdown as Raw;
  if (ftb !== undefined && ftb !== null) {
    if (!isPlainObject(ftb)) {
      out.problems.push({ code: 'invalid_amount', message: `fee_tax_breakdown: expected an object, got ${safeText(ftb)}`, fields: ['fee_tax_breakdown'] });
    } else {
      for (const [part, value] of Object.entries(ftb)) {
        const table = part === 'fee' ? routing.feeKeys : part === 'tax' ? routing.taxKeys : {};
        const prefix = `fee_tax_breakdown.${part}`;
        if (isPlainObject(value)) walk('fee_tax', prefix, value, lookup(table), feeBucket);
        else add('fee_tax', prefix, value, undefined, feeBucket());
      }
    }
  } else if (tx.fee_tax_amount !== undefined) {
    add('fee_tax', 'fee_tax_amount', tx.fee_tax_amount, undefined, feeBucket());
  }

  // Adjustment
  if (tx.adjustment_amount !== undefined && tx.adjustment_amount !== null) {
    const type = safeText(tx.type ?? '');
    const role = Object.hasOwn(routing.adjustmentTypes, type) ? routing.adjustmentTypes[type] : undefined;
    const before = out.warnings.length;
    add('adjustment', 'adjustment_amount', tx.adjustment_amount, role, () => 'adjustment');
    if (out.warnings.length > before) {
      const w = `unknown adjustment type "${type}" (adjustment_amount ${String(tx.adjustment_amount).trim()}) booked to uncategorized; route it with: synder map route ${type} platform_adjustments`;
      out.warnings[out.warnings.length - 1] = w;
      out.components[out.components.length - 1]!.warning = w;
    }
  }

  // Reserve (outside settlement)
  if (tx.reserve_amount !== undefined && tx.reserve_amount !== null) {
    add('reserve', 'reserve_amount', tx.reserve_amount, 'reserve', () => 'reserve');
    const res = out.components.find((c) => c.group === 'reserve');
    const status = safeText(tx.reserve_status ?? '').toUpperCase();
    if (res && res.amountMinor !== 0 && status) {
      const withheld = res.amountMinor < 0;
      if ((status === 'COLLECTED' && !withheld) || (status === 'RELEASED' && withheld)) {
        res.warning = `reserve_amount ${res.raw.trim()} has reserve_status ${status}: booked by its sign (negative = withheld, positive = released)`;
        out.warnings.push(res.warning);
      }
    }
  }

  // Informational amounts, kept for explain and the MF-tax option
  const keepMemo = (prefix: string, map: Raw) => {
    if (!isPlainObject(map)) return;
    for (const [k, v] of Object.entries(map)) {
      if (typeof v === 'string' || typeof v === 'number') {
        out.memo[`${prefix}.${k}`] = String(v);
        out.sourceAmounts.push({ field: `${prefix}.${k}`, raw: String(v), amountMinor: safeParse(v, currency), booked: false });
      }
    }
  };
  keepMemo('supplementary_component', tx.supplementary_component);
  if (isPlainObject(tx.shipping_cost_breakdown)) keepMemo('shipping_cost_breakdown.supplementary_component', tx.shipping_cost_breakdown.supplementary_component);

  out.settlementMinor = parse(tx.settlement_amount, 'settlement_amount');
  if (tx.settlement_amount === undefined || tx.settlement_amount === null) {
    out.problems.push({ code: 'invalid_amount', message: 'settlement_amount is missing', fields: ['settlement_amount'] });
  }
  checkTotals(tx, currency, out);
  return out;
}

function safeParse(v: unknown, currency: string): number | undefined {
  try {
    return parseMinor(v as string, currency);
  } catch {
    return undefined;
  }
}

function nonZero(v: unknown, currency: string, negativeOnly = false): boolean {
  if (typeof v !== 'string' && typeof v !== 'number') return false;
  const n = safeParse(v, currency);
  return n !== undefined && (negativeOnly ? n < 0 : n !== 0);
}

/** Checks the stated totals against the breakdowns and the signed-sum settlement formula. */
function checkTotals(tx: StatementTransaction, currency: string, out: ExtractedTransaction): void {
  if (out.problems.length > 0 || out.settlementMinor === undefined) return;
  const fmt = (n: number) => formatSigned(n, currency);
  const sumGroup = (g: Component['group']) => out.components.filter((c) => c.group === g).reduce((s, c) => s + c.amountMinor, 0);
  const groups = [
    { group: 'revenue' as const, total: 'revenue_amount', breakdown: 'revenue_breakdown', has: tx.revenue_breakdown != null },
    { group: 'shipping' as const, total: 'shipping_cost_amount', breakdown: 'shipping_cost_breakdown', has: tx.shipping_cost_breakdown != null },
    { group: 'fee_tax' as const, total: 'fee_tax_amount', breakdown: 'fee_tax_breakdown', has: tx.fee_tax_breakdown != null },
  ];
  const details: string[] = [];
  const fields = new Set<string>();
  let firstDiff: number | undefined;
  for (const g of groups) {
    const stated = (tx as unknown as Record<string, unknown>)[g.total];
    if (!g.has || stated === undefined || stated === null) continue;
    const statedMinor = safeParse(stated, currency);
    const sum = sumGroup(g.group);
    if (statedMinor !== undefined && statedMinor !== sum) {
      details.push(`${g.total} ${fmt(statedMinor)} ≠ Σ ${g.breakdown} ${fmt(sum)} (difference ${fmt(statedMinor - sum)})`);
      firstDiff ??= statedMinor - sum;
      fields.add(g.total).add(g.breakdown);
    }
  }
  const bookedSum = out.components.filter((c) => c.group !== 'reserve').reduce((s, c) => s + c.amountMinor, 0);
  const diff = bookedSum - out.settlementMinor;
  if (diff !== 0) {
    const label = { revenue: tx.revenue_breakdown != null ? 'Σ revenue_breakdown' : 'revenue_amount', shipping: tx.shipping_cost_breakdown != null ? 'Σ shipping_cost_breakdown' : 'shipping_cost_amount', fee_tax: tx.fee_tax_breakdown != null ? 'Σ fee_tax_breakdown' : 'fee_tax_amount', adjustment: 'adjustment_amount' };
    const parts = (['revenue', 'shipping', 'fee_tax', 'adjustment'] as const).map((g) => `${label[g]} ${fmt(sumGroup(g))}`).join(' + ');
    details.unshift(`settlement_amount ${fmt(out.settlementMinor)} ≠ ${parts} = ${fmt(bookedSum)} (difference ${fmt(diff)})`);
    fields.add('settlement_amount');
    for (const g of groups) if (g.has) fields.add(g.breakdown); else fields.add(g.total);
    fields.add('adjustment_amount');
  }
  if (details.length > 0) {
    out.problems.push({ code: 'inconsistent_transaction', message: details.join('; '), fields: [...fields], differenceMinor: diff !== 0 ? diff : firstDiff });
  }
}

export function formatSigned(minor: number, currency: string): string {
  // Local import-free formatter to keep messages readable ("-1.80 USD").
  return `${formatMinorSafe(minor, currency)} ${currency}`;
}

function formatMinorSafe(minor: number, currency: string): string {
  try {
    return formatMinor(minor, currency);
  } catch {
    return String(minor);
  }
}

/** The role a new TikTok field most likely belongs to, for the command the warning prints. */
function suggestedRole(field: string): AccountRole {
  if (field.startsWith('fee_tax_breakdown.tax.')) return 'fee_taxes';
  if (field.startsWith('fee_tax_breakdown.')) return 'marketplace_fees';
  if (field.startsWith('shipping_cost_breakdown.')) return 'shipping_fulfilment';
  if (field.startsWith('revenue_breakdown.')) return 'sales';
  return 'platform_adjustments';
}
