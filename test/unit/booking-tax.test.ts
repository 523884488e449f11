import { describe, expect, it } from 'vitest';
import { applyTax, netOfGross, taxPlanFor, type BookingDocument, type LedgerTaxProfile } from '../../src/booking/index.js';

const ukQbo: LedgerTaxProfile = {
  country: 'GB',
  system: 'vat',
  registered: true,
  codes: [
    { id: '5', name: '20.0% S', sales: { percent: 20, rateIds: ['4'] }, purchase: { percent: 20, rateIds: ['3'] } },
    { id: '15', name: '0.0% Z', sales: { percent: 0, rateIds: ['10'] }, purchase: { percent: 0, rateIds: ['9'] } },
    { id: '19', name: 'No VAT', sales: { percent: 0, rateIds: ['14'] }, purchase: { percent: 0, rateIds: ['13'] } },
  ],
};
const src = { kind: 'statement_transaction' as const, id: 't1', field: 'x' };
const doc = (lines: Array<[BookingDocument['lines'][number]['role'], number]>): BookingDocument => ({
  key: 'k', kind: 'sale', date: '2026-01-01', currency: 'GBP', memo: '', refs: { shopId: 's' }, warnings: [],
  lines: lines.map(([role, amountMinor]) => ({ role, amountMinor, description: role, source: src })),
});

describe('tax plan and VAT split', () => {
  it('net = round(gross ÷ (1 + rate)) half away from zero, both signs; tax = gross − net', () => {
    expect(netOfGross(359, 20)).toBe(299); // 299.1667
    expect(netOfGross(-359, 20)).toBe(-299);
    expect(netOfGross(3, 20)).toBe(3); // 2.5 → 3: the tax of a 3p line is 0
    expect(netOfGross(1154895, 10)).toBe(1049905);
  });

  it('UK VAT-registered defaults: standard-rated income, zero-rated affiliate commission, no VAT on fees', () => {
    const r = taxPlanFor(ukQbo, 'quickbooks');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.roles.sales).toMatchObject({ code: '5', percent: 20, rateId: '4' });
    expect(r.plan.roles.affiliate_commissions).toMatchObject({ code: '15', rateId: '9' });
    expect(r.plan.roles.marketplace_fees).toBeUndefined();
    expect(r.plan.fallback).toMatchObject({ code: '19', percent: 0 });
    expect(r.plan.marketplaceVat.sales).toMatchObject({ code: '15' });
    expect(r.reasons.marketplace_fees).toMatch(/VAT invoice/);
  });

  it('splits each taxed line and adds one vat line per code; the document still balances and Clearing is unchanged', () => {
    const r = taxPlanFor(ukQbo, 'quickbooks');
    if (!r.ok) throw new Error('plan');
    const out = applyTax(doc([['sales', -6000], ['seller_discounts', 600], ['shipping_income', -359], ['clearing', 5759]]), r.plan);
    const by = Object.fromEntries(out.lines.map((l) => [l.role, l]));
    expect(by.sales).toMatchObject({ amountMinor: -5000, tax: { amountMinor: -1000, name: '20.0% S' } });
    expect(by.seller_discounts).toMatchObject({ amountMinor: 500, tax: { amountMinor: 100 } });
    expect(by.shipping_income).toMatchObject({ amountMinor: -299, tax: { amountMinor: -60 } });
    expect(by.vat).toMatchObject({ amountMinor: -960, description: 'Output tax 20.0% S' });
    expect(by.clearing!.amountMinor).toBe(5759);
    expect(out.lines.reduce((s, l) => s + l.amountMinor, 0)).toBe(0);
    const mvat = applyTax(doc([['sales', -2400], ['clearing', 2400]]), r.plan, { marketplaceVat: true });
    expect(mvat.lines.find((l) => l.role === 'sales')).toMatchObject({ amountMinor: -2400, tax: { name: '0.0% Z', amountMinor: 0 } });
    expect(mvat.lines.some((l) => l.role === 'vat')).toBe(false);
  });

  it('a choice over the defaults is checked against the ledger; no defaults outside the US and UK', () => {
    const input = taxPlanFor(ukQbo, 'quickbooks', { marketplace_fees: '20.0% S' });
    expect(input.ok && input.plan.roles.marketplace_fees).toMatchObject({ code: '5', rateId: '3' });
    const bad = taxPlanFor(ukQbo, 'quickbooks', { sales: '17.5%' });
    expect(!bad.ok && bad.problems[0]).toMatch(/no tax code "17.5%".*synder map set sales --tax <code>/);
    const au = taxPlanFor({ ...ukQbo, country: 'AU' }, 'quickbooks');
    expect(!au.ok && au.problems[0]).toMatch(/no default AU VAT\/GST codes/);
    const chosen = taxPlanFor({ ...ukQbo, country: 'AU' }, 'quickbooks', { sales: '20.0% S', shipping_income: '20.0% S', seller_discounts: '20.0% S', refunds: '20.0% S', marketplace_vat_sales: '0.0% Z', fallback: 'No VAT' });
    expect(chosen.ok).toBe(true);
    const us = taxPlanFor({ country: 'US', system: 'us_sales_tax', registered: true, automated: true, codes: [{ id: 'TAX', name: 'TAX', sales: { percent: 0 } }, { id: 'NON', name: 'NON', sales: { percent: 0 } }] }, 'quickbooks');
    expect(us.ok && us.plan.roles.sales).toMatchObject({ code: 'NON', percent: 0 });
    expect(us.ok && us.plan.fallback).toBeUndefined();
  });
});

describe('document hash and tax codes', () => {
  it('a document hashes the same with or without its tax split, so choosing a code never rewrites booked documents', async () => {
    const { hashedView } = await import('../../src/sync/work.js');
    const { contentHash } = await import('../../src/sync/hash.js');
    const r = taxPlanFor(ukQbo, 'quickbooks');
    if (!r.ok) throw new Error('plan');
    const plain = doc([['sales', -6000], ['seller_discounts', 600], ['clearing', 5400]]);
    expect(hashedView(plain)).toBe(plain);
    const taxed = applyTax(plain, r.plan);
    expect(contentHash(hashedView(taxed))).toBe(contentHash(plain));
    const other = applyTax(plain, taxPlanFor(ukQbo, 'quickbooks', { sales: '0.0% Z', seller_discounts: '0.0% Z' }).ok ? (taxPlanFor(ukQbo, 'quickbooks', { sales: '0.0% Z', seller_discounts: '0.0% Z' }) as { plan: typeof r.plan }).plan : r.plan);
    expect(contentHash(hashedView(other))).toBe(contentHash(plain));
  });
});
