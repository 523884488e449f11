import { StateError } from '../errors.js';
import type { BookingDocument } from '../booking/document.js';
import { sumMinor } from '../booking/money.js';
import type { Order, Payment, Statement, StatementBundle } from '../booking/tiktok-data.js';
import type { PostInput } from '../providers/ledger-connector.js';
import type { TikTokShopApi } from '../providers/tiktok/shop-client.js';
import { versionedKey, type DocumentRow } from '../store/documents.js';
import type { Integration } from '../store/integrations.js';
import type { Org } from '../store/orgs.js';
import type { SourceStatus } from '../store/source-records.js';
import type { Store } from '../store/store.js';
import { AccountResolver } from './accounts.js';
import { defaultBuilder } from './builder.js';
import { listFinance, needsWork, observeSource, orderSource, paymentSource, statementChunks, statementSource, storedPaymentsNeedingWork, storedReserveTransactions, storedStatementIdsNeedingWork, transactionSource, type FetchedBundle, type SourceState, type StatementJob } from './fetch.js';
import { clearingChecks } from './clearing-check.js';
import { contentHash } from './hash.js';
import { acquireOrgLock } from './lock.js';
import type { BuildContext, BuildOutput, PlannedAction, PlannedDocument, SyncDeps, SyncOptions, SyncSummary } from './types.js';

interface Work {
  integration: Integration;
  doc: BookingDocument;
  hash: string;
}

interface PostItem {
  integration: Integration;
  doc: BookingDocument;
  hash: string;
  action: PlannedAction;
  /** No row for this key existed before this run (see PostInput.fresh). */
  fresh?: boolean;
}

/** A source record and the documents (by base key) that book it. */
interface SourceLink {
  recordId: number;
  kind: string;
  externalId: string;
  docKeys: string[];
  /** Why the ledger could not build it (inconsistent TikTok data). */
  errors: string[];
}

const DATA_FIX = 'TikTok\'s amounts for it do not add up; check it in TikTok Seller Center. synder books it as soon as TikTok sends consistent data (the next sync retries).';

const DAY_MS = 86_400_000;
const sec = (d: Date): number => Math.floor(d.getTime() / 1000);

/** Where a document came from, for the documents table and `explain`. */
export function documentSource(doc: BookingDocument): { sourceKind: string; sourceId: string | null } {
  if (doc.refs.transactionId) return { sourceKind: 'statement_transaction', sourceId: doc.refs.transactionId };
  if (doc.kind === 'payout' && doc.refs.paymentId) return { sourceKind: 'payment', sourceId: doc.refs.paymentId };
  return { sourceKind: 'statement', sourceId: doc.refs.statementId ?? null };
}

function startOf(integration: Integration, org: Org, now: Date): Date {
  const configured = (integration.settings.importStart ?? org.settings.importStart) as string | undefined;
  const parsed = configured ? new Date(configured) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date(now.getTime() - 30 * DAY_MS);
}

/**
 * One sync of one org: fetch → record → build → post → record, safe to interrupt at any point
 * (intents are written before the ledger is called; the next run looks pending keys up first).
 */
