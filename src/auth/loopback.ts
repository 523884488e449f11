import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExitCode, SynderError, UsageError } from '../errors.js';
import { judgeCallback } from './callback.js';
import { errorPage, successPage } from './pages.js';

export interface LoopbackOptions {
  /** The registered redirect URI, e.g. http://localhost:8765/callback. Port 0 binds any free port. */
  redirectUri: string;
  expectedState: string;
  timeoutMs: number;
  successHtml?: string;
  signal?: AbortSignal;
  /** Names the variable that changes the redirect URI, for the port-in-use message. */
  redirectEnvVar?: string;
  provider?: string;
}

export interface LoopbackListener {
  /** The redirect URI actually served (differs from the option only when it asked for port 0). */
  readonly redirectUri: string;
  readonly port: number;
  /** Resolves with the callback's query once one valid callback arrived; rejects on error, timeout or abort. */
  readonly callback: Promise<URLSearchParams>;
  /** Stops listening; a pending `callback` rejects as cancelled. Safe to call more than once. */
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when the redirect URI can be served by a listener on this machine (plain http on a loopback host). */
export function isLoopbackRedirect(redirectUri: string): boolean {
  try {
    const u = new URL(redirectUri);
    return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

export function cancelledError(): SynderError {
  return new SynderError('Sign-in was cancelled.', { exitCode: ExitCode.usage, code: 'cancelled' });
}

export function timeoutError(timeoutMs: number): SynderError {
  const mins = timeoutMs >= 60_000 ? `${Math.round(timeoutMs / 60_000)} minute${timeoutMs >= 90_000 ? 's' : ''}` : `${Math.round(timeoutMs / 1000)} seconds`;
  return new SynderError(`No sign-in response arrived within ${mins}; gave up waiting.`, {
    code: 'auth_timeout',
    hint: 'Run the command again and finish the consent page sooner; with --no-browser you can also paste the address the browser lands on.',
  });
}

/**
 * Serves the OAuth redirect on 127.0.0.1 only, for exactly one callback carrying the expected
 * state. Other paths (favicon, probes) get a 404 and do not use up the one callback.
 */
export async function startLoopbackListener(opts: LoopbackOptions): Promise<LoopbackListener> {
  let uri: URL;
  try {
    uri = new URL(opts.redirectUri);
  } catch {
    throw new UsageError(`The redirect URI "${opts.redirectUri}" is not a valid URL.`, opts.redirectEnvVar ? `Fix ${opts.redirectEnvVar}.` : undefined);
  }
  if (!isLoopbackRedirect(opts.redirectUri)) {
    throw new UsageError(`The redirect URI ${opts.redirectUri} is not a loopback http:// address, so synder cannot receive it here.`, 'Paste the address the browser lands on instead.');
  }
  const requestedPort = uri.port === '' ? 80 : Number(uri.port);
  const path = uri.pathname || '/';

  let settle!: { resolve: (p: URLSearchParams) => void; reject: (e: unknown) => void };
  const callback = new Promise<URLSearchParams>((resolve, reject) => (settle = { resolve, reject }));
  // A caller that only awaits close() must not trip an unhandled rejection.
  callback.catch(() => undefined);
  let done = false;
  let timer: NodeJS.Timeout | undefined;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('connection', 'close');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('referrer-policy', 'no-referrer');
    if (url.pathname !== path || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return;
    }
    if (done) {
      send(res, 410, errorPage('Sign-in already finished', 'This sign-in has already received its response.'));
      return;
    }
    const verdict = judgeCallback(url.searchParams, opts.expectedState, opts.provider);
    if (verdict.kind === 'ignore') {
      send(res, 400, errorPage('Waiting for sign-in', 'This address receives the sign-in response from the provider; open the sign-in link from the terminal instead.'));
      return;
    }
    done = true;
    if (verdict.kind === 'fail') {
      send(res, 400, errorPage(verdict.title, verdict.error.message), () => finish(() => settle.reject(verdict.error)));
    } else {
      send(res, 200, opts.successHtml ?? successPage(opts.provider), () => finish(() => settle.resolve(url.searchParams)));
    }
  });

  const onAbort = () => {
    if (done) return;
    done = true;
    finish(() => settle.reject(cancelledError()));
  };

  let closed: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  function finish(then: () => void): void {
    void shutdown().then(then);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(bindError(err, requestedPort, opts)));
    server.listen(requestedPort, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let served = opts.redirectUri;
  if (uri.port === '0') {
    uri.port = String(port);
    served = uri.toString();
  }

  timer = setTimeout(() => {
    if (done) return;
    done = true;
    finish(() => settle.reject(timeoutError(opts.timeoutMs)));
  }, opts.timeoutMs);
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    redirectUri: served,
    port,
    callback,
    close: async () => {
      if (!done) {
        done = true;
        settle.reject(cancelledError());
      }
      await shutdown();
    },
  };
}

function send(res: http.ServerResponse, status: number, html: string, after?: () => void): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html, after);
}

function bindError(err: NodeJS.ErrnoException, port: number, opts: LoopbackOptions): SynderError {
  const change = opts.redirectEnvVar
    ? `register another loopback redirect URI (another port) with the provider app and set ${opts.redirectEnvVar} to it`
    : 'use another registered loopback redirect URI';
  if (err.code === 'EADDRINUSE') {
    return new SynderError(`Port ${port} on 127.0.0.1 (from the redirect URI ${opts.redirectUri}) is already in use, so synder cannot receive the sign-in.`, {
      code: 'port_in_use',
      hint: `Stop the program using port ${port}, or ${change}.`,
    });
  }
  if (err.code === 'EACCES') {
    return new SynderError(`Not allowed to listen on port ${port} (from the redirect URI ${opts.redirectUri}).`, { code: 'port_denied', hint: `Ports below 1024 need privileges: ${change}.` });
  }
  return new SynderError(`Cannot listen on 127.0.0.1:${port} for the sign-in: ${err.message}`, { code: 'listen_failed' });
}
