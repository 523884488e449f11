import fs from 'node:fs';
import { vaultKeys, type TokenSet } from '../auth/types.js';
import { ReauthRequiredError } from '../errors.js';
import type { Context } from '../runtime/context.js';
import type { Org } from '../store/orgs.js';

export type TokenHealth = 'ok' | 'refresh due' | 're-auth needed' | 'not connected';

/** How usable a connection's tokens are right now (a refresh is automatic; a re-auth is not). */
export interface TokenState {
  health: TokenHealth;
  expiresAt: string | null;
  refreshExpiresAt: string | null;
  /** Present when `status --check` asked the provider. */
  check?: TokenCheck;
}

export function tokenHealth(tokens: TokenSet | undefined, now: number, status?: string, rejected = false): TokenState {
  if (!tokens) return { health: status === 'reauth_required' ? 're-auth needed' : 'not connected', expiresAt: null, refreshExpiresAt: null };
  const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);
  let health: TokenHealth = 'ok';
  if (status === 'reauth_required' || rejected) health = 're-auth needed';
  else if (tokens.refreshExpiresAt !== undefined && tokens.refreshExpiresAt <= now) health = 're-auth needed';
  else if (tokens.expiresAt <= now + 5 * 60_000) health = tokens.refreshToken ? 'refresh due' : 're-auth needed';
  return { health, expiresAt: iso(tokens.expiresAt), refreshExpiresAt: iso(tokens.refreshExpiresAt) };
}

/** Where tokens live; for a file vault also its path and actual permissions, so a loosened mode shows. */
function credentialsInfo(vault: { kind: 'keyring' | 'file' | 'database'; location: string; file?: string }): { kind: string; location: string; file: string | null; mode: string | null } {
  const file = vault.kind === 'file' && typeof vault.file === 'string' ? vault.file : null;
  let mode: string | null = null;
  if (file) {
    try {
      mode = (fs.statSync(file).mode & 0o777).toString(8).padStart(4, '0');
    } catch {
      mode = null; // not written yet: nothing connected
    }
  }
  return { kind: vault.kind, location: vault.location, file, mode };
}

export interface InviteRow {
  id: number;
  email: string;
  platform: string;
  status: string;
  createdAt: string;
  expiresAt: string;
}

/** What a provider said when asked with the stored sign-in (`status --check`). */
export interface TokenCheck {
  result: 'accepted' | 'refused' | 'failed';
  message: string | null;
}

/**
 * Calls the provider once with the stored sign-in (refreshing it if due): the only way to learn
 * that a grant was revoked on the provider's side, which the local expiry time cannot show.
 */
async function checkWith(call: () => Promise<unknown>): Promise<TokenCheck> {
  try {
    await call();
    return { result: 'accepted', message: null };
  } catch (err) {
    if (err instanceof ReauthRequiredError) return { result: 'refused', message: err.message };
    return { result: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}

const applyCheck = (token: TokenState, check: TokenCheck): TokenState => ({
  ...token,
  health: check.result === 'refused' ? 're-auth needed' : check.result === 'accepted' && token.health !== 'ok' ? 'ok' : token.health,
  check,
});

export async function collectStatus(ctx: Context, org: Org, opts: { check?: boolean } = {}) {
  const store = await ctx.store();
  const vault = await ctx.vault();
  const now = ctx.clock.now().getTime();
  const ledgerConn = await store.integrations.getLedgerConnection(org.id);
  const ledgerTokens = ledgerConn ? await vault.get(vaultKeys.ledger(org.id)) : undefined;
  const mappings = await store.accounts.list(org.id);
  const integrations = [];
  for (const i of await store.integrations.listForOrg(org.id)) {
    const authKey = typeof i.settings.authKey === 'string' ? i.settings.authKey : undefined;
    const tokens = authKey ? await vault.get(authKey) : undefined;
    const clearing = mappings.filter((m) => m.role === 'clearing' && m.scope === `integration:${i.id}`);
    integrations.push({
      id: i.id,
      platform: i.platform,
      shopId: i.externalId,
      name: i.name,
      region: i.region,
      status: i.status,
      token: tokenHealth(tokens, now, i.status, i.settings.reauthRequired === true),
      clearingAccounts: clearing.map((m) => ({ currency: m.currency || null, id: m.accountId, name: m.accountName })),
    });
  }
  let ledgerToken = ledgerConn ? tokenHealth(ledgerTokens, now, undefined, ledgerConn.settings.reauthRequired === true) : undefined;
  if (opts.check) {
    const clients = await import('../sync/clients.js');
    if (ledgerConn && ledgerToken && ledgerToken.health !== 'not connected') ledgerToken = applyCheck(ledgerToken, await checkWith(async () => (await clients.openLedger(ctx, org)).company()));
    for (const [n, i] of (await store.integrations.listForOrg(org.id)).entries()) {
      const row = integrations[n]!;
      if (i.platform !== 'tiktok' || row.token.health === 'not connected') continue;
      const since = Math.floor(now / 1000) - 86_400;
      row.token = applyCheck(row.token, await checkWith(async () => {
        for await (const _ of (await clients.openTikTok(ctx, org, i)).listPayments({ from: since })) break;
      }));
    }
  }
  const lastRun = await store.runs.last(org.id);
  const { listInvites } = await import('../auth/index.js');
  const invites = (await listInvites({ invites: store.invites, orgId: org.id })).map((r): InviteRow => ({
    id: r.id,
    email: r.email,
    platform: r.platform,
    status: r.status,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  }));
  return {
    org: { name: org.name, currency: org.currency, timezone: org.timezone, mode: org.mode },
    // Which state a host reads is a setting away (SYNDER_DATABASE_URL): say which one this is.
    state: { engine: store.db.dialect, location: store.db.description },
    credentials: credentialsInfo(vault),
    ledger: ledgerConn
      ? { provider: ledgerConn.provider, company: ledgerConn.name, id: ledgerConn.externalId, token: ledgerToken!, bankAccount: mappings.find((m) => m.role === 'bank')?.accountName ?? null }
      : null,
    integrations,
    lastRun: lastRun ? { id: lastRun.id, status: lastRun.status, startedAt: lastRun.startedAt, finishedAt: lastRun.finishedAt, dryRun: lastRun.dryRun, error: lastRun.error } : null,
    invites: invites.filter((i) => i.status !== 'accepted' && i.status !== 'cancelled'),
  };
}
