import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import type { TokenVault } from '../auth/types.js';
import { APP_CREDENTIAL_FIELDS, loadStoredAppCredentials, missingAppCredentials, type Provider } from '../runtime/app-credentials.js';
import type { Prompter } from '../runtime/prompts.js';

export type { Provider };

/** Where to create each app and what to register: shown before asking for credentials. */
export function appSetupHelp(provider: Provider, config: Config): string {
  switch (provider) {
    case 'tiktok':
      return [
        'synder signs in with your own TikTok Shop app (a custom app is simplest):',
        '  1. In TikTok Shop Partner Center, create an app for your market (US shops use the US Partner Center).',
        `  2. Under "Enable API", set the Redirect URL to exactly: ${config.tiktok.redirectUri}`,
        '  3. Grant the scopes: seller.authorization.info, seller.order.info, seller.finance.info.',
        '  4. Copy the App key, App secret and service ID (the ID under the app name).',
        'Set them as SYNDER_TIKTOK_APP_KEY, SYNDER_TIKTOK_APP_SECRET, SYNDER_TIKTOK_SERVICE_ID, or enter them now (kept in the token vault).',
      ].join('\n');
    case 'quickbooks':
      return [
        'synder signs in with your own Intuit app:',
        '  1. At the Intuit Developer portal, create an app with the "com.intuit.quickbooks.accounting" scope.',
        `  2. Add the redirect URI: ${config.quickbooks.redirectUri}`,
        '     Development keys accept http://localhost. Production keys need an https redirect URI you own;',
        '     set SYNDER_QBO_REDIRECT_URI to it and paste the URL your browser lands on back into synder.',
        '  3. Copy the Client ID and Client Secret of the matching keys (development or production).',
        'Set them as SYNDER_QBO_CLIENT_ID and SYNDER_QBO_CLIENT_SECRET, or enter them now (kept in the token vault).',
      ].join('\n');
    case 'xero':
      return [
        'synder signs in with your own Xero app (PKCE, no client secret):',
        '  1. At the Xero developer portal, create an app of type "Auth code with PKCE" (mobile or desktop app).',
        `  2. Add the redirect URI: ${config.xero.redirectUri}`,
        '  3. synder asks for the scopes: accounting.invoices, accounting.payments, accounting.banktransactions,',
        '     accounting.manualjournals, accounting.settings, accounting.contacts, offline_access.',
        '  4. Copy the Client ID.',
        'Set it as SYNDER_XERO_CLIENT_ID, or enter it now (kept in the token vault).',
      ].join('\n');
  }
}

/**
 * Fails before anything is created or any sign-in starts when a run that cannot ask lacks some
 * provider's app credentials — a script should not connect QuickBooks and then stop at TikTok.
 */
export async function assertAppCredentials(providers: Provider[], config: Config, vault: TokenVault): Promise<void> {
  await loadStoredAppCredentials(config, vault);
  const missing = providers.map((p) => ({ p, vars: missingAppCredentials(p, config) })).filter((m) => m.vars.length > 0);
  if (missing.length === 0) return;
  throw new UsageError(
    missing.map((m) => `The ${m.p} app credentials are missing: set ${m.vars.join(', ')}.`).join('\n'),
    missing.map((m) => appSetupHelp(m.p, config)).join('\n\n'),
  );
}

/**
 * Fills the provider's app credentials into `config`: environment first, then the vault,
 * then (in a terminal) a prompt after explaining where to get them. Without a terminal,
 * missing credentials are an error naming the variables.
 */
export async function ensureAppCredentials(provider: Provider, config: Config, vault: TokenVault, prompter: Prompter, info: (text: string) => void): Promise<void> {
  const fields = APP_CREDENTIAL_FIELDS[provider];
  await loadStoredAppCredentials(config, vault);
  const missing = fields.filter((f) => !f.get(config) && !f.optional);
  if (missing.length === 0) return;
  if (!prompter.interactive) {
    throw new UsageError(
      `The ${provider} app credentials are missing: set ${missing.map((f) => f.env).join(', ')}.`,
      appSetupHelp(provider, config),
    );
  }
  info(appSetupHelp(provider, config));
  for (const f of missing) {
    const value = f.secret
      ? await prompter.secret({ message: `${f.label}:`, flag: f.env })
      : await prompter.text({ message: `${f.label}:`, flag: f.env, validate: (v) => (v.trim() === '' ? 'Required' : true) });
    f.set(config, value.trim());
    await vault.setSecret(f.secretName, value.trim());
  }
}
