import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BookingDocument } from '../../src/booking/document.js';
import type { Order, Payment, Statement, StatementTransaction, StatementTransactionsHeader } from '../../src/booking/tiktok-data.js';
import type { AccountSpec, LedgerAccount, LedgerConnector, LedgerRef, PostInput, PostOutcome, RemoveOutcome } from '../../src/providers/ledger-connector.js';
import type { StatementTransactionsPage, TikTokShopApi, TimeWindow } from '../../src/providers/tiktok/shop-client.js';
import type { ShopDataset } from '../../src/sandbox/tiktok/dataset.js';
import { generateDataset } from '../../src/sandbox/tiktok/generate.js';
import { Store } from '../../src/store/store.js';

export const NOW = new Date('2025-06-01T00:00:00Z');

/** TikTok Shop data served from a generated dataset, in memory. */
export class FakeTikTok implements TikTokShopApi {
  apiCalls = 0;
  /** Transactions per page of statementTransactionPages (TikTok sends at most 100). */
  pageSize = 100;
  constructor(readonly shop: ShopDataset) {}
  async *listStatements(w: TimeWindow): AsyncIterable<Statement> {
    this.apiCalls++;
    for (const s of this.shop.statements) if ((w.from === undefined || s.statement_time >= w.from) && (w.to === undefined || s.statement_time < w.to)) yield structuredClone(s);
  }
  async getStatementTransactions(id: string): Promise<{ header: StatementTransactionsHeader; transactions: StatementTransaction[] }> {
    this.apiCalls++;
    return structuredClone(this.shop.statementTransactions.get(id)!);
  }
  async *statementTransactionPages(id: string): AsyncIterable<StatementTransactionsPage> {
    const { header, transactions } = this.shop.statementTransactions.get(id)!;
    for (let at = 0; at === 0 || at < transactions.length; at += this.pageSize) {
      this.apiCalls++;
      yield structuredClone({ header, transactions: transactions.slice(at, at + this.pageSize), last: at + this.pageSize >= transactions.length });
    }
  }
  async *listPayments(w: TimeWindow): AsyncIterable<Payment> {
    this.apiCalls++;
    for (const p of this.shop.payments) if ((w.from === undefined || p.create_time >= w.from) && (w.to === undefined || p.create_time < w.to)) yield structuredClone(p);
  }
  async getOrders(ids: string[]): Promise<Order[]> {
    if (ids.length > 50) throw new Error('more than 50 ids in one call');
    this.apiCalls++;
    return structuredClone(this.shop.orders.filter((o) => ids.includes(o.id)));
  }
}

interface Booked {
  key: string;
  doc: BookingDocument;
  ref: LedgerRef;
}

/** An in-memory ledger with the connector contract: one copy per key, failures and crashes on demand. */
export class FakeLedger implements LedgerConnector {
  readonly documentsPerPost = 1500;
  readonly provider = 'quickbooks' as const;
  apiCalls = 0;
  accounts: LedgerAccount[] = [];
  books = new Map<string, Booked>();
  creates: string[] = [];
  removed: string[] = [];
  reject = new Set<string>();
  /** Throw from post() after creating this many more documents (simulates dying mid-call). */
  crashAfter?: number;
  private seq = 0;

