import { describe, expect, it } from 'vitest';
import { Company, type Obj } from '../../src/sandbox/quickbooks/index.js';
import { AccountingApi, XeroBooks } from '../../src/sandbox/xero/index.js';

const now = () => Date.UTC(2026, 0, 1);
const qbo = (country: string, salesTax?: 'off' | 'on' | 'automated') =>
  new Company({ realmId: '1', companyName: 'T', currency: { US: 'USD', GB: 'GBP', CA: 'CAD', AU: 'AUD' }[country]!, country, salesTax, now });
const fault = (fn: () => unknown): { code: string; detail: string; status: number } => {
  try {
    fn();
  } catch (err) {
    return err as { code: string; detail: string; status: number };
  }
  throw new Error('expected a Fault');
};
function setup(c: Company): { item: string; income: string; clearing: string; expense: string } {
  const income = c.create('Account', { Name: 'TikTok Sales', AccountType: 'Income' }).Id as string;
  const clearing = c.create('Account', { Name: 'TikTok Clearing', AccountType: 'Bank' }).Id as string;
  const expense = c.create('Account', { Name: 'TikTok Fees', AccountType: 'Expense' }).Id as string;
  const item = c.create('Item', { Name: 'TikTok Sales', Type: 'Service', IncomeAccountRef: { value: income } }).Id as string;
  return { item, income, clearing, expense };
}
const codeId = (c: Company, name: string): string => (c.query(`select * from TaxCode where Name = '${name}'`).TaxCode as Obj[])[0]!.Id as string;
const sale = (item: string, clearing: string, lines: Array<{ amount: number; code?: string; gross?: number }>, extra: Obj = {}): Obj => ({
  DepositToAccountRef: { value: clearing },
  Line: lines.map((l) => ({
    DetailType: 'SalesItemLineDetail',
    Amount: l.amount,
    SalesItemLineDetail: { ItemRef: { value: item }, ...(l.code ? { TaxCodeRef: { value: l.code } } : {}), ...(l.gross !== undefined ? { TaxInclusiveAmt: l.gross } : {}) },
  })),
  ...extra,
});

