import { z } from 'zod';
import type { AuthorizationRequest, OAuthAdapter, TokenSet } from '../../auth/types.js';
import type { Config } from '../../config.js';
import { InvalidResponseError, ReauthRequiredError, SynderError, UsageError } from '../../errors.js';
import { HttpClient } from '../http.js';

/**
 * Xero OAuth 2.0 for a public "Auth Code with PKCE" app: no client secret (sent only when one is
 * configured, for a confidential "web app"), exact loopback redirect, granular scopes (apps
 * created after 2 March 2026 may not request `accounting.transactions`), refresh tokens that
 * rotate on every use, revocation at the identity service.
 */
export const XERO_SCOPES = [
  'offline_access',
  'accounting.settings',
  'accounting.contacts',
  'accounting.invoices',
  'accounting.payments',
  'accounting.banktransactions',
  'accounting.manualjournals',
  // The clearing balance is read from the Trial Balance report.
  'accounting.reports.trialbalance.read',
] as const;

/** Refresh tokens expire after 60 days unused; each refresh restarts the clock. */
const REFRESH_IDLE_MS = 60 * 24 * 3600_000;

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});
const errorResponse = z.looseObject({ error: z.string(), error_description: z.string().optional() });

const connectionsResponse = z.array(
  z.looseObject({
    id: z.string().min(1),
    tenantId: z.string().min(1),
    tenantType: z.string(),
    tenantName: z.string().nullable().optional(),
    authEventId: z.string().nullable().optional(),
  }),
);

export interface XeroTenant {
  tenantId: string;
  tenantName: string;
  tenantType: string;
  connectionId: string;
}

export type XeroOAuthConfig = Config['xero'] & { scopes?: readonly string[] };

const defaultHttp = () => new HttpClient({ provider: 'Xero identity', concurrency: 2, maxRetries: 3 });

function parseJson(label: string, status: number, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidResponseError(label, `HTTP ${status}, body is not JSON`);
  }
}

