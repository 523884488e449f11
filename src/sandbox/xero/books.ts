import { randomUUID, createHash } from 'node:crypto';
import { formatMinor } from '../../booking/money.js';
import { netOfInclusive, percentOf } from '../quickbooks/tax.js';
import { lineMinor, toMinor, toNumber } from './decimal.js';
import { canApply, defaultAccountTaxType, noTaxType, taxAccountName, taxRatesFor, type TaxRate } from './tax.js';

/**
 * The sandbox's ledger: one set of books per tenant (organisation), with Xero's business rules
 * for the objects synder writes. Every authorised object leaves postings (debit positive, minor
 * units of the base currency), so balances, the trial balance and tests all read the same numbers.
 */

export type Wire = Record<string, unknown>;

export class RuleError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('; '));
  }
}

interface Posting {
  objectId: string;
  accountId: string;
  minor: number;
  date: string;
}

export interface TenantInit {
  name: string;
  currency?: string;
  country?: string;
  /** Registered for VAT/GST (PaysTax). Default: true outside the US. */
  paysTax?: boolean;
}

type LineAmountTypes = 'Exclusive' | 'Inclusive' | 'NoTax';

const CLASS_OF: Record<string, string> = {
  BANK: 'ASSET', CURRENT: 'ASSET', FIXED: 'ASSET', INVENTORY: 'ASSET', NONCURRENT: 'ASSET', PREPAYMENT: 'ASSET',
  CURRLIAB: 'LIABILITY', LIABILITY: 'LIABILITY', TERMLIAB: 'LIABILITY', PAYG: 'LIABILITY',
  EQUITY: 'EQUITY',
  DEPRECIATN: 'EXPENSE', DIRECTCOSTS: 'EXPENSE', EXPENSE: 'EXPENSE', OVERHEADS: 'EXPENSE',
  OTHERINCOME: 'REVENUE', REVENUE: 'REVENUE', SALES: 'REVENUE',
};
export const ACCOUNT_TYPES = Object.keys(CLASS_OF);

const msDate = (isoDate: string): string => `/Date(${Date.parse(`${isoDate}T00:00:00Z`)}+0000)/`;
const msNow = (ms: number): string => `/Date(${ms}+0000)/`;

/** Xero accepts `YYYY-MM-DD`, an ISO timestamp, or MS-JSON `/Date(…)/` in requests. */
export function parseXeroDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let m = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(value);
  if (m) return new Date(Number(m[1])).toISOString().slice(0, 10);
  m = /^(\d{4}-\d{2}-\d{2})(T[\d:.]+Z?)?$/.exec(value);
  if (m && !Number.isNaN(Date.parse(m[1]!))) return m[1];
  return undefined;
}

