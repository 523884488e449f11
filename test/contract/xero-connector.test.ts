import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ACCOUNT_ROLES, type AccountRole } from '../../src/booking/document.js';
import type { AccountSpec, LedgerAccount, PostInput } from '../../src/providers/ledger-connector.js';
import { xeroDocNumber } from '../../src/providers/xero/render.js';
import { sharedDir } from '../helpers/cli.js';
import { connectXero, doc, type Connected } from './xero-setup.js';

let ctx: Connected | undefined;
afterEach(async () => {
  await ctx?.close();
  ctx = undefined;
});

const ROLES: AccountRole[] = ['clearing', 'reserve', 'bank', 'sales', 'shipping_income', 'seller_discounts', 'refunds', 'marketplace_fees', 'transaction_fees', 'affiliate_commissions', 'platform_adjustments'];
const specs = (): AccountSpec[] =>
  ROLES.map((role) => ({
    role,
    name: role === 'clearing' ? 'TikTok Shop Clearing – shop1' : role === 'bank' ? 'Business Bank Account' : ACCOUNT_ROLES[role].name,
    class: ACCOUNT_ROLES[role].class,
    currency: 'USD',
    ...(role === 'clearing' ? { bankAccountNumber: 'TTS-CLEARING-shop1' } : {}),
  }));

async function setUp(c: Connected): Promise<Record<AccountRole, LedgerAccount>> {
  const list = await c.connector.ensureAccounts(specs());
  return Object.fromEntries(ROLES.map((r, i) => [r, list[i]!])) as Record<AccountRole, LedgerAccount>;
}

const inputs = (accounts: Record<string, LedgerAccount>, ...docs: ReturnType<typeof doc>[]): PostInput[] => docs.map((d) => ({ doc: d, accounts }));

