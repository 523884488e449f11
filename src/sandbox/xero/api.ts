import { randomUUID, createHash } from 'node:crypto';
import { NotFound, RuleError, type TenantBooks, type Wire } from './books.js';
import type { OpenApiValidator } from './openapi.js';
import { formatProblems } from './openapi.js';
import { compileWhere, WhereError } from './where.js';
import { toNumber } from './decimal.js';

/**
 * The Accounting API paths synder uses, under /api.xro/2.0, with Xero's envelopes,
 * summarizeErrors semantics, ValidationException bodies and schema validation of every body
 * received and sent. Authentication, limits, faults and idempotency wrap this (server.ts).
 */

export interface ApiRequest {
  method: string;
  path: string; // after /api.xro/2.0
  query: URLSearchParams;
  body: unknown;
  tenant: TenantBooks;
  /** The If-Modified-Since header: lists only what changed after it. */
  ifModifiedSince?: string;
}

/** Milliseconds of a Xero date (MS-JSON `/Date(…)/` or ISO). */
const msOf = (v: unknown): number | undefined => {
  if (typeof v !== 'string') return undefined;
  const m = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(v);
  if (m) return Number(m[1]);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
};

/** Sorts by `order` ("Field [ASC|DESC], …"), dates by time, as Xero does. */
function sortBy(items: Wire[], order: string | null): Wire[] {
  if (!order) return items;
  const keys = order.split(',').map((part) => /^\s*([\w.]+)(?:\s+(ASC|DESC))?\s*$/i.exec(part)).filter((m): m is RegExpExecArray => m !== null);
  const value = (o: Wire, field: string): unknown => field.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Wire)[k] : undefined), o);
  return [...items].sort((a, b) => {
    for (const [, field, dir] of keys) {
      const x = value(a, field!);
      const y = value(b, field!);
      const dx = msOf(x);
      const dy = msOf(y);
      const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : dx !== undefined && dy !== undefined && /Date/.test(field!) ? dx - dy : String(x ?? '').localeCompare(String(y ?? ''));
      if (cmp !== 0) return dir?.toUpperCase() === 'DESC' ? -cmp : cmp;
    }
    return 0;
  });
}

/** Fields summaryOnly leaves out (the lightweight list Xero returns for large reads). */
const HEAVY_FIELDS = ['LineItems', 'Payments', 'CreditNotes', 'Prepayments', 'Overpayments', 'Allocations', 'Addresses', 'Phones', 'ContactGroups'];
export interface ApiResponse {
  status: number;
  body: unknown;
  /** Schema the body must match (undefined for error bodies checked as Error). */
  schema?: string;
}

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(`HTTP ${status}`);
  }
}

export const validationException = (messages: string[], element: Wire = {}): Wire => ({
  ErrorNumber: 10,
  Type: 'ValidationException',
  Message: 'A validation exception occurred',
  Elements: [{ ...element, ValidationErrors: messages.map((Message) => ({ Message })) }],
});

const notFound = (what: string) => new ApiFailure(404, { Title: 'Not Found', Status: 404, Detail: `The resource you're looking for cannot be found (${what})` });

/** Scope needed per first path segment: [read scopes (any of), write scope]. */
export const SCOPES: Record<string, [string[], string]> = {
  Organisation: [['accounting.settings', 'accounting.settings.read'], 'accounting.settings'],
  Accounts: [['accounting.settings', 'accounting.settings.read'], 'accounting.settings'],
  TaxRates: [['accounting.settings', 'accounting.settings.read'], 'accounting.settings'],
  Contacts: [['accounting.contacts', 'accounting.contacts.read'], 'accounting.contacts'],
  Invoices: [['accounting.invoices', 'accounting.invoices.read'], 'accounting.invoices'],
  CreditNotes: [['accounting.invoices', 'accounting.invoices.read'], 'accounting.invoices'],
  Payments: [['accounting.payments', 'accounting.payments.read'], 'accounting.payments'],
  BankTransactions: [['accounting.banktransactions', 'accounting.banktransactions.read'], 'accounting.banktransactions'],
  BankTransfers: [['accounting.banktransactions', 'accounting.banktransactions.read'], 'accounting.banktransactions'],
  'Reports/TrialBalance': [['accounting.reports.trialbalance.read'], ''],
};