  async company() {
    return { id: '1', name: 'Fake Books', currency: 'USD' };
  }
  async taxProfile() {
    return { country: 'US', system: 'us_sales_tax' as const, registered: false, codes: [] };
  }
  async listAccounts() {
    return this.accounts;
  }
  async ensureAccounts(specs: AccountSpec[]): Promise<LedgerAccount[]> {
    this.apiCalls++;
    return specs.map((s) => {
      let a = this.accounts.find((x) => x.name === s.name);
      if (!a) this.accounts.push((a = { id: `acct-${this.accounts.length + 1}`, name: s.name, type: s.class }));
      return a;
    });
  }
  async findByKeys(docs: BookingDocument[]) {
    this.apiCalls++;
    const out = new Map<string, LedgerRef[]>();
    for (const d of docs) {
      const b = this.books.get(d.key);
      if (b) out.set(d.key, [b.ref]);
    }
    return out;
  }
  async post(inputs: PostInput[]): Promise<PostOutcome[]> {
    this.apiCalls++;
    const out: PostOutcome[] = [];
    for (const { doc, accounts } of inputs) {
      if (this.crashAfter !== undefined && this.crashAfter-- <= 0) throw new Error('connection reset (simulated crash)');
      const have = this.books.get(doc.key);
      if (have) {
        out.push({ key: doc.key, status: 'existing', refs: [have.ref] });
        continue;
      }
      if (this.reject.has(doc.key.replace(/~v\d+$/, ''))) {
        out.push({ key: doc.key, status: 'failed', error: 'Account is inactive', fix: 'Reactivate the account', refs: [] });
        continue;
      }
      for (const l of doc.lines) if (!accounts[l.role]) throw new Error(`no account for ${l.role}`);
      const ref = { type: 'JournalEntry', id: String(++this.seq) };
      this.books.set(doc.key, { key: doc.key, doc, ref });
      this.creates.push(doc.key);
      out.push({ key: doc.key, status: 'created', refs: [ref] });
    }
    return out;
  }
  async remove(items: Array<{ key: string; refs: LedgerRef[] }>): Promise<RemoveOutcome[]> {
    this.apiCalls++;
    return items.map((i) => {
      const had = this.books.delete(i.key);
      if (had) this.removed.push(i.key);
      return { key: i.key, status: had ? 'deleted' : 'missing' };
    });
  }
  /** Who books each shop here (LedgerConnector.shopClaim), by shop id. */
  claims = new Map<string, string>();
  async shopClaim(shopId: string) {
    this.apiCalls++;
    return this.claims.get(shopId);
  }
  async setShopClaim(shopId: string, _clearing: Pick<LedgerAccount, 'id'>, note: string) {
    this.apiCalls++;
    this.claims.set(shopId, note);
  }
  async accountBalance(accountId: string): Promise<number> {
    this.apiCalls++;
    let sum = 0;
    const clearing = this.accounts.find((a) => a.id === accountId);
    for (const b of this.books.values()) for (const l of b.doc.lines) if (l.role === 'clearing' && clearing) sum += l.amountMinor;
    return sum;
  }
  deepLink(ref: Pick<LedgerRef, 'type' | 'id'>): string {
    return `https://ledger.invalid/${ref.type}/${ref.id}`;
  }
  /** Documents per economic event (base key) currently in the books. */
  copiesPerEvent(): Map<string, number> {
    const out = new Map<string, number>();
    for (const k of this.books.keys()) {
      const base = k.replace(/~v\d+$/, '');
      out.set(base, (out.get(base) ?? 0) + 1);
    }
    return out;
  }
}

export function makeShop(orders = 30, seed = 7): ShopDataset {
  return generateDataset({ seed, orders, days: 20, currency: 'USD', now: NOW.getTime() }).shops[0]!;
}

export async function makeStore(mode: 'per-transaction' | 'summary' = 'per-transaction'): Promise<{ store: Store; home: string; orgId: number; integrationId: number }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-sync-'));
  const store = await Store.open(home, () => NOW);
  const org = await store.orgs.create({ name: 'Acme', currency: 'USD', timezone: 'UTC', ledger: 'quickbooks', mode });
  const integration = await store.integrations.upsert({ orgId: org.id, platform: 'tiktok', externalId: '74950000000000007919', name: 'Sandbox Shop US', currency: 'USD', settings: { cipher: 'x' } });
  return { store, home, orgId: org.id, integrationId: integration.id };
}

/** A run context over a fresh store, as runSync builds it, for testing one phase alone. */
export async function makeRun(opts: { mode?: 'per-transaction' | 'summary'; write?: boolean; ledger?: FakeLedger } = {}) {
  const { AccountResolver } = await import('../../src/sync/accounts.js');
  const { emptySummary } = await import('../../src/sync/summary.js');
  const made = await makeStore(opts.mode);
  const { store, orgId, integrationId } = made;
  const org = (await store.orgs.get(orgId))!;
  const ledger = opts.ledger ?? new FakeLedger();
  const write = opts.write ?? true;
  const summary = emptySummary({ org: org.name, mode: org.mode ?? 'per-transaction', ledger: ledger.provider, dryRun: !write, since: undefined, until: NOW });
  const events: import('../../src/sync/types.js').ProgressEvent[] = [];
  const run: import('../../src/sync/run.js').RunContext = {
    store, ledger, org, mode: org.mode ?? 'per-transaction', write, runId: write ? (await store.runs.start(orgId, {})).id : null, summary,
    resolver: new AccountResolver(store, orgId), progress: (e) => events.push(e),
  };
  const integration = (await store.integrations.get(integrationId))!;
  return { ...made, run, ledger, integration, events };
}

/** A balanced sale document of one transaction. */
export function sampleDoc(key: string, amount = 100, extra: Partial<BookingDocument> = {}): BookingDocument {
  return {
    key, kind: 'sale', date: '2025-05-20', currency: 'USD', memo: key, warnings: [], refs: { shopId: 'shop', transactionId: `tx-${key}`, statementId: 'st-1' },
    lines: [
      { role: 'clearing', amountMinor: amount, description: 'settlement', source: { kind: 'statement_transaction', id: key, field: 'settlement_amount' } },
      { role: 'sales', amountMinor: -amount, description: 'sale', source: { kind: 'statement_transaction', id: key, field: 'revenue_amount' } },
    ],
    ...extra,
  };
}
