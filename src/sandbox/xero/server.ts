import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { DEFAULT_REDIRECT_URI } from '../../config.js';
import { FaultInjector } from '../faults.js';
import { escapeHtml, listen, readBody, realClock, sendHtml, sendJson } from '../http-kit.js';
import type { SandboxCommonOptions, SandboxService } from '../types.js';
import { AccountingApi, ApiFailure, fingerprint, requestSchema, SCOPES, schemaViolation, validationException } from './api.js';
import { XeroBooks, type TenantInit, type Wire } from './books.js';
import { XeroIdentity } from './identity.js';
import { retryAfterHeader, XeroRateLimits } from './limits.js';
import { openApiValidator, type OpenApiValidator, resolveOpenApiPath } from './openapi.js';

export interface XeroSandboxOptions extends SandboxCommonOptions {
  clientId?: string;
  redirectUris?: string[];
  tenants?: TenantInit[];
  accessTokenTtlSec?: number;
  /** xero_accounting.yaml; falls back to SYNDER_XERO_OPENAPI. Without it schema validation is off. */
  openApiPath?: string;
  /** Per-tenant daily call budget (5,000 by default; 1,000 on Xero's Starter tier). */
  dailyLimit?: number;
}

export interface XeroSandbox extends SandboxService {
  tenants: Array<{ tenantId: string; name: string; shortCode: string }>;
  books: XeroBooks;
  /** True when bodies are validated against xero_accounting.yaml. */
  schemaValidation: boolean;
  /** Start-up notes, e.g. that schema validation is off and why. */
  warnings: string[];
  identity: XeroIdentity;
  /** Calls the rate limits refused (429), by X-Rate-Limit-Problem. */
  throttledBy: Record<'minute' | 'day' | 'concurrent' | 'appminute', number>;
}

const API_PREFIX = '/api.xro/2.0';
const IDEMPOTENCY_TTL_MS = 6 * 60_000;

