import type { BookingDocument } from '../booking/document.js';
import type { Order, Payment, Statement, StatementBundle, StatementTransaction } from '../booking/tiktok-data.js';
import { needsWork, observeSource, pageChunks, statementPages, statementSource, storedStatementIdsNeedingWork, transactionSource, type SourceState, type StatementPage } from './fetch.js';
import { sourceFailure } from './run.js';
import { collectWarnings, counted, observe, paymentOf, type IntegrationSource } from './source.js';
import type { BuildContext, BuildOutput, StatementPages } from './types.js';
import { workOf, type Built, type SourceLink } from './work.js';
import { OrderLane, storeOrders } from './order-lane.js';

/** A page as stored: one state per transaction, in order; the statement's own once its last page is stored. */
export interface ObservedPage {
  page: StatementPage;
  states: SourceState[];
  /** Before the page was stored: does the statement itself need booking? (first page only) */
  statementBefore?: SourceState;
  /** Its last page only: the statement as stored. */
  statementState?: SourceState;
}

/**
 * The statements in the window and the stored ones still needing work, a chunk of about
 * `chunkTransactions` transactions at a time: stored, their orders loaded, built. A statement
 * larger than a chunk is fetched, stored and built a page at a time across chunks, so no
 * statement is held whole. What payouts need of them (header, reserve movements) goes into
 * `forPayouts`.
 */
export async function* statementWork(src: IntegrationSource, statements: Statement[], chunkTransactions: number, forPayouts: Map<string, StatementBundle>): AsyncGenerator<Built> {
  const { run, integration } = src;
  const fetchedIds = new Set(statements.map((s) => s.id));
  const jobs = [...statements.map((statement) => ({ statement })), ...(await storedStatementIdsNeedingWork(run.store, integration.id, fetchedIds)).map((storedId) => ({ storedId }))];
  const pages = statementPages(src.api, run.store, integration.id, jobs, chunkTransactions);
  // A summary never reads an order, only stores it: its orders are fetched on their own lane.
  const lane = run.mode === 'summary' ? new OrderLane(src) : undefined;
  const pipeline = new ChunkPipeline(src, pageChunks(pages, chunkTransactions), !lane);
  // One map, refilled per chunk: a statement's builder is made with its first chunk and reads
  // the orders of the later ones through it.
  const orders = new Map<string, Order>();
  const ctx: BuildContext = { ...src.ctx, orders };
  let open: OpenStatement | undefined;
  let builtCount = 0;
  let statementsDone = 0;
  try {
    for (let next = await pipeline.take(); next; next = await pipeline.take()) {
      const { chunk, orders: fetching } = next;
      counted(src, 'transactions', chunk.reduce((n, p) => n + (p.fetched ? p.transactions.length : 0), 0));
      const observed: ObservedPage[] = [];
      for (const page of chunk) {
        keepForPayouts(page, forPayouts);
        observed.push(await observePage(src, page));
      }
      orders.clear();
      if (lane) for (const { page } of observed) await lane.add(page.transactions);
      else await ordersFor(src, observed, await fetching, orders);
      const built: Built = { work: [], links: [] };
      for (const o of observed) {
        if (o.page.first || !open) open = await OpenStatement.start(src, o, ctx);
        add(built, open.add(o));
        if (o.page.last) {
          add(built, open.finish(o.statementState));
          open = undefined;
          statementsDone++;
        }
      }
      builtCount += built.work.length;
      run.progress({ type: 'built', integration: integration.name, documents: builtCount, statements: statementsDone, statementsTotal: Math.max(jobs.length, statementsDone) });
      yield built;
    }
    // Before the statements count as done (and the bookmark moves past them): every order stored.
    await lane?.finish();
  } finally {
    // A run that stops early must not have the store written after it by a fetch still under way.
    await lane?.close();
    await pipeline.close();
  }
}

function add(into: Built, b: Built): void {
  for (const w of b.work) into.work.push(w);
  for (const l of b.links) into.links.push(l);
}

