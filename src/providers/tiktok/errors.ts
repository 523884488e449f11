import { SynderError } from '../../errors.js';
import { backoff, retryAfterMs, type HttpResponse } from '../http.js';

/**
 * TikTok answers errors as `{code, message, request_id}`, sometimes with HTTP 401/429/5xx.
 * `code` is authoritative; these classes let callers react to the meaning, not the number.
 */
export class TikTokApiError extends SynderError {
  constructor(
    readonly endpoint: string,
    readonly tiktokCode: number,
    readonly httpStatus: number,
    readonly tiktokMessage: string,
    readonly requestId: string | undefined,
    opts: { hint?: string; code?: string } = {},
  ) {
    super(`TikTok Shop ${endpoint} failed: ${tiktokMessage || 'error'} (code ${tiktokCode}, HTTP ${httpStatus}${requestId ? `, request ${requestId}` : ''})`, {
      hint: opts.hint,
      code: opts.code ?? 'tiktok_api',
    });
  }
}

export class TikTokTokenExpiredError extends TikTokApiError {}
export class TikTokSignatureError extends TikTokApiError {}
export class TikTokInvalidRequestError extends TikTokApiError {}
export class TikTokRateLimitError extends TikTokApiError {}
export class TikTokTransientError extends TikTokApiError {}
export class TikTokScopeError extends TikTokApiError {}
export class TikTokShopCipherError extends TikTokApiError {}
export class TikTokPermissionError extends TikTokApiError {}

export const TIKTOK_CODES = {
  ok: 0,
  tokenExpired: 105002,
  tokenInvalid: 105001,
  scopeNotGranted: 105005,
  badSign: 106001,
  missingShopCipher: 106013,
  shopMismatch: 101000,
  invalidRequest: 36009004,
  rateLimited: 36009002,
  internal: 36009003,
  timeout: 36009007,
  ipNotAllowed: 36009033,
  badPath: 36009009,
  badMethod: 36009010,
  badVersion: 36009014,
} as const;

const TRANSIENT = new Set<number>([TIKTOK_CODES.internal, TIKTOK_CODES.timeout]);

export function tiktokError(endpoint: string, status: number, code: number, message: string, requestId?: string): TikTokApiError {
  const args = [endpoint, code, status, message, requestId] as const;
  switch (code) {
    case TIKTOK_CODES.tokenExpired:
      return new TikTokTokenExpiredError(...args, { hint: 'The access token expired; synder refreshes it automatically — if this persists run `synder connect tiktok`.', code: 'tiktok_token_expired' });
    case TIKTOK_CODES.tokenInvalid:
      return new TikTokTokenExpiredError(...args, { hint: 'Run `synder connect tiktok` to sign in again.', code: 'tiktok_token_invalid' });
    case TIKTOK_CODES.badSign:
      return new TikTokSignatureError(...args, { hint: 'Check SYNDER_TIKTOK_APP_SECRET: the request signature was rejected.', code: 'tiktok_bad_sign' });
    case TIKTOK_CODES.rateLimited:
      return new TikTokRateLimitError(...args, { code: 'tiktok_rate_limited' });
    case TIKTOK_CODES.scopeNotGranted:
      return new TikTokScopeError(...args, { hint: 'The app lacks a scope this call needs (e.g. seller.finance.info); enable it in Partner Center and reconnect.', code: 'tiktok_scope' });
    case TIKTOK_CODES.missingShopCipher:
    case TIKTOK_CODES.shopMismatch:
      return new TikTokShopCipherError(...args, { hint: 'The shop cipher is missing or belongs to another shop; reconnect TikTok Shop to refresh the shop list.', code: 'tiktok_shop_cipher' });
    case TIKTOK_CODES.ipNotAllowed:
      return new TikTokPermissionError(...args, { hint: "This machine's IP is not in the app's allow list in Partner Center.", code: 'tiktok_ip' });
    case TIKTOK_CODES.invalidRequest:
    case TIKTOK_CODES.badPath:
    case TIKTOK_CODES.badMethod:
    case TIKTOK_CODES.badVersion:
      return new TikTokInvalidRequestError(...args, { code: 'tiktok_invalid_request' });
    default:
      if (TRANSIENT.has(code) || status >= 500) return new TikTokTransientError(...args, { code: 'tiktok_transient' });
      return new TikTokApiError(...args);
  }
}

/** The envelope code of a response body, if it is TikTok JSON. */
export function envelopeCode(body: string): number | undefined {
  // TikTok writes the code first: read it there instead of parsing every (large) page twice.
  const head = /^\s*\{\s*"code"\s*:\s*(-?\d+)\s*[,}]/.exec(body.slice(0, 64));
  if (head) return Number(head[1]);
  try {
    const parsed = JSON.parse(body) as { code?: unknown };
    return typeof parsed?.code === 'number' ? parsed.code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * HttpClient retry rule: rate limits (429 / 36009002) and server trouble (5xx / 36009003 /
 * 36009007) are retried with backoff; everything else (validation, auth, signature) is not.
 */
export function tiktokRetryDelay(res: HttpResponse, attempt: number, now = Date.now()): number | undefined {
  const code = envelopeCode(res.body);
  if (res.status === 429 || code === TIKTOK_CODES.rateLimited) return retryAfterMs(res.headers, now) ?? backoff(attempt, 500);
  if (res.status >= 500 || (code !== undefined && TRANSIENT.has(code))) return backoff(attempt);
  return undefined;
}
