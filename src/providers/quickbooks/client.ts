import { z } from 'zod';
import type { Timer } from '../../clock.js';
import { InvalidResponseError, ReauthRequiredError } from '../../errors.js';
import { HttpClient, backoff, retryAfterMs, type HttpResponse } from '../http.js';
import { QuickBooksFaultError, parseFault, type QboFault } from './fault.js';

/** QuickBooks Online's published limits (500 requests/min and 10/s per realm, 40 batches/min), applied client-side per realm. */
export const QBO_MINOR_VERSION = '75';
export const QBO_LIMITS = {
  perMinute: 500,
  perSecond: 10,
  concurrency: 10,
  batchPerMinute: 40,
  batchMaxItems: 30,
  queryMaxResults: 1000,
  /** Intuit: wait 60 s after a 429 when no Retry-After is given. */
  throttleWaitMs: 60_000,
  /** First retry after a 429 (see retryDelay). */
  firstThrottleWaitMs: 2_000,
} as const;

export interface QuickBooksClientOptions {
  apiUrl: string;
  realmId: string;
  getAccessToken: () => Promise<string>;
  /** Called once on a 401: refresh (and persist) the tokens, return the new access token. */
  onUnauthorized?: () => Promise<string | void>;
  appUrl: string;
  /** Injected for tests; by default one is built with the QBO limits. */
  http?: HttpClient;
  /** The published rate-limit windows and the 429 waits are measured on it. */
  timer?: Timer;
}

export type QboEntity = Record<string, unknown> & { Id?: string; SyncToken?: string };

export interface BatchItemRequest {
  bId: string;
  operation?: 'create' | 'update' | 'delete';
  optionsData?: string;
  entity?: string;
  payload?: Record<string, unknown>;
  query?: string;
}

export type BatchItemResult =
  | { bId: string; kind: 'entity'; entity: string; object: QboEntity }
  | { bId: string; kind: 'query'; response: QueryPage }
  | { bId: string; kind: 'fault'; fault: QboFault };

export interface QueryPage {
  entity?: string;
  items: QboEntity[];
  startPosition?: number;
  maxResults?: number;
  totalCount?: number;
}

const entitySchema = z.looseObject({ Id: z.string().optional(), SyncToken: z.string().optional() });
const queryResponseSchema = z.looseObject({
  QueryResponse: z.record(z.string(), z.unknown()),
});
const batchResponseSchema = z.looseObject({
  BatchItemResponse: z.array(z.looseObject({ bId: z.string() })),
});

/** When to retry a QuickBooks answer, in ms of `timer`. */
function quickBooksRetryDelay(res: HttpResponse, attempt: number, timer: Timer): number | undefined {
  if (res.status === 429) {
    const given = retryAfterMs(res.headers, Date.now());
    if (given !== undefined) return timer.fromWall(given);
    // Most throttles come from a per-second burst (another synder process on the same realm, or
    // network jitter), which clears within a second or two: try once more soon, then follow
    // Intuit's guidance of a 60 s wait. Wake-ups are spread so parallel callers do not stampede.
    const wait = attempt === 0 ? QBO_LIMITS.firstThrottleWaitMs : QBO_LIMITS.throttleWaitMs;
    return Math.round(wait + Math.random() * (wait / 4));
  }
  if (res.status === 503 || res.status >= 500) return timer.fromWall(retryAfterMs(res.headers, Date.now()) ?? backoff(attempt));
  return undefined;
}

/** The v3 Accounting API for one company (realm). */
export class QuickBooksClient {
  readonly http: HttpClient;
  readonly realmId: string;

  constructor(private readonly opts: QuickBooksClientOptions) {
    this.realmId = opts.realmId;
    this.http =
      opts.http ??
      new HttpClient({
        provider: 'QuickBooks',
        // Intuit allows 10 in flight per realm; 4 keep the batch limit busy and leave room for
        // another process on the same company.
        concurrency: 4,
        limits: [
          { requests: QBO_LIMITS.perMinute, windowMs: 60_000 },
          // Headroom under the per-second limit for other processes on the same realm.
          { requests: QBO_LIMITS.perSecond - 2, windowMs: 1_000 },
          // The batch endpoint's own limit, counted when a batch leaves (a retried batch counts again, as Intuit counts it).
          { requests: QBO_LIMITS.batchPerMinute, windowMs: 60_000, applies: (req) => /\/batch(\?|$)/.test(req.url) },
        ],
        maxRetries: 10,
        retryDelay: (res, attempt, timer) => quickBooksRetryDelay(res, attempt, timer),
        timer: opts.timer,
      });
  }

