import { createHash } from 'node:crypto';
import path from 'node:path';
import { ReauthRequiredError, SynderError } from '../errors.js';
import { FileLockService, type LockService } from '../store/lock-service.js';
import { providerName } from './pages.js';
import { errorMessage } from './redact.js';
import type { OAuthAdapter, TokenSet, TokenVault } from './types.js';

export interface FreshTokenOptions {
  vault: TokenVault;
  key: string;
  adapter: OAuthAdapter;
  /** Directory for the cross-process lock files, normally `<SYNDER_HOME>/locks`. */
  lockDir: string;
  /**
   * Where the refresh lock is taken; lock files in `lockDir` when absent. With state shared by
   * several hosts this must be a lock they all see, or two hosts could spend one refresh token.
   */
  locks?: LockService;
  /** Refresh this long before the access token expires (default 5 minutes). */
  skewMs?: number;
  now?: () => number;
  /**
   * The access token a provider just rejected (401). If the vault still holds it, it is
   * refreshed even though it looks valid; if it holds another, that one is simply used.
   */
  rejectedAccessToken?: string;
  /** How long to wait for another process's refresh (default 3 minutes). */
  lockWaitMs?: number;
}

const DEFAULT_SKEW_MS = 5 * 60_000;
const inFlight = new Map<string, Promise<TokenSet>>();

/** The refresh lock's name: one per vault key. */
export const refreshLockName = (key: string): string => `refresh-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

export const lockFileFor = (lockDir: string, key: string): string => path.join(lockDir, `${refreshLockName(key)}.lock`);

function needsRefresh(tokens: TokenSet, opts: FreshTokenOptions, now: number): boolean {
  if (opts.rejectedAccessToken !== undefined && tokens.accessToken === opts.rejectedAccessToken) return true;
  return tokens.expiresAt - (opts.skewMs ?? DEFAULT_SKEW_MS) <= now;
}

/**
 * Tokens for `key` whose access token is valid for at least `skewMs`, refreshing if needed.
 * One refresh at a time per key: concurrent callers in this process share one promise, and
 * processes take a lock file, re-read the vault under it (another process may have refreshed
 * already — then its token is used and the rotating refresh token is not spent twice), and
 * store the new tokens before anyone uses them.
 */
export async function getFreshTokens(opts: FreshTokenOptions): Promise<TokenSet> {
  const now = opts.now ?? Date.now;
  const current = await opts.vault.get(opts.key);
  if (!current) throw notConnected(opts);
  if (!needsRefresh(current, opts, now())) return current;

  const flightKey = `${opts.locks?.kind ?? 'file'}\0${opts.lockDir}\0${opts.key}`;
  const running = inFlight.get(flightKey);
  if (running) {
    const shared = await running;
    // A caller whose token was rejected after that refresh started needs another look.
    if (opts.rejectedAccessToken === undefined || shared.accessToken !== opts.rejectedAccessToken) return shared;
  }
  const flight = refreshUnderLock(opts, now).finally(() => {
    if (inFlight.get(flightKey) === flight) inFlight.delete(flightKey);
  });
  inFlight.set(flightKey, flight);
  return flight;
}

async function refreshUnderLock(opts: FreshTokenOptions, now: () => number): Promise<TokenSet> {
  const locks = opts.locks ?? new FileLockService(opts.lockDir);
  const lock = await locks.acquire(refreshLockName(opts.key), {
    what: `the token refresh of ${opts.key}`,
    waitMs: opts.lockWaitMs ?? 3 * 60_000,
    // A slow refresh (retries with backoff) must not look abandoned: taking over a live holder's
    // lock could spend the same rotating refresh token twice. Dead holders are detected by pid.
    staleMs: 10 * 60_000,
  });
  try {
    const stored = await opts.vault.get(opts.key);
    if (!stored) throw notConnected(opts);
    if (!needsRefresh(stored, opts, now())) return stored;
    if (!stored.refreshToken) {
      throw new ReauthRequiredError(opts.adapter.provider, `The ${providerName(opts.adapter.provider)} access token for ${opts.key} expired and there is no refresh token.`);
    }
    if (stored.refreshExpiresAt !== undefined && stored.refreshExpiresAt <= now()) {
      throw new ReauthRequiredError(opts.adapter.provider, `The ${providerName(opts.adapter.provider)} sign-in for ${opts.key} expired on ${new Date(stored.refreshExpiresAt).toISOString().slice(0, 10)}.`);
    }
    let next: TokenSet;
    try {
      next = await opts.adapter.refresh(stored);
    } catch (err) {
      if (err instanceof SynderError) throw err;
      throw new SynderError(`Refreshing the ${providerName(opts.adapter.provider)} token failed: ${errorMessage(err)}`, { code: 'refresh_failed', cause: err });
    }
    // Provider details (realmId, tenantId …) come from the sign-in, not from a refresh response.
    const merged: TokenSet = {
      ...next,
      refreshToken: next.refreshToken ?? stored.refreshToken,
      refreshExpiresAt: next.refreshExpiresAt ?? (next.refreshToken ? undefined : stored.refreshExpiresAt),
      extra: { ...(stored.extra ?? {}), ...(next.extra ?? {}) },
    };
    if (merged.refreshExpiresAt === undefined) delete merged.refreshExpiresAt;
    if (merged.refreshToken === undefined) delete merged.refreshToken;
    await opts.vault.set(opts.key, merged);
    return merged;
  } finally {
    await lock.release();
  }
}

function notConnected(opts: FreshTokenOptions): ReauthRequiredError {
  return new ReauthRequiredError(opts.adapter.provider, `No ${providerName(opts.adapter.provider)} sign-in is stored for ${opts.key}.`);
}

export interface TokenAccess {
  /** A valid access token (refreshed when close to expiry). */
  getAccessToken(): Promise<string>;
  /** Call after the provider answered 401 to `rejected`: returns a token to retry with once. */
  onUnauthorized(rejected: string): Promise<string>;
}

/** The callbacks a provider client plugs in as its `getAccessToken` / `onUnauthorized`. */
export function withFreshToken(opts: Omit<FreshTokenOptions, 'rejectedAccessToken'>): TokenAccess {
  return {
    getAccessToken: async () => (await getFreshTokens(opts)).accessToken,
    onUnauthorized: async (rejected) => (await getFreshTokens({ ...opts, rejectedAccessToken: rejected })).accessToken,
  };
}
