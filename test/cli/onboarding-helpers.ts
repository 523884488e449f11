import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { binPath, repoRoot, sharedDir } from '../helpers/cli.js';
import { freePort } from '../helpers/sandbox.js';
import { parseFaults } from '../../src/sandbox/faults.js';
import { startQuickBooksSandbox, type QuickBooksSandbox } from '../../src/sandbox/quickbooks/index.js';
import { startTikTokSandbox, type TikTokSandbox } from '../../src/sandbox/tiktok/index.js';
import { startXeroSandbox, type XeroSandbox } from '../../src/sandbox/xero/index.js';

export interface OnboardingSandbox {
  tiktok: TikTokSandbox;
  quickbooks?: QuickBooksSandbox;
  xero?: XeroSandbox;
  redirectUri: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The fake TikTok Shop plus one ledger, started one by one so a test can ask for several shops
 * or short-lived tokens (options `startSandbox` does not expose).
 */
export async function startOnboardingSandbox(opts: {
  ledger: 'quickbooks' | 'xero';
  shops?: number;
  autoApprove?: boolean;
  accessTokenTtlSec?: number;
  redirectUri?: string;
}): Promise<OnboardingSandbox> {
  const redirectUri = opts.redirectUri ?? `http://localhost:${await freePort()}/callback`;
  const common = { host: '127.0.0.1', port: 0, seed: 5, autoApprove: opts.autoApprove ?? true, faults: parseFaults(undefined), timeScale: 1 };
  const tiktok = await startTikTokSandbox({ ...common, orders: 24, days: 10, shops: opts.shops ?? 1, redirectUri, accessTokenTtlSec: opts.accessTokenTtlSec });
  const dir = sharedDir();
  let quickbooks: QuickBooksSandbox | undefined;
  let xero: XeroSandbox | undefined;
  if (opts.ledger === 'quickbooks') quickbooks = await startQuickBooksSandbox({ ...common, redirectUris: [redirectUri], accessTokenTtlSec: opts.accessTokenTtlSec });
  else
    xero = await startXeroSandbox({
      ...common,
      redirectUris: [redirectUri],
      accessTokenTtlSec: opts.accessTokenTtlSec,
      openApiPath: dir ? path.join(dir, 'xero-openapi', 'xero_accounting.yaml') : undefined,
      tenants: [{ name: 'Demo Company (Sandbox)', currency: 'USD' }],
    });
  const env: Record<string, string> = { ...tiktok.env, ...(quickbooks?.env ?? {}), ...(xero?.env ?? {}) };
  env.SYNDER_TIKTOK_REDIRECT_URI = redirectUri;
  env.SYNDER_QBO_REDIRECT_URI = redirectUri;
  env.SYNDER_XERO_REDIRECT_URI = redirectUri;
  return {
    tiktok,
    quickbooks,
    xero,
    redirectUri,
    env,
    close: async () => {
      await Promise.allSettled([tiktok.close(), quickbooks?.close(), xero?.close()]);
    },
  };
}

/** Bank-type accounts in the sandbox ledger's books, by name. */
export function ledgerBankAccounts(sb: OnboardingSandbox): Array<{ id: string; name: string }> {
  if (sb.quickbooks) {
    return sb.quickbooks.books
      .all('Account')
      .filter((a) => a.AccountType === 'Bank' && a.Active !== false)
      .map((a) => ({ id: String(a.Id), name: String(a.Name) }));
  }
  const tenant = sb.xero!.books.tenants[0]!;
  return [...tenant.accounts.values()].filter((a) => a.Type === 'BANK' && a.Status !== 'ARCHIVED').map((a) => ({ id: String(a.AccountID), name: String(a.Name) }));
}

export interface CliChild {
  child: ChildProcessWithoutNullStreams;
  readonly stdout: string;
  readonly stderr: string;
  exited: Promise<number | null>;
  /** Resolves with the n-th (0-based) authorize URL the CLI printed on its own line on stderr. */
  authorizeUrl(n?: number, timeoutMs?: number): Promise<string>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Spawns the built binary with no TTY; stdin stays open so a test can paste into it. */
export function spawnCli(args: string[], env: Record<string, string | undefined>): CliChild {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  void exited.then(() => clearTimeout(killer));
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(stderr);
        if (m) {
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          resolve(m[0]);
        }
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(check), 1);
        reject(new Error(`stderr never matched ${pattern}:\n${stderr}`));
      }, timeoutMs);
      waiters.push(check);
      check();
    });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitFor,
    authorizeUrl: async (n = 0, timeoutMs = 30_000) => {
      const lines = () => stderr.split('\n').map((l) => l.trim()).filter((l) => /^https?:\/\/\S+$/.test(l) && !/\/callback\b/.test(l));
      const deadline = Date.now() + timeoutMs;
      while (lines().length <= n) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`authorize URL #${n} never printed:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return lines()[n]!;
    },
  };
}

/** One browser hop: GET (or POST) without following, returns status and absolute Location. */
export async function hop(url: string, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; location?: string; body: string }> {
  const res = await fetch(url, { method, redirect: 'manual' });
  const loc = res.headers.get('location');
  return { status: res.status, location: loc ? new URL(loc, url).toString() : undefined, body: await res.text() };
}

/** Follows redirects like a browser would, stopping before `stopAt` (returns that URL unvisited) or at a non-redirect. */
export async function browse(url: string, stopAt?: (u: string) => boolean): Promise<{ last: string; status: number; body: string }> {
  let next = url;
  for (let i = 0; i < 10; i++) {
    if (stopAt?.(next)) return { last: next, status: 0, body: '' };
    const r = await hop(next);
    if (r.status >= 300 && r.status < 400 && r.location) {
      next = r.location;
      continue;
    }
    return { last: next, status: r.status, body: r.body };
  }
  throw new Error(`too many redirects from ${url}`);
}

/** From a consent page, posts the Approve (or Deny) form and returns where it redirects. */
export async function decide(consentUrl: string, consentHtml: string, choice: 'approve' | 'deny'): Promise<string> {
  const forms = [...consentHtml.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  const action = forms.find((a) => a.includes(choice));
  if (!action) throw new Error(`no ${choice} form on the consent page:\n${consentHtml}`);
  const r = await hop(new URL(action, consentUrl).toString(), 'POST');
  if (!r.location) throw new Error(`the ${choice} form did not redirect (status ${r.status}): ${r.body}`);
  return r.location;
}

/** Plays the browser for every sign-in the child asks for, following each link to its loopback. */
export function autoBrowser(cli: CliChild, count: number): Promise<void> {
  return (async () => {
    for (let n = 0; n < count; n++) {
      const url = await cli.authorizeUrl(n, 60_000);
      await browse(url);
    }
  })();
}
