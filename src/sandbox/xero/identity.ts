import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type http from 'node:http';
import { consentPage, escapeHtml, readBody, redirect, sendHtml, sendJson, type SandboxClock } from '../http-kit.js';
import type { XeroBooks } from './books.js';

/**
 * Xero's identity service as documented: authorization code + PKCE (S256) for a public client,
 * exact redirect URI matching, single-use codes, 30-minute access tokens (JWTs), refresh tokens
 * that rotate on every use with a 30-minute grace for the superseded one and expire after 60
 * days unused, revocation (which removes the user's connections) and GET /connections.
 */

const CODE_TTL_MS = 5 * 60_000;
const GRACE_MS = 30 * 60_000;
const REFRESH_IDLE_MS = 60 * 24 * 3600_000;

/** Scopes an app created after 2 March 2026 may request; the broad `accounting.transactions` is refused. */
const KNOWN_SCOPES = new Set([
  'openid', 'profile', 'email', 'offline_access',
  'accounting.settings', 'accounting.settings.read', 'accounting.contacts', 'accounting.contacts.read',
  'accounting.invoices', 'accounting.invoices.read', 'accounting.payments', 'accounting.payments.read',
  'accounting.banktransactions', 'accounting.banktransactions.read', 'accounting.manualjournals', 'accounting.manualjournals.read',
  'accounting.attachments', 'accounting.attachments.read', 'accounting.budgets.read', 'accounting.journals.read',
]);
const isKnownScope = (s: string) => KNOWN_SCOPES.has(s) || /^accounting\.reports\.[a-z]+\.read$/.test(s);

interface Grant {
  id: string;
  userId: string;
  scopes: string[];
  revoked: boolean;
  connections: Array<{ id: string; tenantId: string; authEventId: string; created: number; updated: number }>;
}
interface PendingAuth {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  challenge: string;
}
interface CodeEntry extends PendingAuth {
  grantId: string;
  authEventId: string;
  expiresAt: number;
  used: boolean;
}
interface RefreshEntry {
  grantId: string;
  lastUsed: number;
  successor?: { refresh: string; at: number };
}
export interface AccessInfo {
  grantId: string;
  scopes: string[];
  expiresAt: number;
}

export interface IdentityOptions {
  clientId: string;
  redirectUris: string[];
  autoApprove: boolean;
  accessTokenTtlSec: number;
  clock: SandboxClock;
}

export class XeroIdentity {
  private readonly grants = new Map<string, Grant>();
  private readonly pending = new Map<string, PendingAuth>();
  private readonly codes = new Map<string, CodeEntry>();
  private readonly refresh = new Map<string, RefreshEntry>();
  private readonly access = new Map<string, AccessInfo>();
  private readonly secret = randomBytes(32);
  private readonly userId = randomUUID();
  baseUrl = '';

  constructor(private readonly opts: IdentityOptions, private readonly books: XeroBooks) {}

  /** Resolves a Bearer token; undefined when unknown, expired or revoked. */
  resolve(token: string): AccessInfo | { expired: true } | undefined {
    const info = this.access.get(token);
    if (!info) return undefined;
    const grant = this.grants.get(info.grantId);
    if (!grant || grant.revoked) return undefined;
    if (this.opts.clock.now() >= info.expiresAt) return { expired: true };
    return info;
  }

  tenantIds(grantId: string): string[] {
    return this.grants.get(grantId)?.connections.map((c) => c.tenantId) ?? [];
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    if (req.method === 'GET' && p === '/identity/connect/authorize') return this.authorize(res, url), true;
    if (req.method === 'POST' && p === '/identity/connect/authorize/decide') return this.decide(res, url), true;
    if (req.method === 'POST' && p === '/connect/token') return this.token(req, res), true;
    if (req.method === 'POST' && p === '/connect/revocation') return this.revoke(req, res), true;
    if (req.method === 'GET' && p === '/.well-known/openid-configuration') {
      sendJson(res, 200, {
        issuer: this.baseUrl,
        authorization_endpoint: `${this.baseUrl}/identity/connect/authorize`,
        token_endpoint: `${this.baseUrl}/connect/token`,
        revocation_endpoint: `${this.baseUrl}/connect/revocation`,
        code_challenge_methods_supported: ['S256'],
      });
      return true;
    }
    if (p === '/connections' || p.startsWith('/connections/')) return this.connections(req, res, url), true;
    return false;
  }

