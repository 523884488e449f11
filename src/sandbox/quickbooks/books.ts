import { MoneyError, formatMinor, parseMinor } from '../../booking/money.js';
import { QboError, businessRule, invalidValue, lengthError, notFound, requiredParam, staleObject, unsupportedProperty, validation } from './fault.js';
import { checkFilterable, matches, parseQuery, runQuery } from './query.js';
import { defaultSalesTaxMode, netOfInclusive, percentOf, taxCatalogue, type SalesTaxMode, type TaxCatalogue } from './tax.js';

/** Fields kept as sent (not computed when presented), so a query may filter stored objects on them directly. */
const STORED_FILTER_FIELDS = new Set(['Id', 'DocNumber', 'TxnDate', 'PrivateNote', 'Name', 'DisplayName', 'Active', 'AccountType', 'Classification', 'AcctNum', 'Type', 'FullyQualifiedName']);

/**
 * One QuickBooks company: its objects, the rules QBO applies when they are written, and the
 * books they produce (every posted transaction moves account balances). Tests read it directly.
 */

export type Obj = Record<string, any>;

export const TXN_ENTITIES = ['SalesReceipt', 'RefundReceipt', 'Purchase', 'Deposit', 'Transfer', 'JournalEntry'] as const;
export const LIST_ENTITIES = ['Account', 'Item', 'Customer', 'Vendor'] as const;
/** Entities a client may query (invoices, payments) that synder never writes: always empty here. */
const QUERY_ONLY = ['Invoice', 'Payment'] as const;
/** Read-only through the entity endpoints (tax codes are created through the tax service). */
export const TAX_ENTITIES = ['TaxCode', 'TaxRate'] as const;
export type EntityName = (typeof TXN_ENTITIES)[number] | (typeof LIST_ENTITIES)[number] | (typeof TAX_ENTITIES)[number];
const ALL_ENTITIES: readonly EntityName[] = [...TXN_ENTITIES, ...LIST_ENTITIES, ...TAX_ENTITIES];
export const ENTITY_BY_PATH: Record<string, EntityName> = Object.fromEntries(ALL_ENTITIES.map((e) => [e.toLowerCase(), e])) as Record<string, EntityName>;

const ACCOUNT_TYPES: Record<string, string> = {
  Bank: 'Asset',
  'Accounts Receivable': 'Asset',
  'Other Current Asset': 'Asset',
  'Fixed Asset': 'Asset',
  'Other Asset': 'Asset',
  'Accounts Payable': 'Liability',
  'Credit Card': 'Liability',
  'Other Current Liability': 'Liability',
  'Long Term Liability': 'Liability',
  Equity: 'Equity',
  Income: 'Revenue',
  'Other Income': 'Revenue',
  'Cost of Goods Sold': 'Expense',
  Expense: 'Expense',
  'Other Expense': 'Expense',
};
const BALANCE_SHEET = new Set(['Asset', 'Liability', 'Equity']);
const DEPOSIT_TYPES = new Set(['Bank', 'Other Current Asset']);

const COMMON_TXN = ['Id', 'SyncToken', 'sparse', 'domain', 'MetaData', 'TxnDate', 'DocNumber', 'PrivateNote', 'CurrencyRef', 'ExchangeRate', 'Line', 'TxnTaxDetail', 'LinkedTxn', 'DepartmentRef', 'TxnSource', 'GlobalTaxCalculation', 'TotalAmt', 'HomeTotalAmt'];
const SALES = ['ShippingTaxIncludedInTotalTax', 'CustomerRef', 'DepositToAccountRef', 'PaymentMethodRef', 'PaymentRefNum', 'ApplyTaxAfterDiscount', 'ClassRef', 'CustomerMemo', 'BillEmail', 'PrintStatus', 'EmailStatus', 'BillAddr', 'ShipAddr', 'Balance'];
const ALLOWED: Record<EntityName, string[]> = {
  SalesReceipt: [...COMMON_TXN, ...SALES],
  RefundReceipt: [...COMMON_TXN, ...SALES],
  Purchase: [...COMMON_TXN, 'PaymentType', 'AccountRef', 'EntityRef', 'Credit', 'PrintStatus', 'RemitToAddr'],
  Deposit: [...COMMON_TXN, 'DepositToAccountRef', 'CashBack'],
  Transfer: [...COMMON_TXN, 'FromAccountRef', 'ToAccountRef', 'Amount'],
  JournalEntry: [...COMMON_TXN, 'Adjustment', 'JournalCodeRef'],
  Account: ['Id', 'SyncToken', 'sparse', 'domain', 'MetaData', 'Name', 'AccountType', 'AccountSubType', 'AcctNum', 'Description', 'Active', 'ParentRef', 'SubAccount', 'CurrencyRef', 'Classification', 'CurrentBalance', 'CurrentBalanceWithSubAccounts', 'FullyQualifiedName', 'TaxCodeRef'],
  Item: ['Id', 'SyncToken', 'sparse', 'domain', 'MetaData', 'Name', 'Type', 'IncomeAccountRef', 'ExpenseAccountRef', 'AssetAccountRef', 'Sku', 'Description', 'Active', 'Taxable', 'SalesTaxCodeRef', 'UnitPrice', 'TrackQtyOnHand', 'FullyQualifiedName'],
  Customer: ['Id', 'SyncToken', 'sparse', 'domain', 'MetaData', 'DisplayName', 'CompanyName', 'GivenName', 'FamilyName', 'CurrencyRef', 'Taxable', 'Active', 'Notes', 'PrimaryEmailAddr', 'BillAddr', 'FullyQualifiedName', 'PrintOnCheckName', 'Balance'],
  Vendor: ['Id', 'SyncToken', 'sparse', 'domain', 'MetaData', 'DisplayName', 'CompanyName', 'CurrencyRef', 'Active', 'PrimaryEmailAddr', 'FullyQualifiedName', 'Balance'],
  TaxCode: [],
  TaxRate: [],
};
const LINE_TYPES: Partial<Record<EntityName, string[]>> = {
  SalesReceipt: ['SalesItemLineDetail', 'DiscountLineDetail', 'SubTotalLineDetail', 'DescriptionOnly'],
  RefundReceipt: ['SalesItemLineDetail', 'DiscountLineDetail', 'SubTotalLineDetail', 'DescriptionOnly'],
  Purchase: ['AccountBasedExpenseLineDetail'],
  Deposit: ['DepositLineDetail'],
  JournalEntry: ['JournalEntryLineDetail'],
};

export interface CompanyOptions {
  realmId: string;
  companyName: string;
  currency: string;
  country: string;
  /** Default: off for US, on (VAT/GST registered) elsewhere. */
  salesTax?: SalesTaxMode;
  /** "Warn if duplicate … number is used" on (default): a second DocNumber in the same entity type → 6140. */
  rejectDuplicateDocNumbers?: boolean;
  now: () => number;
}

