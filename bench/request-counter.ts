import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Counts requests that arrive at the in-process sandbox servers, by service port and API path
 * (ids replaced by placeholders), from Node's `http.server.request.start` channel — the servers
 * themselves are not touched. These are the calls the providers' limits are counted on.
 */
export class RequestCounter {
  private readonly counts = new Map<string, number>();
  /** Responses with HTTP 429 (the sandbox throttled a call), by port. */
  private readonly throttled = new Map<number, number>();
  /** When the first and the last call arrived, by port (ms since the epoch). */
  private readonly span = new Map<number, { first: number; last: number }>();
  private readonly listener = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    const port = portOf(server);
    const now = Date.now();
    const span = this.span.get(port);
    if (span) span.last = now;
    else this.span.set(port, { first: now, last: now });
    const key = `${port} ${request.method ?? 'GET'} ${normalize(request.url ?? '/')}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  };
  private readonly finished = (message: unknown) => {
    const { response, server } = message as { response: ServerResponse; server: Server };
    if (response.statusCode !== 429) return;
    const port = portOf(server);
    this.throttled.set(port, (this.throttled.get(port) ?? 0) + 1);
  };

  start(): void {
    diagnostics.subscribe('http.server.request.start', this.listener);
    diagnostics.subscribe('http.server.response.finish', this.finished);
  }

  stop(): void {
    diagnostics.unsubscribe('http.server.request.start', this.listener);
    diagnostics.unsubscribe('http.server.response.finish', this.finished);
  }

  reset(): void {
    this.counts.clear();
    this.throttled.clear();
    this.span.clear();
  }

  /** When one server (by its URL) saw its first and last call. */
  spanAt(url: string): { first: number; last: number } | undefined {
    return this.span.get(Number(new URL(url).port));
  }

  throttledAt(url: string): number {
    return this.throttled.get(Number(new URL(url).port)) ?? 0;
  }

  /** Counts for one server (by its URL), keyed "METHOD /path". */
  forService(url: string): Map<string, number> {
    const port = Number(new URL(url).port);
    const out = new Map<string, number>();
    for (const [k, n] of this.counts) {
      const [p, ...rest] = k.split(' ');
      if (Number(p) === port) out.set(rest.join(' '), n);
    }
    return out;
  }
}

function portOf(server: Server): number {
  const address = server.address();
  return address && typeof address === 'object' ? address.port : 0;
}

/** Path without the query, with numeric / id-like segments as {id}. */
export function normalize(url: string): string {
  const path = url.split('?')[0] ?? '/';
  return path
    .split('/')
    .map((seg) => (/^\d{7,}$/.test(seg) || /^[0-9a-f-]{32,36}$/i.test(seg) || /^[A-Za-z0-9_-]{12,}$/.test(seg) && /\d/.test(seg) ? '{id}' : seg))
    .join('/');
}
