import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beancountAccount, buildDocuments, exportBeancount, exportCsv, exportHledger, hledgerAccount, shortDocNumber, type BookingDocument } from '../../src/booking/index.js';
import { bundleOf, opts, workedExampleTx } from './booking-fixtures.js';
import { arbStatementSet } from './booking-arbitraries.js';

const has = (bin: string) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0;
const hasHledger = has('hledger');
const hasBeanCheck = has('bean-check');

function sampleDocuments(): BookingDocument[] {
  const usd = bundleOf([workedExampleTx()], { settlement_amount: '20.70' });
  const kwd = bundleOf([workedExampleTx({ id: 'tx2', settlement_amount: '20.700', revenue_amount: '30', fee_tax_amount: '-4.8', shipping_cost_amount: '-4.500', revenue_breakdown: { subtotal_before_discount_amount: '30.000' }, supplementary_component: { sales_tax_amount: '1.250' } })], { id: 'st2', settlement_amount: '20.700', payment_id: 'pay2' }, 'KWD');
  const jpy = bundleOf([workedExampleTx({ id: 'tx3', settlement_amount: '2070', revenue_amount: '3000', fee_tax_amount: '-480', shipping_cost_amount: '-450', revenue_breakdown: { subtotal_before_discount_amount: '3000' }, shipping_cost_breakdown: { actual_shipping_fee_amount: '-450' }, fee_tax_breakdown: { fee: { referral_fee_amount: '-180', affiliate_commission_amount: '-300', mystery_fee: '0' } } })], { id: 'st3', settlement_amount: '2070', payment_id: 'pay3' }, 'JPY');
  const payment = { id: 'pay1', create_time: 1736950000, status: 'PAID', amount: { value: '20.70', currency: 'USD' } };
  const r = buildDocuments({ bundles: [usd, kwd, jpy], payments: [payment] }, opts({ mfTax: 'gross' }));
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  return r.documents;
}

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-ledger-export-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('account names for exports', () => {
  it('puts roles under the five roots and makes beancount-safe names', () => {
    expect(hledgerAccount('clearing', 'USD')).toBe('Assets:TikTok Shop Clearing');
    expect(hledgerAccount('mf_tax', 'USD')).toBe('Liabilities:TikTok Shop Marketplace Facilitator Tax');
    expect(hledgerAccount('sales', 'USD')).toBe('Income:TikTok Shop Sales');
    expect(beancountAccount('shipping_fulfilment', 'USD')).toBe('Expenses:TikTokShopShippingFulfilment');
    expect(beancountAccount('sales', 'USD', { accountName: () => 'ventes: boutique été' })).toBe('Income:VentesBoutiqueEte');
    expect(hledgerAccount('sales', 'USD', { accountName: () => 'a:b;c' })).toBe('Income:a-b-c');
  });
});

describe('CSV export', () => {
  it('has one row per line with exact amounts and source ids', () => {
    const csv = exportCsv(sampleDocuments());
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toMatch(/^document_key,doc_number,kind,date,currency/);
    expect(rows.some((r) => r.includes('tts:shop1:tx1:sale') && r.includes(',30.00,') && r.includes('revenue_breakdown.subtotal_before_discount_amount'))).toBe(true);
    expect(rows.some((r) => r.includes(',KWD,') && r.includes(',30.000,'))).toBe(true);
    expect(rows.some((r) => r.includes(',JPY,') && r.includes(',3000,'))).toBe(true);
    expect(csv).toContain('"TikTok Shop Shipping & Fulfilment"'.replace(/"/g, '')); // no quoting needed for &
  });
});

describe('ledger names and references', () => {
  it('names each shop\'s Clearing account by the document and carries the ledger\'s reference in the CSV', () => {
    const docs = sampleDocuments();
    const shopOf = (d?: BookingDocument) => (d?.currency === 'USD' ? 'Shop A' : 'Shop B');
    const accountName = (role: string, currency: string, d?: BookingDocument) => (role === 'clearing' ? `TikTok Shop Clearing - ${shopOf(d)} ${currency}` : `Books ${role}`);
    const ledgerRef = (d: BookingDocument) => (d.currency === 'JPY' ? undefined : { type: 'JournalEntry', id: `je-${shortDocNumber(d.key)}` });
    const csv = exportCsv(docs, { accountName, ledgerRef }).trim().split('\r\n');
    expect(csv[0]).toMatch(/,warnings,ledger_type,ledger_id,tax_code,tax_amount$/);
    const usdSale = csv.find((r) => r.includes('tts:shop1:tx1:sale') && r.includes(',clearing,'))!;
    expect(usdSale).toContain(',TikTok Shop Clearing - Shop A USD,');
    expect(usdSale).toMatch(/,JournalEntry,je-\w+,,$/);
    expect(csv.find((r) => r.includes(',JPY,'))).toMatch(/,,$/);
    const hledger = exportHledger(docs, { accountName });
    expect(hledger).toContain('account Assets:TikTok Shop Clearing - Shop A USD');
    expect(hledger).toContain('account Assets:TikTok Shop Clearing - Shop B KWD');
    expect(exportBeancount(docs, { accountName })).toMatch(/ open Assets:TikTokShopClearingShopBKWD KWD$/m);
  });
});

describe.skipIf(!hasHledger)('hledger export (needs the hledger binary)', () => {
  it('passes hledger check and the balance sheet nets clearing to zero after payout', () => {
    const file = tmpFile('out.journal', exportHledger(sampleDocuments()));
    execFileSync('hledger', ['-f', file, 'check']);
    const bal = execFileSync('hledger', ['-f', file, 'bal', 'cur:USD', '-N'], { encoding: 'utf8' });
    expect(bal).toMatch(/20\.70 USD\s+Assets:Business Bank Account/);
    expect(bal).not.toContain('Clearing'); // USD clearing back to zero after the payout
    expect(bal).toMatch(/-30\.00 USD\s+Income:TikTok Shop Sales/);
    const is = execFileSync('hledger', ['-f', file, 'is', '-N', 'cur:KWD'], { encoding: 'utf8' });
    expect(is).toContain('30.000 KWD');
  });

  it('passes hledger check on generated statement sets', () => {
    fc.assert(
      fc.property(arbStatementSet(), (set) => {
        const r = buildDocuments({ bundles: set.bundles, payments: set.payments }, opts({ mode: set.mode, mfTax: set.mfTax }));
        const file = tmpFile('gen.journal', exportHledger(r.documents));
        const res = spawnSync('hledger', ['-f', file, 'check'], { encoding: 'utf8' });
        if (res.status !== 0) throw new Error(res.stderr);
      }),
      { numRuns: 15 },
    );
  });
});

describe.skipIf(!hasBeanCheck)('beancount export (needs the bean-check binary)', () => {
  it('passes bean-check', () => {
    const file = tmpFile('out.beancount', exportBeancount(sampleDocuments()));
    const res = spawnSync('bean-check', [file], { encoding: 'utf8' });
    expect(res.stderr + res.stdout).toBe('');
    expect(res.status).toBe(0);
  });

  it('passes bean-check on generated statement sets', () => {
    fc.assert(
      fc.property(arbStatementSet(), (set) => {
        const r = buildDocuments({ bundles: set.bundles, payments: set.payments }, opts({ mode: set.mode, mfTax: set.mfTax }));
        const file = tmpFile('gen.beancount', exportBeancount(r.documents));
        const res = spawnSync('bean-check', [file], { encoding: 'utf8' });
        if (res.status !== 0) throw new Error(res.stderr + res.stdout);
      }),
      { numRuns: 10 },
    );
  });
});
