import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Order } from '../../booking/tiktok-data.js';
import { TIKTOK_CODES } from '../../providers/tiktok/errors.js';
import { signRequest } from '../../providers/tiktok/sign.js';
import { FaultInjector } from '../faults.js';
import { consentPage, escapeHtml, listen, readBody, realClock, redirect, sendHtml, sendJson, type SandboxClock } from '../http-kit.js';
import type { SandboxCommonOptions, SandboxService } from '../types.js';
import type { Dataset, SandboxShop, ShopDataset } from './dataset.js';
import { generateDataset } from './generate.js';
import { replayToDataset, type ReplayData } from './replay.js';

export interface TikTokSandboxOptions extends SandboxCommonOptions {
  orders?: number;
  days?: number;
  currency?: string;
  region?: string;
  shops?: number;
  data?: ReplayData;
  appKey?: string;
  appSecret?: string;
  serviceId?: string;
  /** The redirect registered for the app in Partner Center. */
  redirectUri?: string;
  accessTokenTtlSec?: number;
  refreshTokenTtlSec?: number;
  /** Requests per second per API path per shop before 429 (TikTok: 50). */
  qps?: number;
}

export interface TikTokSandbox extends SandboxService {
  shops: SandboxShop[];
  dataset: Dataset;
  clock: SandboxClock;
  /** Issues tokens as if the seller had authorized just now (for tests and `synder demo`). */
  issueTokens(): TokenResponse;
  /** Requests answered, by outcome code, for tests and benchmarks. */
  stats: { requests: number; rateLimited: number; faults: number };
}

interface TokenResponse {
  access_token: string;
  access_token_expire_in: number;
  refresh_token: string;
  refresh_token_expire_in: number;
  open_id: string;
  seller_name: string;
  seller_base_region: string;
  user_type: number;
  granted_scopes: string[];
}

class ApiError extends Error {
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

const SCOPES = ['seller.authorization.info', 'seller.order.info', 'seller.finance.info', 'seller.return_refund.basic'];
const CODE_TTL_SEC = 30 * 60;
const TIMESTAMP_PAST_SEC = 300;
const TIMESTAMP_FUTURE_SEC = 30;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  apiPath: string;
  shopScoped: boolean;
  handle(ctx: RouteContext): unknown;
}

interface RouteContext {
  q: URLSearchParams;
  params: string[];
  body: string;
  shop?: ShopDataset;
  path: string;
}

