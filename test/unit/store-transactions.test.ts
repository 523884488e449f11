import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { storeEngines, storesPerCase } from '../helpers/store-engines.js';

const NOW = new Date('2026-03-01T10:00:00Z');

for (const engine of storeEngines()) {
  describe.skipIf(engine.skip !== undefined)(`store transactions (${engine.name})`, () => {
    const store = storesPerCase(engine, () => NOW);
    const names = async (s: Store) => (await s.orgs.list()).map((o) => o.name);

    it('commits what the repositories wrote inside it, and rolls all of it back on a throw', async () => {
      const s = await store();
      const org = await s.transaction(async () => s.orgs.create({ name: 'Kept' }));
      expect(org.name).toBe('Kept');
      await expect(
        s.transaction(async () => {
          await s.orgs.create({ name: 'Gone' });
          // Its own writes are visible inside it.
          expect(await s.orgs.findByName('gone')).toMatchObject({ name: 'Gone' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await names(s)).toEqual(['Kept']);
    });

    it('a transaction inside one joins it: the outer one commits or rolls back the lot', async () => {
      const s = await store();
      await expect(
        s.transaction(async () => {
          await s.orgs.create({ name: 'Outer' });
          await s.transaction(async () => {
            await s.orgs.create({ name: 'Inner' });
          });
          expect(await names(s)).toEqual(['Inner', 'Outer']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await names(s)).toEqual([]);
    });

    it('two transactions storing the same new source record at once both succeed, with one row', async () => {
      const s = await store();
      const org = await s.orgs.create({ name: 'Acme' });
      const shop = await s.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: 'shop-1', name: 'Shop' });
      const payment = { id: 'P1', create_time: 1_700_000_000, status: 'PAID', amount: { value: '12.50', currency: 'USD' } };
      // Each looks before any inserts: all three open their transactions first (SQLite runs them one
      // after another on its one connection, so there they cannot wait for each other).
      const together = s.db.dialect === 'postgres' ? 3 : 1;
      let arrived = 0;
      let go!: () => void;
      const allIn = new Promise<void>((r) => (go = r));
      const put = () =>
        s.transaction(async () => {
          await s.orgs.list();
          if (++arrived === together) go();
          await allIn;
          return (await s.sourceRecords.upsert({ integrationId: shop.id, kind: 'payment', externalId: 'P1', raw: payment, hash: 'h1' })).change;
        });
      expect((await Promise.all([put(), put(), put()])).sort()).toEqual(['new', 'same', 'same']);
      expect((await s.db.all('SELECT id FROM source_records')).length).toBe(1);
    });

    it('repository calls from another async flow are not part of a running transaction', async () => {
      const s = await store();
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let inside!: () => void;
      const wrote = new Promise<void>((r) => (inside = r));
      const tx = s.transaction(async () => {
        await s.orgs.create({ name: 'Inside' });
        inside();
        await held;
        throw new Error('rolled back');
      });
      await wrote;
      // Started outside the transaction's flow: it must survive the rollback.
      const outside = s.orgs.create({ name: 'Outside' });
      release();
      await expect(tx).rejects.toThrow('rolled back');
      await outside;
      expect(await names(s)).toEqual(['Outside']);
    });

    it('a repository call in an async function the transaction awaits runs in it', async () => {
      const s = await store();
      const helper = async (name: string) => {
        await new Promise((r) => setTimeout(r, 1));
        return s.orgs.create({ name });
      };
      await expect(
        s.transaction(async () => {
          await Promise.all([helper('A'), helper('B')]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await names(s)).toEqual([]);
    });
  });
}
