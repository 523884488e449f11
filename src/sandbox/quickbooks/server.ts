import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { DEFAULT_REDIRECT_URI } from '../../config.js';
import { FaultInjector } from '../faults.js';
import { consentPage, escapeHtml, listen, readBody, realClock, redirect, sendHtml, sendJson } from '../http-kit.js';
import type { SandboxCommonOptions, SandboxService } from '../types.js';
import { Company, ENTITY_BY_PATH, type EntityName, type Obj } from './books.js';
import { QboError, authFailure, invalidValue, throttled, validation } from './fault.js';
import { OAuthState } from './oauth.js';
import { HOME_CURRENCY, type SalesTaxMode, type TaxCountry } from './tax.js';

export interface QuickBooksSandboxOptions extends SandboxCommonOptions {
  clientId?: string;
  clientSecret?: string;
  /** Redirect URIs registered for the app; matched exactly, as Intuit does. Default: the loopback default. */
  redirectUris?: string[];
  accessTokenTtlSec?: number;
  /** How long a replaced refresh token keeps working (Intuit's client README: 24 h). */
  refreshTokenGraceSec?: number;
  companyName?: string;
  currency?: string;
  country?: string;
  /** Default: off for US, on (VAT/GST set up) elsewhere; automated = US automated sales tax. */
  salesTax?: SalesTaxMode;
  /** The first company's realm; the others follow it. */
  realmId?: string;
  /**
   * How many companies the sandbox holds (default 1), each with its own books, ids and rate
   * limits. The consent page lets the user pick one; auto-approve picks the first company the
   * app is not connected to yet (every one connected: the first), and the redirect says which.
   */
  companies?: number;
  rejectDuplicateDocNumbers?: boolean;
}

export interface QuickBooksSandboxStats {
  apiRequests: number;
  throttled: number;
  /** Which limit refused each throttled call. */
  throttledBy: { concurrent: number; perSecond: number; perMinute: number; batches: number };
  injectedFaults: number;
  requestIdReplays: number;
  /** API calls that did not send minorversion (QBO answers as 75; synder must always send it). */
  withoutMinorVersion: number;
  maxInFlight: number;
}

export interface QuickBooksSandbox extends SandboxService {
  /** The first company's realm and books (the only ones when the sandbox holds one company). */
  realmId: string;
  /** The company's objects and books, for in-process assertions. */
  books: Company;
  /** Every company, in order: the first is `books`. */
  companies: Company[];
  oauth: OAuthState;
  stats: QuickBooksSandboxStats;
  clientId: string;
  clientSecret: string;
}

const MINOR_VERSION = 75;
const LIMITS = { perMinute: 500, perSecond: 10, concurrent: 10, batchPerMinute: 40, batchItems: 30 };
const REVOKE_PATH = '/v2/oauth2/tokens/revoke';
const APP_PAGES: Record<string, { entity: EntityName; param: string; title: string }> = {
  salesreceipt: { entity: 'SalesReceipt', param: 'txnId', title: 'Sales receipt' },
  refundreceipt: { entity: 'RefundReceipt', param: 'txnId', title: 'Refund receipt' },
  journal: { entity: 'JournalEntry', param: 'txnId', title: 'Journal entry' },
  deposit: { entity: 'Deposit', param: 'txnId', title: 'Deposit' },
  transfer: { entity: 'Transfer', param: 'txnId', title: 'Transfer' },
  expense: { entity: 'Purchase', param: 'txnId', title: 'Expense' },
  customerdetail: { entity: 'Customer', param: 'nameId', title: 'Customer' },
  vendordetail: { entity: 'Vendor', param: 'nameId', title: 'Vendor' },
  register: { entity: 'Account', param: 'accountId', title: 'Account register' },
};

/** A sliding window of accepted calls (a refused call does not count against the limit). */
class Window {
  private stamps: number[] = [];
  constructor(private readonly max: number, private readonly ms: number) {}
  full(now: number): boolean {
    while (this.stamps.length > 0 && this.stamps[0]! <= now - this.ms) this.stamps.shift();
    return this.stamps.length >= this.max;
  }
  add(now: number): void {
    this.stamps.push(now);
  }
}

type Reply = { status: number; body: unknown };

