import { describe, expect, it } from 'vitest';
import { exportBeancount, exportCsv, exportHledger, formatMinor, parseMinor, type BookingDocument } from '../../src/booking/index.js';
import { AccountResolver } from '../../src/sync/accounts.js';
import { clearingChecks, reconcileOrg } from '../../src/sync/clearing-check.js';
import { runSync } from '../../src/sync/engine.js';
import { explainId, explainOrder } from '../../src/sync/explain.js';
import { exportJournal } from '../../src/sync/export.js';
import { rollback, selectDocuments } from '../../src/sync/rollback.js';
import { listTransactions } from '../../src/sync/views.js';
import { parseWhen } from '../../src/sync/dates.js';
import { FakeLedger, FakeTikTok, NOW, makeShop, makeStore } from './sync-fakes.js';

const since = new Date(NOW.getTime() - 40 * 86_400_000);

async function synced(mode: 'per-transaction' | 'summary' = 'per-transaction') {
  const s = await makeStore(mode);
  const tiktok = new FakeTikTok(makeShop());
  const ledger = new FakeLedger();
  const d = { store: s.store, ledger, tiktokFor: () => tiktok, clock: { now: () => NOW } };
  await runSync(d, { orgId: s.orgId, since, dryRun: false });
  return { ...s, tiktok, ledger, d, org: (await s.store.orgs.get(s.orgId))! };
}

describe('rollback', () => {
  it('removes only the chosen orders, marks them deleted, and a re-sync books them again exactly once', async () => {
    const { store, org, ledger, d } = await synced();
    const orders = (await listTransactions(store, org)).filter((t) => t.type === 'ORDER' && t.orderId).slice(0, 3).map((t) => t.orderId!);
    const docs = await selectDocuments(store, org, { orderIds: orders });
    expect(docs.length).toBeGreaterThanOrEqual(3);
    const before = ledger.books.size;
    const r = await rollback(store, ledger, org, docs);
    expect(r.removed.length).toBe(docs.length);
    expect(ledger.books.size).toBe(before - docs.length);
    expect([...new Set((await listTransactions(store, org, { status: ['deleted'] })).map((t) => t.orderId))].sort()).toEqual([...orders].sort());

    // Outside the fetch window too: the re-sync rebuilds from what is stored.
    const again = await runSync(d, { orgId: org.id, since: NOW, dryRun: false });
    expect(again.documents.created).toBe(docs.length);
    expect(ledger.books.size).toBe(before);
    for (const [, n] of ledger.copiesPerEvent()) expect(n).toBe(1);
    expect(await listTransactions(store, org, { status: ['deleted'] })).toEqual([]);
    await store.close();
  });
});

