import { afterEach, describe, expect, it } from 'vitest';
import { doc, harness, mapped, type Harness } from './quickbooks-fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('QuickBooksConnector and the company\'s tax', () => {
  it('reads the tax profile: US automated sales tax, UK VAT codes with their rates, VAT Control', async () => {
    h = await harness({ country: 'US', salesTax: 'automated' });
    expect(await h.connector().taxProfile()).toMatchObject({ country: 'US', system: 'us_sales_tax', registered: true, automated: true });
    await h.close();
    h = await harness({ country: 'GB' });
    const uk = await h.connector().taxProfile();
    expect(uk).toMatchObject({ country: 'GB', system: 'vat', registered: true, taxAccount: { name: 'VAT Control' } });
    expect(uk.codes.find((c) => c.name === '20.0% S')).toMatchObject({ sales: { percent: 20 }, purchase: { percent: 20 } });
  });

  it('a sale the company adds tax to is reported failed, naming both totals; with NON it is booked at what TikTok settled', async () => {
    h = await harness({ country: 'US', salesTax: 'automated' });
    const c = h.connector();
    const accounts = await mapped(c);
    const plain = doc('sale', [['sales', -10000], ['clearing', 10000]]);
    const [bad] = await c.post([{ doc: plain, accounts }]);
    expect(bad).toMatchObject({ status: 'failed' });
    expect(bad!.status === 'failed' && bad!.error).toMatch(/booked the SalesReceipt at 109\.50, not the 100\.00 TikTok settled/);
    const non = doc('sale', [['sales', -10000], ['clearing', 10000]]);
    non.lines[0]!.tax = { code: 'NON', name: 'NON', percent: 0, amountMinor: 0 };
    const [ok] = await c.post([{ doc: non, accounts }]);
    expect(ok).toMatchObject({ status: 'created' });
  });
});