export async function runSync(deps: SyncDeps, opts: SyncOptions): Promise<SyncSummary> {
  const { store, ledger, clock } = deps;
  const progress = deps.progress ?? (() => undefined);
  const t0 = Date.now();
  const startedAt = clock.now();
  const org = store.orgs.get(opts.orgId);
  if (!org) throw new StateError(`Organization ${opts.orgId} does not exist.`);
  const mode = org.mode ?? 'per-transaction';
  const until = opts.until ?? startedAt;
  const write = !opts.dryRun;
  const lookbackMs = (opts.lookbackHours ?? 72) * 3_600_000;
  const builder = deps.builder ?? (await defaultBuilder());
  // Documents per post(): enough for the connectors to fill whole batch calls (30 per QuickBooks
  // batch, 50 per Xero PUT, each object type apart) and share one lookup call among many
  // documents; every post() ends in a part-filled call per type, so fewer, larger ones waste less.
  // While one post() runs, the next one's documents are built, so memory holds two of them.
  const batchSize = deps.batchSize ?? 1500;
  // An idle ledger starts on what is ready once this many documents are (the start of a run).
  const startSize = Math.min(batchSize, 300);
  // Transactions fetched and built together.
  const chunkTransactions = Math.max(1, deps.chunkTransactions ?? Math.ceil(batchSize / 4));

  const summary: SyncSummary = {
    ok: true, runId: null, org: org.name, mode, ledger: ledger.provider, dryRun: !write, since: opts.since?.toISOString() ?? null, until: until.toISOString(),
    fetched: { statements: 0, transactions: 0, payments: 0, orders: 0 }, changedSourceRecords: 0,
    documents: { created: 0, existing: 0, updated: 0, failed: 0, recovered: 0, planned: 0 },
    apiCalls: {}, durationMs: 0, clearing: [], failures: [], warnings: [],
  };

  const lock = write ? acquireOrgLock(store, org.id, org.name, deps.lock) : undefined;
  const apis: TikTokShopApi[] = [];
  let runId: number | null = null;
  // The post() in flight, if any: posting overlaps fetching and building the next documents, so
  // the ledger's rate limit, not TikTok or our own work, sets the pace. One at a time.
  let posting: Promise<void> | undefined;
  let postingBusy = false;
  const event = (subjectKind: string, subjectId: string, status: string, message?: string) => {
    if (write) store.events.add({ orgId: org.id, subjectKind, subjectId, status, message, runId });
  };

  try {
    if (write) runId = summary.runId = store.runs.start(org.id, { since: summary.since, until: summary.until }).id;
    const integrations = store.integrations.listForOrg(org.id).filter((i) => i.platform === 'tiktok' && i.status === 'active');
    const byId = new Map(integrations.map((i) => [i.id, i]));
    const resolver = new AccountResolver(store, org.id);

    if (write) {
      const pending = store.documents.list(org.id, { status: ['pending'] });
      if (pending.length > 0) {
        progress({ type: 'phase', phase: 'recover', message: `Checking ${pending.length} document(s) left pending by an interrupted run` });
        const found = await ledger.findByKeys(pending.map((r) => r.body as BookingDocument));
        for (const row of pending) {
          const refs = found.get(row.key);
          if (!refs) continue;
          store.documents.markPosted(row.key, refs, runId);
          event('document', row.key, 'posted', 'found in the ledger after an interrupted run');
          summary.documents.recovered++;
        }
      }
    }

    const sourceFailure = (kind: string, id: string, orderId: string | undefined, statementId: string | undefined, errors: string[]) => {
      summary.failures.push({ key: `${kind}:${id}`, kind, orderId, statementId, error: errors.join('; '), fix: DATA_FIX });
    };
    const windows = new Map<number, { from: Date }>();
    // Keys decided on this run (base keys), so a document is planned and posted once.
    const seen = new Set<string>();
    // "No row for this key" proves nothing was sent only if this store has booked for the org
    // before; a new or lost state store must look every key up in the ledger first.
    const storeHasHistory = store.documents.hasAny(org.id, ['posted', 'deleted', 'replaced']);
    const plan = { post: [] as PlannedDocument[], replace: [] as PlannedDocument[], existing: [] as PlannedDocument[] };
    let posted = 0;
    let announcedAccounts = false;
    // Documents built but not yet posted (and the sources they book): posted once a full post()
    // call's worth has gathered, so chunking does not shrink the ledger's batches.
    let buffer: PostItem[] = [];
    let bufferLinks: SourceLink[] = [];

    /**
     * Decides, per document, whether it is new, already booked, changed or to be retried, then
     * (unless dry) records intents, posts, and records the outcome and the sources' statuses. The
     * run is booked a chunk at a time so memory does not grow with the number of orders.
     */
    const book = async (work: Work[], links: SourceLink[], extra: PostItem[] = []): Promise<void> => {
      const toPost: PostItem[] = [];
      const toReplace: Array<{ old: DocumentRow; item: PostItem }> = [];
      for (const w of work) {
        if (seen.has(w.doc.key)) continue;
        seen.add(w.doc.key);
        const latest = store.documents.latest(w.doc.key);
        if (!latest) toPost.push({ ...w, action: 'create', fresh: storeHasHistory });
        else if (latest.status === 'posted') {
          if (latest.hash === w.hash) {
            summary.documents.existing++;
            if (!write) plan.existing.push(planned({ ...w, action: 'existing' }, resolver));
          } else toReplace.push({ old: latest, item: { ...w, doc: { ...w.doc, key: versionedKey(latest.baseKey, latest.version + 1) }, action: 'update' } });
        } else if (latest.status === 'pending' || latest.status === 'failed') toPost.push({ ...w, doc: { ...w.doc, key: latest.key }, action: 'retry' });
        else toPost.push({ ...w, doc: { ...w.doc, key: versionedKey(latest.baseKey, latest.version + 1) }, action: 'create' });
      }
      toPost.push(...extra);
      summary.documents.planned += toPost.length + toReplace.length;
      if (!write) {
        plan.post.push(...toPost.map((p) => planned(p, resolver)));
        plan.replace.push(...toReplace.map((r) => planned(r.item, resolver)));
        return;
      }

      for (const p of [...toPost, ...toReplace.map((r) => r.item)]) resolver.require(p.doc, p.integration);
      if (toPost.length + toReplace.length > 0) {
        if (!announcedAccounts) progress({ type: 'phase', phase: 'accounts', message: 'Finding or creating ledger accounts' });
        announcedAccounts = true;
        await resolver.ensure(ledger);
      }

      // A changed source: remove what was booked before, then book the new version under a new key.
      if (toReplace.length > 0) {
        const outcomes = await ledger.remove(toReplace.map((r) => ({ key: r.old.key, refs: r.old.refs })));
        for (const r of toReplace) {
          const o = outcomes.find((x) => x.key === r.old.key);
          if (o && o.status !== 'refused') {
            store.documents.setStatus(r.old.key, 'replaced');
            event('document', r.old.key, 'replaced', `${o.status} in the ledger; replaced by ${r.item.doc.key}`);
            toPost.push(r.item);
          } else {
            const message = `The ledger would not remove the previous version ${r.old.key}: ${o?.message ?? 'no answer'}`;
            store.documents.markFailed(r.old.key, message, 'Remove or void it in the ledger yourself, then run `synder sync` again.', r.old.refs);
            store.documents.setStatus(r.old.key, 'posted', message);
            summary.documents.failed++;
            summary.failures.push({ key: r.old.key, kind: r.old.kind, orderId: r.old.orderId ?? undefined, statementId: r.old.statementId ?? undefined, error: message, fix: 'Remove or void it in the ledger yourself, then run `synder sync` again.' });
          }
        }
      }

      buffer.push(...toPost);
      bufferLinks.push(...links);
      if (buffer.length >= batchSize || (!postingBusy && buffer.length >= startSize)) await flush();
    };

    /** Hands what is buffered to the ledger in the background (after the previous post() is done); `final` waits for it. */
    const flush = async (final = false): Promise<void> => {
      if (posting) await posting;
      postingBusy = true;
      posting = postBuffered(buffer, bufferLinks).finally(() => {
        postingBusy = false;
      });
      posting.catch(() => undefined); // rethrown where it is awaited; not unhandled meanwhile
      buffer = [];
      bufferLinks = [];
      if (final) await posting;
    };

    /** Posts documents in post() calls of batchSize (intents first), then records outcomes and source statuses. */
    const postBuffered = async (toPost: PostItem[], links: SourceLink[]): Promise<void> => {
      if (toPost.length > 0) progress({ type: 'phase', phase: 'post', message: `Posting ${toPost.length} document(s)` });
      const total = posted + toPost.length;
      // Between batchSize and twice that per post(): a remainder rides along instead of going alone.
      const size = Math.ceil(toPost.length / Math.max(1, Math.floor(toPost.length / batchSize)));
      for (let i = 0; i < toPost.length; i += size) {
        const batch = toPost.slice(i, i + size);
        store.transaction(() => {
          for (const p of batch) {
            const src = documentSource(p.doc);
            store.documents.recordIntent({
              orgId: org.id, integrationId: p.integration.id, key: p.doc.key, kind: p.doc.kind, sourceKind: src.sourceKind, sourceId: src.sourceId,
              orderId: p.doc.refs.orderId ?? null, statementId: p.doc.refs.statementId ?? null, paymentId: p.doc.refs.paymentId ?? null,
              date: p.doc.date, currency: p.doc.currency, body: p.doc, hash: p.hash, warnings: p.doc.warnings, runId,
            });
          }
        });
        const inputs: PostInput[] = batch.map((p) => ({ doc: p.doc, accounts: resolver.accountsFor(p.doc, p.integration.id), fresh: p.fresh }));
        const outcomes = new Map((await ledger.post(inputs)).map((o) => [o.key, o]));
        store.transaction(() => {
          for (const p of batch) {
            const o = outcomes.get(p.doc.key);
            if (!o) continue;
            if (o.status === 'failed') {
              store.documents.markFailed(p.doc.key, o.error, o.fix, o.refs);
              event('document', p.doc.key, 'failed', o.error);
              summary.documents.failed++;
              summary.failures.push({ key: p.doc.key, kind: p.doc.kind, orderId: p.doc.refs.orderId, statementId: p.doc.refs.statementId, paymentId: p.doc.refs.paymentId, error: o.error, fix: o.fix });
              continue;
            }
            store.documents.markPosted(p.doc.key, o.refs, runId);
            event('document', p.doc.key, 'posted', o.status === 'existing' ? 'already in the ledger' : p.action === 'update' ? 'new version posted' : undefined);
            if (o.status === 'existing') summary.documents.existing++;
            else if (p.action === 'update') summary.documents.updated++;
            else summary.documents.created++;
          }
        });
        posted += batch.length;
        progress({ type: 'posted', done: posted, total, created: summary.documents.created + summary.documents.updated, existing: summary.documents.existing, failed: summary.documents.failed });
      }
      store.transaction(() => updateSourceStatuses(store, links, event));
    };

    for (const integration of integrations) {
      const api = await deps.tiktokFor(integration);
      apis.push(api);
      const bookmark = store.bookmarks.get(integration.id, 'statements');
      const from = opts.since ?? (bookmark ? new Date(bookmark) : startOf(integration, org, startedAt));
      windows.set(integration.id, { from });
      progress({ type: 'phase', phase: 'fetch', integration: integration.name, message: `Fetching ${integration.name} since ${from.toISOString().slice(0, 10)}` });
      const listed = await listFinance(api, { from: sec(from), to: sec(until) });
      const counted = (kind: 'statements' | 'transactions' | 'payments' | 'orders', count: number) => {
        summary.fetched[kind] += count;
        progress({ type: 'fetched', integration: integration.name, kind, count });
      };
      counted('statements', listed.statements.length);
      counted('payments', listed.payments.length);
      const payments = [...listed.payments, ...storedPaymentsNeedingWork(store, integration.id, new Set(listed.payments.map((p) => p.id)))];
      const paymentById = new Map(payments.map((p) => [p.id, p]));

      const observeIn = (input: ReturnType<typeof statementSource>): SourceState =>
        observeSource(store, input, write, () => {
          summary.changedSourceRecords++;
          event(input.kind, input.externalId, 'changed', 'TikTok sent a different version; its documents are updated');
        });
      const observe = (input: ReturnType<typeof statementSource>): SourceState => store.transaction(() => observeIn(input));
      const storedPayment = (id: string | undefined): Payment | undefined =>
        id ? (paymentById.get(id) ?? (store.sourceRecords.get(integration.id, 'payment', id)?.raw as Payment | undefined)) : undefined;
      const settings = { ...org.settings, ...integration.settings };
      const baseCtx = { mode, shopId: integration.externalId, timezone: org.timezone ?? 'UTC', settings };
      const warn = (doc: BookingDocument) => {
        for (const w of doc.warnings) summary.warnings.push(`${doc.key}: ${w}`);
      };
      // What payouts need of this run's statements (headers and their reserve movements; a dry
      // run has not stored them), not their transactions.
      const forPayouts = new Map<string, StatementBundle>();

      const fetchedIds = new Set(listed.statements.map((s) => s.id));
      const jobs: StatementJob[] = [
        ...listed.statements.map((statement) => ({ statement })),
        ...storedStatementIdsNeedingWork(store, integration.id, fetchedIds).map((storedId) => ({ storedId })),
      ];
      let builtCount = 0;
      for await (const chunk of statementChunks(api, store, integration.id, jobs, chunkTransactions)) {
        counted('transactions', chunk.filter((b) => fetchedIds.has(b.statement.id)).reduce((n, b) => n + b.transactions.length, 0));
        const pendingBundles: Array<{ bundle: FetchedBundle; states: SourceState[]; statementState: SourceState }> = [];
        for (const bundle of chunk) {
          if (bundle.statement.payment_id) {
            forPayouts.set(bundle.statement.id, { statement: bundle.statement, header: bundle.header, transactions: bundle.transactions.filter((t) => t.reserve_amount !== undefined && t.reserve_amount !== null) });
          }
          // One commit per statement, not per record: a commit per transaction dominated the sync's CPU time.
          const { statementState, states } = store.transaction(() => ({
            statementState: observeIn(statementSource(integration.id, bundle.statement)),
            states: bundle.transactions.map((t) => observeIn(transactionSource(integration.id, bundle.statement, t))),
          }));
          if (needsWork(statementState) || states.some(needsWork)) pendingBundles.push({ bundle, states, statementState });
        }

        const orders = new Map<string, Order>();
        const missing = new Set<string>();
        for (const { bundle } of pendingBundles) {
          for (const t of bundle.transactions) {
            if (!t.order_id || orders.has(t.order_id) || missing.has(t.order_id)) continue;
            const stored = store.sourceRecords.get(integration.id, 'order', t.order_id);
            if (stored) orders.set(t.order_id, stored.raw as Order);
            else missing.add(t.order_id);
          }
        }
        if (missing.size > 0) {
          const got = await api.getOrders([...missing]); // 50 ids per call, the calls in parallel
          counted('orders', got.length);
          store.transaction(() => {
            for (const o of got) {
              orders.set(o.id, o);
              observeIn(orderSource(integration.id, o));
            }
          });
        }

        const ctx: BuildContext = { ...baseCtx, orders };
        const work: Work[] = [];
        const links: SourceLink[] = [];
        for (const { bundle, states, statementState } of pendingBundles) {
          const full: StatementBundle = { statement: bundle.statement, header: bundle.header, transactions: bundle.transactions, payment: storedPayment(bundle.statement.payment_id) };
          let built: BuildOutput;
          try {
            built = builder.statement(full, ctx);
          } catch (err) {
            // An invariant of our own output broke: book nothing of this statement, say so, go on.
            const message = `statement ${bundle.statement.id} was not booked: ${(err as Error).message}`;
            built = { documents: [], issues: [{ severity: 'error', code: 'statement_not_built', statementId: bundle.statement.id, message }] };
          }
          const docs = built.documents;
          for (const doc of docs) {
            work.push({ integration, doc, hash: contentHash(doc) });
            warn(doc);
          }
          const byTransaction = new Map<string, BookingDocument[]>();
          for (const d of docs) if (d.refs.transactionId) byTransaction.set(d.refs.transactionId, [...(byTransaction.get(d.refs.transactionId) ?? []), d]);
          const statementDocs = docs.filter((d) => !d.refs.transactionId && d.refs.statementId === bundle.statement.id);
          const statementErrors = built.issues.filter((i) => i.severity === 'error' && !i.transactionId).map((i) => i.message);
          const errorsOf = new Map<string, string[]>();
          for (const x of built.issues) if (x.severity === 'error' && x.transactionId) errorsOf.set(x.transactionId, [...(errorsOf.get(x.transactionId) ?? []), x.message]);
          bundle.transactions.forEach((t, i) => {
            const own = byTransaction.get(t.id) ?? [];
            const shared = own.length > 0 ? own : statementDocs;
            const errors = [...(errorsOf.get(t.id) ?? [])];
            if (mode === 'summary') errors.push(...statementErrors);
            const id = states[i]!.id;
            if (errors.length > 0) sourceFailure('statement_transaction', t.id, t.order_id, bundle.statement.id, errors);
            if (id !== undefined) links.push({ recordId: id, kind: 'statement_transaction', externalId: t.id, docKeys: shared.map((d) => d.key), errors });
          });
          if (statementErrors.length > 0 && mode !== 'summary') sourceFailure('statement', bundle.statement.id, undefined, bundle.statement.id, statementErrors);
          if (statementState.id !== undefined) {
            links.push({ recordId: statementState.id, kind: 'statement', externalId: bundle.statement.id, docKeys: docs.map((d) => d.key), errors: statementErrors });
          }
        }
        builtCount += work.length;
        progress({ type: 'phase', phase: 'build', message: `Built ${builtCount} document(s)` });
        await book(work, links);
      }

      let statementsByPayment: Map<string, StatementBundle[]> | undefined;
      const payoutCtx: BuildContext = { ...baseCtx, orders: new Map() };
      const work: Work[] = [];
      const links: SourceLink[] = [];
      for (const payment of payments) {
        const state = observe(paymentSource(integration.id, payment));
        if (!needsWork(state)) continue;
        statementsByPayment ??= groupStatements(store, integration.id, forPayouts);
        let built: BuildOutput;
        try {
          built = builder.payout(payment, statementsByPayment.get(payment.id) ?? [], payoutCtx);
        } catch (err) {
          built = { documents: [], issues: [{ severity: 'error', code: 'payment_mismatch', paymentId: payment.id, message: `payment ${payment.id} was not booked: ${(err as Error).message}` }] };
        }
        for (const doc of built.documents) {
          work.push({ integration, doc, hash: contentHash(doc) });
          warn(doc);
        }
        const errors = built.issues.filter((i) => i.severity === 'error').map((i) => i.message);
        if (errors.length > 0) sourceFailure('payment', payment.id, undefined, undefined, errors);
        if (state.id !== undefined) links.push({ recordId: state.id, kind: 'payment', externalId: payment.id, docKeys: built.documents.map((d) => d.key), errors });
      }
      await book(work, links);
    }

    // Documents left pending or failed by earlier runs whose source is outside this run's window.
    const leftover: PostItem[] = [];
    for (const row of store.documents.list(org.id, { status: ['pending', 'failed'] })) {
      if (seen.has(row.baseKey)) continue;
      const integration = row.integrationId !== null ? byId.get(row.integrationId) : undefined;
      if (!integration) continue;
      seen.add(row.baseKey);
      leftover.push({ integration, doc: row.body as BookingDocument, hash: row.hash, action: 'retry' });
    }
    await book([], [], leftover);
    if (write) await flush(true);

    if (!write) {
      summary.plan = [...plan.post, ...plan.replace, ...plan.existing];
      summary.apiCalls = apiCalls(apis, ledger);
      summary.durationMs = Date.now() - t0;
      return summary;
    }

    const cap = new Date(Math.min(until.getTime(), startedAt.getTime() - lookbackMs));
    for (const integration of integrations) {
      const existing = store.bookmarks.get(integration.id, 'statements');
      const from = windows.get(integration.id)?.from;
      if (existing && from && from.getTime() > Date.parse(existing)) continue; // a gap: keep reading from the old bookmark
      const next = existing && Date.parse(existing) > cap.getTime() ? existing : cap.toISOString();
      store.bookmarks.set(integration.id, 'statements', next);
    }

    progress({ type: 'phase', phase: 'check', message: 'Checking clearing balances' });
    summary.clearing = await clearingChecks(store, ledger, org, integrations);
    summary.ok = summary.failures.length === 0;
    summary.apiCalls = apiCalls(apis, ledger);
    summary.durationMs = Date.now() - t0;
    store.runs.finish(runId!, summary.ok ? 'ok' : 'partial', summary);
    return summary;
  } catch (err) {
    // A failure elsewhere must not leave a post() writing to the store after the run is closed.
    await posting?.catch(() => undefined);
    if (runId !== null) {
      try {
        summary.apiCalls = apiCalls(apis, ledger);
        summary.durationMs = Date.now() - t0;
        store.runs.finish(runId, 'failed', summary, err instanceof Error ? err.message : String(err));
      } catch {
        // Recording the failure must not hide it.
      }
    }
    throw err;
  } finally {
    lock?.release();
  }
}

