import type { OAuthAdapter, TokenSet } from '../auth/types.js';
import type { Context } from '../runtime/context.js';

export interface SignInOptions {
  noBrowser: boolean;
  timeoutMs: number;
  /** Replaces the system browser (the demo follows the redirects itself). */
  openBrowser?: (url: string) => Promise<void>;
}

/**
 * Runs the browser (or paste-back) sign-in for one provider with the context's streams.
 * Ctrl+C while waiting cancels it cleanly (listener closed, exit 2, nothing stored), and the
 * next `synder init` resumes from there.
 */
export async function signIn(ctx: Context, adapter: OAuthAdapter, redirectUri: string, opts: SignInOptions): Promise<{ tokens: TokenSet; callback: URLSearchParams }> {
  const { signInWithBrowser } = await import('../auth/index.js');
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await signInWithBrowser({
      adapter,
      redirectUri,
      streams: ctx.streams,
      noBrowser: opts.noBrowser,
      timeoutMs: opts.timeoutMs,
      interactive: ctx.interactive,
      env: ctx.env,
      openBrowser: opts.openBrowser ?? browserCommand(ctx.env.BROWSER),
      signal: cancel.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * A user agent for the sandbox: fetches the authorize URL and follows its redirects, which
 * (with --auto-approve) end at synder's own loopback listener — the real flow, minus a browser.
 */
export async function followRedirects(url: string): Promise<void> {
  const { default: got } = await import('got');
  let next = url;
  for (let hop = 0; hop < 10; hop++) {
    const res = await got(next, { followRedirect: false, throwHttpErrors: false, retry: { limit: 0 } });
    const location = res.headers.location;
    if (res.statusCode >= 300 && res.statusCode < 400 && location) {
      next = new URL(location, next).toString();
      continue;
    }
    return;
  }
}

/**
 * $BROWSER, as git, gh and xdg-open honour it: a command that opens a URL (given as its last
 * argument, or in place of %s). It works without a display, so a server or a script against the
 * auto-approving sandbox can sign in (`BROWSER='curl -sL -o /dev/null'`).
 */
export function browserCommand(browser: string | undefined): ((url: string) => Promise<void>) | undefined {
  if (!browser?.trim()) return undefined;
  return async (url) => {
    const { spawn } = await import('node:child_process');
    const script = browser.includes('%s') ? browser.replaceAll('%s', '"$1"') : `${browser} "$1"`;
    const child = spawn('sh', ['-c', script, 'sh', url], { stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  };
}