const NOTHING: Built = { work: [], links: [] };
/** Shared by the links of every transaction without errors (a summary links thousands per statement); never written to. */
const NO_ERRORS: string[] = [];

/**
 * One statement being built as its pages come: per-transaction documents go on with their page;
 * what the statement's own checks and summary need are running totals, and in summary mode the
 * transactions' ids and errors (small) wait for the statement's documents.
 */
class OpenStatement {
  private readonly sid: string;
  private readonly pages: StatementPages;
  /** Something in the statement needs booking (else nothing of it is handed on). */
  private needed: boolean;
  private readonly statementNeeds: boolean;
  /** An invariant of our own output broke: nothing more of it is built. */
  private broken?: BuildOutput;
  /** Per-transaction mode: every document of the statement, for the statement's own status. */
  private readonly keys: string[] = [];
  /** Summary mode: each transaction's record, and its own errors. */
  private readonly transactions: Array<{ recordId?: number; id: string; orderId?: string; errors: string[] }> = [];

  /** Opens the statement of `o`'s page (its payment is read first: the builder's header checks need it). */
  static async start(src: IntegrationSource, o: ObservedPage, ctx: BuildContext): Promise<OpenStatement> {
    return new OpenStatement(src, o, ctx, await paymentOf(src, o.page.statement.payment_id));
  }

  private constructor(private readonly src: IntegrationSource, o: ObservedPage, ctx: BuildContext, payment: Payment | undefined) {
    const { statement, header } = o.page;
    this.sid = statement.id;
    this.statementNeeds = o.page.first && (o.statementBefore === undefined || needsWork(o.statementBefore));
    this.needed = this.statementNeeds;
    const bundle: StatementBundle = { statement, header, transactions: [], payment };
    this.pages = src.builder.statementPages(bundle, ctx);
    // Pages come in order, so never; were it to happen, its checks could not be trusted.
    if (!o.page.first) this.broken = notBuilt(this.sid, new Error('its first page is missing'));
  }

  /** Builds a page; hands on its documents and links if anything in it (or the statement) needs booking. */
  add(o: ObservedPage): Built {
    const { transactions } = o.page;
    let page: BuildOutput = { documents: [], issues: [] };
    try {
      if (!this.broken) page = this.pages.add(transactions);
    } catch (err) {
      this.broken = notBuilt(this.sid, err);
    }
    const pageNeeds = this.statementNeeds || o.states.some(needsWork);
    this.needed ||= pageNeeds;
    if (this.src.run.mode === 'summary') {
      const errorsOf = issuesByTransaction(page);
      transactions.forEach((t, i) => this.transactions.push({ recordId: o.states[i]!.id, id: t.id, orderId: t.order_id, errors: errorsOf.get(t.id) ?? NO_ERRORS }));
      return NOTHING;
    }
    for (const d of page.documents) this.keys.push(d.key);
    if (!pageNeeds) return NOTHING;
    collectWarnings(this.src, page.documents);
    return { work: page.documents.map((doc) => workOf(this.src.integration, doc)), links: transactionLinks(this.src, transactions, o.states, this.sid, page) };
  }

