import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { sharedDir } from '../helpers/cli.js';
import { OpenApiValidator } from '../../src/sandbox/xero/openapi.js';

const dir = sharedDir();

describe.skipIf(!dir)('Xero OpenAPI validator (needs ../shared reference data)', () => {
  const v = dir ? new OpenApiValidator(path.join(dir, 'xero-openapi', 'xero_accounting.yaml')) : undefined;

  it('accepts a well-formed ACCREC invoice envelope', () => {
    expect(v!.version).toBe('16.1.0');
    expect(v!.validate('Invoices', { Invoices: [{ Type: 'ACCREC', Date: '2026-01-01', CurrencyCode: 'USD', Status: 'AUTHORISED', LineAmountTypes: 'NoTax', LineItems: [{ Quantity: 1, UnitAmount: 12.5, AccountCode: '200' }] }] })).toEqual([]);
  });

  it('names the schema and the JSON path of each problem', () => {
    const problems = v!.validate('Invoices', { Invoices: [{ Type: 'SALE', CurrencyCode: 'XYZ', LineItems: [{ Quantity: '1' }] }] });
    const paths = problems.map((p) => p.path).sort();
    expect(paths).toEqual(['$.Invoices[0].CurrencyCode', '$.Invoices[0].LineItems[0].Quantity', '$.Invoices[0].Type']);
    expect(problems.every((p) => p.schema === 'Invoices')).toBe(true);
  });

  it('enforces required fields and uuid formats', () => {
    const problems = v!.validate('BankTransactions', { BankTransactions: [{ Type: 'SPEND', BankAccount: { AccountID: 'not-a-uuid' } }] });
    expect(problems.map((p) => p.path).sort()).toEqual(['$.BankTransactions[0]', '$.BankTransactions[0].BankAccount.AccountID']);
  });
});

describe.skipIf(!dir)('Xero sandbox answers match the spec (needs ../shared reference data)', () => {
  it('GET /TaxRates and GET /Organisation of a UK organisation, and a taxed bank transaction', async () => {
    const v = new OpenApiValidator(path.join(dir!, 'xero-openapi', 'xero_accounting.yaml'));
    const { AccountingApi, XeroBooks } = await import('../../src/sandbox/xero/index.js');
    const t = new XeroBooks([{ name: 'UK', currency: 'GBP', country: 'GB' }], () => 0).tenants[0]!;
    const api = new AccountingApi('synder', () => 0);
    const get = (p: string) => api.handle({ method: 'GET', path: p, query: new URLSearchParams(), body: undefined, tenant: t });
    expect(v.validate('TaxRates', get('/TaxRates').body)).toEqual([]);
    expect(v.validate('Organisations', get('/Organisation').body)).toEqual([]);
    const tx = t.createBankTransaction({ Type: 'SPEND', Contact: { Name: 'TikTok' }, BankAccount: { Code: '090' }, LineItems: [{ Description: 'fee', LineAmount: 12, AccountCode: '429', TaxType: 'INPUT2' }] });
    expect(v.validate('BankTransactions', api.envelope('BankTransactions', [tx]))).toEqual([]);
  });
});
