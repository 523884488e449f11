import { taxPlanFor, type LedgerTaxProfile, type PlanResult } from '../booking/tax.js';
import { SynderError } from '../errors.js';
import type { LedgerConnector } from '../providers/ledger-connector.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';

/** The org's tax plan from its stored ledger tax profile and its choices; undefined before a profile is stored. */
export async function orgTaxPlan(store: Store, org: Org): Promise<PlanResult | undefined> {
  const conn = await store.integrations.getLedgerConnection(org.id);
  const profile = conn?.settings.tax;
  if (!conn || !profile) return undefined;
  return taxPlanFor(profile, conn.provider, org.settings.taxCodes ?? {});
}

/**
 * Reads the ledger's country, tax settings and codes and keeps them with the org's ledger
 * connection; the ledger's tax account becomes the `vat` role's account.
 */
export async function refreshTaxProfile(store: Store, org: Org, ledger: LedgerConnector): Promise<LedgerTaxProfile> {
  const profile = await ledger.taxProfile();
  const conn = await store.integrations.getLedgerConnection(org.id);
  if (conn) await store.integrations.setLedgerConnection({ ...conn, settings: { ...conn.settings, tax: profile, country: profile.country } });
  if (profile.taxAccount) await store.accounts.set({ orgId: org.id, scope: '', role: 'vat', currency: '', accountId: profile.taxAccount.id, accountName: profile.taxAccount.name });
  return profile;
}

/** Before anything is booked: a profile (read now if the org was connected before synder kept one) and a plan synder can book with. */
export async function requireTaxPlan(store: Store, org: Org, ledger: LedgerConnector): Promise<void> {
  if (!(await store.integrations.getLedgerConnection(org.id))?.settings.tax) await refreshTaxProfile(store, org, ledger);
  const result = await orgTaxPlan(store, org);
  if (result && !result.ok) throw taxPlanError(result.problems);
}

export const taxPlanError = (problems: string[]): SynderError =>
  new SynderError(`synder cannot book this ledger's tax correctly yet, so nothing was booked:\n  - ${problems.join('\n  - ')}`, {
    hint: 'Change the tax code choices as shown (or the company\'s tax settings in the ledger), then run the command again.',
  });