/** A unit amount rounded half away from zero to `dp` decimals, as a decimal string (exact). */
function roundUnit(value: unknown, dp: number): string | undefined {
  const s = String(value).trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && !m[3])) return s;
  const frac = m[3] ?? '';
  if (frac.length <= dp) return s;
  const digits = BigInt((m[2] || '0') + frac.slice(0, dp));
  const up = Number(frac[dp]) >= 5 ? 1n : 0n;
  const r = (digits + up).toString().padStart(dp + 1, '0');
  return `${m[1]}${r.slice(0, -dp)}.${r.slice(-dp)}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const obj = (v: unknown): Wire | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Wire) : undefined);

export class TenantBooks {
  readonly tenantId = randomUUID();
  readonly shortCode: string;
  readonly currency: string;
  readonly country: string;
  readonly paysTax: boolean;
  readonly taxRates: TaxRate[];
  periodLockDate?: string;
  /** Decimals a UnitAmount keeps on the current write: 2, or 4 with ?unitdp=4. */
  unitDp: 2 | 4 = 2;
  readonly accounts = new Map<string, Wire>();
  readonly contacts = new Map<string, Wire>();
  readonly invoices = new Map<string, Wire>();
  readonly creditNotes = new Map<string, Wire>();
  /** Lower-cased InvoiceNumber / CreditNoteNumber → ids (numbers never change once created), so the uniqueness check does not scan every document. */
  private readonly salesNumbers = new Map<Map<string, Wire>, Map<string, string[]>>();
  readonly payments = new Map<string, Wire>();
  readonly bankTransactions = new Map<string, Wire>();
  readonly bankTransfers = new Map<string, Wire>();
  private postings: Posting[] = [];
  private readonly createdAt: number;

  constructor(readonly name: string, init: TenantInit, private readonly now: () => number) {
    this.currency = (init.currency ?? 'USD').toUpperCase();
    this.country = (init.country ?? 'US').toUpperCase();
    this.paysTax = init.paysTax ?? this.country !== 'US';
    this.taxRates = taxRatesFor(this.country);
    this.shortCode = '!' + createHash('sha256').update(this.tenantId).digest('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 5);
    this.createdAt = now();
    const chart: Array<[string, string, string, Wire?]> = [
      ['090', 'Business Bank Account', 'BANK', { BankAccountNumber: '12-3456-7890123-00', BankAccountType: 'BANK' }],
      ['200', 'Sales', 'REVENUE'],
      ['260', 'Other Revenue', 'REVENUE'],
      ['404', 'Bank Fees', 'EXPENSE'],
      ['429', 'General Expenses', 'EXPENSE'],
      ['610', 'Accounts Receivable', 'CURRENT', { SystemAccount: 'DEBTORS' }],
      ['800', 'Accounts Payable', 'CURRLIAB', { SystemAccount: 'CREDITORS' }],
      ['820', taxAccountName(this.country), 'CURRLIAB', { SystemAccount: 'GST' }],
      ['860', 'Rounding', 'CURRLIAB', { SystemAccount: 'ROUNDING' }],
      ['960', 'Retained Earnings', 'EQUITY', { SystemAccount: 'RETAINEDEARNINGS' }],
    ];
    for (const [Code, Name, Type, extra] of chart) this.insertAccount({ Code, Name, Type, ...extra });
  }

  // ---- reading -------------------------------------------------------------------------

  organisation(): Wire {
    return {
      OrganisationID: this.tenantId,
      Name: this.name,
      LegalName: this.name,
      PaysTax: this.paysTax,
      SalesTaxBasis: this.paysTax ? 'ACCRUAL' : 'NONE',
      SalesTaxPeriod: this.paysTax ? 'QUARTERLY1' : 'NONE',
      DefaultSalesTax: 'Tax Exclusive',
      DefaultPurchasesTax: 'Tax Inclusive',
      ...(this.paysTax && this.country === 'GB' ? { TaxNumber: 'GB123456789' } : {}),
      Version: this.country === 'US' ? 'US' : this.country === 'GB' ? 'UK' : this.country,
      OrganisationType: 'COMPANY',
      BaseCurrency: this.currency,
      CountryCode: this.country,
      IsDemoCompany: false,
      OrganisationStatus: 'ACTIVE',
      FinancialYearEndDay: 31,
      FinancialYearEndMonth: 12,
      ...(this.periodLockDate ? { PeriodLockDate: msDate(this.periodLockDate) } : {}),
      CreatedDateUTC: msNow(this.createdAt),
      Timezone: 'UTC',
      ShortCode: this.shortCode,
      Class: 'STANDARD',
      Edition: 'BUSINESS',
    };
  }

  /** Balance in minor units, debit positive, up to and including `asOf` when given. */
  balance(accountId: string, asOf?: string): number {
    let total = 0;
    for (const p of this.postings) if (p.accountId === accountId && (!asOf || p.date <= asOf)) total += p.minor;
    return total;
  }

  findAccount(ref: unknown): Wire | undefined {
    const o = obj(ref);
    if (!o) return undefined;
    const id = str(o.AccountID)?.toLowerCase();
    if (id) return this.accounts.get(id);
    const code = str(o.Code);
    if (code) return [...this.accounts.values()].find((a) => a.Code === code && a.Status === 'ACTIVE');
    return undefined;
  }

  accountByName(name: string): Wire | undefined {
    return [...this.accounts.values()].find((a) => String(a.Name).toLowerCase() === name.toLowerCase() && a.Status === 'ACTIVE');
  }

  trialBalance(asOf: string): Array<{ account: Wire; minor: number }> {
    return [...this.accounts.values()].map((account) => ({ account, minor: this.balance(String(account.AccountID), asOf) })).filter((r) => r.minor !== 0);
  }

  // ---- accounts and contacts -------------------------------------------------------------

  private insertAccount(a: Wire): Wire {
    const id = randomUUID();
    const acc: Wire = {
      AccountID: id,
      Code: a.Code,
      Name: a.Name,
      Type: a.Type,
      Status: 'ACTIVE',
      Class: CLASS_OF[String(a.Type)],
      EnablePaymentsToAccount: a.EnablePaymentsToAccount ?? false,
      ShowInExpenseClaims: false,
      ReportingCode: '',
      HasAttachments: false,
      UpdatedDateUTC: msNow(this.now()),
      AddToWatchlist: false,
      TaxType: str(a.TaxType) ?? defaultAccountTaxType(this.country, this.paysTax, CLASS_OF[String(a.Type)] ?? ''),
      ...(a.Type === 'BANK' ? { BankAccountNumber: a.BankAccountNumber, BankAccountType: a.BankAccountType ?? 'BANK', CurrencyCode: a.CurrencyCode ?? this.currency } : {}),
      ...(a.Description && a.Type !== 'BANK' ? { Description: a.Description } : {}),
      ...(a.SystemAccount ? { SystemAccount: a.SystemAccount } : {}),
    };
    this.accounts.set(id, acc);
    return acc;
  }

  createAccount(a: Wire): Wire {
    const errors: string[] = [];
    const code = str(a.Code);
    const name = str(a.Name);
    const type = str(a.Type);
    if (!code) errors.push('Please enter a Code.');
    else if (code.length > 10) errors.push('The Code must be no more than 10 characters long.');
    else if ([...this.accounts.values()].some((x) => String(x.Code).toLowerCase() === code.toLowerCase() && x.Status !== 'DELETED')) errors.push('Please enter a unique Code.');
    if (!name) errors.push('Please enter a Name.');
    else if (name.length > 150) errors.push('The Name must be no more than 150 characters long.');
    else if ([...this.accounts.values()].some((x) => String(x.Name).toLowerCase() === name.toLowerCase() && x.Status !== 'DELETED')) errors.push('Please enter a unique Name.');
    if (!type || !ACCOUNT_TYPES.includes(type)) errors.push('Please select a valid account Type.');
    const taxType = str(a.TaxType);
    if (taxType) {
      const r = this.taxRate(taxType);
      if (!r) errors.push(`The TaxType code '${taxType}' does not exist or cannot be used for this type of transaction.`);
      else if (type && CLASS_OF[type] && !canApply(r, CLASS_OF[type]!)) errors.push(`The TaxType code '${taxType}' cannot be used with account code '${code ?? ''}'.`);
    }
    if (type === 'BANK') {
      if (!str(a.BankAccountNumber)) errors.push('Please enter a valid Bank Account Number.');
      if (str(a.Description)) errors.push('Description cannot be set on bank accounts.');
      const cur = str(a.CurrencyCode);
      if (cur && cur !== this.currency) errors.push(`Organisation is not subscribed to currency ${cur}`);
    }
    if (errors.length) throw new RuleError(errors);
    return this.insertAccount(a);
  }

  findContact(ref: unknown): Wire | undefined {
    const o = obj(ref);
    if (!o) return undefined;
    const id = str(o.ContactID)?.toLowerCase();
    if (id) return this.contacts.get(id);
    const name = str(o.Name);
    if (name) return [...this.contacts.values()].find((c) => String(c.Name).toLowerCase() === name.toLowerCase() && c.ContactStatus === 'ACTIVE');
    const number = str(o.ContactNumber);
    if (number) return [...this.contacts.values()].find((c) => c.ContactNumber === number);
    return undefined;
  }

  /** Xero's contact update, for the fields synder sets: a new name (unique among active contacts) or contact number. */
  updateContact(id: string, c: Wire): Wire {
    const contact = this.contacts.get(id);
    if (!contact) throw new NotFound(`Contacts/${id}`);
    const name = str(c.Name);
    if (name !== undefined && name !== '') {
      if (name.length > 255) throw new RuleError(['The contact name must be no more than 255 characters long.']);
      const other = this.findContact({ Name: name });
      if (other && other.ContactID !== contact.ContactID) throw new RuleError([`The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`]);
      contact.Name = name;
    }
    const number = str(c.ContactNumber);
    if (number) {
      const other = this.findContact({ ContactNumber: number });
      if (other && other.ContactID !== contact.ContactID) throw new RuleError([`The contact number ${number} is already assigned to another contact.`]);
      contact.ContactNumber = number;
    }
    contact.UpdatedDateUTC = msNow(this.now());
    return contact;
  }

  createContact(c: Wire): Wire {
    const name = str(c.Name);
    if (!name) throw new RuleError(['The contact name must be specified.']);
    if (name.length > 255) throw new RuleError(['The contact name must be no more than 255 characters long.']);
    if (this.findContact({ Name: name })) {
      throw new RuleError([`The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`]);
    }
    const number = str(c.ContactNumber);
    if (number && this.findContact({ ContactNumber: number })) throw new RuleError([`The contact number ${number} is already assigned to another contact.`]);
    const id = randomUUID();
    const contact: Wire = {
      ContactID: id,
      ContactStatus: 'ACTIVE',
      Name: name,
      ...(number ? { ContactNumber: number } : {}),
      ...(str(c.EmailAddress) ? { EmailAddress: c.EmailAddress } : {}),
      IsSupplier: Boolean(c.IsSupplier),
      IsCustomer: Boolean(c.IsCustomer),
      Addresses: [],
      Phones: [],
      UpdatedDateUTC: msNow(this.now()),
      ContactGroups: [],
      HasAttachments: false,
      HasValidationErrors: false,
    };
    this.contacts.set(id, contact);
    return contact;
  }

  // ---- shared checks -----------------------------------------------------------------------

  private checkDate(raw: unknown, errors: string[], label = 'Date'): string {
    if (raw === undefined) return new Date(this.now()).toISOString().slice(0, 10);
    const d = parseXeroDate(raw);
    if (!d) {
      errors.push(`${label} is not a valid date.`);
      return new Date(this.now()).toISOString().slice(0, 10);
    }
    if (this.periodLockDate && d <= this.periodLockDate) errors.push(`The document date cannot be on or before the period lock date (${this.periodLockDate}).`);
    return d;
  }

  private checkCurrency(raw: unknown, errors: string[]): void {
    const cur = str(raw);
    if (cur && cur.toUpperCase() !== this.currency) errors.push(`Organisation is not subscribed to currency ${cur}`);
  }

  private contactFor(raw: unknown, errors: string[], required: boolean): Wire | undefined {
    const o = obj(raw);
    if (!o) {
      if (required) errors.push('A Contact must be specified for this type of transaction');
      return undefined;
    }
    const found = this.findContact(o);
    if (found) return found;
    if (str(o.ContactID)) {
      errors.push('The contact specified does not exist.');
      return undefined;
    }
    if (str(o.Name)) return this.createContact(o); // Xero creates a contact named on a document
    errors.push('The contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber');
    return undefined;
  }

  /** An ACTIVE-or-not rate of the organisation by TaxType. */
  taxRate(taxType: string): TaxRate | undefined {
    return this.taxRates.find((r) => r.TaxType === taxType.toUpperCase());
  }

  /** The GST/VAT system account every line's tax posts to. */
  taxAccount(): Wire {
    return [...this.accounts.values()].find((a) => a.SystemAccount === 'GST')!;
  }

  private lineAmountTypes(raw: unknown, fallback: LineAmountTypes, errors: string[]): LineAmountTypes {
    if (raw === undefined) return fallback;
    const v = String(raw);
    const found = (['Exclusive', 'Inclusive', 'NoTax'] as const).find((x) => x.toLowerCase() === v.toLowerCase());
    if (!found) errors.push(`LineAmountTypes must be Exclusive, Inclusive or NoTax (was ${v}).`);
    return found ?? fallback;
  }

  /**
   * Lines → [{accountId, net minor, tax minor}] in the document currency; errors collected.
   * Each line's tax is computed on its own LineAmount and rounded to the minor unit (half away
   * from zero), then summed: Xero's per-line rounding. A supplied TaxAmount replaces the computed
   * one on invoices and credit notes; a bank transaction refuses one that differs.
   */
  private lines(
    raw: unknown,
    errors: string[],
    opts: { allowBank: boolean; requireAccount: boolean; lat: LineAmountTypes; taxOverride: 'accept' | 'check' },
  ): Array<{ wire: Wire; accountId?: string; minor: number; tax: number }> {
    if (!Array.isArray(raw) || raw.length === 0) {
      errors.push('You must specify at least one line item.');
      return [];
    }
    return raw.map((l, i) => {
      const line = obj(l) ?? {};
      // Xero rounds a UnitAmount to 2 decimals (4 with unitdp=4) before multiplying.
      const unit = line.UnitAmount !== undefined ? roundUnit(line.UnitAmount, this.unitDp) : undefined;
      const minor = lineMinor(line.Quantity ?? 1, unit ?? line.LineAmount ?? 0, this.currency);
      if (minor === undefined) errors.push(`Line ${i + 1}: the amount is not a number.`);
      if (minor !== undefined && line.UnitAmount !== undefined && line.LineAmount !== undefined) {
        const sent = toMinor(line.LineAmount, this.currency);
        if (sent !== minor) errors.push(`The line total ${String(line.LineAmount)} does not match the expected line total ${toNumber(minor, this.currency)}`);
      }
      let account: Wire | undefined;
      if (str(line.AccountID) || str(line.AccountCode)) {
        account = this.findAccount({ AccountID: line.AccountID, Code: line.AccountCode });
        if (!account) errors.push(`Account code '${String(line.AccountCode ?? line.AccountID)}' is not a valid code for this document.`);
        else if (account.Status !== 'ACTIVE') errors.push(`Account '${String(account.Name)}' is archived.`);
        else if (!opts.allowBank && account.Type === 'BANK') errors.push(`Account '${String(account.Name)}' is a bank account and cannot be used on a line item; use a bank transfer.`);
        else if (account.SystemAccount === 'DEBTORS' || account.SystemAccount === 'CREDITORS') errors.push(`Account '${String(account.Name)}' is a system account and cannot be used on a line item.`);
      } else if (opts.requireAccount) errors.push(`Line ${i + 1}: an Account code must be specified.`);
      // Without a TaxType, the account's own tax rate applies.
      const taxType = (str(line.TaxType) ?? (account ? str(account.TaxType) : undefined) ?? noTaxType(this.country)).toUpperCase();
      const rate = this.taxRate(taxType);
      let tax = 0;
      if (!rate || rate.Status !== 'ACTIVE') errors.push(`The TaxType code '${taxType}' does not exist or cannot be used for this type of transaction.`);
      else if (account && !canApply(rate, String(account.Class))) errors.push(`The TaxType code '${taxType}' cannot be used with account code '${String(account.Code)}'.`);
      else if (opts.lat !== 'NoTax' && minor !== undefined) {
        tax = opts.lat === 'Exclusive' ? percentOf(minor, rate.EffectiveRate) : minor - netOfInclusive(minor, rate.EffectiveRate);
        if (line.TaxAmount !== undefined) {
          const sent = toMinor(line.TaxAmount, this.currency);
          if (sent === undefined) errors.push(`Line ${i + 1}: TaxAmount is not a number.`);
          else if (sent !== tax && opts.taxOverride === 'check') {
            errors.push(`Tax amount ${formatMinor(sent, this.currency)} is incorrect for ${taxType} tax type, should be ${formatMinor(tax, this.currency)}`);
          } else tax = sent;
        }
      }
      const net = opts.lat === 'Inclusive' ? (minor ?? 0) - tax : minor ?? 0;
      const qty = line.Quantity ?? 1;
      const wire: Wire = {
        LineItemID: randomUUID(),
        Description: line.Description ?? '',
        Quantity: Number(qty),
        UnitAmount: Number(unit ?? line.LineAmount ?? 0),
        ...(account ? { AccountCode: account.Code, AccountID: account.AccountID } : {}),
        TaxType: taxType,
        TaxAmount: toNumber(tax, this.currency),
        LineAmount: toNumber(minor ?? 0, this.currency),
        Tracking: [],
      };
      return { wire, accountId: account ? String(account.AccountID) : undefined, minor: net, tax };
    });
  }

  /** SubTotal (net), TotalTax and Total of a document's lines. */
  private totals(lines: Array<{ minor: number; tax: number }>): { sub: number; tax: number; total: number } {
    const sub = lines.reduce((s, l) => s + l.minor, 0);
    const tax = lines.reduce((s, l) => s + l.tax, 0);
    return { sub, tax, total: sub + tax };
  }

  private post(objectId: string, date: string, entries: Array<[string, number]>): void {
    for (const [accountId, minor] of entries) if (minor !== 0) this.postings.push({ objectId, accountId, minor, date });
  }

  private unpost(objectId: string): void {
    this.postings = this.postings.filter((p) => p.objectId !== objectId);
  }

  private ar(): string {
    return String([...this.accounts.values()].find((a) => a.SystemAccount === 'DEBTORS')!.AccountID);
  }

  // ---- invoices and credit notes -----------------------------------------------------------

  createInvoice(raw: Wire): Wire {
    return this.createSalesDoc(raw, 'Invoice');
  }

  createCreditNote(raw: Wire): Wire {
    return this.createSalesDoc(raw, 'CreditNote');
  }

  private createSalesDoc(raw: Wire, kind: 'Invoice' | 'CreditNote'): Wire {
    const errors: string[] = [];
    const isInvoice = kind === 'Invoice';
    const type = str(raw.Type);
    const allowed = isInvoice ? ['ACCREC', 'ACCPAY'] : ['ACCRECCREDIT', 'ACCPAYCREDIT'];
    if (!type || !allowed.includes(type)) errors.push(isInvoice ? 'Invoice Type must be ACCREC or ACCPAY.' : 'Credit Note Type must be ACCRECCREDIT or ACCPAYCREDIT.');
    const status = str(raw.Status) ?? 'DRAFT';
    if (!['DRAFT', 'SUBMITTED', 'AUTHORISED'].includes(status)) errors.push(`A new document cannot be created with status ${status}.`);
    const date = this.checkDate(raw.Date, errors);
    this.checkCurrency(raw.CurrencyCode, errors);
    const lat = this.lineAmountTypes(raw.LineAmountTypes, 'Exclusive', errors);
    const numberField = isInvoice ? 'InvoiceNumber' : 'CreditNoteNumber';
    const number = str(raw[numberField]);
    const store = isInvoice ? this.invoices : this.creditNotes;
    const receivable = type === 'ACCREC' || type === 'ACCRECCREDIT';
    if (number && number.length > 255) errors.push(`${isInvoice ? 'Invoice' : 'Credit Note'} number must be no more than 255 characters long.`);
    // Numbers are unique among live sales documents; a voided or deleted one frees its number [I].
    const sameNumber = number ? (this.salesNumbers.get(store)?.get(number.toLowerCase()) ?? []).map((x) => store.get(x)!) : [];
    if (number && receivable && sameNumber.some((d) => d.Status !== 'VOIDED' && d.Status !== 'DELETED')) {
      errors.push(isInvoice ? 'Invoice # must be unique.' : 'Credit Note # must be unique.');
    }
    const reference = str(raw.Reference);
    if (reference && reference.length > 255) errors.push('Reference must be no more than 255 characters long.');
    const lines = this.lines(raw.LineItems, errors, { allowBank: false, requireAccount: status === 'AUTHORISED', lat, taxOverride: 'accept' });
    const { sub, tax: totalTax, total } = this.totals(lines);
    if (total < 0) errors.push(`The ${isInvoice ? 'invoice' : 'credit note'} total cannot be negative.`);
    const contact = errors.length === 0 ? this.contactFor(raw.Contact, errors, true) : undefined;
    if (errors.length) throw new RuleError(errors);
    const id = randomUUID();
    const finalStatus = status === 'AUTHORISED' && total === 0 ? 'PAID' : status;
    const doc: Wire = {
      Type: type,
      Contact: { ContactID: contact!.ContactID, Name: contact!.Name },
      LineItems: lines.map((l) => l.wire),
      Date: msDate(date),
      DateString: `${date}T00:00:00`,
      ...(raw.DueDate !== undefined && parseXeroDate(raw.DueDate) ? { DueDate: msDate(parseXeroDate(raw.DueDate)!), DueDateString: `${parseXeroDate(raw.DueDate)}T00:00:00` } : {}),
      LineAmountTypes: lat,
      [numberField]: number ?? `${isInvoice ? 'INV' : 'CN'}-${String(store.size + 1).padStart(4, '0')}`,
      ...(reference ? { Reference: reference } : {}),
      ...(str(raw.Url) ? { Url: raw.Url } : {}),
      CurrencyCode: this.currency,
      CurrencyRate: 1,
      Status: finalStatus,
      SubTotal: toNumber(sub, this.currency),
      TotalTax: toNumber(totalTax, this.currency),
      Total: toNumber(total, this.currency),
      [isInvoice ? 'InvoiceID' : 'CreditNoteID']: id,
      HasAttachments: false,
      ...(isInvoice
        ? { AmountDue: toNumber(total, this.currency), AmountPaid: 0, AmountCredited: 0, IsDiscounted: false, Payments: [], CreditNotes: [], Prepayments: [], Overpayments: [] }
        : { RemainingCredit: toNumber(total, this.currency), Allocations: [], Payments: [] }),
      UpdatedDateUTC: msNow(this.now()),
      HasErrors: false,
    };
    store.set(id, doc);
    if (number) {
      let byNumber = this.salesNumbers.get(store);
      if (!byNumber) this.salesNumbers.set(store, (byNumber = new Map()));
      byNumber.set(number.toLowerCase(), [...(byNumber.get(number.toLowerCase()) ?? []), id]);
    }
    if (status === 'AUTHORISED' && receivable) {
      const sign = isInvoice ? 1 : -1; // invoice: Dr AR / Cr lines; credit note: the reverse
      this.post(id, date, [[this.ar(), sign * total], ...lines.map((l): [string, number] => [l.accountId!, -sign * l.minor]), [String(this.taxAccount().AccountID), -sign * totalTax]]);
    }
    return doc;
  }

  updateSalesDocStatus(kind: 'Invoice' | 'CreditNote', id: string, status: string): Wire {
    const store = kind === 'Invoice' ? this.invoices : this.creditNotes;
    const doc = store.get(id.toLowerCase());
    if (!doc) throw new NotFound(kind);
    const current = String(doc.Status);
    if (status === current) return doc;
    const live = (doc.Payments as Wire[]).filter((p) => p.Status !== 'DELETED');
    const date = parseXeroDate(doc.Date)!;
    const errors: string[] = [];
    if (this.periodLockDate && date <= this.periodLockDate) errors.push(`The document date cannot be on or before the period lock date (${this.periodLockDate}).`);
    if (status === 'VOIDED') {
      if (!['AUTHORISED', 'PAID', 'SUBMITTED'].includes(current)) errors.push(`A ${current} document cannot be voided.`);
      if (live.length) errors.push(`This ${kind === 'Invoice' ? 'invoice' : 'credit note'} cannot be voided because it has payments applied. Remove the payments first.`);
    } else if (status === 'DELETED') {
      if (!['DRAFT', 'SUBMITTED'].includes(current)) errors.push(`Only DRAFT or SUBMITTED documents can be deleted; this one is ${current}. Void it instead.`);
    } else if (status === 'AUTHORISED' && ['DRAFT', 'SUBMITTED'].includes(current)) {
      errors.push('Authorising an existing draft is not supported by this sandbox.');
    } else if (status !== current) errors.push(`The status cannot change from ${current} to ${status}.`);
    if (errors.length) throw new RuleError(errors);
    if (status !== current) {
      doc.Status = status;
      doc.UpdatedDateUTC = msNow(this.now());
      this.unpost(String(doc[kind === 'Invoice' ? 'InvoiceID' : 'CreditNoteID']));
    }
    return doc;
  }

  // ---- payments ----------------------------------------------------------------------------

  createPayment(raw: Wire): Wire {
    const errors: string[] = [];
    const date = this.checkDate(raw.Date, errors);
    const invRef = obj(raw.Invoice);
    const cnRef = obj(raw.CreditNote);
    let target: Wire | undefined;
    let kind: 'Invoice' | 'CreditNote' | undefined;
    if (invRef || str(raw.InvoiceNumber)) {
      kind = 'Invoice';
      const id = str(invRef?.InvoiceID)?.toLowerCase();
      const num = str(invRef?.InvoiceNumber) ?? str(raw.InvoiceNumber);
      target = id ? this.invoices.get(id) : [...this.invoices.values()].find((i) => i.InvoiceNumber === num && i.Status !== 'VOIDED' && i.Status !== 'DELETED');
    } else if (cnRef || str(raw.CreditNoteNumber)) {
      kind = 'CreditNote';
      const id = str(cnRef?.CreditNoteID)?.toLowerCase();
      const num = str(cnRef?.CreditNoteNumber) ?? str(raw.CreditNoteNumber);
      target = id ? this.creditNotes.get(id) : [...this.creditNotes.values()].find((i) => i.CreditNoteNumber === num && i.Status !== 'VOIDED' && i.Status !== 'DELETED');
    } else errors.push('You must specify an Invoice or a CreditNote for a payment.');
    if (kind && !target) errors.push(`${kind === 'Invoice' ? 'Invoice' : 'Credit note'} could not be found.`);
    if (target && target.Status !== 'AUTHORISED') errors.push(`Payments can only be made against AUTHORISED documents; this one is ${String(target.Status)}.`);
    const account = this.findAccount(raw.Account);
    if (!account) errors.push('Account could not be found.');
    else if (account.Type !== 'BANK' && account.EnablePaymentsToAccount !== true) {
      errors.push(`Payments can only be made to or from a bank account or an account with payments enabled ("${String(account.Name)}" is ${String(account.Type)}).`);
    }
    const amount = toMinor(raw.Amount, this.currency);
    if (amount === undefined || amount <= 0) errors.push('Payment amount must be greater than zero and use the currency\'s decimal places.');
    const outstanding = target ? (kind === 'Invoice' ? toMinor(target.AmountDue, this.currency)! : toMinor(target.RemainingCredit, this.currency)!) : 0;
    if (target && amount !== undefined && amount > outstanding) errors.push(`Payment amount (${raw.Amount}) exceeds the amount outstanding on this document (${toNumber(outstanding, this.currency)}).`);
    const reference = str(raw.Reference);
    if (reference && reference.length > 255) errors.push('Reference must be no more than 255 characters long.');
    if (errors.length) throw new RuleError(errors);
    const id = randomUUID();
    const isInv = kind === 'Invoice';
    const payment: Wire = {
      PaymentID: id,
      Date: msDate(date),
      Amount: toNumber(amount!, this.currency),
      BankAmount: toNumber(amount!, this.currency),
      CurrencyRate: 1,
      ...(reference ? { Reference: reference } : {}),
      IsReconciled: raw.IsReconciled === true,
      Status: 'AUTHORISED',
      PaymentType: isInv ? 'ACCRECPAYMENT' : 'ARCREDITPAYMENT',
      UpdatedDateUTC: msNow(this.now()),
      Account: { AccountID: account!.AccountID, Code: account!.Code },
      ...(isInv
        ? { Invoice: { InvoiceID: target!.InvoiceID, InvoiceNumber: target!.InvoiceNumber, Type: target!.Type } }
        : { CreditNote: { CreditNoteID: target!.CreditNoteID, CreditNoteNumber: target!.CreditNoteNumber, Type: target!.Type } }),
      HasAccount: false,
      HasValidationErrors: false,
    };
    this.payments.set(id, payment);
    this.applyPayment(payment, target!, isInv, amount!);
    const sign = isInv ? 1 : -1; // receipt: Dr bank / Cr AR; refund: the reverse
    this.post(id, date, [[String(account!.AccountID), sign * amount!], [this.ar(), -sign * amount!]]);
    return payment;
  }

  private applyPayment(payment: Wire, target: Wire, isInv: boolean, amount: number): void {
    const field = isInv ? 'AmountDue' : 'RemainingCredit';
    const left = toMinor(target[field], this.currency)! - amount;
    target[field] = toNumber(left, this.currency);
    if (isInv) target.AmountPaid = toNumber(toMinor(target.AmountPaid, this.currency)! + amount, this.currency);
    (target.Payments as Wire[]).push({ PaymentID: payment.PaymentID, Date: payment.Date, Amount: payment.Amount, Reference: payment.Reference, HasAccount: false, HasValidationErrors: false });
    target.Status = left === 0 ? 'PAID' : 'AUTHORISED';
    target.UpdatedDateUTC = msNow(this.now());
  }

  deletePayment(id: string, status: unknown): Wire {
    const p = this.payments.get(id.toLowerCase());
    if (!p) throw new NotFound('Payment');
    if (status !== 'DELETED') throw new RuleError(['A payment can only be updated to Status DELETED.']);
    if (p.Status === 'DELETED') return p;
    const errors: string[] = [];
    if (p.IsReconciled === true) errors.push('This payment cannot be deleted as it has been reconciled.');
    const date = parseXeroDate(p.Date)!;
    if (this.periodLockDate && date <= this.periodLockDate) errors.push(`The payment date cannot be on or before the period lock date (${this.periodLockDate}).`);
    if (errors.length) throw new RuleError(errors);
    const isInv = p.Invoice !== undefined;
    const target = isInv ? this.invoices.get(String((p.Invoice as Wire).InvoiceID)) : this.creditNotes.get(String((p.CreditNote as Wire).CreditNoteID));
    if (target) {
      const amount = toMinor(p.Amount, this.currency)!;
      const field = isInv ? 'AmountDue' : 'RemainingCredit';
      target[field] = toNumber(toMinor(target[field], this.currency)! + amount, this.currency);
      if (isInv) target.AmountPaid = toNumber(toMinor(target.AmountPaid, this.currency)! - amount, this.currency);
      target.Payments = (target.Payments as Wire[]).filter((x) => x.PaymentID !== p.PaymentID);
      target.Status = 'AUTHORISED';
    }
    p.Status = 'DELETED';
    p.UpdatedDateUTC = msNow(this.now());
    this.unpost(id.toLowerCase());
    return p;
  }

  // ---- bank transactions and transfers ----------------------------------------------------

  createBankTransaction(raw: Wire): Wire {
    const errors: string[] = [];
    const type = str(raw.Type);
    if (type !== 'SPEND' && type !== 'RECEIVE') {
      errors.push(type && /TRANSFER|OVERPAYMENT|PREPAYMENT/.test(type) ? `Bank transactions of type ${type} cannot be created here.` : 'The Type must be SPEND or RECEIVE.');
    }
    const bank = this.findAccount(raw.BankAccount);
    if (!bank) errors.push('The bank account could not be found.');
    else if (bank.Type !== 'BANK') errors.push(`"${String(bank.Name)}" is not a bank account; bank transactions can only be created on BANK accounts.`);
    const date = this.checkDate(raw.Date, errors);
    this.checkCurrency(raw.CurrencyCode, errors);
    const reference = str(raw.Reference);
    if (reference && reference.length > 255) errors.push('Reference must be no more than 255 characters long.');
    // Bank transactions are tax-inclusive unless they say otherwise.
    const lat = this.lineAmountTypes(raw.LineAmountTypes, 'Inclusive', errors);
    const lines = this.lines(raw.LineItems, errors, { allowBank: false, requireAccount: true, lat, taxOverride: 'check' });
    const { sub, tax: totalTax, total } = this.totals(lines);
    if (total < 0) errors.push('The total of a bank transaction cannot be negative.');
    const contact = errors.length === 0 ? this.contactFor(raw.Contact, errors, true) : undefined;
    if (errors.length) throw new RuleError(errors);
    const id = randomUUID();
    const tx: Wire = {
      BankTransactionID: id,
      Type: type,
      Contact: { ContactID: contact!.ContactID, Name: contact!.Name },
      LineItems: lines.map((l) => l.wire),
      BankAccount: { AccountID: bank!.AccountID, Code: bank!.Code, Name: bank!.Name },
      IsReconciled: raw.IsReconciled === true,
      Date: msDate(date),
      DateString: `${date}T00:00:00`,
      ...(reference ? { Reference: reference } : {}),
      ...(str(raw.Url) ? { Url: raw.Url } : {}),
      CurrencyCode: this.currency,
      CurrencyRate: 1,
      Status: 'AUTHORISED',
      LineAmountTypes: lat,
      SubTotal: toNumber(sub, this.currency),
      TotalTax: toNumber(totalTax, this.currency),
      Total: toNumber(total, this.currency),
      UpdatedDateUTC: msNow(this.now()),
      HasAttachments: false,
    };
    this.bankTransactions.set(id, tx);
    const sign = type === 'RECEIVE' ? 1 : -1;
    this.post(id, date, [[String(bank!.AccountID), sign * total], ...lines.map((l): [string, number] => [l.accountId!, -sign * l.minor]), [String(this.taxAccount().AccountID), -sign * totalTax]]);
    return tx;
  }

  updateBankTransactionStatus(id: string, status: unknown): Wire {
    const tx = this.bankTransactions.get(id.toLowerCase());
    if (!tx) throw new NotFound('BankTransaction');
    if (status !== 'DELETED' && status !== 'VOIDED') throw new RuleError(['Only the Status of a bank transaction can be changed here, to DELETED or VOIDED.']);
    if (tx.Status === status) return tx;
    const errors: string[] = [];
    if (String(tx.Type).endsWith('TRANSFER')) errors.push('This bank transaction is part of a bank transfer; delete the bank transfer instead.');
    if (tx.IsReconciled === true) errors.push('This Bank Transaction cannot be deleted as it has been reconciled.');
    const date = parseXeroDate(tx.Date)!;
    if (this.periodLockDate && date <= this.periodLockDate) errors.push(`The document date cannot be on or before the period lock date (${this.periodLockDate}).`);
    if (errors.length) throw new RuleError(errors);
    tx.Status = status;
    tx.UpdatedDateUTC = msNow(this.now());
    this.unpost(id.toLowerCase());
    return tx;
  }

  createBankTransfer(raw: Wire): Wire {
    const errors: string[] = [];
    const from = this.findAccount(raw.FromBankAccount);
    const to = this.findAccount(raw.ToBankAccount);
    if (!from) errors.push('The From bank account could not be found.');
    else if (from.Type !== 'BANK') errors.push(`The From account "${String(from.Name)}" must be a bank account.`);
    if (!to) errors.push('The To bank account could not be found.');
    else if (to.Type !== 'BANK') errors.push(`The To account "${String(to.Name)}" must be a bank account.`);
    if (from && to && from.AccountID === to.AccountID) errors.push('The From and To bank accounts must be different.');
    if (from && to && from.CurrencyCode !== to.CurrencyCode) errors.push('Bank transfers between accounts of different currencies are not supported.');
    const amount = toMinor(raw.Amount, this.currency);
    if (amount === undefined || amount <= 0) errors.push('The Amount must be greater than zero.');
    const date = this.checkDate(raw.Date, errors);
    const reference = str(raw.Reference);
    if (reference && reference.length > 255) errors.push('Reference must be no more than 255 characters long.');
    if (errors.length) throw new RuleError(errors);
    const id = randomUUID();
    const fromTx = randomUUID();
    const toTx = randomUUID();
    const t: Wire = {
      BankTransferID: id,
      FromBankAccount: { AccountID: from!.AccountID, Code: from!.Code, Name: from!.Name },
      ToBankAccount: { AccountID: to!.AccountID, Code: to!.Code, Name: to!.Name },
      Amount: toNumber(amount!, this.currency),
      Date: msDate(date),
      CurrencyRate: 1,
      FromBankTransactionID: fromTx,
      ToBankTransactionID: toTx,
      FromIsReconciled: raw.FromIsReconciled === true,
      ToIsReconciled: raw.ToIsReconciled === true,
      ...(reference ? { Reference: reference } : {}),
      HasAttachments: false,
      CreatedDateUTC: msNow(this.now()),
      Status: 'AUTHORISED',
    };
    this.bankTransfers.set(id, t);
    this.post(id, date, [[String(to!.AccountID), amount!], [String(from!.AccountID), -amount!]]);
    return t;
  }

  deleteBankTransfer(id: string, status: unknown): Wire {
    const t = this.bankTransfers.get(id.toLowerCase());
    if (!t) throw new NotFound('BankTransfer');
    if (status !== 'DELETED') throw new RuleError(['A bank transfer can only be updated to Status DELETED.']);
    if (t.Status === 'DELETED') return t;
    const errors: string[] = [];
    if (t.FromIsReconciled === true || t.ToIsReconciled === true) errors.push('This bank transfer cannot be deleted as one of its bank transactions has been reconciled.');
    const date = parseXeroDate(t.Date)!;
    if (this.periodLockDate && date <= this.periodLockDate) errors.push(`The document date cannot be on or before the period lock date (${this.periodLockDate}).`);
    if (errors.length) throw new RuleError(errors);
    t.Status = 'DELETED';
    this.unpost(id.toLowerCase());
    return t;
  }

  // ---- test helpers ---------------------------------------------------------------------------

  /** Marks an object reconciled, as matching it to a bank statement line in Xero would. */
  reconcile(type: 'Payment' | 'BankTransaction' | 'BankTransfer', id: string): void {
    const key = id.toLowerCase();
    if (type === 'Payment') this.payments.get(key)!.IsReconciled = true;
    else if (type === 'BankTransaction') this.bankTransactions.get(key)!.IsReconciled = true;
    else this.bankTransfers.get(key)!.FromIsReconciled = true;
  }
}

export class NotFound extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`);
  }
}

