import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LockedError } from '../../src/errors.js';
import { runSync } from '../../src/sync/engine.js';
import { acquireOrgLock } from '../../src/sync/lock.js';
import type { SyncDeps } from '../../src/sync/types.js';
import type { Store } from '../../src/store/store.js';
import type { SqliteDatabase } from '../../src/store/sqlite.js';
import { FakeLedger, FakeTikTok, NOW, makeShop, makeStore } from './sync-fakes.js';

const since = new Date(NOW.getTime() - 40 * 86_400_000);

function deps(store: SyncDeps['store'], tiktok: FakeTikTok, ledger: FakeLedger): SyncDeps {
  return { store, ledger, tiktokFor: () => tiktok, clock: { now: () => NOW } };
}

function expectedClearing(tiktok: FakeTikTok, ledger: FakeLedger): void {
  for (const [base, n] of ledger.copiesPerEvent()) expect(n, base).toBe(1);
}

/** A run after an interruption ends with the uninterrupted run's books: each document once, Clearing tied out. */
function expectSameBooksOnce(r: Awaited<ReturnType<typeof runSync>>, tiktok: FakeTikTok, ledger: FakeLedger, uninterrupted: FakeLedger): void {
  expect(r.ok).toBe(true);
  expect(new Set(ledger.creates).size).toBe(ledger.creates.length);
  expect([...ledger.books.keys()].sort()).toEqual([...uninterrupted.books.keys()].sort());
  expectedClearing(tiktok, ledger);
  expect(r.clearing[0]!.differenceMinor).toBe(0);
}

describe.each(['per-transaction', 'summary'] as const)('sync engine (%s)', (mode) => {
  it('books every document once, and a re-run adds nothing', async () => {
    const { store, orgId } = await makeStore(mode);
    const tiktok = new FakeTikTok(makeShop());
    const ledger = new FakeLedger();
    const first = await runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false });
    expect(first.ok).toBe(true);
    expect(first.documents.created).toBeGreaterThan(0);
    expect(first.documents.created).toBe(ledger.books.size);
    expectedClearing(tiktok, ledger);
    const statuses = new Set((await store.sourceRecords.list({ kind: ['statement_transaction'] })).map((r) => r.status));
    expect([...statuses].every((s) => s === 'synced' || s === 'synced_with_warnings')).toBe(true);
    // Clearing in the ledger equals TikTok's unpaid settlements.
    expect(first.clearing.length).toBe(1);
    expect(first.clearing[0]!.differenceMinor).toBe(0);

    const creates = ledger.creates.length;
    const second = await runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false });
    expect(second.documents.created).toBe(0);
    expect(second.documents.updated).toBe(0);
    expect(ledger.creates.length).toBe(creates);
    await store.close();
  });
});

