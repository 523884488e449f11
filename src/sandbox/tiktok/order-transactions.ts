import { formatMinor, parseMinor } from '../../booking/money.js';
import type { AmountMap, Order, StatementTransaction } from '../../booking/tiktok-data.js';

/**
 * GET /finance/202501/orders/{order_id}/statement_transactions splits an order's settled
 * transactions by SKU. The sandbox allocates every breakdown key over the SKUs by list price
 * (largest remainder), so the SKU rows add up to the order's transactions to the minor unit.
 */
export function allocate(total: number, weights: number[]): number[] {
  const wsum = weights.reduce((a, b) => a + b, 0);
  const w = wsum > 0 ? weights : weights.map(() => 1);
  const ws = wsum > 0 ? wsum : weights.length;
  const exact = w.map((x) => (total * x) / ws);
  const out = exact.map((x) => Math.trunc(x));
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: Math.abs(x - Math.trunc(x)) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  const step = Math.sign(rest);
  for (let k = 0; rest !== 0; k++, rest -= step) out[order[k % order.length]!.i]! += step;
  return out;
}

interface SkuGroup {
  sku_id: string;
  sku_name?: string;
  product_name?: string;
  quantity: number;
  weight: number;
}

export function orderTransactions(order: Order | undefined, orderId: string, entries: Array<{ statementId: string; tx: StatementTransaction }>, currency: string) {
  const f = (n: number) => formatMinor(n, currency);
  const p = (v: string | undefined, field: string) => (v === undefined ? 0 : parseMinor(v, currency, field));
  const groups = new Map<string, SkuGroup>();
  for (const li of order?.line_items ?? []) {
    const key = li.sku_id ?? li.id;
    const g = groups.get(key) ?? { sku_id: key, sku_name: li.sku_name, product_name: li.product_name, quantity: 0, weight: 0 };
    g.quantity += 1;
    g.weight += p(li.original_price, 'original_price');
    groups.set(key, g);
  }
  if (groups.size === 0) groups.set('', { sku_id: '', quantity: 1, weight: 1 });
  const list = [...groups.values()];
  const weights = list.map((g) => g.weight);
  const split = (map: AmountMap | undefined): AmountMap[] => {
    const out = list.map(() => ({}) as AmountMap);
    for (const [k, v] of Object.entries(map ?? {})) allocate(p(v, k), weights).forEach((n, i) => (out[i]![k] = f(n)));
    return out;
  };
  const total = (m: AmountMap) => Object.values(m).reduce((a, v) => a + p(v, 'amount'), 0);

  const sku_transactions: Array<Record<string, unknown>> = [];
  let revenue = 0;
  let shipping = 0;
  let feeTax = 0;
  let settlement = 0;
  for (const { statementId, tx } of entries) {
    const rev = split(tx.revenue_breakdown);
    const { supplementary_component, ...shipRest } = tx.shipping_cost_breakdown ?? {};
    const ship = split(shipRest as AmountMap);
    const shipSupp = split(supplementary_component);
    const fee = split(tx.fee_tax_breakdown?.fee);
    const tax = split(tx.fee_tax_breakdown?.tax);
    list.forEach((g, i) => {
      const r = total(rev[i]!);
      const s = total(ship[i]!);
      const ft = total(fee[i]!) + total(tax[i]!);
      revenue += r;
      shipping += s;
      feeTax += ft;
      settlement += r + s + ft;
      sku_transactions.push({
        sku_id: g.sku_id,
        sku_name: g.sku_name,
        product_name: g.product_name,
        quantity: String(g.quantity),
        statement_id: statementId,
        settlement_amount: f(r + s + ft),
        revenue_amount: f(r),
        revenue_breakdown: rev[i]!,
        shipping_cost_amount: f(s),
        shipping_cost_breakdown: { ...ship[i]!, supplementary_component: shipSupp[i]! },
        fee_tax_amount: f(ft),
        fee_tax_breakdown: { fee: fee[i]!, tax: tax[i]! },
      });
    });
  }
  return {
    order_id: orderId,
    order_create_time: order?.create_time ?? entries[0]?.tx.order_create_time,
    currency,
    revenue_amount: f(revenue),
    fee_and_tax_amount: f(feeTax),
    shipping_cost_amount: f(shipping),
    settlement_amount: f(settlement),
    total_count: sku_transactions.length,
    sku_transactions,
  };
}