export async function startTikTokSandbox(opts: TikTokSandboxOptions = {}): Promise<TikTokSandbox> {
  const clock = opts.clock ?? realClock;
  const seed = opts.seed ?? 1;
  const appKey = opts.appKey ?? 'sbx_app_key_6a1f';
  const appSecret = opts.appSecret ?? 'sbx_app_secret_3c9e2b7d41';
  const serviceId = opts.serviceId ?? '7321000000000000001';
  const redirectUri = opts.redirectUri ?? 'http://localhost:8765/callback';
  const accessTtl = opts.accessTokenTtlSec ?? 7 * 86_400;
  const refreshTtl = opts.refreshTokenTtlSec ?? 365 * 86_400;
  const timeScale = opts.timeScale && opts.timeScale > 0 ? opts.timeScale : 1;
  const qps = opts.qps ?? 50;
  const dataset = opts.data
    ? replayToDataset(opts.data)
    : generateDataset({ seed, orders: opts.orders, days: opts.days, currency: opts.currency, region: opts.region, shops: opts.shops, now: clock.now() });
  const byCipher = new Map(dataset.shops.map((s) => [s.shop.cipher, s]));
  const faults = new FaultInjector(opts.faults ?? [], seed);
  const stats = { requests: 0, rateLimited: 0, faults: 0 };

  // Orders by id, built once per shop.
  const ordersById = new Map<ShopDataset, Map<string, Order>>(dataset.shops.map((s) => [s, new Map(s.orders.map((o) => [o.id, o]))]));

  const nowSec = () => Math.floor(clock.now() / 1000);
  const mainShop = dataset.shops[0]!.shop;
  const openId = `7010736${String(seed).padStart(12, '0')}`;
  const codes = new Map<string, { expiresAt: number; used: boolean }>();
  const accessTokens = new Map<string, { expiresAt: number }>();
  const refreshTokens = new Map<string, { expiresAt: number }>();
  const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

  const issueTokens = (refreshExpiresAt = nowSec() + refreshTtl): TokenResponse => {
    const access = token('TTP_');
    const refresh = token('TTP_');
    const accessExpiresAt = nowSec() + accessTtl;
    accessTokens.set(access, { expiresAt: accessExpiresAt });
    refreshTokens.set(refresh, { expiresAt: refreshExpiresAt });
    return {
      access_token: access,
      access_token_expire_in: accessExpiresAt,
      refresh_token: refresh,
      refresh_token_expire_in: refreshExpiresAt,
      open_id: openId,
      seller_name: mainShop.name,
      seller_base_region: mainShop.region,
      user_type: 0,
      granted_scopes: SCOPES,
    };
  };

  const requestId = () => {
    const d = new Date(clock.now());
    const ts = d.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
    return `${ts}${randomBytes(9).toString('hex').toUpperCase()}`;
  };
  const reply = (res: http.ServerResponse, status: number, code: number, message: string, data?: unknown) =>
    sendJson(res, status, data === undefined ? { code, message, request_id: requestId() } : { code, message, request_id: requestId(), data });

  // Sliding windows per API path per shop, in real (scaled) time: bursts are about wall-clock rate.
  const windows = new Map<string, number[]>();
  const rateLimited = (key: string): boolean => {
    const now = performance.now();
    const span = 1000 / timeScale;
    const stamps = windows.get(key) ?? [];
    while (stamps.length > 0 && stamps[0]! <= now - span) stamps.shift();
    if (stamps.length >= qps) {
      windows.set(key, stamps);
      return true;
    }
    stamps.push(now);
    windows.set(key, stamps);
    return false;
  };

  // Page tokens: opaque base64 of (offset, query fingerprint); they contain + / = like TikTok's.
  const fingerprint = (path: string, q: URLSearchParams, body: string) => {
    const keep = [...q.entries()].filter(([k]) => !['page_token', 'page_size', 'timestamp', 'sign', 'app_key'].includes(k)).sort(([a], [b]) => (a < b ? -1 : 1));
    return createHash('sha256').update(path + JSON.stringify(keep) + body).digest().subarray(0, 20);
  };
  const paginate = <T>(ctx: RouteContext, items: T[], limits: { min: number; max: number; def: number; required?: boolean }) => {
    const raw = ctx.q.get('page_size');
    if (raw === null && limits.required) throw new ApiError(400, TIKTOK_CODES.invalidRequest, 'Invalid request parameters: page_size is required');
    const size = raw === null ? limits.def : Number(raw);
    if (!Number.isInteger(size) || size < limits.min || size > limits.max) {
      throw new ApiError(400, TIKTOK_CODES.invalidRequest, `Invalid request parameters: page_size must be between ${limits.min} and ${limits.max}`);
    }
    const fp = fingerprint(ctx.path, ctx.q, ctx.body);
    let offset = 0;
    const tokenText = ctx.q.get('page_token');
    if (tokenText) {
      const buf = Buffer.from(tokenText, 'base64');
      if (buf.length !== 24 || !timingSafeEqual(buf.subarray(4), fp)) throw new ApiError(400, TIKTOK_CODES.invalidRequest, 'Invalid request parameters: page_token is invalid');
      offset = buf.readUInt32BE(0);
    }
    const page = items.slice(offset, offset + size);
    const next = offset + size < items.length ? Buffer.concat([Buffer.alloc(4), fp]) : undefined;
    if (next) next.writeUInt32BE(offset + size, 0);
    return { page, next_page_token: next ? next.toString('base64') : '', total_count: items.length };
  };

  const intParam = (q: URLSearchParams, name: string): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    if (!/^\d+$/.test(v)) throw new ApiError(400, TIKTOK_CODES.invalidRequest, `Invalid request parameters: ${name} must be a Unix timestamp in seconds`);
    return Number(v);
  };
  const requireSortField = (q: URLSearchParams, allowed: string[], required: boolean, def?: string): string => {
    const v = q.get('sort_field') ?? undefined;
    if (v === undefined) {
      if (required) throw new ApiError(400, TIKTOK_CODES.invalidRequest, `Invalid request parameters: sort_field is required (${allowed.join(' | ')})`);
      return def!;
    }
    if (!allowed.includes(v)) throw new ApiError(400, TIKTOK_CODES.invalidRequest, `Invalid request parameters: sort_field must be ${allowed.join(' | ')}`);
    return v;
  };
  const sortOrder = (q: URLSearchParams, def: 'ASC' | 'DESC'): 1 | -1 => {
    const v = (q.get('sort_order') ?? def).toUpperCase();
    if (v !== 'ASC' && v !== 'DESC') throw new ApiError(400, TIKTOK_CODES.invalidRequest, 'Invalid request parameters: sort_order must be ASC or DESC');
    return v === 'ASC' ? 1 : -1;
  };
  const inWindow = (t: number | undefined, ge?: number, lt?: number) => t !== undefined && (ge === undefined || t >= ge) && (lt === undefined || t < lt);
  const sorted = <T>(items: T[], key: (t: T) => number, dir: 1 | -1) => (dir === 1 ? items : [...items].reverse()).slice().sort((a, b) => dir * (key(a) - key(b)));

  const ordersDetail = (ctx: RouteContext) => {
    const ids = (ctx.q.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw new ApiError(400, TIKTOK_CODES.invalidRequest, 'Invalid request parameters: ids is required');
    if (ids.length > 50) throw new ApiError(400, TIKTOK_CODES.invalidRequest, 'Invalid request parameters: ids supports at most 50 order ids');
    const byId = ordersById.get(ctx.shop!)!;
    return { orders: ids.map((id) => byId.get(id)).filter((o): o is Order => o !== undefined) };
  };

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/authorization\/202309\/shops$/,
      apiPath: '/authorization/202309/shops',
      shopScoped: false,
      handle: () => ({ shops: dataset.shops.map(({ shop: { currency: _c, ...s } }) => s) }),
    },
    { method: 'GET', pattern: /^\/order\/202507\/orders$/, apiPath: '/order/202507/orders', shopScoped: true, handle: ordersDetail },
    {
      method: 'GET',
      pattern: /^\/finance\/202309\/statements$/,
      apiPath: '/finance/202309/statements',
      shopScoped: true,
      handle: (ctx) => {
        requireSortField(ctx.q, ['statement_time'], true);
        const dir = sortOrder(ctx.q, 'ASC');
        const [ge, lt] = [intParam(ctx.q, 'statement_time_ge'), intParam(ctx.q, 'statement_time_lt')];
        const status = ctx.q.get('payment_status');
        const list = sorted(ctx.shop!.statements.filter((s) => inWindow(s.statement_time, ge, lt) && (!status || s.payment_status === status)), (s) => s.statement_time, dir);
        const { page, next_page_token } = paginate(ctx, list, { min: 1, max: 100, def: 20 });
        return { statements: page, next_page_token };
      },
    },
    {
      method: 'GET',
      pattern: /^\/finance\/202501\/statements\/([^/]+)\/statement_transactions$/,
      apiPath: '/finance/202501/statements/{statement_id}/statement_transactions',
      shopScoped: true,
      handle: (ctx) => {
        requireSortField(ctx.q, ['order_create_time'], true);
        const dir = sortOrder(ctx.q, 'ASC');
        const detail = ctx.shop!.statementTransactions.get(ctx.params[0]!);
        if (!detail) throw new ApiError(400, TIKTOK_CODES.invalidRequest, `Invalid request parameters: statement ${ctx.params[0]} not found`);
        const list = sorted(detail.transactions, (t) => t.order_create_time ?? 0, dir);
        const { page, next_page_token } = paginate(ctx, list, { min: 1, max: 100, def: 20 });
        return { ...detail.header, total_count: detail.transactions.length, next_page_token, transactions: page };
      },
    },
    {
      method: 'GET',
      pattern: /^\/finance\/202309\/payments$/,
      apiPath: '/finance/202309/payments',
      shopScoped: true,
      handle: (ctx) => {
        requireSortField(ctx.q, ['create_time'], true);
        const dir = sortOrder(ctx.q, 'ASC');
        const [ge, lt] = [intParam(ctx.q, 'create_time_ge'), intParam(ctx.q, 'create_time_lt')];
        const list = sorted(ctx.shop!.payments.filter((p) => inWindow(p.create_time, ge, lt)), (p) => p.create_time, dir);
        const { page, next_page_token } = paginate(ctx, list, { min: 1, max: 100, def: 20 });
        return { payments: page, next_page_token };
      },
    },
  ];

  const verify = (req: http.IncomingMessage, url: URL, body: string, route: Route): ShopDataset | undefined => {
    const q = url.searchParams;
    if (q.get('app_key') !== appKey) throw new ApiError(401, TIKTOK_CODES.invalidRequest, 'Invalid app_key');
    const ts = q.get('timestamp') ?? '';
    if (!/^\d{10}$/.test(ts)) throw new ApiError(400, TIKTOK_CODES.invalidRequest, 'Invalid timestamp: expected Unix seconds');
    const now = nowSec();
    if (Number(ts) < now - TIMESTAMP_PAST_SEC || Number(ts) > now + TIMESTAMP_FUTURE_SEC) {
      throw new ApiError(400, TIKTOK_CODES.invalidRequest, 'Invalid timestamp: outside the allowed window');
    }
    const query: Record<string, string> = {};
    for (const [k, v] of q) if (!(k in query)) query[k] = v;
    const expected = signRequest({ appSecret, path: url.pathname, query, body });
    const given = q.get('sign') ?? '';
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      throw new ApiError(401, TIKTOK_CODES.badSign, 'Invalid credentials: the sign is invalid');
    }
    const header = req.headers['x-tts-access-token'];
    const access = Array.isArray(header) ? header[0] : header;
    if (!access) throw new ApiError(401, TIKTOK_CODES.invalidRequest, 'Invalid credentials: x-tts-access-token header is required');
    const tok = accessTokens.get(access);
    if (!tok) throw new ApiError(401, TIKTOK_CODES.tokenInvalid, 'Invalid access token');
    if (tok.expiresAt <= now) throw new ApiError(401, TIKTOK_CODES.tokenExpired, 'Access token is expired, please refresh it');
    const cipher = q.get('shop_cipher');
    if (!route.shopScoped) {
      if (cipher !== null) throw new ApiError(400, TIKTOK_CODES.invalidRequest, 'Unexpected identifier: shop_cipher');
      return undefined;
    }
    if (!cipher) throw new ApiError(400, TIKTOK_CODES.missingShopCipher, 'shop_cipher is required');
    const shop = byCipher.get(cipher);
    if (!shop) throw new ApiError(403, TIKTOK_CODES.shopMismatch, 'The shop_cipher does not match any shop authorized by this token');
    return shop;
  };

  const handleAuthorize = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const q = url.searchParams;
    if (q.get('service_id') !== serviceId) {
      sendHtml(res, 400, `<!doctype html><title>TikTok Shop</title><p>This authorization link is not valid: unknown service_id ${escapeHtml(q.get('service_id') ?? '')}.</p>`);
      return;
    }
    const state = q.get('state')?.trim();
    const back = (params: Record<string, string>) => {
      const to = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v);
      if (state) to.searchParams.set('state', state);
      redirect(res, to.toString());
    };
    const approve = () => {
      const code = token('');
      codes.set(code, { expiresAt: nowSec() + CODE_TTL_SEC, used: false });
      back({ code });
    };
    if (url.pathname === '/open/authorize') {
      if (req.method !== 'GET') return reply(res, 405, TIKTOK_CODES.badMethod, 'Method not allowed');
      if (opts.autoApprove) return approve();
      const qs = url.search;
      return sendHtml(
        res,
        200,
        consentPage({
          provider: 'TikTok Shop',
          appName: 'synder',
          details: [`Shop: ${mainShop.name} (${mainShop.region})`, ...SCOPES.map((s) => `Scope: ${s}`), `Redirects to ${redirectUri}`],
          approveUrl: `/open/authorize/approve${qs}`,
          denyUrl: `/open/authorize/deny${qs}`,
        }),
      );
    }
    if (req.method !== 'POST') return reply(res, 405, TIKTOK_CODES.badMethod, 'Method not allowed');
    await readBody(req);
    if (url.pathname === '/open/authorize/approve') return approve();
    return back({ code: 'null', error: 'auth_denied' });
  };

  const handleToken = (res: http.ServerResponse, url: URL) => {
    const q = url.searchParams;
    if (q.get('app_key') !== appKey || q.get('app_secret') !== appSecret) return reply(res, 200, TIKTOK_CODES.invalidRequest, 'Invalid app_key or app_secret');
    const now = nowSec();
    if (url.pathname === '/api/v2/token/get') {
      if (q.get('grant_type') !== 'authorized_code') return reply(res, 200, TIKTOK_CODES.invalidRequest, 'grant_type must be authorized_code');
      const code = q.get('auth_code') ?? '';
      const entry = codes.get(code);
      if (!entry || entry.used) return reply(res, 200, 36004005, 'can not find related auth record');
      entry.used = true;
      if (entry.expiresAt <= now) return reply(res, 200, 36004003, 'auth_code has expired');
      return reply(res, 200, 0, 'success', issueTokens());
    }
    if (q.get('grant_type') !== 'refresh_token') return reply(res, 200, TIKTOK_CODES.invalidRequest, 'grant_type must be refresh_token');
    const rt = q.get('refresh_token') ?? '';
    const entry = refreshTokens.get(rt);
    if (!entry) return reply(res, 200, 36004005, 'can not find related auth record');
    if (entry.expiresAt <= now) return reply(res, 200, 36004001, 'rt has expired');
    // Rotate: the old refresh token stops working once a new one is issued.
    refreshTokens.delete(rt);
    return reply(res, 200, 0, 'success', issueTokens(entry.expiresAt));
  };

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const server = http.createServer((req, res) => {
    void (async () => {
      stats.requests++;
      const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
      if (url.pathname.startsWith('/open/authorize')) return handleAuthorize(req, res, url);
      const fault = faults.next();
      if (fault) {
        stats.faults++;
        if (fault === 'reset') return void req.socket.destroy();
        if (fault === '429') return reply(res, 429, TIKTOK_CODES.rateLimited, 'Too many requests, please try again later');
        if (fault === 'slow') await sleep(Math.round(1500 / timeScale));
        else return reply(res, Number(fault), TIKTOK_CODES.internal, 'Internal service error, please retry');
      }
      if (url.pathname === '/api/v2/token/get' || url.pathname === '/api/v2/token/refresh') {
        if (req.method !== 'GET') return reply(res, 405, TIKTOK_CODES.badMethod, 'Method not allowed');
        return handleToken(res, url);
      }
      const body = await readBody(req);
      const candidates = routes.filter((r) => r.pattern.test(url.pathname));
      if (candidates.length === 0) return reply(res, 404, TIKTOK_CODES.badPath, `Invalid path: ${url.pathname}`);
      const route = candidates.find((r) => r.method === req.method);
      if (!route) return reply(res, 405, TIKTOK_CODES.badMethod, `Invalid method ${req.method} for ${url.pathname}`);
      try {
        const shop = verify(req, url, body, route);
        if (rateLimited(`${route.apiPath}|${shop?.shop.cipher ?? ''}`)) {
          stats.rateLimited++;
          return reply(res, 429, TIKTOK_CODES.rateLimited, 'Too many requests, please try again later');
        }
        const params = route.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
        const data = route.handle({ q: url.searchParams, params, body, shop, path: url.pathname });
        return reply(res, 200, 0, 'Success', data);
      } catch (err) {
        if (err instanceof ApiError) return reply(res, err.status, err.code, err.message);
        return reply(res, 500, TIKTOK_CODES.internal, 'Internal service error');
      }
    })().catch(() => {
      if (!res.headersSent) reply(res, 500, TIKTOK_CODES.internal, 'Internal service error');
      else res.destroy();
    });
  });

  const running = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  return {
    name: 'tiktok',
    url: running.url,
    env: {
      SYNDER_TIKTOK_AUTHORIZE_URL: `${running.url}/open/authorize`,
      SYNDER_TIKTOK_AUTH_URL: running.url,
      SYNDER_TIKTOK_API_URL: running.url,
      SYNDER_TIKTOK_APP_KEY: appKey,
      SYNDER_TIKTOK_APP_SECRET: appSecret,
      SYNDER_TIKTOK_SERVICE_ID: serviceId,
      SYNDER_TIKTOK_REDIRECT_URI: redirectUri,
    },
    shops: dataset.shops.map((s) => s.shop),
    dataset,
    clock,
    issueTokens: () => issueTokens(),
    stats,
    close: running.close,
  };
}
