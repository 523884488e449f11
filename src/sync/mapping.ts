import { ACCOUNT_ROLES, isAccountRole, type AccountClass, type AccountRole } from '../booking/document.js';
import { defaultRouting, mergeRouting, type RoleRouting } from '../booking/routing.js';
import { taxPlanFor, treatmentOf, type TaxTreatment } from '../booking/tax.js';
import { UsageError } from '../errors.js';
import type { LedgerAccount, LedgerConnector } from '../providers/ledger-connector.js';
import { acceptableTypes as qboAcceptable } from '../providers/quickbooks/accounts.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';
import { orgTaxPlan } from './tax.js';

/**
 * `synder map`: which ledger account and tax code each role books to, and which TikTok fields
 * feed it. A change applies to what is booked from then on; booked documents keep theirs until
 * they are rolled back and synced again.
 */

export interface MapRow {
  role: AccountRole;
  label: string;
  class: AccountClass;
  account: { name: string; id: string | null; mapped: boolean; code?: string; type?: string; exists?: boolean };
  tax: { code: string; name: string; chosen: boolean; reason?: string } | null;
  /** TikTok fields (breakdown keys) and transaction types routed here. */
  feeds: string[];
}

const XERO_TYPES: Record<AccountClass, string[]> = {
  bank: ['BANK'],
  current_asset: ['CURRENT', 'BANK', 'PREPAYMENT'],
  income: ['REVENUE', 'SALES', 'OTHERINCOME'],
  other_income: ['OTHERINCOME', 'REVENUE', 'SALES', 'EXPENSE', 'OVERHEADS'],
  expense: ['EXPENSE', 'OVERHEADS', 'DIRECTCOSTS'],
  current_liability: ['CURRLIAB', 'LIABILITY', 'TERMLIAB'],
};

export function acceptableAccountTypes(ledger: 'quickbooks' | 'xero', cls: AccountClass): string[] {
  return ledger === 'xero' ? XERO_TYPES[cls] : qboAcceptable(cls);
}

/** Where each routing table's keys come from in TikTok's data (the field a warning names). */
const TABLE_PREFIX: Array<[keyof RoleRouting & ('revenueKeys' | 'shippingKeys' | 'feeKeys' | 'taxKeys'), string]> = [
  ['revenueKeys', 'revenue_breakdown.'],
  ['shippingKeys', 'shipping_cost_breakdown.'],
  ['feeKeys', 'fee_tax_breakdown.fee.'],
  ['taxKeys', 'fee_tax_breakdown.tax.'],
];

function feedsOf(routing: RoleRouting, role: AccountRole): string[] {
  const out: string[] = [];
  for (const [table, prefix] of TABLE_PREFIX) for (const [k, r] of Object.entries(routing[table])) if (r === role) out.push(`${prefix}${k}`);
  for (const [t, r] of Object.entries(routing.adjustmentTypes)) if (r === role) out.push(`type ${t}`);
  if (role === 'uncategorized') out.push('any TikTok field or type not listed elsewhere');
  if (role === 'clearing') out.push('settlement_amount');
  if (role === 'reserve') out.push('reserve_amount');
  if (role === 'bank') out.push('payments (payouts)');
  if (role === 'mf_tax') out.push(...routing.mfTaxKeys.map((k) => `supplementary_component.${k} (with --mf-tax gross)`));
  if (role === 'vat') out.push('the tax of coded lines (booked by the ledger)');
  return out;
}

/** `ledgerAccounts`: the ledger's chart, when it could be read, to show each account's number and type. */
export async function mapView(store: Store, org: Org, ledgerAccounts?: LedgerAccount[]): Promise<{ rows: MapRow[]; taxProblems: string[]; ledger: string | null; taxCodes: Array<{ id: string; name: string; sales?: number; purchase?: number }> }> {
  const routing = mergeRouting(org.settings.routing);
  const plan = await orgTaxPlan(store, org);
  const chosen = org.settings.taxCodes ?? {};
  const conn = await store.integrations.getLedgerConnection(org.id);
  const mappings = await store.accounts.list(org.id);
  const rows = (Object.keys(ACCOUNT_ROLES) as AccountRole[]).map((role): MapRow => {
    const def = ACCOUNT_ROLES[role];
    const mapped = mappings.find((m) => m.role === role && (role === 'clearing' || (m.scope === '' && m.currency === '')));
    const t: TaxTreatment | undefined = plan?.ok ? treatmentOf(plan.plan, role, false) : undefined;
    const name = mapped?.accountName ?? def.name;
    const inLedger = ledgerAccounts?.find((a) => (mapped ? a.id === mapped.accountId : a.name.toLowerCase() === name.toLowerCase()));
    return {
      role,
      label: def.name,
      class: def.class,
      account: {
        name, id: mapped?.accountId ?? inLedger?.id ?? null, mapped: Boolean(mapped),
        ...(ledgerAccounts ? { exists: Boolean(inLedger), ...(inLedger?.code ? { code: inLedger.code } : {}), ...(inLedger ? { type: inLedger.type } : {}) } : {}),
      },
      tax: t ? { code: t.code, name: t.name, chosen: Boolean(chosen[role]), reason: plan?.ok ? plan.reasons[role] : undefined } : null,
      feeds: feedsOf(routing, role),
    };
  });
  return {
    rows,
    taxProblems: plan && !plan.ok ? plan.problems : [],
    ledger: conn?.provider ?? null,
    taxCodes: (conn?.settings.tax?.codes ?? []).map((c) => ({ id: c.id, name: c.name, sales: c.sales?.percent, purchase: c.purchase?.percent })),
  };
}

