import { describe, expect, it } from 'vitest';
import type { PostInput, PostOutcome } from '../../src/providers/ledger-connector.js';
import { Decider } from '../../src/sync/decide.js';
import { Poster } from '../../src/sync/poster.js';
import { workOf } from '../../src/sync/work.js';
import { FakeLedger, makeRun, sampleDoc } from './sync-fakes.js';

/** A ledger that notes, at each post(), the status the store shows for every key it is sent. */
class WatchingLedger extends FakeLedger {
  calls: Array<{ size: number; statuses: Array<string | undefined> }> = [];
  statusOf: (key: string) => Promise<string | undefined> = async () => undefined;
  override async post(inputs: PostInput[]): Promise<PostOutcome[]> {
    this.calls.push({ size: inputs.length, statuses: await Promise.all(inputs.map((i) => this.statusOf(i.doc.key))) });
    return super.post(inputs);
  }
}

async function setup(batchSize = 4) {
  const ledger = new WatchingLedger();
  const t = await makeRun({ ledger });
  ledger.statusOf = async (key) => (await t.store.documents.get(t.orgId, key))?.status;
  const decider = new Decider(t.store, t.orgId, t.run.runId!, true);
  const settled: string[] = [];
  const poster = new Poster(t.run, { batchSize, startSize: 2 }, (key) => {
    settled.push(key);
    decider.settled(key);
  });
  const decide = (n: number, from = 0) => decider.decide(Array.from({ length: n }, (_, i) => workOf(t.integration, sampleDoc(`d${from + i}`))));
  return { ...t, ledger, decider, poster, settled, decide };
}

describe('sync: the poster', () => {
  it('records each intent before the ledger is called, then the outcome', async () => {
    const t = await setup();
    await t.poster.book(await t.decide(3), []);
    await t.poster.flush(true);
    expect(t.ledger.calls.flatMap((c) => c.statuses).every((s) => s === 'pending')).toBe(true);
    expect((await t.store.documents.list(t.orgId, {})).map((r) => [r.key, r.status, r.runId])).toEqual(['d0', 'd1', 'd2'].map((k) => [k, 'posted', t.run.runId]));
    expect(t.settled).toEqual(['d0', 'd1', 'd2']);
    expect(t.run.summary.documents.created).toBe(3);
    expect(t.events.filter((e) => e.type === 'posted').at(-1)).toMatchObject({ done: 3, total: 3, created: 3 });
    await t.store.close();
  });

  it('posts in calls of batchSize to twice that, starting an idle ledger early and building while it posts', async () => {
    const t = await setup(4);
    await t.poster.book(await t.decide(1), []);
    expect(t.ledger.calls).toHaveLength(0); // below the start size: waits for more
    await t.poster.book(await t.decide(2, 1), []);
    // The idle ledger got the first three without waiting for a full call's worth.
    await t.poster.book(await t.decide(9, 3), []);
    await t.poster.flush(true);
    // Nine waiting documents go as 5 + 4, never a call smaller than batchSize on its own.
    expect(t.ledger.calls.map((c) => c.size)).toEqual([3, 5, 4]);
    expect(t.ledger.books.size).toBe(12);
    await t.store.close();
  });

  it('removes a changed document before posting its new version; a refused removal fails it and keeps the old', async () => {
    const t = await setup();
    await t.poster.book(await t.decide(2), []);
    await t.poster.flush(true);
    const changed = await new Decider(t.store, t.orgId, t.run.runId!, true).decide(['d0', 'd1'].map((k) => workOf(t.integration, sampleDoc(k, 250))));
    expect(changed.toReplace).toHaveLength(2);
    const remove = t.ledger.remove.bind(t.ledger);
    t.ledger.remove = async (items) => (await remove(items)).map((o) => (o.key === 'd1' ? { key: 'd1', status: 'refused', message: 'locked period' } : o));
    await t.poster.book(changed, []);
    await t.poster.flush(true);
    expect((await t.store.documents.get(t.orgId, 'd0'))!.status).toBe('replaced');
    expect((await t.store.documents.get(t.orgId, 'd0~v2'))!.status).toBe('posted');
    expect(await t.store.documents.get(t.orgId, 'd1')).toMatchObject({ status: 'posted', error: expect.stringContaining('locked period') });
    expect(await t.store.documents.get(t.orgId, 'd1~v2')).toBeUndefined();
    expect(t.run.summary.documents).toMatchObject({ updated: 1, failed: 1 });
    expect(t.run.summary.failures[0]).toMatchObject({ key: 'd1' });
    await t.store.close();
  });

  it('sets the linked source records\' statuses once their documents are through', async () => {
    const t = await setup();
    const rec = (await t.store.sourceRecords.upsert({ integrationId: t.integrationId, kind: 'statement_transaction', externalId: 'tx-d0', raw: { id: 'tx-d0', type: 'ORDER', settlement_amount: '0' }, hash: 'h' })).record;
    const bad = (await t.store.sourceRecords.upsert({ integrationId: t.integrationId, kind: 'statement_transaction', externalId: 'tx-bad', raw: { id: 'tx-bad', type: 'ORDER', settlement_amount: '0' }, hash: 'h' })).record;
    t.ledger.reject.add('d1');
    await t.poster.book(await t.decide(2), [
      { recordId: rec.id, kind: 'statement_transaction', externalId: 'tx-d0', docKeys: ['d0'], errors: [] },
      { recordId: bad.id, kind: 'statement_transaction', externalId: 'tx-bad', docKeys: ['d1'], errors: [] },
    ]);
    await t.poster.flush(true);
    expect((await t.store.sourceRecords.byId(rec.id))!.status).toBe('synced');
    expect(await t.store.sourceRecords.byId(bad.id)).toMatchObject({ status: 'failed', error: 'Account is inactive' });
    await t.store.close();
  });

  it('finds the accounts in the background: booking does not wait on the ledger, every post waits for them, and a refusal fails the post', async () => {
    const t = await setup(4);
    let answer: () => void = () => undefined;
    const ensure = t.ledger.ensureAccounts.bind(t.ledger);
    t.ledger.ensureAccounts = async (specs) => {
      await new Promise<void>((r) => (answer = r));
      return ensure(specs);
    };
    await t.poster.book(await t.decide(1), []); // returns while the accounts are still being found
    const flushed = t.poster.flush(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(t.ledger.calls).toHaveLength(0);
    answer();
    await flushed;
    expect(t.ledger.calls).toHaveLength(1);

    const u = await setup(4);
    u.ledger.ensureAccounts = async () => {
      throw new Error('the ledger refused the account');
    };
    await u.poster.book(await u.decide(1), []);
    await expect(u.poster.flush(true)).rejects.toThrow('the ledger refused the account');
    expect(u.ledger.calls).toHaveLength(0);
    await t.store.close();
    await u.store.close();
  });

  it('a post() that fails in the background is rethrown where it is awaited, after which nothing more is written', async () => {
    const t = await setup(2);
    t.ledger.crashAfter = 0;
    await t.poster.book(await t.decide(2), []);
    await expect(t.poster.flush(true)).rejects.toThrow(/simulated crash/);
    await t.poster.settle();
    expect((await t.store.documents.list(t.orgId, {})).map((r) => r.status)).toEqual(['pending', 'pending']);
    await t.store.close();
  });
});
