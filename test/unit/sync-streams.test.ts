import { describe, expect, it, vi } from 'vitest';
import type { StatementBundle } from '../../src/booking/tiktok-data.js';
import { defaultBuilder } from '../../src/sync/builder.js';
import { payoutWork, statementsOf } from '../../src/sync/payout-stream.js';
import { integrationSource } from '../../src/sync/source.js';
import { statementPages } from '../../src/sync/fetch.js';
import { statementWork } from '../../src/sync/statement-stream.js';
import { OrderLane } from '../../src/sync/order-lane.js';
import type { Built } from '../../src/sync/work.js';
import { FakeTikTok, makeRun, makeShop } from './sync-fakes.js';

async function setup(mode: 'per-transaction' | 'summary' = 'per-transaction', write = true) {
  const t = await makeRun({ mode, write });
  const shop = makeShop();
  const tiktok = new FakeTikTok(shop);
  const src = await integrationSource(t.run, t.integration, tiktok, await defaultBuilder(), shop.payments);
  const commits = { n: 0 };
  const transaction = t.store.transaction.bind(t.store);
  t.store.transaction = <T>(fn: () => Promise<T>): Promise<T> => {
    commits.n++;
    return transaction(fn);
  };
  return { ...t, shop, tiktok, src, commits };
}

async function drain(gen: AsyncGenerator<Built>): Promise<Built[]> {
  const out: Built[] = [];
  for await (const b of gen) out.push(b);
  return out;
}

