import { currencyExponent, formatMinor } from '../../booking/money.js';
import type { AmountMap, Order, OrderLineItem, Payment, Statement, StatementTransaction } from '../../booking/tiktok-data.js';
import { seededRandom } from '../faults.js';
import type { Dataset, SandboxShop, ShopDataset, StatementDetail } from './dataset.js';

/**
 * Seeded, deterministic TikTok Shop data: orders, settlements, statements and payments that obey
 * TikTok's signed-sum convention: settlement = revenue + shipping_cost + fee_tax +
 * adjustment, each the sum of its breakdown (shipping excludes supplementary_component);
 * statements sum their transactions; payments = settlement + reserve of their statements.
 * Everything is built in integer minor units and formatted once.
 */
export interface GenerateOptions {
  seed?: number;
  /** Orders per shop. */
  orders?: number;
  days?: number;
  currency?: string;
  region?: string;
  shops?: number;
  /** "Now" in Unix ms; the data ends here (recent days are unsettled). */
  now: number;
}

const DAY = 86_400;

const CATALOG = [
  { name: 'Glow Serum 30ml', sku: 'Default', price: 2499 },
  { name: 'Hydrating Face Mask (5 pack)', sku: '5 pack', price: 1299 },
  { name: 'Bamboo Phone Stand', sku: 'Natural', price: 1599 },
  { name: 'LED Ring Light 10"', sku: 'Black', price: 3499 },
  { name: 'Silk Scrunchies', sku: 'Set of 6', price: 899 },
  { name: 'Insulated Tumbler 20oz', sku: 'Sage', price: 2799 },
  { name: 'Wireless Earbuds', sku: 'White', price: 4999 },
  { name: 'Cotton Crew Socks', sku: 'M / 3 pairs', price: 1199 },
  { name: 'Matte Lipstick', sku: 'Rose 04', price: 1499 },
  { name: 'Yoga Mat 6mm', sku: 'Purple', price: 3999 },
  { name: 'Scented Candle', sku: 'Vanilla', price: 1899 },
  { name: 'Hair Claw Clips', sku: 'Tortoise', price: 699 },
];

const ADJUSTMENTS: Array<{ type: string; sign: 1 | -1; min: number; max: number; withOrder?: boolean }> = [
  { type: 'PLATFORM_REIMBURSEMENT', sign: 1, min: 500, max: 4000, withOrder: true },
  { type: 'LOGISTICS_REIMBURSEMENT', sign: 1, min: 300, max: 1500, withOrder: true },
  { type: 'GMV_PAYMENT_FOR_ADS', sign: -1, min: 2000, max: 9000 },
  // A type no client knows in advance: the list is documented as open.
  { type: 'SELLER_GROWTH_PROGRAM_FEE', sign: -1, min: 500, max: 2000 },
];

const regionFor = (currency: string): string =>
  ({ USD: 'US', GBP: 'GB', JPY: 'JP', EUR: 'DE', MYR: 'MY', SGD: 'SG', THB: 'TH', IDR: 'ID', VND: 'VN', PHP: 'PH', MXN: 'MX', KWD: 'KW' })[currency] ?? 'US';

interface Line {
  id: string;
  product: number;
  original: number;
  seller: number;
  platform: number;
  tax: number;
}

interface SettledTx {
  tx: StatementTransaction;
  settleTime: number;
  revenue: number;
  shipping: number;
  feeTax: number;
  adjustment: number;
  settlement: number;
  reserve: number;
}

export function generateDataset(opts: GenerateOptions): Dataset {
  const shops = Math.max(1, opts.shops ?? 1);
  return { shops: Array.from({ length: shops }, (_, i) => generateShop(opts, i)) };
}

