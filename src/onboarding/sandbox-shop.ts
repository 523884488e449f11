import type { Context } from '../runtime/context.js';
import { Prompter } from '../runtime/prompts.js';
import { connectLedger, type ConnectLedgerResult, type LedgerProvider } from './connect-ledger.js';
import { connectTikTok, type ConnectTikTokResult } from './connect-tiktok.js';
import { followRedirects } from './sign-in.js';

export interface SandboxShopOptions {
  orgName: string;
  email: string;
  ledger: LedgerProvider;
  mode: 'per-transaction' | 'summary';
  /** The org's country and currency (the sandbox ledger's); default US / USD. */
  country?: string;
  currency?: string;
  /** The shops to connect, as `synder connect tiktok --shops` takes them; all of the seller's by default. */
  shops?: string;
  /** Called between the two sign-ins, for a narrating caller (`synder demo`). */
  onLedgerConnected?: (result: ConnectLedgerResult) => void;
}

/**
 * An org (found or created, made active) connected to the sandbox ledger and every sandbox shop
 * through the real redirect flow, auto-approved, with no prompts: what `synder demo` and the
 * benchmark start from. `ctx` must point at the sandboxes (their SYNDER_* settings).
 */
export async function connectSandboxShop(ctx: Context, opts: SandboxShopOptions): Promise<{ ledger: ConnectLedgerResult; tiktok: ConnectTikTokResult }> {
  const store = await ctx.store();
  const org = await store.orgs.findByName(opts.orgName) ?? await store.orgs.create({ name: opts.orgName, country: opts.country ?? 'US', currency: opts.currency ?? 'USD', timezone: 'UTC', email: opts.email });
  (await ctx.preferences()).activeOrg = org.name;
  const prompter = new Prompter(ctx, { allowPrompts: false });
  const signIn = { noBrowser: false, timeoutMs: 30_000, openBrowser: followRedirects };
  const ledger = await connectLedger(ctx, org, { provider: opts.ledger, mode: opts.mode, bankAccount: 'Business Checking', signIn, prompter });
  opts.onLedgerConnected?.(ledger);
  const tiktok = await connectTikTok(ctx, (await store.orgs.get(org.id))!, { shops: opts.shops ?? 'all', signIn, prompter });
  return { ledger, tiktok };
}
