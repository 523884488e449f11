import type { Config } from '../config.js';
import type { TokenVault } from '../auth/types.js';

export type Provider = 'tiktok' | 'quickbooks' | 'xero';

export interface CredentialField {
  env: string;
  secretName: string;
  label: string;
  secret: boolean;
  optional?: boolean;
  get(config: Config): string | undefined;
  set(config: Config, value: string): void;
}

/**
 * Each provider's app credentials: the variable that sets it, and its name in the token vault
 * when entered at a prompt instead. The context reads them below every command, so this table
 * lives beneath onboarding.
 */
export const APP_CREDENTIAL_FIELDS: Record<Provider, CredentialField[]> = {
  tiktok: [
    { env: 'SYNDER_TIKTOK_APP_KEY', secretName: 'app:tiktok:app_key', label: 'TikTok Shop App key', secret: false, get: (c) => c.tiktok.appKey, set: (c, v) => (c.tiktok.appKey = v) },
    { env: 'SYNDER_TIKTOK_APP_SECRET', secretName: 'app:tiktok:app_secret', label: 'TikTok Shop App secret', secret: true, get: (c) => c.tiktok.appSecret, set: (c, v) => (c.tiktok.appSecret = v) },
    { env: 'SYNDER_TIKTOK_SERVICE_ID', secretName: 'app:tiktok:service_id', label: 'TikTok Shop service ID', secret: false, get: (c) => c.tiktok.serviceId, set: (c, v) => (c.tiktok.serviceId = v) },
  ],
  quickbooks: [
    { env: 'SYNDER_QBO_CLIENT_ID', secretName: 'app:quickbooks:client_id', label: 'Intuit Client ID', secret: false, get: (c) => c.quickbooks.clientId, set: (c, v) => (c.quickbooks.clientId = v) },
    { env: 'SYNDER_QBO_CLIENT_SECRET', secretName: 'app:quickbooks:client_secret', label: 'Intuit Client Secret', secret: true, get: (c) => c.quickbooks.clientSecret, set: (c, v) => (c.quickbooks.clientSecret = v) },
  ],
  xero: [
    { env: 'SYNDER_XERO_CLIENT_ID', secretName: 'app:xero:client_id', label: 'Xero Client ID', secret: false, get: (c) => c.xero.clientId, set: (c, v) => (c.xero.clientId = v) },
  ],
};

/** Fills credentials missing from the environment with those entered earlier and kept in the vault. */
export async function loadStoredAppCredentials(config: Config, vault: TokenVault): Promise<void> {
  for (const fields of Object.values(APP_CREDENTIAL_FIELDS)) {
    for (const f of fields) {
      if (!f.get(config)) {
        const stored = await vault.getSecret(f.secretName);
        if (stored) f.set(config, stored);
      }
    }
  }
}

/** The variables still unset for `provider` (after the vault was consulted). */
export function missingAppCredentials(provider: Provider, config: Config): string[] {
  return APP_CREDENTIAL_FIELDS[provider].filter((f) => !f.get(config) && !f.optional).map((f) => f.env);
}
