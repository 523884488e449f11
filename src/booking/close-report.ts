/**
 * The month-end close report's figures: a clearing roll-forward, a P&L by account, the payouts
 * and the daily movement, per shop and currency, computed from the documents as booked. TikTok's
 * own figure and the difference come from `reconcile` run on what was known at the period's end,
 * so a report, `synder reconcile` and an export of the same books agree to the minor unit.
 */
import type { AccountRole, BookingDocument } from './document.js';
import { localDate, toUnixSeconds } from './dates.js';
import { reconcile, documentTotals, type DocumentTotals, type ReconcileExplanation } from './reconcile.js';
import type { Payment, StatementBundle } from './tiktok-data.js';

/** Dates in the org's zone, YYYY-MM-DD: `since` included, `until` not. */
export interface ReportPeriod {
  since: string;
  until: string;
}

export interface LedgerObjectRef {
  type: string;
  id: string;
  number?: string;
}

export interface PostedDocument {
  document: BookingDocument;
  /** The ledger object that holds it (the transfer, for a payout). */
  ledgerRef?: LedgerObjectRef;
}

export interface ReportShopInput {
  shop: string;
  currency: string;
  clearingAccount: string;
  /** Documents the ledger has, of every date: the opening balance needs those before the period. */
  posted: PostedDocument[];
  /** Reconcile's view of every live document (posted, pending, failed), of every date. */
  totals: DocumentTotals[];
  bundles: StatementBundle[];
  payments: Payment[];
  /** The ledger's Clearing balance today; given only when the period reaches today, the one day it describes. */
  ledgerClearingMinor?: number;
  /** Ledger account name of a role in this shop and currency. */
  accountName: (role: AccountRole) => string;
}

export interface CloseReportInput {
  period: ReportPeriod;
  timeZone: string;
  shops: ReportShopInput[];
}

export interface RollForward {
  openingMinor: number;
  /** What settled into Clearing: sales, fees, refunds and adjustments, net of the reserve below. */
  settlementsMinor: number;
  /** Paid out to the bank (negative). */
  payoutsMinor: number;
  /** Withheld (negative) or released (positive) through the reserve. */
  reserveMinor: number;
  closingMinor: number;
  /** What TikTok owes at the period's end: statements not paid out by then, with their reserve movements. */
  tiktokMinor: number;
  ledgerMinor: number | null;
  /** (ledger, or closing when the ledger's figure is not of this date) − TikTok. */
  differenceMinor: number;
  explanations: ReconcileExplanation[];
  unexplainedMinor: number;
}

export type PnlGroup = 'income' | 'expense';

export interface PnlRow {
  role: AccountRole;
  label: string;
  account: string;
  group: PnlGroup;
  /** As booked: debit positive. Equals the account's balance over the period in an export. */
  bookedMinor: number;
  /** As a P&L shows it: income positive, costs negative. */
  amountMinor: number;
  /** The TikTok fields the amount adds up, e.g. "revenue_breakdown.subtotal_before_discount_amount". */
  sources: string[];
}

export interface FeeRow {
  type: string;
  role: AccountRole;
  account: string;
  /** Cost positive. */
  amountMinor: number;
}

export interface PayoutRow {
  date: string;
  paymentId: string | null;
  documentKey: string;
  /** Into the bank. */
  amountMinor: number;
  statementIds: string[];
  ledger: LedgerObjectRef | null;
}

export interface DailyRow {
  date: string;
  settlementsMinor: number;
  /** Paid out that day, positive. */
  payoutsMinor: number;
  reserveMinor: number;
  /** Clearing at the end of the day. */
  balanceMinor: number;
}

export interface UncategorizedLine {
  date: string;
  documentKey: string;
  orderId: string | null;
  transactionId: string | null;
  field: string;
  amountMinor: number;
  warning: string | null;
}

export interface ShopReport {
  shop: string;
  currency: string;
  clearingAccount: string;
  rollForward: RollForward;
  pnl: PnlRow[];
  /** Σ pnl amounts: what TikTok activity added to profit. */
  netMinor: number;
  fees: FeeRow[];
  payouts: PayoutRow[];
  daily: DailyRow[];
  uncategorized: UncategorizedLine[];
  documents: number;
}

export interface CloseReport {
  period: ReportPeriod;
  shops: ShopReport[];
}

