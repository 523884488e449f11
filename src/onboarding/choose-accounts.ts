import { ACCOUNT_ROLES, type AccountRole } from '../booking/document.js';
import { UsageError } from '../errors.js';
import type { LedgerAccount, LedgerConnector } from '../providers/ledger-connector.js';
import type { Context } from '../runtime/context.js';
import type { Prompter } from '../runtime/prompts.js';
import type { Org } from '../store/orgs.js';

/** Roles a user may book to accounts of their own at connect (clearing, bank and the ledger's tax account are set elsewhere). */
export const CHOOSABLE_ROLES: AccountRole[] = [
  'sales', 'shipping_income', 'seller_discounts', 'refunds', 'marketplace_fees', 'transaction_fees', 'affiliate_commissions',
  'shipping_fulfilment', 'advertising', 'fee_taxes', 'platform_adjustments', 'uncategorized', 'reserve', 'marketplace_vat', 'mf_tax',
];

/** Words an existing account's name would carry for each role (a suggestion the user confirms). */
const HINTS: Partial<Record<AccountRole, RegExp>> = {
  sales: /\b(sales|revenue|turnover)\b/i,
  shipping_income: /\b(shipping|delivery|postage|carriage)\b.*\b(income|revenue|charged)\b|\b(income|revenue)\b.*\b(shipping|delivery|postage)\b/i,
  seller_discounts: /\b(discount|promotion)s?\b/i,
  refunds: /\b(refund|return)s?\b/i,
  marketplace_fees: /\b(marketplace|selling|seller|platform|commission|merchant)\b.*\bfees?\b|\bcommissions?\b/i,
  transaction_fees: /\b(transaction|payment|processing|card)\b.*\bfees?\b/i,
  affiliate_commissions: /\b(affiliate|creator|influencer)\b/i,
  shipping_fulfilment: /\b(postage|shipping|delivery|freight|fulfil?ment|courier)\b/i,
  advertising: /\b(advertising|marketing|ads?|promotion)\b/i,
  fee_taxes: /\btax(es)? on fees\b/i,
  platform_adjustments: /\b(adjustments?|reimbursements?|compensation)\b/i,
  uncategorized: /\b(uncategori[sz]ed|suspense)\b/i,
  reserve: /\b(reserve|held|withheld)\b/i,
  marketplace_vat: /\bmarketplace vat\b/i,
  mf_tax: /\b(marketplace facilitator|sales tax payable)\b/i,
};

export function suggestAccount(role: AccountRole, accounts: LedgerAccount[], acceptable: string[]): LedgerAccount | undefined {
  const hint = HINTS[role];
  const fit = accounts.filter((a) => acceptable.includes(a.type));
  return fit.find((a) => a.name.toLowerCase() === ACCOUNT_ROLES[role].name.toLowerCase()) ?? (hint ? fit.find((a) => hint.test(a.name)) : undefined);
}

/** `--account role=name` values → role → name. */
export function parseAccountFlags(values: string[] | undefined): Map<AccountRole, string> {
  const out = new Map<AccountRole, string>();
  for (const v of values ?? []) {
    const m = /^([a-z_]+)=(.+)$/.exec(v.trim());
    if (!m || !CHOOSABLE_ROLES.includes(m[1] as AccountRole)) throw new UsageError(`--account ${v}: expected <role>=<account>, role one of ${CHOOSABLE_ROLES.join(', ')}.`);
    out.set(m[1] as AccountRole, m[2]!.trim());
  }
  return out;
}

/**
 * Connect's account step: book to accounts the user already has (suggested by name and type,
 * each confirmed) or let synder create its own on the first sync. Every question has a flag:
 * `--accounts existing|create` and `--account <role>=<name|number|id>` (repeatable).
 */
export async function chooseAccounts(ctx: Context, org: Org, connector: LedgerConnector, prompter: Prompter, flags: { accounts?: 'existing' | 'create'; account?: string[] }): Promise<Array<{ role: AccountRole; account: string }>> {
  const explicit = parseAccountFlags(flags.account);
  const how =
    flags.accounts ??
    (prompter.interactive
      ? await prompter.select<'existing' | 'create'>({
          message: 'Book to accounts you already have, or let synder create its own ("TikTok Shop …")?',
          flag: '--accounts <existing|create>',
          choices: [
            { name: 'Use my existing accounts (suggested by name and type, each confirmed)', value: 'existing' },
            { name: "Create synder's accounts", value: 'create' },
          ],
        })
      : 'create');
  if (how === 'create' && explicit.size === 0) return [];
  const store = await ctx.store();
  const { setRole, acceptableAccountTypes } = await import('../sync/mapping.js');
  const provider = connector.provider;
  const accounts = await connector.listAccounts();
  const clearingIds = new Set((await store.accounts.list(org.id)).filter((m) => m.role === 'clearing' || m.role === 'bank').map((m) => m.accountId));
  const chosen: Array<{ role: AccountRole; account: string }> = [];
  const CREATE = '\u0000create';
  for (const role of CHOOSABLE_ROLES) {
    let name = explicit.get(role);
    if (!name && how === 'existing') {
      const ok = acceptableAccountTypes(provider, ACCOUNT_ROLES[role].class);
      const fit = accounts.filter((a) => ok.includes(a.type) && !clearingIds.has(a.id));
      const suggestion = suggestAccount(role, fit, ok);
      if (!prompter.interactive) name = suggestion?.name;
      else {
        const picked = await prompter.select<string>({
          message: `${ACCOUNT_ROLES[role].name.replace(/^TikTok Shop /, '')} (${role}) books to:`,
          flag: `--account ${role}=<account>`,
          default: suggestion?.name ?? CREATE,
          choices: [
            ...(suggestion ? [{ name: `${suggestion.name} (suggested)`, value: suggestion.name }] : []),
            ...fit.filter((a) => a.id !== suggestion?.id).map((a) => ({ name: `${a.name}${a.code ? ` (${a.code})` : ''}`, value: a.name })),
            { name: `Create "${ACCOUNT_ROLES[role].name}"`, value: CREATE },
          ],
        });
        name = picked === CREATE ? undefined : picked;
      }
    }
    if (!name) continue;
    await setRole(store, (await store.orgs.get(org.id))!, role, { account: name }, async () => connector);
    chosen.push({ role, account: name });
  }
  return chosen;
}