/** One company: its books, and the limits and requestid memory Intuit keeps per realm. */
interface Realm {
  books: Company;
  perMinute: Window;
  perSecond: Window;
  batches: Window;
  inFlight: number;
  replies: Map<string, Reply>;
}

function nthRealmId(first: string, i: number): string {
  if (i === 0) return first;
  return /^\d+$/.test(first) ? String(BigInt(first) + BigInt(i)) : `${first}-${i + 1}`;
}

export async function startQuickBooksSandbox(opts: QuickBooksSandboxOptions = {}): Promise<QuickBooksSandbox> {
  const clock = opts.clock ?? realClock;
  const now = () => clock.now();
  const scale = opts.timeScale && opts.timeScale > 0 ? opts.timeScale : 1;
  const seed = opts.seed ?? 1;
  const clientId = opts.clientId ?? `AB${randomBytes(12).toString('hex')}`;
  const clientSecret = opts.clientSecret ?? randomBytes(20).toString('base64url');
  const redirectUris = opts.redirectUris && opts.redirectUris.length > 0 ? opts.redirectUris : [DEFAULT_REDIRECT_URI];
  const realmId = opts.realmId ?? String(9_130_000_000_000_000 + (seed % 1_000_000) * 1000 + 7);
  const count = Math.max(1, Math.floor(opts.companies ?? 1));
  const realms = new Map<string, Realm>();
  for (let i = 0; i < count; i++) {
    const id = nthRealmId(realmId, i);
    const company = new Company({
      realmId: id,
      companyName: i === 0 && opts.companyName ? opts.companyName : `Sandbox Company_${opts.country ?? 'US'}_${i + 1}`,
      currency: opts.currency ?? HOME_CURRENCY[(opts.country ?? 'US') as TaxCountry] ?? 'USD',
      country: opts.country ?? 'US',
      salesTax: opts.salesTax,
      rejectDuplicateDocNumbers: opts.rejectDuplicateDocNumbers,
      now,
    });
    realms.set(id, {
      books: company,
      perMinute: new Window(LIMITS.perMinute, 60_000 / scale),
      perSecond: new Window(LIMITS.perSecond, 1_000 / scale),
      batches: new Window(LIMITS.batchPerMinute, 60_000 / scale),
      inFlight: 0,
      replies: new Map(),
    });
  }
  const companies = [...realms.values()].map((r) => r.books);
  const books = companies[0]!;
  const oauth = new OAuthState(
    { accessTtlSec: opts.accessTokenTtlSec ?? 3600, refreshTtlSec: 8_726_400, refreshGraceSec: opts.refreshTokenGraceSec ?? 86_400, codeTtlSec: 600 },
    now,
  );
  const faults = new FaultInjector(opts.faults ?? [], seed);
  const stats: QuickBooksSandboxStats = { apiRequests: 0, throttled: 0, throttledBy: { concurrent: 0, perSecond: 0, perMinute: 0, batches: 0 }, injectedFaults: 0, requestIdReplays: 0, withoutMinorVersion: 0, maxInFlight: 0 };
  const pending = new Map<string, { redirectUri: string; state?: string; expiresAt: number }>();
  let baseUrl = '';

  const clientAuth = (req: http.IncomingMessage, form?: URLSearchParams): boolean => {
    const h = req.headers.authorization ?? '';
    if (h.startsWith('Basic ')) {
      const [id, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
      return id === clientId && rest.join(':') === clientSecret;
    }
    // Discovery lists client_secret_post as well.
    return form?.get('client_id') === clientId && form?.get('client_secret') === clientSecret;
  };

  const callbackUrl = (redirectUri: string, params: Record<string, string | undefined>) => {
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  };

  // What a sign-in gets without a pick (auto-approve, the default button): the next company not connected yet.
  const unconnected = (): string => {
    const connected = oauth.connectedRealms(clientId);
    return companies.find((c) => !connected.has(c.realmId))?.realmId ?? realmId;
  };

  const approve = (tx: { redirectUri: string; state?: string }, realm: string) =>
    callbackUrl(tx.redirectUri, { code: oauth.issueCode(clientId, tx.redirectUri, realm), state: tx.state, realmId: realm });

  async function handleAuthorize(res: http.ServerResponse, url: URL): Promise<void> {
    const p = url.searchParams;
    if (p.get('client_id') !== clientId) return sendHtml(res, 400, '<h1>Invalid client</h1><p>The client_id is not a registered app.</p>');
    const redirectUri = p.get('redirect_uri') ?? '';
    if (!redirectUris.includes(redirectUri)) {
      return sendHtml(res, 400, `<h1>Invalid redirect_uri</h1><p>The redirect_uri query parameter value is invalid. Make sure it is listed in the Redirect URIs section on your app's keys tab and matches it exactly. Click here to learn more about the redirect_uri query parameter.</p><p>${escapeHtml(redirectUri)}</p>`);
    }
    const state = p.get('state') ?? undefined;
    if (p.get('response_type') !== 'code') return redirect(res, callbackUrl(redirectUri, { error: 'unsupported_response_type', state }));
    const scopes = (p.get('scope') ?? '').split(/\s+/);
    if (!scopes.includes('com.intuit.quickbooks.accounting')) return redirect(res, callbackUrl(redirectUri, { error: 'invalid_scope', state }));
    if (opts.autoApprove) return redirect(res, approve({ redirectUri, state }, unconnected()));
    const id = randomBytes(12).toString('hex');
    pending.set(id, { redirectUri, state, expiresAt: now() + 15 * 60_000 });
    const suggested = unconnected();
    const page = consentPage({
      provider: 'Intuit QuickBooks',
      appName: 'synder',
      details: [...companies.map((c) => `Company: ${c.companyName} (realm ${c.realmId})`), 'Accounting data: read and write (com.intuit.quickbooks.accounting)'],
      approveUrl: `/connect/oauth2/decision?tx=${id}&choice=approve&realmId=${suggested}`,
      denyUrl: `/connect/oauth2/decision?tx=${id}&choice=deny`,
    });
    // The company picker Intuit shows when the user has access to more than one.
    const picker = companies.length < 2
      ? ''
      : `<p>Connect another company:</p><ul>${companies
          .map((c) => `<li><form method="post" action="${escapeHtml(`/connect/oauth2/decision?tx=${id}&choice=approve&realmId=${c.realmId}`)}"><button type="submit" data-realm="${escapeHtml(c.realmId)}">${escapeHtml(c.companyName)}</button></form></li>`)
          .join('')}</ul>`;
    sendHtml(res, 200, picker ? page.replace('</body>', `${picker}</body>`) : page);
  }

  function handleDecision(res: http.ServerResponse, url: URL): void {
    const id = url.searchParams.get('tx') ?? '';
    const tx = pending.get(id);
    pending.delete(id);
    if (!tx || tx.expiresAt <= now()) return sendHtml(res, 400, '<h1>This sign-in request has expired</h1><p>Start again from the app.</p>');
    if (url.searchParams.get('choice') === 'approve') {
      const chosen = url.searchParams.get('realmId') ?? realmId;
      if (!realms.has(chosen)) return sendHtml(res, 400, '<h1>Unknown company</h1><p>Pick one of the companies listed.</p>');
      return redirect(res, approve(tx, chosen));
    }
    redirect(res, callbackUrl(tx.redirectUri, { error: 'access_denied', state: tx.state }));
  }

  async function handleToken(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const headers = { 'cache-control': 'no-store' };
    if (!clientAuth(req, form)) return sendJson(res, 401, { error: 'invalid_client' }, headers);
    const grant = form.get('grant_type');
    let result;
    if (grant === 'authorization_code') {
      const code = form.get('code');
      const redirectUri = form.get('redirect_uri');
      if (!code || !redirectUri) return sendJson(res, 400, { error: 'invalid_request', error_description: 'code and redirect_uri are required' }, headers);
      result = oauth.exchangeCode(clientId, code, redirectUri);
    } else if (grant === 'refresh_token') {
      const rt = form.get('refresh_token');
      if (!rt) return sendJson(res, 400, { error: 'invalid_request', error_description: 'refresh_token is required' }, headers);
      result = oauth.refreshTokens(clientId, rt);
    } else {
      return sendJson(res, 400, { error: 'unsupported_grant_type' }, headers);
    }
    if ('error' in result) return sendJson(res, 400, { error: result.error, error_description: result.description }, headers);
    const { hard_expires_in, ...body } = result;
    const withHard = String(req.headers['x-include-refresh-token-hard-expires-in'] ?? '').toLowerCase() === 'true';
    sendJson(res, 200, withHard ? { ...body, x_refresh_token_hard_expires_in: hard_expires_in } : body, headers);
  }

  async function handleRevoke(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const text = await readBody(req);
    let tok: string | undefined;
    if ((req.headers['content-type'] ?? '').includes('json')) {
      try {
        tok = (JSON.parse(text) as { token?: string }).token;
      } catch {
        tok = undefined;
      }
    } else tok = new URLSearchParams(text).get('token') ?? undefined;
    if (!clientAuth(req)) return sendJson(res, 401, { error: 'invalid_client' });
    if (!tok) return sendJson(res, 400, { error: 'invalid_request', error_description: 'token is required' });
    if (!oauth.revoke(clientId, tok)) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Token invalid' });
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  }

  function appPage(res: http.ServerResponse, url: URL): void {
    const page = APP_PAGES[url.pathname.slice('/app/'.length)];
    const id = page ? url.searchParams.get(page.param) : null;
    // The real app shows the company the browser is signed in to; here the first one holding the id.
    const books = (page && id ? companies.find((c) => c.get(page.entity, id) !== undefined) : undefined) ?? companies[0]!;
    const obj = page && id ? books.get(page.entity, id) : undefined;
    if (!page || !obj) return sendHtml(res, 404, '<h1>Not found</h1><p>This object does not exist in the sandbox company (deleted, or a wrong link).</p>');
    const rows = ((obj.Line ?? []) as Obj[])
      .map((l) => `<tr><td>${escapeHtml(String(l.Description ?? l.DetailType))}</td><td style="text-align:right">${escapeHtml(String(l.Amount ?? ''))}</td></tr>`)
      .join('');
    sendHtml(
      res,
      200,
      `<!doctype html><html><head><meta charset="utf-8"><title>${page.title} ${escapeHtml(obj.DocNumber ?? obj.Name ?? obj.DisplayName ?? id)} — QuickBooks (sandbox)</title></head>
<body style="font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto"><h1>${page.title} ${escapeHtml(obj.DocNumber ?? obj.Name ?? obj.DisplayName ?? '')}</h1>
<p>${escapeHtml(books.companyName)} · Id ${escapeHtml(id!)}${obj.TxnDate ? ` · ${escapeHtml(obj.TxnDate)}` : ''}${obj.TotalAmt !== undefined ? ` · total ${escapeHtml(String(obj.TotalAmt))}` : ''}${obj.Amount !== undefined ? ` · amount ${escapeHtml(String(obj.Amount))}` : ''}${obj.CurrentBalance !== undefined ? ` · balance ${escapeHtml(String(obj.CurrentBalance))}` : ''}</p>
${rows ? `<table>${rows}</table>` : ''}${obj.PrivateNote ? `<pre>${escapeHtml(obj.PrivateNote)}</pre>` : ''}<details><summary>JSON</summary><pre>${escapeHtml(JSON.stringify(obj, null, 2))}</pre></details></body></html>`,
    );
  }

  const time = () => new Date(now()).toISOString();

  function operate(books: Company, entity: EntityName, op: string | undefined, body: Obj, include?: string): Obj {
    if (op === 'delete') return books.delete(entity, body);
    if (op === 'update' || (op === undefined && body.Id !== undefined)) return books.update(entity, body, include);
    if (op === undefined || op === 'create') {
      if (body.Id !== undefined) throw invalidValue('Id', 'Id must not be sent on create');
      return books.create(entity, body);
    }
    throw invalidValue('operation', `"${op}" is not supported`);
  }

  function batch(books: Company, body: unknown, requestId: string | null): Reply {
    const items = (body as Obj | undefined)?.BatchItemRequest;
    if (!Array.isArray(items) || items.length === 0) throw invalidValue('BatchItemRequest', 'a non-empty list is required');
    if (items.length > LIMITS.batchItems) throw validation('2010', 'Request has invalid or unsupported property', `BatchItemRequest: at most ${LIMITS.batchItems} items per batch, got ${items.length}`, 'BatchItemRequest');
    const seen = new Set<string>();
    const out: Obj[] = [];
    for (const item of items as Obj[]) {
      const bId = String(item?.bId ?? '');
      if (bId === '' || seen.has(bId)) throw invalidValue('bId', `"${bId}" is missing or not unique in the batch`);
      if (requestId && bId.length > 10) throw invalidValue('bId', 'bId can be at most 10 characters when a requestid is sent');
      seen.add(bId);
      try {
        if (typeof item.Query === 'string') {
          out.push({ bId, QueryResponse: books.query(item.Query) });
          continue;
        }
        const keys = Object.keys(item).filter((k) => !['bId', 'operation', 'optionsData'].includes(k));
        const entity = keys.length === 1 ? ENTITY_BY_PATH[keys[0]!.toLowerCase()] : undefined;
        if (!entity || keys[0] !== entity) throw invalidValue(keys.join(',') || 'entity', 'each batch item needs exactly one entity object or a Query');
        const op = item.operation === undefined ? 'create' : String(item.operation);
        const result = operate(books, entity, op, item[entity], item.optionsData === 'void' ? 'void' : undefined);
        out.push({ bId, [entity]: result });
      } catch (err) {
        if (!(err instanceof QboError)) throw err;
        out.push({ bId, Fault: err.fault() });
      }
    }
    return { status: 200, body: { BatchItemResponse: out, time: time() } };
  }

  function dispatch(books: Company, method: string, rest: string[], url: URL, text: string): Reply {
    const [resource = '', id] = rest;
    const params = url.searchParams;
    const json = (): Obj => {
      try {
        return text === '' ? {} : (JSON.parse(text) as Obj);
      } catch {
        throw validation('2010', 'Request has invalid or unsupported property', 'The request body is not valid JSON');
      }
    };
    switch (resource.toLowerCase()) {
      case 'companyinfo':
        if (method !== 'GET') break;
        if (id !== books.realmId) throw validation('610', 'Object Not Found', `CompanyInfo ${id} not found`);
        return { status: 200, body: { CompanyInfo: books.companyInfo(), time: time() } };
      case 'preferences':
        if (method !== 'GET') break;
        return { status: 200, body: { Preferences: books.preferences(), time: time() } };
      case 'query': {
        const sql = method === 'GET' ? params.get('query') ?? '' : text;
        return { status: 200, body: { QueryResponse: books.query(sql), time: time() } };
      }
      case 'batch':
        if (method !== 'POST') break;
        return batch(books, json(), params.get('requestid'));
      default: {
        const entity = ENTITY_BY_PATH[resource.toLowerCase()];
        if (!entity) break;
        if (method === 'GET' && id) return { status: 200, body: { [entity]: books.read(entity, id), time: time() } };
        if (method === 'POST' && !id) {
          const result = operate(books, entity, params.get('operation') ?? undefined, json(), params.get('include') ?? undefined);
          return { status: 200, body: { [entity]: result, time: time() } };
        }
      }
    }
    throw new QboError(400, '4000', 'Unsupported Operation', `Operation ${method} /${rest.join('/')} is not supported.`, 'ValidationFault');
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, parts: string[]): Promise<void> {
    stats.apiRequests++;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const authProblem = oauth.checkAccess(bearer);
    if (authProblem) {
      await readBody(req);
      return sendJson(res, 401, authFailure(now(), authProblem), { 'www-authenticate': 'Bearer realm="Intuit", error="invalid_token"' });
    }
    const realm = parts[2] === oauth.realmOf(bearer!) ? realms.get(parts[2]!) : undefined;
    if (!realm) {
      await readBody(req);
      return sendJson(res, 403, new QboError(403, '3100', 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403', 'The app is not authorized for this company', 'AUTHORIZATION').body(now()));
    }
    const fault = faults.next();
    if (fault) stats.injectedFaults++;
    if (fault === '429') {
      stats.throttled++;
      await readBody(req);
      return sendJson(res, 429, throttled().body(now()));
    }
    if (fault === '500') {
      await readBody(req);
      return sendJson(res, 500, new QboError(500, '10000', 'An application error has occurred while processing your request', 'System Failure Error: An unexpected error occurred while accessing or saving your data.', 'SystemFault').body(now()));
    }
    if (fault === '502' || fault === '503') {
      await readBody(req);
      return sendHtml(res, Number(fault), `<html><body><h1>${fault} ${fault === '502' ? 'Bad Gateway' : 'Service Unavailable'}</h1></body></html>`);
    }
    if (fault === 'reset' && req.method !== 'POST') {
      req.socket.destroy();
      return;
    }
    if (fault === 'slow') await new Promise((r) => setTimeout(r, 2_000 / scale));
    const isBatch = parts[3]?.toLowerCase() === 'batch';
    const t = now();
    const { perSecond, perMinute, batches, replies } = realm;
    const refusedBy = realm.inFlight >= LIMITS.concurrent ? 'concurrent' : perSecond.full(t) ? 'perSecond' : perMinute.full(t) ? 'perMinute' : isBatch && batches.full(t) ? 'batches' : undefined;
    if (refusedBy) {
      stats.throttled++;
      stats.throttledBy[refusedBy]++;
      await readBody(req);
      return sendJson(res, 429, throttled().body(now()));
    }
    perSecond.add(t);
    perMinute.add(t);
    if (isBatch) batches.add(t);
    realm.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, realm.inFlight);
    try {
      const text = await readBody(req);
      const mv = url.searchParams.get('minorversion');
      if (mv === null) stats.withoutMinorVersion++;
      else if (!/^\d+$/.test(mv)) return sendJson(res, 400, invalidValue('minorversion', `"${mv}" is not a number; use ${MINOR_VERSION}`).body(now()));
      const requestId = req.method === 'POST' ? url.searchParams.get('requestid') : null;
      let reply: Reply | undefined;
      if (requestId !== null) {
        const max = isBatch ? 36 : 50;
        if (requestId.length === 0 || requestId.length > max) return sendJson(res, 400, invalidValue('requestid', `must be 1 to ${max} characters`).body(now()));
        reply = replies.get(requestId);
        if (reply) stats.requestIdReplays++;
      }
      if (!reply) {
        try {
          reply = dispatch(realm.books, req.method ?? 'GET', parts.slice(3), url, text);
        } catch (err) {
          if (!(err instanceof QboError)) throw err;
          reply = { status: err.status, body: err.body(now()) };
        }
        if (requestId) replies.set(requestId, reply);
      }
      if (fault === 'reset') {
        // Processed, but the answer never arrives: only the requestid makes the retry safe.
        req.socket.destroy();
        return;
      }
      sendJson(res, reply.status, reply.body, { intuit_tid: randomBytes(8).toString('hex') });
    } finally {
      realm.inFlight--;
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const parts = url.pathname.split('/').filter(Boolean);
    const route = async () => {
      if (req.method === 'GET' && url.pathname === '/connect/oauth2') return handleAuthorize(res, url);
      if (req.method === 'POST' && url.pathname === '/connect/oauth2/decision') {
        await readBody(req);
        return handleDecision(res, url);
      }
      if (req.method === 'POST' && url.pathname === '/oauth2/v1/tokens/bearer') return handleToken(req, res);
      if (req.method === 'POST' && url.pathname === REVOKE_PATH) return handleRevoke(req, res);
      if (req.method === 'GET' && url.pathname.startsWith('/app/')) return appPage(res, url);
      if (parts[0] === 'v3' && parts[1] === 'company' && parts.length >= 4) return handleApi(req, res, url, parts);
      if (req.method === 'GET' && url.pathname === '/') {
        return sendHtml(res, 200, `<h1>QuickBooks Online sandbox</h1>${companies.map((c) => `<p>${escapeHtml(c.companyName)} — realm ${escapeHtml(c.realmId)} — ${c.currency}</p>`).join('')}`);
      }
      sendJson(res, 404, { error: 'not_found', path: url.pathname });
    };
    route().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, new QboError(500, '10000', 'An application error has occurred while processing your request', `System Failure Error: ${(err as Error).message}`, 'SystemFault').body(now()));
      else res.destroy();
    });
  });

  const running = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  baseUrl = running.url;
  return {
    name: 'quickbooks',
    url: baseUrl,
    realmId,
    books,
    companies,
    oauth,
    stats,
    clientId,
    clientSecret,
    env: {
      SYNDER_QBO_AUTHORIZE_URL: `${baseUrl}/connect/oauth2`,
      SYNDER_QBO_TOKEN_URL: `${baseUrl}/oauth2/v1/tokens/bearer`,
      SYNDER_QBO_API_URL: baseUrl,
      SYNDER_QBO_APP_URL: baseUrl,
      SYNDER_QBO_CLIENT_ID: clientId,
      SYNDER_QBO_CLIENT_SECRET: clientSecret,
      SYNDER_QBO_REDIRECT_URI: redirectUris[0]!,
    },
    close: () => running.close(),
  };
}
