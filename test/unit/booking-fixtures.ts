import { defaultRouting, type BuildOptions, type StatementBundle, type StatementTransaction } from '../../src/booking/index.js';

export const JAN_15 = Date.UTC(2025, 0, 15) / 1000;

export function opts(over: Partial<BuildOptions> = {}): BuildOptions {
  return { mode: 'per-transaction', shopId: 'shop1', timeZone: 'UTC', dateBasis: 'settlement', routing: defaultRouting(), mfTax: 'off', ...over };
}

/** The worked example: list 30.00, 10.00 platform discount, referral 1.80, affiliate 3.00, label 4.50 → 20.70. */
export function workedExampleTx(over: Partial<StatementTransaction> = {}): StatementTransaction {
  return {
    id: 'tx1',
    type: 'ORDER',
    order_id: 'o1',
    order_create_time: JAN_15 - 3 * 86400,
    settlement_amount: '20.70',
    revenue_amount: '30.00',
    revenue_breakdown: { subtotal_before_discount_amount: '30.00', seller_discount_amount: '0' },
    shipping_cost_amount: '-4.50',
    shipping_cost_breakdown: { actual_shipping_fee_amount: '-4.50', customer_paid_shipping_fee_amount: '0', supplementary_component: { platform_shipping_fee_discount_amount: '0' } },
    fee_tax_amount: '-4.80',
    fee_tax_breakdown: { fee: { referral_fee_amount: '-1.80', affiliate_commission_amount: '-3.00' }, tax: {} },
    adjustment_amount: '0',
    supplementary_component: { platform_discount_amount: '10.00', customer_payment_amount: '20.00', sales_tax_amount: '0' },
    ...over,
  };
}

export function bundleOf(transactions: StatementTransaction[], over: Partial<StatementBundle['statement']> = {}, currency = 'USD'): StatementBundle {
  return {
    statement: { id: 'st1', statement_time: JAN_15, currency, settlement_amount: '0', payment_id: 'pay1', ...over },
    transactions,
  };
}
