import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ReauthRequiredError, SynderError } from '../../src/errors.js';
import { QuickBooksClient, createQuickBooksOAuth } from '../../src/providers/quickbooks/index.js';
import { startQuickBooksSandbox, type QuickBooksSandbox } from '../../src/sandbox/quickbooks/index.js';
import { ManualClock } from './quickbooks-fixtures.js';

let sb: QuickBooksSandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function consent(choice: 'approve' | 'deny', clock = new ManualClock()) {
  sb = await startQuickBooksSandbox({ clock, redirectUris: ['http://localhost:8765/callback'] });
  const cfg = loadConfig(sb.env).quickbooks;
  const oauth = createQuickBooksOAuth(cfg, { now: clock.now });
  const page = await fetch(oauth.authorizeUrl({ state: 'state-123', redirectUri: cfg.redirectUri }));
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = new RegExp(`action="([^"]+)"[^>]*><button id="${choice}"`).exec(html)?.[1];
  expect(action).toBeDefined();
  const decided = await fetch(new URL(action!.replace(/&amp;/g, '&'), sb.url), { method: 'POST', redirect: 'manual' });
  expect(decided.status).toBe(302);
  const callback = new URL(decided.headers.get('location')!);
  expect(`${callback.origin}${callback.pathname}`).toBe('http://localhost:8765/callback');
  expect(callback.searchParams.get('state')).toBe('state-123');
  return { oauth, callback, cfg, clock };
}

describe('QuickBooks OAuth against the sandbox', () => {
  it('signs in through the consent page and returns tokens carrying the realmId', async () => {
    const { oauth, callback, cfg, clock } = await consent('approve');
    expect(callback.searchParams.get('realmId')).toBe(sb!.realmId);
    const tokens = await oauth.exchange(callback.searchParams, { redirectUri: cfg.redirectUri });
    expect(tokens.extra?.realmId).toBe(sb!.realmId);
    expect(tokens.expiresAt).toBe(clock.t + 3600_000);
    expect(tokens.refreshExpiresAt).toBe(clock.t + 8_726_400_000);
    expect(tokens.refreshToken).toBeTruthy();
    // The code is single-use.
    await expect(oauth.exchange(callback.searchParams, { redirectUri: cfg.redirectUri })).rejects.toThrow(/invalid_grant/);
  });

  it('turns a denied consent into a clear error', async () => {
    const { oauth, callback, cfg } = await consent('deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const err = await oauth.exchange(callback.searchParams, { redirectUri: cfg.redirectUri }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SynderError);
    expect((err as SynderError).code).toBe('access_denied');
    expect((err as SynderError).message).toMatch(/declined/);
  });

  it('rejects an unregistered redirect URI without redirecting', async () => {
    sb = await startQuickBooksSandbox({});
    const oauth = createQuickBooksOAuth(loadConfig(sb.env).quickbooks);
    const res = await fetch(oauth.authorizeUrl({ state: 's', redirectUri: 'http://localhost:9999/elsewhere' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/redirect_uri/);
  });

  it('rotates refresh tokens: the replaced one works during the grace period, then is rejected', async () => {
    const { oauth, callback, cfg, clock } = await consent('approve');
    const first = await oauth.exchange(callback.searchParams, { redirectUri: cfg.redirectUri });
    const second = await oauth.refresh(first);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.extra?.realmId).toBe(sb!.realmId);
    clock.advance(60 * 60_000);
    // Within the grace period the replaced token still works (and yields the newest one).
    const third = await oauth.refresh(first);
    clock.advance(25 * 60 * 60_000);
    for (const stale of [first, second]) {
      const err = await oauth.refresh(stale).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReauthRequiredError);
      expect((err as ReauthRequiredError).provider).toBe('quickbooks');
    }
    const latest = await oauth.refresh(third);
    expect(latest.accessToken).toBeTruthy();
  });

  it('refreshes once on a 401 from an expired access token, then retries', async () => {
    const { oauth, callback, cfg, clock } = await consent('approve');
    let tokens = await oauth.exchange(callback.searchParams, { redirectUri: cfg.redirectUri });
    let refreshed = 0;
    const client = new QuickBooksClient({
      apiUrl: cfg.apiUrl,
      appUrl: cfg.appUrl,
      realmId: tokens.extra!.realmId!,
      getAccessToken: async () => tokens.accessToken,
      onUnauthorized: async () => {
        refreshed++;
        tokens = await oauth.refresh(tokens);
        return tokens.accessToken;
      },
    });
    clock.advance(3601_000);
    const info = await client.companyInfo();
    expect(info.CompanyName).toBeTruthy();
    expect(refreshed).toBe(1);
  });

  it('a revoked connection needs a new sign-in', async () => {
    const { oauth, callback, cfg } = await consent('approve');
    const tokens = await oauth.exchange(callback.searchParams, { redirectUri: cfg.redirectUri });
    await oauth.revoke!(tokens);
    await expect(oauth.refresh(tokens)).rejects.toBeInstanceOf(ReauthRequiredError);
    const client = new QuickBooksClient({ apiUrl: cfg.apiUrl, appUrl: cfg.appUrl, realmId: tokens.extra!.realmId!, getAccessToken: async () => tokens.accessToken });
    await expect(client.companyInfo()).rejects.toBeInstanceOf(ReauthRequiredError);
  });

  it('rejects wrong app credentials as a usage problem, not a re-auth', async () => {
    const { callback, cfg } = await consent('approve');
    const bad = createQuickBooksOAuth({ ...cfg, clientSecret: 'wrong' });
    await expect(bad.exchange(callback.searchParams, { redirectUri: cfg.redirectUri })).rejects.toThrow(/invalid_client/);
  });
});
