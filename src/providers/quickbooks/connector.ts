import pLimit from 'p-limit';
import { z } from 'zod';
import { InvalidResponseError, ReauthRequiredError, SynderError } from '../../errors.js';
import type { BookingDocument } from '../../booking/document.js';
import type { LedgerTaxProfile } from '../../booking/tax.js';
import { formatMinor, parseMinor } from '../../booking/money.js';
import type { AccountSpec, LedgerAccount, LedgerCompany, LedgerConnector, LedgerRef, PostInput, PostOutcome, RemoveOutcome } from '../ledger-connector.js';
import { accountTypeFor, acceptableTypes, debitSign } from './accounts.js';
import { QBO_LIMITS, QuickBooksClient, qboString, type BatchItemRequest, type QboEntity, type QuickBooksClientOptions } from './client.js';
import { QuickBooksFaultError, describeFault, faultHint } from './fault.js';
import { keyFromPrivateNote, requestIdFor, shortDocNumber } from './keys.js';
import { DOC_NUMBERED_ENTITIES, isItemAccountType, itemAccountsOf, renderDocument, type QboEntityName, type Rendered } from './render.js';
import { deepLinkPath } from './links.js';
import { chunk } from '../../lists.js';

export const TIKTOK_CUSTOMER_NAME = 'TikTok Shop';

/** Batch calls rendered and waiting for the client at a time (it sends 4 at once). */
const BATCHES_READY = 6;

export interface QuickBooksConnectorOptions extends QuickBooksClientOptions {
  /**
   * Mixed into every requestid. QBO answers a repeated requestid with the original response,
   * so a document created, rolled back and synced again must not reuse the old id. Within one
   * post() the ids are deterministic from the document keys, so transport retries are safe;
   * across runs, post() looks every key up (DocNumber + PrivateNote) before creating.
   */
  requestIdSalt?: string;
  /** Documents per batch call (QBO maximum 30). */
  batchSize?: number;
}

const accountSchema = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  AccountType: z.string(),
  Classification: z.string().optional(),
  AcctNum: z.string().optional(),
  CurrentBalance: z.number().optional(),
  CurrencyRef: z.looseObject({ value: z.string() }).optional(),
  Active: z.boolean().optional(),
});
const itemSchema = z.looseObject({ Id: z.string(), Name: z.string(), IncomeAccountRef: z.looseObject({ value: z.string() }).optional() });
const customerSchema = z.looseObject({ Id: z.string(), DisplayName: z.string(), CurrencyRef: z.looseObject({ value: z.string() }).optional() });
const txnSchema = z.looseObject({
  Id: z.string(), SyncToken: z.string().optional(), DocNumber: z.string().optional(), PrivateNote: z.string().optional(), TxnDate: z.string().optional(),
  TotalAmt: z.number().optional(), TxnTaxDetail: z.looseObject({ TotalTax: z.number().optional() }).optional(),
});

/** The total a natural document must have in QuickBooks: what it moves through Clearing. */
function totalMismatch(doc: BookingDocument, entity: string, total: number | undefined): { want: string; got: string } | undefined {
  if (total === undefined || !['SalesReceipt', 'RefundReceipt', 'Purchase', 'Deposit'].includes(entity)) return undefined;
  const clearing = Math.abs(doc.lines.filter((l) => l.role === 'clearing').reduce((s, l) => s + l.amountMinor, 0));
  const got = parseMinor(String(total), doc.currency);
  return got === clearing ? undefined : { want: formatMinor(clearing, doc.currency), got: formatMinor(got, doc.currency) };
}

