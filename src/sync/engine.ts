import { LockLostError, StateError } from '../errors.js';
import type { StatementBundle } from '../booking/tiktok-data.js';
import type { LedgerConnector } from '../providers/ledger-connector.js';
import type { TikTokShopApi } from '../providers/tiktok/shop-client.js';
import type { Integration } from '../store/integrations.js';
import { SqliteDatabase } from '../store/sqlite.js';
import { AccountResolver } from './accounts.js';
import { defaultBuilder } from './builder.js';
import { claimShops } from './claim.js';
import { clearingChecks } from './clearing-check.js';
import { Decider } from './decide.js';
import { listFinance, storedPaymentsNeedingWork } from './fetch.js';
import { takeOrgLock } from './lock.js';
import { payoutWork } from './payout-stream.js';
import { Poster, type PosterSizes } from './poster.js';
import { recoverPending } from './recover.js';
import type { RunContext } from './run.js';
import { counted, integrationSource } from './source.js';
import { statementWork } from './statement-stream.js';
import { countDecision, DryRunPlan, emptySummary, stamp } from './summary.js';
import type { DocumentBuilder, SyncDeps, SyncOptions, SyncSummary } from './types.js';
import { advanceBookmarks, windowStart } from './window.js';
import type { Built, PostItem, SourceLink, Work } from './work.js';

export { documentSource } from './work.js';

const sec = (d: Date): number => Math.floor(d.getTime() / 1000);
const SQLITE_CACHE_KB = 4096;

/** How the phases of one run hand documents on: decided, then planned (dry run) or posted. */
interface Booking {
  decider: Decider;
  poster?: Poster;
  plan?: DryRunPlan;
}

/**
 * One sync of one org: fetch → record → build → post → record, safe to interrupt at any point
 * (intents are written before the ledger is called; the next run looks pending keys up first).
 */
export async function runSync(deps: SyncDeps, opts: SyncOptions): Promise<SyncSummary> {
  const { store, ledger, clock } = deps;
  const t0 = Date.now();
  const startedAt = clock.now();
  const org = await store.orgs.get(opts.orgId);
  if (!org) throw new StateError(`Organization ${opts.orgId} does not exist.`);
  const mode = org.mode ?? 'per-transaction';
  const until = opts.until ?? startedAt;
  const write = !opts.dryRun;
  const builder = deps.builder ?? (await defaultBuilder());
  const sizes = postSizes(deps, ledger);
  const summary = emptySummary({ org: org.name, mode, ledger: ledger.provider, dryRun: !write, since: opts.since, until });
  const run: RunContext = { store, ledger, org, mode, write, runId: null, summary, resolver: new AccountResolver(store, org.id), progress: deps.progress ?? (() => undefined), signal: opts.signal };

  // SQLite's page cache fills up to its cap (16 MB by default here) as the store grows; a sync
  // appends and looks up by key, and the OS caches the file anyway, so a few MB serve as well.
  if (store.db instanceof SqliteDatabase) store.db.pragma(`cache_size = -${SQLITE_CACHE_KB}`);
  const lock = write ? await takeOrgLock(store.locks, org.id, org.name, deps.lock) : undefined;
  // A lost lock stops the run where an interrupt would: between ledger calls, with intents recorded.
  if (lock?.lost) run.signal = opts.signal ? AbortSignal.any([opts.signal, lock.lost]) : lock.lost;
  const apis: TikTokShopApi[] = [];
  let poster: Poster | undefined;
  let unforce: (() => void) | undefined;
  try {
    if (write) run.runId = summary.runId = (await store.runs.start(org.id, { since: summary.since, until: summary.until })).id;
    unforce = opts.onForce?.(() => {
      // The process ends right after this step, without waiting: SQLite writes before the call
      // returns unless a transaction holds the connection, and then the run simply stays open.
      if (run.runId !== null) void store.runs.finish(run.runId, 'failed', summary, 'interrupted').catch(() => undefined);
      // A database lock dies with the process's connection anyway; a lock file needs removing now.
      void lock?.release();
    });
    const integrations = (await store.integrations.listForOrg(org.id)).filter((i) => i.platform === 'tiktok' && i.status === 'active');
    // Before anything is written: is another synder booking these shops into this ledger company?
    await claimShops(run, integrations, (i) => windowStart(store, i, org, opts.since, startedAt), opts.takeOver);
    if (write) await recoverPending(run, sizes.batchSize);
    // Looked at before this run writes anything: has this store booked for the org before?
    const decider = new Decider(store, org.id, run.runId ?? undefined, await store.documents.hasAny(org.id, ['posted', 'deleted', 'replaced']));
    poster = write ? new Poster(run, sizes, (key) => decider.settled(key)) : undefined;
    const booking: Booking = { decider, poster, plan: write ? undefined : new DryRunPlan(run.resolver) };

    const starts = new Map<number, Date>();
    for (const integration of integrations) {
      const api = await deps.tiktokFor(integration);
      apis.push(api);
      const from = await windowStart(store, integration, org, opts.since, startedAt);
      starts.set(integration.id, from);
      opts.signal?.throwIfAborted();
      await syncIntegration(run, booking, { integration, api, builder, from, until, chunkTransactions: sizes.chunkTransactions, sliceSize: sizes.batchSize });
    }
    await bookLeftovers(run, booking, integrations, sizes.batchSize);
    if (!write) {
      summary.plan = booking.plan!.documents();
      stamp(summary, apis, ledger, t0);
      return summary;
    }
    await poster!.flush(true);
    // Bookmarks move only under the lock: a run that lost it leaves them to whoever holds it now.
    lock?.lost?.throwIfAborted();

    await advanceBookmarks(store, integrations, starts, until, startedAt, (opts.lookbackHours ?? 72) * 3_600_000);
    run.progress({ type: 'phase', phase: 'check', message: 'Checking clearing balances' });
    summary.clearing = await clearingChecks(store, ledger, org, integrations);
    summary.ok = summary.failures.length === 0;
    stamp(summary, apis, ledger, t0);
    await store.runs.finish(run.runId!, summary.ok ? 'ok' : 'partial', summary);
    return summary;
  } catch (caught) {
    // A statement that failed because the server went away is the lost lock, said in the org's words.
    const err = lock?.lost?.aborted ? lostLock(org.name, lock.lost.reason) : caught;
    // A failure elsewhere must not leave a post() writing to the store after the run is closed.
    await poster?.settle();
    if (run.runId !== null) {
      try {
        stamp(summary, apis, ledger, t0);
        await store.runs.finish(run.runId, 'failed', summary, err instanceof Error ? err.message : String(err));
      } catch {
        // Recording the failure must not hide it.
      }
    }
    throw err;
  } finally {
    unforce?.();
    await lock?.release();
  }
}

