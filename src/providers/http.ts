import pLimit, { type LimitFunction } from 'p-limit';
import { systemTimer, type Timer } from '../clock.js';
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
  /** As the provider publishes it; measured on the client's timer. */
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
   * Decides from a response whether to retry and how long to wait (ms of `timer`). undefined falls
   * back to the default rules (429/5xx retry); null means "do not retry", e.g. a daily quota that is spent.
   */
  retryDelay?: (res: HttpResponse, attempt: number, timer: Timer) => number | null | undefined;
  /** Rate windows, waits and backoff are measured on it (the system clock by default). */
  timer?: Timer;
}

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
  private readonly jitterMs: number;
  constructor(private readonly limits: RateLimit[], private readonly timer: Timer) {
    this.stamps = limits.map(() => []);
    // Our stamps are never earlier than the server's; 50 ms (wall time) more covers how differently
    // the two clocks tick (network jitter is tens of milliseconds, whatever the window).
    this.jitterMs = timer.fromWall(50);
  }

  private now(): number {
    return this.timer.now().getTime();
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
        const windowMs = l.windowMs + this.jitterMs;
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
      if (wait > 0) await this.timer.sleep(wait);
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
  private readonly timer: Timer;

  constructor(private readonly opts: HttpClientOptions) {
    this.limit = pLimit(opts.concurrency ?? 4);
    this.timer = opts.timer ?? systemTimer;
    this.window = new WindowLimiter(opts.limits ?? [], this.timer);
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
        const custom = this.opts.retryDelay?.(res, attempt, this.timer);
        delay = custom === null ? undefined : custom ?? defaultRetryDelay(res, attempt, this.timer);
      } else {
        delay = this.timer.fromWall(backoff(attempt));
      }
      if (delay === undefined || attempt >= maxRetries) {
        if (res) return res;
        throw new HttpError(this.opts.provider, label, undefined, `${this.opts.provider}: ${label} failed: ${networkError?.message ?? 'no response'}`);
      }
      this.retries++;
      await this.timer.sleep(delay);
    }
  }
}

/** 429 and 503 wait what the server asks (Retry-After) or back off; other 5xx back off. In ms of `timer`. */
export function defaultRetryDelay(res: HttpResponse, attempt: number, timer: Timer): number | undefined {
  if (res.status === 429 || res.status === 503) return timer.fromWall(retryAfterMs(res.headers, Date.now()) ?? backoff(attempt));
  if (res.status >= 500) return timer.fromWall(backoff(attempt));
  return undefined;
}
