import pLimit from 'p-limit';
import { z } from 'zod';
import type { BookingDocument } from '../../booking/document.js';
import type { LedgerTaxProfile } from '../../booking/tax.js';
import { shortDocNumber } from '../../booking/keys.js';
import { SynderError } from '../../errors.js';
import type { AccountSpec, LedgerAccount, LedgerCompany, LedgerConnector, LedgerRef, PostInput, PostOutcome, RemoveOutcome } from '../ledger-connector.js';
import { parseResponse, XeroApiError, XERO_LIMITS, type XeroClient } from './client.js';
import { envelope, PART, XeroFinder, type Element, type Found } from './lookup.js';
import { expectedPartTypes, renderDocument, RenderError, xeroDocNumber, type RenderedDocument, type XeroPartType } from './render.js';
import { chunk } from '../../lists.js';
import { account, accounts, contacts, fixForRefusal, organisations, orgTax, report, taxRates, toLedgerAccount, trialBalanceOf, TYPE_OF_CLASS } from './answers.js';

/** Batch calls serialized and waiting for the client at a time (it sends 4 at once). */
const BATCHES_READY = 6;

/** The generic contact every TikTok Shop document is issued to. */
export const TIKTOK_CONTACT = 'TikTok Shop';

export interface XeroConnectorOptions {
  client: XeroClient;
  /** Deep-link base, `config.xero.appUrl` (https://go.xero.com in production). */
  appUrl: string;
  shortCode?: string;
  contactName?: string;
  /** Account codes synder creates are `<prefix><n>`, at most 10 characters. */
  accountCodePrefix?: string;
}

const UNIQUE_NUMBER = /must be unique/i;
/** Xero contact numbers hold at most 50 characters; a 19-digit shop id leaves room. */
const claimContactNumber = (shopId: string) => `synder-tts-${shopId}`.slice(0, 50);
const claimPrefix = (shopId: string) => `TikTok shop ${shopId}: `;
const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
const msgs = (e: Element): string[] => [...(e.ValidationErrors ?? []), ...(e.Warnings ?? [])].map((m) => m.Message);

export class XeroConnector implements LedgerConnector {
  readonly provider = 'xero' as const;
  /**
   * Xero answers 60 calls a minute, so a post() waits about a minute per 1,500 documents while
   * the next one is built: at 1,000 the documents waiting take about 6 MB less at the cost of about
   * 3 % more calls (a part-filled PUT per type per post()).
   */
  readonly documentsPerPost = 1000;
  private readonly client: XeroClient;
  private org?: LedgerCompany;
  private contactId?: string;
  private readonly finder: XeroFinder;

  constructor(private readonly opts: XeroConnectorOptions) {
    this.client = opts.client;
    this.finder = new XeroFinder(opts.client);
  }

  get apiCalls(): number {
    return this.client.calls;
  }

  async company(): Promise<LedgerCompany> {
    const json = await this.client.get('/Organisation');
    const o = parseResponse(organisations, json, 'GET /Organisation').Organisations[0]!;
    this.org = { id: o.OrganisationID ?? '', name: o.Name, currency: o.BaseCurrency, country: o.CountryCode, shortCode: o.ShortCode };
    return this.org;
  }

  async taxProfile(): Promise<LedgerTaxProfile> {
    const o = parseResponse(orgTax, await this.client.get('/Organisation'), 'GET /Organisation').Organisations[0]!;
    const country = (o.CountryCode ?? 'US').toUpperCase();
    const rates = parseResponse(taxRates, await this.client.get('/TaxRates', { where: 'Status=="ACTIVE"' }), 'GET /TaxRates').TaxRates;
    const codes = rates
      .filter((r) => (r.Status ?? 'ACTIVE') === 'ACTIVE')
      .map((r) => ({
        id: r.TaxType,
        name: r.Name,
        sales: r.CanApplyToRevenue === false ? undefined : { percent: r.EffectiveRate ?? 0 },
        purchase: r.CanApplyToExpenses === false ? undefined : { percent: r.EffectiveRate ?? 0 },
      }));
    const gst = (await this.rawAccounts()).find((a) => a.SystemAccount === 'GST');
    return {
      country,
      system: country === 'US' ? 'us_sales_tax' : 'vat',
      registered: o.PaysTax === true,
      codes,
      taxAccount: gst ? { id: gst.AccountID, name: gst.Name } : undefined,
    };
  }