function lostLock(orgName: string, reason: unknown): unknown {
  if (!(reason instanceof LockLostError)) return reason;
  return new LockLostError(`The sync of "${orgName}" stopped: it lost its lock on the database (${reason.message.replace(/^Lost the lock \S+: /, '').replace(/\.$/, '')}).`, reason.hint);
}

function postSizes(deps: SyncDeps, ledger: LedgerConnector): PosterSizes & { chunkTransactions: number } {
  // Documents per post(): the ledger's own choice unless the caller sets it.
  const batchSize = deps.batchSize ?? ledger.documentsPerPost;
  return {
    batchSize,
    startSize: Math.min(batchSize, 300),
    // Transactions fetched and built together.
    chunkTransactions: Math.max(1, deps.chunkTransactions ?? Math.ceil(batchSize / 4)),
  };
}

/** One integration's statements, then its payouts, booked as they are built. */
async function syncIntegration(
  run: RunContext,
  booking: Booking,
  p: { integration: Integration; api: TikTokShopApi; builder: DocumentBuilder; from: Date; until: Date; chunkTransactions: number; sliceSize: number },
): Promise<void> {
  const { integration, api } = p;
  run.progress({ type: 'phase', phase: 'fetch', integration: integration.name, message: `Fetching ${integration.name} since ${p.from.toISOString().slice(0, 10)}` });
  const listed = await listFinance(api, { from: sec(p.from), to: sec(p.until) });
  const payments = [...listed.payments, ...(await storedPaymentsNeedingWork(run.store, integration.id, new Set(listed.payments.map((x) => x.id))))];
  const src = await integrationSource(run, integration, api, p.builder, payments);
  counted(src, 'statements', listed.statements.length);
  counted(src, 'payments', listed.payments.length);
  const forPayouts = new Map<string, StatementBundle>();
  for await (const built of statementWork(src, listed.statements, p.chunkTransactions, forPayouts)) {
    for (const slice of slices(built, p.sliceSize)) await book(run, booking, slice.work, slice.links);
  }
  const payouts = await payoutWork(src, payments, forPayouts);
  await book(run, booking, payouts.work, payouts.links);
}

/**
 * A chunk's documents in slices of about `size`, each with the records whose documents end in it
 * (a record's status is set once all its documents are through). A large shop's statement builds
 * thousands of documents at once; booked a slice at a time, the poster's buffer stays bounded and
 * building waits for the ledger instead of piling documents up.
 */
export function slices(built: Built, size: number): Built[] {
  if (built.work.length <= size) return [built];
  const out: Built[] = [];
  for (let i = 0; i < built.work.length; i += size) out.push({ work: built.work.slice(i, i + size), links: [] });
  const sliceOf = new Map<string, number>();
  built.work.forEach((w, i) => sliceOf.set(w.doc.key, Math.floor(i / size)));
  for (const link of built.links) out[link.docKeys.reduce((last, k) => Math.max(last, sliceOf.get(k) ?? 0), 0)]!.links.push(link);
  return out;
}

/** Decides what built documents need, then plans them (dry run) or hands them to the poster. */
async function book(run: RunContext, booking: Booking, work: Work[], links: SourceLink[], extra: PostItem[] = []): Promise<void> {
  run.signal?.throwIfAborted();
  const decision = await booking.decider.decide(work);
  decision.toPost.push(...extra);
  countDecision(run.summary, decision);
  if (booking.plan) await booking.plan.add(decision);
  else await booking.poster!.book(decision, links);
}

/**
 * Documents left pending or failed by earlier runs whose source is outside this run's window:
 * retried, a page at a time (their keys first, then the rows), so many of them are not held at once.
 */
async function bookLeftovers(run: RunContext, booking: Booking, integrations: Integration[], pageSize: number): Promise<void> {
  const { store, org, runId } = run;
  const byId = new Map(integrations.map((i) => [i.id, i]));
  // This run's own intents are decided already; a dry run has none.
  const keys = await store.documents.keys(org.id, ['pending', 'failed'], { notOfRun: runId });
  let page: PostItem[] = [];
  for (const key of keys) {
    const row = await store.documents.get(org.id, key);
    if (!row || booking.decider.decided(row)) continue;
    const integration = row.integrationId !== null ? byId.get(row.integrationId) : undefined;
    if (!integration) continue;
    booking.decider.claim(row.baseKey);
    page.push({ integration, doc: row.body, hash: row.hash, action: 'retry' });
    if (page.length >= pageSize) {
      await book(run, booking, [], [], page);
      page = [];
    }
  }
  await book(run, booking, [], [], page);
}
