/**
 * A Xero organisation's tax rates, by country: the system-defined TaxTypes a new organisation
 * starts with. Each rate says which account classes it may be used with (CanApplyTo*); a line
 * whose TaxType is missing from the organisation, not ACTIVE, or not allowed on its account's
 * class is refused.
 */

export interface TaxRate {
  Name: string;
  TaxType: string;
  ReportTaxType: string;
  Status: 'ACTIVE' | 'DELETED' | 'ARCHIVED' | 'PENDING';
  /** Percent, up to 4 decimals. */
  EffectiveRate: number;
  DisplayTaxRate: number;
  CanApplyToAssets: boolean;
  CanApplyToEquity: boolean;
  CanApplyToExpenses: boolean;
  CanApplyToLiabilities: boolean;
  CanApplyToRevenue: boolean;
  TaxComponents: Array<{ Name: string; Rate: number; IsCompound: boolean; IsNonRecoverable: boolean }>;
}

type Side = 'income' | 'expense' | 'both';

function rate(TaxType: string, Name: string, percent: number, side: Side, report: string, component = 'Tax', status: TaxRate['Status'] = 'ACTIVE'): TaxRate {
  return {
    Name,
    TaxType,
    ReportTaxType: report,
    Status: status,
    EffectiveRate: percent,
    DisplayTaxRate: percent,
    CanApplyToAssets: side !== 'income',
    CanApplyToEquity: true,
    CanApplyToExpenses: side !== 'income',
    CanApplyToLiabilities: true,
    CanApplyToRevenue: side !== 'expense',
    TaxComponents: [{ Name: component, Rate: percent, IsCompound: false, IsNonRecoverable: false }],
  };
}

const UK: TaxRate[] = [
  rate('OUTPUT2', '20% (VAT on Income)', 20, 'income', 'OUTPUT', 'VAT'),
  rate('INPUT2', '20% (VAT on Expenses)', 20, 'expense', 'INPUT', 'VAT'),
  rate('RROUTPUT', '5% (VAT on Income)', 5, 'income', 'OUTPUT', 'VAT'),
  rate('RRINPUT', '5% (VAT on Expenses)', 5, 'expense', 'INPUT', 'VAT'),
  rate('ZERORATEDOUTPUT', 'Zero Rated Income', 0, 'income', 'OUTPUT', 'VAT'),
  rate('ZERORATEDINPUT', 'Zero Rated Expenses', 0, 'expense', 'INPUT', 'VAT'),
  rate('EXEMPTOUTPUT', 'Exempt Income', 0, 'income', 'EXEMPTOUTPUT', 'VAT'),
  rate('EXEMPTINPUT', 'Exempt Expenses', 0, 'expense', 'EXEMPTINPUT', 'VAT'),
  rate('NONE', 'No VAT', 0, 'both', 'NONE', 'VAT'),
  rate('GSTONIMPORTS', 'VAT on Imports', 0, 'expense', 'GSTONIMPORTS', 'VAT'),
  rate('REVERSECHARGES', 'Reverse Charge Expenses (20%)', 20, 'expense', 'REVERSECHARGES', 'VAT'),
  // Legacy rates kept by old organisations: present, no longer usable.
  rate('OUTPUT', '17.5% (VAT on Income)', 17.5, 'income', 'OUTPUT', 'VAT', 'ARCHIVED'),
  rate('INPUT', '17.5% (VAT on Expenses)', 17.5, 'expense', 'INPUT', 'VAT', 'ARCHIVED'),
];

const AU: TaxRate[] = [
  rate('OUTPUT', 'GST on Income', 10, 'income', 'OUTPUT', 'GST'),
  rate('INPUT', 'GST on Expenses', 10, 'expense', 'INPUT', 'GST'),
  rate('EXEMPTOUTPUT', 'GST Free Income', 0, 'income', 'EXEMPTOUTPUT', 'GST'),
  rate('EXEMPTEXPENSES', 'GST Free Expenses', 0, 'expense', 'EXEMPTEXPENSES', 'GST'),
  rate('BASEXCLUDED', 'BAS Excluded', 0, 'both', 'BASEXCLUDED', 'GST'),
  rate('GSTONIMPORTS', 'GST on Imports', 0, 'expense', 'GSTONIMPORTS', 'GST'),
];

const CA: TaxRate[] = [
  rate('OUTPUT', 'GST on Sales', 5, 'income', 'OUTPUT', 'GST'),
  rate('INPUT', 'GST on Purchases', 5, 'expense', 'INPUT', 'GST'),
  rate('TAX001', 'HST (ON) on Sales', 13, 'income', 'OUTPUT', 'HST'),
  rate('TAX002', 'HST (ON) on Purchases', 13, 'expense', 'INPUT', 'HST'),
  rate('ZERORATEDOUTPUT', 'Zero Rated Sales', 0, 'income', 'OUTPUT', 'GST'),
  rate('EXEMPTOUTPUT', 'Exempt Sales', 0, 'income', 'EXEMPTOUTPUT', 'GST'),
  rate('NONE', 'No Tax', 0, 'both', 'NONE', 'GST'),
];

const US: TaxRate[] = [
  rate('OUTPUT', 'Tax on Sales', 0, 'income', 'OUTPUT'),
  rate('INPUT', 'Tax on Purchases', 0, 'expense', 'INPUT'),
  rate('NONE', 'Tax Exempt', 0, 'both', 'NONE'),
  rate('GSTONIMPORTS', 'Tax on Imports', 0, 'expense', 'GSTONIMPORTS'),
];

/** The rates an organisation of this country starts with. */
export function taxRatesFor(country: string): TaxRate[] {
  const list = country === 'GB' ? UK : country === 'AU' ? AU : country === 'CA' ? CA : US;
  return list.map((r) => structuredClone(r));
}

/** The no-tax TaxType of the country (what an unregistered organisation puts on every line). */
export const noTaxType = (country: string): string => (country === 'AU' ? 'BASEXCLUDED' : 'NONE');

/** The account's default TaxType when a line does not send one: by class, for a tax-paying organisation. */
export function defaultAccountTaxType(country: string, paysTax: boolean, accountClass: string): string {
  if (!paysTax) return noTaxType(country);
  if (country === 'GB') return accountClass === 'REVENUE' ? 'OUTPUT2' : accountClass === 'EXPENSE' ? 'INPUT2' : 'NONE';
  if (country === 'AU' || country === 'CA') return accountClass === 'REVENUE' ? 'OUTPUT' : accountClass === 'EXPENSE' ? 'INPUT' : noTaxType(country);
  return 'NONE';
}

/** Name of the GST/VAT system account. */
export const taxAccountName = (country: string): string => (country === 'GB' ? 'VAT' : country === 'US' ? 'Sales Tax' : 'GST');

export function canApply(rate: TaxRate, accountClass: string): boolean {
  switch (accountClass) {
    case 'REVENUE':
      return rate.CanApplyToRevenue;
    case 'EXPENSE':
      return rate.CanApplyToExpenses;
    case 'ASSET':
      return rate.CanApplyToAssets;
    case 'LIABILITY':
      return rate.CanApplyToLiabilities;
    default:
      return rate.CanApplyToEquity;
  }
}
