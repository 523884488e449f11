import { z } from 'zod';
import type { AuthorizationRequest, OAuthAdapter, TokenSet } from '../../auth/types.js';
import type { Config } from '../../config.js';
import { InvalidResponseError, ReauthRequiredError, SynderError, UsageError } from '../../errors.js';
import { HttpClient } from '../http.js';

export const QBO_SCOPE = 'com.intuit.quickbooks.accounting';
const INTUIT_TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';
const INTUIT_REVOKE_URL = 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke';
const REVOKE_PATH = '/v2/oauth2/tokens/revoke';

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive(),
  x_refresh_token_expires_in: z.coerce.number().positive().optional(),
  x_refresh_token_hard_expires_in: z.coerce.number().positive().optional(),
});
const errorResponse = z.looseObject({ error: z.string(), error_description: z.string().optional() });

export type QuickBooksOAuthConfig = Config['quickbooks'] & {
  /** Not in the env contract: defaults to Intuit's revoke URL, or the same host as a non-Intuit token URL (sandbox, proxy). */
  revokeUrl?: string;
};

function revokeUrlFor(cfg: QuickBooksOAuthConfig): string {
  if (cfg.revokeUrl) return cfg.revokeUrl;
  if (cfg.tokenUrl === INTUIT_TOKEN_URL) return INTUIT_REVOKE_URL;
  return new URL(REVOKE_PATH, cfg.tokenUrl).toString();
}

