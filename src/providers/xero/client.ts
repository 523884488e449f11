import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { InvalidResponseError, ReauthRequiredError, SynderError } from '../../errors.js';
import { backoff, HttpClient, retryAfterMs, type HttpResponse } from '../http.js';
import type { Timer } from '../../clock.js';

/**
 * Xero Accounting API client. Every call carries `xero-tenant-id`; every write an
 * `Idempotency-Key`; batches go with `summarizeErrors=false` so one bad element fails alone.
 * Published limits are kept client-side (60 calls/min and 5 in flight per tenant, 5,000/day),
 * 429s are retried after Retry-After unless the day's quota is spent, and a 401 refreshes the
 * access token once through `onUnauthorized`.
 */
export const XERO_LIMITS = { perMinute: 60, concurrent: 5, perDay: 5000, batchSize: 50 } as const;

export interface XeroBudget {
  dayRemaining?: number;
  minuteRemaining?: number;
  appMinuteRemaining?: number;
}

export interface XeroClientOptions {
  /** API host, e.g. https://api.xero.com (the client appends /api.xro/2.0). */
  apiUrl: string;
  tenantId: string;
  getAccessToken: () => Promise<string>;
  /** Refreshes (and persists) tokens after a 401; returns the new access token. */
  onUnauthorized?: () => Promise<string>;
  /** Called once each time X-DayLimit-Remaining drops below `dailyLowThreshold`. */
  onDailyBudgetLow?: (budget: XeroBudget) => void;
  dailyLowThreshold?: number;
  /** 5,000 by default; 1,000 for a Starter-tier app. */
  dailyLimit?: number;
  /**
   * Mixed into every Idempotency-Key (random per client by default). Xero answers a repeated key
   * with its first answer, errors included, for minutes: a transport retry must get that, but a
   * later run must not be handed an earlier run's answer (say, an error the user has since fixed).
   */
  idempotencySalt?: string;
  http?: HttpClient;
  /** The rate-limit windows and retry waits are measured on it. */
  timer?: Timer;
}

export class XeroApiError extends SynderError {
  constructor(readonly status: number, readonly label: string, readonly messages: string[], readonly body: unknown) {
    super(`Xero ${label} failed (HTTP ${status}): ${messages.join('; ') || 'no details'}`, { code: 'xero_api' });
  }
}

export class XeroDailyLimitError extends SynderError {
  constructor(readonly retryAfterMs: number | undefined) {
    const when = retryAfterMs !== undefined ? ` It resets in about ${Math.ceil(retryAfterMs / 60_000)} minute(s).` : '';
    super(`Xero's daily API limit for this organisation is used up.${when}`, { hint: 'Run `synder sync` again after the reset; nothing was half-written.', code: 'xero_day_limit' });
  }
}

const validationBody = z.looseObject({
  Type: z.string().optional(),
  Message: z.string().optional(),
  Detail: z.string().optional(),
  Title: z.string().optional(),
  Elements: z.array(z.looseObject({ ValidationErrors: z.array(z.looseObject({ Message: z.string() })).optional() })).optional(),
});

