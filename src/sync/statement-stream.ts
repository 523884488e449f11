import type { BookingDocument } from '../booking/document.js';
import type { Order, Statement, StatementBundle, StatementTransaction } from '../booking/tiktok-data.js';
import { needsWork, orderSource, statementChunks, statementSource, storedStatementIdsNeedingWork, transactionSource, type FetchedBundle, type SourceState } from './fetch.js';
import { sourceFailure } from './run.js';
import { collectWarnings, counted, observe, paymentOf, type IntegrationSource } from './source.js';
import type { BuildContext, BuildOutput, StatementPages } from './types.js';
import { workOf, type Built, type SourceLink } from './work.js';

/** A statement whose records were stored and that has something to book. */
export interface ObservedBundle {
  bundle: FetchedBundle;
  statementState: SourceState;
  /** One per transaction, in order. */
  states: SourceState[];
}

/**
 * The statements in the window and the stored ones still needing work, a chunk of about
 * `chunkTransactions` transactions at a time: stored, their orders loaded, built. What payouts
 * need of them (header, reserve movements) goes into `forPayouts`.
 */
export async function* statementWork(src: IntegrationSource, statements: Statement[], chunkTransactions: number, forPayouts: Map<string, StatementBundle>): AsyncGenerator<Built> {
  const { run, integration } = src;
  const fetchedIds = new Set(statements.map((s) => s.id));
  const jobs = [...statements.map((statement) => ({ statement })), ...(await storedStatementIdsNeedingWork(run.store, integration.id, fetchedIds)).map((storedId) => ({ storedId }))];
  const pipeline = new ChunkPipeline(src, statementChunks(src.api, run.store, integration.id, jobs, chunkTransactions));
  let builtCount = 0;
  const statementsSeen = new Set<string>();
  try {
    for (let next = await pipeline.take(); next; next = await pipeline.take()) {
      const { chunk, orders } = next;
      counted(src, 'transactions', chunk.filter((b) => fetchedIds.has(b.statement.id)).reduce((n, b) => n + b.transactions.length, 0));
      const observed: ObservedBundle[] = [];
      for (const bundle of chunk) {
        keepForPayouts(bundle, forPayouts);
        const o = await observeBundle(src, bundle);
        if (o) observed.push(o);
      }
      // A summary sums lines by role: an order's item detail never reaches it, so its orders are only stored.
      const fetched = await orders;
      const ctx: BuildContext = { ...src.ctx, orders: run.mode === 'summary' ? new Map() : await ordersFor(src, observed, fetched) };
      let built: Built = { work: [], links: [] };
      for (const o of observed) {
        // A statement larger than a chunk (a large shop's daily one): its documents go on a page at a time.
        const pages = run.mode === 'per-transaction' && o.bundle.transactions.length > chunkTransactions ? src.builder.statementPages?.(await fullBundle(src, o), ctx) : undefined;
        if (!pages) {
          const b = await buildStatement(src, o, ctx);
          built.work.push(...b.work);
          built.links.push(...b.links);
          continue;
        }
        if (built.work.length + built.links.length > 0) yield built;
        built = { work: [], links: [] };
        for (const page of statementPages(src, o, pages, chunkTransactions)) {
          builtCount += page.work.length;
          run.progress({ type: 'phase', phase: 'build', message: `Built ${builtCount} document(s)` });
          yield page;
        }
      }
      builtCount += built.work.length;
      for (const b of chunk) statementsSeen.add(b.statement.id);
      run.progress({ type: 'built', integration: integration.name, documents: builtCount, statements: statementsSeen.size, statementsTotal: Math.max(jobs.length, statementsSeen.size) });
      yield built;
    }
  } finally {
    // A run that stops early must not have the store written after it by a fetch still under way.
    await pipeline.settle();
  }
}

type Pulled = { next: Promise<IteratorResult<FetchedBundle[]>>; orders: Promise<Map<string, Order>> };

/**
 * Statement chunks, the next one (and its missing orders) asked for while the current one is
 * booked: the orders path is TikTok's tightest limit, and this keeps it busy.
 */
export class ChunkPipeline {
  /** Order ids being fetched for a chunk not stored yet, so the next chunk does not ask again. */
  private readonly inFlight = new Set<string>();
  private ahead: Pulled;

  constructor(private readonly src: IntegrationSource, private readonly chunks: AsyncGenerator<FetchedBundle[]>) {
    this.ahead = this.pull();
  }

