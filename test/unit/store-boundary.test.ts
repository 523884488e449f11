import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { DB_FILE } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations.js';
import { Store } from '../../src/store/store.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const homes: string[] = [];
const home = () => {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-store-'));
  homes.push(h);
  return h;
};
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

/** Writes behind the store's back, as a user editing the file (or a damaged disk) would. */
function tamper(h: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path.join(h, DB_FILE));
  db.prepare(sql).run(...params);
  db.close();
}

describe('the store reads JSON columns back through their schemas', () => {
  it('names table, row and column of damaged org settings', async () => {
    const h = home();
    let store = await Store.open(h, () => NOW);
    const org = store.orgs.create({ name: 'Acme', settings: { mfTax: 'gross' } });
    expect(store.orgs.get(org.id)!.settings.mfTax).toBe('gross');
    store.close();
    tamper(h, `UPDATE orgs SET settings_json = '{"mfTax":"sometimes"}' WHERE id = ?`, org.id);
    store = await Store.open(h, () => NOW);
    const err = (() => {
      try {
        store.orgs.get(org.id);
      } catch (e) {
        return e;
      }
    })();
    store.close();
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).message).toMatch(new RegExp(`orgs row ${org.id}, column settings_json: mfTax`));
    expect((err as StateError).hint).toMatch(/backup/);
  });

  it('says when a JSON column is not JSON at all', async () => {
    const h = home();
    let store = await Store.open(h, () => NOW);
    const org = store.orgs.create({ name: 'Acme' });
    const shop = store.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: 'shop-1', name: 'Shop', settings: { cipher: 'c1' } });
    store.close();
    tamper(h, `UPDATE integrations SET settings_json = '{cipher' WHERE id = ?`, shop.id);
    store = await Store.open(h, () => NOW);
    expect(() => store.integrations.listForOrg(org.id)).toThrow(new RegExp(`integrations row ${shop.id}, column settings_json: not valid JSON`));
    store.close();
  });

  it('checks a stored TikTok record against the kind it is stored as', async () => {
    const h = home();
    let store = await Store.open(h, () => NOW);
    const org = store.orgs.create({ name: 'Acme' });
    const shop = store.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: 'shop-1', name: 'Shop' });
    const payment = { id: 'P1', create_time: 1_700_000_000, status: 'PAID', amount: { value: '12.50', currency: 'USD' } };
    const { record } = store.sourceRecords.upsert({ integrationId: shop.id, kind: 'payment', externalId: 'P1', raw: payment, hash: 'h1' });
    expect(store.sourceRecords.get(shop.id, 'payment', 'P1')!.raw.amount.value).toBe('12.50');
    store.close();
    tamper(h, `UPDATE source_records SET raw_json = '{"id":"P1","create_time":1700000000,"status":"PAID","amount":{"value":"twelve","currency":"USD"}}' WHERE id = ?`, record.id);
    store = await Store.open(h, () => NOW);
    // Its hash and status still read (a sync compares those); what TikTok sent is checked when used.
    const damaged = store.sourceRecords.get(shop.id, 'payment', 'P1')!;
    expect(damaged.hash).toBe('h1');
    expect(() => damaged.raw).toThrow(/source_records row \d+ \(payment P1\), column raw_json: amount.value: /);
    store.close();
  });

  it('checks a booked document\'s body and what the ledger answered', async () => {
    const h = home();
    let store = await Store.open(h, () => NOW);
    const org = store.orgs.create({ name: 'Acme' });
    const body = {
      key: 'tt:1:sale:T1', kind: 'sale' as const, date: '2026-02-27', currency: 'USD', memo: 'Order 1', warnings: [], refs: { shopId: 'S' },
      lines: [
        { role: 'clearing' as const, amountMinor: 500, description: 'Net', source: { kind: 'statement_transaction' as const, id: 'T1', field: 'settlement_amount' } },
        { role: 'sales' as const, amountMinor: -500, description: 'Sales', source: { kind: 'statement_transaction' as const, id: 'T1', field: 'revenue_amount' } },
      ],
    };
    store.documents.recordIntent({ orgId: org.id, integrationId: null, key: body.key, kind: 'sale', date: body.date, currency: 'USD', body, hash: 'x', warnings: [], runId: null });
    store.documents.markPosted(org.id, body.key, [{ type: 'SalesReceipt', id: '42' }], null);
    expect(store.documents.get(org.id, body.key)!.body).toEqual(body);
    expect(store.documents.get(org.id, body.key)!.refs).toEqual([{ type: 'SalesReceipt', id: '42' }]);
    store.close();
    tamper(h, `UPDATE documents SET body_json = json_set(body_json, '$.lines[1].amountMinor', -499.5)`);
    store = await Store.open(h, () => NOW);
    expect(() => store.documents.get(org.id, body.key)).toThrow(/documents row \d+ \(tt:1:sale:T1\), column body_json: lines\[1\]\.amountMinor/);
    store.close();
  });

  it('lists an org\'s records in SQL, not every org\'s', async () => {
    const store = await Store.open(home(), () => NOW);
    const statement = { id: 'S1', statement_time: 1_700_000_000, currency: 'USD', settlement_amount: '1.00' };
    const tx = (id: string, order: string) => ({ id, type: 'ORDER', order_id: order, settlement_amount: '1.00' });
    for (const name of ['A', 'B']) {
      const org = store.orgs.create({ name });
      const shop = store.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: `shop-${name}`, name });
      store.sourceRecords.upsert({ integrationId: shop.id, kind: 'statement', externalId: 'S1', statementId: 'S1', raw: statement, hash: 's' });
      store.sourceRecords.upsert({ integrationId: shop.id, kind: 'statement_transaction', externalId: `T-${name}`, statementId: 'S1', orderId: 'O1', raw: tx(`T-${name}`, 'O1'), hash: name });
    }
    const a = store.orgs.findByName('A')!;
    const rows = store.sourceRecords.list({ orgId: a.id, kind: ['statement_transaction'], orderIds: ['O1'] });
    expect(rows.map((r) => r.externalId)).toEqual(['T-A']);
    store.close();
  });
});

describe('migration 2', () => {
  it('moves the org setting "mapping" to "routing"', async () => {
    const h = home();
    const db = new Database(path.join(h, DB_FILE));
    db.exec(migrations.find((m) => m.version === 1)!.sql);
    db.pragma('user_version = 1');
    const overrides = { feeKeys: { new_fee_amount: 'marketplace_fees' }, mfTaxKeys: ['x'] };
    db.prepare(`INSERT INTO orgs (name, settings_json, created_at) VALUES ('Old', ?, ?), ('Plain', '{"mfTax":"off"}', ?)`)
      .run(JSON.stringify({ mapping: overrides, dateBasis: 'order' }), NOW.toISOString(), NOW.toISOString());
    db.close();

    const store = await Store.open(h, () => NOW);
    const old = store.orgs.findByName('Old')!;
    expect(old.settings).toEqual({ routing: overrides, dateBasis: 'order' });
    expect(store.orgs.findByName('Plain')!.settings).toEqual({ mfTax: 'off' });
    store.close();
  });
});
