import type { Order, StatementTransaction } from '../booking/tiktok-data.js';
import { ORDER_DETAIL_BATCH } from '../providers/tiktok/client.js';
import { ChangeSignal } from './change-signal.js';
import { orderSource } from './fetch.js';
import { counted, observe, type IntegrationSource } from './source.js';

/**
 * Summary mode's orders. A summary books statement lines by role and never reads an order, yet
 * the store keeps every order a statement names (for `explain` and `transactions`). Fetched a
 * chunk at a time, the orders path (TikTok's tightest limit: about two calls per hundred
 * transactions) sat idle whenever a chunk was being stored or booked; on a lane of its own it is
 * asked for as soon as a page names an order, and stays busy from the first page to the last.
 *
 * The ids waiting are bounded (`maxWaiting`): past it, `add` waits, so the statements cannot run
 * far ahead and the lane's memory does not grow with the shop.
 */
export class OrderLane {
  /** Named and not stored, in the order named; not yet asked for. */
  private readonly waiting = new Set<string>();
  /** Being fetched now (the store does not answer for them yet). */
  private readonly asking = new Set<string>();
  private calls = 0;
  private failure: { err: unknown } | undefined;
  private stopped = false;
  private readonly signal = new ChangeSignal();

  private readonly onAbort = (): void => this.signal.notify();

  constructor(
    private readonly src: IntegrationSource,
    private readonly maxCalls = 4,
    private readonly maxWaiting = 100 * ORDER_DETAIL_BATCH,
  ) {
    src.run.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Names the orders of these transactions; waits while the lane is `maxWaiting` behind. Throws the lane's failure. */
  async add(transactions: StatementTransaction[]): Promise<void> {
    this.throwIfFailed();
    const { store } = this.src.run;
    for (const t of transactions) {
      const id = t.order_id;
      if (!id || this.waiting.has(id) || this.asking.has(id)) continue;
      if (!(await store.sourceRecords.has(this.src.integration.id, 'order', id))) this.waiting.add(id);
    }
    this.pump();
    await this.until(() => this.waiting.size <= this.maxWaiting);
  }

  /** Waits until every order named is fetched and stored; throws the first failure. */
  async finish(): Promise<void> {
    this.pump();
    await this.until(() => this.calls === 0 && this.waiting.size === 0);
  }

  /** Asks for nothing more and waits for the calls under way, so nothing writes the store after the run. */
  async close(): Promise<void> {
    this.stopped = true;
    this.waiting.clear();
    this.src.run.signal?.removeEventListener('abort', this.onAbort);
    while (this.calls > 0) await this.signal.changed;
  }

  /** Waits for `done`; throws the lane's failure, or the run's stop (Ctrl+C) at once rather than after the orders. */
  private async until(done: () => boolean): Promise<void> {
    for (;;) {
      this.throwIfFailed();
      this.src.run.signal?.throwIfAborted();
      if (done()) return;
      await this.signal.changed;
    }
  }

  private pump(): void {
    while (!this.stopped && !this.failure && this.calls < this.maxCalls && this.waiting.size > 0) {
      const ids: string[] = [];
      for (const id of this.waiting) {
        ids.push(id);
        if (ids.length === ORDER_DETAIL_BATCH) break;
      }
      for (const id of ids) {
        this.waiting.delete(id);
        this.asking.add(id);
      }
      this.calls++;
      storeOrders(this.src, ids, false)
        .catch((err: unknown) => {
          this.failure ??= { err };
        })
        .finally(() => {
          this.calls--;
          for (const id of ids) this.asking.delete(id);
          this.pump();
          this.signal.notify();
        })
        .catch(() => undefined);
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.err;
  }
}

/** Fetches these orders from TikTok and stores them in one commit; returns them unless `keep` is false. */
export async function storeOrders(src: IntegrationSource, ids: string[], keep: boolean): Promise<Map<string, Order>> {
  const got = new Map<string, Order>();
  const orders = await src.api.getOrders(ids);
  counted(src, 'orders', orders.length);
  await src.run.store.transaction(async () => {
    for (const o of orders) {
      if (keep) got.set(o.id, o);
      await observe(src, orderSource(src.integration.id, o));
    }
  });
  return got;
}
