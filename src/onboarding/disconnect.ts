import { vaultKeys } from '../auth/types.js';
import type { Context } from '../runtime/context.js';
import { UsageError } from '../errors.js';
import type { Org } from '../store/orgs.js';

export interface DisconnectResult {
  provider: string;
  revoked: boolean;
  forgotten: string[];
  note?: string;
}

/**
 * Revokes where the provider allows it and forgets the tokens. The org's history (documents,
 * source records) stays, so connecting again picks up where it left off.
 */
export async function disconnect(ctx: Context, org: Org, provider: string): Promise<DisconnectResult> {
  const store = await ctx.store();
  const vault = await ctx.vault();
  if (provider === 'tiktok') {
    const integrations = (await store.integrations.listForOrg(org.id)).filter((i) => i.platform === 'tiktok');
    if (integrations.length === 0) throw new UsageError(`${org.name} has no TikTok Shop connection.`);
    const keys = new Set(integrations.map((i) => i.settings.authKey).filter((k): k is string => typeof k === 'string'));
    for (const key of keys) await vault.delete(key);
    for (const i of integrations) await store.integrations.setStatus(i.id, 'disconnected');
    return {
      provider,
      revoked: false,
      forgotten: integrations.map((i) => i.name),
      note: 'TikTok Shop has no revocation API: the seller removes the app under Seller Center → App & Service → My apps to end the authorization.',
    };
  }
  if (provider === 'quickbooks' || provider === 'xero') {
    const conn = await store.integrations.getLedgerConnection(org.id);
    if (!conn || conn.provider !== provider) throw new UsageError(`${org.name} is not connected to ${provider}.`);
    const key = vaultKeys.ledger(org.id);
    const tokens = await vault.get(key);
    let revoked = false;
    let note: string | undefined;
    if (tokens) {
      const { ledgerAdapter } = await import('./connect-ledger.js');
      const adapter = await ledgerAdapter(ctx, provider);
      if (adapter.revoke) {
        try {
          await adapter.revoke(tokens);
          revoked = true;
        } catch (err) {
          note = `The provider did not confirm the revocation (${(err as Error).message}); the tokens are forgotten here anyway.`;
        }
      }
    }
    await vault.delete(key);
    await store.integrations.setLedgerConnection({ ...conn, settings: { ...conn.settings, disconnected: true } });
    return { provider, revoked, forgotten: [conn.name ?? conn.externalId], note };
  }
  throw new UsageError(`Unknown provider "${provider}".`, 'Use one of: tiktok, quickbooks, xero.');
}