describe('sync engine: crashes and idempotency', () => {
  it('a crash inside the ledger call leaves pending intents that the next run finds by key', async () => {
    const { store, orgId } = await makeStore();
    const tiktok = new FakeTikTok(makeShop());
    const ledger = new FakeLedger();
    ledger.crashAfter = 7; // seven documents created, then the connection dies mid-batch
    await expect(runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false })).rejects.toThrow(/simulated crash/);
    const pending = await store.documents.list(orgId, { status: ['pending'] });
    expect(pending.length).toBeGreaterThan(0);
    expect(ledger.books.size).toBe(7);

    ledger.crashAfter = undefined;
    const r = await runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false });
    expect(r.documents.recovered).toBe(7);
    expect(await store.documents.list(orgId, { status: ['pending'] })).toEqual([]);
    expectedClearing(tiktok, ledger);
    expect(new Set(ledger.creates).size).toBe(ledger.creates.length);
    expect(r.clearing[0]!.differenceMinor).toBe(0);
    await store.close();
  });

  it('a crash before the ledger was called posts each intent exactly once on the re-run', async () => {
    const { store, orgId } = await makeStore();
    const tiktok = new FakeTikTok(makeShop());
    const ledger = new FakeLedger();
    ledger.crashAfter = 0;
    await expect(runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false })).rejects.toThrow();
    expect(ledger.books.size).toBe(0);
    ledger.crashAfter = undefined;
    const r = await runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false });
    expect(r.documents.recovered).toBe(0);
    expect(r.documents.created).toBe(ledger.books.size);
    expectedClearing(tiktok, ledger);
    await store.close();
  });

  it('a changed transaction replaces its posted documents under a new version key, never duplicating', async () => {
    const { store, orgId } = await makeStore();
    const shop = makeShop();
    const tiktok = new FakeTikTok(shop);
    const ledger = new FakeLedger();
    await runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false });

    // Move 1.00 between two fee keys of one order: same settlement, different postings.
    let changed: string | undefined;
    for (const detail of shop.statementTransactions.values()) {
      const tx = detail.transactions.find((t) => t.type === 'ORDER' && t.fee_tax_breakdown?.fee?.referral_fee_amount && t.fee_tax_breakdown.fee.transaction_fee_amount);
      if (!tx) continue;
      const fee = tx.fee_tax_breakdown!.fee!;
      fee.referral_fee_amount = (Number(fee.referral_fee_amount) - 1).toFixed(2);
      fee.transaction_fee_amount = (Number(fee.transaction_fee_amount) + 1).toFixed(2);
      changed = tx.id;
      break;
    }
    expect(changed).toBeDefined();
    const r = await runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false });
    expect(r.changedSourceRecords).toBe(1);
    expect(r.documents.updated).toBeGreaterThan(0);
    expect(ledger.removed.length).toBe(r.documents.updated);
    expectedClearing(tiktok, ledger);
    const versions = await store.documents.list(orgId, { status: ['replaced'] });
    expect(versions.length).toBe(r.documents.updated);
    expect([...ledger.books.keys()].some((k) => k.endsWith('~v2'))).toBe(true);
    // A third run changes nothing more.
    const again = await runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false });
    expect(again.documents.updated + again.documents.created).toBe(0);
    await store.close();
  });

  it('a rejected document fails alone with the ledger message and fix; the rest are booked', async () => {
    const { store, orgId } = await makeStore();
    const tiktok = new FakeTikTok(makeShop());
    const probe = new FakeLedger();
    const dry = await runSync(deps(store, tiktok, probe), { orgId, since, dryRun: true });
    const victim = dry.plan!.find((p) => p.doc.kind === 'sale')!.doc;
    const ledger = new FakeLedger();
    ledger.reject.add(victim.key);
    const r = await runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false });
    expect(r.ok).toBe(false);
    expect(r.documents.failed).toBe(1);
    expect(r.failures[0]).toMatchObject({ key: victim.key, error: 'Account is inactive', fix: 'Reactivate the account' });
    expect(r.documents.created).toBe(dry.plan!.length - 1);
    const tx = (await store.sourceRecords.get((await store.integrations.listForOrg(orgId))[0]!.id, 'statement_transaction', victim.refs.transactionId!))!;
    expect(tx.status).toBe('failed');
    // Once the ledger accepts it, the next run books it (and only it).
    ledger.reject.clear();
    const next = await runSync(deps(store, tiktok, ledger), { orgId, since, dryRun: false });
    expect(next.documents.created).toBe(1);
    expect(next.ok).toBe(true);
    await store.close();
  });
});

