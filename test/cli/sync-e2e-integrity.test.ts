import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { tempHome } from '../helpers/cli.js';
import {
  assertBooks, bookedOrders, connectThroughLoopback, ledgerObjectCount, snapshot, startE2E, storedDocuments, sync, type E2E,
} from '../helpers/e2e.js';
import { synder } from '../helpers/in-process.js';

interface ReconcileJson {
  ok: boolean;
  reconciliation: { reconciles: boolean; clearing: Array<{ differenceMinor: number; explanations: Array<{ kind: string; documentKey: string | null; amountMinor: number }> }> };
}

/**
 * The books stay right in every combination: one TikTok shop booked into two orgs (QuickBooks
 * per transaction, Xero in summary), a second state folder on the same ledger company, a rollback
 * looked at first, a document deleted in the ledger behind synder's back, a disconnected shop.
 * Every assertion on the books reads the sandbox ledgers themselves.
 */
describe('one shop in two orgs, and the ways a second booker or a lost document is caught', () => {
  let e: E2E;
  let x: E2E;
  beforeAll(async () => {
    e = await startE2E({ ledger: 'quickbooks', mode: 'per-transaction', alsoLedger: 'xero', seed: 41, orders: 30, days: 8 });
    e.org = 'E2E Shop';
    expect((await e.cli(['org', 'create', 'E2E Xero', '--currency', e.currency])).code).toBe(0);
    const env = { ...e.env, SYNDER_ORG: 'E2E Xero' };
    const ledgerOut = (await connectThroughLoopback(['connect', 'xero', '--mode', 'summary', '--bank-account', 'Business Checking'], env)) as { bankAccount: { name: string } };
    const tiktokOut = (await connectThroughLoopback(['connect', 'tiktok', '--shops', 'all'], env)) as { clearingAccounts: Array<{ account: { name: string } }> };
    x = {
      ...e, ledger: 'xero', mode: 'summary', qbo: undefined, env, org: 'E2E Xero',
      bankAccount: ledgerOut.bankAccount.name, clearingAccount: tiktokOut.clearingAccounts[0]!.account.name,
      cli: (args) => synder(args, { env, clock: systemClock }),
    };
  }, 120_000);
  afterAll(async () => {
    await e?.close();
  });

  it('each org books the shop exactly once into its own ledger, re-syncs clean, and reconciles with zero difference', async () => {
    for (const org of [e, x]) {
      const first = await sync(org);
      expect(first.result.code, first.result.stderr).toBe(0);
      expect(first.summary.failures).toEqual([]);
      expect(first.summary.documents.created).toBeGreaterThan(0);
    }
    for (const org of [e, x]) await resyncsCleanAndReconciles(org);
    // Each org's documents are its own: together they are every row of the state store.
    expect(storedDocuments(e).length + storedDocuments(x).length).toBe(storedDocuments({ ...e, org: undefined }).length);
  }, 240_000);

  it('explain takes every kind of id `transactions` shows, in both orgs', async () => {
    for (const org of [e, x]) {
      const rows = (JSON.parse((await org.cli(['transactions', '--json'])).stdout) as { transactions: Array<{ kind: string; id: string; orderId: string | null; type: string; status: string }> }).transactions;
      const types = [...new Set(rows.map((r) => r.type))];
      expect(types.length).toBeGreaterThan(2);
      for (const type of types) {
        const row = rows.find((r) => r.type === type && r.status.startsWith('synced')) ?? rows.find((r) => r.type === type)!;
        const r = await org.cli(['explain', row.id, '--json']);
        expect(r.code, `${type} ${row.id}: ${r.stderr}`).toBe(0);
        const ex = JSON.parse(r.stdout) as { subject: { kind: string }; transactions: Array<{ transactionId: string; postings: unknown[]; documents: unknown[] }>; payout: { documents: unknown[]; postings: unknown[] } | null };
        if (row.kind === 'payment') {
          expect(ex.subject.kind).toBe('payout');
          if (row.status.startsWith('synced')) {
            expect(ex.payout!.documents.length, `payout ${row.id}`).toBeGreaterThan(0);
            expect(ex.payout!.postings.length).toBeGreaterThan(0);
          }
        } else {
          expect(ex.subject.kind).toBe('transaction');
          expect(ex.transactions.map((t) => t.transactionId)).toEqual([row.id]);
          if (row.status.startsWith('synced')) expect(ex.transactions[0]!.documents.length, `${type} ${row.id}`).toBeGreaterThan(0);
        }
        const human = await org.cli(['explain', row.id]);
        expect(human.code).toBe(0);
        expect(human.stdout).toMatch(row.kind === 'payment' ? /^Payout / : /^Statement transaction /);
      }
    }
  }, 120_000);

  it('a second SYNDER_HOME on the same QuickBooks company is refused, names who books the shop there, and books nothing', async () => {
    const before = snapshot(e);
    const objects = ledgerObjectCount(e);
    const home = tempHome('synder-second-');
    const env = { ...e.env, SYNDER_HOME: home, SYNDER_ORG: 'Second Home' };
    const cli = (args: string[]) => synder(args, { env, clock: systemClock });
    expect((await cli(['org', 'create', 'Second Home', '--currency', e.currency])).code).toBe(0);
    await connectThroughLoopback(['connect', 'quickbooks', '--mode', 'summary', '--bank-account', e.bankAccount], env);
    await connectThroughLoopback(['connect', 'tiktok', '--shops', 'all'], env);
    const r = await cli(['sync', '--since', e.since]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/already booked into this QuickBooks company by organization "E2E Shop" of another synder \(booker [0-9a-f]{8}\), per-transaction mode from \d{4}-\d{2}-\d{2}/);
    expect(r.stderr).toContain('synder sync --take-over <YYYY-MM-DD>');
    expect(ledgerObjectCount(e)).toBe(objects);
    expect(snapshot(e)).toEqual(before);
  }, 120_000);

  it('a third org in the same home on the same Xero organisation is refused the same way', async () => {
    const objects = ledgerObjectCount(x);
    const env = { ...e.env, SYNDER_ORG: 'Xero Again' };
    const cli = (args: string[]) => synder(args, { env, clock: systemClock });
    expect((await cli(['org', 'create', 'Xero Again', '--currency', e.currency])).code).toBe(0);
    await connectThroughLoopback(['connect', 'xero', '--mode', 'per-transaction', '--bank-account', x.bankAccount], env);
    await connectThroughLoopback(['connect', 'tiktok', '--shops', 'all'], env);
    const r = await cli(['sync', '--since', e.since, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'shop_booked_elsewhere' } });
    expect(r.stderr).toMatch(/already booked into this Xero organisation by organization "E2E Xero"/);
    expect(ledgerObjectCount(x)).toBe(objects);
    expect(storedDocuments({ ...e, org: 'Xero Again' })).toEqual([]);
  }, 120_000);

  it('rollback --dry-run lists what would go and changes nothing; without a terminal it needs --yes', async () => {
    const before = snapshot(e);
    const orders = bookedOrders(e).slice(0, 3);
    const dry = await e.cli(['rollback', ...orders, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { dryRun: boolean; total: number; byKind: Record<string, number>; documents: Array<{ key: string }> };
    expect(plan.dryRun).toBe(true);
    expect(plan.total).toBeGreaterThanOrEqual(3);
    expect(Object.values(plan.byKind).reduce((a, n) => a + n, 0)).toBe(plan.total);
    expect(plan.documents).toHaveLength(plan.total);
    const text = await e.cli(['rollback', '--since', e.since, '--dry-run']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Would remove: \d+ document\(s\) in QuickBooks \(.*\d+ sale.*\)\./);
    expect(text.stdout).toMatch(/… and \d+ more/);
    expect(text.stdout).toContain('Nothing was changed');
    const unasked = await e.cli(['rollback', ...orders]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('--yes');
    expect(snapshot(e)).toEqual(before);
    expect(storedDocuments(e).filter((d) => d.status === 'deleted')).toEqual([]);
  }, 60_000);

  it('a document deleted in the ledger behind synder\'s back makes reconcile exit 6 and name it', async () => {
    const sale = storedDocuments(e).find((d) => d.kind === 'sale' && d.status === 'posted')!;
    const receipt = e.qbo!.books.all('SalesReceipt').find((o) => String(o.PrivateNote ?? '').endsWith(`synder key: ${sale.key}`))!;
    e.qbo!.books.delete('SalesReceipt', { Id: receipt.Id, SyncToken: receipt.SyncToken });
    const rec = await e.cli(['reconcile', '--json']);
    expect(rec.code, rec.stderr).toBe(6);
    const r = JSON.parse(rec.stdout) as ReconcileJson;
    expect(r.ok).toBe(true);
    expect(r.reconciliation.reconciles).toBe(false);
    const c = r.reconciliation.clearing[0]!;
    expect(c.explanations).toEqual([expect.objectContaining({ kind: 'missing_in_ledger', documentKey: sale.key })]);
    expect(c.explanations[0]!.amountMinor).toBe(c.differenceMinor);
    const human = await e.cli(['reconcile']);
    expect(human.code).toBe(6);
    expect(human.stdout).toContain(sale.key);
    expect(human.stdout).toContain('account for the whole difference');
  }, 60_000);

  it('rollback --yes reports progress with counts, then a summary, and --verbose lists every row', async () => {
    const [order] = bookedOrders(e).slice(-1);
    const r = await e.cli(['rollback', order!, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    // Progress on stderr (a status line only every few seconds without a terminal), the result on stdout.
    expect(r.stderr).toMatch(/^Removing \d+ document\(s\) from the ledger$/m);
    expect(r.stderr).not.toMatch(/^Removed \d+ of/m);
    expect(r.stdout).toMatch(/^Removed (\d+) of \1 document\(s\) from QuickBooks \(.+\); the ledger refused 0\.$/m);
    expect(r.stdout).not.toContain('Removed from the ledger');
    const again = await e.cli(['sync', '--since', e.since, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const verbose = await e.cli(['rollback', order!, '--yes', '--verbose']);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stdout).toContain('Removed from the ledger');
  }, 60_000);

  it('after disconnect tiktok, the Xero org\'s sync exits 4 naming the shop', async () => {
    expect((await x.cli(['disconnect', 'tiktok'])).code).toBe(0);
    const r = await x.cli(['sync', '--json']);
    expect(r.code, r.stderr).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'reauth_required' } });
    expect(r.stderr).toContain('synder connect tiktok');
  }, 30_000);
});

describe('two orgs on two QuickBooks companies of one sandbox', () => {
  let a: E2E;
  let b: E2E;
  let companyB: { id: string; name: string };
  beforeAll(async () => {
    // The harness's org signs in first and gets the first company; the next sign-in the second.
    a = await startE2E({ ledger: 'quickbooks', mode: 'per-transaction', companies: 2, seed: 43, orders: 24, days: 8 });
    a.org = 'E2E Shop';
    expect((await a.cli(['org', 'create', 'E2E Second Company', '--currency', a.currency])).code).toBe(0);
    const env = { ...a.env, SYNDER_ORG: 'E2E Second Company' };
    const ledgerOut = (await connectThroughLoopback(['connect', 'quickbooks', '--mode', 'summary', '--bank-account', 'Business Checking'], env)) as { company: { id: string; name: string }; bankAccount: { name: string } };
    const tiktokOut = (await connectThroughLoopback(['connect', 'tiktok', '--shops', 'all'], env)) as { clearingAccounts: Array<{ account: { name: string } }> };
    companyB = ledgerOut.company;
    const second = a.qbo!.companies[1]!;
    b = {
      ...a, mode: 'summary', env, org: 'E2E Second Company',
      qbo: { ...a.qbo!, realmId: second.realmId, books: second },
      bankAccount: ledgerOut.bankAccount.name, clearingAccount: tiktokOut.clearingAccounts[0]!.account.name,
      cli: (args) => synder(args, { env, clock: systemClock }),
    };
  }, 120_000);
  afterAll(async () => {
    await a?.close();
  });

  it('each org books the shop exactly once into its own company, reconciles with zero difference, and a re-sync creates nothing', async () => {
    const [first, second] = a.qbo!.companies;
    expect(companyB).toMatchObject({ id: second!.realmId, name: second!.companyName });
    expect(second!.realmId).not.toBe(first!.realmId);
    for (const org of [a, b]) {
      const run = await sync(org);
      expect(run.result.code, run.result.stderr).toBe(0);
      expect(run.summary.failures).toEqual([]);
      expect(run.summary.documents.created).toBeGreaterThan(0);
      expect(run.result.stderr).not.toMatch(/another org|already books|claim/i);
    }
    // Read back from each org's own sandbox company: every document once, nothing of the other org's.
    for (const org of [a, b]) await resyncsCleanAndReconciles(org);
    // Each org's documents are its own, and each company holds only its org's (assertBooks above).
    expect(storedDocuments(a).length + storedDocuments(b).length).toBe(storedDocuments({ ...a, org: undefined }).length);
  }, 240_000);

  it('connect quickbooks --company refuses a sign-in that picked another company and saves nothing', async () => {
    const [first, second] = a.qbo!.companies;
    expect((await a.cli(['org', 'create', 'E2E Third', '--currency', a.currency])).code).toBe(0);
    const env = { ...a.env, SYNDER_ORG: 'E2E Third' };
    // Both companies are connected, so the auto-approving consent picks the first one.
    const refused = await connectThroughLoopback(['connect', 'quickbooks', '--mode', 'summary', '--company', second!.companyName], env).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain(`picked ${first!.companyName} (company ${first!.realmId}), not --company "${second!.companyName}"`);
    const status = await synder(['status', '--json'], { env, clock: systemClock });
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { ledger: unknown }).ledger).toBeNull();
    const ok = (await connectThroughLoopback(['connect', 'quickbooks', '--mode', 'summary', '--bank-account', 'Business Checking', '--company', first!.realmId], env)) as { company: { id: string } };
    expect(ok.company.id).toBe(first!.realmId);
  }, 60_000);
});

/** A second sync creates nothing, the ledger holds exactly the expected books, reconcile finds no difference and nothing failed. */
async function resyncsCleanAndReconciles(org: E2E): Promise<void> {
  const again = await sync(org);
  expect(again.result.code, again.result.stderr).toBe(0);
  expect(again.summary.documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
  assertBooks(org, expect);
  const rec = await org.cli(['reconcile', '--json']);
  expect(rec.code, rec.stderr).toBe(0);
  const r = JSON.parse(rec.stdout) as ReconcileJson;
  expect(r.ok).toBe(true);
  expect(r.reconciliation.reconciles).toBe(true);
  expect(r.reconciliation.clearing.map((c) => c.differenceMinor)).toEqual([0]);
  const failed = JSON.parse((await org.cli(['transactions', '--status', 'failed', '--json'])).stdout) as { transactions: unknown[] };
  expect(failed.transactions).toEqual([]);
}