/** A posting: account id and amount in minor units, debit positive. */
export type Posting = [accountId: string, minor: number];

export class Company {
  readonly realmId: string;
  readonly companyName: string;
  readonly currency: string;
  readonly country: string;
  readonly rejectDuplicateDocNumbers: boolean;
  readonly salesTax: SalesTaxMode;
  readonly tax: TaxCatalogue;
  private readonly now: () => number;
  private readonly store = new Map<EntityName, Map<string, Obj>>();
  private nextId = 1;
  private balanceCache?: Map<string, number>;
  /** DocNumber → ids, per entity: the duplicate check must not scan the whole company on every write. */
  private readonly docNumbers = new Map<EntityName, Map<string, Set<string>>>();

  constructor(opts: CompanyOptions) {
    this.realmId = opts.realmId;
    this.companyName = opts.companyName;
    this.currency = opts.currency;
    this.country = opts.country;
    this.rejectDuplicateDocNumbers = opts.rejectDuplicateDocNumbers ?? true;
    this.salesTax = opts.salesTax ?? defaultSalesTaxMode(opts.country);
    if (this.salesTax === 'automated' && opts.country !== 'US') throw new Error('automated sales tax exists for US companies only');
    this.tax = taxCatalogue(opts.country, this.salesTax);
    this.now = opts.now;
    for (const e of ALL_ENTITIES) this.store.set(e, new Map());
    // A new QBO company comes with a chart of accounts; these are the ones that matter here.
    const seed: Array<[string, string, string]> = [
      ['Checking', 'Bank', 'Checking'],
      ['Savings', 'Bank', 'Savings'],
      ['Undeposited Funds', 'Other Current Asset', 'UndepositedFunds'],
      ['Accounts Receivable (A/R)', 'Accounts Receivable', 'AccountsReceivable'],
      ['Accounts Payable (A/P)', 'Accounts Payable', 'AccountsPayable'],
      ['Opening Balance Equity', 'Equity', 'OpeningBalanceEquity'],
      ['Sales of Product Income', 'Income', 'SalesOfProductIncome'],
      ['Services', 'Income', 'ServiceFeeIncome'],
      ['Bank Charges', 'Expense', 'BankCharges'],
      ['Uncategorized Expense', 'Expense', 'OtherMiscellaneousServiceCost'],
    ];
    if (this.tax.control) seed.push([this.tax.control.Name, this.tax.control.AccountType, this.tax.control.AccountSubType]);
    for (const [Name, AccountType, AccountSubType] of seed) this.create('Account', { Name, AccountType, AccountSubType });
    this.seedTaxCatalogue();
  }

  private seedTaxCatalogue(): void {
    const stamp = new Date(this.now()).toISOString();
    const meta = { CreateTime: stamp, LastUpdatedTime: stamp };
    for (const r of this.tax.rates) {
      this.store.get('TaxRate')!.set(r.Id, {
        Id: r.Id, SyncToken: '0', domain: 'QBO', sparse: false, MetaData: meta, Name: r.Name, Description: r.Name, Active: true,
        RateValue: r.RateValue, SpecialTaxType: r.SpecialTaxType, DisplayType: 'ReadOnly',
        ...(this.country !== 'US' ? { EffectiveTaxRate: [{ RateValue: r.RateValue, EffectiveDate: '2011-01-04' }] } : {}),
        AgencyRef: { value: '1' },
      });
    }
    const list = (ids: string[]) => ({ TaxRateDetail: ids.map((id, i) => ({ TaxRateRef: { value: id, name: this.tax.rates.find((r) => r.Id === id)!.Name }, TaxTypeApplicable: 'TaxOnAmount', TaxOrder: i })) });
    for (const c of this.tax.codes) {
      this.store.get('TaxCode')!.set(c.Id, {
        Id: c.Id, SyncToken: '0', domain: 'QBO', sparse: false, MetaData: meta, Name: c.Name, Description: c.Description, Active: true, Hidden: false,
        Taxable: c.Taxable, TaxGroup: c.sales.length + c.purchase.length > 2 || c.Id === this.tax.astCodeId,
        SalesTaxRateList: list(c.sales), PurchaseTaxRateList: list(c.purchase), TaxCodeConfigType: 'SYSTEM_GENERATED',
      });
    }
  }

  /** The account every computed tax posts to, if the company computes tax. */
  taxControlAccount(): Obj | undefined {
    return this.tax.control ? this.accountByName(this.tax.control.Name) : undefined;
  }

  // ---------- in-process inspection (tests, the deep-link pages) ----------

