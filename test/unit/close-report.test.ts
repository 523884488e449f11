import { describe, expect, it } from 'vitest';
import { buildDocuments, closeReport, documentTotals, exportHledger, feeType, hledgerAccount, parseMinor, ACCOUNT_ROLES, type BookingDocument, type CloseReportInput, type Payment } from '../../src/booking/index.js';
import { JAN_15, bundleOf, opts, workedExampleTx } from './booking-fixtures.js';

const FEB_2 = Date.UTC(2025, 1, 2) / 1000;
const FEB_10 = Date.UTC(2025, 1, 10) / 1000;

/** January: one statement, paid out on 2 February. February: a second statement, not paid yet. */
function books() {
  const jan = bundleOf([workedExampleTx()], { settlement_amount: '20.70', payment_status: 'PAID', payment_time: FEB_2 });
  const feb = bundleOf([workedExampleTx({ id: 'tx2', order_id: 'o2' })], { id: 'st2', statement_time: FEB_10, settlement_amount: '20.70', payment_id: '', payment_status: 'PROCESSING' });
  const payment: Payment = { id: 'pay1', create_time: FEB_2, paid_time: FEB_2, status: 'PAID', amount: { value: '20.70', currency: 'USD' } };
  const r = buildDocuments({ bundles: [jan, feb], payments: [payment] }, opts());
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  return { documents: r.documents, bundles: [jan, feb], payments: [payment] };
}

function input(period: { since: string; until: string }, docs: BookingDocument[], b = books(), unposted: BookingDocument[] = []): CloseReportInput {
  return {
    period, timeZone: 'UTC',
    shops: [{
      shop: 'Shop', currency: 'USD', clearingAccount: 'TikTok Shop Clearing', posted: docs.map((document) => ({ document, ledgerRef: document.kind === 'payout' ? { type: 'Transfer', id: '9' } : undefined })),
      totals: [...docs.map((d) => documentTotals(d, true)), ...unposted.map((d) => documentTotals(d, false))], bundles: b.bundles, payments: b.payments,
      accountName: (role) => ACCOUNT_ROLES[role].name,
    }],
  };
}

/** Σ of an hledger journal's postings per account between two dates: what `hledger balance -b -e` prints. */
function journalBalances(text: string, since: string, until: string): Record<string, number> {
  const out: Record<string, number> = {};
  let date = '';
  for (const line of text.split('\n')) {
    const head = /^(\d{4}-\d{2}-\d{2}) /.exec(line);
    if (head) date = head[1]!;
    const posting = /^ {4}(\S.*?) {2}(-?[\d.]+) ([A-Z]{3})/.exec(line);
    if (posting && date >= since && date < until) out[posting[1]!] = (out[posting[1]!] ?? 0) + parseMinor(posting[2]!, posting[3]!);
  }
  return out;
}

describe('close report figures', () => {
  it('a statement paid after the month end is owed at the month end: roll-forward and TikTok agree in both months', () => {
    const b = books();
    const [jan] = closeReport(input({ since: '2025-01-01', until: '2025-02-01' }, b.documents, b)).shops;
    expect(jan!.rollForward).toMatchObject({ openingMinor: 0, settlementsMinor: 2070, payoutsMinor: 0, reserveMinor: 0, closingMinor: 2070, tiktokMinor: 2070, ledgerMinor: null, differenceMinor: 0, unexplainedMinor: 0 });
    expect(jan!.payouts).toEqual([]);
    const [feb] = closeReport(input({ since: '2025-02-01', until: '2025-03-01' }, b.documents, b)).shops;
    expect(feb!.rollForward).toMatchObject({ openingMinor: 2070, settlementsMinor: 2070, payoutsMinor: -2070, closingMinor: 2070, tiktokMinor: 2070, differenceMinor: 0 });
    expect(feb!.payouts).toEqual([{ date: '2025-02-02', paymentId: 'pay1', documentKey: expect.any(String), amountMinor: 2070, statementIds: ['st1'], ledger: { type: 'Transfer', id: '9' } }]);
    expect(feb!.daily.find((d) => d.date === '2025-02-02')).toMatchObject({ payoutsMinor: 2070, balanceMinor: 0 });
    expect(feb!.daily.at(-1)!.balanceMinor).toBe(2070);
    expect(feb!.daily).toHaveLength(28);
  });

  it('the P&L is the export\'s balance of each income and expense account over the period', () => {
    const b = books();
    const journal = exportHledger(b.documents);
    for (const period of [{ since: '2025-01-01', until: '2025-02-01' }, { since: '2025-02-01', until: '2025-03-01' }, { since: '2025-01-01', until: '2025-03-01' }]) {
      const [s] = closeReport(input(period, b.documents, b)).shops;
      const fromJournal = Object.fromEntries(Object.entries(journalBalances(journal, period.since, period.until)).filter(([a, v]) => /^(Income|Expenses):/.test(a) && v !== 0));
      expect(Object.fromEntries(s!.pnl.map((p) => [hledgerAccount(p.role, 'USD'), p.bookedMinor]))).toEqual(fromJournal);
      expect(s!.netMinor).toBe(-Object.values(fromJournal).reduce((t, v) => t + v, 0));
      expect(s!.rollForward.settlementsMinor + s!.rollForward.reserveMinor).toBe(s!.netMinor);
    }
    const [jan] = closeReport(input({ since: '2025-01-01', until: '2025-02-01' }, b.documents, b)).shops;
    expect(jan!.pnl.find((p) => p.role === 'sales')).toMatchObject({ label: 'Gross sales', account: 'TikTok Shop Sales', bookedMinor: -3000, amountMinor: 3000, sources: ['revenue_breakdown.subtotal_before_discount_amount'] });
    expect(Object.fromEntries(jan!.fees.map((f) => [f.type, f.amountMinor]))).toEqual({ 'actual shipping fee': 450, 'affiliate commission': 300, 'referral fee': 180 });
  });

  it('a document the ledger does not have yet is the difference, and reconcile names it', () => {
    const b = books();
    const payout = b.documents.find((d) => d.kind === 'payout')!;
    const posted = b.documents.filter((d) => d !== payout);
    const [feb] = closeReport(input({ since: '2025-02-01', until: '2025-03-01' }, posted, b, [payout])).shops;
    expect(feb!.rollForward.closingMinor).toBe(4140);
    expect(feb!.rollForward.differenceMinor).toBe(2070);
    expect(feb!.rollForward.explanations.map((e) => [e.kind, e.clearingMinor])).toEqual([['unposted_document', 2070]]);
    expect(feb!.rollForward.unexplainedMinor).toBe(0);
  });

  it('names a fee by its TikTok field', () => {
    expect(feeType('fee_tax_breakdown.fee.referral_fee_amount')).toBe('referral fee');
    expect(feeType('shipping_cost_breakdown.supplementary_component.platform_shipping_fee_discount_amount')).toBe('platform shipping fee discount');
  });
});