describe('QuickBooks sandbox: company country and tax settings', () => {
  it('GB: CompanyInfo, TaxPrefs and the real UK codes, looked up by name (ids are opaque)', () => {
    const c = qbo('GB');
    expect(c.companyInfo().Country).toBe('GB');
    expect(c.preferences().TaxPrefs).toEqual({ UsingSalesTax: true });
    expect(c.preferences().CurrencyPrefs.HomeCurrency.value).toBe('GBP');
    const codes = (c.query('select * from TaxCode').TaxCode as Obj[]).map((x) => x.Name);
    expect(codes).toEqual(expect.arrayContaining(['20.0% S', '5.0% R', '0.0% Z', 'Exempt', 'No VAT']));
    const standard = (c.query("select * from TaxCode where Name = '20.0% S'").TaxCode as Obj[])[0]!;
    expect(standard.Id).not.toBe('20.0% S');
    const salesRate = c.read('TaxRate', standard.SalesTaxRateList.TaxRateDetail[0].TaxRateRef.value);
    expect(salesRate).toMatchObject({ Name: 'SS-20.0', RateValue: 20 });
    expect(c.accountByName('VAT Control')).toMatchObject({ AccountType: 'Other Current Liability' });
    expect(fault(() => c.create('TaxCode', { Name: 'x' })).code).toBe('4000');
  });

  it('US: TaxPrefs without PartnerTaxEnabled (no automated sales tax), only TAX/NON; automated has a group and rates', () => {
    const off = qbo('US');
    expect(off.preferences().TaxPrefs).toEqual({ UsingSalesTax: false });
    expect((off.query('select * from TaxCode').TaxCode as Obj[]).map((x) => x.Id)).toEqual(['TAX', 'NON']);
    expect(off.query('select * from TaxRate')).toEqual({});
    const ast = qbo('US', 'automated');
    expect(ast.preferences().TaxPrefs).toMatchObject({ UsingSalesTax: true, PartnerTaxEnabled: true });
    expect((ast.query('select * from TaxRate').TaxRate as Obj[]).map((r) => r.RateValue)).toEqual([7.25, 2.25]);
    expect(() => qbo('GB', 'automated')).toThrow(/US companies only/);
  });

  it('non-US refuses a sales or purchase line without TaxCodeRef with Intuit\'s 6000 (VAT / GST/HST wording), and an unknown code with 2500', () => {
    const gb = qbo('GB');
    const g = setup(gb);
    const f = fault(() => gb.create('SalesReceipt', sale(g.item, g.clearing, [{ amount: 10 }])));
    expect(f.code).toBe('6000');
    expect(f.detail).toBe('Business Validation Error: Make sure all your transactions have a VAT rate before you save.');
    const p = fault(() => gb.create('Purchase', { PaymentType: 'Cash', AccountRef: { value: g.clearing }, Line: [{ DetailType: 'AccountBasedExpenseLineDetail', Amount: 5, AccountBasedExpenseLineDetail: { AccountRef: { value: g.expense } } }] }));
    expect(p.code).toBe('6000');
    expect(fault(() => gb.create('SalesReceipt', sale(g.item, g.clearing, [{ amount: 10, code: '999' }]))).code).toBe('2500');
    const ca = qbo('CA');
    const k = setup(ca);
    expect(fault(() => ca.create('SalesReceipt', sale(k.item, k.clearing, [{ amount: 10 }]))).detail).toMatch(/GST\/HST rate before you save/);
    // Not VAT-registered: no codes, nothing required.
    const unreg = qbo('GB', 'off');
    const u = setup(unreg);
    expect(unreg.create('SalesReceipt', sale(u.item, u.clearing, [{ amount: 10 }])).TotalAmt).toBe(10);
  });

  it('TaxExcluded: one tax line per rate, rounded once per document; VAT Control carries the output VAT', () => {
    const c = qbo('GB');
    const s = setup(c);
    const std = codeId(c, '20.0% S');
    // 0.03 + 0.03 at 20 %: per document 0.06 × 20 % = 0.012 → 0.01 (per line it would be 0.02).
    const r = c.create('SalesReceipt', sale(s.item, s.clearing, [{ amount: 0.03, code: std }, { amount: 0.03, code: std }], { GlobalTaxCalculation: 'TaxExcluded' }));
    expect(r.TxnTaxDetail.TotalTax).toBe(0.01);
    expect(r.TxnTaxDetail.TaxLine).toHaveLength(1);
    expect(r.TxnTaxDetail.TaxLine[0].TaxLineDetail.NetAmountTaxable).toBe(0.06);
    expect(r.TotalAmt).toBe(0.07);
    expect(c.balance('VAT Control')).toBe(-1);
    expect(c.balance(s.clearing)).toBe(7);
    expect(c.accountByName('VAT Control')!.CurrentBalance).toBe(0.01);
  });

  it('TaxInclusive: per-line net = round(gross / (1 + rate)), gross totals survive exactly (AU 11548.95 → tax 1049.90)', () => {
    const c = qbo('AU');
    const s = setup(c);
    const gst = codeId(c, 'GST');
    const r = c.create('SalesReceipt', sale(s.item, s.clearing, [{ amount: 11548.95, code: gst, gross: 11548.95 }], { GlobalTaxCalculation: 'TaxInclusive' }));
    expect(r.Line[0].Amount).toBe(10499.05);
    expect(r.Line[0].SalesItemLineDetail.TaxInclusiveAmt).toBe(11548.95);
    expect(r.TxnTaxDetail.TotalTax).toBe(1049.9);
    expect(r.TotalAmt).toBe(11548.95);
    expect(c.balance('GST Liabilities Payable')).toBe(-104990);
  });

  it('purchases carry input VAT (debit VAT Control); supplied tax lines are honoured with OverrideDeltaAmount', () => {
    const c = qbo('GB');
    const s = setup(c);
    const std = codeId(c, '20.0% S');
    c.create('Purchase', { PaymentType: 'Cash', AccountRef: { value: s.clearing }, GlobalTaxCalculation: 'TaxExcluded', Line: [{ DetailType: 'AccountBasedExpenseLineDetail', Amount: 10, AccountBasedExpenseLineDetail: { AccountRef: { value: s.expense }, TaxCodeRef: { value: std } } }] });
    expect(c.balance('VAT Control')).toBe(200);
    expect(c.balance(s.clearing)).toBe(-1200);
    const salesRate = c.read('TaxCode', std).SalesTaxRateList.TaxRateDetail[0].TaxRateRef.value;
    const r = c.create('SalesReceipt', sale(s.item, s.clearing, [{ amount: 10, code: std }], { TxnTaxDetail: { TaxLine: [{ DetailType: 'TaxLineDetail', Amount: 1.99, TaxLineDetail: { TaxRateRef: { value: salesRate }, PercentBased: true } }] } }));
    expect(r.TxnTaxDetail.TotalTax).toBe(1.99);
    expect(r.TxnTaxDetail.TaxLine[0].TaxLineDetail.OverrideDeltaAmount).toBe(-0.01);
    expect(r.TotalAmt).toBe(11.99);
    expect(c.balance('VAT Control')).toBe(200 - 199);
  });

  it('US automated sales tax taxes a line without a code (and TAX), never NON; an explicit TotalTax is honoured', () => {
    const c = qbo('US', 'automated');
    const s = setup(c);
    const taxed = c.create('SalesReceipt', sale(s.item, s.clearing, [{ amount: 100 }]));
    expect(taxed.TxnTaxDetail.TotalTax).toBe(9.5);
    expect(taxed.TotalAmt).toBe(109.5);
    expect(taxed.Line[0].SalesItemLineDetail.TaxCodeRef.value).toBe('TAX');
    const non = c.create('SalesReceipt', sale(s.item, s.clearing, [{ amount: 100, code: 'NON' }, { amount: 20, code: 'NON' }]));
    expect(non.TxnTaxDetail.TotalTax).toBe(0);
    expect(non.TotalAmt).toBe(120);
    const over = c.create('SalesReceipt', sale(s.item, s.clearing, [{ amount: 100 }], { TxnTaxDetail: { TxnTaxCodeRef: { value: '2' }, TotalTax: 0 } }));
    expect(over.TotalAmt).toBe(100);
    expect(c.balance('California Department of Tax and Fee Administration Payable')).toBe(-950);
    // Without sales tax TxnTaxDetail is ignored and not stored.
    const plain = qbo('US');
    const p = setup(plain);
    const r = plain.create('SalesReceipt', sale(p.item, p.clearing, [{ amount: 100 }], { TxnTaxDetail: { TotalTax: 5 } }));
    expect(r.TxnTaxDetail).toBeUndefined();
    expect(r.TotalAmt).toBe(100);
  });
});

