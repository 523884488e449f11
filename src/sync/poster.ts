import type { PostInput, PostOutcome } from '../providers/ledger-connector.js';
import type { Decision, Replacement } from './decide.js';
import { recordEvent, type RunContext } from './run.js';
import { updateSourceStatuses } from './source-status.js';
import { documentSource, type PostItem, type SourceLink } from './work.js';

export interface PosterSizes {
  /** Documents per post() call: between this and twice this. */
  batchSize: number;
  /** An idle ledger starts on what is ready once this many documents are (the start of a run). */
  startSize: number;
}

/** Source records' links per buffered document before the buffer is handed on anyway. */
const LINKS_PER_DOCUMENT = 4;

const REMOVE_FIX = 'Remove or void it in the ledger yourself, then run `synder sync` again.';

/**
 * Every ledger write of a run, and the store writes that make it safe to interrupt: accounts
 * first, then per post() call the intents (before the ledger is called), the call, and the
 * outcomes; the source records' statuses once their documents are through. Posting runs in the
 * background, one post() at a time, while the caller builds the next documents, so the ledger's
 * rate limit, not TikTok or our own work, sets the pace; memory holds about two calls' worth.
 */
export class Poster {
  private buffer: PostItem[] = [];
  private bufferLinks: SourceLink[] = [];
  private posting: Promise<void> | undefined;
  /** Finding or creating the accounts asked for so far; every post waits for it. */
  private accounts: Promise<void> = Promise.resolve();
  private busy = false;
  private posted = 0;
  private announcedAccounts = false;

  /** @param recorded told each key whose intent is now in the store */
  constructor(private readonly run: RunContext, private readonly sizes: PosterSizes, private readonly recorded: (key: string) => void) {}

  /** Posts what was decided (removing replaced versions first) once enough has gathered; `links` get their statuses after. */
  async book(decision: Decision, links: SourceLink[]): Promise<void> {
    const { toPost, toReplace } = decision;
    // Which accounts are needed is known now (an unmapped role fails here). Finding or creating
    // them is ledger work: it starts now, in the background, so building and fetching never wait
    // on the ledger, and each post waits for the accounts asked for before it.
    const items = [...toPost, ...toReplace.map((r) => r.item)];
    for (const p of items) this.run.resolver.require(p.doc, p.integration);
    if (items.length > 0) {
      this.accounts = this.accounts.then(() => this.ensureAccounts());
      this.accounts.catch(() => undefined); // rethrown by the post that waits for it
    }
    const replacing = toReplace.length > 0 ? await this.removeOld(toReplace) : [];
    this.buffer.push(...toPost, ...replacing);
    for (const l of links) this.bufferLinks.push(l);
    // A summary books a large shop's statement in a document or two and links each of its
    // thousands of transactions to them: the links alone must not wait for a full buffer.
    const full = this.buffer.length >= this.sizes.batchSize || this.bufferLinks.length >= LINKS_PER_DOCUMENT * this.sizes.batchSize;
    if (full || (!this.busy && this.buffer.length >= this.sizes.startSize)) await this.flush();
  }

  /** Hands what is buffered to the ledger in the background (after the previous post() is done); `final` waits for it. */
  async flush(final = false): Promise<void> {
    if (this.posting) await this.posting;
    this.busy = true;
    const [items, links] = [this.buffer, this.bufferLinks];
    this.posting = this.accounts.then(() => this.postAll(items, links)).finally(() => {
      this.busy = false;
    });
    this.posting.catch(() => undefined); // rethrown where it is awaited; not unhandled meanwhile
    this.buffer = [];
    this.bufferLinks = [];
    if (final) await this.posting;
  }

  /** Waits for the accounts and a post() in flight, without their errors: a failed run must not write after it is closed. */
  async settle(): Promise<void> {
    await this.accounts.catch(() => undefined);
    await this.posting?.catch(() => undefined);
  }

  private async ensureAccounts(): Promise<void> {
    const { resolver, ledger, progress } = this.run;
    if (!this.announcedAccounts) progress({ type: 'phase', phase: 'accounts', message: 'Finding or creating ledger accounts' });
    this.announcedAccounts = true;
    await resolver.ensure(ledger);
  }

