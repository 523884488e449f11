import { generateDataset } from '../src/sandbox/tiktok/generate.js';

/** Settled orders (with an ORDER statement transaction) the sandbox generator yields. */
export function settledIn(opts: { seed: number; orders: number; days: number; now: number }): number {
  const shop = generateDataset(opts).shops[0]!;
  const ids = new Set<string>();
  for (const d of shop.statementTransactions.values()) for (const t of d.transactions) if (t.type === 'ORDER' && t.order_id) ids.add(t.order_id);
  return ids.size;
}

/**
 * How many orders to ask the generator for so that `target` of them are settled (recent ones stay
 * unsettled, some are cancelled): proportional estimate, then corrected until it lands.
 */
export function ordersForSettled(target: number, seed: number, days: number, now = Date.now()): number {
  let n = Math.ceil(target * 1.2);
  for (let i = 0; i < 6; i++) {
    const got = settledIn({ seed, orders: n, days, now });
    if (got === target) return n;
    n = Math.max(1, Math.round(n + (target - got) * (n / Math.max(1, got))));
  }
  return n;
}