export interface SetOptions {
  account?: string;
  tax?: string;
  create?: boolean;
  /** The tax code for the income of orders whose VAT TikTok paid. */
  marketplaceVat?: boolean;
}

/** A tax choice key: a role, `fallback` (lines without tax) or `marketplace_vat_sales`. */
function taxKey(role: string, marketplaceVat: boolean): string {
  if (marketplaceVat) {
    if (!['sales', 'shipping_income', 'seller_discounts', 'refunds'].includes(role)) throw new UsageError('--marketplace-vat applies to income roles (sales, shipping_income, seller_discounts, refunds).');
    return 'marketplace_vat_sales';
  }
  return role;
}

export async function setRole(store: Store, org: Org, roleArg: string, opts: SetOptions, ledger?: () => Promise<LedgerConnector>): Promise<string[]> {
  const notes: string[] = [];
  if (roleArg === 'fallback') {
    if (!opts.tax || opts.account) throw new UsageError('`fallback` only takes --tax: the code for lines that carry no tax.');
  } else if (!isAccountRole(roleArg)) {
    throw new UsageError(`"${roleArg}" is not a role synder books to.`, `Roles: ${Object.keys(ACCOUNT_ROLES).join(', ')} (see \`synder map\`).`);
  }
  if (!opts.account && !opts.tax) throw new UsageError('Nothing to set: give --account and/or --tax.');
  if (opts.tax) {
    const conn = await store.integrations.getLedgerConnection(org.id);
    const profile = conn?.settings.tax;
    if (!conn || !profile) throw new UsageError(`${org.name} has no ledger tax settings yet.`, 'Connect the ledger first (`synder connect quickbooks|xero`); synder reads its tax codes then.');
    const key = taxKey(roleArg, Boolean(opts.marketplaceVat));
    const choices = { ...(org.settings.taxCodes ?? {}), [key]: opts.tax };
    const result = taxPlanFor(profile, conn.provider, choices);
    // Only a problem with this very choice refuses it; others (still to choose) are reported.
    const code = profile.codes.find((c) => c.id === opts.tax || c.name.toLowerCase() === opts.tax!.toLowerCase());
    if (!code) throw new UsageError(`The ledger has no tax code "${opts.tax}".`, `Its codes: ${profile.codes.map((c) => c.name).join(', ') || 'none (not registered for VAT/GST)'}.`);
    if (!result.ok) {
      const mine = result.problems.filter((p) => p.includes(`"${code.name}"`) || p.includes(`"${opts.tax}"`));
      if (mine.length > 0) throw new UsageError(mine.join(' '));
      notes.push(...result.problems);
    }
    await store.orgs.update(org.id, { settings: { taxCodes: { ...(org.settings.taxCodes ?? {}), [key]: code.name } } });
    notes.unshift(`${key === 'marketplace_vat_sales' ? 'Income of orders whose VAT TikTok paid' : key} now books with tax code "${code.name}".`);
  }
  if (opts.account) {
    const role = roleArg as AccountRole;
    if (role === 'vat') throw new UsageError('The vat role is the ledger\'s own tax account; the ledger posts to it itself.');
    const conn = await store.integrations.getLedgerConnection(org.id);
    if (!conn || !ledger) throw new UsageError(`${org.name} has no ledger connected.`, 'Run `synder connect quickbooks` or `synder connect xero` first.');
    const connector = await ledger();
    const cls = ACCOUNT_ROLES[role].class;
    const wanted = opts.account.trim();
    const accounts = await connector.listAccounts();
    let account: LedgerAccount | undefined =
      accounts.find((a) => a.id === wanted) ?? accounts.find((a) => a.code !== undefined && a.code === wanted) ?? accounts.find((a) => a.name.toLowerCase() === wanted.toLowerCase());
    const clearingIds = new Set((await store.accounts.list(org.id)).filter((m) => m.role === 'clearing').map((m) => m.accountId));
    if (!account) {
      if (!opts.create) throw new UsageError(`The ${conn.provider === 'xero' ? 'Xero organisation' : 'QuickBooks company'} has no account "${wanted}".`, `Give its name, number/code or id, or add --create to create it as ${cls.replace('_', ' ')}.`);
      [account] = await connector.ensureAccounts([{ role, name: wanted, class: cls }]);
      notes.push(`Created "${account!.name}" (${account!.type}).`);
    }
    const acc = account!;
    const ok = acceptableAccountTypes(conn.provider, cls);
    if (role !== 'clearing' && clearingIds.has(acc.id)) throw new UsageError(`"${acc.name}" is a TikTok Shop clearing account; it only holds TikTok money in transit and never books ${role.replace(/_/g, ' ')}.`);
    if (!ok.includes(acc.type)) {
      throw new UsageError(`"${acc.name}" is a ${acc.type} account; ${role.replace(/_/g, ' ')} needs one of: ${ok.join(', ')}.`, 'Choose another account, or add --create with a new name.');
    }
    await store.accounts.set({ orgId: org.id, scope: '', role, currency: '', accountId: acc.id, accountName: acc.name });
    notes.unshift(`${role} now books to "${acc.name}"${acc.code ? ` (${acc.code})` : ''}.`);
  }
  notes.push('This applies to what is booked from now on; documents already booked keep their accounts and codes (roll them back and sync again to rebook them).');
  return notes;
}

