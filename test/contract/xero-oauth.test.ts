import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { newPkcePair } from '../../src/auth/pkce.js';
import { ReauthRequiredError, SynderError } from '../../src/errors.js';
import { authEventIdOf, createXeroOAuth, listXeroConnections, XERO_SCOPES } from '../../src/providers/xero/oauth.js';
import { XeroClient } from '../../src/providers/xero/client.js';
import { startXeroSandbox, type XeroSandbox } from '../../src/sandbox/xero/index.js';
import { approveInBrowser } from './xero-setup.js';

let sandbox: XeroSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function begin(opts: Parameters<typeof startXeroSandbox>[0] = {}) {
  let now = Date.now();
  const clock = { now: () => now };
  sandbox = await startXeroSandbox({ clock, ...opts });
  const config = loadConfig(sandbox.env);
  const oauth = createXeroOAuth(config.xero, { now: clock.now });
  const pkce = newPkcePair();
  const url = oauth.authorizeUrl({ state: 'st-123', redirectUri: config.xero.redirectUri, codeChallenge: pkce.challenge });
  return { config, oauth, pkce, url, advance: (ms: number) => (now += ms) };
}

describe('Xero OAuth with PKCE against the sandbox', () => {
  it('asks for the granular scopes, S256 and the registered loopback redirect', async () => {
    const { url, config } = await begin();
    const u = new URL(url);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('redirect_uri')).toBe('http://localhost:8765/callback');
    expect(u.searchParams.get('client_id')).toBe(config.xero.clientId);
    const scopes = u.searchParams.get('scope')!.split(' ');
    expect(scopes).toEqual([...XERO_SCOPES]);
    expect(scopes).not.toContain('accounting.transactions');
  });

  it('approves on the consent page, redirects with code and state, and exchanges with the verifier', async () => {
    const { url, oauth, pkce, config } = await begin();
    const back = await approveInBrowser(url);
    expect(`${back.origin}${back.pathname}`).toBe('http://localhost:8765/callback');
    expect(back.searchParams.get('state')).toBe('st-123');
    const tokens = await oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: pkce.verifier });
    expect(tokens.accessToken.split('.')).toHaveLength(3);
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(tokens.expiresAt - Date.now()).toBeLessThanOrEqual(30 * 60_000 + 1000);
    expect(authEventIdOf(tokens.accessToken)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a wrong verifier, and the code is then spent', async () => {
    const { url, oauth, pkce, config } = await begin();
    const back = await approveInBrowser(url);
    const wrong = newPkcePair().verifier;
    await expect(oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: wrong })).rejects.toThrow(/invalid_grant/);
    await expect(oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: pkce.verifier })).rejects.toThrow(/invalid_grant/);
  });

  it('a code works once', async () => {
    const { url, oauth, pkce, config } = await begin();
    const back = await approveInBrowser(url);
    await oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: pkce.verifier });
    await expect(oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: pkce.verifier })).rejects.toThrow(/invalid_grant/);
  });

  it('deny comes back as access_denied and exchange says so', async () => {
    const { url, oauth, config } = await begin();
    const back = await approveInBrowser(url, 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
    await expect(oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: 'x'.repeat(43) })).rejects.toThrow(/cancelled/);
  });

  it('shows an error page (never a redirect) for an unregistered redirect URI or a broad scope', async () => {
    const { url } = await begin();
    const bad = new URL(url);
    bad.searchParams.set('redirect_uri', 'http://localhost:9999/callback');
    const res = await fetch(bad, { redirect: 'manual' });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('Invalid redirect_uri');
    const broad = new URL(url);
    broad.searchParams.set('scope', 'offline_access accounting.transactions');
    const res2 = await fetch(broad, { redirect: 'manual' });
    expect(res2.status).toBe(500);
    expect(await res2.text()).toContain('invalid_scope');
  });

  it('lists every tenant the consent connected, for the user to choose', async () => {
    const { url, oauth, pkce, config } = await begin({ tenants: [{ name: 'Acme US', currency: 'USD' }, { name: 'Acme UK', currency: 'GBP', country: 'GB' }] });
    const back = await approveInBrowser(url);
    const tokens = await oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: pkce.verifier });
    const tenants = await listXeroConnections(config.xero, tokens.accessToken);
    expect(tenants.map((t) => t.tenantName).sort()).toEqual(['Acme UK', 'Acme US']);
    expect(tenants.every((t) => t.tenantType === 'ORGANISATION')).toBe(true);
    const uk = tenants.find((t) => t.tenantName === 'Acme UK')!;
    expect(uk.tenantId).toBe(sandbox!.tenants.find((t) => t.name === 'Acme UK')!.tenantId);
    const client = new XeroClient({ apiUrl: config.xero.apiUrl, tenantId: uk.tenantId, getAccessToken: async () => tokens.accessToken });
    const org = (await client.get('/Organisation')) as { Organisations: Array<{ BaseCurrency: string; Name: string }> };
    expect(org.Organisations[0]).toMatchObject({ Name: 'Acme UK', BaseCurrency: 'GBP' });
    const wrongTenant = new XeroClient({ apiUrl: config.xero.apiUrl, tenantId: '00000000-0000-0000-0000-000000000000', getAccessToken: async () => tokens.accessToken });
    await expect(wrongTenant.get('/Organisation')).rejects.toBeInstanceOf(ReauthRequiredError);
  });

  it('rotates refresh tokens: the old one works only within the 30-minute grace, then re-auth is required', async () => {
    const { url, oauth, pkce, config, advance } = await begin();
    const back = await approveInBrowser(url);
    const first = await oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: pkce.verifier });
    const second = await oauth.refresh(first);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    // A lost response: retrying the old token inside the grace gives the same successor.
    const retried = await oauth.refresh(first);
    expect(retried.refreshToken).toBe(second.refreshToken);
    advance(31 * 60_000);
    const err = await oauth.refresh(first).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReauthRequiredError);
    expect((err as ReauthRequiredError).exitCode).toBe(4);
    const third = await oauth.refresh(second);
    expect(third.refreshToken).not.toBe(second.refreshToken);
  });

  it('refreshes once on a 401 from an expired access token, then carries on', async () => {
    const { url, oauth, pkce, config, advance } = await begin();
    const back = await approveInBrowser(url);
    let tokens = await oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: pkce.verifier });
    const [tenant] = await listXeroConnections(config.xero, tokens.accessToken);
    let refreshed = 0;
    const client = new XeroClient({
      apiUrl: config.xero.apiUrl,
      tenantId: tenant!.tenantId,
      getAccessToken: async () => tokens.accessToken,
      onUnauthorized: async () => {
        refreshed++;
        tokens = await oauth.refresh(tokens);
        return tokens.accessToken;
      },
    });
    advance(31 * 60_000);
    const org = (await client.get('/Organisation')) as { Organisations: unknown[] };
    expect(org.Organisations).toHaveLength(1);
    expect(refreshed).toBe(1);
  });

  it('revocation removes the connections and the refresh token', async () => {
    const { url, oauth, pkce, config } = await begin();
    const back = await approveInBrowser(url);
    const tokens = await oauth.exchange(back.searchParams, { redirectUri: config.xero.redirectUri, codeVerifier: pkce.verifier });
    await oauth.revoke!(tokens);
    await expect(oauth.refresh(tokens)).rejects.toBeInstanceOf(ReauthRequiredError);
    await expect(listXeroConnections(config.xero, tokens.accessToken)).rejects.toBeInstanceOf(SynderError);
  });
});