describe('Xero sandbox: organisation country and tax rates', () => {
  const api = new AccountingApi('synder', now);
  const get = (t: XeroBooks['tenants'][number], path: string, query = '') => api.handle({ method: 'GET', path, query: new URLSearchParams(query), body: undefined, tenant: t });
  const bankTx = (lines: Obj[], extra: Obj = {}): Obj => ({ Type: 'SPEND', Contact: { Name: 'TikTok' }, BankAccount: { Code: '090' }, LineItems: lines, ...extra });

  it('GET /TaxRates per country with where/order; Organisation says PaysTax', () => {
    const books = new XeroBooks([{ name: 'UK', currency: 'GBP', country: 'GB' }], now);
    const t = books.tenants[0]!;
    expect(t.organisation()).toMatchObject({ CountryCode: 'GB', PaysTax: true, BaseCurrency: 'GBP' });
    const all = (get(t, '/TaxRates').body as Obj).TaxRates as Obj[];
    expect(all.find((r) => r.TaxType === 'OUTPUT2')).toMatchObject({ Name: '20% (VAT on Income)', EffectiveRate: 20, CanApplyToRevenue: true, CanApplyToExpenses: false });
    const active = (get(t, '/TaxRates', 'where=Status=="ACTIVE"&order=Name DESC').body as Obj).TaxRates as Obj[];
    expect(active.some((r) => r.TaxType === 'OUTPUT')).toBe(false);
    expect(active.map((r) => r.Name)).toEqual([...active.map((r) => String(r.Name))].sort((a, b) => b.localeCompare(a)));
    expect(((get(t, '/TaxRates/ZERORATEDOUTPUT').body as Obj).TaxRates as Obj[])[0]!.Name).toBe('Zero Rated Income');
    const au = new XeroBooks([{ name: 'AU', currency: 'AUD', country: 'AU' }], now).tenants[0]!;
    expect((((get(au, '/TaxRates/OUTPUT').body as Obj).TaxRates as Obj[])[0]!).EffectiveRate).toBe(10);
  });

  it('refuses a TaxType the organisation does not have, an archived one, and one not allowed on the account class', () => {
    const t = new XeroBooks([{ name: 'UK', currency: 'GBP', country: 'GB' }], now).tenants[0]!;
    const errs = (lines: Obj[]) => {
      try {
        t.createBankTransaction(bankTx(lines));
      } catch (err) {
        return (err as { messages: string[] }).messages;
      }
      return [];
    };
    expect(errs([{ Description: 'x', LineAmount: 10, AccountCode: '429', TaxType: 'BOGUS' }])).toContain("The TaxType code 'BOGUS' does not exist or cannot be used for this type of transaction.");
    expect(errs([{ Description: 'x', LineAmount: 10, AccountCode: '429', TaxType: 'INPUT' }])).toContain("The TaxType code 'INPUT' does not exist or cannot be used for this type of transaction.");
    expect(errs([{ Description: 'x', LineAmount: 10, AccountCode: '429', TaxType: 'OUTPUT2' }])).toContain("The TaxType code 'OUTPUT2' cannot be used with account code '429'.");
  });

  it('per-line tax rounded to 2 dp then summed; Inclusive / Exclusive / NoTax; VAT account balance readable', () => {
    const au = new XeroBooks([{ name: 'AU', currency: 'AUD', country: 'AU' }], now).tenants[0]!;
    // 45.45 + 45.45 at 10 % exclusive: 4.545 → 4.55 per line, 9.10 in all (not 9.09).
    const inv = au.createInvoice({ Type: 'ACCREC', Status: 'AUTHORISED', Contact: { Name: 'C' }, LineAmountTypes: 'Exclusive', LineItems: [45.45, 45.45].map((a) => ({ Description: 'x', Quantity: 1, UnitAmount: a, AccountCode: '200', TaxType: 'OUTPUT' })) });
    expect(inv).toMatchObject({ SubTotal: 90.9, TotalTax: 9.1, Total: 100 });
    expect(au.balance(String(au.taxAccount().AccountID))).toBe(-910);
    const uk = new XeroBooks([{ name: 'UK', currency: 'GBP', country: 'GB' }], now).tenants[0]!;
    // 4 × 59.99 at 20 % inclusive: total 239.96, net round(239.96 / 1.2) = 199.97, VAT 39.99.
    const tx = uk.createBankTransaction(bankTx([{ Description: 'fees', Quantity: 4, UnitAmount: 59.99, AccountCode: '429', TaxType: 'INPUT2' }], { LineAmountTypes: 'Inclusive' }));
    expect(tx).toMatchObject({ Total: 239.96, TotalTax: 39.99, SubTotal: 199.97 });
    expect(uk.balance(String(uk.taxAccount().AccountID))).toBe(3999);
    const none = uk.createBankTransaction(bankTx([{ Description: 'fees', LineAmount: 10, AccountCode: '429', TaxType: 'INPUT2' }], { LineAmountTypes: 'NoTax' }));
    expect(none).toMatchObject({ Total: 10, TotalTax: 0 });
  });

  it('a TaxAmount override: accepted on invoices, refused on bank transactions when it differs', () => {
    const uk = new XeroBooks([{ name: 'UK', currency: 'GBP', country: 'GB' }], now).tenants[0]!;
    const inv = uk.createInvoice({ Type: 'ACCREC', Status: 'AUTHORISED', Contact: { Name: 'C' }, LineAmountTypes: 'Inclusive', LineItems: [{ Description: 'x', Quantity: 1, UnitAmount: 12, AccountCode: '200', TaxType: 'OUTPUT2', TaxAmount: 1.99 }] });
    expect(inv).toMatchObject({ Total: 12, TotalTax: 1.99, SubTotal: 10.01 });
    expect(() => uk.createBankTransaction(bankTx([{ Description: 'x', LineAmount: 12, AccountCode: '429', TaxType: 'INPUT2', TaxAmount: 1.99 }]))).toThrow('Tax amount 1.99 is incorrect for INPUT2 tax type, should be 2.00');
  });
});