function validate<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InvalidResponseError(`QuickBooks ${where}`, `field "${issue?.path.join('.') || '(object)'}": ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

const toLedgerAccount = (a: z.infer<typeof accountSchema>): LedgerAccount => ({ id: a.Id, name: a.Name, type: a.AccountType, currency: a.CurrencyRef?.value, code: a.AcctNum || undefined });

export class QuickBooksConnector implements LedgerConnector {
  readonly provider = 'quickbooks' as const;
  /** 50 batch calls of 30; fewer, larger post()s end in fewer part-filled batches (measured: 1,000 took 3 % longer). */
  readonly documentsPerPost = 1500;
  readonly client: QuickBooksClient;
  private readonly salt: string;
  private readonly batchSize: number;
  private homeCurrency?: string;
  private readonly items = new Map<string, string>();
  private customerId?: string;
  /** Counts post() calls: a key posted again after a rollback must not replay the first requestid. */
  private postSeq = 0;

  constructor(private readonly opts: QuickBooksConnectorOptions) {
    this.client = new QuickBooksClient(opts);
    this.salt = opts.requestIdSalt ?? requestIdFor(String(Date.now()), String(Math.random()));
    this.batchSize = Math.min(QBO_LIMITS.batchMaxItems, Math.max(1, opts.batchSize ?? QBO_LIMITS.batchMaxItems));
  }

  get apiCalls(): number {
    return this.client.calls;
  }

  async company(): Promise<LedgerCompany> {
    const [info, prefs] = await Promise.all([this.client.companyInfo(), this.client.preferences()]);
    const ci = validate(z.looseObject({ CompanyName: z.string(), Country: z.string().optional() }), info, 'GET /companyinfo');
    const p = validate(z.looseObject({ CurrencyPrefs: z.looseObject({ HomeCurrency: z.looseObject({ value: z.string().length(3) }) }) }), prefs, 'GET /preferences');
    this.homeCurrency = p.CurrencyPrefs.HomeCurrency.value;
    return { id: this.client.realmId, name: ci.CompanyName, currency: this.homeCurrency, country: ci.Country };
  }

  async taxProfile(): Promise<LedgerTaxProfile> {
    const [info, prefs] = await Promise.all([this.client.companyInfo(), this.client.preferences()]);
    const ci = validate(z.looseObject({ Country: z.string().optional() }), info, 'GET /companyinfo');
    const p = validate(z.looseObject({ TaxPrefs: z.looseObject({ UsingSalesTax: z.boolean().optional(), PartnerTaxEnabled: z.boolean().optional() }).optional() }), prefs, 'GET /preferences');
    const raw = (ci.Country ?? 'US').toUpperCase();
    const country = raw === 'UK' ? 'GB' : raw;
    const using = p.TaxPrefs?.UsingSalesTax === true;
    const taxAccount = async (subType: string) => {
      const rows = await this.client.queryAll('Account', `AccountSubType = '${subType}'`);
      const a = rows.map((r) => validate(accountSchema, r, 'query Account')).find((x) => x.Active !== false);
      return a ? { id: a.Id, name: a.Name } : undefined;
    };
    if (country === 'US') {
      // TAX and NON are pseudo codes every US company accepts on a line.
      const automated = p.TaxPrefs?.PartnerTaxEnabled !== undefined;
      return {
        country, system: 'us_sales_tax', registered: using, automated,
        codes: [{ id: 'TAX', name: 'TAX', sales: { percent: 0 } }, { id: 'NON', name: 'NON', sales: { percent: 0 } }],
        taxAccount: using ? await taxAccount('SalesTaxPayable') : undefined,
      };
    }
    if (!using) return { country, system: 'vat', registered: false, codes: [] };
    const rateSchema = z.looseObject({ Id: z.string(), Name: z.string(), RateValue: z.number().optional(), Active: z.boolean().optional() });
    const detail = z.looseObject({ TaxRateDetail: z.array(z.looseObject({ TaxRateRef: z.looseObject({ value: z.string() }) })).optional() });
    const codeSchema = z.looseObject({ Id: z.string(), Name: z.string(), Active: z.boolean().optional(), SalesTaxRateList: detail.optional(), PurchaseTaxRateList: detail.optional() });
    const [codeRows, rateRows] = await Promise.all([this.client.queryAll('TaxCode'), this.client.queryAll('TaxRate')]);
    const rates = new Map(rateRows.map((r) => validate(rateSchema, r, 'query TaxRate')).map((r) => [r.Id, r]));
    const side = (list: z.infer<typeof detail> | undefined) => {
      const ids = (list?.TaxRateDetail ?? []).map((d) => d.TaxRateRef.value);
      if (ids.length === 0) return undefined;
      return { percent: ids.reduce((s, id) => s + (rates.get(id)?.RateValue ?? 0), 0), rateIds: ids };
    };
    const codes = codeRows
      .map((r) => validate(codeSchema, r, 'query TaxCode'))
      .filter((c) => c.Active !== false)
      .map((c) => ({ id: c.Id, name: c.Name, sales: side(c.SalesTaxRateList), purchase: side(c.PurchaseTaxRateList) }));
    return { country, system: 'vat', registered: true, codes, taxAccount: await taxAccount('GlobalTaxPayable') };
  }

  private async home(): Promise<string> {
    if (!this.homeCurrency) await this.company();
    return this.homeCurrency!;
  }

  async listAccounts(): Promise<LedgerAccount[]> {
    const rows = await this.client.queryAll('Account', 'Active = true');
    return rows.map((r) => toLedgerAccount(validate(accountSchema, r, 'query Account')));
  }

  async ensureAccounts(specs: AccountSpec[]): Promise<LedgerAccount[]> {
    const home = await this.home();
    const names = [...new Set(specs.map((s) => s.name))];
    const found = new Map<string, LedgerAccount>();
    for (const part of chunk(names, 50)) {
      const rows = await this.client.queryAll('Account', `Name IN (${part.map(qboString).join(', ')})`);
      for (const r of rows) {
        const a = validate(accountSchema, r, 'query Account');
        if (a.Active === false) continue;
        found.set(a.Name.toLowerCase(), toLedgerAccount(a));
      }
    }
    const missing = new Map<string, Record<string, unknown>>();
    for (const spec of specs) {
      const account = found.get(spec.name.toLowerCase());
      if (account && !acceptableTypes(spec.class).includes(account.type)) {
        throw new SynderError(`The QuickBooks account "${spec.name}" exists with type ${account.type}, which cannot serve as ${spec.role} (${spec.class}).`, {
          hint: `Rename that account in QuickBooks or map ${spec.role} to another account name.`,
        });
      }
      if (account || missing.has(spec.name.toLowerCase())) continue;
      const payload: Record<string, unknown> = { Name: spec.name, ...accountTypeFor(spec.class, spec.role) };
      if (spec.currency && spec.currency !== home && (spec.class === 'bank' || spec.class === 'current_asset')) payload.CurrencyRef = { value: spec.currency };
      missing.set(spec.name.toLowerCase(), payload);
    }
    const created = await this.createMany('Account', [...missing.values()].map((payload) => ({ payload, key: String(payload.Name) })));
    for (const row of created) {
      const account = toLedgerAccount(validate(accountSchema, row, 'POST /account'));
      found.set(account.name.toLowerCase(), account);
    }
    const out = specs.map((spec) => found.get(spec.name.toLowerCase())!);
    const clearing = specs.findIndex((s) => s.role === 'clearing');
    const bank = specs.findIndex((s) => s.role === 'bank');
    if (clearing >= 0 && bank >= 0 && out[clearing]!.id === out[bank]!.id) {
      throw new SynderError(`The clearing account and the payout bank account are the same QuickBooks account ("${out[bank]!.name}").`, {
        hint: 'Pick a different payout bank account; the clearing account must only hold TikTok Shop money.',
      });
    }
    await this.ensureCustomer();
    await this.ensureItems(out.filter((a) => isItemAccountType(a.type)));
    return out;
  }

  /** The generic customer sales forms name (one per company; its currency is the home currency). */
  private async ensureCustomer(): Promise<string> {
    if (this.customerId) return this.customerId;
    const rows = await this.client.queryAll('Customer', `DisplayName = ${qboString(TIKTOK_CUSTOMER_NAME)}`);
    const existing = rows.map((r) => validate(customerSchema, r, 'query Customer'))[0];
    if (existing) this.customerId = existing.Id;
    else {
      const created = validate(customerSchema, await this.client.create('Customer', { DisplayName: TIKTOK_CUSTOMER_NAME, CompanyName: 'TikTok Shop' }, requestIdFor(this.salt, 'customer')), 'POST /customer');
      this.customerId = created.Id;
    }
    return this.customerId;
  }

  /** One Service item per income account, so a sales line books to exactly that account. */
  private async ensureItems(accounts: LedgerAccount[]): Promise<void> {
    const missing = accounts.filter((a) => !this.items.has(a.id));
    if (missing.length === 0) return;
    const nameOf = (a: LedgerAccount) => `TikTok: ${a.name}`.slice(0, 100);
    const rows = await this.client.queryAll('Item', `Name IN (${[...new Set(missing.flatMap((a) => [nameOf(a), `${nameOf(a).slice(0, 90)} #${a.id}`]))].map(qboString).join(', ')})`);
    const byName = new Map(rows.map((r) => validate(itemSchema, r, 'query Item')).map((i) => [i.Name.toLowerCase(), i]));
    const toCreate: Array<{ payload: Record<string, unknown>; key: string }> = [];
    for (const a of missing) {
      let name = nameOf(a);
      let item = byName.get(name.toLowerCase());
      if (item && item.IncomeAccountRef?.value !== a.id) {
        // Same name, other account (e.g. a renamed mapping): use an id-qualified item instead.
        name = `${name.slice(0, 90)} #${a.id}`;
        item = byName.get(name.toLowerCase());
      }
      if (item) this.items.set(a.id, item.Id);
      else toCreate.push({ payload: { Name: name, Type: 'Service', IncomeAccountRef: { value: a.id } }, key: a.id });
    }
    for (const row of await this.createMany('Item', toCreate)) {
      const item = validate(itemSchema, row, 'POST /item');
      this.items.set(item.IncomeAccountRef!.value, item.Id);
    }
  }

  /**
   * Creates list objects (accounts, items) in order: one call for one, a batch call for several
   * (a first sync sets up a dozen accounts). A refusal fails the whole setup, as a single create would.
   */
  private async createMany(entity: 'Account' | 'Item', list: Array<{ payload: Record<string, unknown>; key: string }>): Promise<QboEntity[]> {
    if (list.length === 1) return [await this.client.create(entity, list[0]!.payload, requestIdFor(this.salt, entity.toLowerCase(), list[0]!.key))];
    const out: QboEntity[] = [];
    for (const part of chunk(list, QBO_LIMITS.batchMaxItems)) {
      const items: BatchItemRequest[] = part.map((p, i) => ({ bId: `c${i}`, operation: 'create', entity, payload: p.payload }));
      const results = await this.client.batch(items, requestIdFor(this.salt, entity.toLowerCase(), ...part.map((p) => p.key)));
      for (const r of results) {
        if (r.kind === 'fault') throw new QuickBooksFaultError(`POST /${entity.toLowerCase()}`, 400, r.fault);
        if (r.kind === 'entity') out.push(r.object);
      }
    }
    return out;
  }

  async findByKeys(docs: BookingDocument[]): Promise<Map<string, LedgerRef[]>> {
    const result = new Map<string, LedgerRef[]>();
    const byNumber = new Map(docs.map((d) => [shortDocNumber(d.key), d.key]));
    const keys = new Set(docs.map((d) => d.key));
    const add = (key: string, ref: LedgerRef) => {
      const list = result.get(key) ?? [];
      if (!list.some((r) => r.type === ref.type && r.id === ref.id)) list.push(ref);
      result.set(key, list);
    };
    const consider = (entity: string, row: QboEntity) => {
      const t = validate(txnSchema, row, `query ${entity}`);
      const noteKey = keyFromPrivateNote(t.PrivateNote);
      // The DocNumber is a hash; the PrivateNote proves the object is the one for this key.
      const key = noteKey && keys.has(noteKey) ? noteKey : undefined;
      if (!key) return;
      if (entity !== 'Transfer' && t.DocNumber !== undefined && byNumber.get(t.DocNumber) !== key) return;
      add(key, { type: entity, id: t.Id, number: t.DocNumber, url: this.deepLink({ type: entity, id: t.Id }) });
    };
    // Every 100 keys need one query per entity; the queries of several groups share a batch call
    // (up to 30 items), so looking up a few hundred documents costs one call, not one per group.
    const max = QBO_LIMITS.queryMaxResults;
    const queries: Array<{ entity: string; where: string }> = [];
    for (const part of chunk(docs, 100)) {
      const numbers = part.map((d) => qboString(shortDocNumber(d.key))).join(', ');
      const dates = [...new Set(part.filter((d) => d.kind === 'payout' || d.kind === 'reserve').map((d) => d.date))];
      queries.push(...DOC_NUMBERED_ENTITIES.map((e) => ({ entity: e, where: `DocNumber IN (${numbers})` })));
      if (dates.length > 0) queries.push({ entity: 'Transfer', where: `TxnDate IN (${dates.map(qboString).join(', ')})` });
    }
    const lookUp = async (group: typeof queries): Promise<void> => {
      const items: BatchItemRequest[] = group.map((q, i) => ({ bId: `q${i}`, query: `SELECT * FROM ${q.entity} WHERE ${q.where} STARTPOSITION 1 MAXRESULTS ${max}` }));
      const results = await this.client.batch(items);
      for (const [i, r] of results.entries()) {
        const q = group[i]!;
        if (r.kind === 'fault') throw new QuickBooksFaultError(`query ${q.entity}`, 400, r.fault);
        if (r.kind !== 'query') continue;
        let rows = r.response.items;
        if (rows.length >= max) rows = await this.client.queryAll(q.entity, q.where);
        for (const row of rows) consider(q.entity, row);
      }
    };
    await Promise.all(chunk(queries, QBO_LIMITS.batchMaxItems).map(lookUp));
    return result;
  }

  async post(inputs: PostInput[]): Promise<PostOutcome[]> {
    const outcomes = new Map<string, PostOutcome>();
    // A fresh key was never sent from this state; QuickBooks rejects a repeated DocNumber (6140,
    // resolved below by a lookup), so only keys without that guard or sent before are looked up.
    // Transfers (payouts, reserves) carry no DocNumber.
    const existing = await this.findByKeys(inputs.filter((i) => !i.fresh || i.doc.kind === 'payout' || i.doc.kind === 'reserve').map((i) => i.doc));
    const home = await this.home();
    const todo = inputs.filter((i) => {
      const refs = existing.get(i.doc.key);
      if (refs) outcomes.set(i.doc.key, { key: i.doc.key, status: 'existing', refs });
      return !refs && !outcomes.has(i.doc.key);
    });
    if (todo.length > 0) {
      await this.ensureItems(itemAccountsOf(todo));
      if (todo.some((i) => i.doc.kind === 'sale' || i.doc.kind === 'refund')) await this.ensureCustomer();
    }
    const ctx = { itemForAccount: (id: string) => this.items.get(id), customerId: this.customerId, homeCurrency: home };
    const unresolved: Array<{ key: string; error: string; fix?: string }> = [];
    const seq = String(this.postSeq++);
    const send = async (inputs: PostInput[]): Promise<void> => {
      const part: Array<{ input: PostInput; rendered: Rendered & { ok: true } }> = [];
      for (const input of inputs) {
        const rendered = renderDocument(input, ctx);
        if (!rendered.ok) outcomes.set(input.doc.key, { key: input.doc.key, status: 'failed', error: rendered.error, fix: rendered.fix, refs: [] });
        else part.push({ input, rendered });
      }
      if (part.length === 0) return;
      const items: BatchItemRequest[] = part.map((p, i) => ({ bId: `b${i}`, operation: 'create', entity: p.rendered.entity, payload: p.rendered.payload }));
      let results;
      try {
        results = await this.client.batch(items, requestIdFor(this.salt, seq, 'batch', ...part.map((p) => p.input.doc.key)));
      } catch (err) {
        if (err instanceof ReauthRequiredError || !(err instanceof SynderError)) throw err;
        // The batch's fate is unknown: look each document up before calling it failed.
        for (const p of part) unresolved.push({ key: p.input.doc.key, error: err.message, fix: err.hint });
        return;
      }
      for (const [i, r] of results.entries()) {
        const { input, rendered } = part[i]!;
        const key = input.doc.key;
        if (r.kind === 'entity') {
          const created = validate(txnSchema, r.object, `batch create ${rendered.entity}`);
          const id = created.Id;
          const refs = [{ type: rendered.entity, id, number: rendered.docNumber, url: this.deepLink({ type: rendered.entity, id }) }];
          const wrong = totalMismatch(input.doc, rendered.entity, created.TotalAmt);
          // A ledger that adds tax of its own (automated sales tax) moves the total away from what TikTok settled: say so loudly.
          if (wrong) outcomes.set(key, { key, status: 'failed', error: `QuickBooks booked the ${rendered.entity} at ${wrong.got}, not the ${wrong.want} TikTok settled (its tax: ${created.TxnTaxDetail?.TotalTax ?? 0}).`, fix: 'Check the company\'s sales tax settings and `synder map` tax codes, then `synder rollback` this document and sync again.', refs });
          else outcomes.set(key, { key, status: 'created', refs });
        } else if (r.kind === 'fault') {
          const code = r.fault.errors[0]?.code ?? '';
          if (code === '6140') unresolved.push({ key, error: describeFault(r.fault), fix: faultHint(code) });
          else outcomes.set(key, { key, status: 'failed', error: `QuickBooks rejected the ${rendered.entity}: ${describeFault(r.fault)}`, fix: faultHint(code), refs: [] });
        }
      }
    };
    // A few batches more than the client sends at once wait ready, so the batch limit is used to
    // the full; the rest are rendered only when their turn comes: a post() of thousands of
    // documents waits minutes on that limit, and holding them all rendered cost more than the documents.
    const ahead = pLimit(BATCHES_READY);
    await Promise.all(chunk(todo, this.batchSize).map((part) => ahead(() => send(part))));
    if (unresolved.length > 0) {
      const docs = inputs.filter((i) => unresolved.some((u) => u.key === i.doc.key)).map((i) => i.doc);
      const found = await this.findByKeys(docs);
      for (const u of unresolved) {
        const refs = found.get(u.key);
        outcomes.set(u.key, refs ? { key: u.key, status: 'existing', refs } : { key: u.key, status: 'failed', error: u.error, fix: u.fix, refs: [] });
      }
    }
    return inputs.map((i) => outcomes.get(i.doc.key)!);
  }

  async remove(items: Array<{ key: string; refs: LedgerRef[] }>): Promise<RemoveOutcome[]> {
    return Promise.all(items.map((item) => this.removeOne(item)));
  }

  private async removeOne(item: { key: string; refs: LedgerRef[] }): Promise<RemoveOutcome> {
    const statuses: RemoveOutcome['status'][] = [];
    const messages: string[] = [];
    for (const ref of item.refs) {
      let current: z.infer<typeof txnSchema>;
      try {
        current = validate(txnSchema, await this.client.read(ref.type, ref.id), `GET /${ref.type.toLowerCase()}`);
      } catch (err) {
        if (err instanceof QuickBooksFaultError && err.faultCode === '610') {
          statuses.push('missing');
          continue;
        }
        throw err;
      }
      const noteKey = keyFromPrivateNote(current.PrivateNote);
      if (noteKey !== undefined && noteKey !== item.key) {
        statuses.push('refused');
        messages.push(`${ref.type} ${ref.id} belongs to ${noteKey}, not ${item.key}; left alone`);
        continue;
      }
      const syncToken = current.SyncToken ?? '0';
      try {
        await this.client.remove(ref.type, { Id: ref.id, SyncToken: syncToken }, requestIdFor(this.salt, 'delete', ref.type, ref.id, syncToken));
        statuses.push('deleted');
      } catch (err) {
        if (!(err instanceof QuickBooksFaultError)) throw err;
        if (ref.type === 'SalesReceipt') {
          try {
            await this.client.update(ref.type, { Id: ref.id, SyncToken: syncToken, sparse: true }, requestIdFor(this.salt, 'void', ref.type, ref.id, syncToken), 'void');
            statuses.push('voided');
            continue;
          } catch (voidErr) {
            if (!(voidErr instanceof QuickBooksFaultError)) throw voidErr;
          }
        }
        statuses.push('refused');
        messages.push(`${ref.type} ${ref.id}: ${describeFault(err.fault)}`);
      }
    }
    const status: RemoveOutcome['status'] = statuses.includes('refused')
      ? 'refused'
      : statuses.includes('voided')
        ? 'voided'
        : statuses.includes('deleted')
          ? 'deleted'
          : 'missing';
    return messages.length > 0 ? { key: item.key, status, message: messages.join('; ') } : { key: item.key, status };
  }

  async shopClaim(_shopId: string, clearing: Pick<LedgerAccount, 'id'>): Promise<string | undefined> {
    const a = validate(z.looseObject({ Description: z.string().optional() }), await this.client.read('Account', clearing.id), 'GET /account');
    return a.Description || undefined;
  }

  async setShopClaim(_shopId: string, clearing: Pick<LedgerAccount, 'id'>, note: string): Promise<void> {
    const a = validate(z.looseObject({ Name: z.string(), SyncToken: z.string().optional() }), await this.client.read('Account', clearing.id), 'GET /account');
    const syncToken = a.SyncToken ?? '0';
    // QuickBooks caps an account's description at 100 characters; the name rides along, as an account update needs it.
    await this.client.update('Account', { Id: clearing.id, SyncToken: syncToken, sparse: true, Name: a.Name, Description: note.slice(0, 100) }, requestIdFor(this.salt, 'claim', clearing.id, syncToken, note));
  }

  async accountBalance(accountId: string): Promise<number> {
    const a = validate(accountSchema, await this.client.read('Account', accountId), 'GET /account');
    const currency = a.CurrencyRef?.value ?? (await this.home());
    const balance = parseMinor(String(a.CurrentBalance ?? 0), currency, `Account ${accountId} CurrentBalance`);
    return debitSign(a.Classification, a.AccountType) * balance || 0;
  }

  deepLink(ref: Pick<LedgerRef, 'type' | 'id'>): string {
    const path = deepLinkPath(ref.type);
    return `${this.opts.appUrl.replace(/\/+$/, '')}/app/${path}${encodeURIComponent(ref.id)}`;
  }
}

export type { QboEntityName };