  private async rawAccounts(): Promise<Array<z.infer<typeof account>>> {
    return parseResponse(accounts, await this.client.get('/Accounts'), 'GET /Accounts').Accounts;
  }

  async listAccounts(): Promise<LedgerAccount[]> {
    return (await this.rawAccounts()).filter((a) => (a.Status ?? 'ACTIVE') === 'ACTIVE').map(toLedgerAccount);
  }

  async ensureAccounts(specs: AccountSpec[]): Promise<LedgerAccount[]> {
    let all = await this.rawAccounts();
    const out: LedgerAccount[] = [];
    const prefix = this.opts.accountCodePrefix ?? 'TTS';
    let next = 100;
    for (const spec of specs) {
      const type = TYPE_OF_CLASS[spec.class];
      const find = () =>
        all.find((a) => (a.Status ?? 'ACTIVE') === 'ACTIVE' && spec.class === 'bank' && spec.bankAccountNumber && a.BankAccountNumber === spec.bankAccountNumber) ??
        all.find((a) => (a.Status ?? 'ACTIVE') === 'ACTIVE' && a.Name.toLowerCase() === spec.name.toLowerCase());
      let found = find();
      if (found) {
        if (spec.class === 'bank' && found.Type !== 'BANK') {
          throw new SynderError(`The Xero account "${found.Name}" exists but is of type ${found.Type}, not BANK; the ${spec.role} account must be a bank account.`, {
            hint: 'Rename that account in Xero or choose another name for this account.',
            code: 'xero_account_type',
          });
        }
        if (spec.role === 'clearing' && out.some((o, i) => specs[i]!.role === 'bank' && o.id === found!.AccountID)) {
          throw new SynderError('The clearing account cannot be the payout bank account.', { hint: 'Give the clearing account its own name.', code: 'xero_clearing_is_bank' });
        }
        out.push(toLedgerAccount(found));
        continue;
      }
      for (let attempt = 0; ; attempt++) {
        const used = new Set(all.map((a) => (a.Code ?? '').toLowerCase()));
        while (used.has(`${prefix}${next}`.toLowerCase())) next++;
        const code = `${prefix}${next}`.slice(0, 10);
        const body: Record<string, unknown> = { Code: code, Name: spec.name.slice(0, 150), Type: type };
        if (type === 'BANK') {
          body.BankAccountNumber = spec.bankAccountNumber ?? `TTS-${shortDocNumber(`bank-account:${spec.name}`).slice(1, 13)}`;
          body.BankAccountType = 'BANK';
          if (spec.currency) body.CurrencyCode = spec.currency.toUpperCase();
        }
        try {
          const json = await this.client.request('PUT', '/Accounts', { body, label: 'PUT /Accounts' });
          found = parseResponse(accounts, json, 'PUT /Accounts').Accounts[0];
          if (!found) throw new SynderError('Xero PUT /Accounts returned no account.');
          all = [...all, found];
          next++;
          break;
        } catch (err) {
          if (!(err instanceof XeroApiError) || err.status !== 400 || attempt >= 10) throw err;
          all = await this.rawAccounts();
          const again = find();
          if (again) {
            found = again;
            break;
          }
          if (err.messages.some((m) => /unique Name/i.test(m))) {
            throw new SynderError(`Xero already has an archived or deleted account named "${spec.name}".`, { hint: 'Restore it in Xero (Chart of accounts) or rename it, then run the command again.', code: 'xero_account_name' });
          }
          if (!err.messages.some((m) => /unique Code/i.test(m))) throw err;
          next++;
        }
      }
      out.push(toLedgerAccount(found!));
    }
    return out;
  }

  /** The contact carrying a shop's claim: its contact number (set only through the API) finds it, its name is the claim. */
  private async claimContact(shopId: string): Promise<{ ContactID?: string; Name?: string } | undefined> {
    const where = `ContactNumber==${quote(claimContactNumber(shopId))}`;
    return parseResponse(contacts, await this.client.get('/Contacts', { where }), 'GET /Contacts').Contacts.find((c) => c.ContactID);
  }

  async shopClaim(shopId: string, _clearing?: Pick<LedgerAccount, 'id'>): Promise<string | undefined> {
    const name = (await this.claimContact(shopId))?.Name;
    return name?.startsWith(claimPrefix(shopId)) ? name.slice(claimPrefix(shopId).length) : name;
  }

