import os from 'node:os';
import path from 'node:path';

/** Every setting synder reads from the environment, resolved once at start. */
export interface Config {
  home: string;
  /**
   * PostgreSQL for all state (SYNDER_DATABASE_URL or --database-url), shared by every host that
   * names it; unset, state is the SQLite database in `home`.
   */
  databaseUrl?: string;
  org?: string;
  credentials?: 'keyring' | 'file';
  smtpUrl?: string;
  tiktok: { appKey?: string; appSecret?: string; serviceId?: string; authorizeUrl: string; authUrl: string; apiUrl: string; redirectUri: string };
  quickbooks: { clientId?: string; clientSecret?: string; authorizeUrl: string; tokenUrl: string; apiUrl: string; appUrl: string; redirectUri: string };
  xero: { clientId?: string; clientSecret?: string; authorizeUrl: string; tokenUrl: string; apiUrl: string; identityUrl: string; connectionsUrl: string; revokeUrl: string; appUrl: string; redirectUri: string };
  xeroOpenApi?: string;
  noColor: boolean;
}

export type Env = Record<string, string | undefined>;

/**
 * The loopback redirect URI registered with each provider app by default. The connect flow
 * listens on its port (127.0.0.1 only); override per provider with SYNDER_*_REDIRECT_URI.
 */
export const DEFAULT_REDIRECT_URI = 'http://localhost:8765/callback';

const defaultHome = (env: Env): string => {
  if (env.XDG_CONFIG_HOME) return path.join(env.XDG_CONFIG_HOME, 'synder');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Preferences', 'synder');
  if (process.platform === 'win32') return path.join(env.APPDATA ?? os.homedir(), 'synder', 'Config');
  return path.join(os.homedir(), '.config', 'synder');
};

const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() !== '' ? v.trim() : undefined);

/**
 * A state database URL as given by `source` (the variable, or the --database-url option), checked
 * for its scheme so a typo is not mistaken for a path.
 */
export function databaseUrl(value: string | undefined, source: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//i.test(value)) throw new Error(`${source} is not a PostgreSQL URL ("${value.replace(/:[^:@/]*@/, ':…@')}"): use the form postgres://user:password@host:5432/database`);
  return value;
}

export function loadConfig(env: Env): Config {
  const credentials = nonEmpty(env.SYNDER_CREDENTIALS);
  if (credentials && credentials !== 'keyring' && credentials !== 'file') {
    throw new Error(`SYNDER_CREDENTIALS must be "keyring" or "file", not "${credentials}"`);
  }
  return {
    home: nonEmpty(env.SYNDER_HOME) ?? defaultHome(env),
    databaseUrl: databaseUrl(nonEmpty(env.SYNDER_DATABASE_URL), 'SYNDER_DATABASE_URL'),
    org: nonEmpty(env.SYNDER_ORG),
    credentials: credentials as Config['credentials'],
    smtpUrl: nonEmpty(env.SYNDER_SMTP_URL),
    tiktok: {
      appKey: nonEmpty(env.SYNDER_TIKTOK_APP_KEY),
      appSecret: nonEmpty(env.SYNDER_TIKTOK_APP_SECRET),
      serviceId: nonEmpty(env.SYNDER_TIKTOK_SERVICE_ID),
      authorizeUrl: nonEmpty(env.SYNDER_TIKTOK_AUTHORIZE_URL) ?? 'https://services.tiktokshop.com/open/authorize',
      authUrl: nonEmpty(env.SYNDER_TIKTOK_AUTH_URL) ?? 'https://auth.tiktok-shops.com',
      apiUrl: nonEmpty(env.SYNDER_TIKTOK_API_URL) ?? 'https://open-api.tiktokglobalshop.com',
      redirectUri: nonEmpty(env.SYNDER_TIKTOK_REDIRECT_URI) ?? DEFAULT_REDIRECT_URI,
    },
    quickbooks: {
      clientId: nonEmpty(env.SYNDER_QBO_CLIENT_ID),
      clientSecret: nonEmpty(env.SYNDER_QBO_CLIENT_SECRET),
      authorizeUrl: nonEmpty(env.SYNDER_QBO_AUTHORIZE_URL) ?? 'https://appcenter.intuit.com/connect/oauth2',
      tokenUrl: nonEmpty(env.SYNDER_QBO_TOKEN_URL) ?? 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
      apiUrl: nonEmpty(env.SYNDER_QBO_API_URL) ?? 'https://quickbooks.api.intuit.com',
      appUrl: nonEmpty(env.SYNDER_QBO_APP_URL) ?? 'https://app.qbo.intuit.com',
      redirectUri: nonEmpty(env.SYNDER_QBO_REDIRECT_URI) ?? DEFAULT_REDIRECT_URI,
    },
    xero: {
      clientId: nonEmpty(env.SYNDER_XERO_CLIENT_ID),
      clientSecret: nonEmpty(env.SYNDER_XERO_CLIENT_SECRET),
      authorizeUrl: nonEmpty(env.SYNDER_XERO_AUTHORIZE_URL) ?? 'https://login.xero.com/identity/connect/authorize',
      tokenUrl: nonEmpty(env.SYNDER_XERO_TOKEN_URL) ?? 'https://identity.xero.com/connect/token',
      apiUrl: nonEmpty(env.SYNDER_XERO_API_URL) ?? 'https://api.xero.com',
      identityUrl: nonEmpty(env.SYNDER_XERO_IDENTITY_URL) ?? 'https://identity.xero.com',
      connectionsUrl: nonEmpty(env.SYNDER_XERO_CONNECTIONS_URL) ?? `${nonEmpty(env.SYNDER_XERO_API_URL) ?? 'https://api.xero.com'}/connections`,
      revokeUrl: nonEmpty(env.SYNDER_XERO_REVOKE_URL) ?? 'https://identity.xero.com/connect/revocation',
      appUrl: nonEmpty(env.SYNDER_XERO_APP_URL) ?? 'https://go.xero.com',
      redirectUri: nonEmpty(env.SYNDER_XERO_REDIRECT_URI) ?? DEFAULT_REDIRECT_URI,
    },
    xeroOpenApi: nonEmpty(env.SYNDER_XERO_OPENAPI),
    noColor: env.NO_COLOR !== undefined,
  };
}
