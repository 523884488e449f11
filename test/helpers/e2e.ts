import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { shortDocNumber } from '../../src/booking/keys.js';
import { parseMinor } from '../../src/booking/money.js';
import type { StatementTransaction } from '../../src/booking/tiktok-data.js';
import type { QuickBooksSandbox } from '../../src/sandbox/quickbooks/server.js';
import type { TikTokSandbox } from '../../src/sandbox/tiktok/server.js';
import type { XeroSandbox } from '../../src/sandbox/xero/server.js';
import { systemClock } from '../../src/clock.js';
import { binPath, repoRoot, startSignIn, tempHome, type CliResult } from './cli.js';
import { synder } from './in-process.js';
import { startTestSandbox } from './sandbox.js';

/**
 * End-to-end harness: synder against in-process sandboxes, an org connected through the real
 * loopback sign-in of the built binary (the test plays the browser), commands run in process
 * except the syncs a test kills, and the sandbox ledger's own books read directly for the
 * assertions — never synder's idea of them.
 */

export type LedgerName = 'quickbooks' | 'xero';
export type Mode = 'per-transaction' | 'summary';

export interface E2EOptions {
  ledger: LedgerName;
  mode: Mode;
  orders?: number;
  days?: number;
  seed?: number;
  faults?: string;
  timeScale?: number;
  currency?: string;
  /** A second ledger served by the same sandbox (for a second org booking the same shop). */
  alsoLedger?: LedgerName;
  /** QuickBooks companies / Xero organisations the sandbox holds (the harness's org connects the first). */
  companies?: number;
  /** The sandbox ledger's country and sales-tax setting. */
  country?: 'US' | 'GB' | 'CA' | 'AU';
  salesTax?: 'off' | 'automated' | 'on';
  /** Serve this replay file (TikTok's own shapes) instead of generated data. */
  tiktokDataFile?: string;
  /** More environment for every command (e.g. a PostgreSQL state database and its credentials key). */
  env?: Record<string, string>;
}

export interface E2E {
  ledger: LedgerName;
  mode: Mode;
  tiktok: TikTokSandbox;
  qbo?: QuickBooksSandbox;
  xero?: XeroSandbox;
  env: Record<string, string>;
  home: string;
  currency: string;
  /** `--since` covering every statement and payment of the dataset. */
  since: string;
  clearingAccount: string;
  bankAccount: string;
  /** The org whose documents storedDocuments reads, when the home holds more than one. */
  org?: string;
  /** A command run in this process (the sign-ins and the killed syncs spawn the binary). */
  cli(args: string[]): Promise<Pick<CliResult, 'code' | 'stdout' | 'stderr'>>;
  close(): Promise<void>;
}

const ORG = 'E2E Shop';

