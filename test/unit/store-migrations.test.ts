import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, SqliteDatabase } from '../../src/store/sqlite.js';
import { migrations } from '../../src/store/migrations.js';
import { Store } from '../../src/store/store.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

const body = (key: string) => ({
  key, kind: 'sale', date: '2026-02-27', currency: 'USD', memo: 'Order 1', warnings: [], refs: { shopId: 'S' },
  lines: [
    { role: 'clearing', amountMinor: 500, description: 'Net', source: { kind: 'statement_transaction', id: 'T1', field: 'settlement_amount' } },
    { role: 'sales', amountMinor: -500, description: 'Sales', source: { kind: 'statement_transaction', id: 'T1', field: 'revenue_amount' } },
  ],
});

/** A state database as synder wrote it at schema 3 (document keys unique across every org). */
function version3Home(): string {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-migrate-'));
  homes.push(h);
  const db = new Database(path.join(h, DB_FILE));
  for (const m of migrations.filter((x) => x.version <= 3)) db.exec(m.sql);
  db.pragma('user_version = 3');
  const at = NOW.toISOString();
  db.prepare("INSERT INTO orgs (id, name, ledger, mode, created_at) VALUES (1, 'Acme', 'quickbooks', 'per-transaction', ?), (2, 'Acme Xero', 'xero', 'summary', ?)").run(at, at);
  db.prepare("INSERT INTO integrations (id, org_id, platform, external_id, name, created_at) VALUES (7, 1, 'tiktok', 'S', 'Shop', ?)").run(at);
  db.prepare(
    `INSERT INTO documents (id, org_id, integration_id, key, kind, date, currency, body_json, hash, status, ledger_type, ledger_id, ledger_json, created_at, updated_at)
     VALUES (41, 1, 7, 'tts:S:T1:sale', 'sale', '2026-02-27', 'USD', ?, 'h1', 'posted', 'SalesReceipt', '42', '{"refs":[{"type":"SalesReceipt","id":"42"}]}', ?, ?)`,
  ).run(JSON.stringify(body('tts:S:T1:sale')), at, at);
  db.close();
  return h;
}

describe('migration 4: document keys are unique per organization', () => {
  it('keeps every row of a version-3 database and lets a second org hold the same key', async () => {
    const h = version3Home();
    const store = await Store.open(h, () => NOW);
    expect((store.db as SqliteDatabase).pragma('user_version')).toBe(4);
    const kept = (await store.documents.get(1, 'tts:S:T1:sale'))!;
    expect(kept).toMatchObject({ id: 41, orgId: 1, integrationId: 7, status: 'posted', refs: [{ type: 'SalesReceipt', id: '42' }] });
    expect(await store.documents.get(2, 'tts:S:T1:sale')).toBeUndefined();

    const xeroShop = await store.integrations.upsert({ orgId: 2, platform: 'tiktok', externalId: 'S', name: 'Shop', settings: {} });
    const doc = body('tts:S:T1:sale') as Parameters<Store['documents']['recordIntent']>[0]['body'];
    await store.documents.recordIntent({ orgId: 2, integrationId: xeroShop.id, key: doc.key, kind: 'sale', date: doc.date, currency: 'USD', body: doc, hash: 'h2', warnings: [], runId: null });
    await store.documents.markPosted(2, doc.key, [{ type: 'Invoice', id: 'x-1' }], null);
    await store.documents.setStatus(2, doc.key, 'deleted');

    // Org 2's writes never touched org 1's row of the same key.
    expect(await store.documents.get(1, doc.key)).toMatchObject({ status: 'posted', hash: 'h1', refs: [{ type: 'SalesReceipt', id: '42' }] });
    expect(await store.documents.get(2, doc.key)).toMatchObject({ status: 'deleted', hash: 'h2', refs: [{ type: 'Invoice', id: 'x-1' }] });
    expect((await store.documents.versions(1, doc.key)).map((d) => d.orgId)).toEqual([1]);
    expect((await store.documents.list(1)).map((d) => d.id)).toEqual([41]);
    await store.close();
  });

  it('rolls a failed migration back whole', async () => {
    const h = version3Home();
    const db = new Database(path.join(h, DB_FILE));
    // A table in the way of the rebuild makes it fail half-way.
    db.exec('CREATE TABLE documents_v4 (x)');
    db.close();
    await expect(Store.open(h, () => NOW)).rejects.toThrow(/unreadable or corrupt/);
    const after = new Database(path.join(h, DB_FILE));
    expect(after.pragma('user_version', { simple: true })).toBe(3);
    expect(after.prepare('SELECT COUNT(*) AS n FROM documents').get()).toEqual({ n: 1 });
    after.close();
  });
});

describe('migration 2', () => {
  it('moves the org setting "mapping" to "routing"', async () => {
    const h = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-migrate-'));
    homes.push(h);
    const db = new Database(path.join(h, DB_FILE));
    db.exec(migrations.find((m) => m.version === 1)!.sql);
    db.pragma('user_version = 1');
    const overrides = { feeKeys: { new_fee_amount: 'marketplace_fees' }, mfTaxKeys: ['x'] };
    db.prepare(`INSERT INTO orgs (name, settings_json, created_at) VALUES ('Old', ?, ?), ('Plain', '{"mfTax":"off"}', ?)`)
      .run(JSON.stringify({ mapping: overrides, dateBasis: 'order' }), NOW.toISOString(), NOW.toISOString());
    db.close();

    const store = await Store.open(h, () => NOW);
    const old = (await store.orgs.findByName('Old'))!;
    expect(old.settings).toEqual({ routing: overrides, dateBasis: 'order' });
    expect((await store.orgs.findByName('Plain'))!.settings).toEqual({ mfTax: 'off' });
    await store.close();
  });
});