interface Collection {
  key: string; // envelope key and path segment
  idField: string;
  numberField?: string;
  store: (t: TenantBooks) => Map<string, Wire>;
  create: (t: TenantBooks, w: Wire) => Wire;
  /** Whether PUT takes ?summarizeErrors (createBankTransfer and createAccount do not). */
  batch: boolean;
}

const COLLECTIONS: Record<string, Collection> = {
  Invoices: { key: 'Invoices', idField: 'InvoiceID', numberField: 'InvoiceNumber', store: (t) => t.invoices, create: (t, w) => t.createInvoice(w), batch: true },
  CreditNotes: { key: 'CreditNotes', idField: 'CreditNoteID', numberField: 'CreditNoteNumber', store: (t) => t.creditNotes, create: (t, w) => t.createCreditNote(w), batch: true },
  Payments: { key: 'Payments', idField: 'PaymentID', store: (t) => t.payments, create: (t, w) => t.createPayment(w), batch: true },
  BankTransactions: { key: 'BankTransactions', idField: 'BankTransactionID', store: (t) => t.bankTransactions, create: (t, w) => t.createBankTransaction(w), batch: true },
  BankTransfers: { key: 'BankTransfers', idField: 'BankTransferID', store: (t) => t.bankTransfers, create: (t, w) => t.createBankTransfer(w), batch: false },
  Contacts: { key: 'Contacts', idField: 'ContactID', store: (t) => t.contacts, create: (t, w) => t.createContact(w), batch: true },
  Accounts: { key: 'Accounts', idField: 'AccountID', store: (t) => t.accounts, create: (t, w) => t.createAccount(w), batch: false },
};

/** Which schema the request body of an operation must match. */
export function requestSchema(method: string, path: string): string | undefined {
  const [head, id] = path.split('/').filter(Boolean);
  if (method === 'PUT') return head === 'Accounts' ? 'Account' : head;
  if (method !== 'POST') return undefined;
  if (head === 'Payments') return id ? 'PaymentDelete' : 'Payment';
  if (head === 'BankTransfers') return id ? 'BankTransferDeleteByUrlParam' : 'BankTransfersDelete';
  return head;
}

export class AccountingApi {
  constructor(private readonly providerName: string, private readonly now: () => number) {}

  envelope(key: string, items: Wire[], extra: Wire = {}): Wire {
    return { Id: randomUUID(), Status: 'OK', ProviderName: this.providerName, DateTimeUTC: `/Date(${this.now()})/`, ...extra, [key]: items };
  }

  handle(req: ApiRequest): ApiResponse {
    const parts = req.path.split('/').filter(Boolean);
    const head = parts[0] ?? '';
    const t = req.tenant;
    if (head === 'Organisation' && req.method === 'GET') return { status: 200, body: this.envelope('Organisations', [t.organisation()]), schema: 'Organisations' };
    if (head === 'Reports' && req.method === 'GET') return this.report(parts[1] ?? '', req);
    if (head === 'TaxRates' && req.method === 'GET') return this.taxRates(req, parts[1]);
    const col = COLLECTIONS[head];
    if (!col) throw notFound(req.path);
    const id = parts[1]?.toLowerCase();
    if (parts.length > 2) throw notFound(req.path);
    if (req.method === 'GET') return this.list(col, req, id);
    if (req.method === 'PUT' && !id) return this.create(col, req);
    if (req.method === 'POST') return this.post(col, req, id);
    if (req.method === 'DELETE' && head === 'Accounts' && id) {
      const acc = t.accounts.get(id);
      if (!acc) throw notFound(req.path);
      acc.Status = 'DELETED';
      return { status: 200, body: this.envelope('Accounts', [acc]), schema: 'Accounts' };
    }
    throw new ApiFailure(405, { Title: 'Method Not Allowed', Status: 405, Detail: `${req.method} is not supported on ${req.path}` });
  }