  /** The next chunk and its fetched orders (undefined at the end); the one after it is asked for. */
  async take(): Promise<{ chunk: FetchedBundle[]; orders: Promise<Map<string, Order>> } | undefined> {
    const { next, orders } = this.ahead;
    const r = await next;
    if (r.done) return undefined;
    this.ahead = this.pull();
    return { chunk: r.value, orders };
  }

  /** Waits for a fetch under way, without its error. */
  async settle(): Promise<void> {
    await this.ahead.orders.catch(() => undefined);
  }

  private pull(): Pulled {
    const next = this.chunks.next();
    // A dry run stores no orders: each chunk keeps the ones it fetched itself.
    const shared = this.src.run.write ? this.inFlight : undefined;
    const keep = this.src.run.mode !== 'summary';
    const orders = next.then((r) => (r.done ? new Map<string, Order>() : fetchMissingOrders(this.src, r.value, shared, keep)));
    // Rethrown where they are awaited; not unhandled if the run stops first.
    next.catch(() => undefined);
    orders.catch(() => undefined);
    return { next, orders };
  }
}

/** What a payout reads of its statements: the header and the reserve movements (a dry run has not stored them). */
export function keepForPayouts(bundle: FetchedBundle, forPayouts: Map<string, StatementBundle>): void {
  if (!bundle.statement.payment_id) return;
  const transactions = bundle.transactions.filter((t) => t.reserve_amount !== undefined && t.reserve_amount !== null);
  forPayouts.set(bundle.statement.id, { statement: bundle.statement, header: bundle.header, transactions });
}

/** Stores a statement and its transactions in one commit (a commit per record dominated the CPU time); undefined if nothing needs booking. */
export async function observeBundle(src: IntegrationSource, bundle: FetchedBundle): Promise<ObservedBundle | undefined> {
  const id = src.integration.id;
  const { statementState, states } = await src.run.store.transaction(async () => {
    const statementState = await observe(src, statementSource(id, bundle.statement));
    const states: SourceState[] = [];
    for (const t of bundle.transactions) states.push(await observe(src, transactionSource(id, bundle.statement, t)));
    return { statementState, states };
  });
  return needsWork(statementState) || states.some(needsWork) ? { bundle, statementState, states } : undefined;
}

/**
 * Orders the chunk's transactions refer to that the store does not hold (and that are not being
 * fetched already), fetched from TikTok and stored (50 ids per call, the calls in parallel);
 * returned unless `keep` is false (a summary, which does not read them).
 */
export async function fetchMissingOrders(src: IntegrationSource, chunk: FetchedBundle[], inFlight?: Set<string>, keep = true): Promise<Map<string, Order>> {
  const { store } = src.run;
  const missing = new Set<string>();
  for (const { transactions } of chunk) {
    for (const t of transactions) {
      if (!t.order_id || missing.has(t.order_id) || inFlight?.has(t.order_id)) continue;
      if (!(await store.sourceRecords.has(src.integration.id, 'order', t.order_id))) missing.add(t.order_id);
    }
  }
  const got = new Map<string, Order>();
  if (missing.size === 0) return got;
  for (const id of missing) inFlight?.add(id);
  try {
    const orders = await src.api.getOrders([...missing]);
    counted(src, 'orders', orders.length);
    await store.transaction(async () => {
      for (const o of orders) {
        if (keep) got.set(o.id, o);
        await observe(src, orderSource(src.integration.id, o));
      }
    });
  } finally {
    // Stored now (or failed): the store answers for them.
    for (const id of missing) inFlight?.delete(id);
  }
  return got;
}

/** The orders the statements to book refer to: just fetched, else as stored. */
export async function ordersFor(src: IntegrationSource, observed: ObservedBundle[], fetched: Map<string, Order>): Promise<Map<string, Order>> {
  const orders = new Map<string, Order>();
  for (const { bundle } of observed) {
    for (const t of bundle.transactions) {
      if (!t.order_id || orders.has(t.order_id)) continue;
      const order = fetched.get(t.order_id) ?? (await src.run.store.sourceRecords.get(src.integration.id, 'order', t.order_id))?.raw;
      if (order) orders.set(t.order_id, order);
    }
  }
  return orders;
}

const fullBundle = async (src: IntegrationSource, { bundle }: ObservedBundle): Promise<StatementBundle> => ({
  statement: bundle.statement, header: bundle.header, transactions: bundle.transactions, payment: await paymentOf(src, bundle.statement.payment_id),
});

const notBuilt = (statementId: string, err: unknown): BuildOutput => ({
  documents: [],
  issues: [{ severity: 'error', code: 'statement_not_built', statementId, message: `statement ${statementId} was not booked: ${(err as Error).message}` }],
});

