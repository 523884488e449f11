import type { AuthorizationRequest, OAuthAdapter, TokenSet } from '../../auth/types.js';
import type { Config } from '../../config.js';
import { InvalidResponseError, ReauthRequiredError, SynderError, UsageError } from '../../errors.js';
import { HttpClient, type HttpClientOptions } from '../http.js';
import { envelope, parseOrThrow, tokenData, type TokenData } from './schemas.js';
import { TIKTOK_CODES, tiktokError, tiktokRetryDelay } from './errors.js';

/**
 * TikTok Shop seller authorization. The authorize link carries only service_id and state: the
 * redirect is the one registered in Partner Center (mirrored as config.tiktok.redirectUri).
 * Token calls are unsigned GETs with the app secret in the query, so URLs are never logged.
 */
export function createTikTokOAuth(config: Config['tiktok'], opts: { http?: Partial<Omit<HttpClientOptions, 'provider'>>; clock?: { now(): number } } = {}): OAuthAdapter {
  const http = new HttpClient({ provider: 'tiktok', concurrency: 2, retryDelay: (res, attempt) => tiktokRetryDelay(res, attempt), ...opts.http });

  const need = (value: string | undefined, env: string): string => {
    if (!value) throw new UsageError(`TikTok Shop app credentials are missing: set ${env}`, 'Copy them from the app page in TikTok Shop Partner Center.');
    return value;
  };

  async function tokenCall(kind: 'get' | 'refresh', params: Record<string, string>): Promise<TokenData> {
    const endpoint = `GET /api/v2/token/${kind}`;
    const query = new URLSearchParams({
      app_key: need(config.appKey, 'SYNDER_TIKTOK_APP_KEY'),
      app_secret: need(config.appSecret, 'SYNDER_TIKTOK_APP_SECRET'),
      ...params,
    });
    const res = await http.request({ method: 'GET', url: `${config.authUrl.replace(/\/+$/, '')}/api/v2/token/${kind}?${query}`, label: endpoint });
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      throw new InvalidResponseError(endpoint, `HTTP ${res.status} with a body that is not JSON`);
    }
    const env = parseOrThrow(envelope, json, endpoint, '');
    if (env.code !== TIKTOK_CODES.ok) {
      const err = tiktokError(endpoint, res.status, env.code, env.message, env.request_id);
      const transient = res.status >= 500 || env.code === TIKTOK_CODES.internal || env.code === TIKTOK_CODES.timeout || env.code === TIKTOK_CODES.rateLimited;
      if (kind === 'refresh' && !transient) {
        throw new ReauthRequiredError('tiktok', `TikTok Shop rejected the refresh token: ${env.message || `code ${env.code}`}`);
      }
      throw err;
    }
    return parseOrThrow(tokenData, env.data, endpoint, 'data');
  }

  const toTokenSet = (d: TokenData, previous?: TokenSet): TokenSet => {
    const extra: Record<string, string> = { ...previous?.extra };
    if (d.open_id !== undefined) extra.open_id = d.open_id;
    if (d.seller_name !== undefined) extra.seller_name = d.seller_name;
    if (d.seller_base_region !== undefined) extra.seller_base_region = d.seller_base_region;
    if (d.granted_scopes !== undefined) extra.granted_scopes = d.granted_scopes.join(',');
    if (d.user_type !== undefined) extra.user_type = String(d.user_type);
    return {
      accessToken: d.access_token,
      refreshToken: d.refresh_token,
      // TikTok sends absolute Unix seconds, not durations.
      expiresAt: d.access_token_expire_in * 1000,
      refreshExpiresAt: d.refresh_token_expire_in * 1000,
      scope: d.granted_scopes?.join(' ') ?? previous?.scope,
      extra,
    };
  };

  return {
    provider: 'tiktok',
    usesPkce: false,
    authorizeUrl(req: AuthorizationRequest): string {
      const url = new URL(config.authorizeUrl);
      url.searchParams.set('service_id', need(config.serviceId, 'SYNDER_TIKTOK_SERVICE_ID'));
      url.searchParams.set('state', req.state.trim());
      return url.toString();
    },
    async exchange(callback: URLSearchParams): Promise<TokenSet> {
      const error = callback.get('error');
      if (error) {
        throw new SynderError(
          error === 'auth_denied' ? 'TikTok Shop authorization was denied by the seller.' : `TikTok Shop authorization failed: ${error}`,
          { hint: 'Run `synder connect tiktok` again and choose Authorize.', code: 'auth_denied' },
        );
      }
      const code = callback.get('code');
      if (!code || code === 'null') throw new SynderError('The TikTok Shop redirect carried no authorization code.', { code: 'auth_no_code' });
      return toTokenSet(await tokenCall('get', { auth_code: code, grant_type: 'authorized_code' }));
    },
    async refresh(tokens: TokenSet): Promise<TokenSet> {
      if (!tokens.refreshToken) throw new ReauthRequiredError('tiktok', 'No TikTok Shop refresh token is stored.');
      if (tokens.refreshExpiresAt !== undefined && tokens.refreshExpiresAt <= (opts.clock?.now() ?? Date.now())) {
        throw new ReauthRequiredError('tiktok', 'The TikTok Shop authorization has expired.');
      }
      // Always keep what comes back: TikTok does not promise the refresh token stays the same.
      return toTokenSet(await tokenCall('refresh', { refresh_token: tokens.refreshToken, grant_type: 'refresh_token' }), tokens);
    },
  };
}
