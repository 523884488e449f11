import type { Writable } from 'node:stream';
import type { Env } from '../config.js';
import { SynderError } from '../errors.js';
import { isLoopbackRedirect, startLoopbackListener, type LoopbackListener } from './loopback.js';
import { PasteEndedError, readPastedRedirect } from './paste-back.js';
import { newPkcePair, newState } from './pkce.js';
import { providerName } from './pages.js';
import { errorMessage } from './redact.js';
import type { OAuthAdapter, TokenSet } from './types.js';

export interface SignInStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

export interface SignInOptions {
  adapter: OAuthAdapter;
  redirectUri: string;
  streams: SignInStreams;
  /** Opens the URL in a browser; defaults to the `open` package. Never relied on to have worked. */
  openBrowser?: (url: string) => Promise<void>;
  noBrowser: boolean;
  timeoutMs: number;
  /** A terminal on both ends (Context.interactive). Without one the browser is not opened. */
  interactive: boolean;
  env: Env;
  signal?: AbortSignal;
  /** The variable that sets this provider's redirect URI (named in the port-in-use message). */
  redirectEnvVar?: string;
  /** Defaults to process.platform; tests pass one to check headless detection. */
  platform?: NodeJS.Platform;
}

export interface SignInResult {
  tokens: TokenSet;
  /** The callback's parameters (code, state, realmId …), for the caller to keep provider details. */
  callback: URLSearchParams;
  /** The redirect URI used in the authorize request and the code exchange. */
  redirectUri: string;
  /** How the callback arrived. */
  via: 'loopback' | 'paste';
}

/** Which variable overrides a provider's redirect URI. */
export const redirectEnvVar = (provider: string): string =>
  `SYNDER_${({ quickbooks: 'QBO', xero: 'XERO', tiktok: 'TIKTOK' } as Record<string, string>)[provider] ?? provider.toUpperCase()}_REDIRECT_URI`;

/**
 * True when a browser cannot be shown here: a Linux/BSD session with no display, or no terminal
 * (cron, CI). `open` resolves silently in those cases, so we must decide up front.
 */
export function browserUnavailable(env: Env, interactive: boolean, platform: NodeJS.Platform = process.platform): boolean {
  if (!interactive) return true;
  if (platform === 'darwin' || platform === 'win32') return false;
  return !env.DISPLAY && !env.WAYLAND_DISPLAY;
}

async function defaultOpenBrowser(url: string): Promise<void> {
  const { default: open } = await import('open');
  const child = await open(url, { wait: false });
  // The spawned opener must not keep the CLI alive, nor crash it if it fails later.
  child.on('error', () => undefined);
  child.unref();
}

/**
 * The whole browser sign-in: state (+ PKCE when the adapter uses it), the authorize URL printed
 * on its own line, the browser opened when one can be, then the loopback callback — or, with
 * no browser, the loopback and a pasted address raced, whichever comes first — and finally
 * the code exchange. Every failure is a SynderError; no tokens are returned unless all passed.
 */
export async function signInWithBrowser(opts: SignInOptions): Promise<SignInResult> {
  const { adapter, streams } = opts;
  const provider = adapter.provider;
  const name = providerName(provider);
  const state = newState();
  const pkce = adapter.usesPkce ? newPkcePair() : undefined;
  const say = (line: string) => streams.stderr.write(line + '\n');
  const unavailable = browserUnavailable(opts.env, opts.interactive, opts.platform);
  // A caller-supplied opener (the demo's redirect follower) works without a display.
  const openIt = !opts.noBrowser && (opts.openBrowser !== undefined || !unavailable);
  const headless = opts.noBrowser || unavailable;
  const loopback = isLoopbackRedirect(opts.redirectUri);

  const local = new AbortController();
  const onOuterAbort = () => local.abort();
  if (opts.signal?.aborted) local.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  let listener: LoopbackListener | undefined;
  try {
    if (loopback) {
      listener = await startLoopbackListener({
        redirectUri: opts.redirectUri,
        expectedState: state,
        timeoutMs: opts.timeoutMs,
        signal: local.signal,
        redirectEnvVar: opts.redirectEnvVar ?? redirectEnvVar(provider),
        provider,
      });
    }
    const redirectUri = listener?.redirectUri ?? opts.redirectUri;
    const authorizeUrl = adapter.authorizeUrl({ state, redirectUri, codeChallenge: pkce?.challenge });

    say(`Sign in to ${name} by opening this address in a browser:`);
    streams.stderr.write(`${authorizeUrl}\n`);
    const acceptPaste = headless || !loopback;
    if (openIt) {
      try {
        await (opts.openBrowser ?? defaultOpenBrowser)(authorizeUrl);
      } catch (err) {
        say(`Could not open a browser (${errorMessage(err)}); open the address above yourself.`);
      }
    }
    if (acceptPaste) {
      say(
        loopback
          ? `After approving, the browser goes to ${redirectUri}. If the browser is on another machine, copy the full address it shows and paste it here, then press Enter.`
          : `After approving, copy the full address the browser lands on (it starts with ${redirectUri}) and paste it here, then press Enter.`,
      );
    } else {
      say(`Waiting for you to approve in the browser (listening on ${redirectUri}) …`);
    }

    const waits: Array<Promise<{ params: URLSearchParams; via: SignInResult['via'] }>> = [];
    if (listener) waits.push(listener.callback.then((params) => ({ params, via: 'loopback' as const })));
    if (acceptPaste) {
      const pasted = readPastedRedirect({
        input: streams.stdin,
        expectedState: state,
        provider,
        signal: local.signal,
        onUnrecognized: () => say('That does not look like the address the browser landed on (it should contain code= and state=). Paste the full address again:'),
      }).then((params) => ({ params, via: 'paste' as const }));
      if (listener) {
        // With a listener still up, an ended stdin (cron, /dev/null) just means "no paste": keep waiting.
        waits.push(pasted.catch((err: unknown) => (err instanceof PasteEndedError ? new Promise<never>(() => undefined) : Promise.reject(err))));
      } else {
        waits.push(withTimeout(pasted, opts.timeoutMs, local));
      }
    }

    const winner = await Promise.race(waits);
    local.abort();
    await listener?.close();

    let tokens: TokenSet;
    try {
      tokens = await adapter.exchange(winner.params, { redirectUri, codeVerifier: pkce?.verifier });
    } catch (err) {
      if (err instanceof SynderError) throw err;
      throw new SynderError(`${name} did not accept the authorization code: ${errorMessage(err)}`, {
        code: 'code_exchange_failed',
        cause: err,
        hint: 'Codes expire within minutes and work once: run the command again and finish promptly. Also check the app credentials and the redirect URI.',
      });
    }
    return { tokens, callback: winner.params, redirectUri, via: winner.via };
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    local.abort();
    await listener?.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, controller: AbortController): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      controller.abort();
      reject(new SynderError(`No pasted address arrived within ${Math.round(ms / 1000)} seconds; gave up waiting.`, { code: 'auth_timeout' }));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
