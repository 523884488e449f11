import type { Order, Payment, Statement, StatementTransaction, StatementTransactionsHeader } from '../booking/tiktok-data.js';
import { parseMinor } from '../booking/money.js';
import type { TikTokShopApi, TimeWindow } from '../providers/tiktok/shop-client.js';
import type { SourceInput, SourceRecordKind, SourceStatus } from '../store/source-records.js';
import type { Store } from '../store/store.js';
import { ChangeSignal } from './change-signal.js';
import { contentHash } from './hash.js';

const iso = (unixSeconds: number | undefined): string | null => (unixSeconds === undefined ? null : new Date(unixSeconds * 1000).toISOString());

const safeMinor = (value: string | undefined, currency: string | undefined, field: string): number | null => {
  if (value === undefined || !currency) return null;
  try {
    return parseMinor(value, currency, field);
  } catch {
    return null;
  }
};

/** The statements and payments in the window, without the statements' transactions (fetched a chunk at a time). */
export async function listFinance(api: TikTokShopApi, window: TimeWindow): Promise<{ statements: Statement[]; payments: Payment[] }> {
  const statements: Statement[] = [];
  for await (const s of api.listStatements(window)) statements.push(s);
  const payments: Payment[] = [];
  for await (const p of api.listPayments(window)) payments.push(p);
  return { statements, payments };
}

/** Where a statement's transactions come from: TikTok now, or what TikTok sent an earlier run. */
export type StatementJob = { statement: Statement } | { storedId: string };

/** Some of one statement's transactions, as TikTok pages them; a statement's pages come in order. */
export interface StatementPage {
  statement: Statement;
  header?: StatementTransactionsHeader;
  transactions: StatementTransaction[];
  /** The statement's first page (it opens the statement) and last (it closes it). */
  first: boolean;
  last: boolean;
  /** Fetched from TikTok in this run (not read back from the store). */
  fetched: boolean;
}

/** Pages the statement being handed out may have fetched and waiting, besides the one handed out. */
const HEAD_PAGES = 2;

/**
 * Every job's statement pages, in order, one page at a time. The next few statements' page chains
 * are fetched meanwhile (each is a chain of dependent pages, slow alone), but what waits fetched
 * is bounded in transactions (`aheadTransactions`), not statements: a large shop's daily
 * statement holds thousands, and holding whole statements made the run's memory grow with the shop.
 */
export async function* statementPages(api: TikTokShopApi, store: Store, integrationId: number, jobs: StatementJob[], aheadTransactions: number, concurrency = 4, storedPage = 100): AsyncGenerator<StatementPage> {
  const feeds: Feed[] = [];
  let head = 0;
  let waiting = 0;
  let stopped = false;
  const signal = new ChangeSignal();
  const roomFor = (k: number) => (k === head ? feeds[k]!.pages.length < HEAD_PAGES : waiting < aheadTransactions);
  const produce = async (k: number, feed: Feed) => {
    const job = jobs[k]!;
    try {
      const pages = 'statement' in job ? fetchedPages(api, job.statement) : storedPages(store, integrationId, job.storedId, storedPage);
      for (;;) {
        while (!stopped && !roomFor(k)) await signal.changed;
        if (stopped) return;
        const r = await pages.next();
        if (r.done) return;
        feed.pages.push(r.value);
        waiting += r.value.transactions.length;
        signal.notify();
      }
    } catch (err) {
      feed.error = { err };
    } finally {
      feed.done = true;
      signal.notify();
    }
  };
  const start = () => {
    while (feeds.length < Math.min(jobs.length, head + concurrency)) {
      const feed: Feed = { pages: [], done: false };
      feeds.push(feed);
      void produce(feeds.length - 1, feed);
    }
  };
  try {
    for (; head < jobs.length; head++) {
      start();
      signal.notify(); // the new head may fetch past the budget
      const feed = feeds[head]!;
      for (;;) {
        const page = feed.pages.shift();
        if (page) {
          waiting -= page.transactions.length;
          signal.notify();
          yield page;
          continue;
        }
        if (feed.error) throw feed.error.err;
        if (feed.done) break;
        await signal.changed;
      }
      feeds[head] = { pages: [], done: true }; // let it go
    }
  } finally {
    stopped = true;
    signal.notify();
  }
}

interface Feed {
  pages: StatementPage[];
  done: boolean;
  error?: { err: unknown };
}

async function* fetchedPages(api: TikTokShopApi, statement: Statement): AsyncGenerator<StatementPage> {
  let first = true;
  for await (const { header, transactions, last } of api.statementTransactionPages(statement.id)) {
    yield { statement, header, transactions, first, last, fetched: true };
    first = false;
    if (last) return;
  }
  // Its checks and its own record wait for the last page: without one it cannot be booked whole.
  throw new Error(`TikTok's pages of statement ${statement.id} ended without a last page`);
}

