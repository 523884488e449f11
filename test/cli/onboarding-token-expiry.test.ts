import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synderNow } from '../helpers/in-process.js';
import { autoBrowser, spawnCli, startOnboardingSandbox, type OnboardingSandbox } from './onboarding-helpers.js';

interface Stored {
  accessToken: string;
  refreshToken?: string;
  expiresAt: number;
}

/** The token sets as the file vault holds them (plain JSON when no SYNDER_CREDENTIALS_KEY is set). */
function storedTokens(home: string): Record<string, Stored> {
  return (JSON.parse(fs.readFileSync(path.join(home, 'credentials.json'), 'utf8')) as { tokens: Record<string, Stored> }).tokens;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every stored access token is past its expiry (the sandbox issued them with a 2 s lifetime). */
async function untilExpired(home: string): Promise<void> {
  const latest = Math.max(...Object.values(storedTokens(home)).map((t) => t.expiresAt));
  await sleep(Math.max(0, latest - Date.now()) + 300);
}

describe.each(['quickbooks', 'xero'] as const)('expired access tokens (%s)', (ledger) => {
  let sandbox: OnboardingSandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  it('sync refreshes them transparently, keeps the rotated refresh tokens, and exits 4 once the grant is revoked', async () => {
    sandbox = await startOnboardingSandbox({ ledger, accessTokenTtlSec: 2 });
    const home = tempHome();
    const env = { ...sandbox.env, SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file' };
    const init = spawnCli(['init', '--no-input', '--name', 'Short Tokens', '--ledger', ledger, '--mode', 'per-transaction', '--bank-account', 'Business Checking', '--tiktok', 'connect', '--no-sync'], env);
    await autoBrowser(init, 2);
    expect(await init.exited, init.stderr).toBe(0);
    const ledgerKey = 'org:1:ledger';
    const first = storedTokens(home);
    expect(first[ledgerKey]?.refreshToken).toBeTruthy();
    const tiktokKey = Object.keys(first).find((k) => k.includes(':tiktok:'))!;

    await untilExpired(home);
    const before = await synderNow(['status', '--json'], { env });
    const health = JSON.parse(before.stdout) as { ledger: { token: { health: string } } };
    expect(health.ledger.token.health).toBe('refresh due');

    const s1 = await synderNow(['sync', '--since', '10d', '--json'], { env });
    expect(s1.code, s1.stderr).toBe(0);
    const second = storedTokens(home);
    expect(second[ledgerKey]!.accessToken).not.toBe(first[ledgerKey]!.accessToken);
    expect(second[tiktokKey]!.accessToken).not.toBe(first[tiktokKey]!.accessToken);
    // Both ledgers rotate refresh tokens on every refresh.
    expect(second[ledgerKey]!.refreshToken).not.toBe(first[ledgerKey]!.refreshToken);

    // The rotated refresh token was persisted: the next expiry is handled from it.
    await untilExpired(home);
    const s2 = await synderNow(['sync', '--since', '10d', '--json'], { env });
    expect(s2.code, s2.stderr).toBe(0);
    const third = storedTokens(home);
    expect(third[ledgerKey]!.accessToken).not.toBe(second[ledgerKey]!.accessToken);

    // The company admin disconnects the app in the ledger: access and refresh tokens die with the grant.
    await revoke(sandbox, ledger, third[ledgerKey]!.refreshToken!);
    // The local expiry time cannot show a revoked grant; --check asks each provider.
    const checked = await synderNow(['status', '--check', '--json'], { env });
    expect(checked.code, checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout)).toMatchObject({
      ledger: { token: { health: 're-auth needed', check: { result: 'refused' } } },
      integrations: [{ token: { health: 'ok', check: { result: 'accepted' } } }],
    });
    await untilExpired(home);
    const s3 = await synderNow(['sync', '--since', '10d'], { env });
    expect(s3.code, s3.stderr).toBe(4);
    expect(s3.stderr).toContain(`synder connect ${ledger}`);
    expect(s3.stderr).not.toMatch(/Internal error/);
    const j = await synderNow(['sync', '--since', '10d', '--json'], { env });
    expect(j.code).toBe(4);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: 'reauth_required' } });
    // The rejected refresh is remembered: status says so instead of "refresh due".
    const st = await synderNow(['status', '--json'], { env });
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ ledger: { token: { health: 're-auth needed' } } });
  });
});

async function revoke(sandbox: OnboardingSandbox, ledger: 'quickbooks' | 'xero', refreshToken: string): Promise<void> {
  const env = sandbox.env;
  if (ledger === 'quickbooks') {
    const tokenUrl = new URL(env.SYNDER_QBO_TOKEN_URL!);
    const res = await fetch(new URL('/v2/oauth2/tokens/revoke', tokenUrl), {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${env.SYNDER_QBO_CLIENT_ID}:${env.SYNDER_QBO_CLIENT_SECRET}`).toString('base64')}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ token: refreshToken }),
    });
    expect(res.status).toBe(200);
    return;
  }
  const tokenUrl = new URL(env.SYNDER_XERO_TOKEN_URL!);
  const res = await fetch(new URL('/connect/revocation', tokenUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken, client_id: env.SYNDER_XERO_CLIENT_ID! }).toString(),
  });
  expect(res.status).toBe(200);
}