  /** The statement's checks (and in summary mode its documents and its transactions' links), once its last page is in. */
  finish(statementState: SourceState | undefined): Built {
    let end = this.broken;
    if (!end) {
      try {
        end = this.pages.finish();
      } catch (err) {
        end = notBuilt(this.sid, err);
      }
    }
    if (!this.needed) return NOTHING;
    const { src, sid } = this;
    const statementErrors = end.issues.filter((i) => i.severity === 'error' && !i.transactionId).map((i) => i.message);
    const links: SourceLink[] = [];
    let work: Built['work'] = [];
    let keys = this.keys;
    if (src.run.mode === 'summary') {
      collectWarnings(src, end.documents);
      work = end.documents.map((doc) => workOf(src.integration, doc));
      keys = end.documents.map((d) => d.key);
      const statementKeys = end.documents.filter((d) => !d.refs.transactionId && d.refs.statementId === sid).map((d) => d.key);
      // A summary books its transactions: they fail with it. Those with errors of their own get a
      // link each; one link stands for the rest.
      const except = new Set<number>();
      for (const t of this.transactions) {
        const errors = t.errors.length + statementErrors.length === 0 ? NO_ERRORS : [...t.errors, ...statementErrors];
        if (errors.length > 0) sourceFailure(src.run, 'statement_transaction', t.id, t.orderId, sid, errors);
        if (t.recordId === undefined || t.errors.length === 0) continue;
        links.push({ recordId: t.recordId, kind: 'statement_transaction', externalId: t.id, docKeys: statementKeys, errors });
        except.add(t.recordId);
      }
      if (src.run.write) links.push({ recordId: 0, kind: 'statement_transaction', externalId: sid, docKeys: statementKeys, errors: statementErrors, transactionsOf: { integrationId: src.integration.id, except } });
    } else if (statementErrors.length > 0) sourceFailure(src.run, 'statement', sid, undefined, sid, statementErrors);
    if (statementState?.id !== undefined) links.push({ recordId: statementState.id, kind: 'statement', externalId: sid, docKeys: keys, errors: statementErrors });
    return { work, links };
  }
}

type Pulled = { next: Promise<IteratorResult<StatementPage[]>>; orders: Promise<Map<string, Order>> };

/**
 * Statement chunks, the next one (and its missing orders) asked for while the current one is
 * booked: the orders path is TikTok's tightest limit, and this keeps it busy.
 */
export class ChunkPipeline {
  /** Order ids being fetched for a chunk not stored yet, so the next chunk does not ask again. */
  private readonly inFlight = new Set<string>();
  private ahead: Pulled;

  /** `withOrders` false: the chunks' orders are someone else's to fetch (summary mode's `OrderLane`). */
  constructor(private readonly src: IntegrationSource, private readonly chunks: AsyncGenerator<StatementPage[]>, private readonly withOrders = true) {
    this.ahead = this.pull();
  }

  /** The next chunk and its fetched orders (undefined at the end); the one after it is asked for. */
  async take(): Promise<{ chunk: StatementPage[]; orders: Promise<Map<string, Order>> } | undefined> {
    const { next, orders } = this.ahead;
    const r = await next;
    if (r.done) return undefined;
    this.ahead = this.pull();
    return { chunk: r.value, orders };
  }

  /** Waits for a fetch under way, without its error, and stops the fetching ahead. */
  async close(): Promise<void> {
    await this.ahead.orders.catch(() => undefined);
    await this.chunks.return(undefined).catch(() => undefined);
  }

  private pull(): Pulled {
    const next = this.chunks.next();
    // A dry run stores no orders: each chunk keeps the ones it fetched itself.
    const shared = this.src.run.write ? this.inFlight : undefined;
    const orders = next.then((r) => (r.done || !this.withOrders ? new Map<string, Order>() : fetchMissingOrders(this.src, r.value, shared)));
    // Rethrown where they are awaited; not unhandled if the run stops first.
    next.catch(() => undefined);
    orders.catch(() => undefined);
    return { next, orders };
  }
}

/** What a payout reads of its statements: the header and the reserve movements (a dry run has not stored them). */
export function keepForPayouts(page: StatementPage, forPayouts: Map<string, StatementBundle>): void {
  const { statement } = page;
  if (!statement.payment_id) return;
  const reserves = page.transactions.filter((t) => t.reserve_amount !== undefined && t.reserve_amount !== null);
  const kept = forPayouts.get(statement.id);
  if (kept && !page.first) kept.transactions.push(...reserves);
  else forPayouts.set(statement.id, { statement, header: page.header, transactions: reserves });
}

