import pLimit, { type LimitFunction } from 'p-limit';
import type { z } from 'zod';
import type { Config } from '../../config.js';
import { systemClock, type Clock, type Timer } from '../../clock.js';
import { InvalidResponseError, UsageError } from '../../errors.js';
import type { Order, Payment, Statement, StatementTransaction, StatementTransactionsHeader } from '../../booking/tiktok-data.js';
import { HttpClient, type HttpClientOptions } from '../http.js';
import { TIKTOK_CODES, tiktokError, tiktokRetryDelay } from './errors.js';
import {
  authorizedShopsData,
  envelope,
  ordersDetailData,
  parseOrThrow,
  paymentsData,
  statementTransactionsData,
  statementsData,
} from './schemas.js';
import type { AuthorizedShop, StatementTransactionsPage, TikTokShopApi, TimeWindow } from './shop-client.js';
import { encodeQuery, signRequest } from './sign.js';
import { chunk } from '../../lists.js';

export interface TikTokClientOptions {
  apiUrl: string;
  appKey: string;
  appSecret: string;
  shopCipher: string;
  getAccessToken: () => Promise<string>;
  /** Called once when TikTok says the token expired (105002): refresh and return the new token. */
  onTokenRejected?: () => Promise<string>;
  http?: Partial<Omit<HttpClientOptions, 'provider'>>;
  /** Wall time for request signatures (TikTok refuses a timestamp more than a few minutes off). */
  clock?: Clock;
  /** The per-second windows and retry waits are measured on it. */
  timer?: Timer;
  /** Client-side requests per second per API path (TikTok allows 50 per app+shop). */
  qps?: number;
  /** Requests in flight across all paths. */
  concurrency?: number;
}

type Query = Record<string, string | number | undefined>;

/** Page sizes TikTok accepts at most. */
const PAGE_SIZE = 100;
export const ORDER_DETAIL_BATCH = 50;

/**
 * The signing/transport core shared by the shop client and `listAuthorizedShops`: signs every
 * request, rate-limits per API path, retries transient failures (via HttpClient) and
 * refreshes the token once on 105002.
 */
class TikTokTransport {
  private readonly clients = new Map<string, HttpClient>();
  private readonly limit: LimitFunction;
  private readonly clock: Clock;

  constructor(private readonly opts: Omit<TikTokClientOptions, 'shopCipher'> & { shopCipher?: string }) {
    this.limit = pLimit(opts.concurrency ?? 8);
    this.clock = opts.clock ?? systemClock;
  }

  get calls(): number {
    let n = 0;
    for (const c of this.clients.values()) n += c.calls;
    return n;
  }

  // One HttpClient per path: TikTok counts its 50 QPS per API, so each path gets its own window.
  private httpFor(apiPath: string): HttpClient {
    let c = this.clients.get(apiPath);
    if (!c) {
      // TikTok allows 50 per path, counted per app + shop: the whole budget is ours, since a sync
      // holds its org's lock and so is the only caller of this app for the shop. The window is
      // kept from each answer, not each send, so it never runs ahead of TikTok's count.
      const qps = this.opts.qps ?? 50;
      c = new HttpClient({
        provider: 'tiktok',
        concurrency: this.opts.concurrency ?? 8,
        retryDelay: (res, attempt, timer) => {
          const wall = tiktokRetryDelay(res, attempt);
          return wall === undefined ? undefined : timer.fromWall(wall);
        },
        timer: this.opts.timer,
        ...this.opts.http,
        limits: [{ requests: qps, windowMs: 1000 }, ...(this.opts.http?.limits ?? [])],
      });
      this.clients.set(apiPath, c);
    }
    return c;
  }

  async call<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    opts: { apiPath: string; query?: Query; body?: unknown; shopScoped: boolean; schema: T },
  ): Promise<z.output<T>> {
    const endpoint = `${method} ${opts.apiPath}`;
    const bodyText = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    let token = await this.opts.getAccessToken();
    for (let attempt = 0; ; attempt++) {
      const env = await this.limit(async () => {
        const query: Record<string, string> = {};
        for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') query[k] = String(v);
        query.app_key = this.opts.appKey;
        query.timestamp = String(Math.floor(this.clock.now().getTime() / 1000));
        if (opts.shopScoped) {
          if (!this.opts.shopCipher) throw new InvalidResponseError(endpoint, 'no shop cipher configured for a shop-scoped call');
          query.shop_cipher = this.opts.shopCipher;
        }
        const sign = signRequest({ appSecret: this.opts.appSecret, path, query, body: bodyText });
        const url = `${this.opts.apiUrl.replace(/\/+$/, '')}${path}?${encodeQuery({ ...query, sign })}`;
        const res = await this.httpFor(opts.apiPath).request({
          method,
          url,
          headers: { 'x-tts-access-token': token, 'content-type': 'application/json' },
          body: bodyText,
          label: endpoint,
        });
        let json: unknown;
        try {
          json = JSON.parse(res.body);
        } catch {
          throw new InvalidResponseError(endpoint, `HTTP ${res.status} with a body that is not JSON`);
        }
        const parsed = parseOrThrow(envelope, json, endpoint, '');
        return { ...parsed, status: res.status };
      });
      if (env.code === TIKTOK_CODES.ok) return parseOrThrow(opts.schema, env.data ?? {}, endpoint, 'data');
      if (env.code === TIKTOK_CODES.tokenExpired && attempt === 0 && this.opts.onTokenRejected) {
        token = await this.opts.onTokenRejected();
        continue;
      }
      throw tiktokError(endpoint, env.status, env.code, env.message, env.request_id);
    }
  }
}

