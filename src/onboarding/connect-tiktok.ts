import { UsageError } from '../errors.js';
import { vaultKeys, type OAuthAdapter, type TokenSet } from '../auth/types.js';
import type { Context } from '../runtime/context.js';
import type { Prompter } from '../runtime/prompts.js';
import type { Integration } from '../store/integrations.js';
import type { Org } from '../store/orgs.js';
import type { AuthorizedShop } from '../providers/tiktok/shop-client.js';
import { ensureAppCredentials } from './app-credentials.js';
import { signIn, type SignInOptions } from './sign-in.js';

export interface ConnectTikTokOptions {
  /** "all", or shop ids / codes / names. */
  shops?: string;
  signIn: SignInOptions;
  prompter: Prompter;
}

export interface ConnectTikTokResult {
  seller: string | null;
  integrations: Integration[];
  clearingAccounts: Array<{ integration: string; account: { id: string; name: string } }>;
}

export async function tiktokAdapter(ctx: Context): Promise<OAuthAdapter> {
  const { createTikTokOAuth } = await import('../providers/tiktok/index.js');
  return createTikTokOAuth(ctx.config.tiktok);
}

async function pickShops(shops: AuthorizedShop[], opts: Pick<ConnectTikTokOptions, 'shops' | 'prompter'>): Promise<AuthorizedShop[]> {
  if (shops.length === 0) throw new UsageError('This TikTok Shop authorization grants no shop.', 'Sign in with the seller account that owns the shop.');
  const wanted = opts.shops?.trim();
  if (wanted && wanted.toLowerCase() !== 'all') {
    const keys = wanted.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const chosen = shops.filter((s) => keys.some((k) => [s.id, s.code ?? '', s.name].map((v) => v.toLowerCase()).includes(k)));
    const unknown = keys.filter((k) => !shops.some((s) => [s.id, s.code ?? '', s.name].map((v) => v.toLowerCase()).includes(k)));
    if (unknown.length > 0) throw new UsageError(`--shops: ${unknown.join(', ')} not among the authorized shops: ${shops.map((s) => `${s.name} (${s.id})`).join(', ')}.`);
    return chosen;
  }
  if (shops.length === 1 || wanted?.toLowerCase() === 'all' || !opts.prompter.interactive) return shops;
  const ids = await opts.prompter.checkbox({
    message: 'Which shops should synder book? Each one gets its own clearing account.',
    flag: '--shops <ids|all>',
    choices: shops.map((s) => ({ name: `${s.name} (${s.region}, ${s.id})`, value: s.id, checked: true })),
  });
  return shops.filter((s) => ids.includes(s.id));
}

/** Records the shops of one TikTok authorization as integrations, with their tokens in the vault. */
export async function recordTikTokAuthorization(ctx: Context, org: Org, tokens: TokenSet, opts: Pick<ConnectTikTokOptions, 'shops' | 'prompter'>): Promise<ConnectTikTokResult> {
  const store = await ctx.store();
  const vault = await ctx.vault();
  const { listAuthorizedShops } = await import('../providers/tiktok/index.js');
  const shops = await pickShops(await listAuthorizedShops({ config: ctx.config.tiktok, accessToken: tokens.accessToken }), opts);
  const authId = tokens.extra?.open_id ?? tokens.extra?.seller_name ?? 'default';
  const authKey = vaultKeys.tiktok(org.id, authId);
  await vault.set(authKey, tokens);
  const integrations: Integration[] = [];
  for (const shop of shops) {
    integrations.push(await store.integrations.upsert({
      orgId: org.id,
      platform: 'tiktok',
      externalId: shop.id,
      name: shop.name,
      region: shop.region,
      settings: { cipher: shop.cipher, code: shop.code ?? null, sellerType: shop.seller_type ?? null, authKey, reauthRequired: false },
    }));
  }
  let clearing: ConnectTikTokResult['clearingAccounts'] = [];
  const current = (await store.orgs.get(org.id))!;
  if (current.ledger) {
    const { openLedger } = await import('../sync/clients.js');
    const { ensureLedgerAccounts } = await import('../sync/setup.js');
    clearing = await ensureLedgerAccounts(ctx, current, await openLedger(ctx, current));
  }
  return { seller: tokens.extra?.seller_name ?? null, integrations, clearingAccounts: clearing };
}

/** `synder connect tiktok`: sign in to TikTok Shop and add each granted shop as an integration. */
export async function connectTikTok(ctx: Context, org: Org, opts: ConnectTikTokOptions): Promise<ConnectTikTokResult> {
  const vault = await ctx.vault();
  await ensureAppCredentials('tiktok', ctx.config, vault, opts.prompter, (t) => ctx.output.info(t));
  const adapter = await tiktokAdapter(ctx);
  const { tokens } = await signIn(ctx, adapter, ctx.config.tiktok.redirectUri, opts.signIn);
  return recordTikTokAuthorization(ctx, org, tokens, opts);
}
