import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBooks, balanceOf, ledgerBalances, ledgerObjectCount, startE2E, storedDocuments, sync, type E2E, type LedgerName, type Mode } from '../helpers/e2e.js';

/**
 * Tax end to end: the built binary books a small GBP shop into UK VAT-registered sandbox ledgers
 * (and a US QuickBooks company with automated sales tax), and the books are read back from the
 * sandbox. Every expected figure is worked out by hand below, from the shop data in this file.
 *
 * The shop (GBP, amounts in pence; TikTok's amounts are VAT-inclusive):
 *   S1 (paid out)
 *     T1 order o1: subtotal 6000, seller discount −600, buyer shipping 359, label −240,
 *        commission −540, affiliate commission −480                      settlement 4499
 *     T2 order o2, VAT paid by TikTok: subtotal 2400, commission −200,
 *        vat_amount −400                                                 settlement 1800
 *     T3 order o1 refund: refund subtotal −1200                           settlement −1200
 *                                                               S1 =  5099, paid to the bank
 *   S2 (not paid yet)
 *     T4 order o3: subtotal 3000, commission −300                         settlement 2700
 *
 * UK defaults: sales, seller discounts, buyer shipping and refunds at 20.0 % inclusive; o2's sale
 * zero-rated (TikTok accounted for its VAT) and its vat_amount on the no-VAT Marketplace VAT
 * account; fees no VAT (no VAT invoice); affiliate commission zero-rated.
 *   net = round(gross ÷ 1.2), VAT = gross − net, per line:
 *     sales 6000 → 5000 + 1000        discount 600 → 500 + 100      shipping 359 → 299 + 60
 *     refund 1200 → 1000 + 200        sales o3 3000 → 2500 + 500    sales o2 2400 zero-rated
 *   output VAT (credit) = 1000 − 100 + 60 − 200 + 500 = 1260; input VAT = 0
 *   P&L (debit +): sales −(5000 + 2400 + 2500) = −9900, discounts +500, shipping income −299,
 *     refunds +1000, shipping & fulfilment +240, marketplace fees +(540 + 200 + 300) = +1040,
 *     affiliate +480                                                    net −6939 (profit 69.39)
 *   Marketplace VAT +400; Clearing = unpaid S2 = 2700; Bank = 5099
 *   check: −6939 + 400 − 1260 + 2700 + 5099 = 0
 */

const DAY = 86_400;