  private errorPage(res: http.ServerResponse, message: string): void {
    // Xero shows its own error page (HTTP 500) and never calls the app back for bad parameters.
    sendHtml(res, 500, `<!doctype html><html><body><h1>Sorry, something went wrong</h1><p>Error: ${escapeHtml(message)}</p></body></html>`);
  }

  private authorize(res: http.ServerResponse, url: URL): void {
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    if (clientId !== this.opts.clientId) return this.errorPage(res, 'unauthorized_client : Unknown client or client not enabled');
    if (!this.opts.redirectUris.includes(redirectUri)) return this.errorPage(res, 'unauthorized_client : Invalid redirect_uri');
    if (q.get('response_type') !== 'code') return this.errorPage(res, 'unsupported_response_type');
    const scopes = (q.get('scope') ?? '').split(/\s+/).filter(Boolean);
    const bad = scopes.filter((s) => !isKnownScope(s));
    if (scopes.length === 0 || bad.length) return this.errorPage(res, `invalid_scope : ${bad.join(' ') || 'no scope requested'}`);
    const challenge = q.get('code_challenge') ?? '';
    if (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return this.errorPage(res, 'invalid_request : code_challenge with code_challenge_method=S256 is required for this app');
    }
    const auth: PendingAuth = { clientId, redirectUri, scopes, state: q.get('state') ?? undefined, challenge };
    if (this.opts.autoApprove) return this.approve(res, auth);
    const txn = randomBytes(16).toString('hex');
    this.pending.set(txn, auth);
    sendHtml(res, 200, consentPage({
      provider: 'Xero',
      appName: 'synder',
      details: [...scopes.map((s) => `Scope: ${s}`), ...this.books.tenants.map((t) => `Organisation: ${t.name}`)],
      approveUrl: `/identity/connect/authorize/decide?txn=${txn}&decision=approve`,
      denyUrl: `/identity/connect/authorize/decide?txn=${txn}&decision=deny`,
    }));
  }

  private decide(res: http.ServerResponse, url: URL): void {
    const txn = url.searchParams.get('txn') ?? '';
    const auth = this.pending.get(txn);
    if (!auth) return this.errorPage(res, 'This authorisation request has expired or was already used.');
    this.pending.delete(txn);
    if (url.searchParams.get('decision') !== 'approve') {
      const back = new URL(auth.redirectUri);
      back.searchParams.set('error', 'access_denied');
      if (auth.state !== undefined) back.searchParams.set('state', auth.state);
      return redirect(res, back.toString());
    }
    this.approve(res, auth);
  }

  private approve(res: http.ServerResponse, auth: PendingAuth): void {
    const now = this.opts.clock.now();
    const authEventId = randomUUID();
    // One user, one grant per app: consenting again adds scopes and connections to it.
    let grant = [...this.grants.values()].find((g) => !g.revoked);
    if (!grant) {
      grant = { id: randomUUID(), userId: this.userId, scopes: [], revoked: false, connections: [] };
      this.grants.set(grant.id, grant);
    }
    grant.scopes = [...new Set([...grant.scopes, ...auth.scopes])];
    for (const t of this.books.tenants) {
      const existing = grant.connections.find((c) => c.tenantId === t.tenantId);
      if (existing) {
        existing.authEventId = authEventId;
        existing.updated = now;
      } else grant.connections.push({ id: randomUUID(), tenantId: t.tenantId, authEventId, created: now, updated: now });
    }
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { ...auth, grantId: grant.id, authEventId, expiresAt: now + CODE_TTL_MS, used: false });
    const back = new URL(auth.redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('scope', auth.scopes.join(' '));
    if (auth.state !== undefined) back.searchParams.set('state', auth.state);
    redirect(res, back.toString());
  }