describe('sync: the statement stream', () => {
  it('stores each statement with its transactions in one commit, and builds a chunk at a time', async () => {
    const t = await setup();
    let orderFetches = 0;
    const getOrders = t.tiktok.getOrders.bind(t.tiktok);
    t.tiktok.getOrders = (ids) => {
      orderFetches++;
      return getOrders(ids);
    };
    const forPayouts = new Map<string, StatementBundle>();
    const chunks = await drain(statementWork(t.src, t.shop.statements, 5, forPayouts));
    expect(chunks.length).toBeGreaterThan(1);
    const txCount = t.shop.statements.reduce((n, s) => n + t.shop.statementTransactions.get(s.id)!.transactions.length, 0);
    expect(t.run.summary.fetched.transactions).toBe(txCount);
    // One commit per statement, plus one per fetch of orders.
    expect(orderFetches).toBeGreaterThan(0);
    expect(t.commits.n).toBe(t.shop.statements.length + orderFetches);
    const work = chunks.flatMap((c) => c.work);
    expect(work.length).toBeGreaterThan(0);
    expect(new Set(work.map((w) => w.doc.key)).size).toBe(work.length);
    // Every stored transaction is linked to the documents that book it.
    const links = chunks.flatMap((c) => c.links).filter((l) => l.kind === 'statement_transaction');
    expect(links).toHaveLength(txCount);
    const keys = new Set(work.map((w) => w.doc.key));
    expect(links.every((l) => l.docKeys.every((k) => keys.has(k)))).toBe(true);
    // Payouts keep only the reserve movements of the statements they pay.
    for (const b of forPayouts.values()) expect(b.transactions.every((x) => x.reserve_amount !== undefined)).toBe(true);
    await t.store.close();
  });

  it('asks TikTok for each missing order once, the next chunk\'s while this one is booked', async () => {
    const t = await setup();
    const asked: string[] = [];
    const getOrders = t.tiktok.getOrders.bind(t.tiktok);
    t.tiktok.getOrders = async (ids) => {
      asked.push(...ids);
      const out: Awaited<ReturnType<typeof getOrders>> = [];
      for (let i = 0; i < ids.length; i += 50) out.push(...(await getOrders(ids.slice(i, i + 50))));
      return out;
    };
    const seenAtYield: number[] = [];
    for await (const _ of statementWork(t.src, t.shop.statements, 5, new Map())) seenAtYield.push(asked.length);
    expect(new Set(asked).size).toBe(asked.length);
    expect(await t.store.sourceRecords.list({ kind: ['order'] })).toHaveLength(new Set(asked).size);
    // When the first chunk is handed out, the second one's orders have been asked for too.
    const first = t.shop.statementTransactions.get(t.shop.statements[0]!.id)!.transactions.filter((x) => x.order_id);
    expect(seenAtYield[0]).toBeGreaterThan(new Set(first.map((x) => x.order_id)).size);
    await t.store.close();
  });

  it('builds nothing for statements already booked unchanged', async () => {
    const t = await setup();
    await drain(statementWork(t.src, t.shop.statements, 1000, new Map()));
    for (const r of await t.store.sourceRecords.list({})) await t.store.sourceRecords.setStatus(r.id, 'synced');
    const again = await drain(statementWork(t.src, t.shop.statements, 1000, new Map()));
    expect(again.flatMap((c) => c.work)).toEqual([]);
    await t.store.close();
  });

  it('in summary mode a statement\'s transactions are booked by (and fail with) its statement documents', async () => {
    const t = await setup('summary');
    const chunks = await drain(statementWork(t.src, t.shop.statements, 1000, new Map()));
    const work = chunks.flatMap((c) => c.work);
    expect(work.every((w) => w.doc.kind === 'statement')).toBe(true);
    const links = chunks.flatMap((c) => c.links);
    for (const l of links.filter((x) => x.kind === 'statement_transaction')) {
      const statementId = l.transactionsOf ? l.externalId : (await t.store.sourceRecords.byId(l.recordId))!.statementId!;
      expect(l.docKeys.every((k) => work.find((w) => w.doc.key === k)!.doc.refs.statementId === statementId)).toBe(true);
    }
    // One link stands for a statement's transactions (not one each, thousands in a large shop's statement).
    const booked = new Set(work.map((w) => w.doc.refs.statementId));
    expect(links.filter((l) => l.transactionsOf).map((l) => l.externalId).sort()).toEqual([...booked].sort());
    await t.store.close();
  });

  it('in summary mode orders come on a lane of their own: statements are not held back by them, and every order is stored by the end', async () => {
    const t = await setup('summary');
    const asked: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const getOrders = t.tiktok.getOrders.bind(t.tiktok);
    t.tiktok.getOrders = async (ids) => {
      asked.push(...ids);
      await gate;
      return getOrders(ids);
    };
    const stream = statementWork(t.src, t.shop.statements, 5, new Map());
    // Chunks are built while no order call has answered yet.
    expect((await stream.next()).done).toBe(false);
    expect((await stream.next()).done).toBe(false);
    expect(await t.store.sourceRecords.list({ kind: ['order'] })).toEqual([]);
    release();
    for (let r = await stream.next(); !r.done; r = await stream.next());
    const named = new Set(t.shop.statements.flatMap((s) => t.shop.statementTransactions.get(s.id)!.transactions.flatMap((x) => (x.order_id ? [x.order_id] : []))));
    expect(asked.sort()).toEqual([...named].sort()); // each once
    expect((await t.store.sourceRecords.list({ kind: ['order'] })).map((r) => r.externalId).sort()).toEqual([...named].sort());
    await t.store.close();
  });

  it('in summary mode an order call that fails fails the statements, and nothing is fetched after', async () => {
    const t = await setup('summary');
    let calls = 0;
    t.tiktok.getOrders = async () => {
      calls++;
      throw new Error('TikTok said no');
    };
    await expect(drain(statementWork(t.src, t.shop.statements, 5, new Map()))).rejects.toThrow('TikTok said no');
    const after = calls;
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(after);
    await t.store.close();
  });

  it('the order lane holds a bounded number of ids not yet asked for: naming more waits for the calls', async () => {
    const t = await setup('summary');
    const tiktok = new FakeTikTok(makeShop(200));
    const answers: Array<() => void> = [];
    const getOrders = tiktok.getOrders.bind(tiktok);
    tiktok.getOrders = async (ids) => {
      await new Promise<void>((r) => answers.push(r));
      return getOrders(ids);
    };
    const lane = new OrderLane({ ...t.src, api: tiktok }, 1, 10);
    const ids = tiktok.shop.orders.slice(0, 120).map((o) => o.id);
    let added = false;
    const adding = lane.add(ids.map((order_id, i) => ({ id: `T${i}`, type: 'ORDER', order_id }) as never)).then(() => (added = true));
    const answerOne = async () => {
      await vi.waitFor(() => expect(answers.length).toBe(1));
      answers.shift()!();
      await new Promise((r) => setTimeout(r, 10));
    };
    // One call of 50 under way, 70 waiting (over 10): `add` waits; after one answer 20 still wait.
    await new Promise((r) => setTimeout(r, 10));
    expect(added).toBe(false);
    await answerOne();
    expect(added).toBe(false);
    await answerOne(); // the last 20 are asked for: none waiting
    await adding;
    const finishing = lane.finish();
    await answerOne();
    await finishing;
    expect((await t.store.sourceRecords.list({ kind: ['order'] })).map((r) => r.externalId).sort()).toEqual([...ids].sort());
    await t.store.close();
  });

  it('a stopped run (Ctrl+C) stops waiting on the order lane at once, and the lane then waits only for the calls under way', async () => {
    const t = await setup('summary');
    const stop = new AbortController();
    t.run.signal = stop.signal;
    const answers: Array<() => void> = [];
    const getOrders = t.tiktok.getOrders.bind(t.tiktok);
    t.tiktok.getOrders = async (ids) => {
      await new Promise<void>((r) => answers.push(r));
      return getOrders(ids);
    };
    const lane = new OrderLane(t.src, 1);
    await lane.add(t.shop.orders.map((o, i) => ({ id: `T${i}`, type: 'ORDER', order_id: o.id }) as never));
    const finishing = lane.finish();
    finishing.catch(() => undefined);
    await vi.waitFor(() => expect(answers.length).toBe(1));
    stop.abort(new Error('stopped by the user'));
    await expect(finishing).rejects.toThrow('stopped by the user');
    let closed = false;
    const closing = lane.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(closed).toBe(false); // one call is still under way
    answers.shift()!();
    await closing;
    expect(answers).toEqual([]); // nothing asked for after the stop
    await t.store.close();
  });

  it('reads a stored statement back a page at a time, in order, its first and last pages marked', async () => {
    const t = await setup();
    await drain(statementWork(t.src, t.shop.statements, 1000, new Map()));
    const stored = t.shop.statements.filter((s) => t.shop.statementTransactions.get(s.id)!.transactions.length >= 3);
    expect(stored.length).toBeGreaterThan(0);
    const pages = [];
    for await (const p of statementPages(t.tiktok, t.store, t.integration.id, stored.map((s) => ({ storedId: s.id })), 10, 4, 2)) pages.push(p);
    for (const s of stored) {
      const own = pages.filter((p) => p.statement.id === s.id);
      expect(own.map((p) => p.transactions.map((x) => x.id)).flat()).toEqual((await t.store.sourceRecords.list({ statementId: s.id, kind: ['statement_transaction'] })).map((r) => r.externalId));
      expect(own.every((p) => p.transactions.length <= 2 && !p.fetched)).toBe(true);
      expect(own.map((p) => [p.first, p.last])).toEqual(own.map((_, i) => [i === 0, i === own.length - 1]));
    }
    await t.store.close();
  });

  it('a dry run stores nothing', async () => {
    const t = await setup('per-transaction', false);
    const chunks = await drain(statementWork(t.src, t.shop.statements, 1000, new Map()));
    expect(chunks.flatMap((c) => c.work).length).toBeGreaterThan(0);
    expect(await t.store.sourceRecords.list({})).toEqual([]);
    await t.store.close();
  });
});