  async setShopClaim(shopId: string, _clearing: Pick<LedgerAccount, 'id'>, note: string): Promise<void> {
    const Name = `${claimPrefix(shopId)}${note}`.slice(0, 255);
    const found = await this.claimContact(shopId);
    if (found?.ContactID) {
      await this.client.request('POST', `/Contacts/${found.ContactID}`, { body: { Contacts: [{ ContactID: found.ContactID, Name }] }, label: 'POST /Contacts/{id}' });
      return;
    }
    const created = parseResponse(contacts, await this.client.request('PUT', '/Contacts', { body: { Contacts: [{ Name, ContactNumber: claimContactNumber(shopId) }] }, query: { summarizeErrors: 'false' } }), 'PUT /Contacts').Contacts[0];
    if (!created?.ContactID) throw new SynderError(`Xero did not create the contact that records who books the TikTok shop ${shopId}.`);
  }

  /** Finds or creates the "TikTok Shop" contact every document is issued to. */
  async ensureContact(): Promise<string> {
    if (this.contactId) return this.contactId;
    const name = this.opts.contactName ?? TIKTOK_CONTACT;
    const found = parseResponse(contacts, await this.client.get('/Contacts', { where: `Name==${quote(name)}` }), 'GET /Contacts').Contacts.find((c) => c.ContactID);
    if (found?.ContactID) return (this.contactId = found.ContactID);
    const created = parseResponse(contacts, await this.client.request('PUT', '/Contacts', { body: { Contacts: [{ Name: name, IsSupplier: true, IsCustomer: true }] }, query: { summarizeErrors: 'false' } }), 'PUT /Contacts').Contacts[0];
    if (!created?.ContactID) throw new SynderError(`Xero did not create the "${name}" contact.`);
    return (this.contactId = created.ContactID);
  }

  /**
   * What already exists of these documents' parts, by number. Invoices and credit notes bring
   * their payments; with `only`, just those types are looked for.
   */
  private async findParts(docs: Array<{ number: string; date: string; types: XeroPartType[] }>, only?: XeroPartType[]): Promise<Map<string, Found[]>> {
    const out = new Map<string, Found[]>();
    const merge = (found: Map<string, Found[]>) => {
      for (const [n, f] of found) out.set(n, [...(out.get(n) ?? []), ...f]);
    };
    for (const type of ['Invoice', 'CreditNote', 'BankTransaction', 'BankTransfer'] as const) {
      if (only && !only.includes(type)) continue;
      const mine = docs.filter((d) => d.types.includes(type));
      if (mine.length === 0) continue;
      const numbers = mine.map((d) => d.number);
      merge(type === 'BankTransaction' ? await this.finder.bankTransactions(numbers, mine.map((d) => d.date)) : await this.finder.byNumber(type, numbers));
    }
    return out;
  }

  private ref(f: Found, number: string): LedgerRef {
    return { type: f.type, id: f.id, number, url: this.deepLink(f) };
  }

  async findByKeys(docs: BookingDocument[]): Promise<Map<string, LedgerRef[]>> {
    const result = new Map<string, LedgerRef[]>();
    if (!this.org) await this.company();
    const expected = new Map<string, XeroPartType[][]>();
    for (const d of docs) {
      try {
        expected.set(d.key, d.kind === 'reserve' ? [expectedPartTypes(d, false), expectedPartTypes(d, true)] : [expectedPartTypes(d)]);
      } catch (err) {
        if (!(err instanceof RenderError)) throw err;
      }
    }
    const wanted = docs.filter((d) => expected.has(d.key)).map((d) => ({ number: xeroDocNumber(d.key), date: d.date, types: expected.get(d.key)!.flat() }));
    const found = await this.findParts(wanted);
    for (const d of docs) {
      const variants = expected.get(d.key);
      const number = xeroDocNumber(d.key);
      const have = found.get(number) ?? [];
      if (!variants || have.length === 0) continue;
      // Only a complete set counts as booked; a partial one (crash mid-document) is completed by post().
      const complete = variants.some((v) => v.length > 0 && v.every((t) => have.some((h) => h.type === t) || (t === 'Payment' && have.some((h) => h.status === 'PAID'))));
      if (complete) result.set(d.key, have.map((h) => this.ref(h, number)));
    }
    return result;
  }