export async function startE2E(opts: E2EOptions): Promise<E2E> {
  const sandbox = await startTestSandbox({
    autoApprove: true,
    seed: opts.seed ?? 11,
    orders: opts.orders ?? 45,
    days: opts.days ?? 12,
    faults: opts.faults,
    currency: opts.currency,
    country: opts.country,
    salesTax: opts.salesTax,
    tiktokDataFile: opts.tiktokDataFile,
    companies: opts.companies,
    timeScale: opts.timeScale ?? 40,
    services: ['tiktok', opts.ledger, ...(opts.alsoLedger ? [opts.alsoLedger] : [])],
  });
  const home = tempHome('synder-e2e-');
  const env: Record<string, string> = { ...sandbox.env, SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file', SYNDER_ORG: ORG, ...opts.env };
  // The sandbox's tokens and data are dated by the real clock, so these runs use it too.
  const cli = (args: string[]) => synder(args, { env, clock: systemClock });
  const tiktok = sandbox.services.find((s) => s.name === 'tiktok') as TikTokSandbox;
  const qbo = sandbox.services.find((s) => s.name === 'quickbooks') as QuickBooksSandbox | undefined;
  const xero = sandbox.services.find((s) => s.name === 'xero') as XeroSandbox | undefined;
  try {
    const currency = opts.currency ?? 'USD';
    const created = await cli(['org', 'create', ORG, '--currency', currency]);
    if (created.code !== 0) throw new Error(`org create failed: ${created.stderr}`);
    const ledgerOut = await connectThroughLoopback(['connect', opts.ledger, '--mode', opts.mode, '--bank-account', 'Business Checking'], env);
    const tiktokOut = await connectThroughLoopback(['connect', 'tiktok', '--shops', 'all'], env);
    const bankAccount = (ledgerOut as { bankAccount: { name: string } }).bankAccount.name;
    const clearing = (tiktokOut as { clearingAccounts: Array<{ account: { name: string } }> }).clearingAccounts[0]?.account.name;
    if (!clearing) throw new Error(`connect tiktok created no clearing account: ${JSON.stringify(tiktokOut)}`);
    const first = Math.min(...tiktok.dataset.shops.flatMap((s) => s.statements.map((st) => st.statement_time)));
    const since = new Date((first - 2 * 86_400) * 1000).toISOString().slice(0, 10);
    return {
      ledger: opts.ledger, mode: opts.mode, tiktok, qbo, xero, env, home, currency, since, clearingAccount: clearing, bankAccount, cli,
      close: () => sandbox.close(),
    };
  } catch (err) {
    await sandbox.close();
    throw err;
  }
}

/** Runs `synder connect … --no-browser --json` and plays the browser: follows the printed link to the loopback callback. */
export async function connectThroughLoopback(args: string[], env: Record<string, string>): Promise<unknown> {
  const { url, done } = await startSignIn(args, env, /^https?:\/\/\S+\?\S*state=/);
  let next = url;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(next, { redirect: 'manual' });
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) next = new URL(location, next).toString();
    else break;
  }
  const { code, stdout, stderr } = await done;
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr}`);
  return JSON.parse(stdout);
}

/** A `synder sync` child that can be killed: resolves when it ends, with its output. */
export interface SyncChild {
  child: ChildProcess;
  stderr(): string;
  done: Promise<CliResult>;
}

export function spawnSync(e: E2E, args: string[]): SyncChild {
  const child = spawn(process.execPath, [binPath, 'sync', '--since', e.since, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...e.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, stderr: () => stderr, done };
}

/** Kills the sync with SIGKILL as soon as `when()` holds (polled between event-loop turns); false if it finished first. */
export async function killWhen(s: SyncChild, when: () => boolean, timeoutMs = 90_000): Promise<{ killed: boolean; result: CliResult }> {
  let killed = false;
  const timer = setInterval(() => {
    if (!killed && s.child.exitCode === null && when()) {
      killed = s.child.kill('SIGKILL');
    }
  }, 1);
  const guard = setTimeout(() => s.child.kill('SIGKILL'), timeoutMs);
  const result = await s.done;
  clearInterval(timer);
  clearTimeout(guard);
  return { killed: killed && result.signal === 'SIGKILL', result };
}

export async function sync(e: E2E, extra: string[] = []): Promise<{ result: Pick<CliResult, 'code' | 'stdout' | 'stderr'>; summary: SyncJson }> {
  const result = await e.cli(['sync', '--since', e.since, '--json', ...extra]);
  let summary: SyncJson;
  try {
    summary = JSON.parse(result.stdout) as SyncJson;
  } catch {
    throw new Error(`sync printed no JSON (exit ${result.code}): ${result.stderr.slice(-3000)}`);
  }
  return { result, summary };
}

export interface SyncJson {
  ok: boolean;
  documents: { created: number; existing: number; updated: number; failed: number; recovered: number; planned: number };
  failures: Array<{ key: string; error: string }>;
  clearing: Array<{ differenceMinor: number; ledgerBalanceMinor: number; unpaidSettlementsMinor: number }>;
}

// ---------------------------------------------------------------- the ledger's own books

/** Debit-positive balance (minor units) of every account with movements, by account name. */
export function ledgerBalances(e: E2E): Record<string, number> {
  if (e.qbo) return Object.fromEntries(Object.entries(e.qbo.books.totals()).filter(([, v]) => v !== 0));
  const t = e.xero!.books.tenant();
  const out: Record<string, number> = {};
  for (const a of t.accounts.values()) {
    const v = t.balance(String(a.AccountID));
    if (v !== 0) out[String(a.Name)] = v;
  }
  return out;
}

export function balanceOf(e: E2E, account: string): number {
  return ledgerBalances(e)[account] ?? 0;
}

/**
 * Live synder objects in the ledger, grouped by the document number they carry (QuickBooks: the
 * key in PrivateNote, whose DocNumber must match; Xero: InvoiceNumber / CreditNoteNumber /
 * Reference), with how many of each object type.
 */
export function ledgerDocuments(e: E2E): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  const add = (number: string, type: string) => {
    const m = out.get(number) ?? {};
    m[type] = (m[type] ?? 0) + 1;
    out.set(number, m);
  };
  if (e.qbo) {
    for (const entity of ['SalesReceipt', 'RefundReceipt', 'Purchase', 'Deposit', 'Transfer', 'JournalEntry'] as const) {
      for (const o of e.qbo.books.all(entity)) {
        const note = String(o.PrivateNote ?? '');
        if (/^Voided\b/.test(note)) continue;
        const at = note.lastIndexOf('synder key: ');
        if (at < 0) continue;
        const key = note.slice(at + 'synder key: '.length).split('\n')[0]!.trim();
        const number = shortDocNumber(key);
        if (o.DocNumber !== undefined && o.DocNumber !== number) add(`${number}!docnumber-mismatch:${String(o.DocNumber)}`, entity);
        add(number, entity);
      }
    }
    return out;
  }
  const t = e.xero!.books.tenant();
  const live = (o: Record<string, unknown>) => !['DELETED', 'VOIDED'].includes(String(o.Status));
  for (const o of t.invoices.values()) if (live(o)) add(String(o.InvoiceNumber), 'Invoice');
  for (const o of t.creditNotes.values()) if (live(o)) add(String(o.CreditNoteNumber), 'CreditNote');
  for (const o of t.payments.values()) if (live(o)) add(String(o.Reference), 'Payment');
  for (const o of t.bankTransactions.values()) if (live(o)) add(String(o.Reference), 'BankTransaction');
  for (const o of t.bankTransfers.values()) if (live(o)) add(String(o.Reference), 'BankTransfer');
  return out;
}

export interface StoredDocument {
  key: string;
  kind: string;
  status: string;
  orderId: string | null;
}

/** synder's documents table, read-only (which keys it believes it booked). */
export function storedDocuments(e: E2E): StoredDocument[] {
  const db = new Database(path.join(e.home, 'synder.db'), { readonly: true, fileMustExist: true });
  try {
    const sql = 'SELECT key, kind, status, order_id AS orderId FROM documents';
    if (e.org) return db.prepare(`${sql} WHERE org_id = (SELECT id FROM orgs WHERE name = ?) ORDER BY id`).all(e.org) as StoredDocument[];
    return db.prepare(`${sql} ORDER BY id`).all() as StoredDocument[];
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- expectations from TikTok's data

export interface Expected {
  clearing: number;
  reserve: number;
  bank: number;
  /** Σ settlement_amount of every transaction: what the P&L accounts must net to (credit negative). */
  settlement: number;
  sales: number;
  sellerDiscounts: number;
  refunds: number;
  transactionFees: number;
  affiliate: number;
  marketplaceFees: number;
  feeTaxes: number;
  /** Σ fee_tax_breakdown (fee + tax) of every transaction. */
  feeTaxTotal: number;
}

/**
 * What the books must say, worked out by hand from the sandbox dataset (TikTok's field
 * semantics and the postings synder makes), in debit-positive minor units.
 */
export function expectedBooks(tiktok: TikTokSandbox): Expected {
  const e: Expected = { clearing: 0, reserve: 0, bank: 0, settlement: 0, sales: 0, sellerDiscounts: 0, refunds: 0, transactionFees: 0, affiliate: 0, marketplaceFees: 0, feeTaxes: 0, feeTaxTotal: 0 };
  for (const shop of tiktok.dataset.shops) {
    const cur = shop.shop.currency;
    const m = (v: string | undefined) => (v === undefined ? 0 : parseMinor(v, cur, 'dataset'));
    const paid = new Set(shop.payments.filter((p) => p.status === 'PAID').map((p) => p.id));
    for (const p of shop.payments) if (p.status === 'PAID') e.bank += m(p.amount.value);
    for (const st of shop.statements) {
      const txs: StatementTransaction[] = shop.statementTransactions.get(st.id)?.transactions ?? [];
      const settlement = txs.reduce((a, t) => a + m(t.settlement_amount), 0);
      const reserve = txs.reduce((a, t) => a + m(t.reserve_amount), 0);
      e.settlement += settlement;
      e.reserve -= reserve; // withheld (negative) is money TikTok holds for the seller: a debit
      // Not paid out yet: TikTok owes the seller what the statement makes payable.
      if (!st.payment_id || !paid.has(st.payment_id)) e.clearing += settlement + reserve;
      for (const t of txs) {
        const rev = t.revenue_breakdown ?? {};
        e.sales -= m(rev.subtotal_before_discount_amount);
        e.sellerDiscounts -= m(rev.seller_discount_amount);
        e.refunds -= m(rev.refund_subtotal_before_discount_amount) + m(rev.seller_discount_refund_amount);
        const fee = t.fee_tax_breakdown?.fee ?? {};
        const tax = t.fee_tax_breakdown?.tax ?? {};
        e.transactionFees -= m(fee.transaction_fee_amount);
        e.affiliate -= m(fee.affiliate_commission_amount);
        e.marketplaceFees -= m(fee.referral_fee_amount) + m(fee.platform_commission_amount) + m(fee.refund_administration_fee_amount);
        // VAT the platform paid on the seller's behalf has its own account; other tax keys are taxes on fees.
        for (const [k, v] of Object.entries(tax)) if (k !== 'vat_amount' && k !== 'local_vat_amount') e.feeTaxes -= m(v);
        for (const v of [...Object.values(fee), ...Object.values(tax)]) e.feeTaxTotal -= m(v);
      }
    }
  }
  return e;
}

/** The default account names synder creates. */
export const ACCOUNTS = {
  reserve: 'TikTok Shop Reserve',
  sales: 'TikTok Shop Sales',
  sellerDiscounts: 'TikTok Shop Seller Discounts',
  refunds: 'TikTok Shop Refunds',
  marketplaceFees: 'TikTok Shop Marketplace Fees',
  transactionFees: 'TikTok Shop Transaction Fees',
  affiliate: 'TikTok Shop Affiliate Commissions',
  feeTaxes: 'TikTok Shop Taxes on Fees',
  marketplaceVat: 'TikTok Shop Marketplace VAT',
};

/** Order ids of settled ORDER transactions, for rollback and explain. */
export function settledOrders(tiktok: TikTokSandbox): Array<{ orderId: string; settlement: number; transactionIds: string[] }> {
  const byOrder = new Map<string, { orderId: string; settlement: number; transactionIds: string[] }>();
  for (const shop of tiktok.dataset.shops) {
    for (const d of shop.statementTransactions.values()) {
      for (const t of d.transactions) {
        if (t.type !== 'ORDER' || !t.order_id) continue;
        const o = byOrder.get(t.order_id) ?? { orderId: t.order_id, settlement: 0, transactionIds: [] };
        o.settlement += parseMinor(t.settlement_amount, shop.shop.currency, 'settlement_amount');
        o.transactionIds.push(t.id);
        byOrder.set(t.order_id, o);
      }
    }
  }
  return [...byOrder.values()];
}

// ---------------------------------------------------------------- assertions shared by the e2e files

export interface BooksSnapshot {
  balances: Record<string, number>;
  documents: Record<string, Record<string, number>>;
}

export function snapshot(e: E2E): BooksSnapshot {
  return { balances: ledgerBalances(e), documents: Object.fromEntries([...ledgerDocuments(e)].sort(([a], [b]) => a.localeCompare(b))) };
}

/**
 * Every document synder holds as posted is in the ledger exactly once (one object of each type
 * under its number), nothing else of synder's is there, and the balances are TikTok's.
 */
export function assertBooks(e: E2E, expect: typeof import('vitest').expect, stored: StoredDocument[] = storedDocuments(e)): BooksSnapshot {
  const posted = stored.filter((d) => d.status === 'posted');
  expect(posted.length).toBeGreaterThan(0);
  const base = posted.map((d) => d.key.replace(/~v\d+$/, ''));
  expect(new Set(base).size, 'two versions of one document are both posted').toBe(base.length);
  const inLedger = ledgerDocuments(e);
  const duplicates = [...inLedger].filter(([, types]) => Object.values(types).some((n) => n !== 1));
  expect(duplicates, 'ledger objects carrying the same document number').toEqual([]);
  const wanted = new Set(posted.map((d) => shortDocNumber(d.key)));
  expect([...inLedger.keys()].filter((n) => !wanted.has(n)), 'synder objects in the ledger that synder does not know').toEqual([]);
  expect(posted.filter((d) => !inLedger.has(shortDocNumber(d.key))).map((d) => d.key), 'posted documents missing from the ledger').toEqual([]);

  const x = expectedBooks(e.tiktok);
  const bal = ledgerBalances(e);
  const got = (name: string) => bal[name] ?? 0;
  expect({
    clearing: got(e.clearingAccount), reserve: got(ACCOUNTS.reserve), bank: got(e.bankAccount), sales: got(ACCOUNTS.sales),
    sellerDiscounts: got(ACCOUNTS.sellerDiscounts), refunds: got(ACCOUNTS.refunds), transactionFees: got(ACCOUNTS.transactionFees),
    affiliate: got(ACCOUNTS.affiliate), marketplaceFees: got(ACCOUNTS.marketplaceFees), feeTaxes: got(ACCOUNTS.feeTaxes),
  }).toEqual({
    clearing: x.clearing, reserve: x.reserve, bank: x.bank, sales: x.sales, sellerDiscounts: x.sellerDiscounts, refunds: x.refunds,
    transactionFees: x.transactionFees, affiliate: x.affiliate, marketplaceFees: x.marketplaceFees, feeTaxes: x.feeTaxes,
  });
  // Every TikTok amount inside settlement lands on a P&L account: together they are the settlement (a credit).
  const pnl = Object.entries(bal).filter(([name]) => name !== e.clearingAccount && name !== e.bankAccount && name !== ACCOUNTS.reserve);
  expect(pnl.every(([name]) => /TikTok/i.test(name)), `P&L accounts outside synder's: ${pnl.map(([n]) => n).join(', ')}`).toBe(true);
  expect(pnl.reduce((a, [, v]) => a + v, 0)).toBe(-x.settlement);
  expect(Object.values(bal).reduce((a, v) => a + v, 0), 'the books balance').toBe(0);
  return snapshot(e);
}

