/**
 * The tax catalogue of a QuickBooks company, by country and sales-tax setting.
 *
 * Non-US companies (GB, CA, AU…) carry TaxCodes whose rates live in separate TaxRate
 * entities; every sales and purchase line needs a TaxCodeRef. US companies only know the
 * line pseudo codes TAX / NON; with automated sales tax (AST) the engine assigns one tax
 * group per document and taxes every line that does not say NON. Ids are opaque and differ
 * from the names on purpose: a client must look codes up by name, never assume an id.
 */

/** off: no sales tax / not VAT-registered; automated: US AST; on: non-US VAT/GST set up. */
export type SalesTaxMode = 'off' | 'automated' | 'on';

export interface TaxRateSeed {
  Id: string;
  Name: string;
  /** Percent, e.g. 20 for 20 %. */
  RateValue: number;
  SpecialTaxType: 'NONE' | 'ZERO_RATE' | 'FOREIGN_TAX' | 'REVERSE_CHARGE' | 'ADJUSTMENT_RATE';
  applicableOn: 'Sales' | 'Purchase';
}

export interface TaxCodeSeed {
  Id: string;
  Name: string;
  Description: string;
  Taxable: boolean;
  sales: string[];
  purchase: string[];
}

export interface TaxCatalogue {
  codes: TaxCodeSeed[];
  rates: TaxRateSeed[];
  /** The liability account every computed tax posts to (VAT Control, GST/HST Payable…). */
  control?: { Name: string; AccountType: string; AccountSubType: string };
  /** The word Intuit's "Make sure all your transactions have a … rate" error uses. */
  word: string;
  /** US AST: the tax group the engine assigns to every document. */
  astCodeId?: string;
}

const rate = (Id: string, Name: string, RateValue: number, applicableOn: 'Sales' | 'Purchase', SpecialTaxType: TaxRateSeed['SpecialTaxType'] = 'NONE'): TaxRateSeed => ({ Id, Name, RateValue, applicableOn, SpecialTaxType });

const GB: TaxCatalogue = {
  word: 'VAT',
  control: { Name: 'VAT Control', AccountType: 'Other Current Liability', AccountSubType: 'GlobalTaxPayable' },
  rates: [
    rate('4', 'SS-20.0', 20, 'Sales'),
    rate('3', 'SP-20.0', 20, 'Purchase'),
    rate('8', 'RS-5.0', 5, 'Sales'),
    rate('7', 'RP-5.0', 5, 'Purchase'),
    rate('10', 'ZS', 0, 'Sales', 'ZERO_RATE'),
    rate('9', 'ZP', 0, 'Purchase', 'ZERO_RATE'),
    rate('12', 'ES', 0, 'Sales'),
    rate('11', 'EP', 0, 'Purchase'),
    rate('14', 'NS', 0, 'Sales'),
    rate('13', 'NP', 0, 'Purchase'),
  ],
  codes: [
    { Id: '5', Name: '20.0% S', Description: 'Standard rated 20%', Taxable: true, sales: ['4'], purchase: ['3'] },
    { Id: '6', Name: '5.0% R', Description: 'Reduced rated 5%', Taxable: true, sales: ['8'], purchase: ['7'] },
    { Id: '15', Name: '0.0% Z', Description: 'Zero rated', Taxable: true, sales: ['10'], purchase: ['9'] },
    { Id: '17', Name: 'Exempt', Description: 'Exempt from VAT', Taxable: true, sales: ['12'], purchase: ['11'] },
    { Id: '19', Name: 'No VAT', Description: 'Outside the scope of VAT', Taxable: false, sales: ['14'], purchase: ['13'] },
  ],
};

const CA: TaxCatalogue = {
  word: 'GST/HST',
  control: { Name: 'GST/HST Payable', AccountType: 'Other Current Liability', AccountSubType: 'GlobalTaxPayable' },
  rates: [
    rate('21', 'GST (sales)', 5, 'Sales'),
    rate('22', 'GST (purchases)', 5, 'Purchase'),
    rate('23', 'HST ON (sales)', 13, 'Sales'),
    rate('24', 'HST ON (purchases)', 13, 'Purchase'),
    rate('25', 'Zero-rated (sales)', 0, 'Sales', 'ZERO_RATE'),
    rate('26', 'Zero-rated (purchases)', 0, 'Purchase', 'ZERO_RATE'),
    rate('27', 'Exempt (sales)', 0, 'Sales'),
    rate('28', 'Exempt (purchases)', 0, 'Purchase'),
    rate('29', 'Out of scope (sales)', 0, 'Sales'),
    rate('30', 'Out of scope (purchases)', 0, 'Purchase'),
  ],
  codes: [
    { Id: '4', Name: 'GST', Description: 'GST 5%', Taxable: true, sales: ['21'], purchase: ['22'] },
    { Id: '7', Name: 'HST ON', Description: 'HST Ontario 13%', Taxable: true, sales: ['23'], purchase: ['24'] },
    { Id: '9', Name: 'Zero-rated', Description: 'Zero-rated', Taxable: true, sales: ['25'], purchase: ['26'] },
    { Id: '11', Name: 'Exempt', Description: 'Exempt', Taxable: true, sales: ['27'], purchase: ['28'] },
    { Id: '13', Name: 'Out of Scope', Description: 'Out of scope', Taxable: false, sales: ['29'], purchase: ['30'] },
  ],
};

