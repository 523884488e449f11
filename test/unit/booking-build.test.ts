import { describe, expect, it } from 'vitest';
import { buildDocuments, buildStatementDocuments, type BookingDocument } from '../../src/booking/index.js';
import { bundleOf, opts, workedExampleTx, JAN_15 } from './booking-fixtures.js';

const byRole = (docs: BookingDocument[]) => {
  const m: Record<string, number> = {};
  for (const d of docs) for (const l of d.lines) m[l.role] = (m[l.role] ?? 0) + l.amountMinor;
  for (const k of Object.keys(m)) if (m[k] === 0) delete m[k];
  return m;
};

describe('worked example', () => {
  const bundle = bundleOf([workedExampleTx()], { settlement_amount: '20.70' });
  const payment = { id: 'pay1', create_time: JAN_15 + 3600, paid_time: JAN_15 + 7200, status: 'PAID', amount: { value: '20.70', currency: 'USD' }, settlement_amount: { value: '20.70', currency: 'USD' } };

  it('books revenue at list price, selling costs and clearing = settlement', () => {
    const { documents, issues } = buildStatementDocuments(bundle, opts());
    expect(issues).toEqual([]);
    expect(documents.map((d) => d.kind)).toEqual(['sale', 'fees']);
    const sale = documents[0]!;
    expect(sale.key).toBe('tts:shop1:tx1:sale');
    expect(sale.date).toBe('2025-01-15');
    expect(sale.lines.map((l) => [l.role, l.amountMinor])).toEqual([['sales', -3000], ['clearing', 3000]]);
    const fees = documents[1]!;
    expect(fees.lines.map((l) => [l.role, l.amountMinor, l.source.field])).toEqual([
      ['shipping_fulfilment', 450, 'shipping_cost_breakdown.actual_shipping_fee_amount'],
      ['marketplace_fees', 180, 'fee_tax_breakdown.fee.referral_fee_amount'],
      ['affiliate_commissions', 300, 'fee_tax_breakdown.fee.affiliate_commission_amount'],
      ['clearing', -930, 'settlement_amount'],
    ]);
    expect(byRole(documents)).toEqual({ sales: -3000, shipping_fulfilment: 450, marketplace_fees: 180, affiliate_commissions: 300, clearing: 2070 });
    // Platform discount has no P&L effect but is kept for explain.
    expect(sale.memoData?.['supplementary_component.platform_discount_amount']).toBe('10.00');
  });

  it('clearing returns to zero after the payout', () => {
    const { documents, issues } = buildDocuments({ bundles: [bundle], payments: [payment] }, opts());
    expect(issues).toEqual([]);
    const payout = documents.find((d) => d.kind === 'payout')!;
    expect(payout.lines.map((l) => [l.role, l.amountMinor])).toEqual([['bank', 2070], ['clearing', -2070]]);
    expect(byRole(documents).clearing).toBeUndefined();
    expect(byRole(documents).bank).toBe(2070);
  });

  it('summary mode equals the per-transaction documents by role', () => {
    const per = buildStatementDocuments(bundle, opts()).documents;
    const sum = buildStatementDocuments(bundle, opts({ mode: 'summary' })).documents;
    expect(sum).toHaveLength(1);
    expect(sum[0]!.kind).toBe('statement');
    expect(byRole(sum)).toEqual(byRole(per));
  });
});