function generateShop(opts: GenerateOptions, shopIndex: number): ShopDataset {
  const seed = (opts.seed ?? 1) * 7919 + shopIndex;
  const rnd = seededRandom(seed);
  const currency = (opts.currency ?? 'USD').toUpperCase();
  const exp = currencyExponent(currency);
  const region = (opts.region ?? regionFor(currency)).toUpperCase();
  const us = region === 'US';
  const count = Math.max(0, opts.orders ?? 200);
  const days = Math.max(1, opts.days ?? 30);
  const nowSec = Math.floor(opts.now / 1000);
  const today = Math.floor(nowSec / DAY) * DAY;
  const start = today - days * DAY;
  // Prices are defined in US cents; scale to the currency's minor unit so amounts look plausible.
  const scale = exp === 0 ? 1.5 : exp === 3 ? 3 : 1;
  const m = (cents: number) => Math.round(cents * scale);
  const f = (minor: number) => formatMinor(minor, currency);
  const fm = (map: Record<string, number>): AmountMap => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, f(v)]));
  const between = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const sum = (map: Record<string, number>) => Object.values(map).reduce((a, b) => a + b, 0);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const s = shopIndex;

  const shop: SandboxShop = {
    id: `7495${s}${pad(seed % 1_000_000, 15)}`,
    name: shops(opts) > 1 ? `Sandbox Shop ${region} ${s + 1}` : `Sandbox Shop ${region}`,
    region,
    seller_type: shops(opts) > 1 ? 'CROSS_BORDER' : 'LOCAL',
    cipher: `${region === 'US' ? 'TTP' : 'ROW'}_sbx${s}${Buffer.from(`cipher-${seed}`).toString('base64url')}`,
    code: `${region}LCSBX${pad(s, 4)}`,
    currency,
  };

  const catalog = CATALOG.map((p, i) => ({
    ...p,
    product_id: `17295564891${pad(i, 8)}`,
    sku_id: `17295564973${pad(i, 8)}`,
    seller_sku: `SBX-${pad(i + 1, 3)}`,
    price: m(p.price),
  }));

  let txCounter = 0;
  let lineCounter = 0;
  const txId = () => `16367${s}${pad(++txCounter, 13)}`;
  const settled: SettledTx[] = [];
  // A statement for day D is issued at D+1 00:00 UTC; anything settling on a day not yet closed is not in one yet.
  const closed = (t: number) => Math.floor(t / DAY) * DAY + DAY <= nowSec;

  const times = Array.from({ length: count }, () => start + Math.floor(rnd() * Math.max(1, nowSec - 1800 - start))).sort((a, b) => a - b);
  const orders: Order[] = [];

  const place = (t: SettledTx) => {
    if (closed(t.settleTime)) settled.push(t);
  };

  const feeTaxes = (fee: Record<string, number>, revenue: number): Record<string, number> => {
    const feeSum = sum(fee);
    // Outside the US, vat_amount is "the VAT paid by the platform on the seller's behalf" (TikTok is
    // the deemed supplier, e.g. low-value cross-border orders): the VAT inside the 20 %-inclusive
    // price of some orders, deducted from the settlement. Zero on the others.
    if (!us) return revenue > 0 && rnd() < 0.2 ? { vat_amount: -Math.round(revenue / 6) } : { vat_amount: 0 };
    if (feeSum === 0) return {};
    // In the US a few states tax the referral fee.
    return rnd() < 0.15 ? { sales_tax_referral_fee_amount: Math.round((fee.referral_fee_amount ?? 0) * 0.0725) } : {};
  };

  const orderTx = (
    order: { id: string; create: number },
    rev: Record<string, number>,
    ship: Record<string, number>,
    shipSupp: Record<string, number>,
    fee: Record<string, number>,
    supp: Record<string, number>,
    settleTime: number,
  ): SettledTx => {
    const revenue = sum(rev);
    const tax = feeTaxes(fee, revenue);
    const shipping = sum(ship);
    const feeTax = sum(fee) + sum(tax);
    const settlement = revenue + shipping + feeTax;
    return {
      settleTime,
      revenue,
      shipping,
      feeTax,
      adjustment: 0,
      settlement,
      reserve: 0,
      tx: {
        id: txId(),
        type: 'ORDER',
        currency,
        order_id: order.id,
        order_create_time: order.create,
        settlement_amount: f(settlement),
        revenue_amount: f(revenue),
        revenue_breakdown: fm(rev),
        shipping_cost_amount: f(shipping),
        shipping_cost_breakdown: { ...fm(ship), supplementary_component: fm(shipSupp) },
        fee_tax_amount: f(feeTax),
        fee_tax_breakdown: { fee: fm(fee), tax: fm(tax) },
        adjustment_amount: f(0),
        supplementary_component: fm(supp),
      },
    };
  };

  const referralKey = us || region === 'GB' ? 'referral_fee_amount' : 'platform_commission_amount';

  for (let i = 0; i < count; i++) {
    const create = times[i]!;
    const id = `576${s}${pad(i + 1, 14)}`;
    const roll = rnd();
    const cancelled = roll < 0.05;
    const sample = !cancelled && roll < 0.07;
    const nLines = 1 + Math.floor(rnd() ** 2 * 4);
    const taxRate = us ? between(600, 950) : 0; // basis points, US marketplace-facilitator sales tax
    const lines: Line[] = [];
    for (let l = 0; l < nLines; l++) {
      const product = Math.floor(rnd() * catalog.length);
      const original = sample ? 0 : catalog[product]!.price;
      const seller = !sample && rnd() < 0.3 ? Math.round(original * (0.05 + rnd() * 0.15)) : 0;
      const platform = !sample && rnd() < 0.2 ? Math.round(original * (0.05 + rnd() * 0.1)) : 0;
      const tax = Math.round(((original - seller - platform) * taxRate) / 10_000);
      lines.push({ id: `577${s}${pad(++lineCounter, 14)}`, product, original, seller, platform, tax });
    }
    const shippingType = rnd() < 0.85 ? 'TIKTOK' : 'SELLER';
    const originalShipping = !sample && rnd() < 0.55 ? m(599) : 0;
    const shipPlatform = originalShipping > 0 && rnd() < 0.3 ? originalShipping : 0;
    const shipSeller = originalShipping > 0 && shipPlatform === 0 && rnd() < 0.2 ? Math.round(originalShipping / 2) : 0;
    const shippingFee = originalShipping - shipPlatform - shipSeller;
    const label = shippingType === 'TIKTOK' ? m(between(420, 820)) + m(60) * (nLines - 1) : 0;

    const subtotal = lines.reduce((a, l) => a + l.original, 0);
    const sellerDisc = lines.reduce((a, l) => a + l.seller, 0);
    const platDisc = lines.reduce((a, l) => a + l.platform, 0);
    const tax = lines.reduce((a, l) => a + l.tax, 0);
    const subTotal = subtotal - sellerDisc - platDisc;
    const total = subTotal + shippingFee + tax;

    const paid = create + between(30, 600);
    const delivery = create + between(2 * DAY, 5 * DAY);
    const settleTime = delivery + between(DAY, 3 * DAY);
    const refundRoll = cancelled || sample ? 1 : rnd();
    const fullRefund = refundRoll < 0.05 && delivery < nowSec;
    const partialRefund = !fullRefund && refundRoll < 0.1 && nLines > 1;
    const refundTime = settleTime + between(DAY, 4 * DAY);
    const affiliate = !sample && rnd() < 0.3 ? 0.05 + rnd() * 0.15 : 0;
    const gmvMax = !sample && rnd() < 0.1;
    const boost = !sample && rnd() < 0.05;

    let status: string;
    let update = paid;
    const extra: Record<string, unknown> = {};
    if (cancelled) {
      status = 'CANCELLED';
      const cancelTime = Math.min(nowSec, create + between(600, 20_000));
      Object.assign(extra, { cancel_time: cancelTime, cancel_reason: 'No longer needed', cancellation_initiator: 'BUYER' });
      update = cancelTime;
    } else if (nowSec < paid + 3600) {
      status = 'ON_HOLD';
    } else if (nowSec < create + DAY) {
      status = 'AWAITING_SHIPMENT';
    } else if (nowSec < delivery) {
      status = 'IN_TRANSIT';
      update = create + DAY;
      extra.rts_time = create + DAY;
    } else {
      status = closed(settleTime) ? 'COMPLETED' : 'DELIVERED';
      update = closed(settleTime) ? settleTime : delivery;
      Object.assign(extra, { rts_time: create + DAY, delivery_time: delivery });
    }
    if (partialRefund && closed(refundTime)) update = Math.max(update, refundTime);

    const lineItems: OrderLineItem[] = lines.map((l) => {
      const p = catalog[l.product]!;
      return {
        id: l.id,
        product_id: p.product_id,
        product_name: p.name,
        sku_id: p.sku_id,
        sku_name: p.sku,
        seller_sku: p.seller_sku,
        currency,
        original_price: f(l.original),
        sale_price: f(l.original - l.seller - l.platform),
        seller_discount: f(l.seller),
        platform_discount: f(l.platform),
        item_tax: us ? [{ tax_type: 'SALES_TAX', tax_amount: f(l.tax), tax_rate: (taxRate / 10_000).toFixed(4) }] : [],
        display_status: status,
        is_gift: false,
      };
    });
    orders.push({
      id,
      status,
      create_time: create,
      update_time: update,
      paid_time: paid,
      ...extra,
      user_id: `7494${pad((seed * 31 + i) % 1e12, 15)}`,
      buyer_email: `buyer-${pad(i + 1, 6)}@scs2.tiktok.com`,
      commerce_platform: 'TIKTOK_SHOP',
      fulfillment_type: 'FULFILLMENT_BY_SELLER',
      shipping_type: shippingType,
      delivery_type: 'HOME_DELIVERY',
      order_type: sample ? 'ZERO_LOTTERY' : 'NORMAL',
      is_cod: false,
      is_sample_order: sample,
      is_replacement_order: false,
      payment_method_name: sample ? 'Free sample' : 'Credit card',
      warehouse_id: `73367633809${pad(s, 8)}`,
      payment: {
        currency,
        original_total_product_price: f(subtotal),
        seller_discount: f(sellerDisc),
        platform_discount: f(platDisc),
        sub_total: f(subTotal),
        original_shipping_fee: f(originalShipping),
        shipping_fee_seller_discount: f(shipSeller),
        shipping_fee_platform_discount: f(shipPlatform),
        shipping_fee_cofunded_discount: f(0),
        shipping_fee: f(shippingFee),
        tax: f(tax),
        product_tax: f(tax),
        shipping_fee_tax: f(0),
        total_amount: f(total),
      },
      line_items: lineItems,
    });
    if (cancelled) continue;

    // The settlement of the order (a full refund before settlement nets to zero revenue).
    const feeBase = fullRefund ? 0 : subtotal - sellerDisc;
    const rev: Record<string, number> = {
      subtotal_before_discount_amount: subtotal,
      seller_discount_amount: -sellerDisc,
      refund_subtotal_before_discount_amount: fullRefund ? -subtotal : 0,
      seller_discount_refund_amount: fullRefund ? sellerDisc : 0,
    };
    const ship: Record<string, number> = {
      actual_shipping_fee_amount: -label,
      shipping_fee_discount_amount: shipPlatform,
      customer_paid_shipping_fee_amount: fullRefund ? 0 : shippingFee,
    };
    if (fullRefund && shippingType === 'TIKTOK') ship.return_shipping_label_fee_amount = -m(between(400, 700));
    const shipSupp = {
      customer_shipping_fee: shippingFee,
      platform_shipping_fee_discount_amount: shipPlatform,
      seller_shipping_fee_discount_amount: shipSeller,
      refunded_customer_shipping_fee_amount: fullRefund ? -shippingFee : 0,
      fbm_shipping_cost_amount: shippingType === 'SELLER' ? 0 : -label,
    };
    const fee: Record<string, number> = {
      [referralKey]: -Math.round(feeBase * 0.06),
      transaction_fee_amount: -Math.round(feeBase * 0.03),
      affiliate_commission_amount: -Math.round(feeBase * affiliate),
      refund_administration_fee_amount: fullRefund ? -Math.min(Math.round(subtotal * 0.012), m(500)) : 0,
    };
    if (gmvMax) fee.gmv_max_ad_fee_amount = -Math.round(feeBase * 0.04);
    // Not in any published list: stands for the fee keys TikTok keeps adding.
    if (boost) fee.creator_boost_service_fee_amount = -m(between(50, 300));
    const supp: Record<string, number> = {
      customer_payment_amount: total,
      customer_refund_amount: fullRefund ? -total : 0,
      platform_discount_amount: platDisc,
      platform_discount_refund_amount: fullRefund ? -platDisc : 0,
      sales_tax_amount: fullRefund ? 0 : tax,
      sales_tax_payment_amount: tax,
      sales_tax_refund_amount: fullRefund ? -tax : 0,
    };
    const ord = { id, create };
    place(orderTx(ord, rev, ship, shipSupp, fee, supp, settleTime));

    // A partial refund after settlement arrives as its own ORDER transaction in a later statement.
    if (partialRefund && closed(settleTime) && closed(refundTime)) {
      const l = lines[nLines - 1]!;
      const base = l.original - l.seller;
      const reversal: Record<string, number> = {
        [referralKey]: Math.round(base * 0.06),
        transaction_fee_amount: Math.round(base * 0.03),
        affiliate_commission_amount: Math.round(base * affiliate),
        refund_administration_fee_amount: -Math.min(Math.round(l.original * 0.012), m(500)),
      };
      place(
        orderTx(
          ord,
          { subtotal_before_discount_amount: 0, seller_discount_amount: 0, refund_subtotal_before_discount_amount: -l.original, seller_discount_refund_amount: l.seller },
          { actual_shipping_fee_amount: 0, shipping_fee_discount_amount: 0, customer_paid_shipping_fee_amount: 0 },
          { customer_shipping_fee: 0, refunded_customer_shipping_fee_amount: 0 },
          reversal,
          {
            customer_payment_amount: 0,
            customer_refund_amount: -(l.original - l.seller - l.platform + l.tax),
            platform_discount_amount: 0,
            platform_discount_refund_amount: -l.platform,
            sales_tax_amount: -l.tax,
            sales_tax_payment_amount: 0,
            sales_tax_refund_amount: -l.tax,
          },
          refundTime,
        ),
      );
    }
  }

  // Adjustments: every other day one of each kind in turn, so a month holds all of them.
  const settledOrders = orders.filter((o) => o.status === 'COMPLETED');
  let adj = 0;
  for (let d = 1; d < days; d += 2) {
    const kind = ADJUSTMENTS[adj++ % ADJUSTMENTS.length]!;
    const amount = kind.sign * m(between(kind.min, kind.max));
    const related = kind.withOrder && settledOrders.length > 0 ? settledOrders[Math.floor(rnd() * settledOrders.length)]! : undefined;
    const settleTime = start + d * DAY + between(3600, DAY - 3600);
    place(
      {
        settleTime,
        revenue: 0,
        shipping: 0,
        feeTax: 0,
        adjustment: amount,
        settlement: amount,
        reserve: 0,
        tx: {
          id: txId(),
          type: kind.type,
          currency,
          adjustment_id: `72388045${s}${pad(adj, 11)}`,
          ...(related ? { adjustment_order_id: related.id, order_create_time: related.create_time } : {}),
          settlement_amount: f(amount),
          revenue_amount: f(0),
          shipping_cost_amount: f(0),
          fee_tax_amount: f(0),
          adjustment_amount: f(amount),
        },
      },
    );
  }

  // Reserves: one withheld early and released a week later, one withheld recently and still held.
  const reserve = (day: number, amount: number, reserveId: string, status: 'COLLECTED' | 'RELEASED', releaseAt: number) => {
    const settleTime = start + day * DAY + 7200;
    if (day < 0 || day >= days) return;
    place({
      settleTime,
      revenue: 0,
      shipping: 0,
      feeTax: 0,
      adjustment: 0,
      settlement: 0,
      reserve: amount,
      tx: {
        id: txId(),
        type: 'RESERVE',
        currency,
        settlement_amount: f(0),
        revenue_amount: f(0),
        shipping_cost_amount: f(0),
        fee_tax_amount: f(0),
        adjustment_amount: f(0),
        reserve_id: reserveId,
        reserve_amount: f(amount),
        reserve_status: status,
        estimated_release_time: String(releaseAt),
      },
    });
  };
  const r1 = m(between(2000, 6000));
  reserve(1, -r1, `5678991${s}001`, 'COLLECTED', start + 8 * DAY);
  reserve(8, r1, `5678991${s}001`, 'RELEASED', start + 8 * DAY);
  const r2 = m(between(1000, 3000));
  reserve(days - 3, -r2, `5678991${s}002`, 'COLLECTED', start + (days + 20) * DAY);

  const { statements, details, payments } = buildStatements(settled, { currency, region, s, f, nowSec, pad });
  return { shop, orders, statements, statementTransactions: details, payments };
}

