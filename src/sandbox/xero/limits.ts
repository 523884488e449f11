/**
 * Xero's published limits per tenant (connection): 60 calls per minute, 5 in flight, 5,000 per
 * day; 10,000 per minute per app. Windows are fixed and start at each tenant's first call, as
 * Xero's are; `timeScale` shrinks them so benchmarks and tests can hit them quickly.
 */
export interface LimitVerdict {
  ok: boolean;
  problem?: 'minute' | 'day' | 'concurrent' | 'appminute';
  retryAfterMs?: number;
  headers: Record<string, string>;
  release: () => void;
}

interface Window {
  start: number;
  count: number;
}

export class XeroRateLimits {
  private readonly minute = new Map<string, Window>();
  private readonly day = new Map<string, Window>();
  private readonly inFlight = new Map<string, number>();
  private app: Window = { start: 0, count: 0 };
  /** Calls refused, by the limit that refused them (X-Rate-Limit-Problem). */
  readonly refused: Record<NonNullable<LimitVerdict['problem']>, number> = { minute: 0, day: 0, concurrent: 0, appminute: 0 };
  readonly minuteMs: number;
  readonly dayMs: number;

  constructor(private readonly now: () => number, timeScale = 1, readonly perMinute = 60, readonly perDay = 5000, readonly concurrent = 5, readonly appPerMinute = 10_000) {
    this.minuteMs = 60_000 / timeScale;
    this.dayMs = (24 * 3600_000) / timeScale;
  }

  private window(map: Map<string, Window>, key: string, size: number, t: number): Window {
    let w = map.get(key);
    if (!w || t - w.start >= size) {
      w = { start: t, count: 0 };
      map.set(key, w);
    }
    return w;
  }

  take(tenant: string): LimitVerdict {
    const t = this.now();
    const min = this.window(this.minute, tenant, this.minuteMs, t);
    const day = this.window(this.day, tenant, this.dayMs, t);
    if (t - this.app.start >= this.minuteMs) this.app = { start: t, count: 0 };
    const flying = this.inFlight.get(tenant) ?? 0;
    const headers = (): Record<string, string> => ({
      'x-daylimit-remaining': String(Math.max(0, this.perDay - day.count)),
      'x-minlimit-remaining': String(Math.max(0, this.perMinute - min.count)),
      'x-appminlimit-remaining': String(Math.max(0, this.appPerMinute - this.app.count)),
    });
    const deny = (problem: NonNullable<LimitVerdict['problem']>, retryAfterMs?: number): LimitVerdict => {
      this.refused[problem]++;
      return { ok: false, problem, retryAfterMs, headers: headers(), release: () => {} };
    };
    if (day.count >= this.perDay) return deny('day', day.start + this.dayMs - t);
    if (min.count >= this.perMinute) return deny('minute', min.start + this.minuteMs - t);
    if (this.app.count >= this.appPerMinute) return deny('appminute', this.app.start + this.minuteMs - t);
    if (flying >= this.concurrent) return deny('concurrent');
    day.count++;
    min.count++;
    this.app.count++;
    this.inFlight.set(tenant, flying + 1);
    let released = false;
    return {
      ok: true,
      headers: headers(),
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(tenant, (this.inFlight.get(tenant) ?? 1) - 1);
      },
    };
  }
}

/** Retry-After in seconds; fractional only when time is compressed below a second. */
export function retryAfterHeader(ms: number): string {
  const s = ms / 1000;
  return s >= 1 ? String(Math.ceil(s)) : s.toFixed(3);
}
