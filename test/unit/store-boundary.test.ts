import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import type { Store } from '../../src/store/store.js';
import { storeEngines, storesPerCase } from '../helpers/store-engines.js';

const NOW = new Date('2026-03-01T10:00:00Z');

for (const engine of storeEngines()) {
  describe.skipIf(engine.skip !== undefined)(`the store reads JSON columns back through their schemas (${engine.name})`, () => {
    const store = storesPerCase(engine, () => NOW);

    /** Writes behind the repositories' back, as a user editing the database (or a damaged disk) would. */
    const tamper = (s: Store, sql: string, params: unknown[]) => s.db.run(sql, params);

    it('names table, row and column of damaged org settings', async () => {
      const s = await store();
      const org = await s.orgs.create({ name: 'Acme', settings: { mfTax: 'gross' } });
      expect((await s.orgs.get(org.id))!.settings.mfTax).toBe('gross');
      await tamper(s, 'UPDATE orgs SET settings_json = ? WHERE id = ?', ['{"mfTax":"sometimes"}', org.id]);
      const err = await s.orgs.get(org.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as StateError).message).toMatch(new RegExp(`orgs row ${org.id}, column settings_json: mfTax`));
      expect((err as StateError).hint).toMatch(/backup/);
    });

    it('says when a JSON column is not JSON at all', async () => {
      const s = await store();
      const org = await s.orgs.create({ name: 'Acme' });
      const shop = await s.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: 'shop-1', name: 'Shop', settings: { cipher: 'c1' } });
      await tamper(s, 'UPDATE integrations SET settings_json = ? WHERE id = ?', ['{cipher', shop.id]);
      await expect(s.integrations.listForOrg(org.id)).rejects.toThrow(new RegExp(`integrations row ${shop.id}, column settings_json: not valid JSON`));
    });

    it('checks a stored TikTok record against the kind it is stored as', async () => {
      const s = await store();
      const org = await s.orgs.create({ name: 'Acme' });
      const shop = await s.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: 'shop-1', name: 'Shop' });
      const payment = { id: 'P1', create_time: 1_700_000_000, status: 'PAID', amount: { value: '12.50', currency: 'USD' } };
      const { record } = await s.sourceRecords.upsert({ integrationId: shop.id, kind: 'payment', externalId: 'P1', raw: payment, hash: 'h1' });
      expect((await s.sourceRecords.get(shop.id, 'payment', 'P1'))!.raw.amount.value).toBe('12.50');
      await tamper(s, 'UPDATE source_records SET raw_json = ? WHERE id = ?', ['{"id":"P1","create_time":1700000000,"status":"PAID","amount":{"value":"twelve","currency":"USD"}}', record.id]);
      // Its hash and status still read (a sync compares those); what TikTok sent is checked when used.
      const damaged = (await s.sourceRecords.get(shop.id, 'payment', 'P1'))!;
      expect(damaged.hash).toBe('h1');
      expect(() => damaged.raw).toThrow(/source_records row \d+ \(payment P1\), column raw_json: amount.value: /);
    });

    it('checks a booked document\'s body and what the ledger answered', async () => {
      const s = await store();
      const org = await s.orgs.create({ name: 'Acme' });
      const body = {
        key: 'tt:1:sale:T1', kind: 'sale' as const, date: '2026-02-27', currency: 'USD', memo: 'Order 1', warnings: [], refs: { shopId: 'S' },
        lines: [
          { role: 'clearing' as const, amountMinor: 500, description: 'Net', source: { kind: 'statement_transaction' as const, id: 'T1', field: 'settlement_amount' } },
          { role: 'sales' as const, amountMinor: -500, description: 'Sales', source: { kind: 'statement_transaction' as const, id: 'T1', field: 'revenue_amount' } },
        ],
      };
      await s.documents.recordIntent({ orgId: org.id, integrationId: null, key: body.key, kind: 'sale', date: body.date, currency: 'USD', body, hash: 'x', warnings: [], runId: null });
      await s.documents.markPosted(org.id, body.key, [{ type: 'SalesReceipt', id: '42' }], null);
      expect((await s.documents.get(org.id, body.key))!.body).toEqual(body);
      expect((await s.documents.get(org.id, body.key))!.refs).toEqual([{ type: 'SalesReceipt', id: '42' }]);
      const halfCent = { ...body, lines: [body.lines[0], { ...body.lines[1], amountMinor: -499.5 }] };
      await tamper(s, 'UPDATE documents SET body_json = ? WHERE org_id = ? AND key = ?', [JSON.stringify(halfCent), org.id, body.key]);
      await expect(s.documents.get(org.id, body.key)).rejects.toThrow(/documents row \d+ \(tt:1:sale:T1\), column body_json: lines\[1\]\.amountMinor/);
    });

    it('lists an org\'s records in SQL, not every org\'s', async () => {
      const s = await store();
      const statement = { id: 'S1', statement_time: 1_700_000_000, currency: 'USD', settlement_amount: '1.00' };
      const tx = (id: string, order: string) => ({ id, type: 'ORDER', order_id: order, settlement_amount: '1.00' });
      for (const name of ['A', 'B']) {
        const org = await s.orgs.create({ name });
        const shop = await s.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: `shop-${name}`, name });
        await s.sourceRecords.upsert({ integrationId: shop.id, kind: 'statement', externalId: 'S1', statementId: 'S1', raw: statement, hash: 's' });
        await s.sourceRecords.upsert({ integrationId: shop.id, kind: 'statement_transaction', externalId: `T-${name}`, statementId: 'S1', orderId: 'O1', raw: tx(`T-${name}`, 'O1'), hash: name });
      }
      const a = (await s.orgs.findByName('A'))!;
      const rows = await s.sourceRecords.list({ orgId: a.id, kind: ['statement_transaction'], orderIds: ['O1'] });
      expect(rows.map((r) => r.externalId)).toEqual(['T-A']);
      expect(await s.sourceRecords.list({ orgId: a.id, orderIds: [] })).toEqual([]);
    });
  });
}