  async post(inputs: PostInput[]): Promise<PostOutcome[]> {
    if (inputs.length === 0) return [];
    if (!this.org) await this.company();
    const contactId = await this.ensureContact();
    const outcomes = new Map<string, PostOutcome>();
    const rendered: RenderedDocument[] = [];
    const dateOf = new Map(inputs.map((i) => [i.doc.key, i.doc.date]));
    for (const input of inputs) {
      try {
        rendered.push(renderDocument(input, { contactId }));
      } catch (err) {
        if (!(err instanceof RenderError)) throw err;
        outcomes.set(input.doc.key, { key: input.doc.key, status: 'failed', error: err.message, fix: err.fix, refs: [] });
      }
    }
    await this.postRendered(rendered, (key) => dateOf.get(key)!, outcomes);
    return inputs.map((i) => outcomes.get(i.doc.key)!);
  }

  /**
   * All documents go through one pass so each PUT carries a full batch of its type. Only bank
   * transactions and transfers are looked up before creating: Xero refuses a second invoice or
   * credit note with the same number (that refusal is resolved by looking the number up), and a
   * payment is listed on the invoice or credit note it settles.
   */
  private async postRendered(docs: RenderedDocument[], dateOf: (key: string) => string, outcomes: Map<string, PostOutcome>): Promise<void> {
    const parts = (d: RenderedDocument) => ({ number: d.number, date: dateOf(d.key), types: d.parts.map((p) => p.type) });
    const existing = await this.findParts(docs.map(parts), ['BankTransaction', 'BankTransfer']);
    const state = new Map(docs.map((d) => [d.key, { have: [...(existing.get(d.number) ?? [])], created: false, errors: [] as string[] }]));
    const taken = new Map<XeroPartType, Array<{ doc: RenderedDocument; message: string }>>();
    // Shared by the types' batches: a few more than the client sends at once wait ready.
    const ahead = pLimit(BATCHES_READY);
    const run = async (type: XeroPartType, pending: Array<{ doc: RenderedDocument; body: Record<string, unknown> }>) => {
      const spec = PART[type];
      // BankTransfers have no summarizeErrors=false: a batch with one bad transfer is refused whole
      // (though Xero may have created the others), so a refused batch is looked up before blaming.
      const summarised = type === 'BankTransfer';
      // Batches go out together; the client's windows (and Xero's 5 concurrent calls) pace them.
      const send = async (batch: typeof pending): Promise<void> => {
        let items: Element[];
        try {
          const json = await this.client.request('PUT', spec.path, { body: { [spec.key]: batch.map((p) => p.body) }, query: summarised ? undefined : { summarizeErrors: 'false' }, label: `PUT ${spec.path}` });
          items = parseResponse(envelope(spec.key), json, `PUT ${spec.path}`)[spec.key] as Element[];
        } catch (err) {
          if (!(err instanceof XeroApiError) || err.status !== 400) throw err;
          await this.settleRefusedBatch(type, batch.map((p) => p.doc), err, dateOf, state);
          return;
        }
        batch.forEach((p, i) => {
          const e = items[i];
          const s = state.get(p.doc.key)!;
          const id = e?.[spec.id] as string | undefined;
          const failed = !e || e.StatusAttributeString === 'ERROR' || !id;
          if (id && !failed) {
            s.have.push({ type, id, status: e!.Status, fromTx: e!.FromBankTransactionID });
            s.created = true;
            if (type === 'BankTransfer' && e!.FromBankTransactionID) this.finder.transferFrom.set(id, e!.FromBankTransactionID);
          }
          const problems = e ? msgs(e) : ['no element returned'];
          const message = `${type}: ${problems.join('; ') || 'rejected without a message'}`;
          if (failed && (type === 'Invoice' || type === 'CreditNote') && problems.some((m) => UNIQUE_NUMBER.test(m))) taken.set(type, [...(taken.get(type) ?? []), { doc: p.doc, message }]);
          else if (failed || e!.StatusAttributeString === 'WARNING') s.errors.push(message);
        });
      };
      // Serialized only when their turn comes: a post() of thousands of documents waits minutes on Xero's minute limit.
      await Promise.all(chunk(pending, XERO_LIMITS.batchSize).map((batch) => ahead(() => send(batch))));
    };
    // Phase 1: everything that stands alone; phase 2: payments of the invoices and credit notes.
    await Promise.all(
      (['Invoice', 'CreditNote', 'BankTransaction', 'BankTransfer'] as const).map((type) =>
        run(type, docs.flatMap((d) => d.parts.filter((p) => p.type === type && !state.get(d.key)!.have.some((h) => h.type === type)).map((p) => ({ doc: d, body: p.body })))),
      ),
    );
    // A number Xero says is taken was sent before (a crash, or a lost state store): link what is there.
    for (const [type, refused] of taken) {
      const found = await this.findParts(refused.map((r) => ({ ...parts(r.doc), types: [type] })));
      for (const r of refused) {
        const s = state.get(r.doc.key)!;
        const have = (found.get(r.doc.number) ?? []).filter((f) => !s.have.some((h) => h.id === f.id));
        if (have.some((f) => f.type === type)) s.have.push(...have);
        else s.errors.push(r.message);
      }
    }
    const payments: Array<{ doc: RenderedDocument; body: Record<string, unknown> }> = [];
    for (const d of docs) {
      const s = state.get(d.key)!;
      for (const p of d.parts.filter((x) => x.type === 'Payment')) {
        if (s.have.some((h) => h.type === 'Payment')) continue;
        const target = s.have.find((h) => h.type === p.settles);
        if (!target || target.status === 'PAID') continue; // failed above, or already settled
        const link = p.settles === 'Invoice' ? { Invoice: { InvoiceID: target.id } } : { CreditNote: { CreditNoteID: target.id } };
        payments.push({ doc: d, body: { ...link, ...p.body } });
      }
    }
    await run('Payment', payments);
    for (const d of docs) {
      const s = state.get(d.key)!;
      const refs = s.have.map((h) => this.ref(h, d.number));
      if (s.errors.length) {
        outcomes.set(d.key, { key: d.key, status: 'failed', error: `Xero rejected ${d.key}: ${s.errors.join(' | ')}`, fix: fixForRefusal(s.errors), refs });
      } else outcomes.set(d.key, { key: d.key, status: s.created ? 'created' : 'existing', refs });
    }
  }

