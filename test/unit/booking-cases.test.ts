import { describe, expect, it } from 'vitest';
import {
  buildDocuments, buildPayoutDocuments, buildStatementDocuments, explainOrder, BookingInvariantError, reconcile, shortDocNumber, throwOnErrors,
  type BookingDocument, type Order, type Payment, type StatementTransaction,
} from '../../src/booking/index.js';
import { bundleOf, JAN_15, opts, workedExampleTx } from './booking-fixtures.js';

const byRole = (docs: BookingDocument[]) => {
  const m: Record<string, number> = {};
  for (const d of docs) for (const l of d.lines) m[l.role] = (m[l.role] ?? 0) + l.amountMinor;
  for (const k of Object.keys(m)) if (m[k] === 0) delete m[k];
  return m;
};
const linesOf = (d: BookingDocument | undefined) => d?.lines.map((l) => [l.role, l.amountMinor]);
const tx = (over: Partial<StatementTransaction>): StatementTransaction => ({ id: 'tx', type: 'ORDER', order_id: 'o1', settlement_amount: '0', ...over });
const paid = (id: string, amount: string, currency = 'USD', extra: Partial<Payment> = {}): Payment => ({ id, create_time: JAN_15 + 86400, status: 'PAID', amount: { value: amount, currency }, ...extra });

describe('refunds', () => {
  it('books the refunded subtotal, discount and shipping refunds and fee reversals in a refund document', () => {
    const refund = tx({
      id: 'r1',
      settlement_amount: '-25.80',
      revenue_breakdown: { subtotal_before_discount_amount: '0', refund_subtotal_before_discount_amount: '-30.00', seller_discount_refund_amount: '5.00' },
      shipping_cost_breakdown: { customer_paid_shipping_fee_amount: '-2.00' },
      fee_tax_breakdown: { fee: { referral_fee_amount: '1.50', refund_administration_fee_amount: '-0.30' } },
    });
    const { documents, issues } = buildStatementDocuments(bundleOf([refund], { settlement_amount: '-25.80' }), opts());
    expect(issues).toEqual([]);
    expect(documents.map((d) => d.kind)).toEqual(['fees', 'refund']);
    expect(linesOf(documents[1])).toEqual([['refunds', 3000], ['refunds', -500], ['shipping_income', 200], ['marketplace_fees', -150], ['clearing', -2550]]);
    expect(linesOf(documents[0])).toEqual([['marketplace_fees', 30], ['clearing', -30]]);
    expect(byRole(documents).clearing).toBe(-2580);
  });

  it('keeps a positive fee in the fees document when there is no refund', () => {
    const t = tx({ settlement_amount: '10.50', revenue_breakdown: { subtotal_before_discount_amount: '10.00' }, fee_tax_breakdown: { fee: { cofunded_creator_bonus_amount: '0.50' } } });
    const { documents } = buildStatementDocuments(bundleOf([t], { settlement_amount: '10.50' }), opts());
    expect(documents.map((d) => d.kind)).toEqual(['sale', 'fees']);
  });
});

