import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReauthRequiredError, SynderError } from '../../src/errors.js';
import type { AuthorizationRequest, OAuthAdapter, TokenSet } from '../../src/auth/types.js';

/**
 * A small OAuth provider for tests: an authorize endpoint that redirects back with code+state
 * (or access_denied), and a token endpoint with single-use codes, PKCE checks and rotating
 * refresh tokens that are burned on use — like Xero and QuickBooks.
 */
export interface TestOAuthServer {
  url: string;
  refreshCalls: number;
  exchangeCalls: number;
  deny: boolean;
  /** Every refresh token ever handed out that is still valid. */
  validRefresh: Set<string>;
  issueTokens(): { access_token: string; refresh_token: string; expires_in: number };
  close(): Promise<void>;
}

export async function startTestOAuthServer(opts: { accessLifetimeS?: number; refreshDelayMs?: number } = {}): Promise<TestOAuthServer> {
  const codes = new Map<string, { redirectUri: string; challenge?: string }>();
  const state: TestOAuthServer = {
    url: '',
    refreshCalls: 0,
    exchangeCalls: 0,
    deny: false,
    validRefresh: new Set(),
    issueTokens() {
      const refresh = `rt-${randomBytes(8).toString('hex')}`;
      state.validRefresh.add(refresh);
      return { access_token: `at-${randomBytes(8).toString('hex')}`, refresh_token: refresh, expires_in: opts.accessLifetimeS ?? 1800 };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/authorize') {
      const back = new URL(url.searchParams.get('redirect_uri')!);
      if (state.deny) {
        back.searchParams.set('error', 'access_denied');
      } else {
        const code = `code-${randomBytes(6).toString('hex')}`;
        codes.set(code, { redirectUri: url.searchParams.get('redirect_uri')!, challenge: url.searchParams.get('code_challenge') ?? undefined });
        back.searchParams.set('code', code);
        back.searchParams.set('realmId', '9130');
      }
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() });
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/token') {
      let body = '';
      for await (const c of req) body += c;
      const form = new URLSearchParams(body);
      if (form.get('grant_type') === 'authorization_code') {
        state.exchangeCalls++;
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!code || code.redirectUri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant' });
        if (code.challenge) {
          const verifier = form.get('code_verifier') ?? '';
          if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
        }
        return json(res, 200, state.issueTokens());
      }
      if (form.get('grant_type') === 'refresh_token') {
        state.refreshCalls++;
        if (opts.refreshDelayMs) await new Promise((r) => setTimeout(r, opts.refreshDelayMs));
        const rt = form.get('refresh_token') ?? '';
        if (!state.validRefresh.delete(rt)) return json(res, 400, { error: 'invalid_grant' });
        return json(res, 200, state.issueTokens());
      }
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    res.writeHead(404);
    res.end();
  };
  // A handler that throws answers 500, so the client under test sees a failure instead of hanging.
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { error: String(err) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** An OAuthAdapter for the test server, written the way the real provider adapters are. */
export function testAdapter(baseUrl: string, opts: { usesPkce?: boolean; provider?: OAuthAdapter['provider'] } = {}): OAuthAdapter {
  const toTokens = (body: { access_token: string; refresh_token: string; expires_in: number }, extra?: Record<string, string>): TokenSet => ({
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: Date.now() + body.expires_in * 1000,
    ...(extra ? { extra } : {}),
  });
  const post = async (form: Record<string, string>) => {
    const res = await fetch(`${baseUrl}/token`, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    return { status: res.status, body: (await res.json()) as { error?: string; access_token: string; refresh_token: string; expires_in: number } };
  };
  return {
    provider: opts.provider ?? 'xero',
    usesPkce: opts.usesPkce ?? true,
    authorizeUrl(req: AuthorizationRequest) {
      const u = new URL(`${baseUrl}/authorize`);
      u.searchParams.set('response_type', 'code');
      u.searchParams.set('redirect_uri', req.redirectUri);
      u.searchParams.set('state', req.state);
      if (req.codeChallenge) {
        u.searchParams.set('code_challenge', req.codeChallenge);
        u.searchParams.set('code_challenge_method', 'S256');
      }
      return u.toString();
    },
    async exchange(callback, req) {
      if (callback.get('error')) throw new SynderError(`denied: ${callback.get('error')}`, { code: 'auth_denied' });
      const { status, body } = await post({ grant_type: 'authorization_code', code: callback.get('code') ?? '', redirect_uri: req.redirectUri, ...(req.codeVerifier ? { code_verifier: req.codeVerifier } : {}) });
      if (status !== 200) throw new SynderError(`The token endpoint rejected the authorization code (${body.error}).`, { code: 'code_exchange_failed' });
      const realmId = callback.get('realmId');
      return toTokens(body, realmId ? { realmId } : undefined);
    },
    async refresh(tokens) {
      const { status, body } = await post({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '' });
      if (status === 400 && body.error === 'invalid_grant') throw new ReauthRequiredError('xero', 'The refresh token was rejected (invalid_grant).');
      if (status !== 200) throw new SynderError(`refresh failed with ${status}`);
      return toTokens(body);
    },
  };
}

/** Follows the provider's authorize redirect like a browser would, without loading the callback. */
export async function approve(authorizeUrl: string): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`authorize did not redirect (${res.status})`);
  return location;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Bundles a TypeScript entry for a child process (Node 20 cannot run .ts itself). The output
 * goes under node_modules/.cache so the bundle's package imports resolve like the source's.
 */
export async function bundleForChild(entry: string): Promise<string> {
  const { build } = await import('rolldown');
  const dir = path.join(repoRoot, 'node_modules', '.cache', 'synder-auth-tests');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${path.basename(entry, '.ts')}-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
  await build({
    input: entry,
    platform: 'node',
    external: [/^node:/, /^[a-z@][^:]*$/],
    resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
    output: { file, format: 'esm' },
    logLevel: 'silent',
  });
  return file;
}

/**
 * Starts one child per argument list, waits until each says "ready", then releases them all at
 * once ("go" on stdin) so their refreshes race; resolves with each child's exit code and output.
 */
export async function raceChildren(script: string, argLists: string[][], env: NodeJS.ProcessEnv = process.env): Promise<Array<{ code: number | null; out: string; err: string }>> {
  const children = argLists.map((args) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const ready = new Promise<void>((resolve) => child.stdout.on('data', (d) => ((out += d), out.includes('ready\n') && resolve())));
    const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.child.stdin.end('go\n');
  return Promise.all(children.map((c) => c.done));
}
