import { describe, expect, it } from 'vitest';
import type { BookingDocument } from '../../src/booking/document.js';
import { parseMinor } from '../../src/booking/money.js';
import { runSync } from '../../src/sync/engine.js';
import { explainOrder } from '../../src/sync/explain.js';
import { bookedEntries, exportJournal } from '../../src/sync/export.js';
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
  return { ...s, tiktok, ledger, d, org: s.store.orgs.get(s.orgId)! };
}

describe('rollback', () => {
  it('removes only the chosen orders, marks them deleted, and a re-sync books them again exactly once', async () => {
    const { store, org, ledger, d } = await synced();
    const orders = listTransactions(store, org).filter((t) => t.type === 'ORDER' && t.orderId).slice(0, 3).map((t) => t.orderId!);
    const docs = selectDocuments(store, org, { orderIds: orders });
    expect(docs.length).toBeGreaterThanOrEqual(3);
    const before = ledger.books.size;
    const r = await rollback(store, ledger, org, docs);
    expect(r.removed.length).toBe(docs.length);
    expect(ledger.books.size).toBe(before - docs.length);
    expect([...new Set(listTransactions(store, org, { status: ['deleted'] }).map((t) => t.orderId))].sort()).toEqual([...orders].sort());

    // Outside the fetch window too: the re-sync rebuilds from what is stored.
    const again = await runSync(d, { orgId: org.id, since: NOW, dryRun: false });
    expect(again.documents.created).toBe(docs.length);
    expect(ledger.books.size).toBe(before);
    for (const [, n] of ledger.copiesPerEvent()) expect(n).toBe(1);
    expect(listTransactions(store, org, { status: ['deleted'] })).toEqual([]);
    store.close();
  });
});

describe('explain', () => {
  it('shows amounts, postings whose clearing lines add up to the settlement, and the booked documents', async () => {
    const { store, org, ledger } = await synced();
    const order = listTransactions(store, org).find((t) => t.type === 'ORDER' && t.orderId)!;
    const ex = explainOrder(store, org, order.orderId!, ledger);
    const t = ex.transactions[0]!;
    expect(t.checks.length).toBeGreaterThan(0);
    expect(t.checks.every((c) => c.ok)).toBe(true);
    const clearing = t.postings.filter((p) => p.role === 'clearing').reduce((s, p) => s + (p.debit ? parseMinor(p.debit, 'USD') : -parseMinor(p.credit, 'USD')), 0);
    expect(clearing).toBe(parseMinor(t.settlement, 'USD'));
    expect(t.documents.length).toBeGreaterThan(0);
    expect(t.documents[0]!.link).toMatch(/^https:\/\/ledger\.invalid\//);
    expect(ex.history.some((h) => h.status === 'posted')).toBe(true);
    expect(() => explainOrder(store, org, 'no-such-order', ledger)).toThrow(/No TikTok order no-such-order/);
    store.close();
  });
});

describe('export', () => {
  it('writes balanced journals of exactly what was booked', async () => {
    const { store, org, ledger } = await synced('summary');
    const entries = bookedEntries(store, org);
    expect(entries.length).toBe(ledger.books.size);
    const csv = exportJournal(entries, 'csv').trim().split('\n');
    expect(csv[0]).toContain('document_key');
    expect(csv.length - 1).toBe(entries.reduce((n, e) => n + e.postings.length, 0));
    const hledger = exportJournal(entries, 'hledger');
    for (const block of hledger.trim().split('\n\n')) {
      const amounts = block.split('\n').slice(1).map((l) => parseMinor(l.trim().split(/\s{2,}/)[1]!.split(' ')[0]!, 'USD'));
      expect(amounts.reduce((a, b) => a + b, 0)).toBe(0);
    }
    const bean = exportJournal(entries, 'beancount');
    expect(bean).toMatch(/^\d{4}-\d{2}-\d{2} open Assets:/m);
    for (const e of entries) expect(e.postings.reduce((s, p) => s + p.amountMinor, 0)).toBe(0);
    void (entries[0]!.doc as BookingDocument);
    store.close();
  });
});

describe('dates', () => {
  it('parses dates and relative days, and names the flag when it cannot', () => {
    expect(parseWhen('2025-05-01', NOW, '--since')!.toISOString()).toBe('2025-05-01T00:00:00.000Z');
    expect(parseWhen('7d', NOW, '--since')!.toISOString()).toBe('2025-05-25T00:00:00.000Z');
    expect(() => parseWhen('yesterday', NOW, '--since')).toThrow(/--since/);
    expect(() => parseWhen('2025-02-30', NOW, '--until')).toThrow(/--until/);
  });
});
