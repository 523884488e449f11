/** fast-check generators of internally consistent TikTok statement sets (signed-sum convention). */
import fc from 'fast-check';
import { formatMinor, type Payment, type StatementBundle, type StatementTransaction } from '../../src/booking/index.js';

export interface StatementSet {
  bundles: StatementBundle[];
  payments: Payment[];
  mode: 'per-transaction' | 'summary';
  mfTax: 'off' | 'gross';
  dateBasis: 'settlement' | 'order';
  currency: string;
}

const REVENUE_KEYS = ['subtotal_before_discount_amount', 'seller_discount_amount', 'refund_subtotal_before_discount_amount', 'seller_discount_refund_amount', 'new_revenue_thing_amount'];
const SHIPPING_KEYS = ['actual_shipping_fee_amount', 'shipping_fee_discount_amount', 'customer_paid_shipping_fee_amount', 'return_shipping_fee_amount', 'mystery_shipping_amount'];
const FEE_KEYS = ['referral_fee_amount', 'platform_commission_amount', 'transaction_fee_amount', 'affiliate_commission_amount', 'gmv_max_ad_fee_amount', 'brand_new_fee_amount'];
const TAX_KEYS = ['vat_amount', 'sst_amount', 'novel_tax_amount'];
const TYPES = ['ORDER', 'ORDER', 'ORDER', 'RESERVE', 'PLATFORM_REIMBURSEMENT', 'LOGISTICS_REIMBURSEMENT', 'GMV_PAYMENT_FOR_ADS', 'SOME_NEW_TYPE'];
const CURRENCIES = ['USD', 'JPY', 'KWD', 'GBP', 'BHD', 'MYR'];

const amount = fc.integer({ min: -500000, max: 500000 });
const decor = fc.constantFrom('', ' ', '+', 'pad');

function fmt(minor: number, currency: string, style: string): string {
  const s = formatMinor(minor, currency);
  if (style === ' ') return `${s} `;
  if (style === '+' && minor > 0) return `+${s}`;
  if (style === 'pad' && s.includes('.')) return `${s}0`; // extra trailing zero: exact, not rounded
  return s;
}

const breakdown = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), fc.tuple(amount, decor), { maxKeys: keys.length });

const txArb = fc.record({
  type: fc.constantFrom(...TYPES),
  revenue: breakdown(REVENUE_KEYS),
  shipping: breakdown(SHIPPING_KEYS),
  fee: breakdown(FEE_KEYS),
  tax: breakdown(TAX_KEYS),
  adjustment: fc.option(amount, { nil: undefined }),
  reserve: fc.option(amount, { nil: undefined }),
  salesTax: fc.option(amount, { nil: undefined }),
  orderOffsetDays: fc.integer({ min: 0, max: 40 }),
  withOrder: fc.boolean(),
});

export function arbStatementSet(): fc.Arbitrary<StatementSet> {
  return fc
    .record({
      currency: fc.constantFrom(...CURRENCIES),
      statements: fc.array(fc.record({ day: fc.integer({ min: 0, max: 400 }), txs: fc.array(txArb, { maxLength: 6 }), paid: fc.boolean(), paymentReserve: fc.option(amount, { nil: undefined }), header: fc.boolean() }), { minLength: 1, maxLength: 4 }),
      mode: fc.constantFrom('per-transaction' as const, 'summary' as const),
      mfTax: fc.constantFrom('off' as const, 'gross' as const),
      dateBasis: fc.constantFrom('settlement' as const, 'order' as const),
    })
    .map(({ currency, statements, mode, mfTax, dateBasis }) => {
      const bundles: StatementBundle[] = [];
      const payments: Payment[] = [];
      statements.forEach((s, si) => {
        const statementTime = Date.UTC(2024, 11, 1) / 1000 + s.day * 86400;
        let total = 0;
        let reserveTotal = 0;
        const transactions: StatementTransaction[] = s.txs.map((t, ti) => {
          const toMap = (m: Record<string, [number, string]>) => Object.fromEntries(Object.entries(m).map(([k, [v, d]]) => [k, fmt(v, currency, d)]));
          const sum = (m: Record<string, [number, string]>) => Object.values(m).reduce((a, [v]) => a + v, 0);
          const revenue = sum(t.revenue);
          const shipping = sum(t.shipping);
          const feeTax = sum(t.fee) + sum(t.tax);
          const settlement = revenue + shipping + feeTax + (t.adjustment ?? 0);
          total += settlement;
          reserveTotal += t.reserve ?? 0;
          const id = `t${si}x${ti}`;
          return {
            id,
            type: t.type,
            order_id: t.withOrder ? `o${si}x${ti}` : undefined,
            adjustment_id: t.withOrder ? undefined : `a${si}x${ti}`,
            order_create_time: statementTime - t.orderOffsetDays * 86400,
            settlement_amount: formatMinor(settlement, currency),
            revenue_amount: formatMinor(revenue, currency),
            revenue_breakdown: toMap(t.revenue),
            shipping_cost_amount: formatMinor(shipping, currency),
            shipping_cost_breakdown: { ...toMap(t.shipping), supplementary_component: { platform_shipping_fee_discount_amount: '1' } },
            fee_tax_amount: formatMinor(feeTax, currency),
            fee_tax_breakdown: { fee: toMap(t.fee), tax: toMap(t.tax) },
            adjustment_amount: t.adjustment === undefined ? undefined : formatMinor(t.adjustment, currency),
            reserve_amount: t.reserve === undefined ? undefined : formatMinor(t.reserve, currency),
            supplementary_component: t.salesTax === undefined ? undefined : { sales_tax_amount: formatMinor(t.salesTax, currency), platform_discount_amount: '0' },
          };
        });
        const sid = `s${si}`;
        const pid = `p${si}`;
        bundles.push({
          statement: { id: sid, statement_time: statementTime, currency, settlement_amount: formatMinor(total, currency), payment_id: s.paid ? pid : undefined, payment_status: s.paid ? 'PAID' : 'PROCESSING' },
          header: s.header ? { id: sid, currency, total_settlement_amount: formatMinor(total, currency), total_reserve_amount: formatMinor(reserveTotal, currency), payable_amount: formatMinor(total + reserveTotal, currency), total_count: transactions.length } : undefined,
          transactions,
        });
        if (s.paid) {
          const reserve = reserveTotal + (s.paymentReserve ?? 0);
          payments.push({ id: pid, create_time: statementTime + 3600, paid_time: statementTime + 7200, status: 'PAID', amount: { value: formatMinor(total + reserve, currency), currency }, settlement_amount: { value: formatMinor(total, currency), currency }, reserve_amount: { value: formatMinor(reserve, currency), currency } });
        }
      });
      return { bundles, payments, mode, mfTax, dateBasis, currency };
    });
}
