import { describe, expect, it } from 'vitest';
import { assertModeChangeAllowed } from '../../src/orgs/settings.js';
import { formatClaim, parseClaim, ShopClaimedError } from '../../src/sync/claim.js';
import { runSync } from '../../src/sync/engine.js';
import { FakeLedger, FakeTikTok, NOW, makeShop, makeStore } from './sync-fakes.js';

const since = new Date(NOW.getTime() - 40 * 86_400_000);
const SHOP = '74950000000000007919';

/** One state folder (its own store) syncing the shared TikTok shop into the shared ledger. */
async function home(ledger: FakeLedger, tiktok: FakeTikTok, mode: 'per-transaction' | 'summary' = 'per-transaction') {
  const s = await makeStore(mode);
  const sync = (opts: { dryRun?: boolean; takeOver?: Date; since?: Date } = {}) =>
    runSync({ store: s.store, ledger, tiktokFor: () => tiktok, clock: { now: () => NOW } }, { orgId: s.orgId, since: opts.since ?? since, dryRun: Boolean(opts.dryRun), takeOver: opts.takeOver });
  return { ...s, sync };
}

describe('who books a shop into a ledger company is recorded there', () => {
  it('formats within QuickBooks\' 100 characters and reads back', async () => {
    const c = { booker: '0a1b2c3d', mode: 'summary' as const, from: '2026-09-01', org: 'A very long organization name '.repeat(5) };
    const text = formatClaim(c);
    expect(text.length).toBeLessThanOrEqual(100);
    expect(parseClaim(text)).toMatchObject({ booker: '0a1b2c3d', mode: 'summary', from: '2026-09-01' });
    expect(parseClaim(`TikTok shop 1: ${formatClaim({ ...c, org: 'Acme' })}`)).toEqual({ ...c, org: 'Acme' });
    expect(parseClaim('Clearing for TikTok')).toBeUndefined();
  });

  it('a second state folder on the same ledger company is refused and books nothing; a take-over moves the claim', async () => {
    const ledger = new FakeLedger();
    const tiktok = new FakeTikTok(makeShop(30, 4));
    const a = await home(ledger, tiktok, 'per-transaction');
    const first = await a.sync();
    expect(first.documents.created).toBeGreaterThan(0);
    expect(parseClaim(ledger.claims.get(SHOP))).toMatchObject({ mode: 'per-transaction', org: 'Acme', from: since.toISOString().slice(0, 10) });
    const booked = new Map(ledger.books);

    // A second home, in the other mode: refused before anything is written, the dry run too.
    const b = await home(ledger, tiktok, 'summary');
    for (const dryRun of [true, false]) {
      const err = await b.sync({ dryRun }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ShopClaimedError);
      expect((err as ShopClaimedError).message).toMatch(/already booked into this QuickBooks company by organization "Acme" of another synder \(booker [0-9a-f]{8}\), per-transaction mode from/);
      expect((err as ShopClaimedError).hint).toContain('synder sync --take-over <YYYY-MM-DD>');
    }
    expect(ledger.books).toEqual(booked);
    expect(await b.store.documents.list(b.orgId)).toEqual([]);

    // Taking over from a cut-over after everything settled so far: B books nothing before it…
    const cutover = new Date(NOW.getTime() + 86_400_000);
    const took = await b.sync({ takeOver: cutover });
    expect(took.documents.created).toBe(0);
    expect(ledger.books).toEqual(booked);
    expect(parseClaim(ledger.claims.get(SHOP))).toMatchObject({ mode: 'summary', from: cutover.toISOString().slice(0, 10) });
    // …and A is refused from then on.
    await expect(a.sync()).rejects.toBeInstanceOf(ShopClaimedError);
    await a.store.close();
    await b.store.close();
  });

  it('a lost state folder takes over in the same mode from the same date and finds every document by its key', async () => {
    const ledger = new FakeLedger();
    const tiktok = new FakeTikTok(makeShop(30, 6));
    const a = await home(ledger, tiktok);
    const first = await a.sync();
    const fresh = await home(ledger, tiktok);
    await expect(fresh.sync()).rejects.toBeInstanceOf(ShopClaimedError);
    const again = await fresh.sync({ takeOver: since });
    expect(again.documents.created).toBe(0);
    expect(again.documents.existing).toBe(first.documents.created);
    await a.store.close();
    await fresh.store.close();
  });

  it('an org that changes mode after a rollback keeps its claim and records the new mode; the cut-over guard still holds', async () => {
    const ledger = new FakeLedger();
    const tiktok = new FakeTikTok(makeShop(20, 8));
    const a = await home(ledger, tiktok);
    await a.sync();
    const org = (await a.store.orgs.get(a.orgId))!;
    await expect(assertModeChangeAllowed(a.store, org, 'summary')).rejects.toThrow(/would book that money twice/);
    for (const d of await a.store.documents.list(a.orgId)) await a.store.documents.setStatus(a.orgId, d.key, 'deleted');
    for (const k of [...ledger.books.keys()]) ledger.books.delete(k);
    await assertModeChangeAllowed(a.store, org, 'summary');
    await a.store.orgs.update(a.orgId, { mode: 'summary' });
    await a.sync();
    expect(parseClaim(ledger.claims.get(SHOP))).toMatchObject({ mode: 'summary', booker: org.settings.bookerId });
    await a.store.close();
  });

  it('a clearing account with money on it and no claim (an older synder) is not booked into again without a take-over', async () => {
    const ledger = new FakeLedger();
    const tiktok = new FakeTikTok(makeShop(20, 9));
    const a = await home(ledger, tiktok);
    await a.sync();
    ledger.claims.clear();
    // A statement not paid out yet: money on the clearing account.
    const unpaid = [...ledger.books.values()].find((x) => x.doc.kind === 'payout')!;
    ledger.books.delete(unpaid.key);
    const b = await home(ledger, tiktok);
    await expect(b.sync()).rejects.toThrow(/already holds money that Acme did not book/);
    // The org that booked it writes its claim on its next sync.
    await a.sync();
    expect(parseClaim(ledger.claims.get(SHOP))?.booker).toBe((await a.store.orgs.get(a.orgId))!.settings.bookerId);
    await a.store.close();
    await b.store.close();
  });
});
