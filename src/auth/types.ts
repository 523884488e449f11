/** Tokens of one connection, as kept in the vault. Times are Unix milliseconds. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  expiresAt: number;
  refreshExpiresAt?: number;
  scope?: string;
  /** Provider specifics needed to use the tokens: realmId, tenantId, seller_name, open_id … */
  extra?: Record<string, string>;
}

/**
 * Where secrets live: the OS keyring when it works, otherwise a 0600 file in SYNDER_HOME; with
 * state in PostgreSQL, encrypted rows in that database.
 */
export interface TokenVault {
  readonly kind: 'keyring' | 'file' | 'database';
  /** Human description for `synder status`, e.g. "file ~/.config/synder/credentials.json (0600)". */
  readonly location: string;
  get(key: string): Promise<TokenSet | undefined>;
  set(key: string, tokens: TokenSet): Promise<void>;
  delete(key: string): Promise<void>;
  /** App credentials and other plain secrets entered by the user. */
  getSecret(name: string): Promise<string | undefined>;
  setSecret(name: string, value: string): Promise<void>;
}

/** Vault keys: one per ledger connection (per org) and one per TikTok authorization. */
export const vaultKeys = {
  ledger: (orgId: number) => `org:${orgId}:ledger`,
  tiktok: (orgId: number, authId: string) => `org:${orgId}:tiktok:${authId}`,
};

export interface AuthorizationRequest {
  state: string;
  /** The redirect URI registered with the provider's app; synder's loopback listener serves it. */
  redirectUri: string;
  /** PKCE S256 challenge, for providers that use it (Xero). */
  codeChallenge?: string;
}

/**
 * One provider's OAuth: the connect flow, invitations and the refresher use only this.
 * TikTok, QuickBooks and Xero each provide one (src/providers/<name>/oauth.ts).
 */
export interface OAuthAdapter {
  readonly provider: 'tiktok' | 'quickbooks' | 'xero';
  readonly usesPkce: boolean;
  authorizeUrl(req: AuthorizationRequest): string;
  /**
   * Exchanges the callback's parameters (code, plus realmId for QuickBooks) for tokens.
   * A callback carrying an error (denied consent) throws a SynderError saying so.
   */
  exchange(callback: URLSearchParams, req: { redirectUri: string; codeVerifier?: string }): Promise<TokenSet>;
  /** Throws ReauthRequiredError when the provider rejects the refresh token. */
  refresh(tokens: TokenSet): Promise<TokenSet>;
  revoke?(tokens: TokenSet): Promise<void>;
}
