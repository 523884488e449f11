import { ACCOUNT_ROLES, isAccountRole, type AccountRole, type BookingDocument } from '../booking/document.js';
import type { AccountSpec, LedgerAccount, LedgerConnector } from '../providers/ledger-connector.js';
import { integrationScope, type AccountMapping } from '../store/account-mappings.js';
import type { Integration } from '../store/integrations.js';
import type { Store } from '../store/store.js';

/** The clearing account of one integration in one currency: bank-type, created by synder, never the payout bank. */
export function clearingAccountSpec(integration: Pick<Integration, 'id' | 'name' | 'externalId'>, currency: string): AccountSpec {
  return {
    role: 'clearing',
    name: `${ACCOUNT_ROLES.clearing.name} - ${integration.name} ${currency.toUpperCase()}`.slice(0, 100),
    class: 'bank',
    currency: currency.toUpperCase(),
    bankAccountNumber: `TTS-${integration.externalId}-${currency.toUpperCase()}`.slice(0, 30),
  };
}

interface Need {
  role: AccountRole;
  integration?: Integration;
  currency: string;
}

/** A role's account as the org's mapping names it (else the default), from the mapping as read. */
function specFrom(mappings: AccountMapping[], need: Need): AccountSpec {
  const mapped = (role: string, scope = '', currency = '') => mappings.find((m) => m.role === role && m.scope === scope && m.currency === currency);
  if (need.role === 'clearing' && need.integration) {
    const m = mapped('clearing', integrationScope(need.integration.id), need.currency);
    const spec = clearingAccountSpec(need.integration, need.currency);
    return m ? { ...spec, name: m.accountName } : spec;
  }
  const m = mapped(need.role);
  const def = ACCOUNT_ROLES[need.role];
  return { role: need.role, name: m?.accountName ?? def.name, class: def.class };
}

const needKey = (role: string, integrationId: number | undefined, currency: string): string =>
  role === 'clearing' ? `clearing|${integrationId}|${currency}` : role;

/**
 * Role → ledger account, per integration and currency for clearing. Names come from the org's
 * mapping (set at connect/init) or the defaults; the ledger finds or creates each once per run.
 */
export class AccountResolver {
  private readonly needs = new Map<string, Need>();
  private resolved = new Map<string, LedgerAccount>();

  constructor(private readonly store: Store, private readonly orgId: number) {}

  require(doc: BookingDocument, integration: Integration): void {
    for (const line of doc.lines) {
      const key = needKey(line.role, integration.id, doc.currency);
      if (!this.needs.has(key)) this.needs.set(key, { role: line.role, integration: line.role === 'clearing' ? integration : undefined, currency: doc.currency });
    }
  }

  async specFor(need: Need): Promise<AccountSpec> {
    return specFrom(await this.store.accounts.list(this.orgId), need);
  }

  /**
   * The mapping as it is now, for naming many accounts at once (export, explain, the close
   * report) without reading it for each, and from code that cannot wait (the booking core's callbacks).
   */
  async snapshot(): Promise<(need: Need) => AccountSpec> {
    const mappings = await this.store.accounts.list(this.orgId);
    return (need) => specFrom(mappings, need);
  }

  /** Account names per role for one document, without touching the ledger (dry run, explain). */
  async namesFor(doc: BookingDocument, integration: Integration): Promise<Record<string, string>> {
    const specFor = await this.snapshot();
    const out: Record<string, string> = {};
    for (const line of doc.lines) out[line.role] = specFor({ role: line.role, integration, currency: doc.currency }).name;
    return out;
  }

  /** One ensureAccounts call for everything this run needs; remembers the ids in the org's mapping. */
  async ensure(ledger: LedgerConnector): Promise<void> {
    const entries = [...this.needs.entries()].filter(([k]) => !this.resolved.has(k));
    if (entries.length === 0) return;
    const specFor = await this.snapshot();
    const specs = entries.map(([, n]) => specFor(n));
    const accounts = await ledger.ensureAccounts(specs);
    for (const [i, [key, need]] of entries.entries()) {
      const spec = specs[i]!;
      const account = accounts.length === specs.length ? accounts[i]! : accounts.find((a) => a.name === spec.name);
      if (!account) throw new Error(`the ledger did not return an account for ${spec.name}`);
      this.resolved.set(key, account);
      await this.store.accounts.set({
        orgId: this.orgId,
        scope: need.role === 'clearing' && need.integration ? integrationScope(need.integration.id) : '',
        role: need.role,
        currency: need.role === 'clearing' ? need.currency : '',
        accountId: account.id,
        accountName: account.name,
      });
    }
  }

  accountsFor(doc: BookingDocument, integrationId: number): Partial<Record<AccountRole, LedgerAccount>> {
    const out: Partial<Record<AccountRole, LedgerAccount>> = {};
    for (const line of doc.lines) {
      if (!isAccountRole(line.role)) continue;
      const account = this.resolved.get(needKey(line.role, integrationId, doc.currency));
      if (account) out[line.role] = account;
    }
    return out;
  }

  clearingAccounts(): Array<{ integration: Integration; currency: string; account: LedgerAccount }> {
    const out: Array<{ integration: Integration; currency: string; account: LedgerAccount }> = [];
    for (const [key, need] of this.needs) {
      const account = this.resolved.get(key);
      if (need.role === 'clearing' && need.integration && account) out.push({ integration: need.integration, currency: need.currency, account });
    }
    return out;
  }
}