  get calls(): number {
    return this.http.calls;
  }

  url(path: string, params: Record<string, string | undefined> = {}): string {
    const u = new URL(`${this.opts.apiUrl.replace(/\/+$/, '')}/v3/company/${encodeURIComponent(this.realmId)}/${path.replace(/^\/+/, '')}`);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
    u.searchParams.set('minorversion', QBO_MINOR_VERSION);
    return u.toString();
  }

  /**
   * One API call: JSON in and out, Bearer token, one refresh-and-retry on 401, Fault bodies
   * (any status) turned into QuickBooksFaultError. Writes carry a requestid so retries are safe.
   */
  async call(
    method: 'GET' | 'POST',
    path: string,
    opts: { params?: Record<string, string | undefined>; body?: unknown; textBody?: string; label?: string } = {},
  ): Promise<Record<string, unknown>> {
    const label = opts.label ?? `${method} /${path.split('?')[0]}`;
    const url = this.url(path, opts.params);
    let token = await this.opts.getAccessToken();
    for (let authAttempt = 0; ; authAttempt++) {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
      let body: string | undefined;
      if (opts.textBody !== undefined) {
        headers['content-type'] = 'application/text';
        body = opts.textBody;
      } else if (opts.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.body);
      }
      const res = await this.http.request({ method, url, headers, body, label });
      if (res.status === 401) {
        if (authAttempt === 0 && this.opts.onUnauthorized) {
          const fresh = await this.opts.onUnauthorized();
          token = typeof fresh === 'string' && fresh !== '' ? fresh : await this.opts.getAccessToken();
          continue;
        }
        throw new ReauthRequiredError('quickbooks', 'QuickBooks rejected the access token (HTTP 401) and a refresh did not help.');
      }
      return this.parse(label, res);
    }
  }

  private parse(label: string, res: HttpResponse): Record<string, unknown> {
    const tidRaw = res.headers['intuit_tid'];
    const tid = Array.isArray(tidRaw) ? tidRaw[0] : tidRaw;
    let json: unknown;
    try {
      json = res.body === '' ? {} : JSON.parse(res.body);
    } catch {
      if (res.status === 429) {
        throw new QuickBooksFaultError(label, 429, { type: 'ThrottleExceeded', errors: [{ message: 'ThrottleExceeded', code: '3001' }] }, tid);
      }
      throw new InvalidResponseError(`QuickBooks ${label}`, `HTTP ${res.status}, body is not JSON${res.body.trimStart().startsWith('<') ? ' (XML/HTML)' : ''}`);
    }
    const fault = parseFault(json);
    if (fault) throw new QuickBooksFaultError(label, res.status, fault, tid);
    if (res.status < 200 || res.status >= 300) {
      throw new InvalidResponseError(`QuickBooks ${label}`, `HTTP ${res.status} without a Fault body`);
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new InvalidResponseError(`QuickBooks ${label}`, 'body is not a JSON object');
    return json as Record<string, unknown>;
  }

  private entityOf(label: string, body: Record<string, unknown>, entity: string): QboEntity {
    const parsed = entitySchema.safeParse(body[entity]);
    if (!parsed.success) throw new InvalidResponseError(`QuickBooks ${label}`, `field "${entity}" is missing or not an object`);
    return parsed.data as QboEntity;
  }

  async create(entity: string, payload: Record<string, unknown>, requestId: string): Promise<QboEntity> {
    const label = `POST /${entity.toLowerCase()}`;
    const body = await this.call('POST', entity.toLowerCase(), { params: { requestid: requestId }, body: payload, label });
    return this.entityOf(label, body, entity);
  }

  async read(entity: string, id: string): Promise<QboEntity> {
    const label = `GET /${entity.toLowerCase()}/{id}`;
    const body = await this.call('GET', `${entity.toLowerCase()}/${encodeURIComponent(id)}`, { label });
    return this.entityOf(label, body, entity);
  }

  async update(entity: string, payload: Record<string, unknown>, requestId: string, include?: string): Promise<QboEntity> {
    const label = `POST /${entity.toLowerCase()} (update)`;
    const body = await this.call('POST', entity.toLowerCase(), { params: { requestid: requestId, operation: 'update', include }, body: payload, label });
    return this.entityOf(label, body, entity);
  }

  async remove(entity: string, ref: { Id: string; SyncToken: string }, requestId: string): Promise<void> {
    const label = `POST /${entity.toLowerCase()}?operation=delete`;
    await this.call('POST', entity.toLowerCase(), { params: { requestid: requestId, operation: 'delete' }, body: { Id: ref.Id, SyncToken: ref.SyncToken }, label });
  }

  async companyInfo(): Promise<QboEntity> {
    const body = await this.call('GET', `companyinfo/${encodeURIComponent(this.realmId)}`, { label: 'GET /companyinfo' });
    return this.entityOf('GET /companyinfo', body, 'CompanyInfo');
  }

  async preferences(): Promise<QboEntity> {
    const body = await this.call('GET', 'preferences', { label: 'GET /preferences' });
    return this.entityOf('GET /preferences', body, 'Preferences');
  }

  /** One page of a query statement (sent as the POST body, so long IN lists fit). */
  async query(statement: string): Promise<QueryPage> {
    const body = await this.call('POST', 'query', { textBody: statement, label: 'POST /query' });
    return readQueryResponse('POST /query', body);
  }

  /** All rows of `SELECT * FROM entity [WHERE …]`, paging with STARTPOSITION/MAXRESULTS. */
  async queryAll(entity: string, where?: string, pageSize: number = QBO_LIMITS.queryMaxResults): Promise<QboEntity[]> {
    const out: QboEntity[] = [];
    for (let start = 1; ; start += pageSize) {
      const page = await this.query(`SELECT * FROM ${entity}${where ? ` WHERE ${where}` : ''} STARTPOSITION ${start} MAXRESULTS ${pageSize}`);
      out.push(...page.items);
      if (page.items.length < pageSize) return out;
    }
  }

  /** Up to 30 independent operations in one call; each item succeeds or faults alone. */
  async batch(items: BatchItemRequest[], requestId?: string): Promise<BatchItemResult[]> {
    if (items.length === 0) return [];
    if (items.length > QBO_LIMITS.batchMaxItems) throw new RangeError(`a QuickBooks batch holds at most ${QBO_LIMITS.batchMaxItems} items, got ${items.length}`);
    const BatchItemRequest = items.map((it) => {
      const req: Record<string, unknown> = { bId: it.bId };
      if (it.query !== undefined) req.Query = it.query;
      else {
        req.operation = it.operation ?? 'create';
        if (it.optionsData) req.optionsData = it.optionsData;
        req[it.entity!] = it.payload;
      }
      return req;
    });
    const label = 'POST /batch';
    const body = await this.call('POST', 'batch', { params: { requestid: requestId }, body: { BatchItemRequest }, label });
    const parsed = batchResponseSchema.safeParse(body);
    if (!parsed.success) throw new InvalidResponseError(`QuickBooks ${label}`, 'field "BatchItemResponse" is missing or not a list');
    const byId = new Map(parsed.data.BatchItemResponse.map((r) => [r.bId, r as Record<string, unknown>]));
    return items.map((it): BatchItemResult => {
      const r = byId.get(it.bId);
      if (!r) throw new InvalidResponseError(`QuickBooks ${label}`, `no BatchItemResponse for bId "${it.bId}"`);
      const fault = parseFault(r);
      if (fault) return { bId: it.bId, kind: 'fault', fault };
      if (it.query !== undefined) return { bId: it.bId, kind: 'query', response: readQueryResponse(label, r) };
      const parsedEntity = entitySchema.safeParse(r[it.entity!]);
      if (!parsedEntity.success) throw new InvalidResponseError(`QuickBooks ${label}`, `BatchItemResponse "${it.bId}" has no "${it.entity}" object`);
      return { bId: it.bId, kind: 'entity', entity: it.entity!, object: parsedEntity.data as QboEntity };
    });
  }
}

function readQueryResponse(label: string, body: Record<string, unknown>): QueryPage {
  const parsed = queryResponseSchema.safeParse(body);
  if (!parsed.success) throw new InvalidResponseError(`QuickBooks ${label}`, 'field "QueryResponse" is missing or not an object');
  const qr = parsed.data.QueryResponse;
  const page: QueryPage = { items: [] };
  for (const [k, v] of Object.entries(qr)) {
    if (k === 'startPosition' || k === 'maxResults' || k === 'totalCount') {
      if (typeof v !== 'number') throw new InvalidResponseError(`QuickBooks ${label}`, `QueryResponse.${k} is not a number`);
      page[k] = v;
    } else if (Array.isArray(v)) {
      page.entity = k;
      for (const item of v) {
        const e = entitySchema.safeParse(item);
        if (!e.success) throw new InvalidResponseError(`QuickBooks ${label}`, `QueryResponse.${k}[] holds a non-object`);
        page.items.push(e.data as QboEntity);
      }
    }
  }
  return page;
}

/** Quotes a value for the query language (backslash-escaped apostrophes). */
export function qboString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