/** P&L lines in the order a bookkeeper reads them; balance-sheet roles (clearing, reserve, bank, MF tax) are not P&L. */
export const PNL_LINES: ReadonlyArray<{ role: AccountRole; label: string; group: PnlGroup }> = [
  { role: 'sales', label: 'Gross sales', group: 'income' },
  { role: 'seller_discounts', label: 'Discounts', group: 'income' },
  { role: 'refunds', label: 'Refunds', group: 'income' },
  { role: 'shipping_income', label: 'Shipping income', group: 'income' },
  { role: 'platform_adjustments', label: 'Adjustments', group: 'income' },
  { role: 'shipping_fulfilment', label: 'Shipping & fulfilment costs', group: 'expense' },
  { role: 'marketplace_fees', label: 'Marketplace fees', group: 'expense' },
  { role: 'transaction_fees', label: 'Transaction fees', group: 'expense' },
  { role: 'affiliate_commissions', label: 'Affiliate commissions', group: 'expense' },
  { role: 'fee_taxes', label: 'Taxes on fees', group: 'expense' },
  { role: 'advertising', label: 'Advertising', group: 'expense' },
  { role: 'uncategorized', label: 'Uncategorized', group: 'expense' },
];

const FEE_ROLES = new Set<AccountRole>(['shipping_fulfilment', 'marketplace_fees', 'transaction_fees', 'affiliate_commissions', 'fee_taxes', 'advertising']);

const sum = (d: BookingDocument, role: AccountRole) => d.lines.reduce((s, l) => (l.role === role ? s + l.amountMinor : s), 0);

/** A fee's type from the TikTok field it came from: "fee_tax_breakdown.fee.referral_fee_amount" → "referral fee". */
export function feeType(field: string): string {
  const last = field.split('.').pop() ?? field;
  return last.replace(/\[\d+\]/g, '').replace(/_amount$/, '').replace(/_/g, ' ').trim() || field;
}

/** How a document moves Clearing, split the way the roll-forward shows it. */
function movement(d: BookingDocument): { settlements: number; payouts: number; reserve: number } {
  const clearing = sum(d, 'clearing');
  if (d.kind === 'payout') return { settlements: 0, payouts: clearing, reserve: 0 };
  const reserve = -sum(d, 'reserve');
  return { settlements: clearing - reserve, payouts: 0, reserve };
}

function* days(since: string, until: string): Generator<string> {
  const end = Date.parse(`${until}T00:00:00Z`);
  let n = 0;
  for (let t = Date.parse(`${since}T00:00:00Z`); t < end && n < 3660; t += 86_400_000, n++) yield new Date(t).toISOString().slice(0, 10);
}

/**
 * What TikTok and synder knew at the period's end: statements dated before it, payments paid
 * before it (a statement paid later counts as unpaid then), documents dated before it.
 */
export function asOf(input: { totals: DocumentTotals[]; bundles: StatementBundle[]; payments: Payment[] }, until: string, timeZone: string) {
  const before = (unix: unknown) => {
    const s = toUnixSeconds(unix);
    return s === undefined ? undefined : localDate(s, timeZone) < until;
  };
  const payments = input.payments.filter((p) => before(p.paid_time ?? p.create_time) !== false);
  const bundles = input.bundles
    .filter((b) => before(b.statement.statement_time) !== false)
    .map((b) => {
      const paidLater = String(b.statement.payment_status ?? '').toUpperCase() === 'PAID' && before(b.statement.payment_time) === false;
      return paidLater ? { ...b, statement: { ...b.statement, payment_status: 'PROCESSING' } } : b;
    });
  return { totals: input.totals.filter((d) => d.date < until), bundles, payments };
}