describe('sync engine: dry run, lock, bookmarks', () => {
  it('a dry run plans documents and writes nothing at all', async () => {
    const { store, orgId, home } = await makeStore();
    const file = path.join(home, 'synder.db');
    (store.db as SqliteDatabase).pragma('wal_checkpoint(TRUNCATE)');
    const digest = () => ['', '-wal'].map((s) => (fs.existsSync(file + s) ? createHash('sha256').update(fs.readFileSync(file + s)).digest('hex') : 'none')).join('/');
    const before = digest();
    const ledger = new FakeLedger();
    const r = await runSync(deps(store, new FakeTikTok(makeShop()), ledger), { orgId, since, dryRun: true });
    expect(r.plan!.length).toBeGreaterThan(0);
    expect(r.plan!.every((p) => p.action === 'create')).toBe(true);
    expect(ledger.books.size).toBe(0);
    expect(ledger.accounts.length).toBe(0);
    expect(digest()).toBe(before);
    for (const t of ['documents', 'source_records', 'sync_runs', 'events', 'bookmarks', 'account_mappings']) {
      expect(Number((await store.db.get<{ n: number }>(`SELECT count(*) AS n FROM ${t}`))!.n), t).toBe(0);
    }
    await store.close();
  });

  it('refuses a second sync of the same org while the holder lives, and takes over from a dead one', async () => {
    const { store, orgId } = await makeStore();
    const d = { ...deps(store, new FakeTikTok(makeShop(5)), new FakeLedger()), lock: { host: 'this-host', isAlive: (pid: number) => pid === process.pid } };
    const other = acquireOrgLock(store, orgId, 'Acme', { host: 'this-host', isAlive: () => true });
    const err = await runSync(d, { orgId, since, dryRun: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockedError);
    expect((err as LockedError).exitCode).toBe(5);
    expect((err as Error).message).toContain(`pid ${process.pid}`);
    other.release();

    // A holder on this host whose process is gone: its lock file is taken over at once.
    const ghost = acquireOrgLock(store, orgId, 'Acme', { host: 'this-host', pid: 2 ** 22 + 17 });
    const r = await runSync({ ...d, lock: { host: 'this-host', isAlive: () => false } }, { orgId, since, dryRun: false });
    expect(r.ok).toBe(true);
    expect(fs.existsSync(ghost.file)).toBe(false);
    await store.close();
  });

  it('takes over a lock whose holder on another host stopped its heartbeat', async () => {
    const { store, orgId } = await makeStore();
    const elsewhere = acquireOrgLock(store, orgId, 'Acme', { host: 'other-host' });
    expect(() => acquireOrgLock(store, orgId, 'Acme', { staleMs: 60_000 })).toThrow(LockedError);
    const past = new Date(Date.now() - 120_000);
    fs.writeFileSync(elsewhere.file, JSON.stringify({ ...elsewhere.holder, at: past.getTime() }));
    fs.utimesSync(elsewhere.file, past, past);
    const mine = acquireOrgLock(store, orgId, 'Acme', { staleMs: 60_000 });
    elsewhere.release();
    expect(fs.existsSync(mine.file)).toBe(true);
    mine.release();
    expect(fs.existsSync(mine.file)).toBe(false);
    await store.close();
  });

  it('keeps a held lock fresh with its heartbeat', async () => {
    const { store, orgId } = await makeStore();
    const lock = acquireOrgLock(store, orgId, 'Acme', { heartbeatMs: 20 });
    const past = new Date(Date.now() - 120_000);
    fs.utimesSync(lock.file, past, past);
    await new Promise((r) => setTimeout(r, 80));
    expect(Date.now() - fs.statSync(lock.file).mtimeMs).toBeLessThan(5_000);
    lock.release();
    await store.close();
  });

  it('keeps the bookmark a lookback window behind the run start', async () => {
    const { store, orgId, integrationId } = await makeStore();
    await runSync(deps(store, new FakeTikTok(makeShop(5)), new FakeLedger()), { orgId, since, dryRun: false, lookbackHours: 48 });
    expect(await store.bookmarks.get(integrationId, 'statements')).toBe(new Date(NOW.getTime() - 48 * 3_600_000).toISOString());
    await store.close();
  });
});

describe('sync engine: booked a chunk at a time', () => {
  it('a statement larger than a chunk is booked a page at a time with the same documents, statuses and failures', async () => {
    const statuses = async (store: Store, integrationId: number) =>
      (await store.sourceRecords.list({ integrationIds: [integrationId], kind: ['statement', 'statement_transaction'] })).map((r) => [r.kind, r.externalId, r.status]).sort();
    const shop = () => {
      const s = makeShop();
      // One bad transaction: it fails alone, and its statement's total no longer adds up.
      const detail = [...s.statementTransactions.values()].find((d) => d.transactions.length > 2)!;
      detail.transactions[1]!.settlement_amount = '999.99';
      return s;
    };
    const runs = [];
    // TikTok's pages of 100 (every statement on one page), then pages of 2 across chunks of 2 and 3.
    for (const [chunkTransactions, pageSize] of [[10_000, 100], [2, 100], [2, 2], [3, 2]] as const) {
      const made = await makeStore();
      const ledger = new FakeLedger();
      const tiktok = new FakeTikTok(shop());
      tiktok.pageSize = pageSize;
      const r = await runSync({ ...deps(made.store, tiktok, ledger), chunkTransactions, batchSize: 3 }, { orgId: made.orgId, since, dryRun: false });
      runs.push({ keys: [...ledger.books.keys()].sort(), statuses: await statuses(made.store, made.integrationId), failures: r.failures.map((f) => f.error).sort() });
      await made.store.close();
    }
    expect(runs[0]!.failures.length).toBeGreaterThan(0);
    for (const r of runs.slice(1)) expect(r).toEqual(runs[0]);
  });

  it('in summary mode a statement\'s transactions take its status, page by page or whole, and a bad one fails them all', async () => {
    const runs = [];
    for (const [chunkTransactions, pageSize] of [[10_000, 100], [2, 2]] as const) {
      const made = await makeStore('summary');
      const tiktok = new FakeTikTok(makeShop());
      const detail = [...tiktok.shop.statementTransactions.entries()].find(([, d]) => d.transactions.length > 2)!;
      detail[1].transactions[1]!.settlement_amount = '999.99';
      tiktok.pageSize = pageSize;
      const ledger = new FakeLedger();
      await runSync({ ...deps(made.store, tiktok, ledger), chunkTransactions, batchSize: 3 }, { orgId: made.orgId, since, dryRun: false });
      const records = await made.store.sourceRecords.list({ integrationIds: [made.integrationId], kind: ['statement_transaction'] });
      expect(records.filter((r) => r.statementId === detail[0]).every((r) => r.status === 'failed')).toBe(true);
      expect(records.filter((r) => r.statementId !== detail[0]).every((r) => r.status === 'synced' || r.status === 'synced_with_warnings')).toBe(true);
      runs.push({ keys: [...ledger.books.keys()].sort(), statuses: records.map((r) => [r.externalId, r.status, r.error]).sort() });
      await made.store.close();
    }
    expect(runs[1]).toEqual(runs[0]);
  });

  it('small chunks book the same documents as one chunk, and a crash between chunks loses and doubles nothing', async () => {
    const whole = await makeStore();
    const wholeLedger = new FakeLedger();
    const one = await runSync(deps(whole.store, new FakeTikTok(makeShop()), wholeLedger), { orgId: whole.orgId, since, dryRun: false });

    const { store, orgId } = await makeStore();
    const tiktok = new FakeTikTok(makeShop());
    const ledger = new FakeLedger();
    const chunked = (): SyncDeps => ({ ...deps(store, tiktok, ledger), chunkTransactions: 1, batchSize: 3 });
    ledger.crashAfter = Math.floor(wholeLedger.books.size / 2);
    await expect(runSync(chunked(), { orgId, since, dryRun: false })).rejects.toThrow(/simulated crash/);
    // The post() that failed ran while the next documents were being built: the run still ends
    // recorded as failed, and nothing is written after it.
    expect(await store.runs.last(orgId)).toMatchObject({ status: 'failed' });
    const written = (await store.documents.list(orgId, {})).length;
    await new Promise((r) => setTimeout(r, 50));
    expect((await store.documents.list(orgId, {})).length).toBe(written);
    ledger.crashAfter = undefined;
    const r = await runSync(chunked(), { orgId, since, dryRun: false });
    expect(r.ok).toBe(true);
    expect(new Set(ledger.creates).size).toBe(ledger.creates.length);
    expect([...ledger.books.keys()].sort()).toEqual([...wholeLedger.books.keys()].sort());
    expectedClearing(tiktok, ledger);
    expect(r.clearing.map((c) => c.differenceMinor)).toEqual(one.clearing.map((c) => c.differenceMinor));
    expect(r.clearing[0]!.bookedBalanceMinor).toBe(one.clearing[0]!.bookedBalanceMinor);
    expect(r.clearing[0]!.unpaidSettlementsMinor).toBe(one.clearing[0]!.unpaidSettlementsMinor);
    await whole.store.close();
    await store.close();
  });

  it.each(['per-transaction', 'summary'] as const)('a run stopped mid-statement (%s) leaves no statement that looks whole, and the next books it exactly once', async (mode) => {
    const whole = await makeStore(mode);
    const wholeLedger = new FakeLedger();
    const one = await runSync(deps(whole.store, new FakeTikTok(makeShop()), wholeLedger), { orgId: whole.orgId, since, dryRun: false });

    const { store, orgId, integrationId } = await makeStore(mode);
    const tiktok = new FakeTikTok(makeShop());
    tiktok.pageSize = 2;
    const ledger = new FakeLedger();
    // TikTok fails on the third page of the largest statement, after earlier pages were stored and booked.
    const [largest] = [...tiktok.shop.statementTransactions.entries()].sort((a, b) => b[1].transactions.length - a[1].transactions.length)[0]!;
    const pages = tiktok.statementTransactionPages.bind(tiktok);
    let failing = true;
    tiktok.statementTransactionPages = async function* (id: string) {
      let n = 0;
      for await (const page of pages(id)) {
        if (failing && id === largest && ++n === 3) throw new Error('TikTok went away (simulated)');
        yield page;
      }
    };
    const paged = (): SyncDeps => ({ ...deps(store, tiktok, ledger), chunkTransactions: 2, batchSize: 3 });
    await expect(runSync(paged(), { orgId, since, dryRun: false })).rejects.toThrow(/simulated/);
    const stored = await store.sourceRecords.list({ integrationIds: [integrationId], statementId: largest });
    // Its first pages' transactions are stored, its statement is not (it is stored with its last page).
    expect(stored.filter((r) => r.kind === 'statement_transaction').length).toBe(4);
    expect(stored.some((r) => r.kind === 'statement')).toBe(false);
    if (mode === 'per-transaction') expect(ledger.books.size).toBeGreaterThan(0);

    failing = false;
    const r = await runSync(paged(), { orgId, since, dryRun: false });
    expectSameBooksOnce(r, tiktok, ledger, wholeLedger);
    expect(r.clearing[0]!.bookedBalanceMinor).toBe(one.clearing[0]!.bookedBalanceMinor);
    const statuses = new Set((await store.sourceRecords.list({ integrationIds: [integrationId], kind: ['statement', 'statement_transaction'] })).map((x) => x.status));
    expect([...statuses].every((x) => x === 'synced' || x === 'synced_with_warnings' || x === 'skipped')).toBe(true);
    await whole.store.close();
    await store.close();
  });

  it('a crash in the ledger mid-statement, with pages of 2, loses and doubles nothing', async () => {
    const whole = await makeStore();
    const wholeLedger = new FakeLedger();
    await runSync(deps(whole.store, new FakeTikTok(makeShop()), wholeLedger), { orgId: whole.orgId, since, dryRun: false });
    const { store, orgId } = await makeStore();
    const tiktok = new FakeTikTok(makeShop());
    tiktok.pageSize = 2;
    const ledger = new FakeLedger();
    const paged = (): SyncDeps => ({ ...deps(store, tiktok, ledger), chunkTransactions: 2, batchSize: 3 });
    for (const crashAfter of [5, 17]) {
      ledger.crashAfter = crashAfter;
      await expect(runSync(paged(), { orgId, since, dryRun: false })).rejects.toThrow(/simulated crash/);
      // Sent in the call that died: recorded as intents, found in the ledger by the next run.
      expect((await store.documents.list(orgId, { status: ['pending'] })).length).toBeGreaterThan(0);
    }
    ledger.crashAfter = undefined;
    const r = await runSync(paged(), { orgId, since, dryRun: false });
    expectSameBooksOnce(r, tiktok, ledger, wholeLedger);
    await whole.store.close();
    await store.close();
  });
});