describe('XeroConnector against the sandbox', () => {
  it('reads the organisation and sets up the clearing account idempotently, never reusing the bank account', async () => {
    ctx = await connectXero();
    const company = await ctx.connector.company();
    expect(company).toMatchObject({ currency: 'USD', country: 'US' });
    expect(company.shortCode).toMatch(/^!/);
    const first = await setUp(ctx);
    expect(first.clearing.type).toBe('BANK');
    expect(first.clearing.id).not.toBe(first.bank.id);
    expect(first.bank.code).toBe('090'); // existing payout account found, not created
    expect(first.reserve.type).toBe('CURRENT');
    expect(first.sales.type).toBe('REVENUE');
    expect(first.platform_adjustments.type).toBe('OTHERINCOME');
    expect(Object.values(first).every((a) => (a.code ?? '').length <= 10)).toBe(true);
    const before = ctx.sandbox.books.tenant().accounts.size;
    const second = await setUp(ctx);
    expect(ctx.sandbox.books.tenant().accounts.size).toBe(before);
    expect(second.clearing.id).toBe(first.clearing.id);
    const clearing = ctx.sandbox.books.tenant().accounts.get(first.clearing.id)!;
    expect(clearing.BankAccountNumber).toBe('TTS-CLEARING-shop1');
  });

  it('keeps who books a shop in a contact per shop (bank accounts take no description), where another connection reads it', async () => {
    ctx = await connectXero();
    const { clearing } = await setUp(ctx);
    expect(await ctx.connector.shopClaim('7494', clearing)).toBeUndefined();
    await ctx.connector.setShopClaim('7494', clearing, 'synder 0a1b2c3d summary from 2026-09-01 (Acme)');
    await ctx.connector.setShopClaim('8888', clearing, 'synder 0a1b2c3d summary from 2026-09-01 (Acme)');
    await ctx.connector.setShopClaim('7494', clearing, 'synder 99999999 per-transaction from 2026-10-01 (Other)');
    expect(await ctx.connector.shopClaim('7494', clearing)).toBe('synder 99999999 per-transaction from 2026-10-01 (Other)');
    expect(await ctx.connector.shopClaim('8888', clearing)).toBe('synder 0a1b2c3d summary from 2026-09-01 (Acme)');
    const contacts = [...ctx.sandbox.books.tenant().contacts.values()].filter((c) => String(c.ContactNumber ?? '').startsWith('synder-tts-'));
    expect(contacts.map((c) => [c.ContactNumber, c.Name]).sort()).toEqual([
      ['synder-tts-7494', 'TikTok shop 7494: synder 99999999 per-transaction from 2026-10-01 (Other)'],
      ['synder-tts-8888', 'TikTok shop 8888: synder 0a1b2c3d summary from 2026-09-01 (Acme)'],
    ]);
  });

  it('picks a free code when synder\'s first code is taken', async () => {
    ctx = await connectXero();
    ctx.sandbox.books.tenant().createAccount({ Code: 'TTS100', Name: 'Something else', Type: 'EXPENSE' });
    const [acc] = await ctx.connector.ensureAccounts([{ role: 'marketplace_fees', name: 'TikTok Shop Marketplace Fees', class: 'expense' }]);
    expect(acc!.code).toBe('TTS101');
  });

  it('books every per-transaction document exactly and reads the balances back', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const sale = doc('sale', [['clearing', 2070], ['sales', -2500], ['seller_discounts', 500], ['shipping_income', -70]]);
    const fees = doc('fees', [['marketplace_fees', 150], ['transaction_fees', 62], ['clearing', -212]]);
    const refund = doc('refund', [['refunds', 1000], ['marketplace_fees', -60], ['clearing', -940]]);
    const reimbursement = doc('adjustment', [['clearing', 300], ['platform_adjustments', -300]]);
    const reserve = doc('reserve', [['reserve', 400], ['clearing', -400]]);
    const payout = doc('payout', [['bank', 500], ['clearing', -500]]);
    const all = [sale, fees, refund, reimbursement, reserve, payout];
    const out = await ctx.connector.post(inputs(acc, ...all));
    expect(out.map((o) => o.status)).toEqual(['created', 'created', 'created', 'created', 'created', 'created']);
    expect(out[0]!.refs.map((r) => r.type)).toEqual(['Invoice', 'Payment']);
    expect(out[1]!.refs.map((r) => r.type)).toEqual(['BankTransaction']);
    expect(out[2]!.refs.map((r) => r.type).sort()).toEqual(['BankTransaction', 'CreditNote', 'Payment']);
    expect(out[5]!.refs.map((r) => r.type)).toEqual(['BankTransfer']);
    const books = ctx.sandbox.books;
    // 2070 − 212 − 940 + 300 − 400 − 500
    expect(books.balance(acc.clearing.id)).toBe(318);
    expect(books.balance(acc.sales.id)).toBe(-2500);
    expect(books.balance(acc.seller_discounts.id)).toBe(500);
    expect(books.balance(acc.marketplace_fees.id)).toBe(90);
    expect(books.balance(acc.refunds.id)).toBe(1000);
    expect(books.balance(acc.reserve.id)).toBe(400);
    expect(books.balance(acc.platform_adjustments.id)).toBe(-300);
    expect(books.balance('Accounts Receivable')).toBe(0);
    expect(await ctx.connector.accountBalance(acc.clearing.id)).toBe(318);
    expect(await ctx.connector.accountBalance(acc.sales.id)).toBe(-2500);
    expect(await ctx.connector.accountBalance(acc.reserve.id)).toBe(400);
    const inv = [...books.tenant().invoices.values()][0]!;
    expect(inv).toMatchObject({ InvoiceNumber: xeroDocNumber(sale.key), Status: 'PAID', Type: 'ACCREC', LineAmountTypes: 'NoTax' });
    expect(books.count('BankTransfer', { reference: xeroDocNumber(payout.key) })).toBe(1);
  });

  it('books a summary statement as invoice + payment + spend transaction, never a manual journal', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const stmt = doc('statement', [['clearing', 7423], ['sales', -10000], ['seller_discounts', 1200], ['shipping_income', -500], ['refunds', 300], ['marketplace_fees', 800], ['affiliate_commissions', 777]], { refs: { shopId: 'shop1', statementId: 'st-1' } });
    const [o] = await ctx.connector.post(inputs(acc, stmt));
    expect(o!.status).toBe('created');
    expect(o!.refs.map((r) => r.type).sort()).toEqual(['BankTransaction', 'Invoice', 'Payment']);
    expect(ctx.sandbox.books.balance(acc.clearing.id)).toBe(7423);
    expect(ctx.sandbox.books.balance(acc.refunds.id)).toBe(300);
    expect(await ctx.connector.accountBalance(acc.clearing.id)).toBe(7423);
  });

  it('books an order given away (nothing settled) as a zero-total invoice that Xero marks paid, and finds it again', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const giveaway = doc('sale', [['sales', -1500], ['seller_discounts', 1500]]);
    const [o] = await ctx.connector.post(inputs(acc, giveaway));
    expect(o).toMatchObject({ status: 'created' });
    expect(o!.refs.map((r) => r.type)).toEqual(['Invoice']);
    expect([...ctx.sandbox.books.tenant().invoices.values()][0]).toMatchObject({ InvoiceNumber: xeroDocNumber(giveaway.key), Status: 'PAID' });
    expect(ctx.sandbox.books.balance(acc.sales.id)).toBe(-1500);
    expect(ctx.sandbox.books.balance(acc.clearing.id)).toBe(0);
    expect((await ctx.newProcess().connector.findByKeys([giveaway])).has(giveaway.key)).toBe(true);
  });

  it('a batch where one document fails validation fails it alone, with Xero\'s message', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const good1 = doc('sale', [['clearing', 1000], ['sales', -1000]]);
    const bad = doc('sale', [['clearing', 1000], ['sales', -1000]], { currency: 'EUR' });
    const good2 = doc('fees', [['marketplace_fees', 10], ['clearing', -10]]);
    const out = await ctx.connector.post(inputs(acc, good1, bad, good2));
    expect(out.map((o) => o.status)).toEqual(['created', 'failed', 'created']);
    expect(out[1]).toMatchObject({ status: 'failed' });
    expect((out[1] as { error: string }).error).toContain('not subscribed to currency EUR');
    expect((out[1] as { fix?: string }).fix).toMatch(/Currencies/);
    expect(ctx.sandbox.books.balance(acc.clearing.id)).toBe(990);
  });

  it('finds documents by key after a crash and never creates a second copy', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const sale = doc('sale', [['clearing', 1500], ['sales', -1500]]);
    const fees = doc('fees', [['marketplace_fees', 45], ['clearing', -45]]);
    await ctx.connector.post(inputs(acc, sale, fees));
    // A fresh process: nothing cached locally.
    const fresh = ctx.newProcess().connector;
    const found = await fresh.findByKeys([sale, fees, doc('sale', [['clearing', 1], ['sales', -1]])]);
    expect([...found.keys()].sort()).toEqual([sale.key, fees.key].sort());
    expect(found.get(sale.key)!.map((r) => r.type).sort()).toEqual(['Invoice', 'Payment']);
    const again = await fresh.post(inputs(acc, sale, fees));
    expect(again.map((o) => o.status)).toEqual(['existing', 'existing']);
    expect(ctx.sandbox.books.count('Invoice', { number: xeroDocNumber(sale.key) })).toBe(1);
    expect(ctx.sandbox.books.count('Payment', { reference: xeroDocNumber(sale.key) })).toBe(1);
    expect(ctx.sandbox.books.balance(acc.clearing.id)).toBe(1455);
  });

  it('writes fresh documents in full batches, looking up only bank transactions (by date), and a second process finds them all', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const calls: string[] = [];
    const watch = (c: Connected['client']) => {
      const request = c.request.bind(c);
      c.request = (method, path, opts) => {
        calls.push(`${method} ${path}`);
        return request(method, path, opts);
      };
    };
    watch(ctx.client);
    const docs = Array.from({ length: 60 }, (_, i) => [
      doc('sale', [['clearing', 1000 + i], ['sales', -(1000 + i)]], { date: `2026-03-${String(10 + (i % 5)).padStart(2, '0')}` }),
      doc('fees', [['marketplace_fees', 30 + i], ['clearing', -(30 + i)]], { date: `2026-03-${String(10 + (i % 5)).padStart(2, '0')}` }),
    ]).flat();
    const out = await ctx.connector.post(inputs(acc, ...docs));
    expect(out.every((o) => o.status === 'created')).toBe(true);
    const tally = (list: string[]) => Object.fromEntries([...new Set(list)].map((c) => [c, list.filter((x) => x === c).length]));
    expect(tally(calls)).toEqual({ 'GET /Organisation': 1, 'GET /Contacts': 1, 'PUT /Contacts': 1, 'GET /BankTransactions': 1, 'PUT /Invoices': 2, 'PUT /BankTransactions': 2, 'PUT /Payments': 2 });

    calls.length = 0;
    const again = ctx.newProcess();
    watch(again.client);
    const second = await again.connector.post(inputs(acc, ...docs));
    expect(second.every((o) => o.status === 'existing')).toBe(true);
    // Invoices are refused as duplicates (2 PUTs) and then read by number (2 GETs); nothing is written.
    expect(tally(calls)).toEqual({ 'GET /Organisation': 1, 'GET /Contacts': 1, 'GET /BankTransactions': 1, 'PUT /Invoices': 2, 'GET /Invoices': 2 });
    expect(second[0]!.refs.map((r) => r.type)).toEqual(['Invoice', 'Payment']);
    const books = ctx.sandbox.books;
    for (const d of docs) {
      const number = xeroDocNumber(d.key);
      if (d.kind === 'sale') {
        expect(books.count('Invoice', { number })).toBe(1);
        expect(books.count('Payment', { reference: number })).toBe(1);
      } else expect(books.count('BankTransaction', { reference: number })).toBe(1);
    }
  });

  it('sends payouts as one BankTransfers batch; when Xero refuses the batch, what it created anyway is found and only the bad one fails', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    ctx.sandbox.books.tenant().periodLockDate = '2026-02-28';
    const payouts = [doc('payout', [['bank', 500], ['clearing', -500]]), doc('payout', [['bank', 700], ['clearing', -700]], { date: '2026-02-10' }), doc('payout', [['bank', 900], ['clearing', -900]])];
    const out = await ctx.connector.post(inputs(acc, ...payouts));
    expect(out.map((o) => o.status)).toEqual(['created', 'failed', 'created']);
    expect((out[1] as { error: string }).error).toMatch(/period lock date/);
    expect(out[0]!.refs.map((r) => r.type)).toEqual(['BankTransfer']);
    for (const p of [payouts[0]!, payouts[2]!]) expect(ctx.sandbox.books.count('BankTransfer', { reference: xeroDocNumber(p.key) })).toBe(1);
    expect(ctx.sandbox.books.count('BankTransfer', { reference: xeroDocNumber(payouts[1]!.key) })).toBe(0);
  });

  it('completes a document that a crash left half-written (invoice without its payment)', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const sale = doc('sale', [['clearing', 800], ['sales', -800]]);
    const t = ctx.sandbox.books.tenant();
    const contact = t.createContact({ Name: 'TikTok Shop' });
    t.createInvoice({ Type: 'ACCREC', Contact: { ContactID: contact.ContactID }, Date: sale.date, InvoiceNumber: xeroDocNumber(sale.key), Status: 'AUTHORISED', LineAmountTypes: 'NoTax', LineItems: [{ Quantity: 1, UnitAmount: 8, AccountCode: acc.sales.code }] });
    expect((await ctx.connector.findByKeys([sale])).has(sale.key)).toBe(false);
    const [o] = await ctx.connector.post(inputs(acc, sale));
    expect(o!.status).toBe('created');
    expect(ctx.sandbox.books.count('Invoice', { number: xeroDocNumber(sale.key) })).toBe(1);
    expect(ctx.sandbox.books.balance(acc.clearing.id)).toBe(800);
    expect((await ctx.connector.findByKeys([sale])).has(sale.key)).toBe(true);
  });

  it('a replayed request with the same Idempotency-Key creates one object', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const body = { BankTransactions: [{ Type: 'SPEND', Contact: { Name: 'TikTok Shop' }, BankAccount: { AccountID: acc.clearing.id }, Date: '2026-03-01', Reference: 'IDEM-1', LineAmountTypes: 'NoTax', LineItems: [{ Description: 'fee', Quantity: 1, UnitAmount: 1.25, AccountCode: acc.marketplace_fees.code }] }] };
    const a = (await ctx.client.request('PUT', '/BankTransactions', { body, idempotencyKey: 'synder-test-key-1', query: { summarizeErrors: 'false' } })) as { BankTransactions: Array<{ BankTransactionID: string }> };
    const b = (await ctx.client.request('PUT', '/BankTransactions', { body, idempotencyKey: 'synder-test-key-1', query: { summarizeErrors: 'false' } })) as { BankTransactions: Array<{ BankTransactionID: string }> };
    expect(b.BankTransactions[0]!.BankTransactionID).toBe(a.BankTransactions[0]!.BankTransactionID);
    expect(ctx.sandbox.books.count('BankTransaction', { reference: 'IDEM-1' })).toBe(1);
    const changed = { BankTransactions: [{ ...body.BankTransactions[0], Reference: 'IDEM-2' }] };
    await expect(ctx.client.request('PUT', '/BankTransactions', { body: changed, idempotencyKey: 'synder-test-key-1', query: { summarizeErrors: 'false' } })).rejects.toThrow(/used with a different request/);
  });

  it('rides out a 429 storm (faults 429:0.3) honouring Retry-After, with exactly one copy of everything', async () => {
    ctx = await connectXero({ faults: [{ kind: '429', probability: 0.3 }], seed: 7, timeScale: 200 });
    const acc = await setUp(ctx);
    const docs = Array.from({ length: 12 }, (_, i) => doc('sale', [['clearing', 100 + i], ['sales', -(100 + i)]]));
    const out = await ctx.connector.post(inputs(acc, ...docs));
    expect(out.every((o) => o.status === 'created')).toBe(true);
    expect(ctx.client.http.retries).toBeGreaterThan(0);
    for (const d of docs) expect(ctx.sandbox.books.count('Invoice', { number: xeroDocNumber(d.key) })).toBe(1);
    expect(ctx.sandbox.books.balance(acc.clearing.id)).toBe(docs.reduce((s, _d, i) => s + 100 + i, 0));
  });

  it('stays under 60 calls a minute per tenant: the sandbox never has to refuse the client', async () => {
    ctx = await connectXero({ timeScale: 600 }, { speed: 600 });
    const acc = await setUp(ctx);
    const docs = Array.from({ length: 3 }, (_, i) => doc('fees', [['marketplace_fees', 5 + i], ['clearing', -(5 + i)]]));
    for (let i = 0; i < 70; i++) await ctx.connector.findByKeys(docs);
    expect(ctx.client.calls).toBeGreaterThan(60);
    expect(ctx.client.http.retries).toBe(0);
  });

  it('stops cleanly when the daily limit is spent', async () => {
    ctx = await connectXero({ dailyLimit: 4 });
    await ctx.connector.company();
    await ctx.connector.listAccounts();
    await ctx.connector.listAccounts();
    await ctx.connector.listAccounts();
    await expect(ctx.connector.listAccounts()).rejects.toThrow(/daily API limit/);
  });

  it('reports the daily budget when it runs low', async () => {
    ctx = await connectXero({ dailyLimit: 10 });
    const seen: number[] = [];
    const client = new (ctx.client.constructor as typeof import('../../src/providers/xero/client.js').XeroClient)({
      apiUrl: ctx.config.xero.apiUrl, tenantId: ctx.tokens.extra!.tenantId!, getAccessToken: async () => ctx!.tokens.accessToken, dailyLowThreshold: 5, onDailyBudgetLow: (b) => seen.push(b.dayRemaining!),
    });
    for (let i = 0; i < 7; i++) await client.get('/Organisation');
    expect(seen).toEqual([4]);
  });

  it('remove() deletes payments first, voids invoices, deletes the rest, and reports what Xero refuses', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const sale = doc('sale', [['clearing', 1200], ['sales', -1200]]);
    const fees = doc('fees', [['marketplace_fees', 30], ['clearing', -30]]);
    const payout = doc('payout', [['bank', 1000], ['clearing', -1000]]);
    const locked = doc('fees', [['marketplace_fees', 7], ['clearing', -7]], { date: '2026-01-05' });
    const out = await ctx.connector.post(inputs(acc, sale, fees, payout, locked));
    ctx.sandbox.books.tenant().periodLockDate = '2026-01-31';
    const removed = await ctx.connector.remove(out.map((o) => ({ key: o.key, refs: o.refs })));
    expect(removed.map((r) => r.status)).toEqual(['voided', 'deleted', 'deleted', 'refused']);
    expect(removed[3]!.message).toMatch(/period lock date/);
    expect(ctx.sandbox.books.balance(acc.clearing.id)).toBe(-7);
    expect(ctx.sandbox.books.balance(acc.sales.id)).toBe(0);
    // Voided numbers are free again, so the same keys can be synced after a rollback.
    const again = await ctx.connector.post(inputs(acc, sale));
    expect(again[0]!.status).toBe('created');
    const gone = await ctx.connector.remove([{ key: 'x', refs: [{ type: 'Payment', id: '11111111-1111-1111-1111-111111111111' }] }]);
    expect(gone[0]!.status).toBe('missing');
  });

  it('reconciled transfers are refused, and the reason is given', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const payout = doc('payout', [['bank', 250], ['clearing', -250]]);
    const [o] = await ctx.connector.post(inputs(acc, payout));
    ctx.sandbox.books.tenant().reconcile('BankTransfer', o!.refs[0]!.id);
    const [r] = await ctx.connector.remove([{ key: o!.key, refs: o!.refs }]);
    expect(r).toMatchObject({ status: 'refused' });
    expect(r!.message).toMatch(/reconciled/);
  });

  it('deep links open the object on the sandbox app page', async () => {
    ctx = await connectXero();
    const acc = await setUp(ctx);
    const sale = doc('sale', [['clearing', 999], ['sales', -999]]);
    const payout = doc('payout', [['bank', 999], ['clearing', -999]]);
    const out = await ctx.connector.post(inputs(acc, sale, payout));
    const link = ctx.connector.deepLink(out[0]!.refs[0]!);
    expect(link).toContain('/organisationlogin/default.aspx?shortcode=');
    expect(link).toContain(`redirecturl=/AccountsReceivable/View.aspx?InvoiceID=${out[0]!.refs[0]!.id}`);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(xeroDocNumber(sale.key));
    const transfer = await fetch(ctx.connector.deepLink(out[1]!.refs[0]!));
    expect(transfer.status).toBe(200);
    expect(await transfer.text()).toContain('Bank transfer');
  });
});


