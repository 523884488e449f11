import { randomBytes } from 'node:crypto';

/**
 * Intuit OAuth 2.0 state for the sandbox: single-use authorization codes, 1 h access tokens,
 * 100-day rolling refresh tokens that rotate on every refresh; a replaced refresh token keeps
 * working for a grace period (Intuit's client README: 24 h) and then fails with invalid_grant.
 */

export interface Grant {
  id: string;
  clientId: string;
  /** Intuit binds every grant to the one company the user picked on the consent page. */
  realmId: string;
  revoked: boolean;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  grantId: string;
  expiresAt: number;
  used: boolean;
}
interface TokenRecord {
  grantId: string;
  expiresAt: number;
  /** When a newer refresh token replaced this one. */
  replacedAt?: number;
}

export interface OAuthTiming {
  accessTtlSec: number;
  refreshTtlSec: number;
  refreshGraceSec: number;
  codeTtlSec: number;
}

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

export type OAuthFailure = { error: 'invalid_grant' | 'invalid_client' | 'invalid_request' | 'unsupported_grant_type'; description: string };

export class OAuthState {
  private readonly grants = new Map<string, Grant>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly access = new Map<string, TokenRecord>();
  private readonly refresh = new Map<string, TokenRecord>();
  private readonly createdAt = new Map<string, number>();

  constructor(private readonly timing: OAuthTiming, private readonly now: () => number) {}

  issueCode(clientId: string, redirectUri: string, realmId: string): string {
    const grant: Grant = { id: token('g'), clientId, realmId, revoked: false };
    this.grants.set(grant.id, grant);
    this.createdAt.set(grant.id, this.now());
    const code = token('AB11');
    this.codes.set(code, { clientId, redirectUri, grantId: grant.id, expiresAt: this.now() + this.timing.codeTtlSec * 1000, used: false });
    return code;
  }

  private issueTokens(grantId: string) {
    const now = this.now();
    for (const rec of this.refresh.values()) if (rec.grantId === grantId && rec.replacedAt === undefined) rec.replacedAt = now;
    const accessToken = token('eyJ');
    const refreshToken = token('RT1-');
    this.access.set(accessToken, { grantId, expiresAt: now + this.timing.accessTtlSec * 1000 });
    this.refresh.set(refreshToken, { grantId, expiresAt: now + this.timing.refreshTtlSec * 1000 });
    const hardExpiry = (this.createdAt.get(grantId) ?? now) + 5 * 365 * 86_400_000;
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.timing.accessTtlSec,
      x_refresh_token_expires_in: this.timing.refreshTtlSec,
      hard_expires_in: Math.max(0, Math.floor((hardExpiry - now) / 1000)),
    };
  }

  exchangeCode(clientId: string, code: string, redirectUri: string): ReturnType<OAuthState['issueTokens']> | OAuthFailure {
    const rec = this.codes.get(code);
    if (!rec || rec.clientId !== clientId) return { error: 'invalid_grant', description: 'Invalid authorization code' };
    if (rec.used) {
      // A replayed code is treated as stolen: the grant it started is revoked.
      this.revokeGrant(rec.grantId);
      return { error: 'invalid_grant', description: 'Authorization code has already been used' };
    }
    if (rec.expiresAt <= this.now()) return { error: 'invalid_grant', description: 'Authorization code has expired' };
    if (rec.redirectUri !== redirectUri) return { error: 'invalid_grant', description: 'redirect_uri does not match the one used to authorize' };
    rec.used = true;
    return this.issueTokens(rec.grantId);
  }

  refreshTokens(clientId: string, refreshToken: string): ReturnType<OAuthState['issueTokens']> | OAuthFailure {
    const rec = this.refresh.get(refreshToken);
    const grant = rec ? this.grants.get(rec.grantId) : undefined;
    if (!rec || !grant || grant.clientId !== clientId) return { error: 'invalid_grant', description: 'Incorrect or invalid refresh token' };
    if (grant.revoked) return { error: 'invalid_grant', description: 'Token invalid' };
    const now = this.now();
    if (rec.expiresAt <= now) return { error: 'invalid_grant', description: 'Token expired' };
    if (rec.replacedAt !== undefined && now > rec.replacedAt + this.timing.refreshGraceSec * 1000) return { error: 'invalid_grant', description: 'Incorrect or invalid refresh token' };
    return this.issueTokens(rec.grantId);
  }

  /** Revoking either token disconnects the app: every token of the grant stops working. */
  revoke(clientId: string, tok: string): boolean {
    const rec = this.refresh.get(tok) ?? this.access.get(tok);
    const grant = rec ? this.grants.get(rec.grantId) : undefined;
    if (!grant || grant.clientId !== clientId) return false;
    this.revokeGrant(grant.id);
    return true;
  }

  private revokeGrant(id: string): void {
    const g = this.grants.get(id);
    if (g) g.revoked = true;
  }

  /** The companies some unrevoked grant of this app is connected to. */
  connectedRealms(clientId: string): Set<string> {
    return new Set([...this.grants.values()].filter((g) => g.clientId === clientId && !g.revoked).map((g) => g.realmId));
  }

  /** The company a bearer token was issued for (undefined for an unknown token). */
  realmOf(tok: string): string | undefined {
    const rec = this.access.get(tok);
    return rec ? this.grants.get(rec.grantId)?.realmId : undefined;
  }

  /** undefined when the bearer token is valid; otherwise why not. */
  checkAccess(tok: string | undefined): string | undefined {
    if (!tok) return 'Authorization header is missing or not Bearer';
    const rec = this.access.get(tok);
    if (!rec) return 'Token invalid';
    if (this.grants.get(rec.grantId)?.revoked) return 'Token revoked';
    if (rec.expiresAt <= this.now()) return 'Token expired';
    return undefined;
  }
}