describe('sync: the payout stream', () => {
  it('builds each payment\'s payout from the statements it pays, this run\'s or stored', async () => {
    const t = await setup();
    const forPayouts = new Map<string, StatementBundle>();
    await drain(statementWork(t.src, t.shop.statements, 1000, forPayouts));
    const fromRun = await payoutWork(t.src, t.shop.payments, forPayouts);
    expect(fromRun.work.length).toBeGreaterThan(0);
    expect(fromRun.work.every((w) => w.doc.refs.paymentId && t.shop.payments.some((p) => p.id === w.doc.refs.paymentId))).toBe(true);
    expect(t.run.summary.failures).toEqual([]);
    expect(fromRun.links.map((l) => l.externalId)).toEqual(t.shop.payments.map((p) => p.id));
    // The same payouts from what the store holds alone (a later run that fetched no statements).
    for (const r of await t.store.sourceRecords.list({ kind: ['payment'] })) await t.store.sourceRecords.setStatus(r.id, 'ready');
    const fromStore = await payoutWork(t.src, t.shop.payments, new Map());
    expect(fromStore.work.map((w) => w.hash)).toEqual(fromRun.work.map((w) => w.hash));
    await t.store.close();
  });

  it('a statement of this run replaces its stored version', async () => {
    const st = (id: string, paymentId: string, tag: string): StatementBundle => ({ statement: { id, payment_id: paymentId, tag } as never, transactions: [] });
    const stored = { forPayment: async (pid: string) => (pid === 'p1' ? [st('s1', 'p1', 'old'), st('s2', 'p1', 'old')] : []) };
    const fresh = new Map([['s2', st('s2', 'p1', 'new')], ['s3', st('s3', 'p1', 'new')], ['s4', st('s4', 'p2', 'new')]]);
    expect((await statementsOf('p1', stored, fresh)).map((b) => `${b.statement.id}:${(b.statement as unknown as { tag: string }).tag}`)).toEqual(['s1:old', 's2:new', 's3:new']);
  });
});