const shared = sharedDir();
describe.skipIf(!shared)('Xero sandbox schema validation (needs ../shared reference data)', () => {
  const spec = shared ? path.join(shared, 'xero-openapi', 'xero_accounting.yaml') : '';

  it('validates what synder sends and what the sandbox answers, for every object in both modes', async () => {
    ctx = await connectXero({ openApiPath: spec });
    expect(ctx.sandbox.schemaValidation).toBe(true);
    expect(ctx.sandbox.env.SYNDER_XERO_OPENAPI).toBe(spec);
    const acc = await setUp(ctx);
    const out = await ctx.connector.post(inputs(acc,
      doc('sale', [['clearing', 2070], ['sales', -2500], ['seller_discounts', 500], ['shipping_income', -70]]),
      doc('refund', [['refunds', 1000], ['marketplace_fees', -60], ['clearing', -940]]),
      doc('statement', [['clearing', 500], ['sales', -1000], ['marketplace_fees', 500]]),
      doc('payout', [['bank', 500], ['clearing', -500]]),
    ));
    expect(out.map((o) => o.status)).toEqual(['created', 'created', 'created', 'created']);
    expect(await ctx.connector.accountBalance(acc.clearing.id)).toBe(2070 - 940 + 500 - 500);
    const removed = await ctx.connector.remove(out.map((o) => ({ key: o.key, refs: o.refs })));
    expect(removed.map((r) => [r.status, r.message])).toEqual([['voided', undefined], ['voided', undefined], ['voided', undefined], ['deleted', undefined]]);
  });

  it('answers a schema violation with a ValidationException naming the schema and JSON path', async () => {
    ctx = await connectXero({ openApiPath: spec });
    const err = await ctx.client
      .request('PUT', '/Invoices', { body: { Invoices: [{ Type: 'SALE', LineItems: [{ Quantity: 'one' }] }] }, query: { summarizeErrors: 'false' } })
      .catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Invoices schema/);
    expect((err as Error).message).toContain('$.Invoices[0].Type');
    expect((err as Error).message).toContain('$.Invoices[0].LineItems[0].Quantity');
  });
});

describe('Xero sandbox without the spec', () => {
  it('says schema validation is off and still applies the business rules', async () => {
    const prev = process.env.SYNDER_XERO_OPENAPI;
    delete process.env.SYNDER_XERO_OPENAPI;
    try {
      ctx = await connectXero();
    } finally {
      if (prev !== undefined) process.env.SYNDER_XERO_OPENAPI = prev;
    }
    expect(ctx.sandbox.schemaValidation).toBe(false);
    expect(ctx.sandbox.warnings.join(' ')).toMatch(/schema validation is off/);
    const acc = await setUp(ctx);
    const err = await ctx.client
      .request('PUT', '/Invoices', { body: { Invoices: [{ Type: 'ACCREC', Contact: { Name: 'x' }, LineItems: [{ Description: 'x', Quantity: 1, UnitAmount: 5, AccountCode: acc.clearing.code }] }] }, query: { summarizeErrors: 'false' } })
      .then((r) => JSON.stringify(r));
    expect(err).toMatch(/is a bank account and cannot be used on a line item/);
  });
});
