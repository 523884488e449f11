import { describe, expect, it } from 'vitest';
import { slices } from '../../src/sync/engine.js';
import { recoverPending } from '../../src/sync/recover.js';
import { SKIPPED_REASON, sourceStatus } from '../../src/sync/source-status.js';
import { countDecision, DryRunPlan } from '../../src/sync/summary.js';
import { advanceBookmarks, importStart, windowStart } from '../../src/sync/window.js';
import { workOf } from '../../src/sync/work.js';
import { FakeLedger, NOW, makeRun, sampleDoc } from './sync-fakes.js';

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('sync: window and bookmarks', () => {
  it('reads from --since, else the bookmark, else the import start (30 days by default)', async () => {
    const t = await makeRun();
    const since = new Date(NOW.getTime() - 5 * 24 * H);
    expect(await windowStart(t.store, t.integration, t.run.org, since, NOW)).toEqual(since);
    expect(await windowStart(t.store, t.integration, t.run.org, undefined, NOW)).toEqual(new Date(NOW.getTime() - 30 * 24 * H));
    await t.store.bookmarks.set(t.integrationId, 'statements', iso(NOW.getTime() - 2 * H));
    expect(await windowStart(t.store, t.integration, t.run.org, undefined, NOW)).toEqual(new Date(NOW.getTime() - 2 * H));
    expect(importStart({ ...t.integration, settings: { importStart: '2025-01-01' } }, t.run.org, NOW)).toEqual(new Date('2025-01-01'));
    await t.store.close();
  });

  it('moves the bookmark to the run end capped by the lookback, never back, and not over a gap', async () => {
    const t = await makeRun();
    const lookback = 72 * H;
    const starts = new Map([[t.integrationId, new Date(NOW.getTime() - 40 * 24 * H)]]);
    await advanceBookmarks(t.store, [t.integration], starts, NOW, NOW, lookback);
    expect(await t.store.bookmarks.get(t.integrationId, 'statements')).toBe(iso(NOW.getTime() - lookback));
    // --until before the cap: the bookmark goes to --until... but never back.
    await advanceBookmarks(t.store, [t.integration], starts, new Date(NOW.getTime() - 100 * H), NOW, lookback);
    expect(await t.store.bookmarks.get(t.integrationId, 'statements')).toBe(iso(NOW.getTime() - lookback));
    // A run that started after the bookmark left a gap: the bookmark stays.
    const later = new Date(NOW.getTime() + 200 * H);
    await advanceBookmarks(t.store, [t.integration], new Map([[t.integrationId, new Date(NOW.getTime() + 10 * H)]]), later, later, lookback);
    expect(await t.store.bookmarks.get(t.integrationId, 'statements')).toBe(iso(NOW.getTime() - lookback));
    await t.store.close();
  });
});

describe('sync: recovering pending intents', () => {
  it('marks what the ledger has as posted (a page at a time) and leaves the rest to retry', async () => {
    const ledger = new FakeLedger();
    const t = await makeRun({ ledger });
    for (const k of ['a', 'b', 'c']) {
      const d = sampleDoc(k);
      await t.store.documents.recordIntent({ orgId: t.orgId, integrationId: t.integrationId, key: k, kind: d.kind, date: d.date, currency: d.currency, body: d, hash: 'h', warnings: [], runId: null });
    }
    ledger.books.set('a', { key: 'a', doc: sampleDoc('a'), ref: { type: 'JournalEntry', id: '9' } });
    ledger.books.set('c', { key: 'c', doc: sampleDoc('c'), ref: { type: 'JournalEntry', id: '10' } });
    await recoverPending(t.run, 2);
    expect(ledger.apiCalls).toBe(2);
    expect(await Promise.all(['a', 'b', 'c'].map(async (k) => (await t.store.documents.get(t.orgId, k))!.status))).toEqual(['posted', 'pending', 'posted']);
    expect(t.run.summary.documents.recovered).toBe(2);
    expect(t.events[0]).toMatchObject({ type: 'phase', phase: 'recover' });
    await t.store.close();
  });
});

describe('sync: source status from its documents', () => {
  const d = (status: 'posted' | 'pending' | 'failed', warnings: string[] = [], error: string | null = null) => ({ status, warnings, error });
  it('failed on a build error or a failed document, skipped with none, ready until all are posted', async () => {
    expect(sourceStatus(['bad data'], [d('posted')])).toEqual({ status: 'failed', error: 'bad data' });
    // A skipped record says why.
    expect(sourceStatus([], [])).toEqual({ status: 'skipped', error: SKIPPED_REASON });
    expect(sourceStatus([], [d('posted'), d('failed', [], 'inactive')])).toEqual({ status: 'failed', error: 'inactive' });
    expect(sourceStatus([], [d('posted'), d('pending')])).toEqual({ status: 'ready', error: null });
    expect(sourceStatus([], [d('posted'), d('posted', ['unknown fee'])])).toEqual({ status: 'synced_with_warnings', error: null });
    expect(sourceStatus([], [d('posted')])).toEqual({ status: 'synced', error: null });
  });
});

describe('sync: the run summary', () => {
  it('counts what is there at once and plans to post, then replace, then what is there', async () => {
    const t = await makeRun({ write: false });
    const w = (k: string) => workOf(t.integration, sampleDoc(k));
    const decision = {
      toPost: [{ ...w('new'), action: 'create' as const }],
      toReplace: [{ old: undefined as never, item: { ...w('chg~v2'), action: 'update' as const } }],
      existing: [{ ...w('same'), action: 'existing' as const }],
    };
    countDecision(t.run.summary, decision);
    expect(t.run.summary.documents).toMatchObject({ planned: 2, existing: 1 });
    const plan = new DryRunPlan(t.run.resolver);
    await plan.add(decision);
    expect(plan.documents().map((p) => [p.action, p.doc.key, p.accountNames.sales])).toEqual([
      ['create', 'new', 'TikTok Shop Sales'], ['update', 'chg~v2', 'TikTok Shop Sales'], ['existing', 'same', 'TikTok Shop Sales'],
    ]);
    await t.store.close();
  });
});

describe('sync: a large chunk booked in slices', () => {
  it('cuts the documents into slices and sends each record with the slice its last document is in', async () => {
    const t = await makeRun();
    const work = ['a', 'b', 'c', 'd', 'e'].map((k) => workOf(t.integration, sampleDoc(k)));
    const link = (id: number, docKeys: string[]) => ({ recordId: id, kind: 'statement_transaction', externalId: String(id), docKeys, errors: [] });
    const out = slices({ work, links: [link(1, ['a', 'b']), link(2, ['b', 'c']), link(3, []), link(4, ['a', 'e'])] }, 2);
    expect(out.map((s) => s.work.map((w) => w.doc.key))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(out.map((s) => s.links.map((l) => l.recordId))).toEqual([[1, 3], [2], [4]]);
    expect(slices({ work, links: [] }, 10)).toHaveLength(1);
    await t.store.close();
  });
});
