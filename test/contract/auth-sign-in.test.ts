import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, signInWithBrowser, type SignInOptions } from '../../src/auth/browser-sign-in.js';
import { SynderError } from '../../src/errors.js';
import { approve, bundleForChild, startTestOAuthServer, testAdapter, type TestOAuthServer } from './auth-helpers.js';

let server: TestOAuthServer;
beforeAll(async () => {
  server = await startTestOAuthServer();
});
afterAll(async () => server.close());

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += d));
  return {
    stream,
    get text() {
      return text;
    },
    /** Resolves with the authorize URL once it was printed on its own line. */
    async authorizeUrl(): Promise<string> {
      for (let i = 0; i < 500; i++) {
        const line = text.split('\n').find((l) => l.startsWith(`${server.url}/authorize?`));
        if (line) return line;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no authorize URL printed:\n${text}`);
    },
  };
}

function options(over: Partial<SignInOptions> & { stdin?: NodeJS.ReadableStream; stderr?: PassThrough }): SignInOptions {
  return {
    adapter: testAdapter(server.url),
    redirectUri: 'http://localhost:0/callback',
    streams: { stdin: over.stdin ?? new PassThrough(), stderr: over.stderr ?? new PassThrough() },
    noBrowser: true,
    timeoutMs: 30_000,
    interactive: false,
    env: {},
    ...over,
  };
}

const refused = (url: string) =>
  fetch(url).then(
    () => false,
    () => true,
  );

describe('browser sign-in', () => {
  it('opens the browser and receives the loopback callback (PKCE checked by the provider)', async () => {
    const err = capture();
    const opened: string[] = [];
    const result = await signInWithBrowser(
      options({
        stderr: err.stream,
        noBrowser: false,
        interactive: true,
        env: { DISPLAY: ':0' },
        platform: 'linux',
        openBrowser: async (url) => {
          opened.push(url);
          // The "browser": follow the provider's redirect to the loopback listener.
          void fetch(await approve(url));
        },
      }),
    );
    expect(opened).toHaveLength(1);
    expect(result.via).toBe('loopback');
    expect(result.tokens.accessToken).toMatch(/^at-/);
    expect(result.tokens.extra).toEqual({ realmId: '9130' });
    expect(result.callback.get('realmId')).toBe('9130');
    expect(new URL(opened[0]!).searchParams.get('code_challenge_method')).toBe('S256');
    expect(err.text.split('\n')).toContain(opened[0]);
    expect(await refused(result.redirectUri)).toBe(true);
  });

  it('treats a Linux session without a display as --no-browser', async () => {
    expect(browserUnavailable({}, true, 'linux')).toBe(true);
    expect(browserUnavailable({ WAYLAND_DISPLAY: 'wayland-0' }, true, 'linux')).toBe(false);
    expect(browserUnavailable({ DISPLAY: ':0' }, false, 'linux')).toBe(true);
    expect(browserUnavailable({}, true, 'darwin')).toBe(false);
    // Headless with the system opener: behaves as --no-browser (offers paste-back).
    const err = capture();
    const p = signInWithBrowser(options({ stderr: err.stream, noBrowser: false, interactive: true, env: {}, platform: 'linux' }));
    await fetch(await approve(await err.authorizeUrl()));
    expect((await p).via).toBe('loopback');
    expect(err.text).toContain('paste it here');
    // --no-browser never calls an opener, even a custom one.
    const err2 = capture();
    let opened = false;
    const p2 = signInWithBrowser(options({ stderr: err2.stream, noBrowser: true, interactive: true, env: { DISPLAY: ':0' }, platform: 'linux', openBrowser: async () => void (opened = true) }));
    await fetch(await approve(await err2.authorizeUrl()));
    expect((await p2).via).toBe('loopback');
    expect(opened).toBe(false);
  });

  it('a caller-supplied opener is used even without a terminal (the demo follows redirects itself)', async () => {
    const err = capture();
    const result = await signInWithBrowser(
      options({ stderr: err.stream, noBrowser: false, interactive: false, openBrowser: async (url) => void (await fetch(await approve(url))) }),
    );
    expect(result.via).toBe('loopback');
  });

  it('--no-browser: a pasted address wins and the listener is closed', async () => {
    const stdin = new PassThrough();
    const err = capture();
    const p = signInWithBrowser(options({ stdin, stderr: err.stream }));
    const location = await approve(await err.authorizeUrl());
    stdin.write('not the url\n');
    stdin.write(`${location}\n`);
    const result = await p;
    expect(result.via).toBe('paste');
    expect(result.tokens.accessToken).toMatch(/^at-/);
    expect(err.text).toContain('does not look like the address');
    expect(await refused(location)).toBe(true);
    expect(stdin.listenerCount('data')).toBe(0);
  });

  it('--no-browser: the loopback wins and stdin is released', async () => {
    const stdin = new PassThrough();
    const err = capture();
    const p = signInWithBrowser(options({ stdin, stderr: err.stream }));
    await fetch(await approve(await err.authorizeUrl()));
    const result = await p;
    expect(result.via).toBe('loopback');
    expect(stdin.listenerCount('data')).toBe(0);
    expect(stdin.listenerCount('end')).toBe(0);
    expect(stdin.isPaused()).toBe(true);
  });

  it('--no-browser: an empty stdin (cron) keeps waiting for the loopback', async () => {
    const stdin = new PassThrough();
    stdin.end();
    const err = capture();
    const p = signInWithBrowser(options({ stdin, stderr: err.stream }));
    const url = await err.authorizeUrl();
    await new Promise((r) => setImmediate(r));
    await fetch(await approve(url));
    expect((await p).via).toBe('loopback');
  });

  it('denied consent: a clear error, exit 2, no code exchange', async () => {
    const before = server.exchangeCalls;
    server.deny = true;
    try {
      const err = capture();
      const p = signInWithBrowser(options({ stderr: err.stream }));
      void fetch(await approve(await err.authorizeUrl()));
      await expect(p).rejects.toMatchObject({ code: 'auth_denied', exitCode: 2 });
    } finally {
      server.deny = false;
    }
    expect(server.exchangeCalls).toBe(before);
  });

  it('a pasted address with a wrong state is refused before any exchange', async () => {
    const before = server.exchangeCalls;
    const stdin = new PassThrough();
    const err = capture();
    const p = signInWithBrowser(options({ stdin, stderr: err.stream }));
    const location = new URL(await approve(await err.authorizeUrl()));
    location.searchParams.set('state', 'forged');
    stdin.write(`${location}\n`);
    await expect(p).rejects.toMatchObject({ code: 'state_mismatch' });
    expect(server.exchangeCalls).toBe(before);
  });

  it('an invalid or expired code gives a clear error and no tokens', async () => {
    const stdin = new PassThrough();
    const err = capture();
    const p = signInWithBrowser(options({ stdin, stderr: err.stream }));
    const location = new URL(await approve(await err.authorizeUrl()));
    location.searchParams.set('code', 'expired-code');
    stdin.write(`${location}\n`);
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SynderError);
    expect((e as SynderError).code).toBe('code_exchange_failed');
  });

  it('a port in use fails before anything is printed to open', async () => {
    const blocker = await startTestOAuthServer();
    const port = new URL(blocker.url).port;
    try {
      const err = capture();
      await expect(signInWithBrowser(options({ stderr: err.stream, redirectUri: `http://localhost:${port}/callback` }))).rejects.toMatchObject({
        code: 'port_in_use',
        hint: expect.stringContaining('SYNDER_XERO_REDIRECT_URI'),
      });
      expect(err.text).not.toContain('/authorize?');
    } finally {
      await blocker.close();
    }
  });

  it('times out with a clear error', async () => {
    await expect(signInWithBrowser(options({ timeoutMs: 100 }))).rejects.toMatchObject({ code: 'auth_timeout' });
  });

  it('an https redirect (production keys) uses paste-back only', async () => {
    const stdin = new PassThrough();
    const err = capture();
    const p = signInWithBrowser(options({ stdin, stderr: err.stream, redirectUri: 'https://example.com/synder/callback', adapter: testAdapter(server.url, { usesPkce: false, provider: 'quickbooks' }) }));
    const url = await err.authorizeUrl();
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('https://example.com/synder/callback');
    expect(new URL(url).searchParams.get('code_challenge')).toBeNull();
    const location = await approve(url);
    stdin.write(`${location}\n`);
    const result = await p;
    expect(result.via).toBe('paste');
    expect(result.tokens.extra?.realmId).toBe('9130');
  });

  it('an https redirect with nothing on stdin fails instead of hanging', async () => {
    const stdin = new PassThrough();
    stdin.end();
    await expect(signInWithBrowser(options({ stdin, redirectUri: 'https://example.com/cb' }))).rejects.toMatchObject({ code: 'paste_ended' });
  });
});

describe('browser sign-in in a real process', () => {
  let script: string;
  beforeAll(async () => {
    script = await bundleForChild(path.join(path.dirname(new URL(import.meta.url).pathname), 'auth-sign-in-child.ts'));
  });
  afterAll(() => fs.rmSync(script, { force: true }));

  /** Runs the child with a stdin pipe that stays open, so only clean shutdown lets it exit. */
  async function race(winner: 'paste' | 'loopback') {
    const child = spawn(process.execPath, [script, server.url, 'http://localhost:0/callback'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const line = stderr.split('\n').find((l) => l.startsWith(`${server.url}/authorize?`));
        if (line) resolve(line);
      });
      child.on('exit', () => reject(new Error(`child exited early:\n${stderr}`)));
    });
    const location = await approve(url);
    if (winner === 'paste') child.stdin.write(`${location}\n`);
    else await fetch(location);
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    clearTimeout(killer);
    child.stdin.destroy();
    return { code, signal, stdout, stderr };
  }

  it('exits on its own after a pasted address wins (stdin still open)', async () => {
    const r = await race('paste');
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ via: 'paste' });
  });

  it('exits on its own after the loopback wins (stdin still open)', async () => {
    const r = await race('loopback');
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ via: 'loopback' });
  });
});