  private jwt(payload: Record<string, unknown>): string {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = enc({ alg: 'HS256', typ: 'JWT', kid: 'sandbox' });
    const body = enc(payload);
    const sig = createHmac('sha256', this.secret).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  private issue(grant: Grant, authEventId: string): { access_token: string; refresh_token: string; expires_in: number; token_type: string; scope: string } {
    const now = this.opts.clock.now();
    const ttl = this.opts.accessTokenTtlSec;
    const access = this.jwt({
      nbf: Math.floor(now / 1000), exp: Math.floor(now / 1000) + ttl, iss: this.baseUrl, aud: `${this.baseUrl}/resources`,
      client_id: this.opts.clientId, sub: grant.userId, xero_userid: grant.userId, authentication_event_id: authEventId,
      jti: randomUUID(), scope: grant.scopes,
    });
    this.access.set(access, { grantId: grant.id, scopes: grant.scopes, expiresAt: now + ttl * 1000 });
    const refresh = randomBytes(32).toString('hex');
    this.refresh.set(refresh, { grantId: grant.id, lastUsed: now });
    return { access_token: access, refresh_token: refresh, expires_in: ttl, token_type: 'Bearer', scope: grant.scopes.join(' ') };
  }

  private async token(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const fail = (error: string, description?: string, status = 400) => sendJson(res, status, description ? { error, error_description: description } : { error });
    let clientId = form.get('client_id');
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) clientId = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0] ?? null;
    if (clientId !== this.opts.clientId) return fail('invalid_client');
    const now = this.opts.clock.now();
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code || code.used || now > code.expiresAt) return fail('invalid_grant');
      code.used = true; // single use, even when the rest of the request is wrong
      if (form.get('redirect_uri') !== code.redirectUri) return fail('invalid_grant', 'redirect_uri does not match the authorisation request');
      const verifier = form.get('code_verifier') ?? '';
      if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return fail('invalid_grant', 'code_verifier is missing or malformed');
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge) return fail('invalid_grant', 'code_verifier does not match the code_challenge');
      const grant = this.grants.get(code.grantId);
      if (!grant || grant.revoked) return fail('invalid_grant');
      return sendJson(res, 200, this.issue(grant, code.authEventId), { 'cache-control': 'no-store' });
    }
    if (grantType === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      const entry = this.refresh.get(token);
      if (!entry) return fail('invalid_grant');
      const grant = this.grants.get(entry.grantId);
      if (!grant || grant.revoked) return fail('invalid_grant');
      if (entry.successor) {
        // The response to an earlier use may have been lost: within the grace window the old
        // token still works and yields the same successor, never a second family.
        if (now - entry.successor.at > GRACE_MS) return fail('invalid_grant');
        const next = this.refresh.get(entry.successor.refresh);
        if (!next) return fail('invalid_grant');
        const pair = this.issue(grant, grant.connections[0]?.authEventId ?? '');
        this.refresh.delete(pair.refresh_token);
        return sendJson(res, 200, { ...pair, refresh_token: entry.successor.refresh }, { 'cache-control': 'no-store' });
      }
      if (now - entry.lastUsed > REFRESH_IDLE_MS) return fail('invalid_grant');
      const pair = this.issue(grant, grant.connections[0]?.authEventId ?? '');
      entry.successor = { refresh: pair.refresh_token, at: now };
      return sendJson(res, 200, pair, { 'cache-control': 'no-store' });
    }
    return fail('unsupported_grant_type');
  }

  private async revoke(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    let clientId = form.get('client_id');
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) clientId = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0] ?? null;
    if (clientId !== this.opts.clientId) return sendJson(res, 400, { error: 'invalid_client' });
    const entry = this.refresh.get(form.get('token') ?? '');
    if (entry) {
      // Revoking removes all of the user's connections to the app.
      const grant = this.grants.get(entry.grantId);
      if (grant) {
        grant.revoked = true;
        grant.connections = [];
      }
    }
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  }

  private connections(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const info = this.resolve(token);
    if (!info || 'expired' in info) {
      return sendJson(res, 401, { Type: null, Title: 'Unauthorized', Status: 401, Detail: info ? 'TokenExpired: token expired' : 'Unauthorized' });
    }
    const grant = this.grants.get(info.grantId)!;
    if (req.method === 'DELETE') {
      const id = url.pathname.split('/')[2] ?? '';
      const before = grant.connections.length;
      grant.connections = grant.connections.filter((c) => c.id !== id);
      if (grant.connections.length === before) return sendJson(res, 404, { Title: 'Not Found', Status: 404, Detail: 'Connection not found' });
      res.writeHead(204);
      res.end();
      return;
    }
    const authEventId = url.searchParams.get('authEventId');
    const list = grant.connections
      .filter((c) => !authEventId || c.authEventId === authEventId)
      .map((c) => {
        const t = this.books.byId(c.tenantId)!;
        return { id: c.id, authEventId: c.authEventId, tenantId: c.tenantId, tenantType: 'ORGANISATION', tenantName: t.name, createdDateUtc: new Date(c.created).toISOString(), updatedDateUtc: new Date(c.updated).toISOString() };
      });
    sendJson(res, 200, list);
  }
}