describe('explain', () => {
  it('a warning (an unknown fee key) shows in transactions and explain with what resolves it', async () => {
    const shop = makeShop(20, 3);
    const tx = [...shop.statementTransactions.values()].flatMap((b) => b.transactions).find((t) => t.type === 'ORDER' && Object.values(t.fee_tax_breakdown?.fee ?? {}).some((v) => parseMinor(String(v), 'USD') <= -50))!;
    const fee = tx.fee_tax_breakdown!.fee as Record<string, string>;
    const [name, value] = Object.entries(fee).find(([, v]) => parseMinor(String(v), 'USD') <= -50)!;
    // 0.50 of a known fee moves to a key synder does not know: the totals still add up.
    fee[name] = formatMinor(parseMinor(value, 'USD') + 50, 'USD');
    fee.space_fee_amount = '-0.50';
    const s = await makeStore('per-transaction');
    const ledger = new FakeLedger();
    await runSync({ store: s.store, ledger, tiktokFor: () => new FakeTikTok(shop), clock: { now: () => NOW } }, { orgId: s.orgId, since, dryRun: false });
    const org = (await s.store.orgs.get(s.orgId))!;
    const row = (await listTransactions(s.store, org)).find((r) => r.id === tx.id)!;
    expect(row.status).toBe('synced_with_warnings');
    expect(row.warnings).toEqual([{ message: expect.stringMatching(/^unknown TikTok field fee_tax_breakdown\.fee\.space_fee_amount/), fix: expect.stringContaining(`synder explain ${tx.order_id}`) }]);
    expect(row.warnings[0]!.fix).toMatch(new RegExp(`synder map route fee_tax_breakdown\\.fee\\.space_fee_amount .*synder rollback ${tx.order_id} --yes`));
    const ex = await explainId(s.store, org, tx.order_id!, ledger);
    expect(ex.transactions.find((t) => t.transactionId === tx.id)!.warnings).toEqual(row.warnings);
    await s.store.close();
  });

  it('takes any id `transactions` shows: order, statement transaction of every type, statement and payout', async () => {
    const { store, org, ledger } = await synced();
    const rows = await listTransactions(store, org);
    const types = new Set(rows.map((r) => r.type));
    expect(types.size).toBeGreaterThan(3);
    for (const type of types) {
      const row = rows.find((r) => r.type === type)!;
      const ex = await explainId(store, org, row.id, ledger);
      if (row.kind === 'payment') {
        expect(ex.subject).toEqual({ kind: 'payout', id: row.id });
        expect(ex.payout!.documents.length).toBeGreaterThan(0);
        expect(ex.payout!.postings.map((p) => p.role).sort()).toEqual(['bank', 'clearing']);
        expect(ex.payout!.statements.length).toBeGreaterThan(0);
        expect(ex.history.length).toBeGreaterThan(0);
        continue;
      }
      expect(ex.subject, type).toEqual({ kind: 'transaction', id: row.id });
      expect(ex.transactions.map((t) => t.transactionId)).toEqual([row.id]);
      const t = ex.transactions[0]!;
      expect(t.amounts.length, type).toBeGreaterThan(0);
      if (row.status === 'skipped') expect(t.error).toMatch(/nothing to book/);
      else {
        expect(t.postings.length, type).toBeGreaterThan(0);
        expect(t.documents.length, type).toBeGreaterThan(0);
      }
    }
    const statementId = (await listTransactions(store, org)).find((r) => r.kind === 'statement_transaction')!;
    const stId = (await store.sourceRecords.get((await store.integrations.listForOrg(org.id))[0]!.id, 'statement_transaction', statementId.id))!.statementId!;
    const st = await explainId(store, org, stId, ledger);
    expect(st.subject).toEqual({ kind: 'statement', id: stId });
    expect(st.transactions.length).toBeGreaterThan(1);
    await expect(explainId(store, org, '999', ledger)).rejects.toThrow(/No TikTok order, transaction, statement or payout 999/);
    await store.close();
  });

  it('shows amounts, postings whose clearing lines add up to the settlement, and the booked documents', async () => {
    const { store, org, ledger } = await synced();
    const order = (await listTransactions(store, org)).find((t) => t.type === 'ORDER' && t.orderId)!;
    const ex = await explainOrder(store, org, order.orderId!, ledger);
    const t = ex.transactions[0]!;
    expect(t.checks.length).toBeGreaterThan(0);
    expect(t.checks.every((c) => c.ok)).toBe(true);
    // The booking core's checks, by their names.
    expect(t.checks.map((c) => c.name).slice(0, 3)).toEqual(['balanced', 'clearing_equals_settlement', 'components_add_up']);
    expect(t.amounts[0]).toMatchObject({ field: 'settlement_amount', amount: t.settlement, booked: false });
    const clearing = t.postings.filter((p) => p.role === 'clearing').reduce((s, p) => s + (p.debit ? parseMinor(p.debit, 'USD') : -parseMinor(p.credit, 'USD')), 0);
    expect(clearing).toBe(parseMinor(t.settlement, 'USD'));
    expect(t.documents.length).toBeGreaterThan(0);
    expect(t.documents[0]!.link).toMatch(/^https:\/\/ledger\.invalid\//);
    expect(ex.history.some((h) => h.status === 'posted')).toBe(true);
    await expect(explainOrder(store, org, 'no-such-order', ledger)).rejects.toThrow(/No TikTok order no-such-order/);
    await store.close();
  });
});

describe('export', () => {
  it('writes exactly what the booking core writes for the booked documents, with the ledger account names', async () => {
    const { store, org, ledger } = await synced('summary');
    const docs = (await store.documents.list(org.id, { status: ['posted'] })).map((r) => r.body as BookingDocument);
    expect(docs.length).toBe(ledger.books.size);
    const integration = (await store.integrations.listForOrg(org.id))[0]!;
    const specFor = await new AccountResolver(store, org.id).snapshot();
    const accountName = (role: Parameters<typeof specFor>[0]['role'], currency: string) => specFor({ role, currency, integration }).name;
    const hledger = await exportJournal(store, org, { format: 'hledger' });
    expect(hledger).toEqual({ text: exportHledger(docs, { accountName }), documents: docs.length });
    expect(hledger.text).toContain(`Assets:${ledger.accounts.find((a) => a.name.startsWith('TikTok Shop Clearing - '))!.name}`);
    expect((await exportJournal(store, org, { format: 'beancount' })).text).toBe(exportBeancount(docs, { accountName }));
    const csv = (await exportJournal(store, org, { format: 'csv' })).text;
    const refs = new Map([...ledger.books.values()].map((b) => [b.key, b.ref]));
    expect(csv).toBe(exportCsv(docs, { accountName, ledgerRef: (d) => refs.get(d.key) }));
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toMatch(/^document_key,.*,ledger_type,ledger_id,tax_code,tax_amount$/);
    expect(rows.length - 1).toBe(docs.reduce((n, d) => n + d.lines.length, 0));
    expect(rows[1]).toMatch(/,JournalEntry,\d+,,$/);
    const since = docs[Math.floor(docs.length / 2)]!.date;
    expect((await exportJournal(store, org, { format: 'csv', since })).documents).toBe(docs.filter((d) => d.date >= since).length);
    await store.close();
  });
});

describe('reconcile', () => {
  it('lists rows that add up to the totals it prints, and the closing check of sync has the same totals', async () => {
    const s = await makeStore('per-transaction');
    const tiktok = new FakeTikTok(makeShop(40, 11));
    const ledger = new FakeLedger();
    // One sale and one payout the ledger refuses (built, not in the ledger)…
    const firstSale = [...tiktok.shop.statementTransactions.values()].flatMap((b) => b.transactions).find((t) => t.type === 'ORDER')!;
    const paidPayment = tiktok.shop.payments.find((p) => p.status === 'PAID')!;
    ledger.reject.add(`tts:74950000000000007919:${firstSale.id}:sale`);
    ledger.reject.add(`tts:74950000000000007919:${paidPayment.id}:pay`);
    const d = { store: s.store, ledger, tiktokFor: () => tiktok, clock: { now: () => NOW } };
    await runSync(d, { orgId: s.orgId, since, dryRun: false });
    const store = s.store;
    const org = (await store.orgs.get(s.orgId))!;
    // …orders rolled back (transactions not booked)…
    const orders = (await listTransactions(store, org)).filter((t) => t.type === 'ORDER' && t.orderId && t.status === 'synced').slice(0, 2).map((t) => t.orderId!);
    await rollback(store, ledger, org, await selectDocuments(store, org, { orderIds: orders }));
    // …and an entry someone made in the ledger by hand.
    const outside = { key: 'manual-1', doc: { key: 'manual-1', kind: 'adjustment', date: '2025-05-20', currency: 'USD', memo: 'by hand', refs: { shopId: 'x' }, warnings: [], lines: [{ role: 'clearing', amountMinor: 1234 }, { role: 'other_income', amountMinor: -1234 }] } as unknown as BookingDocument, ref: { type: 'JournalEntry', id: 'm1' } };
    ledger.books.set('manual-1', outside);

    const r = await reconcileOrg({ store, ledger }, org);
    expect(r.clearing.length).toBe(1);
    const c = r.clearing[0]!;
    expect(r.reconciles).toBe(false);
    expect(c.differenceMinor).toBe(c.ledgerBalanceMinor - c.unpaidSettlementsMinor);
    expect(c.differenceMinor).not.toBe(0);
    // The statements listed as not paid out add up to the unpaid total printed…
    expect(c.unpaidStatements.length).toBeGreaterThan(0);
    expect(c.unpaidStatements.reduce((a, u) => a + u.amountMinor, 0)).toBe(c.unpaidSettlementsMinor);
    for (const u of c.unpaidStatements) expect(parseMinor(u.settlement, 'USD') + parseMinor(u.reserve, 'USD')).toBe(u.amountMinor);
    // …and the explanations listed add up to the difference printed, with nothing left unexplained.
    expect(c.explanations.reduce((a, e) => a + e.amountMinor, 0)).toBe(c.differenceMinor);
    expect(c.explanations.map((e) => e.kind)).not.toContain('unexplained');
    const kinds = new Set(c.explanations.map((e) => e.kind));
    for (const k of ['unposted_document', 'transaction_not_booked', 'outside_synder'] as const) expect(kinds, k).toContain(k);
    expect(c.explanations.find((e) => e.kind === 'outside_synder')!.amountMinor).toBe(1234);
    for (const o of orders) expect(c.explanations.some((e) => e.kind === 'transaction_not_booked' && e.orderId === o && e.status === 'deleted')).toBe(true);
    expect(c.explanations.find((e) => e.documentKey?.endsWith(`${firstSale.id}:sale`))).toMatchObject({ kind: 'unposted_document', status: 'failed' });
    expect(c.explanations.some((e) => e.documentKey?.endsWith(`${paidPayment.id}:pay`))).toBe(true);

    const checks = await clearingChecks(store, ledger, org, await store.integrations.listForOrg(org.id));
    const { unpaidStatements: _u, explanations: _e, ...totals } = c;
    expect(checks).toEqual([totals]);

    // A clean ledger: the difference is the unexplained remainder when the hand entry is all that is left.
    ledger.books.delete('manual-1');
    const again = (await reconcileOrg({ store, ledger }, org)).clearing[0]!;
    expect(again.explanations.reduce((a, e) => a + e.amountMinor, 0)).toBe(again.differenceMinor);
    expect(again.differenceMinor).toBe(c.differenceMinor - 1234);
    await store.close();
  });
});

describe('dates', () => {
  it('parses dates and relative days, and names the flag when it cannot', async () => {
    expect(parseWhen('2025-05-01', NOW, '--since')!.toISOString()).toBe('2025-05-01T00:00:00.000Z');
    expect(parseWhen('7d', NOW, '--since')!.toISOString()).toBe('2025-05-25T00:00:00.000Z');
    expect(() => parseWhen('yesterday', NOW, '--since')).toThrow(/--since/);
    expect(() => parseWhen('2025-02-30', NOW, '--until')).toThrow(/--until/);
  });

  it('names a document deleted in the ledger behind synder\'s back, and nothing else, as the difference', async () => {
    const s = await makeStore('per-transaction');
    const tiktok = new FakeTikTok(makeShop(30, 5));
    const ledger = new FakeLedger();
    await runSync({ store: s.store, ledger, tiktokFor: () => tiktok, clock: { now: () => NOW } }, { orgId: s.orgId, since, dryRun: false });
    const org = (await s.store.orgs.get(s.orgId))!;
    expect((await reconcileOrg({ store: s.store, ledger }, org)).reconciles).toBe(true);

    const gone = [...ledger.books.values()].find((b) => b.doc.kind === 'sale')!;
    ledger.books.delete(gone.key);
    const r = await reconcileOrg({ store: s.store, ledger }, org);
    expect(r.reconciles).toBe(false);
    const c = r.clearing[0]!;
    const clearing = gone.doc.lines.filter((l) => l.role === 'clearing').reduce((a, l) => a + l.amountMinor, 0);
    expect(c.differenceMinor).toBe(-clearing);
    expect(c.explanations).toEqual([expect.objectContaining({ kind: 'missing_in_ledger', documentKey: gone.key, amountMinor: -clearing, orderId: gone.doc.refs.orderId })]);
    expect(c.explanations[0]!.message).toContain(`synder rollback ${gone.doc.refs.orderId}`);
    await s.store.close();
  });
});