/** One RFC 4180 row (quoted cells may hold commas and doubled quotes). */
function csvCells(row: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    const c = row[i]!;
    if (quoted) {
      if (c === '"' && row[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cell), (cell = '');
    else cell += c;
  }
  out.push(cell);
  return out;
}

function ukShop(): string {
  const now = Math.floor(Date.now() / 1000);
  const s1 = now - 6 * DAY;
  const s2 = now - 2 * DAY;
  const money = (minor: number) => (minor / 100).toFixed(2);
  const tx = (id: string, orderId: string, created: number, parts: { rev?: Record<string, number>; ship?: Record<string, number>; fee?: Record<string, number>; tax?: Record<string, number> }) => {
    const sum = (o: Record<string, number> = {}) => Object.values(o).reduce((a, v) => a + v, 0);
    const revenue = sum(parts.rev);
    const shipping = sum(parts.ship);
    const feeTax = sum(parts.fee) + sum(parts.tax);
    const m = (o: Record<string, number> = {}) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, money(v)]));
    return {
      id, type: 'ORDER', currency: 'GBP', order_id: orderId, order_create_time: created,
      settlement_amount: money(revenue + shipping + feeTax),
      revenue_amount: money(revenue), revenue_breakdown: m(parts.rev),
      shipping_cost_amount: money(shipping), shipping_cost_breakdown: m(parts.ship),
      fee_tax_amount: money(feeTax), fee_tax_breakdown: { fee: m(parts.fee), tax: m(parts.tax) },
      adjustment_amount: '0.00',
    };
  };
  const t1 = tx('9001', 'o1', s1 - 2 * DAY, {
    rev: { subtotal_before_discount_amount: 6000, seller_discount_amount: -600 },
    ship: { customer_paid_shipping_fee_amount: 359, actual_shipping_fee_amount: -240 },
    fee: { platform_commission_amount: -540, affiliate_commission_amount: -480 },
  });
  const t2 = tx('9002', 'o2', s1 - 2 * DAY, { rev: { subtotal_before_discount_amount: 2400 }, fee: { platform_commission_amount: -200 }, tax: { vat_amount: -400 } });
  const t3 = tx('9003', 'o1', s1 - 2 * DAY, { rev: { refund_subtotal_before_discount_amount: -1200 } });
  const t4 = tx('9004', 'o3', s2 - DAY, { rev: { subtotal_before_discount_amount: 3000 }, fee: { platform_commission_amount: -300 } });
  const order = (id: string, created: number, total: number) => ({
    id, status: 'COMPLETED', create_time: created, payment: { currency: 'GBP', total_amount: money(total) }, line_items: [{ id: `${id}-1`, product_name: 'Mug', sku_id: 'MUG' }],
  });
  const header = (sid: string, time: number, total: number, txs: unknown[]) => ({
    create_time: time, status: 'SETTLED', currency: 'GBP', total_settlement_amount: money(total), total_reserve_amount: '0.00', payable_amount: money(total), transactions: txs,
  });
  const data = {
    shops: [{ id: '7495000000000000901', name: 'UK Mugs', region: 'GB', cipher: 'TTP_uk', currency: 'GBP' }],
    orders: [order('o1', s1 - 2 * DAY, 6359), order('o2', s1 - 2 * DAY, 2400), order('o3', s2 - DAY, 3000)],
    statements: [
      { id: 'S1', statement_time: s1, currency: 'GBP', settlement_amount: money(5099), payment_id: 'P1', payment_status: 'PAID', payment_time: s1 + DAY },
      { id: 'S2', statement_time: s2, currency: 'GBP', settlement_amount: money(2700), payment_status: 'PROCESSING' },
    ],
    statement_transactions: { S1: header('S1', s1, 5099, [t1, t2, t3]), S2: header('S2', s2, 2700, [t4]) },
    payments: [
      {
        id: 'P1', create_time: s1 + 3600, paid_time: s1 + DAY, status: 'PAID', amount: { value: money(5099), currency: 'GBP' },
        settlement_amount: { value: money(5099), currency: 'GBP' }, reserve_amount: { value: '0.00', currency: 'GBP' },
        payment_amount_before_exchange: { value: money(5099), currency: 'GBP' }, exchange_rate: '1.000000', bank_account: '****1234',
      },
    ],
  };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'synder-tax-')), 'uk-shop.json');
  fs.writeFileSync(file, JSON.stringify(data));
  return file;
}

/** The ledger's VAT control balance (debit +): QuickBooks' VAT Control, Xero's VAT system account. */
const vatControl = (e: E2E): number => (e.qbo ? (e.qbo.books.accountByName('VAT Control') ? e.qbo.books.balance('VAT Control') : 0) : balanceOf(e, 'VAT'));

/** Debit-positive P&L total read from the ledger (every income and expense account). */
function profitAndLoss(e: E2E): number {
  if (e.qbo) {
    return e.qbo.books.all('Account').filter((a) => a.Classification === 'Revenue' || a.Classification === 'Expense').reduce((s, a) => s + e.qbo!.books.balance(String(a.Id)), 0);
  }
  const t = e.xero!.books.tenant();
  return [...t.accounts.values()].filter((a) => a.Class === 'REVENUE' || a.Class === 'EXPENSE').reduce((s, a) => s + t.balance(String(a.AccountID)), 0);
}

const cases: Array<[LedgerName, Mode]> = [
  ['xero', 'per-transaction'],
  ['xero', 'summary'],
  ['quickbooks', 'per-transaction'],
  ['quickbooks', 'summary'],
];