/** TikTok ids of orders synder booked sale documents for, some with refunds first. */
/** `synder reconcile --json` on `host` (default: the one the sandbox serves) exits 0 with no difference and the Clearing balance the dataset implies. */
export async function expectReconciles(e: E2E, expect: typeof import('vitest').expect, host: Pick<E2E, 'cli'> = e): Promise<void> {
  const rec = await host.cli(['reconcile', '--json']);
  expect(rec.code, rec.stderr).toBe(0);
  const r = (JSON.parse(rec.stdout) as { reconciliation: { reconciles: boolean; clearing: Array<{ differenceMinor: number; ledgerBalanceMinor: number }> } }).reconciliation;
  expect(r.reconciles).toBe(true);
  expect(r.clearing.map((c) => [c.differenceMinor, c.ledgerBalanceMinor])).toEqual([[0, expectedBooks(e.tiktok).clearing]]);
}

export function bookedOrders(e: E2E): string[] {
  const docs = storedDocuments(e).filter((d) => d.status === 'posted' && d.orderId);
  const refunded = [...new Set(docs.filter((d) => d.kind === 'refund').map((d) => d.orderId!))];
  const sold = [...new Set(docs.filter((d) => d.kind === 'sale').map((d) => d.orderId!))];
  return [...refunded, ...sold.filter((o) => !refunded.includes(o))];
}

