/**
 * The rate-limit floor: the least wall time the providers' published limits allow for the calls a
 * run made — the largest, over every limit, of (calls counted by that limit ÷ its rate). Windows are
 * divided by the time scale the sandbox ran with, exactly as the sandbox enforces them.
 */
export interface LimitUse {
  provider: string;
  limit: string;
  calls: number;
  perSeconds: number;
  allowed: number;
  /** Seconds this limit needs at least (already divided by the time scale). */
  seconds: number;
}

export interface Floor {
  seconds: number;
  binding: LimitUse | undefined;
  uses: LimitUse[];
}

const use = (provider: string, limit: string, calls: number, allowed: number, perSeconds: number, scale: number): LimitUse => ({
  provider, limit, calls, allowed, perSeconds,
  // n calls in windows of `allowed`: the last window may start at (ceil(n / allowed) − 1) windows.
  seconds: calls === 0 ? 0 : (Math.max(0, Math.ceil(calls / allowed) - 1) * perSeconds) / scale,
});

/** TikTok Shop: 50 QPS per API path per app + shop (api-notes §7). */
export function tiktokLimits(byPath: Map<string, number>, scale: number): LimitUse[] {
  return [...byPath].filter(([p]) => !p.includes('/token/') && !p.includes('/oauth')).map(([path, n]) => use('tiktok', `50/s ${path}`, n, 50, 1, scale));
}

/** QuickBooks Online: 500 requests/min and 10/s per realm, 40 batch requests/min (api-notes §5–§6). */
export function quickbooksLimits(byPath: Map<string, number>, scale: number): LimitUse[] {
  let total = 0;
  let batches = 0;
  for (const [path, n] of byPath) {
    if (!path.includes('/v3/company/')) continue;
    total += n;
    if (path.endsWith('/batch')) batches += n;
  }
  return [use('quickbooks', '500/min', total, 500, 60, scale), use('quickbooks', '10/s', total, 10, 1, scale), use('quickbooks', '40 batches/min', batches, 40, 60, scale)];
}

/** Xero: 60 calls/min and 5,000/day per tenant (api-notes §4). */
export function xeroLimits(byPath: Map<string, number>, scale: number): LimitUse[] {
  let total = 0;
  for (const [path, n] of byPath) if (path.includes('/api.xro/')) total += n;
  return [use('xero', '60/min', total, 60, 60, scale), use('xero', '5000/day', total, 5000, 86_400, scale)];
}

export function floorOf(uses: LimitUse[]): Floor {
  let binding: LimitUse | undefined;
  for (const u of uses) if (!binding || u.seconds > binding.seconds) binding = u;
  return { seconds: binding?.seconds ?? 0, binding, uses };
}

/** API calls a run made on one provider (excluding OAuth/token endpoints). */
export function apiCallsOf(provider: string, byPath: Map<string, number>): number {
  let n = 0;
  for (const [path, c] of byPath) {
    if (provider === 'quickbooks' && !path.includes('/v3/company/')) continue;
    if (provider === 'xero' && !path.includes('/api.xro/')) continue;
    if (provider === 'tiktok' && (path.includes('/token/') || path.includes('/authorization/'))) continue;
    n += c;
  }
  return n;
}
