import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMinor } from '../../src/booking/money.js';
import type { AmountMap, StatementTransaction } from '../../src/booking/tiktok-data.js';
import { generateDataset } from '../../src/sandbox/tiktok/generate.js';
import { loadReplayFile, parseReplayData } from '../../src/sandbox/tiktok/replay.js';

const NOW = Date.UTC(2025, 8, 15, 10, 30);

const total = (m: AmountMap | undefined, cur: string) => Object.entries(m ?? {}).reduce((a, [k, v]) => a + parseMinor(v, cur, k), 0);

function checkTransaction(tx: StatementTransaction, cur: string) {
  const p = (v: string | undefined) => parseMinor(v ?? '0', cur);
  const { supplementary_component: _s, ...ship } = tx.shipping_cost_breakdown ?? {};
  expect(p(tx.revenue_amount), `${tx.id} revenue`).toBe(total(tx.revenue_breakdown, cur));
  expect(p(tx.shipping_cost_amount), `${tx.id} shipping`).toBe(total(ship as AmountMap, cur));
  expect(p(tx.fee_tax_amount), `${tx.id} fee_tax`).toBe(total(tx.fee_tax_breakdown?.fee, cur) + total(tx.fee_tax_breakdown?.tax, cur));
  expect(p(tx.settlement_amount), `${tx.id} settlement`).toBe(p(tx.revenue_amount) + p(tx.shipping_cost_amount) + p(tx.fee_tax_amount) + p(tx.adjustment_amount));
}

describe.each([
  { seed: 1, currency: 'USD' },
  { seed: 42, currency: 'USD' },
  { seed: 7, currency: 'JPY' },
  { seed: 3, currency: 'GBP' },
  { seed: 9, currency: 'KWD' },
])('generated TikTok data (seed $seed, $currency)', ({ seed, currency }) => {
  const ds = generateDataset({ seed, orders: 400, days: 30, currency, now: NOW });
  const shop = ds.shops[0]!;
  const cur = shop.shop.currency;
  const p = (v: string | undefined) => parseMinor(v ?? '0', cur);

  it('is deterministic for a seed', () => {
    const again = generateDataset({ seed, orders: 400, days: 30, currency, now: NOW });
    expect(JSON.stringify(again.shops[0]!.orders)).toBe(JSON.stringify(shop.orders));
    expect(JSON.stringify([...again.shops[0]!.statementTransactions])).toBe(JSON.stringify([...shop.statementTransactions]));
  });

  it('every transaction is the signed sum of its parts and its breakdowns', () => {
    let n = 0;
    for (const d of shop.statementTransactions.values()) for (const tx of d.transactions) (checkTransaction(tx, cur), n++);
    expect(n).toBeGreaterThan(100);
  });

  it('statements equal their transactions and payments equal their statements plus reserve', () => {
    for (const st of shop.statements) {
      const d = shop.statementTransactions.get(st.id)!;
      const sum = (pick: (t: StatementTransaction) => string | undefined) => d.transactions.reduce((a, t) => a + p(pick(t)), 0);
      expect(p(d.header.total_settlement_amount)).toBe(sum((t) => t.settlement_amount));
      expect(p(st.settlement_amount)).toBe(p(d.header.total_settlement_amount));
      expect(p(d.header.total_reserve_amount)).toBe(sum((t) => t.reserve_amount));
      expect(p(d.header.payable_amount)).toBe(p(d.header.total_settlement_amount) + p(d.header.total_reserve_amount));
      const b = d.header.total_settlement_breakdown!;
      expect(p(b.total_revenue_amount) + p(b.total_shipping_cost_amount) + p(b.total_fee_tax_amount) + p(b.total_adjustment_amount)).toBe(p(st.settlement_amount));
    }
    expect(shop.payments.length).toBeGreaterThan(10);
    for (const pay of shop.payments) {
      const sts = shop.statements.filter((s) => s.payment_id === pay.id);
      expect(sts.length).toBeGreaterThan(0);
      const settlement = sts.reduce((a, s) => a + p(s.settlement_amount), 0);
      const reserve = sts.reduce((a, s) => a + p(shop.statementTransactions.get(s.id)!.header.total_reserve_amount), 0);
      expect(p(pay.settlement_amount!.value)).toBe(settlement);
      expect(p(pay.reserve_amount!.value)).toBe(reserve);
      expect(p(pay.amount.value)).toBe(settlement + reserve);
    }
  });

  it('orders obey the payment identities and match their settlement', () => {
    const txs = new Map<string, StatementTransaction[]>();
    for (const d of shop.statementTransactions.values()) for (const t of d.transactions) if (t.order_id) txs.set(t.order_id, [...(txs.get(t.order_id) ?? []), t]);
    for (const o of shop.orders) {
      const pay = o.payment;
      const lines = o.line_items;
      expect(p(pay.original_total_product_price)).toBe(lines.reduce((a, l) => a + p(l.original_price), 0));
      expect(p(pay.sub_total)).toBe(p(pay.original_total_product_price) - p(pay.seller_discount) - p(pay.platform_discount));
      expect(p(pay.shipping_fee)).toBe(p(pay.original_shipping_fee) - p(pay.shipping_fee_seller_discount) - p(pay.shipping_fee_platform_discount));
      expect(p(pay.total_amount)).toBe(p(pay.sub_total) + p(pay.shipping_fee) + p(pay.tax));
      for (const l of lines) expect(p(l.sale_price)).toBe(p(l.original_price) - p(l.seller_discount) - p(l.platform_discount));
      const settled = txs.get(o.id) ?? [];
      if (o.status === 'CANCELLED') expect(settled).toEqual([]);
      const first = settled[0];
      if (first) {
        expect(p(first.revenue_breakdown!.subtotal_before_discount_amount)).toBe(p(pay.original_total_product_price));
        expect(p(first.revenue_breakdown!.seller_discount_amount) + p(pay.seller_discount)).toBe(0);
        if (currency === 'USD') expect(p(first.supplementary_component!.sales_tax_payment_amount)).toBe(p(pay.tax));
      }
    }
  });

  it('covers the cases the ledger has to handle', () => {
    const all = [...shop.statementTransactions.values()].flatMap((d) => d.transactions);
    const types = new Set(all.map((t) => t.type));
    for (const t of ['ORDER', 'RESERVE', 'PLATFORM_REIMBURSEMENT', 'LOGISTICS_REIMBURSEMENT', 'GMV_PAYMENT_FOR_ADS', 'SELLER_GROWTH_PROGRAM_FEE']) expect(types).toContain(t);
    const feeKeys = new Set(all.flatMap((t) => Object.keys(t.fee_tax_breakdown?.fee ?? {})));
    expect(feeKeys).toContain('transaction_fee_amount');
    expect(feeKeys).toContain('affiliate_commission_amount');
    expect(feeKeys).toContain('gmv_max_ad_fee_amount');
    expect(feeKeys).toContain('creator_boost_service_fee_amount');
    const refunds = all.filter((t) => p(t.revenue_breakdown?.refund_subtotal_before_discount_amount) < 0);
    expect(refunds.some((t) => p(t.revenue_breakdown?.subtotal_before_discount_amount) === 0)).toBe(true); // partial, after settlement
    expect(refunds.some((t) => p(t.revenue_amount) === 0 && p(t.revenue_breakdown?.subtotal_before_discount_amount) > 0)).toBe(true); // full
    expect(all.some((t) => p(t.fee_tax_breakdown?.fee?.referral_fee_amount ?? t.fee_tax_breakdown?.fee?.platform_commission_amount) > 0)).toBe(true); // fee reversal
    const reserves = all.filter((t) => t.type === 'RESERVE');
    expect(reserves.some((t) => t.reserve_status === 'COLLECTED' && p(t.reserve_amount) < 0)).toBe(true);
    expect(reserves.some((t) => t.reserve_status === 'RELEASED' && p(t.reserve_amount) > 0)).toBe(true);
    expect(shop.orders.some((o) => o.status === 'CANCELLED')).toBe(true);
    expect(shop.orders.some((o) => o.is_sample_order && p(o.payment.total_amount) === 0)).toBe(true);
    expect(new Set(shop.orders.map((o) => o.id)).size).toBe(shop.orders.length);
    expect(new Set(all.map((t) => t.id)).size).toBe(all.length);
  });
});