const shops = (opts: GenerateOptions) => Math.max(1, opts.shops ?? 1);

function buildStatements(
  settled: SettledTx[],
  ctx: { currency: string; region: string; s: number; f: (n: number) => string; nowSec: number; pad: (n: number, w: number) => string },
): { statements: Statement[]; details: Map<string, StatementDetail>; payments: Payment[] } {
  const { currency, region, s, f, nowSec, pad } = ctx;
  const byDay = new Map<number, SettledTx[]>();
  for (const t of settled) {
    const day = Math.floor(t.settleTime / DAY) * DAY;
    let list = byDay.get(day);
    if (!list) byDay.set(day, (list = []));
    list.push(t);
  }
  const statements: Statement[] = [];
  const details = new Map<string, StatementDetail>();
  const payments: Payment[] = [];
  const usUk = region === 'US' || region === 'GB';
  let pending: Array<{ st: Statement; settlement: number; reserve: number }> = [];
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const txs = byDay.get(day)!.sort((a, b) => (a.tx.order_create_time ?? a.settleTime) - (b.tx.order_create_time ?? b.settleTime));
    const tot = { revenue: 0, shipping: 0, feeTax: 0, adjustment: 0, settlement: 0, reserve: 0 };
    for (const t of txs) {
      tot.revenue += t.revenue;
      tot.shipping += t.shipping;
      tot.feeTax += t.feeTax;
      tot.adjustment += t.adjustment;
      tot.settlement += t.settlement;
      tot.reserve += t.reserve;
    }
    const statementTime = day + DAY;
    const id = `72388045${s}${pad(day / DAY, 10)}`;
    const st: Statement = {
      id,
      statement_time: statementTime,
      currency,
      settlement_amount: f(tot.settlement),
      ...(usUk ? { net_sales_amount: f(tot.revenue) } : { revenue_amount: f(tot.revenue) }),
      fee_amount: f(tot.feeTax),
      shipping_cost_amount: f(tot.shipping),
      adjustment_amount: f(tot.adjustment),
      payment_status: 'PROCESSING',
    };
    statements.push(st);
    details.set(id, {
      header: {
        id,
        create_time: statementTime,
        status: 'SETTLED',
        currency,
        total_settlement_amount: f(tot.settlement),
        total_reserve_amount: f(tot.reserve),
        payable_amount: f(tot.settlement + tot.reserve),
        total_settlement_breakdown: {
          total_revenue_amount: f(tot.revenue),
          total_shipping_cost_amount: f(tot.shipping),
          total_fee_tax_amount: f(tot.feeTax),
          total_adjustment_amount: f(tot.adjustment),
        },
        total_count: txs.length,
      },
      transactions: txs.map((t) => t.tx),
    });
    // A statement whose payable is not positive rides along with the next payment (TikTok merges them).
    pending.push({ st, settlement: tot.settlement, reserve: tot.reserve });
    const settlement = pending.reduce((a, p) => a + p.settlement, 0);
    const reserve = pending.reduce((a, p) => a + p.reserve, 0);
    if (settlement + reserve <= 0) continue;
    const createTime = statementTime + 3600;
    const paidTime = createTime + DAY;
    const isPaid = paidTime <= nowSec;
    const paymentId = `34587670${s}${pad(day / DAY, 10)}`;
    const amount = { value: f(settlement + reserve), currency };
    payments.push({
      id: paymentId,
      create_time: createTime,
      ...(isPaid ? { paid_time: paidTime } : {}),
      status: isPaid ? 'PAID' : 'PROCESSING',
      amount,
      settlement_amount: { value: f(settlement), currency },
      reserve_amount: { value: f(reserve), currency },
      payment_amount_before_exchange: amount,
      exchange_rate: '1.000000',
      bank_account: `***********${pad(4321 + s, 4)}`,
    });
    for (const p of pending) {
      p.st.payment_id = paymentId;
      p.st.payment_status = isPaid ? 'PAID' : 'PROCESSING';
      if (isPaid) p.st.payment_time = paidTime;
    }
    pending = [];
  }
  return { statements, details, payments };
}