describe('reserves', () => {
  it('withheld then released: Reserve and Clearing both return to zero after the payouts', () => {
    const s1 = bundleOf([workedExampleTx(), tx({ id: 'res1', type: 'RESERVE', order_id: undefined, reserve_id: 'rv1', reserve_amount: '-10.00', reserve_status: 'COLLECTED' })], { id: 'st1', settlement_amount: '20.70', payment_id: 'p1' });
    const s2 = bundleOf([tx({ id: 'res2', type: 'RESERVE', order_id: undefined, reserve_id: 'rv1', reserve_amount: '10.00', reserve_status: 'RELEASED' })], { id: 'st2', statement_time: JAN_15 + 30 * 86400, settlement_amount: '0', payment_id: 'p2' });
    const p1 = paid('p1', '10.70', 'USD', { settlement_amount: { value: '20.70', currency: 'USD' }, reserve_amount: { value: '-10.00', currency: 'USD' } });
    const p2 = paid('p2', '10.00', 'USD', { settlement_amount: { value: '0', currency: 'USD' }, reserve_amount: { value: '10.00', currency: 'USD' } });
    const { documents, issues } = buildDocuments({ bundles: [s1, s2], payments: [p1, p2] }, opts());
    expect(issues).toEqual([]);
    const reserveDocs = documents.filter((d) => d.kind === 'reserve');
    expect(reserveDocs.map(linesOf)).toEqual([[['reserve', 1000], ['clearing', -1000]], [['reserve', -1000], ['clearing', 1000]]]);
    // Payouts do not book the reserve again: the statements already carried it.
    expect(documents.filter((d) => d.kind === 'payout').map(linesOf)).toEqual([[['bank', 1070], ['clearing', -1070]], [['bank', 1000], ['clearing', -1000]]]);
    expect(byRole(documents).clearing).toBeUndefined();
    expect(byRole(documents).reserve).toBeUndefined();
    expect(byRole(documents).bank).toBe(2070);
  });

  it('a reserve known only from the payment is booked on the payout', () => {
    const s = bundleOf([workedExampleTx()], { settlement_amount: '20.70', payment_id: 'p1' });
    const p = paid('p1', '15.70', 'USD', { settlement_amount: { value: '20.70', currency: 'USD' }, reserve_amount: { value: '-5.00', currency: 'USD' } });
    const { documents } = buildPayoutDocuments(p, [s], opts());
    expect(linesOf(documents[0])).toEqual([['bank', 1570], ['reserve', 500], ['clearing', -2070]]);
  });

  it('warns when reserve_status contradicts the sign', () => {
    const s = bundleOf([tx({ id: 'rs', type: 'RESERVE', reserve_amount: '10.00', reserve_status: 'Collected' })]);
    const { documents, issues } = buildStatementDocuments(s, opts());
    expect(documents[0]!.warnings[0]).toMatch(/reserve_status COLLECTED/);
    expect(issues[0]).toMatchObject({ severity: 'warning', code: 'reserve_sign', transactionId: 'rs' });
  });
});

describe('mapping', () => {
  it('an unknown fee key goes to uncategorized with a warning, never dropped', () => {
    const t = workedExampleTx({ settlement_amount: '20.20', fee_tax_amount: '-5.30', fee_tax_breakdown: { fee: { referral_fee_amount: '-1.80', affiliate_commission_amount: '-3.00', space_fee_amount: '-0.50' } } });
    const { documents, issues } = buildStatementDocuments(bundleOf([t], { settlement_amount: '20.20' }), opts());
    const fees = documents.find((d) => d.kind === 'fees')!;
    expect(fees.lines.find((l) => l.role === 'uncategorized')).toMatchObject({ amountMinor: 50, source: { field: 'fee_tax_breakdown.fee.space_fee_amount' } });
    expect(fees.warnings).toEqual(['unknown TikTok field fee_tax_breakdown.fee.space_fee_amount (-0.50) booked to uncategorized; route it with: synder map route fee_tax_breakdown.fee.space_fee_amount marketplace_fees']);
    expect(issues).toMatchObject([{ severity: 'warning', code: 'unknown_field', transactionId: 'tx1' }]);
    expect(documents.find((d) => d.kind === 'sale')!.warnings).toEqual([]);
  });

  it('maps adjustment types: platform, logistics, ads and unknown', () => {
    const mk = (id: string, type: string, amount: string) => tx({ id, type, order_id: undefined, adjustment_id: `a-${id}`, settlement_amount: amount, adjustment_amount: amount });
    const s = bundleOf([mk('a1', 'PLATFORM_REIMBURSEMENT', '5.00'), mk('a2', 'LOGISTICS_REIMBURSEMENT', '2.00'), mk('a3', 'GMV_PAYMENT_FOR_ADS', '-7.00'), mk('a4', 'Negative balance deduction', '-1.00')], { settlement_amount: '-1.00' });
    const { documents, issues } = buildStatementDocuments(s, opts());
    expect(documents.map((d) => [d.kind, d.lines[0]!.role, d.lines[0]!.amountMinor])).toEqual([
      ['adjustment', 'platform_adjustments', -500], ['adjustment', 'shipping_fulfilment', -200], ['adjustment', 'advertising', 700], ['adjustment', 'uncategorized', 100],
    ]);
    expect(documents[3]!.warnings[0]).toMatch(/unknown adjustment type "Negative balance deduction"/);
    expect(issues.map((i) => i.code)).toEqual(['unknown_field']);
  });

  it('seller discounts are contra revenue; platform discounts have no P&L effect', () => {
    const t = workedExampleTx({ settlement_amount: '17.70', revenue_amount: '27.00', revenue_breakdown: { subtotal_before_discount_amount: '30.00', seller_discount_amount: '-3.00' } });
    const sale = buildStatementDocuments(bundleOf([t], { settlement_amount: '17.70' }), opts()).documents[0]!;
    expect(linesOf(sale)).toEqual([['sales', -3000], ['seller_discounts', 300], ['clearing', 2700]]);
  });
});

