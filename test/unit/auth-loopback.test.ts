import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { isLoopbackRedirect, startLoopbackListener } from '../../src/auth/loopback.js';
import { SynderError } from '../../src/errors.js';

const STATE = 'expected-state-123';

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

async function rejection(p: Promise<unknown>): Promise<SynderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SynderError);
  return err as SynderError;
}

async function refused(url: string): Promise<boolean> {
  return fetch(url).then(
    () => false,
    () => true,
  );
}

describe('loopback listener', () => {
  it('accepts one callback with the right state, ignoring other paths first', async () => {
    const l = await startLoopbackListener({ redirectUri: 'http://localhost:0/callback', expectedState: STATE, timeoutMs: 30_000 });
    expect(l.redirectUri).toBe(`http://localhost:${l.port}/callback`);
    const base = `http://127.0.0.1:${l.port}`;
    expect((await get(`${base}/favicon.ico`)).status).toBe(404);
    const waiting = await get(`${base}/callback`);
    expect(waiting.status).toBe(400);
    const ok = await get(`${base}/callback?code=abc&state=${STATE}&realmId=42`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('close this tab');
    const params = await l.callback;
    expect(params.get('code')).toBe('abc');
    expect(params.get('realmId')).toBe('42');
    expect(await refused(`${base}/callback?code=again&state=${STATE}`)).toBe(true);
  });

  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!external)('binds 127.0.0.1 only, not the machine\'s other addresses (needs a non-loopback interface)', async () => {
    const l = await startLoopbackListener({ redirectUri: 'http://localhost:0/cb', expectedState: STATE, timeoutMs: 30_000 });
    expect(await refused(`http://${external}:${l.port}/cb?code=a&state=${STATE}`)).toBe(true);
    expect((await get(`http://127.0.0.1:${l.port}/other`)).status).toBe(404);
    await l.close();
    await expect(l.callback).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('rejects a wrong state with an error page and closes', async () => {
    const l = await startLoopbackListener({ redirectUri: 'http://127.0.0.1:0/callback', expectedState: STATE, timeoutMs: 30_000 });
    const res = await get(`http://127.0.0.1:${l.port}/callback?code=abc&state=forged`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('does not match');
    const err = await rejection(l.callback);
    expect(err.code).toBe('state_mismatch');
    expect(err.message).not.toContain('abc');
    expect(await refused(`http://127.0.0.1:${l.port}/callback`)).toBe(true);
  });

  it('reports denied consent as cancelled (exit 2)', async () => {
    const l = await startLoopbackListener({ redirectUri: 'http://127.0.0.1:0/callback', expectedState: STATE, timeoutMs: 30_000, provider: 'quickbooks' });
    const res = await get(`http://127.0.0.1:${l.port}/callback?error=access_denied&state=${STATE}`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('cancelled');
    const err = await rejection(l.callback);
    expect(err.code).toBe('auth_denied');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('QuickBooks Online');
  });

  it('times out with a clear message', async () => {
    const l = await startLoopbackListener({ redirectUri: 'http://127.0.0.1:0/callback', expectedState: STATE, timeoutMs: 150 });
    const err = await rejection(l.callback);
    expect(err.code).toBe('auth_timeout');
    expect(err.message).toMatch(/No sign-in response arrived within/);
    expect(await refused(`http://127.0.0.1:${l.port}/callback`)).toBe(true);
  });

  it('names the port and the variable to change when the port is in use', async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const err = await rejection(
        startLoopbackListener({ redirectUri: `http://localhost:${port}/callback`, expectedState: STATE, timeoutMs: 1000, redirectEnvVar: 'SYNDER_XERO_REDIRECT_URI' }),
      );
      expect(err.code).toBe('port_in_use');
      expect(err.message).toContain(String(port));
      expect(err.hint).toContain('SYNDER_XERO_REDIRECT_URI');
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it('is cancelled by an abort signal', async () => {
    const ac = new AbortController();
    const l = await startLoopbackListener({ redirectUri: 'http://127.0.0.1:0/callback', expectedState: STATE, timeoutMs: 30_000, signal: ac.signal });
    ac.abort();
    const err = await rejection(l.callback);
    expect(err.code).toBe('cancelled');
    expect(err.exitCode).toBe(2);
  });

  it('knows which redirect URIs it can serve', () => {
    expect(isLoopbackRedirect('http://localhost:8765/callback')).toBe(true);
    expect(isLoopbackRedirect('http://127.0.0.1:8765/callback')).toBe(true);
    expect(isLoopbackRedirect('https://example.com/callback')).toBe(false);
    expect(isLoopbackRedirect('https://localhost:8765/callback')).toBe(false);
    expect(isLoopbackRedirect('not a url')).toBe(false);
  });
});
