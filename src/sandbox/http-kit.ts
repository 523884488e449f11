import { randomInt } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

/** Small helpers shared by the sandbox servers (plain node:http, no framework). */

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(server: http.Server, port = 0, host = '127.0.0.1'): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export async function readBody(req: http.IncomingMessage, limit = 10 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

export function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A consent page with Approve and Deny, as the real providers show before redirecting back. */
export function consentPage(opts: { provider: string; appName: string; details: string[]; approveUrl: string; denyUrl: string }): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(opts.provider)} — authorize ${escapeHtml(opts.appName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.5rem;margin-right:1rem}</style></head>
<body><h1>${escapeHtml(opts.provider)} (sandbox)</h1><p><strong>${escapeHtml(opts.appName)}</strong> asks for access:</p>
<ul>${opts.details.map((d) => `<li>${escapeHtml(d)}</li>`).join('')}</ul>
<form method="post" action="${escapeHtml(opts.approveUrl)}" style="display:inline"><button id="approve" type="submit">Approve</button></form>
<form method="post" action="${escapeHtml(opts.denyUrl)}" style="display:inline"><button id="deny" type="submit">Deny</button></form>
</body></html>`;
}

/** Time source for sandboxes: tests compress or move time to exercise expiry and rate limits. */
export interface SandboxClock {
  now(): number;
}
export const realClock: SandboxClock = { now: () => Date.now() };

/**
 * Ports systems hand to outgoing connections start at 32768 (Linux) or 49152 (macOS, Windows). A
 * port chosen now for a listener that starts later is picked below them: one of the machine's own
 * outgoing connections could take an ephemeral port in between.
 */
const CHOSEN_PORTS = { from: 20_000, to: 32_767 } as const;

/** A port free on 127.0.0.1 right now (for a loopback redirect URI chosen before the listener starts). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = CHOSEN_PORTS.from + randomInt(CHOSEN_PORTS.to - CHOSEN_PORTS.from + 1);
    if (await canListen(port)) return port;
  }
  return listenOnce(0);
}

const canListen = (port: number): Promise<boolean> => listenOnce(port).then(() => true, () => false);

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const bound = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(bound));
    });
  });
}