export function createXeroOAuth(config: XeroOAuthConfig, opts: { http?: HttpClient; now?: () => number } = {}): OAuthAdapter {
  const now = opts.now ?? Date.now;
  const http = opts.http ?? defaultHttp();
  const scopes = config.scopes ?? XERO_SCOPES;

  const clientId = (): string => {
    if (!config.clientId) throw new UsageError('The Xero client id is missing.', 'Set SYNDER_XERO_CLIENT_ID to the client id of your Xero "Auth Code with PKCE" app.');
    return config.clientId;
  };

  const tokenCall = async (form: Record<string, string>, label: string): Promise<{ status: number; json: unknown }> => {
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
    const body: Record<string, string> = { ...form, client_id: clientId() };
    if (config.clientSecret) {
      headers.authorization = `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64')}`;
      delete body.client_id;
    }
    const res = await http.request({ method: 'POST', url: config.tokenUrl, label, headers, body: new URLSearchParams(body).toString() });
    return { status: res.status, json: parseJson(`Xero ${label}`, res.status, res.body) };
  };

  const toTokenSet = (label: string, json: unknown, previous?: TokenSet): TokenSet => {
    const parsed = tokenResponse.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidResponseError(`Xero ${label}`, `field "${issue?.path.join('.') || '(body)'}": ${issue?.message ?? 'invalid'}`);
    }
    const t = parsed.data;
    const at = now();
    return {
      accessToken: t.access_token,
      refreshToken: t.refresh_token ?? previous?.refreshToken,
      expiresAt: at + t.expires_in * 1000,
      refreshExpiresAt: t.refresh_token ? at + REFRESH_IDLE_MS : previous?.refreshExpiresAt,
      scope: t.scope ?? previous?.scope,
      extra: { ...(previous?.extra ?? {}) },
    };
  };

  const oauthError = (json: unknown): { error: string; description?: string } | undefined => {
    const e = errorResponse.safeParse(json);
    return e.success ? { error: e.data.error, description: e.data.error_description } : undefined;
  };

  return {
    provider: 'xero',
    usesPkce: true,

    authorizeUrl(req: AuthorizationRequest): string {
      if (!req.codeChallenge) throw new SynderError('Xero sign-in needs a PKCE code challenge.', { code: 'pkce_missing' });
      const url = new URL(config.authorizeUrl);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', clientId());
      url.searchParams.set('redirect_uri', req.redirectUri);
      url.searchParams.set('scope', scopes.join(' '));
      url.searchParams.set('state', req.state);
      url.searchParams.set('code_challenge', req.codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      return url.toString();
    },

    async exchange(callback, req): Promise<TokenSet> {
      const error = callback.get('error');
      if (error) {
        const why = error === 'access_denied' ? 'Xero sign-in was cancelled (consent denied).' : `Xero sign-in failed: ${error}${callback.get('error_description') ? ` — ${callback.get('error_description')}` : ''}`;
        throw new SynderError(why, { hint: 'Run `synder connect xero` again and approve access.', code: 'oauth_denied' });
      }
      const code = callback.get('code');
      if (!code) throw new SynderError('The Xero callback carried no authorization code.', { code: 'oauth_no_code' });
      if (!req.codeVerifier) throw new SynderError('Xero sign-in needs the PKCE code verifier.', { code: 'pkce_missing' });
      const { status, json } = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: req.redirectUri, code_verifier: req.codeVerifier }, 'token exchange');
      if (status !== 200) {
        const e = oauthError(json);
        throw new SynderError(`Xero rejected the authorization code (${e?.error ?? `HTTP ${status}`}${e?.description ? `: ${e.description}` : ''}).`, {
          hint: 'Run `synder connect xero` again; a code works once and only with the verifier of the same sign-in.',
          code: 'oauth_exchange',
        });
      }
      return toTokenSet('token exchange', json);
    },

    async refresh(tokens: TokenSet): Promise<TokenSet> {
      if (!tokens.refreshToken) throw new ReauthRequiredError('xero', 'The Xero connection has no refresh token.');
      const { status, json } = await tokenCall({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken }, 'token refresh');
      if (status !== 200) {
        const e = oauthError(json);
        if (status === 400 || status === 401) {
          throw new ReauthRequiredError('xero', `Xero rejected the refresh token (${e?.error ?? `HTTP ${status}`}); it has expired, been revoked or been replaced by a newer one.`);
        }
        throw new SynderError(`Xero token refresh failed with HTTP ${status}${e ? ` (${e.error})` : ''}.`, { code: 'oauth_refresh' });
      }
      // Rotated: the caller must persist this set before using it, the old refresh token is spent.
      return toTokenSet('token refresh', json, tokens);
    },

    async revoke(tokens: TokenSet): Promise<void> {
      if (!tokens.refreshToken) return;
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      const form: Record<string, string> = { token: tokens.refreshToken };
      if (config.clientSecret) headers.authorization = `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64')}`;
      else form.client_id = clientId();
      const res = await http.request({ method: 'POST', url: config.revokeUrl, label: 'token revocation', headers, body: new URLSearchParams(form).toString() });
      if (res.status !== 200) throw new SynderError(`Xero token revocation failed with HTTP ${res.status}.`, { code: 'oauth_revoke' });
    },
  };
}

/** GET /connections: the organisations this token may use (pick one when there are several). */
export async function listXeroConnections(config: Pick<Config['xero'], 'connectionsUrl'>, accessToken: string, opts: { http?: HttpClient; authEventId?: string } = {}): Promise<XeroTenant[]> {
  const http = opts.http ?? defaultHttp();
  const url = new URL(config.connectionsUrl);
  if (opts.authEventId) url.searchParams.set('authEventId', opts.authEventId);
  const res = await http.request({ method: 'GET', url: url.toString(), label: 'GET /connections', headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
  if (res.status === 401 || res.status === 403) throw new ReauthRequiredError('xero', `Xero refused GET /connections (HTTP ${res.status}).`);
  if (res.status !== 200) throw new InvalidResponseError('Xero GET /connections', `HTTP ${res.status}`);
  const parsed = connectionsResponse.safeParse(parseJson('Xero GET /connections', res.status, res.body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidResponseError('Xero GET /connections', `field "${issue?.path.join('.') || '(body)'}": ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data
    .filter((c) => c.tenantType === 'ORGANISATION')
    .map((c) => ({ tenantId: c.tenantId, tenantName: c.tenantName ?? c.tenantId, tenantType: c.tenantType, connectionId: c.id }));
}

/** The `authentication_event_id` claim of a Xero access token (a JWT), to list only this sign-in's tenants. */
export function authEventIdOf(accessToken: string): string | undefined {
  const payload = accessToken.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    return typeof claims.authentication_event_id === 'string' ? claims.authentication_event_id : undefined;
  } catch {
    return undefined;
  }
}
