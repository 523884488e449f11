import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBooks, connectThroughLoopback, ledgerObjectCount, snapshot, startE2E, sync, type E2E, type LedgerName } from '../helpers/e2e.js';
import { systemClock } from '../../src/clock.js';
import { tempHome } from '../helpers/cli.js';
import { synder } from '../helpers/in-process.js';

/**
 * The state store is lost (new machine, deleted SYNDER_HOME) and synder is connected again to
 * the same ledger company: once it takes over (the ledger records another booker), the next sync
 * must find every document already in the ledger by its key and create nothing — including Xero
 * bank transactions, whose Reference is not unique.
 */
for (const ledger of ['xero', 'quickbooks'] as LedgerName[]) {
  describe(`${ledger}: sync after the state store is lost`, () => {
    let e: E2E;
    beforeAll(async () => {
      e = await startE2E({ ledger, mode: 'per-transaction', seed: 21, orders: 30, days: 8 });
    });
    afterAll(async () => {
      await e?.close();
    });

    it('finds every document already booked and creates no second copy', async () => {
      const first = await sync(e);
      expect(first.result.code, first.result.stderr).toBe(0);
      expect(first.summary.documents.created).toBeGreaterThan(0);
      const before = snapshot(e);
      const objects = ledgerObjectCount(e);

      const fresh: E2E = { ...e, home: tempHome('synder-lost-'), env: { ...e.env } };
      fresh.env.SYNDER_HOME = fresh.home;
      fresh.cli = (args) => synder(args, { env: fresh.env, clock: systemClock });
      expect((await fresh.cli(['org', 'create', 'E2E Shop', '--currency', e.currency])).code).toBe(0);
      await connectThroughLoopback(['connect', ledger, '--mode', 'per-transaction', '--bank-account', e.bankAccount], fresh.env);
      await connectThroughLoopback(['connect', 'tiktok', '--shops', 'all'], fresh.env);

      // Nothing in the ledger tells a lost state folder from a second synder: it is refused until it
      // takes over, here from the date the bookings start, in the same mode.
      const refused = await sync(fresh);
      expect(refused.result.code, refused.result.stderr).toBe(1);
      expect(refused.result.stderr).toContain('--take-over');
      expect(ledgerObjectCount(e)).toBe(objects);
      const again = await sync(fresh, ['--take-over', e.since]);
      expect(again.result.code, again.result.stderr).toBe(0);
      expect(again.summary.documents.created).toBe(0);
      expect(again.summary.documents.existing).toBe(first.summary.documents.created);
      expect(ledgerObjectCount(e)).toBe(objects);
      expect(snapshot(e)).toEqual(before);
      assertBooks(fresh, expect);
    });
  });
}