/**
 * Stores a page's transactions in one commit (a commit per record dominated the CPU time), and
 * with its last page the statement itself: a statement record is stored only once all its
 * transactions are, so a run stopped mid-statement never leaves a stored statement that looks
 * complete (the next run fetches it again: its bookmark did not move).
 */
export async function observePage(src: IntegrationSource, page: StatementPage): Promise<ObservedPage> {
  const id = src.integration.id;
  const { statement } = page;
  return src.run.store.transaction(async () => {
    // Compared, not written, until the last page.
    const statementBefore = page.first ? await observeSource(src.run.store, statementSource(id, statement), false) : undefined;
    const states: SourceState[] = [];
    for (const t of page.transactions) states.push(await observe(src, transactionSource(id, statement, t)));
    const statementState = page.last ? await observe(src, statementSource(id, statement)) : undefined;
    return { page, states, statementBefore, statementState };
  });
}

/**
 * Orders the chunk's transactions refer to that the store does not hold (and that are not being
 * fetched already), fetched from TikTok and stored (50 ids per call, the calls in parallel), and
 * returned.
 */
export async function fetchMissingOrders(src: IntegrationSource, chunk: Array<{ transactions: StatementTransaction[] }>, inFlight?: Set<string>): Promise<Map<string, Order>> {
  const missing = new Set<string>();
  for (const { transactions } of chunk) {
    for (const t of transactions) {
      if (!t.order_id || missing.has(t.order_id) || inFlight?.has(t.order_id)) continue;
      if (!(await src.run.store.sourceRecords.has(src.integration.id, 'order', t.order_id))) missing.add(t.order_id);
    }
  }
  if (missing.size === 0) return new Map();
  for (const id of missing) inFlight?.add(id);
  try {
    return await storeOrders(src, [...missing], true);
  } finally {
    // Stored now (or failed): the store answers for them.
    for (const id of missing) inFlight?.delete(id);
  }
}

/** Puts into `orders` those the chunk's transactions refer to: just fetched, else as stored. */
export async function ordersFor(src: IntegrationSource, observed: ObservedPage[], fetched: Map<string, Order>, orders: Map<string, Order>): Promise<void> {
  for (const { page } of observed) {
    for (const t of page.transactions) {
      if (!t.order_id || orders.has(t.order_id)) continue;
      const order = fetched.get(t.order_id) ?? (await src.run.store.sourceRecords.get(src.integration.id, 'order', t.order_id))?.raw;
      if (order) orders.set(t.order_id, order);
    }
  }
}

const notBuilt = (statementId: string, err: unknown): BuildOutput => ({
  documents: [],
  issues: [{ severity: 'error', code: 'statement_not_built', statementId, message: `statement ${statementId} was not booked: ${(err as Error).message}` }],
});

function issuesByTransaction(built: BuildOutput): Map<string, string[]> {
  return groupBy(built.issues.filter((i) => i.severity === 'error' && i.transactionId), (i) => i.transactionId!, (i) => i.message);
}

/** Each transaction's link (per-transaction mode): its own documents and errors. */
function transactionLinks(src: IntegrationSource, transactions: StatementTransaction[], states: SourceState[], sid: string, built: BuildOutput): SourceLink[] {
  const byTransaction = groupBy(built.documents.filter((d) => d.refs.transactionId), (d) => d.refs.transactionId!, (d: BookingDocument) => d.key);
  const errorsOf = issuesByTransaction(built);
  const links: SourceLink[] = [];
  transactions.forEach((t, i) => {
    const errors = errorsOf.get(t.id) ?? [];
    if (errors.length > 0) sourceFailure(src.run, 'statement_transaction', t.id, t.order_id, sid, errors);
    const id = states[i]!.id;
    if (id !== undefined) links.push({ recordId: id, kind: 'statement_transaction', externalId: t.id, docKeys: byTransaction.get(t.id) ?? [], errors });
  });
  return links;
}

function groupBy<T, V>(items: T[], key: (t: T) => string, value: (t: T) => V): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(value(item));
    else out.set(k, [value(item)]);
  }
  return out;
}