export async function startXeroSandbox(opts: XeroSandboxOptions = {}): Promise<XeroSandbox> {
  const clock = opts.clock ?? realClock;
  const timeScale = opts.timeScale && opts.timeScale > 0 ? opts.timeScale : 1;
  const clientId = opts.clientId ?? 'SANDBOXXEROCLIENTID0000000000001';
  const redirectUris = opts.redirectUris ?? [DEFAULT_REDIRECT_URI];
  const warnings: string[] = [];
  const specPath = resolveOpenApiPath(opts.openApiPath);
  let validator: OpenApiValidator | undefined;
  if (specPath) validator = openApiValidator(specPath);
  else warnings.push('Xero sandbox: schema validation is off (set SYNDER_XERO_OPENAPI to xero_accounting.yaml to turn it on); business rules are still checked.');

  const books = new XeroBooks(opts.tenants ?? [{ name: 'Demo Company (US)', currency: 'USD', country: 'US' }], () => clock.now());
  const identity = new XeroIdentity({ clientId, redirectUris, autoApprove: opts.autoApprove ?? false, accessTokenTtlSec: opts.accessTokenTtlSec ?? 1800, clock }, books);
  const limits = new XeroRateLimits(() => clock.now(), timeScale, 60, opts.dailyLimit ?? 5000);
  const faults = new FaultInjector(opts.faults ?? [], opts.seed ?? 1);
  const api = new AccountingApi('synder sandbox', () => clock.now());
  const idempotency = new Map<string, { fp: string; status: number; body: unknown; at: number }>();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { Title: 'Internal Server Error', Status: 500, Detail: (err as Error).message });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (await identity.handle(req, res, url)) return;
    if (url.pathname.startsWith(API_PREFIX + '/')) return accounting(req, res, url);
    if (url.pathname.startsWith('/app')) return appPage(res, url);
    sendJson(res, 404, { Title: 'Not Found', Status: 404, Detail: url.pathname });
  }

  async function accounting(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req);
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const access = identity.resolve(token);
    if (!access) return sendJson(res, 401, { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'AuthenticationUnsuccessful' });
    if ('expired' in access) return sendJson(res, 401, { Type: null, Title: 'Unauthorized', Status: 401, Detail: `TokenExpired: token expired at ${new Date(clock.now()).toUTCString()}` });
    const tenantId = String(req.headers['xero-tenant-id'] ?? '').toLowerCase();
    const tenant = books.byId(tenantId);
    if (!tenant || !identity.tenantIds(access.grantId).includes(tenant.tenantId)) {
      return sendJson(res, 403, { Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful', Instance: randomUUID() });
    }
    const path = url.pathname.slice(API_PREFIX.length);
    const method = req.method ?? 'GET';
    const segs = path.split('/').filter(Boolean);
    const scopeKey = segs[0] === 'Reports' ? `Reports/${segs[1] ?? ''}` : segs[0] ?? '';
    const need = SCOPES[scopeKey];
    if (need) {
      const ok = method === 'GET' ? need[0].some((s) => access.scopes.includes(s)) : access.scopes.includes(need[1]);
      if (!ok) {
        res.setHeader('www-authenticate', `Bearer error="insufficient_scope", scope="${method === 'GET' ? need[0][0] : need[1]}"`);
        return sendJson(res, 403, { Type: null, Title: 'Forbidden', Status: 403, Detail: 'AuthorizationUnsuccessful', Instance: randomUUID() });
      }
    }
    const verdict = limits.take(tenant.tenantId);
    for (const [k, v] of Object.entries(verdict.headers)) res.setHeader(k, v);
    if (!verdict.ok) {
      res.setHeader('x-rate-limit-problem', verdict.problem!);
      if (verdict.retryAfterMs !== undefined) res.setHeader('retry-after', retryAfterHeader(verdict.retryAfterMs));
      return sendJson(res, 429, { Title: 'Too Many Requests', Status: 429, Detail: `Rate limit exceeded: ${verdict.problem}` });
    }
    try {
      const fault = faults.next();
      if (fault === 'reset') return void req.socket.destroy();
      if (fault === 'slow') await new Promise((r) => setTimeout(r, 1500 / timeScale));
      if (fault === '429') {
        res.setHeader('x-rate-limit-problem', 'minute');
        res.setHeader('retry-after', retryAfterHeader(1000 / timeScale));
        return sendJson(res, 429, { Title: 'Too Many Requests', Status: 429, Detail: 'Rate limit exceeded: minute' });
      }
      if (fault === '500' || fault === '502' || fault === '503') {
        return sendJson(res, Number(fault), { Title: 'Server Error', Status: Number(fault), Detail: 'An error occurred in Xero (injected fault)' });
      }
      await processAccounting(req, res, url, path, method, raw, tenant);
    } finally {
      verdict.release();
    }
  }

  async function processAccounting(req: http.IncomingMessage, res: http.ServerResponse, url: URL, path: string, method: string, raw: string, tenant: ReturnType<XeroBooks['tenant']>): Promise<void> {
    const key = req.headers['idempotency-key'];
    const idemKey = typeof key === 'string' && ['POST', 'PUT', 'PATCH'].includes(method) ? key : undefined;
    const fp = fingerprint(method, `${tenant.tenantId}${path}${url.search}`, raw);
    if (idemKey !== undefined) {
      if (idemKey.length > 128) return sendJson(res, 400, validationException(['The Idempotency-Key header must be no more than 128 characters.']));
      const hit = idempotency.get(idemKey);
      if (hit && clock.now() - hit.at < IDEMPOTENCY_TTL_MS) {
        if (hit.fp !== fp) return sendJson(res, 400, validationException([`Idempotency Key ${idemKey} is used with a different request.`]));
        return sendJson(res, hit.status, hit.body, { 'idempotent-replayed': 'true' });
      }
    }
    const respond = (status: number, body: unknown) => {
      if (idemKey !== undefined) idempotency.set(idemKey, { fp, status, body, at: clock.now() });
      sendJson(res, status, body);
    };
    let body: unknown;
    if (method === 'PUT' || method === 'POST') {
      try {
        body = raw.trim() === '' ? {} : JSON.parse(raw);
      } catch {
        return respond(400, validationException(['The request body is not valid JSON.']));
      }
      const violation = schemaViolation(validator, requestSchema(method, path), body, 'request');
      if (violation) return respond(400, violation);
    }
    let result: { status: number; body: unknown; schema?: string };
    try {
      const since = req.headers['if-modified-since'];
      result = api.handle({ method, path, query: url.searchParams, body, tenant, ifModifiedSince: typeof since === 'string' ? since : undefined });
    } catch (err) {
      if (!(err instanceof ApiFailure)) throw err;
      result = { status: err.status, body: err.body, schema: err.status === 400 ? 'Error' : undefined };
    }
    const bad = schemaViolation(validator, result.schema, result.body, 'response');
    if (bad) {
      // The sandbox itself broke the spec: fail loudly so tests notice.
      return sendJson(res, 500, { Title: 'Sandbox response failed schema validation', Status: 500, Detail: JSON.stringify(bad) });
    }
    respond(result.status, result.body);
  }

  /** What a deep link opens: the object, as the sandbox holds it. */
  function appPage(res: http.ServerResponse, url: URL): void {
    const shortCode = url.searchParams.get('shortcode');
    const tenant = books.tenants.find((t) => t.shortCode === shortCode);
    const target = url.searchParams.get('redirecturl') ?? '';
    if (!tenant) return sendHtml(res, 404, '<!doctype html><p>Unknown organisation</p>');
    const id = (/[?&](?:InvoiceID|creditNoteID|bankTransactionID|bankTransferID|invoiceID)=([0-9a-fA-F-]{36})/.exec(target)?.[1] ?? '').toLowerCase();
    const stores: Array<[string, Map<string, Wire>]> = [
      ['Invoice', tenant.invoices], ['Credit note', tenant.creditNotes], ['Bank transaction', tenant.bankTransactions],
      ['Payment', tenant.payments], ['Bank transfer', tenant.bankTransfers],
    ];
    let found: [string, Wire] | undefined;
    for (const [label, store] of stores) {
      const hit = store.get(id) ?? [...store.values()].find((o) => o.FromBankTransactionID === id || o.ToBankTransactionID === id);
      if (hit) {
        found = [label, hit];
        break;
      }
    }
    if (!found) return sendHtml(res, 404, `<!doctype html><h1>${escapeHtml(tenant.name)}</h1><p>Nothing found for ${escapeHtml(target)}</p>`);
    sendHtml(res, 200, `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(found[0])} — ${escapeHtml(tenant.name)}</title></head><body><h1>${escapeHtml(found[0])}</h1><p>${escapeHtml(tenant.name)} (${escapeHtml(tenant.shortCode)})</p><pre>${escapeHtml(JSON.stringify(found[1], null, 2))}</pre></body></html>`);
  }

  const running = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  identity.baseUrl = running.url;
  const env: Record<string, string> = {
    SYNDER_XERO_AUTHORIZE_URL: `${running.url}/identity/connect/authorize`,
    SYNDER_XERO_TOKEN_URL: `${running.url}/connect/token`,
    SYNDER_XERO_API_URL: running.url,
    SYNDER_XERO_IDENTITY_URL: running.url,
    SYNDER_XERO_CONNECTIONS_URL: `${running.url}/connections`,
    SYNDER_XERO_REVOKE_URL: `${running.url}/connect/revocation`,
    SYNDER_XERO_APP_URL: `${running.url}/app`,
    SYNDER_XERO_CLIENT_ID: clientId,
    SYNDER_XERO_REDIRECT_URI: redirectUris[0]!,
    ...(specPath ? { SYNDER_XERO_OPENAPI: specPath } : {}),
  };
  return {
    name: 'xero',
    url: running.url,
    env,
    close: running.close,
    tenants: books.tenants.map((t) => ({ tenantId: t.tenantId, name: t.name, shortCode: t.shortCode })),
    books,
    schemaValidation: validator !== undefined,
    warnings,
    identity,
    throttledBy: limits.refused,
  };
}