/** A stored statement needing work again (rolled back or failed), read a page at a time like TikTok's. */
async function* storedPages(store: Store, integrationId: number, id: string, size: number): AsyncGenerator<StatementPage> {
  const statement = await store.sourceRecords.get(integrationId, 'statement', id);
  if (!statement) return;
  let after = 0;
  for (let first = true; ; first = false) {
    const rows = await store.sourceRecords.statementTransactionPage(integrationId, id, after, size);
    const last = rows.length < size;
    yield { statement: statement.raw, transactions: rows.map((r) => r.raw), first, last, fetched: false };
    if (last) return;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * Pages in chunks of about `maxTransactions` transactions (a chunk ends at a page boundary, so a
 * large statement spans chunks and small ones share one): what is stored, has its orders fetched
 * and is built together.
 */
export async function* pageChunks(pages: AsyncIterable<StatementPage>, maxTransactions: number): AsyncGenerator<StatementPage[]> {
  let chunk: StatementPage[] = [];
  let count = 0;
  for await (const page of pages) {
    chunk.push(page);
    count += page.transactions.length;
    if (count >= maxTransactions) {
      yield chunk;
      chunk = [];
      count = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Ids of stored statements whose transactions still need booking but that this run did not fetch. */
export async function storedStatementIdsNeedingWork(store: Store, integrationId: number, skip: Set<string>): Promise<string[]> {
  return (await store.sourceRecords.statementIdsNeedingWork(integrationId)).filter((id) => !skip.has(id));
}

/**
 * Stored transactions carrying a reserve movement, by statement: all a payout needs of its
 * statements' transactions (the reserve booked with them), without loading the rest.
 */
export async function storedReserveTransactions(store: Store, integrationId: number): Promise<Map<string, StatementTransaction[]>> {
  const out = new Map<string, StatementTransaction[]>();
  for (const r of await store.sourceRecords.reserveTransactions(integrationId)) {
    if (!r.statementId) continue;
    out.set(r.statementId, [...(out.get(r.statementId) ?? []), r.raw]);
  }
  return out;
}

export const statementSource = (integrationId: number, s: Statement): SourceInput => ({
  integrationId, kind: 'statement', externalId: s.id, statementId: s.id, occurredAt: iso(s.statement_time), currency: s.currency,
  amountMinor: safeMinor(s.settlement_amount, s.currency, 'settlement_amount'), raw: s, hash: contentHash(s),
});

export const transactionSource = (integrationId: number, s: Statement, t: StatementTransaction): SourceInput => {
  const currency = t.currency ?? s.currency;
  return {
    integrationId, kind: 'statement_transaction', externalId: t.id, statementId: s.id, orderId: t.order_id ?? t.adjustment_order_id ?? t.associated_order_id ?? null,
    occurredAt: iso(s.statement_time), currency, amountMinor: safeMinor(t.settlement_amount, currency, 'settlement_amount'), raw: t, hash: contentHash(t),
  };
};

export const paymentSource = (integrationId: number, p: Payment): SourceInput => ({
  integrationId, kind: 'payment', externalId: p.id, occurredAt: iso(p.paid_time ?? p.create_time), currency: p.amount.currency,
  amountMinor: safeMinor(p.amount.value, p.amount.currency, 'amount.value'), raw: p, hash: contentHash(p),
});

export const orderSource = (integrationId: number, o: Order): SourceInput => ({
  integrationId, kind: 'order', externalId: o.id, orderId: o.id, occurredAt: iso(o.create_time), currency: o.payment?.currency ?? null,
  amountMinor: safeMinor(o.payment?.total_amount, o.payment?.currency, 'payment.total_amount'), raw: o, hash: contentHash(o),
});

export interface SourceState {
  change: 'new' | 'same' | 'changed';
  status: SourceStatus;
  id?: number;
}

const DONE: SourceStatus[] = ['synced', 'synced_with_warnings', 'skipped'];
export const needsWork = (s: SourceState): boolean => s.change !== 'same' || !DONE.includes(s.status);

/**
 * Records a source record (or, in a dry run, only compares it with what is stored) and says
 * whether it is new, unchanged or changed, and its current status.
 */
export async function observeSource(store: Store, input: SourceInput, write: boolean, onChanged?: (id: number, previousHash: string) => Promise<void>): Promise<SourceState> {
  if (!write) {
    const prev = await store.sourceRecords.get(input.integrationId, input.kind as SourceRecordKind, input.externalId);
    if (!prev) return { change: 'new', status: 'ready' };
    return prev.hash === input.hash ? { change: 'same', status: prev.status, id: prev.id } : { change: 'changed', status: 'ready', id: prev.id };
  }
  const r = await store.sourceRecords.upsert(input);
  if (r.change === 'changed' && r.previous) await onChanged?.(r.record.id, r.previous.hash);
  return { change: r.change, status: r.record.status, id: r.record.id };
}

/** Stored payments whose payout still needs booking (e.g. rolled back) and that this run did not fetch. */
export async function storedPaymentsNeedingWork(store: Store, integrationId: number, skip: Set<string>): Promise<Payment[]> {
  return (await store.sourceRecords.list({ integrationIds: [integrationId], kind: ['payment'], status: ['deleted', 'ready', 'failed'] }))
    .filter((r) => !skip.has(r.externalId))
    .map((r) => r.raw);
}
