import { createHmac } from 'node:crypto';

/**
 * TikTok Shop request signing (202309+ APIs): path + sorted query parameters (except `sign` and
 * `access_token`, unencoded values) + the exact body bytes, wrapped in the app secret, then
 * HMAC-SHA256 keyed with the app secret, lowercase hex. The sandbox verifies with the same code.
 */
export interface SignInput {
  appSecret: string;
  path: string;
  query: Record<string, string>;
  /** Exact body bytes sent; omitted or empty for GET. */
  body?: string;
  /** multipart bodies are never signed. */
  multipart?: boolean;
}

const EXCLUDED = new Set(['sign', 'access_token']);

export function stringToSign(input: SignInput): string {
  const keys = Object.keys(input.query)
    .filter((k) => !EXCLUDED.has(k))
    // Byte order, not locale order: the server compares raw key bytes.
    .sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  let s = input.path;
  for (const k of keys) s += k + input.query[k];
  if (!input.multipart && input.body) s += input.body;
  return input.appSecret + s + input.appSecret;
}

export function signRequest(input: SignInput): string {
  return createHmac('sha256', input.appSecret).update(stringToSign(input), 'utf8').digest('hex');
}

/** Query string as sent on the wire: every value percent-encoded (a `+` in a page_token becomes %2B). */
export function encodeQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}