  /**
   * A PUT answered 400 as a whole: Xero may still have created the valid elements without
   * returning them. What is found by number counts as created; the rest carry Xero's messages
   * (the element's own when Xero echoed it back).
   */
  private async settleRefusedBatch(type: XeroPartType, docs: RenderedDocument[], err: XeroApiError, dateOf: (key: string) => string, state: Map<string, { have: Found[]; created: boolean; errors: string[] }>): Promise<void> {
    const found = type === 'Payment' ? new Map<string, Found[]>() : await this.findParts(docs.map((d) => ({ number: d.number, date: dateOf(d.key), types: [type] })));
    const echoed = new Map<string, string[]>();
    const elements = (err.body as { Elements?: unknown } | undefined)?.Elements;
    if (Array.isArray(elements)) {
      for (const e of elements as Element[]) {
        const number = e.InvoiceNumber ?? e.CreditNoteNumber ?? e.Reference;
        if (number) echoed.set(number, msgs(e));
      }
    }
    for (const d of docs) {
      const s = state.get(d.key)!;
      const mine = (found.get(d.number) ?? []).filter((f) => f.type === type);
      if (mine.length > 0) {
        s.have.push(...mine);
        s.created = true;
      } else s.errors.push(`${type}: ${(echoed.get(d.number) ?? err.messages).join('; ') || err.message}`);
    }
  }