describe.each(cases)('UK VAT-registered %s, %s', (ledger, mode) => {
  let e: E2E;
  afterAll(async () => e?.close());

  it('books output VAT, zero-rated marketplace-VAT sales and affiliate commission; P&L, VAT and clearing equal the hand-worked figures', async () => {
    e = await startE2E({ ledger, mode, currency: 'GBP', country: 'GB', tiktokDataFile: ukShop() });
    const { result, summary } = await sync(e);
    expect(result.code, result.stderr).toBe(0);
    expect(summary.failures).toEqual([]);
    expect(vatControl(e), 'output VAT').toBe(-1260);
    expect(profitAndLoss(e), 'net P&L').toBe(-6939);
    const bal = ledgerBalances(e);
    expect(bal['TikTok Shop Sales']).toBe(-9900);
    expect(bal['TikTok Shop Seller Discounts']).toBe(500);
    expect(bal['TikTok Shop Shipping Income']).toBe(-299);
    expect(bal['TikTok Shop Refunds']).toBe(1000);
    expect(bal['TikTok Shop Affiliate Commissions']).toBe(480);
    expect(bal['TikTok Shop Marketplace Fees']).toBe(1040);
    expect(bal['TikTok Shop Marketplace VAT'], 'VAT TikTok paid is neither income nor expense').toBe(400);
    expect(balanceOf(e, e.clearingAccount), 'clearing = unpaid settlements').toBe(2700);
    expect(summary.clearing.every((c) => c.differenceMinor === 0)).toBe(true);
    expect(Object.values(bal).reduce((a, v) => a + v, 0)).toBe(0);

    // explain shows the account and tax code each line used; export carries the tax as postings of its own.
    const explained = await e.cli(['explain', 'o1', '--json']);
    expect(explained.code, explained.stderr).toBe(0);
    const postings = (JSON.parse(explained.stdout) as { transactions: Array<{ postings: Array<{ role: string; tax?: string | null; credit: string }> }> }).transactions.flatMap((t) => t.postings);
    const std = ledger === 'xero' ? '20% (VAT on Income)' : '20.0% S';
    expect(postings.find((p) => p.role === 'sales')).toMatchObject({ tax: `${std} (tax -10.00)`, credit: '50.00' });
    expect(postings.find((p) => p.role === 'vat')).toMatchObject({ tax: std, credit: '9.60' });
    const csv = await e.cli(['export', '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = csv.stdout.trim().split('\r\n').map(csvCells);
    const col = (name: string) => rows[0]!.indexOf(name);
    const vatRows = rows.slice(1).filter((r) => r[col('role')] === 'vat');
    expect(vatRows.reduce((s, r) => s + Math.round(Number(r[col('amount')]) * 100), 0), 'export: output VAT').toBe(-1260);
    const rec = await e.cli(['reconcile', '--json']);
    expect(rec.code, rec.stderr).toBe(0);

    // A tax code chosen later applies from then on: nothing booked is rewritten.
    const choose = await e.cli(['map', 'set', 'marketplace_fees', '--tax', ledger === 'xero' ? 'INPUT2' : '20.0% S']);
    expect(choose.code, choose.stderr).toBe(0);
    const after = await sync(e);
    expect(after.summary.documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect(vatControl(e)).toBe(-1260);
    await e.cli(['map', 'reset', 'marketplace_fees']);

    if (mode === 'per-transaction') {
      // Rolling back order o1 takes its VAT out of the ledger (1000 − 100 + 60 − 200 = 760); a sync books it again.
      const rb = await e.cli(['rollback', 'o1', '--yes']);
      expect(rb.code, rb.stderr).toBe(0);
      expect(vatControl(e)).toBe(-1260 + 760);
      const again = await sync(e);
      expect(again.result.code, again.result.stderr).toBe(0);
      expect(vatControl(e)).toBe(-1260);
      expect(profitAndLoss(e)).toBe(-6939);
    }
  }, 180_000);
});

describe.each(['xero', 'quickbooks'] as const)('UK VAT-registered %s, input VAT on fees chosen with one command', (ledger) => {
  let e: E2E;
  afterAll(async () => e?.close());

  it('`synder map set marketplace_fees --tax …` claims input VAT on every fee: 540 → 450 + 90, 200 → 167 + 33, 300 → 250 + 50', async () => {
    e = await startE2E({ ledger, mode: 'per-transaction', currency: 'GBP', country: 'GB', tiktokDataFile: ukShop() });
    const code = ledger === 'xero' ? 'INPUT2' : '20.0% S';
    const set = await e.cli(['map', 'set', 'marketplace_fees', '--tax', code]);
    expect(set.code, set.stderr).toBe(0);
    const wrongSide = await e.cli(['map', 'set', 'marketplace_fees', '--tax', ledger === 'xero' ? 'OUTPUT2' : 'Nope']);
    expect(wrongSide.code).toBe(2);
    const { result, summary } = await sync(e);
    expect(result.code, result.stderr).toBe(0);
    expect(summary.failures).toEqual([]);
    // Output VAT 1260 (as above) less input VAT 90 + 33 + 50 = 173.
    expect(vatControl(e)).toBe(-1260 + 173);
    expect(balanceOf(e, 'TikTok Shop Marketplace Fees')).toBe(450 + 167 + 250);
    expect(profitAndLoss(e)).toBe(-6939 - 173);
    expect(balanceOf(e, e.clearingAccount)).toBe(2700);
  }, 180_000);
});

describe.each(['xero', 'quickbooks'] as const)('UK company not registered for VAT on %s', (ledger) => {
  let e: E2E;
  afterAll(async () => e?.close());

  it('books everything gross with no VAT: sales 6000 + 2400 + 3000, no output VAT', async () => {
    e = await startE2E({ ledger, mode: 'per-transaction', currency: 'GBP', country: 'GB', salesTax: 'off', tiktokDataFile: ukShop() });
    const { result, summary } = await sync(e);
    expect(result.code, result.stderr).toBe(0);
    expect(summary.failures).toEqual([]);
    expect(vatControl(e)).toBe(0);
    expect(balanceOf(e, 'TikTok Shop Sales')).toBe(-11400);
    expect(balanceOf(e, 'TikTok Shop Refunds')).toBe(1200);
    // −11400 + 600 − 359 + 1200 + 240 + 1040 + 480
    expect(profitAndLoss(e)).toBe(-8199);
    expect(balanceOf(e, 'TikTok Shop Marketplace VAT')).toBe(400);
    expect(balanceOf(e, e.clearingAccount)).toBe(2700);
  }, 180_000);
});

describe('US QuickBooks company with automated sales tax', () => {
  let e: E2E;
  afterAll(async () => e?.close());

  it('no document gains tax (NON on every sales line), so every total is what TikTok settled and clearing ties', async () => {
    e = await startE2E({ ledger: 'quickbooks', mode: 'per-transaction', country: 'US', salesTax: 'automated' });
    expect(e.qbo!.books.preferences().TaxPrefs.PartnerTaxEnabled).toBe(true);
    const { result, summary } = await sync(e);
    expect(result.code, result.stderr).toBe(0);
    const receipts = [...e.qbo!.books.all('SalesReceipt'), ...e.qbo!.books.all('RefundReceipt')];
    expect(receipts.length).toBeGreaterThan(0);
    expect(receipts.filter((r) => r.TxnTaxDetail?.TotalTax !== 0).map((r) => r.DocNumber), 'documents that gained tax').toEqual([]);
    expect(receipts.every((r) => (r.Line as Array<Record<string, any>>).filter((l) => l.DetailType === 'SalesItemLineDetail').every((l) => l.SalesItemLineDetail.TaxCodeRef?.value === 'NON'))).toBe(true);
    expect(e.qbo!.books.balance('California Department of Tax and Fee Administration Payable')).toBe(0);
    expect(summary.clearing.every((c) => c.differenceMinor === 0)).toBe(true);
    assertBooks(e, expect);
  }, 180_000);
});

describe('a ledger whose tax synder cannot book without choices', () => {
  let e: E2E;
  afterAll(async () => e?.close());

  it('an Australian GST-registered Xero organisation: sync refuses before anything is booked and names the command', async () => {
    e = await startE2E({ ledger: 'xero', mode: 'per-transaction', country: 'AU', currency: 'AUD' });
    const result = await e.cli(['sync', '--since', e.since]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no default AU VAT\/GST codes/);
    expect(result.stderr).toMatch(/synder map set <role> --tax <code>/);
    expect(ledgerObjectCount(e)).toBe(0);
    expect(storedDocuments(e).filter((d) => d.status === 'posted')).toEqual([]);
  }, 180_000);
});
