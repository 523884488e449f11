import pLimit, { type LimitFunction } from 'p-limit';
import { SynderError } from '../errors.js';

/**
 * One HTTP client per provider: every call goes through here, so client-side rate limits,
 * retries (429, 5xx, timeouts — with backoff, jitter and Retry-After) and call counting are
 * the same for TikTok, QuickBooks and Xero. Providers decide what a response *means*.
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  /** Exact body bytes to send (signing depends on them, so we never re-serialize). */
  body?: string;
  /** Label for errors and counters, e.g. "GET /finance/202309/statements". */
  label?: string;
  /** Set false for a write that is not safe to repeat (no idempotency key). */
  retry?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RateLimit {
  /** Requests allowed per window. */
  requests: number;
  windowMs: number;
  /** Counts only the requests this returns true for (a per-endpoint limit); all by default. */
  applies?: (req: HttpRequest) => boolean;
}

export interface HttpClientOptions {
  provider: string;
  concurrency?: number;
  limits?: RateLimit[];
  timeoutMs?: number;
  maxRetries?: number;
  /**
   * Decides from a response whether to retry and how long to wait (ms). undefined falls back to
   * the default rules (429/5xx retry); null means "do not retry", e.g. a daily quota that is spent.
   */
  retryDelay?: (res: HttpResponse, attempt: number) => number | null | undefined;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function backoff(attempt: number, baseMs = 250, capMs = 20_000): number {
  // Full jitter: spreads retries of parallel callers so they do not stampede together.
  const exp = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

export function retryAfterMs(headers: HttpResponse['headers'], now: number): number | undefined {
  const raw = headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * Sliding-window limiter: waits until a request fits every configured window. The server counts
 * a request when it arrives, which is after it leaves here (a busy event loop or a slow connect
 * can hold it back) and before its answer is back: a request in flight fills its slot, and once
 * answered it counts from the moment of the answer, so our count never trails the server's.
 */
class WindowLimiter {
  private readonly stamps: Array<Array<{ at: number }>>;
  private answered: Array<() => void> = [];
  constructor(private readonly limits: RateLimit[], private readonly now: () => number, private readonly sleep: (ms: number) => Promise<void>) {
    this.stamps = limits.map(() => []);
  }

  /** Waits for a slot in every window that counts this request (a retry counts again); call the result when it is answered. */
  async take(req: HttpRequest): Promise<() => void> {
    const counted = this.limits.map((l) => !l.applies || l.applies(req));
    for (;;) {
      const t = this.now();
      let wait = 0;
      let fullOfInFlight = false;
      this.limits.forEach((l, i) => {
        if (!counted[i]) return;
        // Our stamps are never earlier than the server's; 50 ms more covers how differently the two
        // clocks tick (network jitter is tens of milliseconds, whatever the window).
        const windowMs = l.windowMs + 50;
        const s = (this.stamps[i] = this.stamps[i]!.filter((x) => x.at > t - windowMs));
        if (s.length < l.requests) return;
        const oldest = Math.min(...s.map((x) => x.at));
        if (Number.isFinite(oldest)) wait = Math.max(wait, oldest + windowMs - t);
        else fullOfInFlight = true;
      });
      if (wait <= 0 && !fullOfInFlight) {
        const mine = this.stamps.flatMap((s, i) => (counted[i] ? [s[s.push({ at: Infinity }) - 1]!] : []));
        return () => {
          const at = this.now();
          for (const m of mine) m.at = at;
          const waiting = this.answered;
          this.answered = [];
          for (const w of waiting) w();
        };
      }
      if (wait > 0) await this.sleep(wait);
      else await new Promise<void>((resolve) => this.answered.push(resolve));
    }
  }
}

export class HttpError extends SynderError {
  constructor(readonly provider: string, readonly label: string, readonly response: HttpResponse | undefined, message: string) {
    super(message, { code: 'http' });
  }
}

export class HttpClient {
  calls = 0;
  retries = 0;
  private readonly limit: LimitFunction;
  private readonly window: WindowLimiter;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly opts: HttpClientOptions) {
    this.limit = pLimit(opts.concurrency ?? 4);
    this.sleep = opts.sleep ?? defaultSleep;
    this.now = opts.now ?? Date.now;
    this.window = new WindowLimiter(opts.limits ?? [], this.now, this.sleep);
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return this.limit(() => this.attempt(req));
  }

  private async attempt(req: HttpRequest): Promise<HttpResponse> {
    const { default: got } = await import('got');
    const label = req.label ?? `${req.method} ${new URL(req.url).pathname}`;
    const maxRetries = req.retry === false ? 0 : this.opts.maxRetries ?? 6;
    for (let attempt = 0; ; attempt++) {
      const answered = await this.window.take(req);
      this.calls++;
      let res: HttpResponse | undefined;
      let networkError: Error | undefined;
      try {
        const r = await got(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          throwHttpErrors: false,
          retry: { limit: 0 },
          timeout: { request: this.opts.timeoutMs ?? 60_000 },
          followRedirect: false,
        });
        res = { status: r.statusCode, headers: r.headers, body: r.body };
      } catch (err) {
        networkError = err as Error;
      }
      answered();
      let delay: number | undefined;
      if (res) {
        const custom = this.opts.retryDelay?.(res, attempt);
        delay = custom === null ? undefined : custom ?? defaultRetryDelay(res, attempt, this.now());
      } else {
        delay = backoff(attempt);
      }
      if (delay === undefined || attempt >= maxRetries) {
        if (res) return res;
        throw new HttpError(this.opts.provider, label, undefined, `${this.opts.provider}: ${label} failed: ${networkError?.message ?? 'no response'}`);
      }
      this.retries++;
      await this.sleep(delay);
    }
  }
}

export function defaultRetryDelay(res: HttpResponse, attempt: number, now: number): number | undefined {
  if (res.status === 429 || res.status === 503) return retryAfterMs(res.headers, now) ?? backoff(attempt);
  if (res.status >= 500) return backoff(attempt);
  return undefined;
}
