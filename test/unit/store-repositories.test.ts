import { describe, expect, it } from 'vitest';
import type { BookingDocument } from '../../src/booking/document.js';
import type { Store } from '../../src/store/store.js';
import { storeEngines, storesPerCase } from '../helpers/store-engines.js';

const NOW = new Date('2026-03-01T10:00:00Z');

const doc = (key: string, clearing: number, reserve = 0): BookingDocument => ({
  key, kind: 'sale', date: '2026-02-27', currency: 'USD', memo: key, warnings: [], refs: { shopId: 'S', transactionId: `T-${key}` },
  lines: [
    { role: 'clearing', amountMinor: clearing, description: 'Net', source: { kind: 'statement_transaction', id: `T-${key}`, field: 'settlement_amount' } },
    ...(reserve ? [{ role: 'reserve' as const, amountMinor: reserve, description: 'Reserve', source: { kind: 'statement_transaction' as const, id: `T-${key}`, field: 'reserve_amount' } }] : []),
    { role: 'sales', amountMinor: -clearing - reserve, description: 'Sales', source: { kind: 'statement_transaction', id: `T-${key}`, field: 'revenue_amount' } },
  ],
});

/** What every engine must answer alike: the SQL the repositories write once for all of them. */
for (const engine of storeEngines()) {
  describe.skipIf(engine.skip !== undefined)(`repositories (${engine.name})`, () => {
    const store = storesPerCase(engine, () => NOW);

    it('finds an org by name whatever its case, and returns the ids it creates', async () => {
      const s = await store();
      const a = await s.orgs.create({ name: 'Acme Books' });
      const b = await s.orgs.create({ name: 'Other' });
      expect(b.id).not.toBe(a.id);
      expect((await s.orgs.findByName('ACME books'))?.id).toBe(a.id);
      expect(await s.orgs.findByName('Acme')).toBeUndefined();
      const shop = await s.integrations.upsert({ orgId: a.id, platform: 'tiktok', externalId: 'S', name: 'Shop' });
      expect((await s.integrations.upsert({ orgId: a.id, platform: 'tiktok', externalId: 'S', name: 'Renamed' })).id).toBe(shop.id);
      expect((await s.integrations.get(shop.id))?.name).toBe('Renamed');
      const run = await s.runs.start(a.id, { dryRun: true });
      expect(run).toMatchObject({ orgId: a.id, status: 'running', dryRun: true });
      await s.runs.finish(run.id, 'ok', { ok: true });
      expect(await s.runs.last(a.id)).toMatchObject({ id: run.id, status: 'ok', summary: { ok: true } });
      const invite = await s.invites.create({ orgId: a.id, platform: 'tiktok', email: 'o@x.test', state: 'st', expiresAt: new Date(NOW.getTime() + 3_600_000) });
      expect(await s.invites.claim(invite.id)).toBe(true);
      expect(await s.invites.claim(invite.id)).toBe(false);
    });

    it('upserts mappings, bookmarks and ledger connections in place', async () => {
      const s = await store();
      const org = await s.orgs.create({ name: 'Acme' });
      const shop = await s.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: 'S', name: 'Shop' });
      await s.accounts.set({ orgId: org.id, scope: '', role: 'sales', currency: '', accountId: '1', accountName: 'Sales' });
      await s.accounts.set({ orgId: org.id, scope: '', role: 'sales', currency: '', accountId: '2', accountName: 'Sales 2' });
      expect(await s.accounts.list(org.id)).toEqual([{ orgId: org.id, scope: '', role: 'sales', currency: '', accountId: '2', accountName: 'Sales 2' }]);
      await s.bookmarks.set(shop.id, 'statements', '2026-01-01T00:00:00.000Z');
      await s.bookmarks.set(shop.id, 'statements', '2026-02-01T00:00:00.000Z');
      expect(await s.bookmarks.get(shop.id, 'statements')).toBe('2026-02-01T00:00:00.000Z');
      await s.integrations.setLedgerConnection({ orgId: org.id, provider: 'quickbooks', externalId: 'r1', name: 'Co', settings: {} });
      await s.integrations.setLedgerConnection({ orgId: org.id, provider: 'xero', externalId: 't1', name: 'Co', settings: { currency: 'GBP' } });
      expect(await s.integrations.getLedgerConnection(org.id)).toMatchObject({ provider: 'xero', externalId: 't1', settings: { currency: 'GBP' } });
    });

    it('reads JSON inside stored rows: settled orders, reserves, statement payments', async () => {
      const s = await store();
      const org = await s.orgs.create({ name: 'Acme' });
      const shop = await s.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: 'S', name: 'Shop' });
      const st = (id: string, paymentId?: string) => ({ id, statement_time: 1_700_000_000, currency: 'USD', settlement_amount: '1.00', ...(paymentId ? { payment_id: paymentId } : {}) });
      const tx = (id: string, type: string, order: string, reserve?: string) => ({ id, type, order_id: order, settlement_amount: '1.00', ...(reserve ? { reserve_amount: reserve } : {}) });
      await s.sourceRecords.upsert({ integrationId: shop.id, kind: 'statement', externalId: 'S1', statementId: 'S1', occurredAt: '2026-02-01', raw: st('S1', 'P1'), hash: 's1' });
      await s.sourceRecords.upsert({ integrationId: shop.id, kind: 'statement', externalId: 'S2', statementId: 'S2', occurredAt: '2026-02-02', raw: st('S2'), hash: 's2' });
      for (const [id, type, order, reserve] of [['T1', 'ORDER', 'O1', '-2.00'], ['T2', 'ORDER', 'O1'], ['T3', 'ORDER', 'O2'], ['T4', 'REFUND', 'O3']] as const) {
        await s.sourceRecords.upsert({ integrationId: shop.id, kind: 'statement_transaction', externalId: id, statementId: 'S1', orderId: order, occurredAt: '2026-02-01', raw: tx(id, type, order, reserve), hash: id });
      }
      expect(await s.sourceRecords.settledOrderCount()).toBe(2);
      expect((await s.sourceRecords.reserveTransactions(shop.id)).map((r) => r.externalId)).toEqual(['T1']);
      expect(await s.sourceRecords.statementPayments(shop.id)).toEqual([{ id: 'S1', paymentId: 'P1' }, { id: 'S2', paymentId: null }]);
      expect((await s.sourceRecords.statementReserveRaws(shop.id, 'S1')).map((r) => (JSON.parse(r) as { id: string }).id)).toEqual(['T1']);
      expect(await s.sourceRecords.has(shop.id, 'statement_transaction', 'T1')).toBe(true);
      expect(await s.sourceRecords.has(shop.id, 'order', 'O1')).toBe(false);
      const t1 = (await s.sourceRecords.get(shop.id, 'statement_transaction', 'T1'))!;
      await s.sourceRecords.setStatus(t1.id, 'failed', 'no');
      expect(await s.sourceRecords.statusOf(t1.id)).toEqual({ status: 'failed', error: 'no' });
      expect(await s.sourceRecords.statementIdsNeedingWork(shop.id)).toEqual(['S1']);

      // A statement's transactions at once: all but the excepted, an event for each that changed.
      const t2 = (await s.sourceRecords.get(shop.id, 'statement_transaction', 'T2'))!;
      await s.sourceRecords.setStatus(t2.id, 'synced', null);
      const set = (except: number[]) => s.sourceRecords.setStatementTransactionStatuses({ integrationId: shop.id, statementId: 'S1', except, status: 'synced', error: null, event: { orgId: org.id, runId: 7 } });
      expect(await set([t1.id])).toBe(2); // T3, T4 (T2 already synced, T1 excepted)
      expect(await set([])).toBe(1); // T1 now; the rest are synced already
      const statuses = await Promise.all(['T1', 'T2', 'T3', 'T4'].map(async (id) => (await s.sourceRecords.get(shop.id, 'statement_transaction', id))!.status));
      expect(statuses).toEqual(['synced', 'synced', 'synced', 'synced']);
      const events = await s.events.forSubjects(org.id, ['T1', 'T2', 'T3', 'T4'].map((id) => ({ kind: 'statement_transaction', id })));
      expect(events.map((e) => [e.subjectId, e.status, e.runId])).toEqual([['T3', 'synced', 7], ['T4', 'synced', 7], ['T1', 'synced', 7]]);
      // An error counts as a change of its own; no event is written without one asked for.
      expect(await s.sourceRecords.setStatementTransactionStatuses({ integrationId: shop.id, statementId: 'S1', except: [], status: 'synced', error: 'late', event: undefined })).toBe(4);
      expect(await s.events.forSubjects(org.id, [{ kind: 'statement_transaction', id: 'T2' }])).toEqual([]);
    });

    it('sums documents\' Clearing and Reserve lines and counts their ledger objects', async () => {
      const s = await store();
      const org = await s.orgs.create({ name: 'Acme' });
      const shop = await s.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: 'S', name: 'Shop' });
      const intent = (d: BookingDocument, runId: number | null = null) =>
        s.documents.recordIntent({ orgId: org.id, integrationId: shop.id, key: d.key, kind: d.kind, sourceKind: 'statement_transaction', sourceId: `T-${d.key}`, date: d.date, currency: d.currency, body: d, hash: d.key, warnings: [], runId });
      const run = await s.runs.start(org.id, {});
      await intent(doc('a', 1000, -200));
      await intent(doc('b', 500));
      await intent(doc('c', 300), run.id);
      await intent(doc('d', 700));
      await s.documents.markPosted(org.id, 'a', [{ type: 'JournalEntry', id: '1' }, { type: 'Transfer', id: '2' }], null);
      await s.documents.markPosted(org.id, 'b', [{ type: 'JournalEntry', id: '3' }], null);
      await s.documents.setStatus(org.id, 'd', 'deleted');
      expect(await s.documents.postedLedgerObjectCount()).toBe(3);
      expect(await s.documents.clearingTotals(org.id, shop.id)).toEqual([
        { key: 'a', kind: 'sale', status: 'posted', date: '2026-02-27', currency: 'USD', orderId: null, statementId: null, paymentId: null, transactionId: 'T-a', clearingMinor: 1000, reserveMinor: -200 },
        { key: 'b', kind: 'sale', status: 'posted', date: '2026-02-27', currency: 'USD', orderId: null, statementId: null, paymentId: null, transactionId: 'T-b', clearingMinor: 500, reserveMinor: 0 },
        { key: 'c', kind: 'sale', status: 'pending', date: '2026-02-27', currency: 'USD', orderId: null, statementId: null, paymentId: null, transactionId: 'T-c', clearingMinor: 300, reserveMinor: 0 },
      ]);
      expect(await s.documents.hasAny(org.id, ['deleted'])).toBe(true);
      expect(await s.documents.hasAny(org.id, ['failed'])).toBe(false);
      expect(await s.documents.keys(org.id, ['pending'])).toEqual(['c']);
      expect(await s.documents.keys(org.id, ['pending'], { notOfRun: run.id })).toEqual([]);
      expect(await s.documents.keys(org.id, ['pending'], { notOfRun: null })).toEqual(['c']);
      expect((await s.documents.stateRows(org.id, 'c')).map((r) => [r.key, r.status, r.runId])).toEqual([['c', 'pending', run.id]]);
    });
  });
}