describe('orders', () => {
  const order: Order = {
    id: 'o1', status: 'COMPLETED', create_time: JAN_15 - 86400, payment: { currency: 'USD' },
    line_items: [
      { id: 'l1', sku_id: 'k1', seller_sku: 'MUG-1', product_name: 'Mug', original_price: '10.00' },
      { id: 'l2', sku_id: 'k1', seller_sku: 'MUG-1', product_name: 'Mug', original_price: '10.00' },
      { id: 'l3', sku_id: 'k2', seller_sku: 'TEE-1', product_name: 'Tee', original_price: '10.00' },
    ],
  };

  it('sale lines carry SKU, product name and quantity (count of line items)', () => {
    const { documents } = buildStatementDocuments(bundleOf([workedExampleTx()], { settlement_amount: '20.70' }), opts({ orders: new Map([['o1', order]]) }));
    const sales = documents[0]!.lines.filter((l) => l.role === 'sales');
    expect(sales.map((l) => [l.amountMinor, l.item])).toEqual([[-2000, { sku: 'MUG-1', name: 'Mug', quantity: 2 }], [-1000, { sku: 'TEE-1', name: 'Tee', quantity: 1 }]]);
  });

  it('a summary does not depend on the orders (the sync does not load them for one)', () => {
    const bundle = bundleOf([workedExampleTx()], { settlement_amount: '20.70' });
    const tax = { ledger: 'xero' as const, roles: { sales: { code: 'S', name: '20.0% S', percent: 20 } }, marketplaceVat: {} };
    for (const o of [opts({ mode: 'summary' }), opts({ mode: 'summary', tax })]) {
      expect(buildStatementDocuments(bundle, { ...o, orders: new Map([['o1', order]]) })).toEqual(buildStatementDocuments(bundle, o));
    }
  });

  it('does not apportion when line prices do not add up to the list price', () => {
    const o2 = { ...order, line_items: order.line_items.map((li) => ({ ...li, original_price: '9.99' })) };
    const { documents } = buildStatementDocuments(bundleOf([workedExampleTx()], { settlement_amount: '20.70' }), opts({ orders: new Map([['o1', o2]]) }));
    expect(documents[0]!.lines.filter((l) => l.role === 'sales').map((l) => l.amountMinor)).toEqual([-3000]);
  });

  it('a creator sample order (zero price) creates no revenue, only its costs', () => {
    const sample: Order = { ...order, is_sample_order: true, line_items: [{ id: 'l1', sku_id: 'k1', original_price: '0' }] };
    const t = tx({ settlement_amount: '-4.50', revenue_breakdown: { subtotal_before_discount_amount: '0.00', seller_discount_amount: '0' }, shipping_cost_breakdown: { actual_shipping_fee_amount: '-4.50' } });
    const { documents, issues } = buildStatementDocuments(bundleOf([t], { settlement_amount: '-4.50' }), opts({ orders: new Map([['o1', sample]]) }));
    expect(issues).toEqual([]);
    expect(documents.map((d) => d.kind)).toEqual(['fees']);
    expect(documents[0]!.memo).toContain('creator sample order');
    expect(byRole(documents).sales).toBeUndefined();
  });
});