  private taxRates(req: ApiRequest, taxType?: string): ApiResponse {
    let items = req.tenant.taxRates.map((r) => ({ ...r }) as unknown as Wire);
    if (taxType) {
      items = items.filter((r) => String(r.TaxType).toUpperCase() === taxType.toUpperCase());
      if (items.length === 0) throw notFound(`TaxRates/${taxType}`);
      return { status: 200, body: this.envelope('TaxRates', items), schema: 'TaxRates' };
    }
    try {
      items = items.filter(compileWhere(req.query.get('where')));
    } catch (err) {
      if (err instanceof WhereError) throw new ApiFailure(400, validationException([`The where filter could not be parsed: ${err.message}`]));
      throw err;
    }
    const order = /^\s*(\w+)(?:\s+(ASC|DESC))?\s*$/i.exec(req.query.get('order') ?? '');
    if (order) {
      const [, field, dir] = order;
      items.sort((a, b) => {
        const x = a[field!];
        const y = b[field!];
        const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
        return dir?.toUpperCase() === 'DESC' ? -cmp : cmp;
      });
    }
    return { status: 200, body: this.envelope('TaxRates', items), schema: 'TaxRates' };
  }

  private list(col: Collection, req: ApiRequest, id?: string): ApiResponse {
    const store = col.store(req.tenant);
    if (id) {
      const one = store.get(id);
      if (!one) throw notFound(`${col.key}/${id}`);
      return { status: 200, body: this.envelope(col.key, [one]), schema: col.key };
    }
    const q = req.query;
    let items = [...store.values()];
    const csv = (name: string) => q.get(name)?.split(',').map((s) => s.trim()).filter(Boolean);
    const ids = csv('IDs')?.map((s) => s.toLowerCase());
    if (ids) items = items.filter((o) => ids.includes(String(o[col.idField])));
    const numbers = csv('InvoiceNumbers');
    if (numbers && col.numberField) items = items.filter((o) => numbers.includes(String(o[col.numberField!])));
    const statuses = csv('Statuses');
    if (statuses) items = items.filter((o) => statuses.includes(String(o.Status)));
    const contactIds = csv('ContactIDs')?.map((s) => s.toLowerCase());
    if (contactIds) items = items.filter((o) => contactIds.includes(String((o.Contact as Wire | undefined)?.ContactID)));
    if (col.key === 'BankTransfers' && q.get('includeDeleted') !== 'true') items = items.filter((o) => o.Status !== 'DELETED');
    if (col.key === 'Accounts' || col.key === 'Contacts') {
      if (q.get('includeArchived') !== 'true') items = items.filter((o) => o.Status !== 'DELETED' && o.ContactStatus !== 'ARCHIVED');
    }
    try {
      const where = compileWhere(q.get('where'));
      items = items.filter(where);
    } catch (err) {
      if (err instanceof WhereError) throw new ApiFailure(400, validationException([`The where filter could not be parsed: ${err.message}`]));
      throw err;
    }
    const since = msOf(req.ifModifiedSince);
    if (since !== undefined) items = items.filter((o) => (msOf(o.UpdatedDateUTC) ?? Infinity) > since);
    items = sortBy(items, q.get('order'));
    if (q.get('summaryOnly') === 'true' && (col.key === 'Invoices' || col.key === 'Contacts')) {
      items = items.map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => !HEAVY_FIELDS.includes(k))));
    }
    const page = q.get('page');
    let extra: Wire = {};
    if (page !== null && col.key !== 'Accounts' && col.key !== 'BankTransfers') {
      const size = Math.min(1000, Math.max(1, Number(q.get('pageSize') ?? 100) || 100));
      const n = Math.max(1, Number(page) || 1);
      extra = { pagination: { page: n, pageSize: size, pageCount: Math.ceil(items.length / size), itemCount: items.length } };
      items = items.slice((n - 1) * size, n * size);
    }
    return { status: 200, body: this.envelope(col.key, items, extra), schema: col.key };
  }

  private create(col: Collection, req: ApiRequest): ApiResponse {
    if (col.key === 'Accounts') {
      const w = (req.body ?? {}) as Wire;
      try {
        return { status: 200, body: this.envelope('Accounts', [req.tenant.createAccount(w)]), schema: 'Accounts' };
      } catch (err) {
        if (err instanceof RuleError) throw new ApiFailure(400, validationException(err.messages, w));
        throw err;
      }
    }
    // Unit prices keep 2 decimals unless the call asks for 4 (unitdp=4).
    req.tenant.unitDp = req.query.get('unitdp') === '4' ? 4 : 2;
    const input = ((req.body as Wire | undefined)?.[col.key] ?? []) as Wire[];
    if (!Array.isArray(input) || input.length === 0) throw new ApiFailure(400, validationException([`No ${col.key} were found in the request body.`]));
    const summarize = !col.batch || req.query.get('summarizeErrors') !== 'false';
    const results: Array<{ ok: true; obj: Wire } | { ok: false; echo: Wire }> = input.map((w) => {
      try {
        return { ok: true as const, obj: col.create(req.tenant, w) };
      } catch (err) {
        if (err instanceof RuleError) return { ok: false as const, echo: { ...w, ValidationErrors: err.messages.map((Message) => ({ Message })) } };
        throw err;
      }
    });
    const failed = results.filter((r) => !r.ok);
    if (summarize && failed.length) {
      // Summarised errors: one 400 for the batch, though the valid elements were created.
      return { status: 400, body: { ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: failed.map((f) => (f as { echo: Wire }).echo) }, schema: 'Error' };
    }
    const out = results.map((r) =>
      r.ok
        ? { ...r.obj, StatusAttributeString: 'OK' }
        : { ...r.echo, StatusAttributeString: 'ERROR', ...(col.key === 'Invoices' || col.key === 'CreditNotes' ? { HasErrors: true } : {}) },
    );
    return { status: 200, body: this.envelope(col.key, out), schema: col.key };
  }

  private post(col: Collection, req: ApiRequest, id?: string): ApiResponse {
    const t = req.tenant;
    const body = (req.body ?? {}) as Wire;
    const fail = (err: unknown, echo: Wire): never => {
      if (err instanceof RuleError) throw new ApiFailure(400, validationException(err.messages, echo));
      if (err instanceof NotFound) throw notFound(err.what);
      throw err;
    };
    switch (col.key) {
      case 'Payments': {
        if (!id) return this.create(col, { ...req, body: { Payments: [body] } });
        try {
          return { status: 200, body: this.envelope('Payments', [t.deletePayment(id, body.Status)]), schema: 'Payments' };
        } catch (err) {
          return fail(err, { PaymentID: id });
        }
      }
      case 'BankTransfers': {
        const list = id ? [{ BankTransferID: id, Status: body.Status }] : (((body.BankTransfers as Wire[]) ?? []) as Wire[]);
        const out: Wire[] = [];
        for (const item of list) {
          try {
            out.push(t.deleteBankTransfer(String(item.BankTransferID ?? ''), item.Status ?? 'DELETED'));
          } catch (err) {
            if (!id && err instanceof RuleError && req.query.get('summarizeErrors') === 'false') out.push({ ...item, ValidationErrors: err.messages.map((Message) => ({ Message })) });
            else fail(err, item);
          }
        }
        return { status: 200, body: this.envelope('BankTransfers', out), schema: 'BankTransfers' };
      }
      case 'Invoices':
      case 'CreditNotes':
      case 'BankTransactions': {
        const items = ((body[col.key] as Wire[]) ?? []) as Wire[];
        const out: Wire[] = [];
        for (const item of items) {
          const target = id ?? (item[col.idField] as string | undefined)?.toLowerCase();
          if (!target) {
            // POST without an id creates, like PUT.
            const created = this.create(col, { ...req, body: { [col.key]: [item] } });
            if (created.status !== 200) return created;
            out.push(...(((created.body as Wire)[col.key] as Wire[]) ?? []));
            continue;
          }
          const status = item.Status;
          try {
            if (col.key === 'BankTransactions') out.push(t.updateBankTransactionStatus(target, status));
            else out.push(t.updateSalesDocStatus(col.key === 'Invoices' ? 'Invoice' : 'CreditNote', target, String(status ?? '')));
          } catch (err) {
            fail(err, { [col.idField]: target });
          }
        }
        return { status: 200, body: this.envelope(col.key, out), schema: col.key };
      }
      case 'Contacts': {
        if (!id) return this.create(col, req);
        const item = (((body.Contacts as Wire[]) ?? [])[0] ?? {}) as Wire;
        try {
          return { status: 200, body: this.envelope('Contacts', [t.updateContact(id, item)]), schema: 'Contacts' };
        } catch (err) {
          return fail(err, { ...item, ContactID: id });
        }
      }
      default:
        if (!id) return this.create(col, req);
        throw new ApiFailure(400, validationException([`Updating ${col.key} is not supported by this sandbox.`]));
    }
  }

  private report(name: string, req: ApiRequest): ApiResponse {
    const t = req.tenant;
    const today = new Date(this.now()).toISOString().slice(0, 10);
    const num = (minor: number) => toNumber(minor, t.currency).toFixed(2);
    const attr = (id: string) => [{ Value: id, Id: 'account' }];
    if (name === 'TrialBalance') {
      const date = req.query.get('date') ?? today;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ApiFailure(400, validationException(['date must be YYYY-MM-DD']));
      const sections: Record<string, Wire[]> = { Revenue: [], Expenses: [], Assets: [], Liabilities: [], Equity: [] };
      const sectionOf = (cls: string) => ({ REVENUE: 'Revenue', EXPENSE: 'Expenses', ASSET: 'Assets', LIABILITY: 'Liabilities', EQUITY: 'Equity' })[cls] ?? 'Assets';
      let dr = 0;
      let cr = 0;
      for (const { account, minor } of t.trialBalance(date)) {
        const debit = minor > 0 ? minor : 0;
        const credit = minor < 0 ? -minor : 0;
        dr += debit;
        cr += credit;
        const id = String(account.AccountID);
        sections[sectionOf(String(account.Class))]!.push({
          RowType: 'Row',
          Cells: [
            { Value: `${String(account.Name)} (${String(account.Code)})`, Attributes: attr(id) },
            { Value: debit ? num(debit) : '', Attributes: attr(id) },
            { Value: credit ? num(credit) : '', Attributes: attr(id) },
            { Value: num(debit), Attributes: attr(id) },
            { Value: num(credit), Attributes: attr(id) },
          ],
        });
      }
      const rows: Wire[] = [
        { RowType: 'Header', Cells: [{ Value: 'Account' }, { Value: 'Debit' }, { Value: 'Credit' }, { Value: 'YTD Debit' }, { Value: 'YTD Credit' }] },
        ...Object.entries(sections).map(([Title, Rows]) => ({ RowType: 'Section', Title, Rows })),
        { RowType: 'Section', Title: '', Rows: [{ RowType: 'SummaryRow', Cells: [{ Value: 'Total' }, { Value: num(dr) }, { Value: num(cr) }, { Value: num(dr) }, { Value: num(cr) }] }] },
      ];
      return {
        status: 200,
        body: this.envelope('Reports', [{ ReportID: 'TrialBalance', ReportName: 'Trial Balance', ReportType: 'TrialBalance', ReportTitles: ['Trial Balance', t.name, `As at ${date}`], ReportDate: date, UpdatedDateUTC: `/Date(${this.now()})/`, Rows: rows }]),
        schema: 'ReportWithRows',
      };
    }
    throw notFound(`Reports/${name}`);
  }
}

/** Fingerprint of a write for idempotency: method, path, query and body must all match. */
export const fingerprint = (method: string, pathAndQuery: string, body: string): string => createHash('sha256').update(`${method} ${pathAndQuery}\n${body}`).digest('hex');

/** Validates a body; returns a ValidationException naming the schema and JSON paths, or undefined. */
export function schemaViolation(validator: OpenApiValidator | undefined, schema: string | undefined, value: unknown, what: 'request' | 'response'): Wire | undefined {
  if (!validator || !schema || !validator.schemaNames.has(schema)) return undefined;
  const problems = validator.validate(schema, value);
  if (problems.length === 0) return undefined;
  return validationException([`The ${what} body does not match the ${schema} schema of xero_accounting.yaml: ${formatProblems(problems)}`]);
}
