import { ACCOUNT_ROLES } from '../booking/document.js';
import type { Context } from '../runtime/context.js';
import type { AccountSpec, LedgerAccount, LedgerConnector } from '../providers/ledger-connector.js';
import { integrationScope } from '../store/account-mappings.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';
import { clearingAccountSpec } from './accounts.js';

/**
 * Makes sure every TikTok integration of the org has its clearing account in the ledger (one per
 * currency it books in; the org's currency until a sync sees another) and records it in the
 * org's mapping. Connect calls this after either side is connected; sync does the same lazily.
 */
export async function ensureClearingAccounts(store: Store, org: Org, ledger: LedgerConnector): Promise<Array<{ integration: string; account: LedgerAccount }>> {
  const integrations = (await store.integrations.listForOrg(org.id)).filter((i) => i.platform === 'tiktok');
  const wanted: Array<{ integrationId: number; integration: string; currency: string; spec: AccountSpec }> = [];
  for (const i of integrations) {
    const mapped = (await store.accounts.list(org.id)).filter((m) => m.role === 'clearing' && m.scope === integrationScope(i.id)).map((m) => m.currency);
    const currencies = new Set([...mapped, ...(i.currency ? [i.currency] : []), ...(mapped.length === 0 && !i.currency && org.currency ? [org.currency] : [])]);
    for (const currency of currencies) {
      const spec = clearingAccountSpec(i, currency);
      const m = await store.accounts.get(org.id, 'clearing', { scope: integrationScope(i.id), currency });
      wanted.push({ integrationId: i.id, integration: i.name, currency, spec: m ? { ...spec, name: m.accountName } : spec });
    }
  }
  if (wanted.length === 0) return [];
  const accounts = await ledger.ensureAccounts(wanted.map((w) => w.spec));
  const out: Array<{ integration: string; account: LedgerAccount }> = [];
  for (const [idx, w] of wanted.entries()) {
    const account = accounts.length === wanted.length ? accounts[idx]! : accounts.find((a) => a.name === w.spec.name)!;
    await store.accounts.set({ orgId: org.id, scope: integrationScope(w.integrationId), role: 'clearing', currency: w.currency, accountId: account.id, accountName: account.name });
    out.push({ integration: w.integration, account });
  }
  return out;
}

/** The org-wide accounts (sales, fees, …) under their mapped or default names. */
export async function orgAccountSpecs(store: Store, org: Org): Promise<AccountSpec[]> {
  const mappings = await store.accounts.list(org.id);
  return (Object.keys(ACCOUNT_ROLES) as Array<keyof typeof ACCOUNT_ROLES>)
    .filter((role) => role !== 'clearing' && role !== 'bank' && role !== 'mf_tax')
    .map((role) => ({ role, name: mappings.find((m) => m.role === role && m.scope === '' && m.currency === '')?.accountName ?? ACCOUNT_ROLES[role].name, class: ACCOUNT_ROLES[role].class }));
}

/** Connect's step after a sign-in: clearing accounts for every integration (others are created by the first sync as needed). */
export async function ensureLedgerAccounts(ctx: Context, org: Org, ledger: LedgerConnector): Promise<Array<{ integration: string; account: LedgerAccount }>> {
  return ensureClearingAccounts(await ctx.store(), org, ledger);
}