/** Live synder objects in the ledger, all types together (a cheap progress gauge for kill points). */
export function ledgerObjectCount(e: E2E, types?: string[]): number {
  if (e.qbo) {
    const entities = (types ?? ['SalesReceipt', 'RefundReceipt', 'Purchase', 'Deposit', 'Transfer', 'JournalEntry']) as Array<'SalesReceipt'>;
    return entities.reduce((a, t) => a + e.qbo!.books.count(t), 0);
  }
  const t = e.xero!.books.tenant();
  const maps: Record<string, Map<string, Record<string, unknown>>> = { Invoice: t.invoices, CreditNote: t.creditNotes, Payment: t.payments, BankTransaction: t.bankTransactions, BankTransfer: t.bankTransfers };
  return (types ?? Object.keys(maps)).reduce((a, k) => a + (maps[k]?.size ?? 0), 0);
}

/** Clearing-line total (minor units) of explain --json postings. */
export function clearingOfPostings(postings: Array<{ role: string; debit: string; credit: string }>, currency: string): number {
  const v = (s: string) => (s ? parseMinor(s, currency, 'explain posting') : 0);
  return postings.filter((p) => p.role === 'clearing').reduce((a, p) => a + v(p.debit) - v(p.credit), 0);
}

/** settlement_amount of each statement transaction in the dataset, by id. */
export function datasetSettlements(tiktok: TikTokSandbox): Map<string, number> {
  const out = new Map<string, number>();
  for (const shop of tiktok.dataset.shops) {
    for (const d of shop.statementTransactions.values()) for (const t of d.transactions) out.set(t.id, parseMinor(t.settlement_amount, shop.shop.currency, 'settlement_amount'));
  }
  return out;
}