/** The TikTok Shop API for one shop, as the sync engine uses it. */
export class TikTokClient implements TikTokShopApi {
  private readonly transport: TikTokTransport;

  constructor(opts: TikTokClientOptions) {
    this.transport = new TikTokTransport(opts);
  }

  get apiCalls(): number {
    return this.transport.calls;
  }

  private async *pages<T extends z.ZodType<{ next_page_token?: string }>>(
    method: 'GET' | 'POST',
    path: string,
    apiPath: string,
    query: Query,
    schema: T,
    body?: unknown,
  ): AsyncGenerator<z.output<T>> {
    let pageToken: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const data = await this.transport.call(method, path, {
        apiPath,
        query: { ...query, page_size: PAGE_SIZE, page_token: pageToken },
        body,
        shopScoped: true,
        schema,
      });
      yield data;
      pageToken = data.next_page_token || undefined;
      if (!pageToken) return;
      // A server that hands back a token twice would loop forever.
      if (seen.has(pageToken)) throw new InvalidResponseError(`${method} ${apiPath}`, 'next_page_token repeated a previous page');
      seen.add(pageToken);
    }
  }

  async *listStatements(window: TimeWindow): AsyncIterable<Statement> {
    const path = '/finance/202309/statements';
    const query = { sort_field: 'statement_time', sort_order: 'ASC', statement_time_ge: window.from, statement_time_lt: window.to };
    for await (const page of this.pages('GET', path, path, query, statementsData)) yield* page.statements;
  }

  async *statementTransactionPages(statementId: string): AsyncIterable<StatementTransactionsPage> {
    const path = `/finance/202501/statements/${encodeURIComponent(statementId)}/statement_transactions`;
    const apiPath = '/finance/202501/statements/{statement_id}/statement_transactions';
    for await (const page of this.pages('GET', path, apiPath, { sort_field: 'order_create_time', sort_order: 'ASC' }, statementTransactionsData)) {
      const { transactions, next_page_token: next, ...header } = page;
      yield { header, transactions, last: !next };
    }
  }

  async getStatementTransactions(statementId: string): Promise<{ header: StatementTransactionsHeader; transactions: StatementTransaction[] }> {
    const transactions: StatementTransaction[] = [];
    let header: StatementTransactionsHeader | undefined;
    for await (const page of this.statementTransactionPages(statementId)) {
      header ??= page.header;
      transactions.push(...page.transactions);
    }
    return { header: header!, transactions };
  }

  async *listPayments(window: TimeWindow): AsyncIterable<Payment> {
    const path = '/finance/202309/payments';
    const query = { sort_field: 'create_time', sort_order: 'ASC', create_time_ge: window.from, create_time_lt: window.to };
    for await (const page of this.pages('GET', path, path, query, paymentsData)) yield* page.payments;
  }

  async getOrders(ids: string[]): Promise<Order[]> {
    const path = '/order/202507/orders';
    const results = await Promise.all(
      chunk([...new Set(ids)], ORDER_DETAIL_BATCH).map((batch) =>
        this.transport.call('GET', path, { apiPath: path, query: { ids: batch.join(',') }, shopScoped: true, schema: ordersDetailData }),
      ),
    );
    return results.flatMap((r) => r.orders);
  }
}

export type ListShopsOptions =
  | (Omit<TikTokClientOptions, 'shopCipher' | 'onTokenRejected'> & { onTokenRejected?: () => Promise<string> })
  /** Shorthand used right after sign-in: app credentials and endpoint from config, one access token. */
  | { config: Config['tiktok']; accessToken: string; http?: TikTokClientOptions['http']; clock?: Clock };

/** GET /authorization/202309/shops — signed, but never carries shop_cipher. */
export async function listAuthorizedShops(opts: ListShopsOptions): Promise<AuthorizedShop[]> {
  let transportOpts: Omit<TikTokClientOptions, 'shopCipher'>;
  if ('config' in opts) {
    const { config, accessToken } = opts;
    if (!config.appKey || !config.appSecret) {
      throw new UsageError('TikTok Shop app credentials are missing: set SYNDER_TIKTOK_APP_KEY and SYNDER_TIKTOK_APP_SECRET');
    }
    transportOpts = { apiUrl: config.apiUrl, appKey: config.appKey, appSecret: config.appSecret, getAccessToken: async () => accessToken, http: opts.http, clock: opts.clock };
  } else {
    transportOpts = opts;
  }
  const transport = new TikTokTransport(transportOpts);
  const path = '/authorization/202309/shops';
  const data = await transport.call('GET', path, { apiPath: path, shopScoped: false, schema: authorizedShopsData });
  return data.shops;
}