const header = (res: HttpResponse, name: string): string | undefined => {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Messages of a ValidationException or problem body, flattened for the user. */
export function xeroErrorMessages(body: unknown): string[] {
  const p = validationBody.safeParse(body);
  if (!p.success) return [];
  const msgs = (p.data.Elements ?? []).flatMap((e) => (e.ValidationErrors ?? []).map((v) => v.Message));
  if (msgs.length) return msgs;
  return [p.data.Message ?? p.data.Detail ?? p.data.Title].filter((m): m is string => Boolean(m));
}

/** ≤128-character key from what identifies the write, so a retry replays and a changed body is new. */
export function idempotencyKey(scope: string, body: string): string {
  return `synder-${createHash('sha256').update(scope).update('\n').update(body).digest('hex').slice(0, 48)}`;
}

export class XeroClient {
  readonly http: HttpClient;
  private readonly base: string;
  private budgetLowReported = false;
  private readonly salt: string;
  budget: XeroBudget = {};

  constructor(private readonly opts: XeroClientOptions) {
    this.base = `${opts.apiUrl.replace(/\/+$/, '')}/api.xro/2.0`;
    this.salt = opts.idempotencySalt ?? randomBytes(8).toString('hex');
    this.http =
      opts.http ??
      new HttpClient({
        provider: 'xero',
        // One below Xero's 5 in flight: the server may count a call until just after its answer
        // has reached us, and another process may share the tenant.
        concurrency: XERO_LIMITS.concurrent - 1,
        limits: [
          { requests: XERO_LIMITS.perMinute, windowMs: 60_000 },
          { requests: opts.dailyLimit ?? XERO_LIMITS.perDay, windowMs: 24 * 3600_000 },
        ],
        maxRetries: 8,
        retryDelay: (res, attempt, timer) => this.retryDelay(res, attempt, timer),
        timer: opts.timer,
      });
  }

  get calls(): number {
    return this.http.calls;
  }

  private retryDelay(res: HttpResponse, attempt: number, timer: Timer): number | null | undefined {
    if (res.status === 429) {
      const problem = (header(res, 'x-rate-limit-problem') ?? '').toLowerCase();
      if (problem.startsWith('day')) return null; // spent for today: stop cleanly, do not hammer
      return timer.fromWall(retryAfterMs(res.headers, Date.now()) ?? backoff(attempt, 500));
    }
    if (res.status >= 500) return timer.fromWall(backoff(attempt));
    return undefined;
  }

  private noteBudget(res: HttpResponse): void {
    const num = (n: string) => {
      const v = header(res, n);
      return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
    };
    const b: XeroBudget = { dayRemaining: num('x-daylimit-remaining'), minuteRemaining: num('x-minlimit-remaining'), appMinuteRemaining: num('x-appminlimit-remaining') };
    if (b.dayRemaining === undefined) return;
    this.budget = b;
    const threshold = this.opts.dailyLowThreshold ?? 500;
    if (b.dayRemaining < threshold && !this.budgetLowReported) {
      this.budgetLowReported = true;
      this.opts.onDailyBudgetLow?.(b);
    } else if (b.dayRemaining >= threshold) this.budgetLowReported = false;
  }

  async request(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, opts: { query?: Record<string, string | undefined>; body?: unknown; idempotencyKey?: string; label?: string } = {}): Promise<unknown> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const label = opts.label ?? `${method} ${path}`;
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const send = async (token: string) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'xero-tenant-id': this.opts.tenantId, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (method !== 'GET' && method !== 'DELETE') headers['idempotency-key'] = opts.idempotencyKey ?? idempotencyKey(`${this.salt} ${this.opts.tenantId} ${method} ${url.pathname}${url.search}`, body ?? '');
      // Writes carry an idempotency key, so retrying them after a 429 or 5xx replays, never duplicates.
      return this.http.request({ method, url: url.toString(), headers, body, label });
    };
    let res = await send(await this.opts.getAccessToken());
    if (res.status === 401 && this.opts.onUnauthorized) res = await send(await this.opts.onUnauthorized());
    this.noteBudget(res);
    let json: unknown;
    if (res.body !== '') {
      try {
        json = JSON.parse(res.body);
      } catch {
        if (res.status === 200) throw new InvalidResponseError(`Xero ${label}`, 'body is not JSON');
      }
    }
    if (res.status === 200 || res.status === 201 || res.status === 204) return json;
    if (res.status === 401) throw new ReauthRequiredError('xero', `Xero rejected the access token for ${label} (HTTP 401${xeroErrorMessages(json)[0] ? `: ${xeroErrorMessages(json)[0]}` : ''}).`);
    if (res.status === 403) {
      const scope = /insufficient_scope/.test(header(res, 'www-authenticate') ?? '');
      throw new ReauthRequiredError(
        'xero',
        scope
          ? `Xero says the connection lacks a permission (scope) needed for ${label}.`
          : `Xero refused access to this organisation for ${label} (403 AuthenticationUnsuccessful): the connection was removed, the user lost access, or the organisation is gone.`,
      );
    }
    if (res.status === 429) {
      if ((header(res, 'x-rate-limit-problem') ?? '').toLowerCase().startsWith('day')) throw new XeroDailyLimitError(retryAfterMs(res.headers, Date.now()));
      throw new XeroApiError(429, label, [`rate limit (${header(res, 'x-rate-limit-problem') ?? 'unknown'}) still exceeded after retries`], json);
    }
    throw new XeroApiError(res.status, label, xeroErrorMessages(json), json);
  }

  get(path: string, query?: Record<string, string | undefined>): Promise<unknown> {
    return this.request('GET', path, { query });
  }
}

/** Parses a response with a zod schema, naming the endpoint and field on failure. */
export function parseResponse<T>(schema: z.ZodType<T>, json: unknown, label: string): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new InvalidResponseError(`Xero ${label}`, `field "${issue?.path.join('.') || '(body)'}": ${issue?.message ?? 'invalid'}`);
}