/** All tenants of one sandbox, for the server and for tests. */
export class XeroBooks {
  readonly tenants: TenantBooks[] = [];
  constructor(inits: TenantInit[], now: () => number) {
    for (const t of inits) this.tenants.push(new TenantBooks(t.name, t, now));
  }
  tenant(idOrName?: string): TenantBooks {
    if (idOrName === undefined) return this.tenants[0]!;
    const t = this.tenants.find((x) => x.tenantId === idOrName.toLowerCase() || x.name === idOrName);
    if (!t) throw new Error(`no tenant ${idOrName}`);
    return t;
  }
  byId(tenantId: string): TenantBooks | undefined {
    return this.tenants.find((x) => x.tenantId === tenantId.toLowerCase());
  }
  /** Balance of an account (by id or name) in minor units, debit positive. */
  balance(accountIdOrName: string, tenant?: string): number {
    const t = this.tenant(tenant);
    const acc = t.accounts.get(accountIdOrName.toLowerCase()) ?? t.accountByName(accountIdOrName);
    if (!acc) throw new Error(`no account ${accountIdOrName}`);
    return t.balance(String(acc.AccountID));
  }
  /** How many live objects of a type carry this number or reference. */
  count(type: 'Invoice' | 'CreditNote' | 'Payment' | 'BankTransaction' | 'BankTransfer', match: { number?: string; reference?: string } = {}, tenant?: string): number {
    const t = this.tenant(tenant);
    const store = { Invoice: t.invoices, CreditNote: t.creditNotes, Payment: t.payments, BankTransaction: t.bankTransactions, BankTransfer: t.bankTransfers }[type];
    return [...store.values()].filter((o) => {
      if (['DELETED', 'VOIDED'].includes(String(o.Status))) return false;
      if (match.number !== undefined && (o.InvoiceNumber ?? o.CreditNoteNumber) !== match.number) return false;
      if (match.reference !== undefined && o.Reference !== match.reference) return false;
      return true;
    }).length;
  }
}