  all(entity: EntityName): Obj[] {
    return [...this.store.get(entity)!.values()].map((o) => this.present(entity, o));
  }
  get(entity: EntityName, id: string): Obj | undefined {
    const o = this.store.get(entity)!.get(id);
    return o ? this.present(entity, o) : undefined;
  }
  accountByName(name: string): Obj | undefined {
    return this.all('Account').find((a) => a.Name.toLowerCase() === name.toLowerCase());
  }
  /** Debit-positive balance in minor units of any account (P&L accounts included). */
  balance(accountIdOrName: string): number {
    const id = this.store.get('Account')!.has(accountIdOrName) ? accountIdOrName : this.accountByName(accountIdOrName)?.Id;
    if (!id) throw new Error(`no account "${accountIdOrName}"`);
    return this.balances().get(id) ?? 0;
  }
  /** Debit-positive totals by account name. */
  totals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, v] of this.balances()) out[this.store.get('Account')!.get(id)!.Name] = v;
    return out;
  }
  /** Transactions (any synder entity) carrying this DocNumber. */
  byDocNumber(docNumber: string): Array<{ entity: EntityName; object: Obj }> {
    const out: Array<{ entity: EntityName; object: Obj }> = [];
    for (const e of TXN_ENTITIES) for (const o of this.store.get(e)!.values()) if (o.DocNumber === docNumber) out.push({ entity: e, object: this.present(e, o) });
    return out;
  }
  count(entity: EntityName): number {
    return this.store.get(entity)!.size;
  }

  // ---------- API operations ----------

  create(entity: EntityName, body: Obj): Obj {
    this.refuseTaxWrite(entity, 'Create');
    this.checkProps(entity, body);
    const obj = this.validate(entity, structuredClone(body), undefined);
    const id = String(this.nextId++);
    const stamp = new Date(this.now()).toISOString();
    obj.Id = id;
    obj.SyncToken = '0';
    obj.domain = 'QBO';
    obj.sparse = false;
    obj.MetaData = { CreateTime: stamp, LastUpdatedTime: stamp };
    this.store.get(entity)!.set(id, obj);
    this.indexDocNumber(entity, obj, true);
    this.balanceCache = undefined;
    return this.present(entity, obj);
  }

  read(entity: EntityName, id: string): Obj {
    const o = this.store.get(entity)!.get(id);
    if (!o) throw notFound(`${entity} Id ${id}`);
    return this.present(entity, o);
  }

  update(entity: EntityName, body: Obj, include?: string): Obj {
    this.refuseTaxWrite(entity, 'Update');
    this.checkProps(entity, body);
    if (!body.Id) throw requiredParam('Id');
    if (body.SyncToken === undefined) throw requiredParam('SyncToken');
    const current = this.store.get(entity)!.get(String(body.Id));
    if (!current) throw notFound(`${entity} Id ${body.Id}`);
    if (String(body.SyncToken) !== current.SyncToken) throw staleObject();
    let next: Obj;
    if (include === 'void') {
      if (entity !== 'SalesReceipt') throw businessRule(`${entity} cannot be voided through the API; delete it instead`);
      next = structuredClone(current);
      next.Line = (next.Line ?? []).map((l: Obj) => ({ ...l, Amount: 0 }));
      next.PrivateNote = `Voided${next.PrivateNote ? `\n${next.PrivateNote}` : ''}`;
      next.TotalAmt = 0;
      next.Voided = true;
      if (next.TxnTaxDetail) next.TxnTaxDetail = { TotalTax: 0 };
      next.__tax = [];
      next.__taxTotal = 0;
    } else {
      const merged = body.sparse === true ? { ...structuredClone(current), ...structuredClone(body) } : { ...structuredClone(body) };
      for (const k of ['Id', 'SyncToken', 'MetaData', 'domain', 'sparse', 'TotalAmt', '__tax', '__taxTotal']) delete merged[k];
      // The stored tax detail was computed; only one the caller sends is an override.
      if (body.TxnTaxDetail === undefined) delete merged.TxnTaxDetail;
      next = this.validate(entity, merged, current.Id);
    }
    next.Id = current.Id;
    next.SyncToken = String(Number(current.SyncToken) + 1);
    next.domain = 'QBO';
    next.sparse = false;
    next.MetaData = { CreateTime: current.MetaData.CreateTime, LastUpdatedTime: new Date(this.now()).toISOString() };
    this.indexDocNumber(entity, current, false);
    this.store.get(entity)!.set(current.Id, next);
    this.indexDocNumber(entity, next, true);
    this.balanceCache = undefined;
    return this.present(entity, next);
  }

  delete(entity: EntityName, body: Obj): Obj {
    this.refuseTaxWrite(entity, 'Delete');
    if (!body.Id) throw requiredParam('Id');
    if (body.SyncToken === undefined) throw requiredParam('SyncToken');
    if ((LIST_ENTITIES as readonly string[]).includes(entity)) {
      throw businessRule(`${entity} objects cannot be deleted; make them inactive (Active: false) instead`);
    }
    const current = this.store.get(entity)!.get(String(body.Id));
    if (!current) throw notFound(`${entity} Id ${body.Id}`);
    if (String(body.SyncToken) !== current.SyncToken) throw staleObject();
    this.store.get(entity)!.delete(current.Id);
    this.indexDocNumber(entity, current, false);
    this.balanceCache = undefined;
    return { status: 'Deleted', domain: 'QBO', Id: current.Id };
  }

  query(sql: string): Obj {
    const q = parseQuery(sql);
    const entity = [...ALL_ENTITIES, 'CompanyInfo', 'Preferences', ...QUERY_ONLY].find((e) => e.toLowerCase() === q.entity.toLowerCase());
    if (!entity) throw new QboError(400, '4001', 'Invalid query', `QueryValidationError: Unknown entity '${q.entity}'`);
    checkFilterable(entity, q);
    let rows: Obj[];
    if (entity === 'CompanyInfo') rows = [this.companyInfo()];
    else if (entity === 'Preferences') rows = [this.preferences()];
    else if ((QUERY_ONLY as readonly string[]).includes(entity)) rows = [];
    else {
      // Conditions on stored fields are applied before presenting (a deep copy with computed
      // totals), so a query costs what it returns, not what the company holds; computed fields
      // (TotalAmt, Balance, CurrentBalance, a Transfer's Amount) are matched after.
      const stored = q.where.filter((c) => STORED_FILTER_FIELDS.has(c.field));
      const raw = [...this.store.get(entity as EntityName)!.values()].filter((o) => stored.every((c) => matches(o, c)));
      rows = raw.map((o) => this.present(entity as EntityName, o));
    }
    const { rows: page, total } = runQuery(rows, q);
    if (q.count) return { totalCount: total };
    if (page.length === 0) return {};
    return { [entity]: page, startPosition: q.start, maxResults: page.length };
  }

  companyInfo(): Obj {
    return {
      Id: '1',
      SyncToken: '0',
      domain: 'QBO',
      CompanyName: this.companyName,
      LegalName: this.companyName,
      Country: this.country,
      CompanyAddr: { Country: this.country },
      ...(this.country === 'US' ? {} : { NameValue: [{ Name: 'CompanyType', Value: 'LimitedCompany' }] }),
      FiscalYearStartMonth: 'January',
      SupportedLanguages: 'en',
      MetaData: { CreateTime: '2024-01-01T00:00:00.000Z' },
    };
  }

  preferences(): Obj {
    return {
      Id: '1',
      SyncToken: '0',
      domain: 'QBO',
      CurrencyPrefs: { MultiCurrencyEnabled: false, HomeCurrency: { value: this.currency } },
      SalesFormsPrefs: { CustomTxnNumbers: true, AllowDiscount: true, AllowShipping: false },
      TaxPrefs: this.taxPrefs(),
      AccountingInfoPrefs: { TrackDepartments: false, ClassTrackingPerTxn: false },
      OtherPrefs: { NameValue: [{ Name: 'SalesFormsPrefs.WarnDuplicateDocNum', Value: String(this.rejectDuplicateDocNumbers) }] },
    };
  }

  /** PartnerTaxEnabled is absent unless the company runs automated sales tax. */
  private taxPrefs(): Obj {
    if (this.salesTax === 'automated') return { UsingSalesTax: true, PartnerTaxEnabled: true, TaxGroupCodeRef: { value: this.tax.astCodeId } };
    return { UsingSalesTax: this.salesTax === 'on' };
  }

  // ---------- rules ----------

  private refuseTaxWrite(entity: EntityName, op: string): void {
    if ((TAX_ENTITIES as readonly string[]).includes(entity)) {
      throw new QboError(400, '4000', 'Unsupported Operation', `Operation ${op} is not supported for ${entity}; use the tax service.`, 'ValidationFault');
    }
  }

  private checkProps(entity: EntityName, body: Obj): void {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidValue(entity, 'the request body must be a JSON object');
    for (const k of Object.keys(body)) if (!ALLOWED[entity].includes(k)) throw unsupportedProperty(k);
  }

  private minor(value: unknown, field: string, currency = this.currency): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValue(field, `${JSON.stringify(value)} is not a number`);
    try {
      return parseMinor(String(value), currency, field);
    } catch (err) {
      if (err instanceof MoneyError) throw invalidValue(field, err.message);
      throw err;
    }
  }

  private account(ref: unknown, element: string): Obj {
    const id = ref && typeof ref === 'object' ? (ref as Obj).value : undefined;
    if (!id) throw requiredParam(element);
    const a = this.store.get('Account')!.get(String(id));
    if (!a || a.Active === false) throw notFound(`Account ${id}`, element);
    return a;
  }

  private listRef(entity: EntityName, ref: unknown, element: string): Obj {
    const id = ref && typeof ref === 'object' ? (ref as Obj).value : undefined;
    if (!id) throw requiredParam(element);
    const o = this.store.get(entity)!.get(String(id));
    if (!o || o.Active === false) throw notFound(`${entity} ${id}`, element);
    return o;
  }

  private uniqueName(entity: EntityName, field: string, value: string, selfId?: string): void {
    const clash = (e: EntityName) => [...this.store.get(e)!.values()].find((o) => o.Id !== selfId && String(o[field] ?? '').toLowerCase() === value.toLowerCase());
    // Customer, Vendor (and Employee) share one name list.
    const lists: EntityName[] = entity === 'Customer' || entity === 'Vendor' ? ['Customer', 'Vendor'] : [entity];
    for (const e of lists) {
      const other = clash(e);
      if (other) throw validation('6240', 'Duplicate Name Exists Error', `The name supplied already exists. : Another ${e.toLowerCase()} is already using this name. Please use a different name. Id=${other.Id}`, field);
    }
  }

  private validate(entity: EntityName, o: Obj, selfId: string | undefined): Obj {
    switch (entity) {
      case 'Account': {
        if (typeof o.Name !== 'string' || o.Name.trim() === '') throw requiredParam('Name');
        if (o.Name.length > 100) throw lengthError('Name', 100, o.Name.length);
        if (o.Description !== undefined && String(o.Description).length > 100) throw lengthError('Description', 100, String(o.Description).length);
        if (/[":]/.test(o.Name)) throw invalidValue('Name', 'an account name cannot contain " or :');
        if (!o.AccountType && !o.AccountSubType) throw requiredParam('AccountType');
        if (!(o.AccountType in ACCOUNT_TYPES)) throw invalidValue('AccountType', `"${o.AccountType}" is not an AccountTypeEnum value`);
        this.uniqueName('Account', 'Name', o.Name, selfId);
        if (o.CurrencyRef && o.CurrencyRef.value !== this.currency) throw businessRule('Multicurrency is not enabled in this company', 'CurrencyRef');
        o.Classification = ACCOUNT_TYPES[o.AccountType];
        o.FullyQualifiedName = o.Name;
        o.Active = o.Active ?? true;
        o.SubAccount = false;
        o.CurrencyRef = { value: this.currency, name: this.currency };
        return o;
      }
      case 'Item': {
        if (typeof o.Name !== 'string' || o.Name.trim() === '') throw requiredParam('Name');
        if (o.Name.length > 100) throw lengthError('Name', 100, o.Name.length);
        this.uniqueName('Item', 'Name', o.Name, selfId);
        o.Type = o.Type ?? 'Service';
        if (!['Service', 'NonInventory', 'Inventory'].includes(o.Type)) throw invalidValue('Type', `"${o.Type}" items are not supported by this sandbox`);
        if (o.Type === 'Service' || o.Type === 'Inventory') this.account(o.IncomeAccountRef, 'IncomeAccountRef');
        if (o.ExpenseAccountRef) this.account(o.ExpenseAccountRef, 'ExpenseAccountRef');
        o.FullyQualifiedName = o.Name;
        o.Active = o.Active ?? true;
        return o;
      }
      case 'Customer':
      case 'Vendor': {
        if (typeof o.DisplayName !== 'string' || o.DisplayName.trim() === '') throw requiredParam('DisplayName');
        if (o.DisplayName.length > 500) throw lengthError('DisplayName', 500, o.DisplayName.length);
        if (/[:\t\n]/.test(o.DisplayName)) throw invalidValue('DisplayName', 'a name cannot contain ":", tab or newline');
        this.uniqueName(entity, 'DisplayName', o.DisplayName, selfId);
        if (o.CurrencyRef && o.CurrencyRef.value !== this.currency) throw businessRule('Multicurrency is not enabled in this company', 'CurrencyRef');
        o.FullyQualifiedName = o.DisplayName;
        o.Active = o.Active ?? true;
        o.CurrencyRef = { value: this.currency };
        return o;
      }
      default:
        return this.validateTxn(entity, o, selfId);
    }
  }

  private validateTxn(entity: EntityName, o: Obj, selfId: string | undefined): Obj {
    if (o.TxnDate === undefined) o.TxnDate = new Date(this.now()).toISOString().slice(0, 10);
    if (typeof o.TxnDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(o.TxnDate) || Number.isNaN(Date.parse(o.TxnDate))) throw invalidValue('TxnDate', `"${o.TxnDate}" is not a YYYY-MM-DD date`);
    if (o.PrivateNote !== undefined && (typeof o.PrivateNote !== 'string' || o.PrivateNote.length > 4000)) throw lengthError('PrivateNote', 4000, String(o.PrivateNote).length);
    if (o.CurrencyRef && o.CurrencyRef.value !== this.currency) throw businessRule(`Multicurrency is not enabled; transactions must be in ${this.currency}`, 'CurrencyRef');
    if (o.DocNumber !== undefined) {
      if (typeof o.DocNumber !== 'string') throw invalidValue('DocNumber', 'must be a string');
      if (o.DocNumber.length > 21) throw lengthError('DocNumber', 21, o.DocNumber.length);
      if (this.rejectDuplicateDocNumbers && o.DocNumber !== '') {
        const dup = this.withDocNumber(entity, o.DocNumber).find((x) => x.Id !== selfId);
        if (dup) {
          throw validation('6140', 'Duplicate Document Number Error', `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${o.DocNumber} is assigned to TxnType=${entity} with TxnId=${dup.Id}`, 'DocNumber');
        }
      }
    }
    if (entity === 'Transfer') {
      const from = this.account(o.FromAccountRef, 'FromAccountRef');
      const to = this.account(o.ToAccountRef, 'ToAccountRef');
      if (from.Id === to.Id) throw businessRule('Transfer from and to accounts cannot be the same', 'ToAccountRef');
      for (const [a, el] of [[from, 'FromAccountRef'], [to, 'ToAccountRef']] as const) {
        if (a.Classification !== 'Asset') throw businessRule(`A transfer can only move money between asset accounts; "${a.Name}" is ${a.AccountType}`, el);
      }
      if (o.Amount === undefined) throw requiredParam('Amount');
      const amt = this.minor(o.Amount, 'Amount');
      if (amt <= 0) throw businessRule('The transfer amount must be greater than zero', 'Amount');
      delete o.DocNumber; // not kept on transfers
      return o;
    }
    if (!Array.isArray(o.Line) || o.Line.length === 0) throw requiredParam('Line');
    const allowedLines = LINE_TYPES[entity]!;
    let discounts = 0;
    for (const [i, l] of (o.Line as Obj[]).entries()) {
      const el = `Line[${i}]`;
      if (!l || typeof l !== 'object') throw invalidValue(el, 'not an object');
      if (!allowedLines.includes(l.DetailType)) throw invalidValue(`${el}.DetailType`, `"${l.DetailType}" is not allowed on ${entity}`);
      if (l.Description !== undefined && String(l.Description).length > 4000) throw lengthError(`${el}.Description`, 4000, String(l.Description).length);
      if (l.DetailType === 'SubTotalLineDetail' || l.DetailType === 'DescriptionOnly') continue;
      if (l.Amount === undefined) throw requiredParam(`${el}.Amount`);
      const amt = this.minor(l.Amount, `${el}.Amount`);
      const detail = l[l.DetailType];
      if (!detail || typeof detail !== 'object') throw requiredParam(`${el}.${l.DetailType}`);
      switch (l.DetailType) {
        case 'SalesItemLineDetail': {
          this.listRef('Item', detail.ItemRef, `${el}.SalesItemLineDetail.ItemRef`);
          if (detail.Qty !== undefined && detail.UnitPrice !== undefined) {
            const expected = Math.round(Number(detail.Qty) * Number(detail.UnitPrice) * 100) / 100;
            if (Math.abs(expected - Number(l.Amount)) > 1e-9) throw businessRule(`Amount is not equal to UnitPrice * Qty. Supplied value:${l.Amount}`, `${el}.Amount`);
          }
          break;
        }
        case 'DiscountLineDetail':
          if (++discounts > 1) throw businessRule('Only one discount line is allowed per transaction', el);
          if (amt < 0) throw businessRule('The discount amount cannot be negative', `${el}.Amount`);
          if (detail.PercentBased === true) throw invalidValue(`${el}.DiscountLineDetail.PercentBased`, 'percentage discounts are not supported by this sandbox');
          this.account(detail.DiscountAccountRef, `${el}.DiscountLineDetail.DiscountAccountRef`);
          break;
        case 'AccountBasedExpenseLineDetail':
          this.account(detail.AccountRef, `${el}.AccountBasedExpenseLineDetail.AccountRef`);
          break;
        case 'DepositLineDetail':
          if (l.LinkedTxn) throw invalidValue(`${el}.LinkedTxn`, 'linked deposit lines are not supported by this sandbox');
          this.account(detail.AccountRef, `${el}.DepositLineDetail.AccountRef`);
          break;
        case 'JournalEntryLineDetail': {
          if (detail.PostingType !== 'Debit' && detail.PostingType !== 'Credit') throw invalidValue(`${el}.JournalEntryLineDetail.PostingType`, 'must be Debit or Credit');
          if (amt < 0) throw businessRule('Journal entry line amounts cannot be negative', `${el}.Amount`);
          const a = this.account(detail.AccountRef, `${el}.JournalEntryLineDetail.AccountRef`);
          if (a.AccountType === 'Accounts Receivable' && detail.Entity?.Type !== 'Customer') throw businessRule('When you use Accounts Receivable, you must choose a customer in the Name field.', el);
          if (a.AccountType === 'Accounts Payable' && detail.Entity?.Type !== 'Vendor') throw businessRule('When you use Accounts Payable, you must choose a supplier in the Name field.', el);
          break;
        }
      }
    }
    this.computeTax(entity, o);
    switch (entity) {
      case 'SalesReceipt':
      case 'RefundReceipt': {
        if (entity === 'RefundReceipt' && !o.DepositToAccountRef) throw requiredParam('DepositToAccountRef');
        if (o.DepositToAccountRef) {
          const a = this.account(o.DepositToAccountRef, 'DepositToAccountRef');
          if (!DEPOSIT_TYPES.has(a.AccountType)) throw businessRule(`DepositToAccountRef must be a Bank or Other Current Asset account; "${a.Name}" is ${a.AccountType}`, 'DepositToAccountRef');
        }
        if (o.CustomerRef) this.listRef('Customer', o.CustomerRef, 'CustomerRef');
        if (!(o.Line as Obj[]).some((l) => l.DetailType === 'SalesItemLineDetail')) throw businessRule('A sales form needs at least one product or service line', 'Line');
        break;
      }
      case 'Purchase': {
        if (!['Cash', 'Check', 'CreditCard'].includes(o.PaymentType)) throw o.PaymentType === undefined ? requiredParam('PaymentType') : invalidValue('PaymentType', `"${o.PaymentType}" is not Cash, Check or CreditCard`);
        const a = this.account(o.AccountRef, 'AccountRef');
        const want = o.PaymentType === 'CreditCard' ? 'Credit Card' : 'Bank';
        if (a.AccountType !== want) throw businessRule(`A ${o.PaymentType} expense must be paid from a ${want} account; "${a.Name}" is ${a.AccountType}`, 'AccountRef');
        if (o.Credit === true && o.PaymentType !== 'CreditCard') throw businessRule('Credit is only allowed on credit card expenses', 'Credit');
        break;
      }
      case 'Deposit': {
        const a = this.account(o.DepositToAccountRef, 'DepositToAccountRef');
        if (!DEPOSIT_TYPES.has(a.AccountType)) throw businessRule(`DepositToAccountRef must be a Bank or Other Current Asset account; "${a.Name}" is ${a.AccountType}`, 'DepositToAccountRef');
        break;
      }
      case 'JournalEntry': {
        const lines = (o.Line as Obj[]).filter((l) => l.DetailType === 'JournalEntryLineDetail');
        let debit = 0;
        let credit = 0;
        for (const l of lines) {
          const d = l.JournalEntryLineDetail;
          const amt = this.minor(l.Amount, 'Line.Amount') + (d.TaxCodeRef && d.TaxAmount !== undefined && o.__taxTotal !== undefined ? this.minor(d.TaxAmount, 'Line.JournalEntryLineDetail.TaxAmount') : 0);
          if (d.PostingType === 'Debit') debit += amt;
          else credit += amt;
        }
        if (debit !== credit) throw businessRule(`Journal Entry must be balanced: debits ${formatMinor(debit, this.currency)} ≠ credits ${formatMinor(credit, this.currency)}`, 'Line');
        if (!lines.some((l) => l.JournalEntryLineDetail.PostingType === 'Debit') || !lines.some((l) => l.JournalEntryLineDetail.PostingType === 'Credit')) {
          throw businessRule('A journal entry needs at least one debit and one credit line', 'Line');
        }
        break;
      }
    }
    const total = this.total(entity, o);
    if (total < 0) throw businessRule(`The transaction total cannot be negative (${formatMinor(total, this.currency)})`, 'TotalAmt');
    return o;
  }

  /**
   * Applies the company's tax rules to a transaction being saved: checks every line's tax
   * code, computes TxnTaxDetail (or honours a supplied one) and keeps the tax postings.
   * Amounts are minor units; each rate's tax is rounded half away from zero once per document
   * (exclusive) or once per line (inclusive, where the gross must survive exactly).
   */
  private computeTax(entity: EntityName, o: Obj): void {
    delete o.__tax;
    delete o.__taxTotal;
    const lines = (o.Line as Obj[]).filter((l) => l.DetailType !== 'SubTotalLineDetail' && l.DetailType !== 'DescriptionOnly');
    const codeOf = (ref: unknown, element: string): Obj => {
      const id = ref && typeof ref === 'object' ? String((ref as Obj).value ?? '') : '';
      const code = this.store.get('TaxCode')!.get(id);
      if (!code || code.Active === false) throw validation('2500', 'Invalid Reference Id', 'Invalid Reference Id : TaxCode', element);
      return code;
    };
    if (this.country === 'US') {
      const sales = entity === 'SalesReceipt' || entity === 'RefundReceipt';
      for (const [i, l] of lines.entries()) {
        const d = l[l.DetailType] as Obj;
        if (d?.TaxCodeRef !== undefined && (l.DetailType === 'SalesItemLineDetail' || l.DetailType === 'DiscountLineDetail')) {
          const v = String(d.TaxCodeRef?.value ?? '');
          if (v !== 'TAX' && v !== 'NON') throw validation('2500', 'Invalid Reference Id', 'Invalid Reference Id : TaxCode', `Line[${i}].${l.DetailType}.TaxCodeRef`);
        }
      }
      if (this.salesTax !== 'automated' || !sales) {
        // Without sales tax, TxnTaxDetail "is ignored and not stored".
        delete o.TxnTaxDetail;
        return;
      }
      // Automated sales tax: a sales line without a code is taxable since Aug 2018; only NON stays untaxed.
      let base = 0;
      for (const l of lines) {
        const d = l[l.DetailType] as Obj;
        const code = d.TaxCodeRef?.value ?? 'TAX';
        if (l.DetailType === 'SalesItemLineDetail') {
          d.TaxCodeRef = { value: code };
          if (code === 'TAX') base += this.minor(l.Amount, 'Line.Amount');
        } else if (l.DetailType === 'DiscountLineDetail' && code !== 'NON') base -= this.minor(l.Amount, 'Line.Amount');
      }
      base = Math.max(0, base);
      const group = this.store.get('TaxCode')!.get(this.tax.astCodeId!)!;
      const rates = (group.SalesTaxRateList.TaxRateDetail as Obj[]).map((r) => this.store.get('TaxRate')!.get(String(r.TaxRateRef.value))!);
      const supplied = o.TxnTaxDetail as Obj | undefined;
      let amounts = rates.map((r) => percentOf(base, Number(r.RateValue)));
      if (supplied?.TxnTaxCodeRef !== undefined && supplied.TotalTax !== undefined) {
        // An explicit amount is honoured and prorated across the assigned code's rates.
        const total = this.minor(supplied.TotalTax, 'TxnTaxDetail.TotalTax');
        const weight = rates.reduce((s, r) => s + Number(r.RateValue), 0);
        let left = total;
        amounts = rates.map((r, i) => {
          const share = i === rates.length - 1 ? left : Math.round((total * Number(r.RateValue)) / weight);
          left -= share;
          return share;
        });
      }
      const totalTax = amounts.reduce((s, v) => s + v, 0);
      o.TxnTaxDetail = {
        TxnTaxCodeRef: { value: group.Id, name: group.Name },
        TotalTax: Number(formatMinor(totalTax, this.currency)),
        TaxLine: rates.map((r, i) => ({
          DetailType: 'TaxLineDetail',
          Amount: Number(formatMinor(amounts[i]!, this.currency)),
          TaxLineDetail: { TaxRateRef: { value: r.Id, name: r.Name }, PercentBased: true, TaxPercent: r.RateValue, NetAmountTaxable: Number(formatMinor(base, this.currency)) },
        })),
      };
      const control = this.taxControlAccount()!.Id as string;
      o.__tax = [[control, entity === 'SalesReceipt' ? -totalTax : totalTax]];
      o.__taxTotal = totalTax;
      return;
    }
    if (entity === 'Transfer') return;
    if (this.salesTax === 'off') {
      // No VAT/GST set up: there are no codes to refer to, and no tax to store.
      for (const [i, l] of lines.entries()) if ((l[l.DetailType] as Obj)?.TaxCodeRef !== undefined) codeOf((l[l.DetailType] as Obj).TaxCodeRef, `Line[${i}].${l.DetailType}.TaxCodeRef`);
      delete o.TxnTaxDetail;
      return;
    }
    const gtc = o.GlobalTaxCalculation ?? 'TaxExcluded';
    const allowedGtc = entity === 'JournalEntry' ? ['TaxExcluded', 'TaxInclusive'] : ['TaxExcluded', 'TaxInclusive', 'NotApplicable'];
    if (!allowedGtc.includes(gtc)) throw invalidValue('GlobalTaxCalculation', `"${gtc}" is not one of ${allowedGtc.join(', ')}`);
    o.GlobalTaxCalculation = gtc;
    const control = this.taxControlAccount()!.Id as string;
    const rateObj = (id: string) => this.store.get('TaxRate')!.get(id)!;
    // Per rate: signed net base, computed tax (inclusive: summed per line), posting sign.
    const perRate = new Map<string, { base: number; tax: number; sign: number }>();
    const postingSign = (side: 'Sales' | 'Purchase', lineSign: number): number => {
      switch (entity) {
        case 'SalesReceipt':
        case 'Deposit':
          return -1;
        case 'RefundReceipt':
          return 1;
        case 'Purchase':
          return o.Credit === true ? -1 : 1;
        default:
          return lineSign * (side === 'Sales' ? 1 : 1);
      }
    };
    for (const [i, l] of lines.entries()) {
      const el = `Line[${i}].${l.DetailType}`;
      const d = l[l.DetailType] as Obj;
      if (l.DetailType === 'JournalEntryLineDetail') {
        if (d.TaxCodeRef === undefined) continue;
        const code = codeOf(d.TaxCodeRef, `${el}.TaxCodeRef`);
        if (d.TaxApplicableOn !== 'Sales' && d.TaxApplicableOn !== 'Purchase') throw businessRule('TaxApplicableOn and TaxAmount are required on a journal line with a TaxCodeRef', `${el}.TaxApplicableOn`);
        if (d.TaxAmount === undefined) throw businessRule('TaxApplicableOn and TaxAmount are required on a journal line with a TaxCodeRef', `${el}.TaxAmount`);
        const ids = (d.TaxApplicableOn === 'Sales' ? code.SalesTaxRateList : code.PurchaseTaxRateList).TaxRateDetail as Obj[];
        if (ids.length === 0) throw businessRule(`The tax code "${code.Name}" cannot be used on ${String(d.TaxApplicableOn).toLowerCase()} transactions`, `${el}.TaxCodeRef`);
        const rid = String(ids[0]!.TaxRateRef.value);
        const tax = this.minor(d.TaxAmount, `${el}.TaxAmount`);
        const sign = d.PostingType === 'Debit' ? 1 : -1;
        const e = perRate.get(rid) ?? { base: 0, tax: 0, sign: 1 };
        e.base += this.minor(l.Amount, 'Line.Amount');
        e.tax += sign * tax;
        perRate.set(rid, e);
        continue;
      }
      if (!['SalesItemLineDetail', 'DiscountLineDetail', 'AccountBasedExpenseLineDetail', 'DepositLineDetail'].includes(l.DetailType)) continue;
      if (d.TaxCodeRef === undefined) {
        throw new QboError(400, '6000', 'A business validation error has occurred while processing your request', `Business Validation Error: Make sure all your transactions have a ${this.tax.word} rate before you save.`, 'ValidationFault', '');
      }
      const code = codeOf(d.TaxCodeRef, `${el}.TaxCodeRef`);
      const side: 'Sales' | 'Purchase' = l.DetailType === 'AccountBasedExpenseLineDetail' ? 'Purchase' : l.DetailType === 'DepositLineDetail' ? (d.TaxApplicableOn === 'Purchase' ? 'Purchase' : 'Sales') : 'Sales';
      const ids = ((side === 'Sales' ? code.SalesTaxRateList : code.PurchaseTaxRateList).TaxRateDetail as Obj[]).map((r) => String(r.TaxRateRef.value));
      if (ids.length === 0) throw businessRule(`The tax code "${code.Name}" cannot be used on ${side === 'Sales' ? 'sales' : 'purchase'} transactions`, `${el}.TaxCodeRef`);
      const lineSign = l.DetailType === 'DiscountLineDetail' ? -1 : 1;
      const percent = ids.reduce((s, id) => s + Number(rateObj(id).RateValue), 0);
      let net: number;
      let lineTax = 0;
      if (gtc === 'TaxInclusive') {
        const gross = d.TaxInclusiveAmt !== undefined ? this.minor(d.TaxInclusiveAmt, `${el}.TaxInclusiveAmt`) : this.minor(l.Amount, `Line[${i}].Amount`);
        net = netOfInclusive(gross, percent);
        lineTax = gross - net;
        l.Amount = Number(formatMinor(net, this.currency));
        if (l.DetailType !== 'DiscountLineDetail') d.TaxInclusiveAmt = Number(formatMinor(gross, this.currency));
      } else net = this.minor(l.Amount, `Line[${i}].Amount`);
      let left = lineTax;
      for (const [k, id] of ids.entries()) {
        const share = k === ids.length - 1 ? left : percent === 0 ? 0 : Math.round((lineTax * Number(rateObj(id).RateValue)) / percent);
        left -= share;
        const e = perRate.get(id) ?? { base: 0, tax: 0, sign: postingSign(side, lineSign) };
        e.base += lineSign * net;
        e.tax += lineSign * share;
        perRate.set(id, e);
      }
    }
    if (gtc === 'TaxExcluded') for (const [id, e] of perRate) if (lines.every((l) => l.DetailType !== 'JournalEntryLineDetail')) e.tax = percentOf(e.base, Number(rateObj(id).RateValue));
    if (gtc === 'NotApplicable') for (const e of perRate.values()) e.tax = 0;
    // Supplied tax lines replace the computed amount of their rate; the difference is kept.
    const deltas = new Map<string, number>();
    const supplied = (o.TxnTaxDetail as Obj | undefined)?.TaxLine;
    if (Array.isArray(supplied) && entity !== 'JournalEntry') {
      const seen = new Set<string>();
      for (const [i, t] of (supplied as Obj[]).entries()) {
        const rid = String(t?.TaxLineDetail?.TaxRateRef?.value ?? '');
        const e = perRate.get(rid);
        if (!this.store.get('TaxRate')!.has(rid)) throw validation('2500', 'Invalid Reference Id', 'Invalid Reference Id : TaxRate', `TxnTaxDetail.TaxLine[${i}].TaxLineDetail.TaxRateRef`);
        if (!e || seen.has(rid)) throw businessRule(`Each tax rate on TxnTaxDetail must belong to a tax code used on a line, once (TaxRate ${rid})`, `TxnTaxDetail.TaxLine[${i}]`);
        seen.add(rid);
        const amount = this.minor(t.Amount, `TxnTaxDetail.TaxLine[${i}].Amount`);
        deltas.set(rid, amount - e.tax);
        e.tax = amount;
      }
    }
    const taxLines: Obj[] = [];
    let totalTax = 0;
    const postings: Posting[] = [];
    for (const [id, e] of perRate) {
      const r = rateObj(id);
      totalTax += e.tax;
      postings.push([control, e.sign * e.tax]);
      taxLines.push({
        DetailType: 'TaxLineDetail',
        Amount: Number(formatMinor(e.tax, this.currency)),
        TaxLineDetail: {
          TaxRateRef: { value: id, name: r.Name },
          PercentBased: true,
          TaxPercent: r.RateValue,
          NetAmountTaxable: Number(formatMinor(e.base, this.currency)),
          ...(deltas.get(id) ? { OverrideDeltaAmount: Number(formatMinor(deltas.get(id)!, this.currency)) } : {}),
        },
      });
    }
    if (entity === 'JournalEntry') {
      // A journal's tax sits on the side of its line; the debit-side tax counts towards TotalAmt.
      totalTax = [...perRate.values()].reduce((s, e) => s + Math.max(0, e.tax), 0);
      const net = [...perRate.values()].reduce((s, e) => s + e.tax, 0);
      o.__tax = net === 0 && perRate.size === 0 ? [] : [...perRate.values()].map((e): Posting => [control, e.tax]);
    } else o.__tax = postings;
    o.__taxTotal = totalTax;
    o.TxnTaxDetail = { TotalTax: Number(formatMinor(entity === 'JournalEntry' ? [...perRate.values()].reduce((s, e) => s + Math.abs(e.tax), 0) : totalTax, this.currency)), TaxLine: taxLines };
  }

  private total(entity: EntityName, o: Obj): number {
    if (entity === 'Transfer') return this.minor(o.Amount, 'Amount');
    let total = typeof o.__taxTotal === 'number' ? o.__taxTotal : 0;
    for (const l of (o.Line ?? []) as Obj[]) {
      if (l.DetailType === 'SubTotalLineDetail' || l.DetailType === 'DescriptionOnly') continue;
      const amt = this.minor(l.Amount, 'Line.Amount');
      if (l.DetailType === 'DiscountLineDetail') total -= amt;
      else if (l.DetailType === 'JournalEntryLineDetail') total += l.JournalEntryLineDetail.PostingType === 'Debit' ? amt : 0;
      else total += amt;
    }
    return total;
  }

  /** What a stored transaction does to the books. */
  postings(entity: EntityName, o: Obj): Posting[] {
    const out: Posting[] = [];
    const lines = ((o.Line ?? []) as Obj[]).filter((l) => l.DetailType !== 'SubTotalLineDetail' && l.DetailType !== 'DescriptionOnly');
    const amt = (l: Obj) => parseMinor(String(l.Amount), this.currency);
    const itemAccount = (l: Obj) => this.store.get('Item')!.get(String(l.SalesItemLineDetail.ItemRef.value))?.IncomeAccountRef?.value as string;
    const total = o.Voided ? 0 : this.total(entity, o);
    switch (entity) {
      case 'SalesReceipt':
      case 'RefundReceipt': {
        const sign = entity === 'SalesReceipt' ? 1 : -1;
        const depositTo = o.DepositToAccountRef?.value ?? this.accountByName('Undeposited Funds')!.Id;
        out.push([depositTo, sign * total]);
        for (const l of lines) {
          if (l.DetailType === 'SalesItemLineDetail') out.push([itemAccount(l), -sign * amt(l)]);
          else if (l.DetailType === 'DiscountLineDetail') out.push([l.DiscountLineDetail.DiscountAccountRef.value, sign * amt(l)]);
        }
        break;
      }
      case 'Purchase':
        out.push([o.AccountRef.value, o.Credit === true ? total : -total]);
        for (const l of lines) out.push([l.AccountBasedExpenseLineDetail.AccountRef.value, o.Credit === true ? -amt(l) : amt(l)]);
        break;
      case 'Deposit':
        out.push([o.DepositToAccountRef.value, total]);
        for (const l of lines) out.push([l.DepositLineDetail.AccountRef.value, -amt(l)]);
        break;
      case 'Transfer':
        out.push([o.ToAccountRef.value, total], [o.FromAccountRef.value, -total]);
        break;
      case 'JournalEntry':
        for (const l of lines) out.push([l.JournalEntryLineDetail.AccountRef.value, l.JournalEntryLineDetail.PostingType === 'Debit' ? amt(l) : -amt(l)]);
        break;
      default:
        break;
    }
    if (!o.Voided) for (const p of (o.__tax ?? []) as Posting[]) out.push(p);
    return out.filter(([, v]) => v !== 0);
  }

  balances(): Map<string, number> {
    if (this.balanceCache) return this.balanceCache;
    const b = new Map<string, number>();
    for (const e of TXN_ENTITIES) {
      for (const o of this.store.get(e)!.values()) for (const [acct, v] of this.postings(e, o)) b.set(acct, (b.get(acct) ?? 0) + v);
    }
    this.balanceCache = b;
    return b;
  }

  /** The object as the API returns it: computed totals and balances filled in. */
  private indexDocNumber(entity: EntityName, o: Obj, add: boolean): void {
    if (typeof o.DocNumber !== 'string' || o.DocNumber === '') return;
    let byNumber = this.docNumbers.get(entity);
    if (!byNumber) this.docNumbers.set(entity, (byNumber = new Map()));
    const ids = byNumber.get(o.DocNumber) ?? new Set<string>();
    if (add) ids.add(o.Id);
    else ids.delete(o.Id);
    if (ids.size > 0) byNumber.set(o.DocNumber, ids);
    else byNumber.delete(o.DocNumber);
  }

  private withDocNumber(entity: EntityName, docNumber: string): Obj[] {
    const ids = this.docNumbers.get(entity)?.get(docNumber) ?? new Set<string>();
    return [...ids].map((id) => this.store.get(entity)!.get(id)).filter((o): o is Obj => o !== undefined);
  }

  /**
   * Read-back shape of a transaction's lines: each line numbered (Id, LineNum), references named,
   * and on sales forms the SubTotal line QuickBooks adds after the item lines.
   */
  private presentLines(entity: EntityName, out: Obj): void {
    const name = (e: EntityName, ref: Obj | undefined, field = 'Name') => {
      if (ref && typeof ref === 'object' && ref.value !== undefined) {
        const found = this.store.get(e)!.get(String(ref.value));
        if (found) ref.name = found[field];
      }
    };
    name('Account', out.DepositToAccountRef);
    name('Account', out.AccountRef);
    name('Account', out.FromAccountRef);
    name('Account', out.ToAccountRef);
    name('Customer', out.CustomerRef, 'DisplayName');
    if (!Array.isArray(out.Line)) return;
    let n = 0;
    for (const l of out.Line as Obj[]) {
      if (l.DetailType === 'SubTotalLineDetail') continue;
      n++;
      l.Id ??= String(n);
      l.LineNum ??= n;
      const d = l[l.DetailType] as Obj | undefined;
      if (!d) continue;
      name('Item', d.ItemRef);
      name('Account', d.AccountRef);
      name('Account', d.DiscountAccountRef);
      if (d.TaxCodeRef && this.store.get('TaxCode')!.has(String(d.TaxCodeRef.value))) name('TaxCode', d.TaxCodeRef);
    }
    if ((entity === 'SalesReceipt' || entity === 'RefundReceipt') && !(out.Line as Obj[]).some((l) => l.DetailType === 'SubTotalLineDetail')) {
      const sub = (out.Line as Obj[]).filter((l) => l.DetailType === 'SalesItemLineDetail').reduce((s, l) => s + this.minor(l.Amount, 'Line.Amount'), 0);
      (out.Line as Obj[]).push({ Amount: Number(formatMinor(sub, this.currency)), DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} });
    }
  }

  private present(entity: EntityName, o: Obj): Obj {
    const out = structuredClone(o);
    for (const k of Object.keys(out)) if (k.startsWith('__')) delete out[k];
    if ((TXN_ENTITIES as readonly string[]).includes(entity)) {
      this.presentLines(entity, out);
      const total = o.Voided ? 0 : this.total(entity, o);
      if (entity === 'Transfer') out.Amount = Number(formatMinor(total, this.currency));
      else out.TotalAmt = Number(formatMinor(total, this.currency));
      if (entity === 'SalesReceipt') out.Balance = 0;
      delete out.Voided;
    }
    if (entity === 'Account') {
      const debit = this.balances().get(o.Id) ?? 0;
      // CurrentBalance is meaningful for balance-sheet accounts only; credit balances read positive.
      const natural = BALANCE_SHEET.has(o.Classification) ? (o.Classification === 'Asset' ? debit : -debit) : 0;
      out.CurrentBalance = Number(formatMinor(natural, this.currency));
      out.CurrentBalanceWithSubAccounts = out.CurrentBalance;
    }
    return out;
  }
}