/** Builds one statement's documents, and links each of its records to the documents that book it. */
export async function buildStatement(src: IntegrationSource, o: ObservedBundle, ctx: BuildContext): Promise<Built> {
  const full = await fullBundle(src, o);
  let built: BuildOutput;
  try {
    built = src.builder.statement(full, ctx);
  } catch (err) {
    // An invariant of our own output broke: book nothing of this statement, say so, go on.
    built = notBuilt(o.bundle.statement.id, err);
  }
  collectWarnings(src, built.documents);
  return { work: built.documents.map((doc) => workOf(src.integration, doc)), links: statementLinks(src, o, built) };
}

/**
 * Per-transaction mode, one statement `size` transactions at a time: each page's documents with
 * the links of its transactions, then the statement's own link (its checks need every page).
 * An invariant that breaks stops the statement there; the pages before it are booked.
 */
export function* statementPages(src: IntegrationSource, o: ObservedBundle, pages: StatementPages, size: number): Generator<Built> {
  const { bundle, states, statementState } = o;
  const sid = bundle.statement.id;
  const keys: string[] = [];
  let end: BuildOutput | undefined;
  for (let at = 0; at < bundle.transactions.length; at += size) {
    let page: BuildOutput = { documents: [], issues: [] };
    try {
      if (!end) page = pages.add(bundle.transactions.slice(at, at + size));
    } catch (err) {
      end = notBuilt(sid, err);
    }
    collectWarnings(src, page.documents);
    for (const d of page.documents) keys.push(d.key);
    const links = transactionLinks(src, bundle.transactions.slice(at, at + size), states.slice(at, at + size), sid, page, [], []);
    yield { work: page.documents.map((doc) => workOf(src.integration, doc)), links };
  }
  if (!end) {
    try {
      end = pages.finish();
    } catch (err) {
      end = notBuilt(sid, err);
    }
  }
  const statementErrors = end.issues.filter((i) => i.severity === 'error' && !i.transactionId).map((i) => i.message);
  if (statementErrors.length > 0) sourceFailure(src.run, 'statement', sid, undefined, sid, statementErrors);
  yield { work: [], links: statementState.id !== undefined ? [{ recordId: statementState.id, kind: 'statement', externalId: sid, docKeys: keys, errors: statementErrors }] : [] };
}

/**
 * Which documents book each record, and why a record could not be booked. In summary mode a
 * transaction is booked by its statement's documents, and fails with its statement.
 */
export function statementLinks(src: IntegrationSource, { bundle, states, statementState }: ObservedBundle, built: BuildOutput): SourceLink[] {
  const { mode } = src.run;
  const docs = built.documents;
  const sid = bundle.statement.id;
  const statementDocs = docs.filter((d) => !d.refs.transactionId && d.refs.statementId === sid);
  const statementErrors = built.issues.filter((i) => i.severity === 'error' && !i.transactionId).map((i) => i.message);
  const links = transactionLinks(src, bundle.transactions, states, sid, built, statementDocs.map((d) => d.key), mode === 'summary' ? statementErrors : []);
  if (statementErrors.length > 0 && mode !== 'summary') sourceFailure(src.run, 'statement', sid, undefined, sid, statementErrors);
  if (statementState.id !== undefined) links.push({ recordId: statementState.id, kind: 'statement', externalId: sid, docKeys: docs.map((d) => d.key), errors: statementErrors });
  return links;
}

/**
 * Each transaction's link: its own documents (else `statementKeys`, the summary that books it) and
 * its errors (and `statementErrors`, those of the statement it fails with).
 */
function transactionLinks(src: IntegrationSource, transactions: StatementTransaction[], states: SourceState[], sid: string, built: BuildOutput, statementKeys: string[], statementErrors: string[]): SourceLink[] {
  const byTransaction = groupBy(built.documents.filter((d) => d.refs.transactionId), (d) => d.refs.transactionId!);
  const errorsOf = groupBy(built.issues.filter((i) => i.severity === 'error' && i.transactionId), (i) => i.transactionId!);
  const links: SourceLink[] = [];
  transactions.forEach((t, i) => {
    const own = byTransaction.get(t.id);
    const errors = [...(errorsOf.get(t.id) ?? []).map((x) => x.message), ...statementErrors];
    if (errors.length > 0) sourceFailure(src.run, 'statement_transaction', t.id, t.order_id, sid, errors);
    const id = states[i]!.id;
    if (id !== undefined) links.push({ recordId: id, kind: 'statement_transaction', externalId: t.id, docKeys: own ? own.map((d: BookingDocument) => d.key) : statementKeys, errors });
  });
  return links;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
