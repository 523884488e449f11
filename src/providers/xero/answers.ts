/** Schemas of the Xero Accounting API answers the connector reads, and what it derives from them. */
import { z } from 'zod';
import type { AccountClass } from '../../booking/document.js';
import { parseMinor } from '../../booking/money.js';
import { SynderError } from '../../errors.js';
import type { LedgerAccount } from '../ledger-connector.js';

export const TYPE_OF_CLASS: Record<AccountClass, string> = {
  bank: 'BANK',
  current_asset: 'CURRENT',
  income: 'REVENUE',
  expense: 'EXPENSE',
  other_income: 'OTHERINCOME',
  current_liability: 'CURRLIAB',
};

export const account = z.looseObject({
  AccountID: z.string(),
  Code: z.string().optional(),
  Name: z.string(),
  Type: z.string(),
  Status: z.string().optional(),
  BankAccountNumber: z.string().optional(),
  CurrencyCode: z.string().optional(),
  SystemAccount: z.string().optional(),
});
export const taxRates = z.looseObject({
  TaxRates: z.array(
    z.looseObject({
      TaxType: z.string(),
      Name: z.string(),
      Status: z.string().optional(),
      EffectiveRate: z.number().optional(),
      CanApplyToRevenue: z.boolean().optional(),
      CanApplyToExpenses: z.boolean().optional(),
    }),
  ),
});
export const orgTax = z.looseObject({ Organisations: z.array(z.looseObject({ CountryCode: z.string().optional(), PaysTax: z.boolean().optional() })).min(1) });
export const accounts = z.looseObject({ Accounts: z.array(account) });
export const organisations = z.looseObject({
  Organisations: z.array(z.looseObject({ OrganisationID: z.string().optional(), Name: z.string(), BaseCurrency: z.string(), CountryCode: z.string().optional(), ShortCode: z.string().optional() })).min(1),
});
export const contacts = z.looseObject({ Contacts: z.array(z.looseObject({ ContactID: z.string().optional(), Name: z.string().optional(), StatusAttributeString: z.string().optional() })) });
const cell = z.looseObject({ Value: z.string().optional(), Attributes: z.array(z.looseObject({ Id: z.string().optional(), Value: z.string().optional() })).optional() });
type Row = { RowType?: string; Cells?: Array<z.infer<typeof cell>>; Rows?: Row[] };
const row: z.ZodType<Row> = z.lazy(() => z.looseObject({ RowType: z.string().optional(), Cells: z.array(cell).optional(), Rows: z.array(row).optional() }));
export const report = z.looseObject({ Reports: z.array(z.looseObject({ Rows: z.array(row) })).min(1) });

export function toLedgerAccount(a: z.infer<typeof account>): LedgerAccount {
  return { id: a.AccountID, name: a.Name, type: a.Type, currency: a.CurrencyCode, code: a.Code };
}

/** An account's YTD debit − credit on a Trial Balance report; an account without movements is not listed (0). */
export function trialBalanceOf(rep: z.infer<typeof report>['Reports'][number], accountId: string, currency: string): number {
  const header = rep.Rows.find((r) => r.RowType === 'Header')?.Cells?.map((c) => c.Value ?? '') ?? [];
  const dr = header.indexOf('YTD Debit');
  const cr = header.indexOf('YTD Credit');
  if (dr < 0 || cr < 0) throw new SynderError('Xero Trial Balance has no YTD Debit / YTD Credit columns.', { code: 'invalid_response' });
  const amount = (v: string | undefined, field: string) => (v && v.trim() !== '' ? parseMinor(v.replace(/,/g, ''), currency, `Trial Balance ${field}`) : 0);
  const walk = (rows: Row[]): number | undefined => {
    for (const r of rows) {
      if (r.RowType === 'Row' && r.Cells?.[0]?.Attributes?.some((a) => a.Id === 'account' && a.Value?.toLowerCase() === accountId.toLowerCase())) {
        return amount(r.Cells[dr]?.Value, 'YTD Debit') - amount(r.Cells[cr]?.Value, 'YTD Credit');
      }
      const inner = r.Rows ? walk(r.Rows) : undefined;
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  return walk(rep.Rows) ?? 0;
}

/** What the user can do about a document Xero refused, from its validation messages; undefined when nothing specific applies. */
export function fixForRefusal(errors: string[]): string | undefined {
  const text = errors.join(' ');
  if (/period lock date/i.test(text)) return 'The date is in a locked period in Xero: move the lock date (Advisor → Financial settings) or book it in an open period.';
  if (/not subscribed to currency/i.test(text)) return 'Enable this currency in Xero (Settings → Currencies) or use a clearing account in the base currency.';
  if (/must be unique/i.test(text)) return 'A document with this number already exists in Xero; run `synder sync` again to link it instead of creating it.';
  if (/account code|not a valid code|archived/i.test(text)) return 'Check the account mapping (`synder status`) and that the Xero accounts are active.';
  return undefined;
}