describe('multiple shops and scale', () => {
  it('gives each shop its own cipher, ids and data', () => {
    const ds = generateDataset({ seed: 5, orders: 50, days: 10, shops: 3, now: NOW });
    expect(new Set(ds.shops.map((s) => s.shop.cipher)).size).toBe(3);
    expect(ds.shops.every((s) => s.shop.seller_type === 'CROSS_BORDER')).toBe(true);
    const ids = ds.shops.flatMap((s) => s.orders.map((o) => o.id));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('replay files', () => {
  const base = {
    shops: [{ id: '1', name: 'Real shop', region: 'US', cipher: 'TTP_x' }],
    statements: [{ id: 'S1', statement_time: 1700000000, currency: 'USD', settlement_amount: '10.00' }],
    statement_transactions: {
      S1: {
        total_settlement_amount: '10.00',
        transactions: [
          { id: 't0', type: 'ORDER', settlement_amount: '1.00' },
          { id: 't1', type: 'ORDER', settlement_amount: '1.00' },
          { id: 't2', type: 'ORDER', settlement_amount: '1.00' },
          { id: 't3', type: 'ORDER', settlement_amount: 'ten' },
        ],
      },
    },
  };

  it('names the bad field in errors', () => {
    expect(() => parseReplayData(base, 'shop.json')).toThrow(/statement_transactions\.S1\.transactions\[3\]\.settlement_amount: /);
    expect(() => parseReplayData({ ...base, shops: [] }, 'shop.json')).toThrow(/shops: /);
    const fixed = structuredClone(base);
    fixed.statement_transactions.S1.transactions[3]!.settlement_amount = '7.00';
    expect(() => parseReplayData({ ...fixed, statements: [] }, 'shop.json')).toThrow(/statement_transactions\.S1: no statement/);
  });

  it('loads a valid file from disk', async () => {
    const good = structuredClone(base);
    good.statement_transactions.S1.transactions[3]!.settlement_amount = '7.00';
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synder-replay-')), 'shop.json');
    fs.writeFileSync(file, JSON.stringify(good));
    const data = await loadReplayFile(file);
    expect(data.statement_transactions.S1!.transactions).toHaveLength(4);
    await expect(loadReplayFile(file + '.missing')).rejects.toThrow(/Cannot read/);
  });
});