/** Intuit OAuth 2.0: authorization code with a confidential client (Basic auth), rotating refresh tokens. */
export function createQuickBooksOAuth(config: QuickBooksOAuthConfig, opts: { http?: HttpClient; now?: () => number } = {}): OAuthAdapter {
  const now = opts.now ?? Date.now;
  const http = opts.http ?? new HttpClient({ provider: 'QuickBooks OAuth', concurrency: 2, maxRetries: 3 });

  const credentials = (): string => {
    if (!config.clientId || !config.clientSecret) {
      throw new UsageError(
        'QuickBooks app credentials are missing.',
        'Set SYNDER_QBO_CLIENT_ID and SYNDER_QBO_CLIENT_SECRET to the keys of your Intuit developer app.',
      );
    }
    return `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64')}`;
  };

  const tokenCall = async (form: Record<string, string>, label: string) => {
    const res = await http.request({
      method: 'POST',
      url: config.tokenUrl,
      label,
      headers: {
        authorization: credentials(),
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        'x-include-refresh-token-hard-expires-in': 'true',
      },
      body: new URLSearchParams(form).toString(),
    });
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      throw new InvalidResponseError(`QuickBooks ${label}`, `HTTP ${res.status}, body is not JSON`);
    }
    return { status: res.status, json };
  };

  const toTokenSet = (label: string, json: unknown, previous?: TokenSet, realmId?: string): TokenSet => {
    const parsed = tokenResponse.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidResponseError(`QuickBooks ${label}`, `field "${issue?.path.join('.') || '(body)'}": ${issue?.message ?? 'invalid'}`);
    }
    const t = parsed.data;
    const at = now();
    const extra: Record<string, string> = { ...(previous?.extra ?? {}) };
    if (realmId) extra.realmId = realmId;
    if (t.x_refresh_token_hard_expires_in) extra.refreshHardExpiresAt = String(at + t.x_refresh_token_hard_expires_in * 1000);
    return {
      accessToken: t.access_token,
      // Intuit rotates refresh tokens: always keep the newest one it returns.
      refreshToken: t.refresh_token ?? previous?.refreshToken,
      expiresAt: at + t.expires_in * 1000,
      refreshExpiresAt: t.x_refresh_token_expires_in ? at + t.x_refresh_token_expires_in * 1000 : previous?.refreshExpiresAt,
      scope: previous?.scope ?? QBO_SCOPE,
      extra,
    };
  };

  const failure = (label: string, status: number, json: unknown): SynderError => {
    const e = errorResponse.safeParse(json);
    if (e.success && e.data.error === 'invalid_client') {
      return new UsageError('QuickBooks rejected the app credentials (invalid_client).', 'Check SYNDER_QBO_CLIENT_ID and SYNDER_QBO_CLIENT_SECRET (development keys work only with sandbox companies).');
    }
    if (e.success) return new SynderError(`QuickBooks ${label} failed: ${e.data.error}${e.data.error_description ? ` (${e.data.error_description})` : ''}`, { code: 'oauth' });
    return new InvalidResponseError(`QuickBooks ${label}`, `HTTP ${status} without an OAuth error body`);
  };

  return {
    provider: 'quickbooks',
    usesPkce: false,

    authorizeUrl(req: AuthorizationRequest): string {
      if (!config.clientId) throw new UsageError('QuickBooks app credentials are missing.', 'Set SYNDER_QBO_CLIENT_ID and SYNDER_QBO_CLIENT_SECRET.');
      const u = new URL(config.authorizeUrl);
      u.searchParams.set('client_id', config.clientId);
      u.searchParams.set('response_type', 'code');
      u.searchParams.set('scope', QBO_SCOPE);
      u.searchParams.set('redirect_uri', req.redirectUri);
      u.searchParams.set('state', req.state);
      return u.toString();
    },

    async exchange(callback: URLSearchParams, req: { redirectUri: string }): Promise<TokenSet> {
      const error = callback.get('error');
      if (error === 'access_denied') {
        throw new SynderError('QuickBooks access was declined on the consent page, so synder is not connected.', {
          code: 'access_denied',
          hint: 'Run `synder connect quickbooks` again and choose Connect; only a company admin can authorize an app.',
        });
      }
      if (error) throw new SynderError(`QuickBooks authorization failed: ${error}${callback.get('error_description') ? ` (${callback.get('error_description')})` : ''}`, { code: 'oauth' });
      const code = callback.get('code');
      const realmId = callback.get('realmId');
      if (!code) throw new SynderError('The QuickBooks callback has no "code" parameter.', { code: 'oauth', hint: 'Paste the whole URL the browser was sent to after approving.' });
      if (!realmId) throw new SynderError('The QuickBooks callback has no "realmId" parameter (the company id).', { code: 'oauth', hint: 'Paste the whole URL the browser was sent to after approving.' });
      const { status, json } = await tokenCall({ grant_type: 'authorization_code', code, redirect_uri: req.redirectUri }, 'token exchange');
      if (status !== 200) throw failure('token exchange', status, json);
      return toTokenSet('token exchange', json, undefined, realmId);
    },

    async refresh(tokens: TokenSet): Promise<TokenSet> {
      if (!tokens.refreshToken) throw new ReauthRequiredError('quickbooks', 'There is no QuickBooks refresh token to renew the connection with.');
      const { status, json } = await tokenCall({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken }, 'token refresh');
      if (status !== 200) {
        const e = errorResponse.safeParse(json);
        if (e.success && e.data.error === 'invalid_grant') {
          throw new ReauthRequiredError('quickbooks', 'QuickBooks no longer accepts the saved refresh token (revoked, disconnected in QuickBooks, unused for 100 days, or replaced by a newer one).');
        }
        throw failure('token refresh', status, json);
      }
      return toTokenSet('token refresh', json, tokens);
    },

    async revoke(tokens: TokenSet): Promise<void> {
      const token = tokens.refreshToken ?? tokens.accessToken;
      const res = await http.request({
        method: 'POST',
        url: revokeUrlFor(config),
        label: 'token revoke',
        headers: { authorization: credentials(), accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      // 400 invalid_grant: already revoked — the goal is reached either way.
      if (res.status === 200 || res.status === 204) return;
      let json: unknown;
      try {
        json = JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      const e = errorResponse.safeParse(json);
      if (res.status === 400 && e.success && e.data.error === 'invalid_grant') return;
      throw failure('token revoke', res.status, json);
    },
  };
}
