import { describe, expect, it } from 'vitest';
import type { BookingDocument } from '../../src/booking/document.js';
import { Decider } from '../../src/sync/decide.js';
import { workOf } from '../../src/sync/work.js';
import { makeRun, sampleDoc as doc } from './sync-fakes.js';

async function setup() {
  const t = await makeRun();
  const intent = (d: BookingDocument, runId: number | null = null) =>
    t.store.documents.recordIntent({ orgId: t.orgId, integrationId: t.integrationId, key: d.key, kind: d.kind, date: d.date, currency: d.currency, body: d, hash: workOf(t.integration, d).hash, warnings: [], runId });
  return { ...t, intent, work: (d: BookingDocument) => workOf(t.integration, d) };
}

describe('sync: deciding what each document needs', () => {
  it('creates the new, keeps what is posted unchanged, replaces the changed under the next version, retries pending and failed', async () => {
    const t = await setup();
    await t.intent(doc('same'));
    await t.store.documents.markPosted(t.orgId, 'same', [{ type: 'JournalEntry', id: '1' }], null);
    await t.intent(doc('changed'));
    await t.store.documents.markPosted(t.orgId, 'changed', [{ type: 'JournalEntry', id: '2' }], null);
    await t.intent(doc('pending'));
    await t.intent(doc('failed'));
    await t.store.documents.markFailed(t.orgId, 'failed', 'no', undefined);
    await t.intent(doc('gone'));
    await t.store.documents.setStatus(t.orgId, 'gone', 'deleted');

    const d = await new Decider(t.store, t.orgId, t.run.runId!, true).decide([doc('new'), doc('same'), doc('changed', 200), doc('pending'), doc('failed'), doc('gone')].map(t.work));
    expect(d.toPost.map((p) => [p.doc.key, p.action, p.fresh])).toEqual([
      ['new', 'create', true], ['pending', 'retry', undefined], ['failed', 'retry', undefined], ['gone~v2', 'create', undefined],
    ]);
    expect(d.existing.map((p) => p.doc.key)).toEqual(['same']);
    expect(d.toReplace.map((r) => [r.old.key, r.item.doc.key, r.item.action])).toEqual([['changed', 'changed~v2', 'update']]);
    await t.store.close();
  });

  it('a store without history says "not known to be new" (fresh false), so the connector looks keys up', async () => {
    const t = await setup();
    const d = await new Decider(t.store, t.orgId, t.run.runId!, false).decide([t.work(doc('a'))]);
    expect(d.toPost[0]!.fresh).toBe(false);
    await t.store.close();
  });

  it('decides each key once per run, remembering only keys whose intents are not recorded yet', async () => {
    const t = await setup();
    const decider = new Decider(t.store, t.orgId, t.run.runId!, true);
    expect((await decider.decide([t.work(doc('a')), t.work(doc('a'))])).toPost).toHaveLength(1);
    expect((await decider.decide([t.work(doc('a'))])).toPost).toHaveLength(0);
    // Once the intent is in the store under this run, the store answers for it.
    await t.intent(doc('a'), t.run.runId);
    decider.settled('a');
    expect((await decider.decide([t.work(doc('a'))])).toPost).toHaveLength(0);
    expect(decider.decided((await t.store.documents.get(t.orgId, 'a'))!)).toBe(true);
    // A pending row of an earlier run is not this run's: still to decide.
    await t.intent(doc('b'), null);
    expect(decider.decided((await t.store.documents.get(t.orgId, 'b'))!)).toBe(false);
    decider.claim('b');
    expect(decider.decided((await t.store.documents.get(t.orgId, 'b'))!)).toBe(true);
    await t.store.close();
  });

  it('a dry run remembers every key it decided', async () => {
    const t = await setup();
    const decider = new Decider(t.store, t.orgId, undefined, true);
    expect((await decider.decide([t.work(doc('a'))])).toPost).toHaveLength(1);
    decider.settled('a');
    expect((await decider.decide([t.work(doc('a'))])).toPost).toHaveLength(0);
    await t.store.close();
  });
});
