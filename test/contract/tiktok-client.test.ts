import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenSet } from '../../src/auth/types.js';
import { systemTimer } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { ReauthRequiredError, SynderError } from '../../src/errors.js';
import { parseMinor } from '../../src/booking/money.js';
import {
  TikTokClient,
  TikTokInvalidRequestError,
  encodeQuery,
  signRequest,
  TikTokRateLimitError,
  TikTokShopCipherError,
  TikTokSignatureError,
  createTikTokOAuth,
  listAuthorizedShops,
  type TikTokClientOptions,
} from '../../src/providers/tiktok/index.js';
import { startTikTokSandbox, type TikTokSandbox } from '../../src/sandbox/tiktok/index.js';

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

// Retries in tests wait a token amount of time: the point is that they happen, not how long.
const fastHttp = { timer: { ...systemTimer, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) } };

/** Drives the consent page like a browser would: load it, submit the form behind a button. */
async function authorize(url: string, button: 'approve' | 'deny'): Promise<URL> {
  const page = await fetch(url, { redirect: 'manual' });
  expect(page.status).toBe(200);
  const html = await page.text();
  const m = new RegExp(`<form method="post" action="([^"]+)"[^>]*><button id="${button}"`).exec(html);
  expect(m, 'consent page has the button').not.toBeNull();
  const action = new URL(m![1]!.replace(/&amp;/g, '&'), url);
  const res = await fetch(action, { method: 'POST', redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('TikTok client against the sandbox', () => {
  let sb: TikTokSandbox;
  let now = Date.UTC(2025, 8, 15, 10, 0);
  const clock = { now: () => now };
  const signingClock = { now: () => new Date(now) };
  let tokens: TokenSet;
  const config = () => loadConfig(sb.env).tiktok;
  const client = (over: Partial<TikTokClientOptions> = {}) =>
    new TikTokClient({
      apiUrl: config().apiUrl,
      appKey: config().appKey!,
      appSecret: config().appSecret!,
      shopCipher: sb.shops[0]!.cipher,
      getAccessToken: async () => tokens.accessToken,
      clock: signingClock,
      http: fastHttp,
      ...over,
    });

  beforeAll(async () => {
    sb = await startTikTokSandbox({ seed: 11, orders: 1500, days: 12, shops: 2, clock });
  });
  afterAll(() => sb.close());

  it('exposes every endpoint and credential in env', () => {
    for (const k of ['AUTHORIZE_URL', 'AUTH_URL', 'API_URL', 'APP_KEY', 'APP_SECRET', 'SERVICE_ID', 'REDIRECT_URI']) expect(sb.env[`SYNDER_TIKTOK_${k}`]).toBeTruthy();
    expect(sb.env.SYNDER_TIKTOK_AUTHORIZE_URL).toMatch(/\/open\/authorize$/);
  });

  it('completes the authorization round trip and refuses a reused code', async () => {
    const oauth = createTikTokOAuth(config(), { clock });
    const url = oauth.authorizeUrl({ state: 'st-123', redirectUri: config().redirectUri });
    expect(new URL(url).searchParams.get('service_id')).toBe(config().serviceId);
    expect(new URL(url).searchParams.has('redirect_uri')).toBe(false);
    const back = await authorize(url, 'approve');
    expect(`${back.origin}${back.pathname}`).toBe(config().redirectUri);
    expect(back.searchParams.get('state')).toBe('st-123');
    tokens = await oauth.exchange(back.searchParams, { redirectUri: config().redirectUri });
    expect(tokens.expiresAt).toBe((Math.floor(now / 1000) + 7 * 86_400) * 1000);
    expect(tokens.refreshExpiresAt).toBeGreaterThan(tokens.expiresAt);
    expect(tokens.extra).toMatchObject({ seller_name: sb.shops[0]!.name, seller_base_region: 'US' });
    expect(tokens.extra!.granted_scopes).toContain('seller.finance.info');
    expect(tokens.extra!.open_id).toBeTruthy();
    await expect(oauth.exchange(back.searchParams, { redirectUri: config().redirectUri })).rejects.toThrow(/auth record/);
  });

  it('reports a denied authorization', async () => {
    const oauth = createTikTokOAuth(config(), { clock });
    const back = await authorize(oauth.authorizeUrl({ state: 'st-9', redirectUri: config().redirectUri }), 'deny');
    expect(back.searchParams.get('error')).toBe('auth_denied');
    expect(back.searchParams.get('code')).toBe('null');
    await expect(oauth.exchange(back.searchParams, { redirectUri: config().redirectUri })).rejects.toThrow(/authorization was denied/);
  });

  it('refreshes, rotating the refresh token', async () => {
    const oauth = createTikTokOAuth(config(), { clock });
    const fresh = await oauth.refresh(tokens);
    expect(fresh.accessToken).not.toBe(tokens.accessToken);
    expect(fresh.refreshToken).not.toBe(tokens.refreshToken);
    expect(fresh.extra?.seller_name).toBe(tokens.extra?.seller_name);
    await expect(oauth.refresh(tokens)).rejects.toBeInstanceOf(ReauthRequiredError);
    tokens = fresh;
  });

  it('lists the authorized shops without a shop cipher', async () => {
    const shops = await listAuthorizedShops({ config: config(), accessToken: tokens.accessToken, clock: signingClock });
    expect(shops.map((s) => s.cipher)).toEqual(sb.shops.map((s) => s.cipher));
    expect(shops[0]).toMatchObject({ id: sb.shops[0]!.id, name: sb.shops[0]!.name, region: 'US' });
  });

  it('reads statements, every page of their transactions, and payments', async () => {
    const c = client();
    const data = sb.dataset.shops[0]!;
    const statements = await collect(c.listStatements({}));
    expect(statements.map((s) => s.id)).toEqual(data.statements.map((s) => s.id));
    const busiest = data.statements.reduce((a, s) => (data.statementTransactions.get(s.id)!.transactions.length > data.statementTransactions.get(a.id)!.transactions.length ? s : a));
    const expected = data.statementTransactions.get(busiest.id)!;
    expect(expected.transactions.length).toBeGreaterThan(100);
    const before = c.apiCalls;
    const { header, transactions } = await c.getStatementTransactions(busiest.id);
    expect(c.apiCalls - before).toBe(Math.ceil(expected.transactions.length / 100));
    expect(header.total_settlement_amount).toBe(busiest.settlement_amount);
    expect(new Set(transactions.map((t) => t.id))).toEqual(new Set(expected.transactions.map((t) => t.id)));
    const sum = transactions.reduce((a, t) => a + parseMinor(t.settlement_amount, 'USD'), 0);
    expect(sum).toBe(parseMinor(header.total_settlement_amount, 'USD'));
    const payments = await collect(c.listPayments({}));
    expect(payments.map((p) => p.id)).toEqual(data.payments.map((p) => p.id));
    const windowed = await collect(c.listStatements({ from: data.statements[2]!.statement_time, to: data.statements[5]!.statement_time }));
    expect(windowed.map((s) => s.id)).toEqual(data.statements.slice(2, 5).map((s) => s.id));
  });

  it('fetches order details in batches of 50', async () => {
    const c = client();
    const data = sb.dataset.shops[0]!;
    const ids = data.orders.slice(0, 120).map((o) => o.id);
    const before = c.apiCalls;
    const detail = await c.getOrders(ids);
    expect(c.apiCalls - before).toBe(3);
    expect(detail.map((o) => o.id).sort()).toEqual([...ids].sort());
    expect(detail[0]!.line_items.length).toBeGreaterThan(0);
  });

  it('refreshes once when the access token has expired, then needs re-auth when the refresh token is gone too', async () => {
    const oauth = createTikTokOAuth(config(), { clock });
    now += 8 * 86_400_000;
    let refreshed = 0;
    const c = client({
      onTokenRejected: async () => {
        refreshed++;
        tokens = await oauth.refresh(tokens);
        return tokens.accessToken;
      },
    });
    const statements = await collect(c.listStatements({}));
    expect(statements.length).toBeGreaterThan(0);
    expect(refreshed).toBe(1);
    now += 400 * 86_400_000;
    await expect(collect(c.listStatements({}))).rejects.toBeInstanceOf(ReauthRequiredError);
    const issued = sb.issueTokens();
    tokens = { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresAt: issued.access_token_expire_in * 1000 };
  });

  it('rejects a bad signature with a typed error and no retry', async () => {
    const before = sb.stats.requests;
    await expect(collect(client({ appSecret: 'not-the-secret' }).listStatements({}))).rejects.toBeInstanceOf(TikTokSignatureError);
    expect(sb.stats.requests - before).toBe(1);
  });

  it('rejects an unknown shop cipher and serves each shop its own data', async () => {
    await expect(collect(client({ shopCipher: 'ROW_nope' }).listStatements({}))).rejects.toBeInstanceOf(TikTokShopCipherError);
    const second = await collect(client({ shopCipher: sb.shops[1]!.cipher }).listStatements({}));
    expect(second.map((s) => s.id)).toEqual(sb.dataset.shops[1]!.statements.map((s) => s.id));
  });

  it('checks the timestamp window and refuses shop_cipher on authorization paths', async () => {
    const skewed = { now: () => new Date(now - 10 * 60_000) };
    await expect(collect(client({ clock: skewed }).listStatements({}))).rejects.toBeInstanceOf(TikTokInvalidRequestError);
    const path = '/authorization/202309/shops';
    const query = { app_key: config().appKey!, timestamp: String(Math.floor(now / 1000)), shop_cipher: sb.shops[0]!.cipher };
    const sign = signRequest({ appSecret: config().appSecret!, path, query });
    const res = await fetch(`${sb.url}${path}?${encodeQuery({ ...query, sign })}`, { headers: { 'x-tts-access-token': tokens.accessToken, 'content-type': 'application/json' } });
    expect(await res.json()).toMatchObject({ code: 36009004, message: expect.stringMatching(/Unexpected identifier/) });
  });

  it('answers invalid requests with TikTok codes', async () => {
    const res = await fetch(`${sb.url}/finance/202309/statements`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 36009004 });
    const bad = await fetch(`${sb.url}/finance/999/nothing`);
    expect((await bad.json()) as object).toMatchObject({ code: 36009009 });
  });
});

describe('TikTok client under rate limits and faults', () => {
  let now = Date.UTC(2025, 8, 15, 10, 0);
  const clock = { now: () => now };

  it('rides out a 429 storm', async () => {
    const sb = await startTikTokSandbox({ seed: 3, orders: 600, days: 10, clock, faults: [{ kind: '429', probability: 0.3 }, { kind: '500', probability: 0.05 }] });
    try {
      const t = sb.issueTokens();
      const cfg = loadConfig(sb.env).tiktok;
      const c = new TikTokClient({ apiUrl: cfg.apiUrl, appKey: cfg.appKey!, appSecret: cfg.appSecret!, shopCipher: sb.shops[0]!.cipher, getAccessToken: async () => t.access_token, clock: { now: () => new Date(now) }, http: { ...fastHttp, maxRetries: 12 } });
      const orders = await c.getOrders(sb.dataset.shops[0]!.orders.map((o) => o.id));
      expect(orders).toHaveLength(600);
      const statements = await collect(c.listStatements({}));
      for (const s of statements) await c.getStatementTransactions(s.id);
      expect(sb.stats.faults).toBeGreaterThan(3);
      expect(c.apiCalls).toBeGreaterThan(sb.stats.requests - sb.stats.faults - 1);
    } finally {
      await sb.close();
    }
  });

  it('throttles a client that exceeds the per-path QPS with 429 / 36009002', async () => {
    const sb = await startTikTokSandbox({ seed: 3, orders: 50, days: 5, clock, qps: 5 });
    try {
      const t = sb.issueTokens();
      const cfg = loadConfig(sb.env).tiktok;
      const c = new TikTokClient({ apiUrl: cfg.apiUrl, appKey: cfg.appKey!, appSecret: cfg.appSecret!, shopCipher: sb.shops[0]!.cipher, getAccessToken: async () => t.access_token, clock: { now: () => new Date(now) }, qps: 1000, http: { maxRetries: 0 } });
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => c.getOrders([sb.dataset.shops[0]!.orders[0]!.id])));
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected.length).toBeGreaterThan(0);
      expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(TikTokRateLimitError);
      expect(sb.stats.rateLimited).toBeGreaterThan(0);
    } finally {
      await sb.close();
    }
  });

  it('surfaces a denied or expired refresh as re-auth even without a stored expiry', async () => {
    const sb = await startTikTokSandbox({ seed: 4, orders: 5, days: 2, clock });
    try {
      const oauth = createTikTokOAuth(loadConfig(sb.env).tiktok, { clock });
      await expect(oauth.refresh({ accessToken: 'a', refreshToken: 'unknown', expiresAt: 0 })).rejects.toBeInstanceOf(ReauthRequiredError);
      await expect(oauth.exchange(new URLSearchParams({ code: 'null', error: 'auth_denied' }), { redirectUri: 'x' })).rejects.toBeInstanceOf(SynderError);
    } finally {
      await sb.close();
    }
  });

  it('accepts an authorization code once and only for 30 minutes', async () => {
    const sb = await startTikTokSandbox({ seed: 4, orders: 5, days: 2, clock, autoApprove: true, redirectUri: 'http://127.0.0.1:9/cb' });
    try {
      const cfg = loadConfig(sb.env).tiktok;
      const oauth = createTikTokOAuth(cfg, { clock });
      const res = await fetch(oauth.authorizeUrl({ state: 'x', redirectUri: cfg.redirectUri }), { redirect: 'manual' });
      expect(res.status).toBe(302);
      const back = new URL(res.headers.get('location')!);
      expect(back.origin + back.pathname).toBe('http://127.0.0.1:9/cb');
      now += 31 * 60_000;
      await expect(oauth.exchange(back.searchParams, { redirectUri: cfg.redirectUri })).rejects.toThrow(/expired/);
    } finally {
      await sb.close();
    }
  });
});