describe('currencies', () => {
  it('JPY (0 decimals) is exact and rejects fractional yen', () => {
    const t = tx({ settlement_amount: '2070', revenue_breakdown: { subtotal_before_discount_amount: '3000' }, fee_tax_breakdown: { fee: { referral_fee_amount: '-930' } } });
    const ok = buildStatementDocuments(bundleOf([t], { settlement_amount: '2070' }, 'JPY'), opts());
    expect(byRole(ok.documents)).toEqual({ sales: -3000, marketplace_fees: 930, clearing: 2070 });
    const bad = buildStatementDocuments(bundleOf([{ ...t, settlement_amount: '2070.5' }], { settlement_amount: '2070' }, 'JPY'), opts());
    expect(bad.documents).toEqual([]);
    expect(bad.issues[0]).toMatchObject({ severity: 'error', code: 'invalid_amount', transactionId: 'tx' });
    expect(bad.issues[0]!.message).toMatch(/settlement_amount.*more decimals than JPY allows/);
  });

  it.each(['KWD', 'BHD'])('%s (3 decimals) keeps the third decimal', (cur) => {
    const t = tx({ settlement_amount: '12.345', revenue_breakdown: { subtotal_before_discount_amount: ' 15.000' }, fee_tax_breakdown: { fee: { transaction_fee_amount: '-2.655' } } });
    const { documents, issues } = buildStatementDocuments(bundleOf([t], { settlement_amount: '12.345' }, cur), opts());
    expect(issues).toEqual([]);
    expect(byRole(documents)).toEqual({ sales: -15000, transaction_fees: 2655, clearing: 12345 });
  });

  it('a transaction in another currency than its statement is an error, not a conversion', () => {
    const { documents, issues } = buildStatementDocuments(bundleOf([workedExampleTx({ currency: 'GBP' })], { settlement_amount: '20.70' }), opts());
    expect(documents).toEqual([]);
    expect(issues.find((i) => i.code === 'currency_mismatch')!.message).toMatch(/transaction tx1 .*GBP.*USD/);
  });

  it('a payout in another currency than its statements is an error', () => {
    const s = bundleOf([workedExampleTx()], { settlement_amount: '20.70', payment_id: 'p1' });
    const r = buildPayoutDocuments(paid('p1', '16.00', 'GBP'), [s], opts());
    expect(r.documents).toEqual([]);
    expect(r.issues[0]).toMatchObject({ severity: 'error', code: 'currency_mismatch', paymentId: 'p1' });
  });
});

describe('marketplace-facilitator tax', () => {
  const t = workedExampleTx({ supplementary_component: { platform_discount_amount: '10.00', sales_tax_amount: '2.40' } });
  const b = bundleOf([t], { settlement_amount: '20.70' });

  it('off: not booked, kept in memoData', () => {
    const { documents } = buildStatementDocuments(b, opts());
    expect(documents.flatMap((d) => d.lines).some((l) => l.role === 'mf_tax')).toBe(false);
    expect(documents[0]!.memoData?.['supplementary_component.sales_tax_amount']).toBe('2.40');
  });

  it('gross: equal and opposite lines through mf_tax, net zero, settlement unchanged', () => {
    const { documents } = buildStatementDocuments(b, opts({ mfTax: 'gross' }));
    const mf = documents[0]!.lines.filter((l) => l.source.field === 'supplementary_component.sales_tax_amount');
    expect(mf.map((l) => [l.role, l.amountMinor])).toEqual([['clearing', 240], ['mf_tax', -240], ['mf_tax', 240], ['clearing', -240]]);
    expect(byRole(documents)).toEqual(byRole(buildStatementDocuments(b, opts()).documents));
    const summary = buildStatementDocuments(b, opts({ mfTax: 'gross', mode: 'summary' })).documents[0]!;
    expect(summary.lines.filter((l) => l.role === 'mf_tax').map((l) => l.amountMinor).sort()).toEqual([-240, 240]);
  });
});