/** Which routing table a TikTok field or transaction type belongs to, and its key there. */
export function routeTarget(field: string): { table: 'revenueKeys' | 'shippingKeys' | 'feeKeys' | 'taxKeys' | 'adjustmentTypes'; key: string } {
  const f = field.trim().replace(/^type\s+/, '');
  for (const [table, prefix] of TABLE_PREFIX) if (f.startsWith(prefix)) return { table, key: f.slice(prefix.length) };
  const defaults = defaultRouting();
  for (const table of ['revenueKeys', 'shippingKeys', 'feeKeys', 'taxKeys', 'adjustmentTypes'] as const) if (Object.hasOwn(defaults[table], f)) return { table, key: f };
  if (/^[A-Z][A-Z0-9_]*$/.test(f)) return { table: 'adjustmentTypes', key: f };
  throw new UsageError(`Cannot tell where "${field}" comes from.`, 'Give the full field as the warning prints it, e.g. fee_tax_breakdown.fee.new_fee_amount, or a transaction type in capitals.');
}

export async function routeKey(store: Store, org: Org, field: string, roleArg: string): Promise<string> {
  if (!isAccountRole(roleArg) || roleArg === 'clearing' || roleArg === 'bank' || roleArg === 'vat') {
    throw new UsageError(`"${roleArg}" is not a role a TikTok amount can be routed to.`, 'See `synder map` for the roles.');
  }
  const { table, key } = routeTarget(field);
  const routing = { ...(org.settings.routing ?? {}) };
  routing[table] = { ...(routing[table] ?? {}), [key]: roleArg };
  await store.orgs.update(org.id, { settings: { routing } });
  // A route changes what a document is, unlike an account or a tax code: say what a sync will do.
  return `${table === 'adjustmentTypes' ? `Transaction type ${key}` : field} now books to ${roleArg} (${ACCOUNT_ROLES[roleArg].name}). The next sync books new transactions this way; booked documents carrying it that the sync reads again are replaced (reported as updated), older ones stay as booked until you roll them back and sync.`;
}

/** Back to synder's defaults: one role's account and tax code, or (no role) every mapping, tax choice and route. */
export async function resetRoles(store: Store, org: Org, role?: string): Promise<string> {
  if (role !== undefined) {
    if (!isAccountRole(role) && role !== 'fallback') throw new UsageError(`"${role}" is not a role synder books to.`);
    if (isAccountRole(role) && role !== 'clearing' && role !== 'vat') await store.accounts.remove(org.id, role);
    const taxCodes = { ...(org.settings.taxCodes ?? {}) };
    delete taxCodes[role];
    if (role === 'sales') delete taxCodes.marketplace_vat_sales;
    await store.orgs.update(org.id, { settings: { taxCodes } });
    return `${role} is back to synder's default account and tax code.`;
  }
  for (const r of Object.keys(ACCOUNT_ROLES)) if (r !== 'clearing' && r !== 'vat' && r !== 'bank') await store.accounts.remove(org.id, r);
  await store.orgs.update(org.id, { settings: { taxCodes: {}, routing: {} } });
  return 'Every role is back to synder\'s default account, tax code and routing (the clearing and payout bank accounts are kept).';
}