/** A kill point: when to SIGKILL the running sync, given the ledger object count at its start. */
export interface KillPoint {
  name: string;
  when(e: E2E, s: SyncChild, startCount: number): boolean;
}

export const killPoints = {
  /** Right after the ledger accepted the first document write of the run (before synder records it). */
  firstWrite: (types?: string[]): KillPoint => {
    let base = -1;
    return {
      name: `first ledger write${types ? ` (${types.join('/')})` : ''}`,
      when: (e) => {
        const n = ledgerObjectCount(e, types);
        if (base < 0) base = n;
        return n > base;
      },
    };
  },
  /** When the ledger holds `count` more synder objects than at the start of the run. */
  afterObjects: (count: number): KillPoint => ({ name: `after ${count} new ledger objects`, when: (e, _s, start) => ledgerObjectCount(e) >= start + count }),
  /** When the progress line "Posted k/…" appears on stderr. */
  afterProgress: (k: number): KillPoint => ({ name: `after "Posted ${k}/…"`, when: (_e, s) => s.stderr().includes(`Posted ${k}/`) }),
};

// ---------------------------------------------------------------- the scenarios

type Vitest = typeof import('vitest');

const T = 120_000;

/** A ledger account name as the hledger export writes it (':' would make sub-accounts, ';' starts a comment). */
export const hledgerName = (name: string): string => name.replace(/[:;]/g, '-').replace(/\s{2,}|\t/g, ' ').trim();

