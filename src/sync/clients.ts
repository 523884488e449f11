import path from 'node:path';
import { vaultKeys, type OAuthAdapter, type TokenVault } from '../auth/types.js';
import type { Context } from '../runtime/context.js';
import { timerFromEnv, type Timer } from '../clock.js';
import { ReauthRequiredError, UsageError } from '../errors.js';
import type { LedgerConnector } from '../providers/ledger-connector.js';
import type { TikTokShopApi } from '../providers/tiktok/shop-client.js';
import type { Integration } from '../store/integrations.js';
import type { Org } from '../store/orgs.js';

/**
 * Building real provider clients from stored state (vault tokens, refreshed under a lock, and
 * the configured endpoints) happens here and nowhere else: sync, status and connect share it.
 */

const lockDir = (ctx: Context): string => path.join(ctx.config.home, 'locks');

/**
 * Token access for one connection. A refresh the provider rejects is remembered (`onReauth`), so
 * `synder status` says "re-auth needed" until the user connects again.
 */
async function tokenAccess(ctx: Context, vault: TokenVault, key: string, adapter: OAuthAdapter, onReauth: () => Promise<void>) {
  const { withFreshToken } = await import('../auth/refresh.js');
  const { locks } = await ctx.store();
  const access = withFreshToken({ vault, key, adapter, lockDir: lockDir(ctx), locks, now: () => ctx.clock.now().getTime() });
  const remember = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ReauthRequiredError) await onReauth().catch(() => undefined);
      throw err;
    }
  };
  return {
    getAccessToken: () => remember(() => access.getAccessToken()),
    onUnauthorized: (rejected: string) => remember(() => access.onUnauthorized(rejected)),
  };
}

const markLedgerReauth = (ctx: Context, orgId: number) => async () => {
  const store = await ctx.store();
  const conn = await store.integrations.getLedgerConnection(orgId);
  if (conn) await store.integrations.setLedgerConnection({ ...conn, settings: { ...conn.settings, reauthRequired: true } });
};

/** The org's ledger connector (QuickBooks Online or Xero), authenticated from the vault. */
export async function openLedger(ctx: Context, org: Org): Promise<LedgerConnector> {
  const store = await ctx.store();
  const conn = await store.integrations.getLedgerConnection(org.id);
  if (!conn || !org.ledger) throw new UsageError(`${org.name} has no ledger connected.`, 'Run `synder connect quickbooks` or `synder connect xero`.');
  const vault = await ctx.vault();
  const key = vaultKeys.ledger(org.id);
  if (!(await vault.get(key))) throw new ReauthRequiredError(conn.provider, `No ${conn.provider === 'quickbooks' ? 'QuickBooks' : 'Xero'} sign-in is stored for ${org.name}.`);
  if (conn.provider === 'quickbooks') {
    const q = await import('../providers/quickbooks/index.js');
    const access = await tokenAccess(ctx, vault, key, q.createQuickBooksOAuth(ctx.config.quickbooks), markLedgerReauth(ctx, org.id));
    return new q.QuickBooksConnector({
      apiUrl: ctx.config.quickbooks.apiUrl,
      appUrl: ctx.config.quickbooks.appUrl,
      realmId: conn.externalId,
      getAccessToken: access.getAccessToken,
      onUnauthorized: async () => access.onUnauthorized(await access.getAccessToken()),
      timer: providerTimer(ctx),
    });
  }
  const x = await import('../providers/xero/index.js');
  const access = await tokenAccess(ctx, vault, key, x.createXeroOAuth(ctx.config.xero), markLedgerReauth(ctx, org.id));
  const client = new x.XeroClient({
    apiUrl: ctx.config.xero.apiUrl,
    tenantId: conn.externalId,
    getAccessToken: access.getAccessToken,
    onUnauthorized: async () => access.onUnauthorized(await access.getAccessToken()),
    timer: providerTimer(ctx),
    onDailyBudgetLow: (b) => ctx.logger.warn(`Xero daily API budget is running low (${JSON.stringify(b)}).`),
  });
  return new x.XeroConnector({
    client,
    appUrl: ctx.config.xero.appUrl,
    shortCode: typeof conn.settings.shortCode === 'string' ? conn.settings.shortCode : undefined,
  });
}

/** What the providers' rate windows and waits are measured on: fast against a sandbox that compresses time. */
const providerTimer = (ctx: Context): Timer => timerFromEnv(ctx.env);

/** A TikTok Shop client for one integration (shop), with its authorization's tokens. */
export async function openTikTok(ctx: Context, org: Org, integration: Integration): Promise<TikTokShopApi> {
  const vault = await ctx.vault();
  const key = typeof integration.settings.authKey === 'string' ? integration.settings.authKey : vaultKeys.tiktok(org.id, 'default');
  const cipher = integration.settings.cipher;
  if (typeof cipher !== 'string' || !(await vault.get(key))) {
    throw new ReauthRequiredError('tiktok', `No TikTok Shop sign-in is stored for the shop ${integration.name}.`);
  }
  const { appKey, appSecret, apiUrl } = ctx.config.tiktok;
  if (!appKey || !appSecret) throw new UsageError('TikTok Shop app credentials are missing.', 'Set SYNDER_TIKTOK_APP_KEY and SYNDER_TIKTOK_APP_SECRET (or run `synder connect tiktok`).');
  const t = await import('../providers/tiktok/index.js');
  const signIn = await tokenAccess(ctx, vault, key, t.createTikTokOAuth(ctx.config.tiktok), async () => {
    await (await ctx.store()).integrations.updateSettings(integration.id, { reauthRequired: true });
  });
  // An org may have several shops: the refusal names the one whose sign-in TikTok no longer takes.
  const named = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ReauthRequiredError && !err.message.includes(integration.name)) {
        throw new ReauthRequiredError('tiktok', `TikTok no longer accepts the sign-in of the shop ${integration.name} (${org.name}): ${err.message}`, 'Run `synder connect tiktok` to connect it again.');
      }
      throw err;
    }
  };
  const access = { getAccessToken: () => named(() => signIn.getAccessToken()), onUnauthorized: (rejected: string) => named(() => signIn.onUnauthorized(rejected)) };
  return new t.TikTokClient({
    apiUrl,
    appKey,
    appSecret,
    shopCipher: cipher,
    getAccessToken: access.getAccessToken,
    onTokenRejected: async () => access.onUnauthorized(await access.getAccessToken()),
    timer: providerTimer(ctx),
  });
}

/** Both sides of a sync for an org. */
export async function openOrgClients(ctx: Context, org: Org): Promise<{ ledger: LedgerConnector; tiktokFor: (integration: Integration) => Promise<TikTokShopApi> }> {
  const ledger = await openLedger(ctx, org);
  return { ledger, tiktokFor: (integration) => openTikTok(ctx, org, integration) };
}