const AU: TaxCatalogue = {
  word: 'GST',
  control: { Name: 'GST Liabilities Payable', AccountType: 'Other Current Liability', AccountSubType: 'GlobalTaxPayable' },
  rates: [
    rate('31', 'GST (sales)', 10, 'Sales'),
    rate('32', 'GST (purchases)', 10, 'Purchase'),
    rate('33', 'GST free (sales)', 0, 'Sales', 'ZERO_RATE'),
    rate('34', 'GST free (purchases)', 0, 'Purchase', 'ZERO_RATE'),
    rate('35', 'Input taxed (sales)', 0, 'Sales'),
    rate('36', 'Out of scope (sales)', 0, 'Sales'),
    rate('37', 'Out of scope (purchases)', 0, 'Purchase'),
  ],
  codes: [
    { Id: '5', Name: 'GST', Description: 'GST 10%', Taxable: true, sales: ['31'], purchase: ['32'] },
    { Id: '8', Name: 'GST free', Description: 'GST free', Taxable: true, sales: ['33'], purchase: ['34'] },
    { Id: '10', Name: 'Input taxed', Description: 'Input taxed', Taxable: true, sales: ['35'], purchase: [] },
    { Id: '12', Name: 'Out of Scope', Description: 'Out of scope', Taxable: false, sales: ['36'], purchase: ['37'] },
  ],
};

/** TAX and NON exist in every US company; the group and its rates only once AST is set up. */
const US_PSEUDO: TaxCodeSeed[] = [
  { Id: 'TAX', Name: 'TAX', Description: 'TAX', Taxable: true, sales: [], purchase: [] },
  { Id: 'NON', Name: 'NON', Description: 'NON', Taxable: false, sales: [], purchase: [] },
];

const US_AST: TaxCatalogue = {
  word: 'sales tax',
  control: { Name: 'California Department of Tax and Fee Administration Payable', AccountType: 'Other Current Liability', AccountSubType: 'SalesTaxPayable' },
  rates: [rate('3', 'California', 7.25, 'Sales'), rate('6', 'Los Angeles County', 2.25, 'Sales')],
  codes: [...US_PSEUDO, { Id: '2', Name: 'Los Angeles, CA', Description: 'Los Angeles, CA (AST)', Taxable: true, sales: ['3', '6'], purchase: [] }],
  astCodeId: '2',
};

export const TAX_COUNTRIES = ['US', 'GB', 'CA', 'AU'] as const;
export type TaxCountry = (typeof TAX_COUNTRIES)[number];
export const HOME_CURRENCY: Record<TaxCountry, string> = { US: 'USD', GB: 'GBP', CA: 'CAD', AU: 'AUD' };

/** The catalogue a company of this country and setting starts with. */
export function taxCatalogue(country: string, mode: SalesTaxMode): TaxCatalogue {
  if (country === 'US') return mode === 'automated' ? US_AST : { word: 'sales tax', codes: US_PSEUDO, rates: [] };
  // A non-US company that has not set up VAT/GST has no codes at all.
  if (mode === 'off') return { word: 'VAT', codes: [], rates: [] };
  if (country === 'GB') return GB;
  if (country === 'CA') return CA;
  if (country === 'AU') return AU;
  return { ...GB, word: 'tax' };
}

/** Which setting a company of this country gets when none is asked for. */
export const defaultSalesTaxMode = (country: string): SalesTaxMode => (country === 'US' ? 'off' : 'on');

/** minor × percent / 100, rounded half away from zero (exact for rates with up to 4 decimals). */
export function percentOf(minor: number, percent: number): number {
  const p = BigInt(Math.round(percent * 10_000));
  const num = BigInt(minor) * p;
  const den = 1_000_000n;
  return roundDiv(num, den);
}

/** gross ÷ (1 + percent/100), rounded half away from zero: the net of a tax-inclusive amount. */
export function netOfInclusive(grossMinor: number, percent: number): number {
  const p = BigInt(Math.round(percent * 10_000));
  return roundDiv(BigInt(grossMinor) * 1_000_000n, 1_000_000n + p);
}

function roundDiv(num: bigint, den: bigint): number {
  const neg = num < 0n !== den < 0n;
  const a = num < 0n ? -num : num;
  const b = den < 0n ? -den : den;
  let q = a / b;
  if ((a % b) * 2n >= b) q += 1n;
  return Number(neg ? -q : q);
}