describe('QuickBooks sandbox read-back shapes', () => {
  it('numbers lines, names references, adds the SubTotal line; Invoice and Payment are queryable', () => {
    const c = qbo('US');
    const s = setup(c);
    const r = c.create('SalesReceipt', sale(s.item, s.clearing, [{ amount: 10 }, { amount: 5 }]));
    expect(r.Line.map((l: Obj) => [l.Id, l.LineNum, l.DetailType])).toEqual([['1', 1, 'SalesItemLineDetail'], ['2', 2, 'SalesItemLineDetail'], [undefined, undefined, 'SubTotalLineDetail']]);
    expect(r.Line[2].Amount).toBe(15);
    expect(r.Line[0].SalesItemLineDetail.ItemRef.name).toBe('TikTok Sales');
    expect(r.DepositToAccountRef.name).toBe('TikTok Clearing');
    expect(r.TotalAmt).toBe(15);
    expect(c.query('select * from Invoice')).toEqual({});
    expect(c.query('select count(*) from Payment')).toEqual({ totalCount: 0 });
  });
});

describe('Xero sandbox list and write options', () => {
  const api = new AccountingApi('synder', now);
  const tx = (unit: number, qty = 3) => ({ Type: 'SPEND', Contact: { Name: 'TikTok' }, BankAccount: { Code: '090' }, LineAmountTypes: 'NoTax', LineItems: [{ Description: 'x', Quantity: qty, UnitAmount: unit, AccountCode: '429' }] });
  const put = (t: XeroBooks['tenants'][number], body: Obj, query = '') => api.handle({ method: 'PUT', path: '/BankTransactions', query: new URLSearchParams(query), body: { BankTransactions: [body] }, tenant: t });

  it('unitdp: a UnitAmount keeps 2 decimals unless the call asks for 4', () => {
    const t = new XeroBooks([{ name: 'US', currency: 'USD', country: 'US' }], now).tenants[0]!;
    const two = ((put(t, tx(3.3333)).body as Obj).BankTransactions as Obj[])[0]!;
    expect(two).toMatchObject({ Total: 9.99, LineItems: [{ UnitAmount: 3.33, LineAmount: 9.99 }] });
    const four = ((put(t, tx(3.3333), 'unitdp=4').body as Obj).BankTransactions as Obj[])[0]!;
    expect(four).toMatchObject({ Total: 10, LineItems: [{ UnitAmount: 3.3333, LineAmount: 10 }] });
  });

  it('order, If-Modified-Since and summaryOnly on lists', () => {
    let clock = Date.UTC(2026, 0, 1);
    const books = new XeroBooks([{ name: 'US', currency: 'USD', country: 'US' }], () => clock);
    const t = books.tenants[0]!;
    const inv = (n: string) => t.createInvoice({ Type: 'ACCREC', Status: 'AUTHORISED', InvoiceNumber: n, Contact: { Name: 'C' }, LineItems: [{ Description: 'x', Quantity: 1, UnitAmount: 1, AccountCode: '200' }] });
    inv('A-1');
    clock += 60_000;
    inv('B-2');
    const list = (query: string, ifModifiedSince?: string) =>
      ((api.handle({ method: 'GET', path: '/Invoices', query: new URLSearchParams(query), body: undefined, tenant: t, ifModifiedSince }).body as Obj).Invoices as Obj[]);
    expect(list('order=InvoiceNumber DESC').map((i) => i.InvoiceNumber)).toEqual(['B-2', 'A-1']);
    expect(list('order=UpdatedDateUTC ASC').map((i) => i.InvoiceNumber)).toEqual(['A-1', 'B-2']);
    expect(list('', new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toISOString()).map((i) => i.InvoiceNumber)).toEqual(['B-2']);
    expect(list('summaryOnly=true')[0]!.LineItems).toBeUndefined();
    expect(list('')[0]!.LineItems).toHaveLength(1);
  });
});