export function closeReport(input: CloseReportInput): CloseReport {
  const { since, until } = input.period;
  const shops = input.shops.map((shop): ShopReport => {
    const cur = shop.currency.trim().toUpperCase();
    const mine = shop.posted.filter((p) => p.document.currency.trim().toUpperCase() === cur);
    const inPeriod = mine.filter((p) => p.document.date >= since && p.document.date < until);

    let opening = 0;
    for (const p of mine) if (p.document.date < since) opening += sum(p.document, 'clearing');
    const perDay = new Map<string, { settlements: number; payouts: number; reserve: number }>();
    let settlements = 0;
    let payoutsTotal = 0;
    let reserve = 0;
    for (const p of inPeriod) {
      const m = movement(p.document);
      settlements += m.settlements;
      payoutsTotal += m.payouts;
      reserve += m.reserve;
      const day = perDay.get(p.document.date) ?? { settlements: 0, payouts: 0, reserve: 0 };
      day.settlements += m.settlements;
      day.payouts += m.payouts;
      day.reserve += m.reserve;
      perDay.set(p.document.date, day);
    }
    const closing = opening + settlements + payoutsTotal + reserve;

    const known = asOf(shop, until, input.timeZone);
    const ledgerBalances = shop.ledgerClearingMinor === undefined ? [] : [{ currency: cur, clearingMinor: shop.ledgerClearingMinor }];
    const r = reconcile({ documents: known.totals, bundles: known.bundles, payments: known.payments, ledgerBalances }).find((x) => x.currency === cur);
    // Reconcile counts only posted documents as booked, and the closing counts the same ones.
    const rollForward: RollForward = {
      openingMinor: opening, settlementsMinor: settlements, payoutsMinor: payoutsTotal, reserveMinor: reserve, closingMinor: closing,
      tiktokMinor: r?.expectedClearingMinor ?? 0,
      ledgerMinor: shop.ledgerClearingMinor ?? null,
      differenceMinor: r?.clearingDifferenceMinor ?? closing,
      explanations: (r?.explanations ?? []).filter((e) => e.clearingMinor !== 0),
      unexplainedMinor: r?.unexplainedClearingMinor ?? closing,
    };

    const byRole = new Map<AccountRole, number>();
    const sources = new Map<AccountRole, Set<string>>();
    const fees = new Map<string, FeeRow>();
    const uncategorized: UncategorizedLine[] = [];
    for (const { document: d } of inPeriod) {
      for (const l of d.lines) {
        byRole.set(l.role, (byRole.get(l.role) ?? 0) + l.amountMinor);
        if (l.amountMinor !== 0) sources.set(l.role, (sources.get(l.role) ?? new Set<string>()).add(l.source.field.replace(/\[\d+\]/g, '[]')));
        if (FEE_ROLES.has(l.role)) {
          // An adjustment booked as a fee (ads, say) is named by its account, not by the field.
          const type = /(^|\.)adjustment_amount$/.test(l.source.field) ? (PNL_LINES.find((p) => p.role === l.role)?.label.toLowerCase() ?? l.role) : feeType(l.source.field);
          const k = `${l.role}|${type}`;
          const f = fees.get(k) ?? { type, role: l.role, account: shop.accountName(l.role), amountMinor: 0 };
          f.amountMinor += l.amountMinor;
          fees.set(k, f);
        }
        if (l.role === 'uncategorized') {
          uncategorized.push({
            date: d.date, documentKey: d.key, orderId: d.refs.orderId ?? null, transactionId: d.refs.transactionId ?? null, field: l.source.field, amountMinor: l.amountMinor,
            warning: d.warnings.find((w) => w.includes(l.source.field) || /uncategori[sz]ed/i.test(w)) ?? null,
          });
        }
      }
    }
    const pnl = PNL_LINES.filter((p) => byRole.has(p.role)).map((p): PnlRow => {
      const booked = byRole.get(p.role)!;
      return { role: p.role, label: p.label, account: shop.accountName(p.role), group: p.group, bookedMinor: booked, amountMinor: -booked, sources: [...(sources.get(p.role) ?? [])].sort() };
    });

    const statementsOf = new Map<string, string[]>();
    for (const b of shop.bundles) {
      const pid = b.statement.payment_id;
      if (pid) statementsOf.set(pid, [...(statementsOf.get(pid) ?? []), b.statement.id]);
    }
    const payouts = inPeriod
      .filter((p) => p.document.kind === 'payout')
      .map(({ document: d, ledgerRef }): PayoutRow => ({
        date: d.date, paymentId: d.refs.paymentId ?? null, documentKey: d.key, amountMinor: sum(d, 'bank'),
        statementIds: (d.refs.paymentId ? statementsOf.get(d.refs.paymentId) : undefined)?.sort() ?? (d.refs.statementId ? [d.refs.statementId] : []),
        ledger: ledgerRef ?? null,
      }))
      .sort((a, b) => a.date.localeCompare(b.date) || a.documentKey.localeCompare(b.documentKey));

    let balance = opening;
    const daily: DailyRow[] = [];
    for (const date of days(since, until)) {
      const m = perDay.get(date) ?? { settlements: 0, payouts: 0, reserve: 0 };
      balance += m.settlements + m.payouts + m.reserve;
      daily.push({ date, settlementsMinor: m.settlements, payoutsMinor: -m.payouts, reserveMinor: m.reserve, balanceMinor: balance });
    }

    return {
      shop: shop.shop, currency: cur, clearingAccount: shop.clearingAccount, rollForward, pnl, netMinor: pnl.reduce((s, p) => s + p.amountMinor, 0),
      fees: [...fees.values()].filter((f) => f.amountMinor !== 0).sort((a, b) => b.amountMinor - a.amountMinor),
      payouts, daily, uncategorized, documents: inPeriod.length,
    };
  });
  return { period: input.period, shops };
}

/** Reconcile's totals of a posted document, for callers that hold bodies only. */
export const postedTotals = (p: PostedDocument): DocumentTotals => documentTotals(p.document, true);
