import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerAccount } from '../../src/providers/ledger-connector.js';
import { shortDocNumber } from '../../src/providers/quickbooks/index.js';
import { clearingNet, doc, everyKind, harness, mapped, specs, type Harness } from './quickbooks-fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('QuickBooksConnector against the sandbox', () => {
  it('reads the company and its home currency', async () => {
    h = await harness({ companyName: 'Acme Ltd', currency: 'GBP', country: 'GB' });
    const company = await h.connector().company();
    expect(company).toEqual({ id: h.sb.realmId, name: 'Acme Ltd', currency: 'GBP', country: 'GB' });
  });

  it('sets up clearing, accounts, items and the customer idempotently', async () => {
    h = await harness();
    const c = h.connector();
    const first = await mapped(c);
    const counts = { accounts: h.sb.books.count('Account'), items: h.sb.books.count('Item'), customers: h.sb.books.count('Customer') };
    const again = await mapped(h.connector());
    expect(Object.fromEntries(Object.entries(again).map(([r, a]) => [r, a!.id]))).toEqual(Object.fromEntries(Object.entries(first).map(([r, a]) => [r, a!.id])));
    expect({ accounts: h.sb.books.count('Account'), items: h.sb.books.count('Item'), customers: h.sb.books.count('Customer') }).toEqual(counts);
    expect(first.clearing!.type).toBe('Bank');
    expect(first.clearing!.id).not.toBe(first.bank!.id);
    expect(first.reserve!.type).toBe('Other Current Asset');
    expect(first.sales!.type).toBe('Income');
    expect(first.marketplace_fees!.type).toBe('Expense');
    expect(first.platform_adjustments!.type).toBe('Other Income');
    expect(first.mf_tax!.type).toBe('Other Current Liability');
    // Items point at the income accounts so sales lines land on the mapped account.
    const items = h.sb.books.all('Item');
    for (const role of ['sales', 'shipping_income', 'seller_discounts', 'refunds'] as const) {
      expect(items.filter((i) => i.IncomeAccountRef.value === first[role]!.id)).toHaveLength(1);
    }
    expect(h.sb.books.all('Customer').map((x) => x.DisplayName)).toEqual(['TikTok Shop']);
  });

  it('keeps who books a shop in the clearing account\'s description, where another connection reads it', async () => {
    h = await harness();
    const { clearing } = await mapped(h.connector());
    expect(await h.connector().shopClaim('S1', clearing!)).toBeUndefined();
    await h.connector().setShopClaim('S1', clearing!, 'synder 0a1b2c3d summary from 2026-09-01 (Acme)');
    expect(h.sb.books.all('Account').find((a) => a.Id === clearing!.id)!.Description).toBe('synder 0a1b2c3d summary from 2026-09-01 (Acme)');
    await h.connector().setShopClaim('S1', clearing!, 'synder 99999999 per-transaction from 2026-10-01 (Other)');
    expect(await h.connector().shopClaim('S1', clearing!)).toBe('synder 99999999 per-transaction from 2026-10-01 (Other)');
  });

  it('refuses to use the payout bank account as clearing', async () => {
    h = await harness();
    const list = specs().map((s) => (s.role === 'clearing' ? { ...s, name: 'Checking' } : s));
    await expect(h.connector().ensureAccounts(list)).rejects.toThrow(/same QuickBooks account/);
  });

  it('posts every kind of document as the right entity, and the books match the documents', async () => {
    h = await harness();
    const c = h.connector();
    const accounts = await mapped(c);
    const docs = everyKind();
    const outcomes = await c.post(docs.map((d) => ({ doc: d, accounts })));
    expect(outcomes.map((o) => o.status)).toEqual(docs.map(() => 'created'));
    const types = outcomes.map((o) => o.refs[0]!.type);
    expect(types).toEqual(['SalesReceipt', 'Purchase', 'Deposit', 'Purchase', 'RefundReceipt', 'JournalEntry', 'Transfer', 'Transfer', 'Transfer', 'JournalEntry']);
    for (const d of docs.filter((x) => x.kind !== 'payout' && x.kind !== 'reserve')) expect(h.sb.books.byDocNumber(shortDocNumber(d.key))).toHaveLength(1);

    // Every role's account moved by exactly the document lines (debit positive).
    const expected = new Map<string, number>();
    for (const d of docs) for (const l of d.lines) expected.set(accounts[l.role]!.id, (expected.get(accounts[l.role]!.id) ?? 0) + l.amountMinor);
    for (const [id, minor] of expected) expect(h.sb.books.balance(id)).toBe(minor);
    expect(await c.accountBalance(accounts.clearing!.id)).toBe(clearingNet(docs));
    expect(await c.accountBalance(accounts.reserve!.id)).toBe(300 - 100 + 500);
    expect(await c.accountBalance(accounts.bank!.id)).toBe(1000);

    const sale = h.sb.books.get('SalesReceipt', outcomes[0]!.refs[0]!.id)!;
    expect(sale.TotalAmt).toBe(18.5);
    expect(sale.DepositToAccountRef.value).toBe(accounts.clearing!.id);
    expect(sale.PrivateNote).toContain(docs[0]!.key);
    const purchase = h.sb.books.get('Purchase', outcomes[1]!.refs[0]!.id)!;
    expect(purchase.AccountRef.value).toBe(accounts.clearing!.id);
    expect(purchase.PaymentType).toBe('Cash');

    // Deep links open a real page showing the object.
    const page = await fetch(outcomes[0]!.refs[0]!.url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(shortDocNumber(docs[0]!.key));
    expect(h.sb.stats.withoutMinorVersion).toBe(0);
  });

  it('keeps amounts exact for zero- and three-decimal currencies', async () => {
    h = await harness({ currency: 'JPY' });
    const c = h.connector();
    const accounts = await mapped(c);
    const d = doc('sale', [['clearing', 123_456_789], ['sales', -123_456_790], ['seller_discounts', 1]], { currency: 'JPY' });
    const [o] = await c.post([{ doc: d, accounts }]);
    expect(o!.status).toBe('created');
    expect(await c.accountBalance(accounts.clearing!.id)).toBe(123_456_789);
  });

  it('fails one bad document alone in a batch, with the Fault message and a fix', async () => {
    h = await harness();
    const c = h.connector();
    const accounts = await mapped(c);
    const ghost: LedgerAccount = { id: '999999', name: 'Deleted Fees', type: 'Expense' };
    const good1 = doc('fees', [['marketplace_fees', 100], ['clearing', -100]]);
    const bad = doc('fees', [['marketplace_fees', 100], ['clearing', -100]]);
    const good2 = doc('sale', [['clearing', 500], ['sales', -500]]);
    const outcomes = await c.post([
      { doc: good1, accounts },
      { doc: bad, accounts: { ...accounts, marketplace_fees: ghost } },
      { doc: good2, accounts },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['created', 'failed', 'created']);
    const failed = outcomes[1]!;
    expect(failed.status === 'failed' && failed.error).toMatch(/Object Not Found.*610/);
    expect(failed.status === 'failed' && failed.fix).toMatch(/inactive|mapping/);
    expect(h.sb.books.byDocNumber(shortDocNumber(bad.key))).toHaveLength(0);
    expect(h.sb.books.balance(accounts.clearing!.id)).toBe(400);
  });

  it('answers a replayed requestid with the original object instead of a copy', async () => {
    h = await harness();
    const c = h.connector();
    const accounts = await mapped(c);
    const payload = {
      TxnDate: '2026-04-20',
      PaymentType: 'Cash',
      AccountRef: { value: accounts.clearing!.id },
      Line: [{ DetailType: 'AccountBasedExpenseLineDetail', Amount: 1.5, AccountBasedExpenseLineDetail: { AccountRef: { value: accounts.marketplace_fees!.id } } }],
    };
    const a = await c.client.create('Purchase', payload, 'replay-1');
    const b = await c.client.create('Purchase', payload, 'replay-1');
    expect(b.Id).toBe(a.Id);
    expect(h.sb.books.count('Purchase')).toBe(1);
    expect(h.sb.stats.requestIdReplays).toBe(1);
  });

  it('finds documents after a crash and never posts a second copy', async () => {
    h = await harness();
    const accounts = await mapped(h.connector());
    const docs = everyKind();
    await h.connector().post(docs.map((d) => ({ doc: d, accounts }))); // result "lost"
    const fresh = h.connector();
    const found = await fresh.findByKeys(docs);
    expect([...found.keys()].sort()).toEqual(docs.map((d) => d.key).sort());
    const again = await fresh.post(docs.map((d) => ({ doc: d, accounts })));
    expect(again.map((o) => o.status)).toEqual(docs.map(() => 'existing'));
    expect(again.map((o) => o.refs[0]!.id)).toEqual(docs.map((d) => found.get(d.key)![0]!.id));
    expect(h.sb.books.balance(accounts.clearing!.id)).toBe(clearingNet(docs));
  });

  it('rides out a 429 storm', async () => {
    h = await harness({ faults: [{ kind: '429', probability: 0.3 }], seed: 7 });
    const c = h.connector();
    const accounts = await mapped(c);
    const docs = Array.from({ length: 40 }, (_, i) => doc('sale', [['clearing', 1000 + i], ['sales', -(1000 + i)]]));
    const outcomes = await c.post(docs.map((d) => ({ doc: d, accounts })));
    expect(outcomes.every((o) => o.status === 'created')).toBe(true);
    expect(h.sb.stats.throttled).toBeGreaterThan(0);
    expect(h.sb.books.count('SalesReceipt')).toBe(40);
    expect(await c.accountBalance(accounts.clearing!.id)).toBe(clearingNet(docs));
  });

  it('lost responses (connection reset after the write) do not duplicate documents', async () => {
    h = await harness({ faults: [{ kind: 'reset', probability: 0.25 }], seed: 3 });
    const c = h.connector();
    const accounts = await mapped(c);
    const docs = Array.from({ length: 12 }, (_, i) => doc('fees', [['transaction_fees', 10 + i], ['clearing', -(10 + i)]]));
    const outcomes = await c.post(docs.map((d) => ({ doc: d, accounts })));
    expect(outcomes.every((o) => o.status === 'created' || o.status === 'existing')).toBe(true);
    for (const d of docs) expect(h.sb.books.byDocNumber(shortDocNumber(d.key))).toHaveLength(1);
  });

  it('remove() deletes what was posted; findByKeys then finds nothing and the books return to zero', async () => {
    h = await harness();
    const c = h.connector();
    const accounts = await mapped(c);
    const docs = everyKind();
    const outcomes = await c.post(docs.map((d) => ({ doc: d, accounts })));
    const removed = await c.remove(outcomes.map((o) => ({ key: o.key, refs: o.refs })));
    expect(removed.map((r) => r.status)).toEqual(docs.map(() => 'deleted'));
    expect((await c.findByKeys(docs)).size).toBe(0);
    expect(await c.accountBalance(accounts.clearing!.id)).toBe(0);
    const twice = await c.remove(outcomes.map((o) => ({ key: o.key, refs: o.refs })));
    expect(twice.map((r) => r.status)).toEqual(docs.map(() => 'missing'));
    // Synced again after a rollback: created anew, not answered from the old requestid.
    const reposted = await c.post(docs.map((d) => ({ doc: d, accounts })));
    expect(reposted.map((o) => o.status)).toEqual(docs.map(() => 'created'));
    expect(await c.accountBalance(accounts.clearing!.id)).toBe(clearingNet(docs));
  });
});
