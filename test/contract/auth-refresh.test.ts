import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreshTokens, lockFileFor, withFreshToken } from '../../src/auth/refresh.js';
import type { TokenSet, TokenVault } from '../../src/auth/types.js';
import { openVault } from '../../src/auth/vault.js';
import { ReauthRequiredError } from '../../src/errors.js';
import { bundleForChild, raceChildren, startTestOAuthServer, testAdapter, type TestOAuthServer } from './auth-helpers.js';

const KEY = 'org:1:ledger';
let server: TestOAuthServer;
beforeAll(async () => {
  server = await startTestOAuthServer({ refreshDelayMs: 150 });
});
afterAll(async () => server.close());

async function setup(expiresInMs: number): Promise<{ home: string; vault: TokenVault; stored: TokenSet }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-refresh-'));
  const vault = await openVault({ home, env: { SYNDER_CREDENTIALS: 'file' } });
  const issued = server.issueTokens();
  const stored: TokenSet = { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresAt: Date.now() + expiresInMs, extra: { tenantId: 't-1' } };
  await vault.set(KEY, stored);
  return { home, vault, stored };
}

describe('single-flight refresh', () => {
  it('returns stored tokens that are still valid without calling the provider', async () => {
    const { home, vault, stored } = await setup(60 * 60_000);
    const before = server.refreshCalls;
    expect(await getFreshTokens({ vault, key: KEY, adapter: testAdapter(server.url), lockDir: path.join(home, 'locks') })).toEqual(stored);
    expect(server.refreshCalls).toBe(before);
  });

  it('concurrent callers in one process share one refresh, stored before use', async () => {
    const { home, vault, stored } = await setup(60_000); // inside the 5-minute skew
    const before = server.refreshCalls;
    const opts = { vault, key: KEY, adapter: testAdapter(server.url), lockDir: path.join(home, 'locks') };
    const results = await Promise.all([getFreshTokens(opts), getFreshTokens(opts), withFreshToken(opts).getAccessToken()]);
    expect(server.refreshCalls - before).toBe(1);
    expect(results[0].accessToken).not.toBe(stored.accessToken);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toBe(results[0].accessToken);
    const kept = await vault.get(KEY);
    expect(kept).toEqual(results[0]);
    expect(kept?.refreshToken).not.toBe(stored.refreshToken);
    expect(kept?.extra).toEqual({ tenantId: 't-1' });
    expect(fs.existsSync(lockFileFor(path.join(home, 'locks'), KEY))).toBe(false);
  });

  it('a rejected refresh token asks for re-authentication and leaves the vault as it was', async () => {
    const { home, vault, stored } = await setup(-1000);
    server.validRefresh.delete(stored.refreshToken!);
    const err = await getFreshTokens({ vault, key: KEY, adapter: testAdapter(server.url), lockDir: path.join(home, 'locks') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReauthRequiredError);
    expect((err as ReauthRequiredError).exitCode).toBe(4);
    expect(await vault.get(KEY)).toEqual(stored);
    expect(fs.existsSync(lockFileFor(path.join(home, 'locks'), KEY))).toBe(false);
  });

  it('an expired refresh token or a missing connection asks for re-authentication without a call', async () => {
    const { home, vault, stored } = await setup(-1000);
    await vault.set(KEY, { ...stored, refreshExpiresAt: Date.now() - 1 });
    const before = server.refreshCalls;
    const opts = { vault, key: KEY, adapter: testAdapter(server.url), lockDir: path.join(home, 'locks') };
    await expect(getFreshTokens(opts)).rejects.toBeInstanceOf(ReauthRequiredError);
    await expect(getFreshTokens({ ...opts, key: 'org:9:ledger' })).rejects.toBeInstanceOf(ReauthRequiredError);
    expect(server.refreshCalls).toBe(before);
  });

  it('onUnauthorized refreshes a rejected token once, and reuses a token someone already refreshed', async () => {
    const { home, vault, stored } = await setup(60 * 60_000);
    const access = withFreshToken({ vault, key: KEY, adapter: testAdapter(server.url), lockDir: path.join(home, 'locks') });
    const before = server.refreshCalls;
    const retried = await access.onUnauthorized(stored.accessToken);
    expect(retried).not.toBe(stored.accessToken);
    expect(server.refreshCalls - before).toBe(1);
    expect(await access.onUnauthorized(stored.accessToken)).toBe(retried);
    expect(server.refreshCalls - before).toBe(1);
  });

  it('takes over a lock left by a dead process', async () => {
    const { home, vault } = await setup(-1000);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const lock = lockFileFor(path.join(home, 'locks'), KEY);
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, JSON.stringify({ pid: dead, host: os.hostname(), at: Date.now(), nonce: 'x' }));
    const fresh = await getFreshTokens({ vault, key: KEY, adapter: testAdapter(server.url), lockDir: path.join(home, 'locks'), lockWaitMs: 5000 });
    expect(fresh.expiresAt).toBeGreaterThan(Date.now());
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('waits for a live holder and gives up with LockedError (exit 5)', async () => {
    const { home, vault } = await setup(-1000);
    const lock = lockFileFor(path.join(home, 'locks'), KEY);
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now(), nonce: 'x' }));
    await expect(getFreshTokens({ vault, key: KEY, adapter: testAdapter(server.url), lockDir: path.join(home, 'locks'), lockWaitMs: 200 })).rejects.toMatchObject({ exitCode: 5 });
  });
});

describe('refresh across processes', () => {
  let script: string;
  beforeAll(async () => {
    script = await bundleForChild(path.join(path.dirname(new URL(import.meta.url).pathname), 'auth-refresh-child.ts'));
  });
  afterAll(() => fs.rmSync(script, { force: true }));

  it('two processes racing on one vault file refresh exactly once and end with the same valid token', async () => {
    const { home, vault, stored } = await setup(-1000);
    const before = server.refreshCalls;
    const results = await raceChildren(script, [[server.url, home], [server.url, home]]);
    for (const r of results) expect(r.code, r.err).toBe(0);
    const tokens = results.map((r) => JSON.parse(r.out.split('\n')[1]!).accessToken as string);
    expect(server.refreshCalls - before).toBe(1);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[0]).not.toBe(stored.accessToken);
    const kept = await vault.get(KEY);
    expect(kept?.accessToken).toBe(tokens[0]);
    // The stored refresh token is the live one the provider will accept next.
    expect(server.validRefresh.has(kept!.refreshToken!)).toBe(true);
  });
});
