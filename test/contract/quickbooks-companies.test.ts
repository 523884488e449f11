import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createQuickBooksOAuth } from '../../src/providers/quickbooks/index.js';
import { startQuickBooksSandbox, type QuickBooksSandbox } from '../../src/sandbox/quickbooks/index.js';
import { ManualClock, signIn } from './quickbooks-fixtures.js';

/** A sandbox holding several companies: each sign-in connects one, and each keeps its own books, ids and limits. */

let sb: QuickBooksSandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

const api = (realm: string, path: string, token: string) =>
  fetch(`${sb!.url}/v3/company/${realm}/${path}${path.includes('?') ? '&' : '?'}minorversion=75`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

const create = (realm: string, token: string, body: unknown) =>
  fetch(`${sb!.url}/v3/company/${realm}/customer?minorversion=75`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('QuickBooks sandbox with several companies', () => {
  it('auto-approve connects each new sign-in to the next company not connected yet, and the redirect names it', async () => {
    sb = await startQuickBooksSandbox({ autoApprove: true, companies: 2, clock: new ManualClock() });
    const [first, second] = sb.companies;
    expect(sb.companies).toHaveLength(2);
    expect(sb.books).toBe(first);
    expect(second!.realmId).not.toBe(first!.realmId);
    expect([first!.companyName, second!.companyName]).toEqual(['Sandbox Company_US_1', 'Sandbox Company_US_2']);

    const a = await signIn(sb);
    const b = await signIn(sb);
    expect([a.extra?.realmId, b.extra?.realmId]).toEqual([first!.realmId, second!.realmId]);
    // Every company connected: the first again.
    const c = await signIn(sb);
    expect(c.extra?.realmId).toBe(first!.realmId);

    const info = await api(second!.realmId, `companyinfo/${second!.realmId}`, b.accessToken);
    expect(info.status).toBe(200);
    expect(((await info.json()) as { CompanyInfo: { CompanyName: string } }).CompanyInfo.CompanyName).toBe('Sandbox Company_US_2');
    // A token opens only the company it was issued for.
    const foreign = await api(first!.realmId, `companyinfo/${first!.realmId}`, b.accessToken);
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toMatch(/not authorized for this company/);

    // Revoking a company's only grant frees it: the next sign-in lands there.
    const cfg = loadConfig(sb.env).quickbooks;
    await createQuickBooksOAuth(cfg).revoke!(b);
    expect((await signIn(sb)).extra?.realmId).toBe(second!.realmId);
  });

  it('keeps each company\'s objects and ids apart', async () => {
    sb = await startQuickBooksSandbox({ autoApprove: true, companies: 2, clock: new ManualClock() });
    const a = await signIn(sb);
    const b = await signIn(sb);
    const [first, second] = sb.companies;
    const ra = (await (await create(first!.realmId, a.accessToken, { DisplayName: 'Only In One' })).json()) as { Customer: { Id: string } };
    const rb = (await (await create(second!.realmId, b.accessToken, { DisplayName: 'Only In Two' })).json()) as { Customer: { Id: string } };
    // Ids are numbered per company, as in QuickBooks: the same number names different objects.
    expect(ra.Customer.Id).toBe(rb.Customer.Id);
    expect(first!.all('Customer').map((o) => o.DisplayName)).toContain('Only In One');
    expect(first!.all('Customer').map((o) => o.DisplayName)).not.toContain('Only In Two');
    expect(second!.all('Customer').map((o) => o.DisplayName)).toEqual(['Only In Two']);
  });

  it('counts the rate limits per company', async () => {
    sb = await startQuickBooksSandbox({ autoApprove: true, companies: 2, clock: new ManualClock() });
    const a = await signIn(sb);
    const b = await signIn(sb);
    const [first, second] = sb.companies;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await api(first!.realmId, 'preferences', a.accessToken)).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
    // The same second, the other company still answers.
    expect((await api(second!.realmId, 'preferences', b.accessToken)).status).toBe(200);
    expect(sb.stats.throttledBy.perSecond).toBe(1);
  });

  it('lets the user pick a company on the consent page', async () => {
    sb = await startQuickBooksSandbox({ companies: 3, redirectUris: ['http://localhost:8765/callback'], clock: new ManualClock() });
    const cfg = loadConfig(sb.env).quickbooks;
    const oauth = createQuickBooksOAuth(cfg);
    const page = await fetch(oauth.authorizeUrl({ state: 'st', redirectUri: cfg.redirectUri }));
    const html = await page.text();
    for (const c of sb.companies) expect(html).toContain(c.companyName);
    const third = sb.companies[2]!;
    const action = new RegExp(`action="([^"]+)"><button type="submit" data-realm="${third.realmId}"`).exec(html)?.[1];
    expect(action).toBeDefined();
    const decided = await fetch(new URL(action!.replace(/&amp;/g, '&'), sb.url), { method: 'POST', redirect: 'manual' });
    expect(decided.status).toBe(302);
    const callback = new URL(decided.headers.get('location')!);
    expect(callback.searchParams.get('realmId')).toBe(third.realmId);
    const tokens = await oauth.exchange(callback.searchParams, { redirectUri: cfg.redirectUri });
    expect(tokens.extra?.realmId).toBe(third.realmId);
  });
});
