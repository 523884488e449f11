import pLimit from 'p-limit';
import type { Order, Payment, Statement, StatementTransaction, StatementTransactionsHeader } from '../booking/tiktok-data.js';
import { parseMinor } from '../booking/money.js';
import type { TikTokShopApi, TimeWindow } from '../providers/tiktok/shop-client.js';
import type { SourceInput, SourceRecordKind, SourceStatus } from '../store/source-records.js';
import type { Store } from '../store/store.js';
import { contentHash } from './hash.js';

export interface FetchedBundle {
  statement: Statement;
  header?: StatementTransactionsHeader;
  transactions: StatementTransaction[];
}

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

/**
 * Statement bundles in chunks of about `maxTransactions` transactions, in order. A few statements
 * are fetched at a time (each is a chain of dependent pages) and a few ahead of the consumer, so
 * fetching the next chunk overlaps with booking this one. How far ahead is bounded in
 * transactions, not statements: a large shop's statements hold thousands each, and reading four
 * of them ahead made the run's memory grow with the shop.
 */
export async function* statementChunks(api: TikTokShopApi, store: Store, integrationId: number, jobs: StatementJob[], maxTransactions: number, concurrency = 4): AsyncGenerator<FetchedBundle[]> {
  const limit = pLimit(concurrency);
  const started: Array<Promise<FetchedBundle | undefined>> = [];
  // Transactions per statement so far, to tell how many statements the read-ahead budget holds.
  let seenStatements = 0;
  let seenTransactions = 0;
  // With the chunk the consumer asks for early, about two chunks' worth wait besides the one being booked.
  const aheadBudget = maxTransactions;
  // None ahead once a statement is larger than the budget: the consumer asks for the next chunk
  // early itself, and that is the one statement held besides the one being booked.
  const ahead = () => (seenStatements === 0 ? 1 : Math.min(concurrency, Math.floor(aheadBudget / Math.max(1, seenTransactions / seenStatements))));
  const start = (upTo: number) => {
    while (started.length < Math.min(jobs.length, upTo)) {
      const job = jobs[started.length]!;
      const p: Promise<FetchedBundle | undefined> =
        'statement' in job
          ? limit(async () => ({ statement: job.statement, ...(await api.getStatementTransactions(job.statement.id)) }))
          : storedBundle(store, integrationId, job.storedId);
      // A fetch ahead that fails is reported where it is awaited, not as an unhandled rejection.
      p.catch(() => undefined);
      started.push(p);
    }
  };
  let chunk: FetchedBundle[] = [];
  let count = 0;
  for (let i = 0; i < jobs.length; i++) {
    start(i + 1 + ahead());
    const bundle = await started[i]!;
    started[i] = Promise.resolve(undefined); // let the bundle go once it is handed out
    if (!bundle) continue;
    seenStatements++;
    seenTransactions += bundle.transactions.length;
    // A statement that would take the chunk past the budget starts the next one: chunks stay near
    // the budget whatever the statements' size (one statement when it alone is larger).
    if (chunk.length > 0 && count + bundle.transactions.length > maxTransactions) {
      start(i + 1 + ahead());
      yield chunk;
      chunk = [];
      count = 0;
    }
    chunk.push(bundle);
    count += bundle.transactions.length;
    if (count >= maxTransactions) {
      start(i + 1 + ahead());
      yield chunk;
      chunk = [];
      count = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}

async function storedBundle(store: Store, integrationId: number, id: string): Promise<FetchedBundle | undefined> {
  const statement = await store.sourceRecords.get(integrationId, 'statement', id);
  if (!statement) return undefined;
  const transactions = (await store.sourceRecords.list({ integrationIds: [integrationId], kind: ['statement_transaction'], statementId: id })).map((r) => r.raw);
  return { statement: statement.raw, transactions };
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