function planned(p: { integration: Integration; doc: BookingDocument; action: PlannedAction }, resolver: AccountResolver): PlannedDocument {
  return { action: p.action, integrationId: p.integration.id, doc: p.doc, accountNames: resolver.namesFor(p.doc, p.integration) };
}

function apiCalls(apis: TikTokShopApi[], ledger: SyncDeps['ledger']): Record<string, number> {
  return { tiktok: sumMinor(apis.map((a) => a.apiCalls)), [ledger.provider]: ledger.apiCalls };
}

/**
 * Statements by the payment that pays them, from this run's data and the store, each with only
 * its transactions that carry a reserve movement (all a payout reads of them).
 */
function groupStatements(store: Store, integrationId: number, fresh: Map<string, StatementBundle>): Map<string, StatementBundle[]> {
  const all = new Map<string, StatementBundle>();
  const reserves = storedReserveTransactions(store, integrationId);
  for (const r of store.sourceRecords.list({ integrationIds: [integrationId], kind: ['statement'] })) {
    const statement = r.raw as Statement;
    if (!statement.payment_id) continue;
    all.set(statement.id, { statement, transactions: reserves.get(statement.id) ?? [] });
  }
  for (const [id, b] of fresh) all.set(id, b);
  const out = new Map<string, StatementBundle[]>();
  for (const b of all.values()) {
    const pid = b.statement.payment_id;
    if (!pid) continue;
    out.set(pid, [...(out.get(pid) ?? []), b]);
  }
  return out;
}

function updateSourceStatuses(store: Store, links: SourceLink[], event: (k: string, id: string, status: string, message?: string) => void): void {
  for (const link of links) {
    const rows = link.docKeys.map((k) => store.documents.latest(k)).filter((r): r is DocumentRow => r !== undefined);
    let status: SourceStatus;
    let error: string | null = null;
    const failed = rows.find((r) => r.status === 'failed');
    if (link.errors.length > 0) {
      status = 'failed';
      error = link.errors.join('; ');
    } else if (rows.length === 0) status = 'skipped';
    else if (failed) {
      status = 'failed';
      error = failed.error;
    } else if (rows.some((r) => r.status !== 'posted')) status = 'ready';
    else status = rows.some((r) => r.warnings.length > 0) ? 'synced_with_warnings' : 'synced';
    const current = store.sourceRecords.byId(link.recordId);
    if (current && current.status === status && current.error === error) continue;
    store.sourceRecords.setStatus(link.recordId, status, error);
    event(link.kind, link.externalId, status, error ?? undefined);
  }
}