/** Steps 1, 2, 5, 6, 7 of the e2e contract for one ledger and mode on a fresh sandbox. */
export function cleanRunSuite(v: Vitest, ledger: LedgerName, mode: Mode, seed: number, shop: { days?: number; orders?: number; currency?: string; title?: string; unpaidReserve?: boolean } = {}): void {
  const { describe, it, expect, beforeAll, afterAll } = v;
  describe(`${ledger} ${mode}${shop.title ? ` (${shop.title})` : ''}: sync, re-sync, explain, reconcile, export, rollback`, () => {
    let e: E2E;
    let first: BooksSnapshot;
    beforeAll(async () => {
      e = await startE2E({ ledger, mode, seed, orders: shop.orders ?? 50, days: shop.days, currency: shop.currency });
    }, T);
    afterAll(async () => {
      await e?.close();
    });

    it('1. sync books every document exactly once, with TikTok totals', async () => {
      if (shop.unpaidReserve) expect(unpaidReserve(e.tiktok), 'the dataset has no unpaid statement with a reserve').not.toBe(0);
      const { result, summary } = await sync(e);
      expect(result.code, result.stderr).toBe(0);
      expect(summary.failures).toEqual([]);
      expect(summary.documents.created).toBeGreaterThan(0);
      first = assertBooks(e, expect);
      expect(summary.clearing.map((c) => c.differenceMinor)).toEqual([0]);
    }, T);

    it('2. a second sync creates nothing and leaves the books unchanged', async () => {
      const { result, summary } = await sync(e);
      expect(result.code, result.stderr).toBe(0);
      expect(summary.documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
      expect(snapshot(e)).toEqual(first);
      // And from the bookmark the first run left (no --since): the lookback window re-reads recent statements.
      const fromBookmark = await e.cli(['sync', '--json']);
      expect(fromBookmark.code, fromBookmark.stderr).toBe(0);
      expect((JSON.parse(fromBookmark.stdout) as SyncJson).documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
      expect(snapshot(e)).toEqual(first);
    }, T);

    it('6. explain: clearing lines equal each transaction\'s settlement; reconcile: no difference', async () => {
      const settlements = datasetSettlements(e.tiktok);
      const orders = settledOrders(e.tiktok).slice(0, 3);
      expect(orders.length).toBe(3);
      for (const o of orders) {
        const r = await e.cli(['explain', o.orderId, '--json']);
        expect(r.code, r.stderr).toBe(0);
        const ex = JSON.parse(r.stdout) as { transactions: Array<{ transactionId: string; currency: string; postings: Array<{ role: string; debit: string; credit: string }>; documents: Array<{ status: string }> }> };
        expect(ex.transactions.map((t) => t.transactionId).sort()).toEqual(expect.arrayContaining(o.transactionIds.sort()));
        for (const t of ex.transactions) {
          expect(settlements.has(t.transactionId)).toBe(true);
          expect(clearingOfPostings(t.postings, t.currency), `order ${o.orderId} transaction ${t.transactionId}`).toBe(settlements.get(t.transactionId));
          expect(t.documents.length).toBeGreaterThan(0);
          expect(t.documents.every((d) => d.status === 'posted')).toBe(true);
        }
      }
      await expectReconciles(e, expect);
    }, T);

    it('7. export: hledger check and bean-check pass; the journal\'s balances are the ledger\'s', async () => {
      const file = path.join(e.home, 'journal.hledger');
      const r = await e.cli(['export', '--format', 'hledger', '--output', file]);
      expect(r.code, r.stderr).toBe(0);
      const hledger = binary('hledger');
      if (!hledger) {
        console.warn('hledger is not installed: skipped `hledger check` and the balance comparison of the export');
        return;
      }
      const check = await run(hledger, ['-f', file, 'check']);
      expect(check.code, check.stderr).toBe(0);
      const bal = await run(hledger, ['-f', file, 'balance', '--flat', '--no-total', '-O', 'csv']);
      expect(bal.code, bal.stderr).toBe(0);
      const rows = bal.stdout.trim().split('\n').slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
      const clearingRow = rows.find((row) => row[0]!.endsWith(`:${hledgerName(e.clearingAccount)}`));
      expect(clearingRow, bal.stdout).toBeDefined();
      expect(amountMinor(clearingRow![1]!, e.currency)).toBe(balanceOf(e, e.clearingAccount));
      // Every account of the journal carries the ledger's balance (the journal has no payout bank
      // postings only when nothing was paid out; the bank account is compared like any other).
      const journal = Object.fromEntries(rows.filter((row) => row[0] !== 'total').map((row) => [row[0]!.slice(row[0]!.indexOf(':') + 1), amountMinor(row[1]!, e.currency)]));
      const ledgerSide = Object.fromEntries(Object.entries(ledgerBalances(e)).map(([name, v]) => [hledgerName(name), v]));
      expect(journal).toEqual(ledgerSide);
      const beancount = binary('bean-check');
      if (!beancount) {
        console.warn('bean-check is not installed: skipped checking the beancount export');
        return;
      }
      const beanFile = path.join(e.home, 'journal.beancount');
      expect((await e.cli(['export', '--format', 'beancount', '--output', beanFile])).code).toBe(0);
      const bean = await run(beancount, [beanFile]);
      expect(bean.code, bean.stdout + bean.stderr).toBe(0);
    }, T);

    it('5. rollback removes the orders\' documents from the ledger; a re-sync books them again exactly once', async () => {
      const orders = (mode === 'per-transaction' ? bookedOrders(e) : settledOrders(e.tiktok).map((o) => o.orderId)).slice(0, 3);
      expect(orders.length).toBe(3);
      const rb = await e.cli(['rollback', ...orders, '--yes', '--json']);
      expect(rb.code, rb.stderr).toBe(0);
      const out = JSON.parse(rb.stdout) as { removed: Array<{ key: string; how: string }>; refused: unknown[] };
      expect(out.refused).toEqual([]);
      expect(out.removed.length).toBeGreaterThan(0);
      const inLedger = ledgerDocuments(e);
      for (const r of out.removed) {
        expect(['deleted', 'voided']).toContain(r.how);
        expect(inLedger.has(shortDocNumber(r.key)), `${r.key} still live in the ledger`).toBe(false);
      }
      expect(snapshot(e).balances).not.toEqual(first.balances);
      const tx = await e.cli(['transactions', '--json']);
      expect(tx.code, tx.stderr).toBe(0);
      const rows = (JSON.parse(tx.stdout) as { transactions: Array<{ orderId: string | null; type: string; status: string }> }).transactions;
      for (const o of orders) {
        const mine = rows.filter((t) => t.orderId === o && t.type === 'ORDER');
        expect(mine.length, `order ${o} in transactions`).toBeGreaterThan(0);
        expect(mine.map((t) => t.status)).toEqual(mine.map(() => 'deleted'));
      }

      const { result, summary } = await sync(e);
      expect(result.code, result.stderr).toBe(0);
      expect(summary.documents.created).toBe(out.removed.length);
      const after = assertBooks(e, expect);
      expect(after.balances).toEqual(first.balances);
      const again = await sync(e);
      expect(again.summary.documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
      expect(snapshot(e)).toEqual(after);
      const rec = JSON.parse((await e.cli(['reconcile', '--json'])).stdout) as { ok: boolean; reconciliation: { reconciles: boolean } };
      expect(rec.ok).toBe(true);
      expect(rec.reconciliation.reconciles).toBe(true);
    }, T);
  });
}

/** Step 3: a sync killed with SIGKILL at each point in turn, then run to the end: every document once, TikTok's totals. */
export function killSuite(v: Vitest, ledger: LedgerName, mode: Mode, seed: number, points: Array<() => KillPoint>): void {
  const { describe, it, expect, beforeAll, afterAll } = v;
  describe(`${ledger} ${mode}: kill -9 mid-sync at ${points.length} point(s), then re-run`, () => {
    let e: E2E;
    beforeAll(async () => {
      // A bigger shop, so that every kill point still finds the sync with work left to do.
      e = await startE2E({ ledger, mode, seed, orders: 300 });
    }, T);
    afterAll(async () => {
      await e?.close();
    });

    it('leaves exactly one copy of every document and the same books as an uninterrupted run', async () => {
      const log: string[] = [];
      for (const make of points) {
        const point = make();
        const start = ledgerObjectCount(e);
        const s = spawnSync(e, ['--json']);
        const { killed, result } = await killWhen(s, () => point.when(e, s, start));
        log.push(`${point.name}: killed=${killed}, ledger objects ${start} → ${ledgerObjectCount(e)}${e.xero ? ` (invoices ${ledgerObjectCount(e, ['Invoice'])}, payments ${ledgerObjectCount(e, ['Payment'])})` : ''}`);
        expect(killed, `the sync finished before "${point.name}" (exit ${result.code}); ${log.join('; ')}; stderr: ${result.stderr.slice(-800)}`).toBe(true);
        // Whatever landed so far must never be doubled, even before the re-run.
        const dupes = [...ledgerDocuments(e)].filter(([, types]) => Object.values(types).some((n) => n > 1));
        expect(dupes, log.join('\n')).toEqual([]);
      }
      const { result, summary } = await sync(e);
      console.info(`${ledger} ${mode} kills:\n  ${log.join('\n  ')}\n  final run: ${JSON.stringify(summary.documents)}`);
      expect(result.code, `${log.join('\n')}\n${result.stderr}`).toBe(0);
      expect(summary.failures).toEqual([]);
      assertBooks(e, expect);
      const again = await sync(e);
      expect(again.summary.documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
    }, T);
  });
}

/** Step 4: the sandboxes answer 20 % of calls with 429 and 10 % with 500; the books end up as without faults. */
export function faultSuite(v: Vitest, ledger: LedgerName, mode: Mode, seed: number): void {
  const { describe, it, expect, beforeAll, afterAll } = v;
  describe(`${ledger} ${mode}: sync through injected 429 and 500 responses`, () => {
    let faulty: E2E;
    let clean: E2E;
    beforeAll(async () => {
      clean = await startE2E({ ledger, mode, seed, orders: 50 });
      faulty = await startE2E({ ledger, mode, seed, orders: 50, faults: '429:0.2,500:0.1' });
    }, T);
    afterAll(async () => {
      await faulty?.close();
      await clean?.close();
    });

    it('exits 0 and ends with the same books as the fault-free run', async () => {
      const ok = await sync(clean);
      expect(ok.result.code, ok.result.stderr).toBe(0);
      const reference = assertBooks(clean, expect);
      const { result, summary } = await sync(faulty);
      expect(result.code, result.stderr.slice(-3000)).toBe(0);
      expect(summary.failures).toEqual([]);
      const got = assertBooks(faulty, expect);
      const faults = faulty.qbo?.stats.injectedFaults ?? undefined;
      if (faults !== undefined) expect(faults).toBeGreaterThan(0);
      expect(faulty.tiktok.stats.faults).toBeGreaterThan(0);
      // Same seed and day: the same TikTok data, so the same books account by account.
      if (JSON.stringify(datasetOf(clean)) === JSON.stringify(datasetOf(faulty))) expect(got.balances).toEqual(reference.balances);
      const again = await sync(faulty);
      expect(again.result.code, again.result.stderr.slice(-2000)).toBe(0);
      expect(again.summary.documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
      expect(snapshot(faulty)).toEqual(got);
    }, T);
  });
}

/** Σ reserve_amount carried by statements not paid out yet. */
function unpaidReserve(tiktok: TikTokSandbox): number {
  let total = 0;
  for (const shop of tiktok.dataset.shops) {
    const paid = new Set(shop.payments.filter((p) => p.status === 'PAID').map((p) => p.id));
    for (const st of shop.statements) {
      if (st.payment_id && paid.has(st.payment_id)) continue;
      for (const t of shop.statementTransactions.get(st.id)?.transactions ?? []) if (t.reserve_amount) total += parseMinor(t.reserve_amount, shop.shop.currency, 'reserve_amount');
    }
  }
  return total;
}

function datasetOf(e: E2E): unknown {
  return e.tiktok.dataset.shops.map((s) => ({ statements: s.statements, payments: s.payments, tx: [...s.statementTransactions.entries()] }));
}

export function binary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  return undefined;
}

export function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** "45.13", "USD 45.13", "-1,234.50 USD" → minor units of the shop's currency. */
export function amountMinor(cell: string, currency: string): number {
  const m = /(-?)\s*(?:[A-Z]{3}\s*)?(-?)([\d,]+(?:\.\d+)?)/.exec(cell.trim());
  if (!m) throw new Error(`no amount in "${cell}"`);
  const sign = m[1] || m[2] ? '-' : '';
  return parseMinor(`${sign}${m[3]!.replace(/,/g, '')}`, currency, 'hledger balance');
}