describe('summary mode', () => {
  const FEB_2 = Date.UTC(2025, 1, 2) / 1000;
  const a = workedExampleTx({ id: 'ta', order_create_time: Date.UTC(2025, 0, 31, 12) / 1000 });
  const c = workedExampleTx({ id: 'tb', order_id: 'o2', order_create_time: Date.UTC(2025, 1, 1, 12) / 1000 });
  const b = bundleOf([a, c], { statement_time: FEB_2, settlement_amount: '41.40' });

  it('splits a statement at month end, each half balanced with its own clearing line', () => {
    const o = opts({ mode: 'summary', dateBasis: 'order' });
    const { documents, issues } = buildStatementDocuments(b, o);
    expect(issues).toEqual([]);
    expect(documents.map((d) => [d.key, d.date])).toEqual([['tts:shop1:st1:stmt:202501', '2025-01-31'], ['tts:shop1:st1:stmt:202502', '2025-02-01']]);
    for (const d of documents) {
      expect(d.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(0);
      expect(d.lines.find((l) => l.role === 'clearing')!.amountMinor).toBe(2070);
    }
    expect(byRole(documents)).toEqual(byRole(buildStatementDocuments(b, { ...o, mode: 'per-transaction' }).documents));
  });

  it('one document when dated by settlement', () => {
    const { documents } = buildStatementDocuments(b, opts({ mode: 'summary' }));
    expect(documents).toHaveLength(1);
    expect(documents[0]!.date).toBe('2025-02-02');
  });

  it('dates are local to the org time zone (00:00 UTC is the previous evening in Los Angeles)', () => {
    const { documents } = buildStatementDocuments(b, opts({ timeZone: 'America/Los_Angeles' }));
    expect(documents[0]!.date).toBe('2025-02-01');
  });

  it('a statement whose transactions do not add up is reported, and not summarised', () => {
    const bad = bundleOf([a, c], { settlement_amount: '41.00' });
    const { documents, issues } = buildStatementDocuments(bad, opts({ mode: 'summary' }));
    expect(documents).toEqual([]);
    const mismatch = issues.find((i) => i.code === 'statement_mismatch')!;
    expect(mismatch.message).toBe('statement st1: settlement_amount 41.00 USD ≠ Σ transactions[].settlement_amount 41.40 USD (difference 0.40 USD)');
    expect(() => throwOnErrors(issues)).toThrow(BookingInvariantError);
  });
});

describe('data inconsistencies', () => {
  it('components that do not add up to settlement_amount name the transaction, fields and difference', () => {
    const t = workedExampleTx({ settlement_amount: '21.70' });
    const { documents, issues } = buildStatementDocuments(bundleOf([t], { settlement_amount: '21.70' }), opts());
    expect(documents).toEqual([]);
    expect(issues[0]).toMatchObject({ severity: 'error', code: 'inconsistent_transaction', transactionId: 'tx1', differenceMinor: -100 });
    expect(issues[0]!.message).toContain('transaction tx1 (order o1) in statement st1: settlement_amount 21.70 USD ≠ Σ revenue_breakdown 30.00 USD + Σ shipping_cost_breakdown -4.50 USD + Σ fee_tax_breakdown -4.80 USD + adjustment_amount 0.00 USD = 20.70 USD (difference -1.00 USD)');
    expect(issues[0]!.fields).toContain('settlement_amount');
  });

  it('payments: not paid yet → nothing; amount ≠ settlement + reserve → error', () => {
    expect(buildPayoutDocuments({ ...paid('p', '1.00'), status: 'PROCESSING' }, [], opts()).issues[0]).toMatchObject({ severity: 'info', code: 'payment_not_paid' });
    const r = buildPayoutDocuments(paid('p', '100', 'USD', { settlement_amount: { value: '130', currency: 'USD' }, reserve_amount: { value: '-20', currency: 'USD' } }), [], opts());
    expect(r.documents).toEqual([]);
    expect(r.issues[0]!.message).toMatch(/payment p: amount 100.00 USD ≠ settlement_amount 130.00 USD \+ reserve_amount -20.00 USD \(difference -10.00 USD\)/);
  });
});

describe('keys', () => {
  it('document keys are deterministic and DocNumbers are stable, short and distinct', () => {
    const a = buildStatementDocuments(bundleOf([workedExampleTx()], { settlement_amount: '20.70' }), opts()).documents;
    const b = buildStatementDocuments(bundleOf([workedExampleTx()], { settlement_amount: '20.70' }), opts()).documents;
    expect(a.map((d) => d.key)).toEqual(b.map((d) => d.key));
    const nums = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const n = shortDocNumber(`tts:7494000000000000000:${1636700041413599290n + BigInt(i)}:sale`);
      expect(n.length).toBeLessThanOrEqual(21);
      expect(n).toMatch(/^T[0-9A-Z]+$/);
      nums.add(n);
    }
    expect(nums.size).toBe(2000);
    expect(shortDocNumber('x')).toBe(shortDocNumber('x'));
  });
});