  /** A changed source: remove what was booked before; what the ledger removed is posted again under its new key. */
  private async removeOld(toReplace: Replacement[]): Promise<PostItem[]> {
    const { store, ledger, summary } = this.run;
    const outcomes = new Map((await ledger.remove(toReplace.map((r) => ({ key: r.old.key, refs: r.old.refs })))).map((o) => [o.key, o]));
    const out: PostItem[] = [];
    for (const r of toReplace) {
      const o = outcomes.get(r.old.key);
      if (o && o.status !== 'refused') {
        await store.documents.setStatus(this.run.org.id, r.old.key, 'replaced');
        await recordEvent(this.run, 'document', r.old.key, 'replaced', `${o.status} in the ledger; replaced by ${r.item.doc.key}`);
        out.push(r.item);
        continue;
      }
      const message = `The ledger would not remove the previous version ${r.old.key}: ${o?.message ?? 'no answer'}`;
      await store.documents.markFailed(this.run.org.id, r.old.key, message, REMOVE_FIX, r.old.refs);
      await store.documents.setStatus(this.run.org.id, r.old.key, 'posted', message);
      this.recorded(r.old.key);
      summary.documents.failed++;
      summary.failures.push({ key: r.old.key, kind: r.old.kind, orderId: r.old.orderId ?? undefined, statementId: r.old.statementId ?? undefined, error: message, fix: REMOVE_FIX });
    }
    return out;
  }

  /** Posts in post() calls of batchSize to twice that (a remainder rides along instead of going alone), then the sources' statuses. */
  private async postAll(items: PostItem[], links: SourceLink[]): Promise<void> {
    const { store, ledger, resolver, progress, summary } = this.run;
    if (items.length > 0) progress({ type: 'phase', phase: 'post', message: `Posting ${items.length} document(s)` });
    const total = this.posted + items.length;
    const size = Math.ceil(items.length / Math.max(1, Math.floor(items.length / this.sizes.batchSize)));
    for (let i = 0; i < items.length; i += size) {
      const batch = items.slice(i, i + size);
      this.run.signal?.throwIfAborted();
      await store.transaction(() => this.recordIntents(batch));
      // Recording took a moment: a lock lost meanwhile must not let this batch reach the ledger.
      this.run.signal?.throwIfAborted();
      const inputs: PostInput[] = batch.map((p) => ({ doc: p.doc, accounts: resolver.accountsFor(p.doc, p.integration.id), fresh: p.fresh }));
      const outcomes = new Map((await ledger.post(inputs)).map((o) => [o.key, o]));
      await store.transaction(() => this.recordOutcomes(batch, outcomes));
      this.posted += batch.length;
      const d = summary.documents;
      progress({ type: 'posted', done: this.posted, total, created: d.created + d.updated, existing: d.existing, failed: d.failed });
    }
    await store.transaction(() => updateSourceStatuses(this.run, links));
  }

  /** Intents, always before the ledger is called: a run that dies after this finds the keys in the ledger next time. */
  private async recordIntents(batch: PostItem[]): Promise<void> {
    const { store, org, runId } = this.run;
    for (const p of batch) {
      const src = documentSource(p.doc);
      await store.documents.recordIntent({
        orgId: org.id, integrationId: p.integration.id, key: p.doc.key, kind: p.doc.kind, sourceKind: src.sourceKind, sourceId: src.sourceId,
        orderId: p.doc.refs.orderId ?? null, statementId: p.doc.refs.statementId ?? null, paymentId: p.doc.refs.paymentId ?? null,
        date: p.doc.date, currency: p.doc.currency, body: p.doc, hash: p.hash, warnings: p.doc.warnings, runId,
      });
      this.recorded(p.doc.key);
    }
  }

  private async recordOutcomes(batch: PostItem[], outcomes: Map<string, PostOutcome>): Promise<void> {
    const { store, runId, summary } = this.run;
    for (const p of batch) {
      const o = outcomes.get(p.doc.key);
      if (!o) continue;
      if (o.status === 'failed') {
        await store.documents.markFailed(this.run.org.id, p.doc.key, o.error, o.fix, o.refs);
        await recordEvent(this.run, 'document', p.doc.key, 'failed', o.error);
        summary.documents.failed++;
        summary.failures.push({ key: p.doc.key, kind: p.doc.kind, orderId: p.doc.refs.orderId, statementId: p.doc.refs.statementId, paymentId: p.doc.refs.paymentId, error: o.error, fix: o.fix });
        continue;
      }
      await store.documents.markPosted(this.run.org.id, p.doc.key, o.refs, runId);
      await recordEvent(this.run, 'document', p.doc.key, 'posted', o.status === 'existing' ? 'already in the ledger' : p.action === 'update' ? 'new version posted' : undefined);
      if (o.status === 'existing') summary.documents.existing++;
      else if (p.action === 'update') summary.documents.updated++;
      else summary.documents.created++;
    }
  }
}