  async remove(items: Array<{ key: string; refs: LedgerRef[] }>): Promise<RemoveOutcome[]> {
    const order: Record<string, number> = { Payment: 0, Invoice: 1, CreditNote: 1, BankTransaction: 2, BankTransfer: 3, ManualJournal: 4 };
    const out: RemoveOutcome[] = [];
    for (const item of items) {
      const refs = [...item.refs].sort((a, b) => (order[a.type] ?? 9) - (order[b.type] ?? 9));
      const results: Array<{ status: 'deleted' | 'voided' | 'refused' | 'missing'; message?: string }> = [];
      for (const ref of refs) {
        const id = encodeURIComponent(ref.id);
        const call = async (): Promise<'deleted' | 'voided'> => {
          switch (ref.type) {
            case 'Payment':
              await this.client.request('POST', `/Payments/${id}`, { body: { Status: 'DELETED' } });
              return 'deleted';
            case 'Invoice':
              await this.client.request('POST', `/Invoices/${id}`, { body: { Invoices: [{ InvoiceID: ref.id, Status: 'VOIDED' }] } });
              return 'voided';
            case 'CreditNote':
              await this.client.request('POST', `/CreditNotes/${id}`, { body: { CreditNotes: [{ CreditNoteID: ref.id, Status: 'VOIDED' }] } });
              return 'voided';
            case 'BankTransaction': {
              // The spec requires Type, LineItems and BankAccount on every BankTransaction body,
              // so the deletion sends the stored transaction back whole with the new status.
              const current = parseResponse(z.looseObject({ BankTransactions: z.array(z.looseObject({ Type: z.string(), BankAccount: z.looseObject({ AccountID: z.string() }), LineItems: z.array(z.looseObject({})), Status: z.string().optional() })).min(1) }), await this.client.get(`/BankTransactions/${id}`), 'GET /BankTransactions/{id}').BankTransactions[0]!;
              if (current.Status === 'DELETED') return 'deleted';
              const { Type, BankAccount, LineItems } = current;
              await this.client.request('POST', `/BankTransactions/${id}`, { body: { BankTransactions: [{ BankTransactionID: ref.id, Type, BankAccount: { AccountID: BankAccount.AccountID }, LineItems, Status: 'DELETED' }] } });
              return 'deleted';
            }
            case 'BankTransfer':
              // Soft delete of bank transfers arrived in Accounting API spec 16.1.0 (July 2026).
              await this.client.request('POST', `/BankTransfers/${id}`, { body: { Status: 'DELETED' } });
              return 'deleted';
            default:
              throw new XeroApiError(400, `remove ${ref.type}`, [`synder does not create ${ref.type} objects in Xero, so it will not remove one`], undefined);
          }
        };
        try {
          results.push({ status: await call() });
        } catch (err) {
          if (err instanceof XeroApiError && err.status === 404) results.push({ status: 'missing', message: `${ref.type} ${ref.id} no longer exists in Xero` });
          else if (err instanceof XeroApiError && err.status === 400) results.push({ status: 'refused', message: `Xero refused to remove ${ref.type} ${ref.number ?? ref.id}: ${err.messages.join('; ')}` });
          else throw err;
        }
      }
      const refused = results.filter((r) => r.status === 'refused');
      if (refused.length) out.push({ key: item.key, status: 'refused', message: refused.map((r) => r.message).join(' | ') });
      else if (results.length === 0 || results.every((r) => r.status === 'missing')) out.push({ key: item.key, status: 'missing', message: results.map((r) => r.message).join(' | ') || undefined });
      else out.push({ key: item.key, status: results.some((r) => r.status === 'voided') ? 'voided' : 'deleted' });
    }
    return out;
  }

  /**
   * From the Trial Balance (YTD Debit − YTD Credit), the report that covers every account type;
   * dated tomorrow so documents dated today in any time zone are included.
   */
  async accountBalance(accountId: string): Promise<number> {
    const org = this.org ?? (await this.company());
    const date = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const rep = parseResponse(report, await this.client.get('/Reports/TrialBalance', { date }), 'GET /Reports/TrialBalance').Reports[0]!;
    return trialBalanceOf(rep, accountId, org.currency);
  }

  deepLink(ref: Pick<LedgerRef, 'type' | 'id'>): string {
    const base = this.opts.appUrl.replace(/\/+$/, '');
    const sc = this.org?.shortCode ?? this.opts.shortCode;
    const target = (() => {
      switch (ref.type) {
        case 'Invoice':
          return `/AccountsReceivable/View.aspx?InvoiceID=${ref.id}`;
        case 'CreditNote':
          return `/AccountsPayable/ViewCreditNote.aspx?creditNoteID=${ref.id}`;
        case 'BankTransfer':
          return `/Bank/ViewTransaction.aspx?bankTransactionID=${this.finder.transferFrom.get(ref.id) ?? ref.id}`;
        case 'ManualJournal':
          return `/Journal/View.aspx?invoiceID=${ref.id}`;
        default: // BankTransaction; Payment as Xero's own tools link it
          return `/Bank/ViewTransaction.aspx?bankTransactionID=${ref.id}`;
      }
    })();
    return sc ? `${base}/organisationlogin/default.aspx?shortcode=${encodeURIComponent(sc)}&redirecturl=${target}` : `${base}${target}`;
  }
}