describe('explain', () => {
  it('lists every source field, the postings with account names, and passing checks', () => {
    const b = bundleOf([workedExampleTx()], { settlement_amount: '20.70', payment_id: 'p1' });
    const e = explainOrder('o1', { bundles: [b], payments: [paid('p1', '20.70')] }, opts());
    expect(e.ok).toBe(true);
    const t = e.transactions[0]!;
    expect(t.sources.map((s) => s.field)).toEqual(expect.arrayContaining(['settlement_amount', 'revenue_breakdown.subtotal_before_discount_amount', 'fee_tax_breakdown.fee.referral_fee_amount', 'supplementary_component.platform_discount_amount', 'shipping_cost_breakdown.supplementary_component.platform_shipping_fee_discount_amount']));
    const fees = t.documents.find((d) => d.kind === 'fees')!;
    expect(fees.postings.find((p) => p.role === 'marketplace_fees')).toMatchObject({ account: 'TikTok Shop Marketplace Fees', debit: '1.80', credit: '' });
    expect(fees.totalDebit).toBe(fees.totalCredit);
    expect(t.checks.map((c) => [c.name, c.ok])).toEqual([['balanced', true], ['clearing_equals_settlement', true], ['components_add_up', true]]);
    expect(e.payments).toEqual([{ id: 'p1', status: 'PAID', amount: '20.70', currency: 'USD', paidTime: undefined }]);
  });

  it('marks marketplace-facilitator tax booked only when mfTax books it', () => {
    const b = bundleOf([workedExampleTx({ supplementary_component: { sales_tax_amount: '1.25' } })], { settlement_amount: '20.70' });
    const booked = (mfTax: 'off' | 'gross') => explainOrder('o1', { bundles: [b] }, opts({ mfTax })).transactions[0]!.sources.find((s) => s.field === 'supplementary_component.sales_tax_amount')?.booked;
    expect(booked('off')).toBe(false);
    expect(booked('gross')).toBe(true);
  });

  it('shows the failure for inconsistent data', () => {
    const e = explainOrder('o1', { bundles: [bundleOf([workedExampleTx({ settlement_amount: '1.00' })])] }, opts());
    expect(e.ok).toBe(false);
    expect(e.transactions[0]!.checks.find((c) => c.name === 'components_add_up')!.detail).toMatch(/settlement_amount 1.00 USD ≠/);
  });
});

describe('reconcile', () => {
  it('expected clearing = unpaid settlements; differences point at unposted documents and outside entries', () => {
    const s1 = bundleOf([workedExampleTx()], { id: 's1', settlement_amount: '20.70', payment_id: 'p1', payment_status: 'PAID' });
    const s2 = bundleOf([workedExampleTx({ id: 'tx2', order_id: 'o2' })], { id: 's2', settlement_amount: '20.70', payment_status: 'PROCESSING' });
    const payments = [paid('p1', '20.70')];
    const { documents } = buildDocuments({ bundles: [s1, s2], payments }, opts());
    const booked = documents.map((document) => ({ document, posted: document.key !== 'tts:shop1:tx2:fees' }));
    const [r] = reconcile({ documents: booked, bundles: [s1, s2], payments, ledgerBalances: [{ currency: 'USD', clearingMinor: 3100 }] });
    expect(r).toMatchObject({ currency: 'USD', expectedClearingMinor: 2070, bookedClearingMinor: 3000, ledgerClearingMinor: 3100, clearingDifferenceMinor: 1030, unexplainedClearingMinor: 0 });
    expect(r!.explanations.map((x) => [x.kind, x.documentKey, x.clearingMinor])).toEqual([['unposted_document', 'tts:shop1:tx2:fees', 930], ['outside_synder', undefined, 100]]);
    expect(r!.unpaidStatements).toEqual([{ statementId: 's2', settlementMinor: 2070, reserveMinor: 0, paymentStatus: 'PROCESSING' }]);
  });
});
