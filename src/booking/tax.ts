/**
 * Tax on booked documents, by the ledger company's country and tax settings.
 *
 * TikTok's amounts are what the buyer paid and what TikTok deducted: tax-inclusive. A role that
 * carries VAT/GST keeps its line at the net amount and names the tax code and the tax it
 * includes; the document gains one `vat` line per tax code for that tax, so every document
 * still balances and its Clearing lines still equal settlement_amount. The split of each line is
 * net = round(gross ÷ (1 + rate)) half away from zero, tax = gross − net: the rounding QuickBooks
 * (TaxInclusive) and Xero (Inclusive) apply per line, so the ledger's totals equal the gross
 * TikTok settled and synder can state every tax amount explicitly.
 */
import { ACCOUNT_ROLES, type AccountRole, type BookingDocument, type BookingLine } from './document.js';

export type { LineTax } from './document.js';

/** A tax code of the ledger, as read at connect (QuickBooks TaxCode + TaxRate, Xero TaxRate). */
export interface LedgerTaxCode {
  /** QuickBooks TaxCode Id, or Xero TaxType. */
  id: string;
  name: string;
  /** Present when the code may be used on sales (income) lines: its rate, and the QuickBooks TaxRate ids. */
  sales?: { percent: number; rateIds?: string[] };
  /** Present when the code may be used on purchase (expense) lines. */
  purchase?: { percent: number; rateIds?: string[] };
}

/** The ledger company's country and tax settings, kept with the org's ledger connection. */
export interface LedgerTaxProfile {
  country: string;
  /** US sales tax (with or without automated sales tax) or VAT/GST (everyone else). */
  system: 'us_sales_tax' | 'vat';
  /** VAT/GST registered (QuickBooks UsingSalesTax outside the US, Xero PaysTax); US: sales tax on. */
  registered: boolean;
  /** QuickBooks US automated sales tax (Preferences.TaxPrefs.PartnerTaxEnabled present). */
  automated?: boolean;
  codes: LedgerTaxCode[];
  /** Where the ledger posts tax (QuickBooks VAT Control, Xero's GST/VAT system account), when known. */
  taxAccount?: { id: string; name: string };
}

/** The tax code a line books with. `percent` is the rate of the side (sales or purchase) it is used on. */
export interface TaxTreatment {
  code: string;
  name: string;
  percent: number;
  /** QuickBooks TaxRate id of that side, for explicit tax lines. */
  rateId?: string;
}

export interface TaxPlan {
  ledger: 'quickbooks' | 'xero';
  /** Treatment per role; roles absent here use `fallback` (or carry no code when it is undefined). */
  roles: Partial<Record<AccountRole, TaxTreatment>>;
  /** Income roles of an order whose VAT the marketplace accounted for (deemed supplier). */
  marketplaceVat: Partial<Record<AccountRole, TaxTreatment>>;
  fallback?: TaxTreatment;
}

/** Roles that never carry a tax code: money moving between balance-sheet accounts, and the tax itself. */
const UNTAXED_ROLES = new Set<AccountRole>(['clearing', 'bank', 'vat']);
const INCOME_ROLES: AccountRole[] = ['sales', 'shipping_income', 'seller_discounts', 'refunds'];
/** TikTok's fields for VAT the platform paid on the seller's behalf (cross-border, local shops). */
export const MARKETPLACE_VAT_FIELDS = ['fee_tax_breakdown.tax.vat_amount', 'fee_tax_breakdown.tax.local_vat_amount'];

/** Plan keys a user can choose a code for: every role, and the income of marketplace-VAT orders. */
export const TAX_CHOICE_KEYS = [...(Object.keys(ACCOUNT_ROLES) as AccountRole[]).filter((r) => !UNTAXED_ROLES.has(r)), 'marketplace_vat_sales'] as const;

const sideOf = (role: AccountRole): 'sales' | 'purchase' => {
  const c = ACCOUNT_ROLES[role].class;
  return c === 'income' || c === 'other_income' ? 'sales' : 'purchase';
};

/** net = gross ÷ (1 + percent/100), rounded half away from zero (exact for rates with up to 4 decimals). */
export function netOfGross(grossMinor: number, percent: number): number {
  const p = BigInt(Math.round(percent * 10_000));
  const num = BigInt(grossMinor) * 1_000_000n;
  const den = 1_000_000n + p;
  const neg = num < 0n;
  const a = neg ? -num : num;
  let q = a / den;
  if ((a % den) * 2n >= den) q += 1n;
  return Number(neg ? -q : q);
}

interface Defaults {
  /** Why, in one sentence each, for `synder map`. */
  reasons: Partial<Record<string, string>>;
  choice: Partial<Record<string, string>>;
  fallback?: string;
}

/**
 * The codes synder chooses when the user has not: by ledger and country, by code name (ids are
 * per company). Undefined: synder has no defensible default and asks the user to choose.
 */
function defaultsFor(profile: LedgerTaxProfile, ledger: 'quickbooks' | 'xero'): Defaults | undefined {
  if (profile.system === 'us_sales_tax') {
    // Marketplace-facilitator states: TikTok collects and remits the sales tax, so the seller's
    // documents must never gain tax (automated sales tax would add it to an uncoded line).
    if (ledger === 'quickbooks') {
      return { choice: Object.fromEntries([...INCOME_ROLES, 'marketplace_vat_sales'].map((r) => [r, 'NON'])), reasons: { sales: 'TikTok collects and remits sales tax as marketplace facilitator; NON keeps automated sales tax off every line.' } };
    }
    return { choice: {}, fallback: 'NONE', reasons: { sales: 'TikTok collects and remits sales tax as marketplace facilitator.' } };
  }
  if (!profile.registered) {
    return ledger === 'xero' ? { choice: {}, fallback: profile.country === 'AU' ? 'BASEXCLUDED' : 'NONE', reasons: { sales: 'The organisation is not registered for VAT/GST: every line gross, with no VAT.' } } : { choice: {}, reasons: { sales: 'The company is not registered for VAT/GST: every line gross, without a tax code.' } };
  }
  if (profile.country !== 'GB') return undefined;
  const std = ledger === 'quickbooks' ? '20.0% S' : 'OUTPUT2';
  const zeroSales = ledger === 'quickbooks' ? '0.0% Z' : 'ZERORATEDOUTPUT';
  const zeroPurchases = ledger === 'quickbooks' ? '0.0% Z' : 'ZERORATEDINPUT';
  const none = ledger === 'quickbooks' ? 'No VAT' : 'NONE';
  return {
    choice: {
      sales: std,
      shipping_income: std,
      seller_discounts: std,
      refunds: std,
      marketplace_vat_sales: zeroSales,
      affiliate_commissions: zeroPurchases,
    },
    fallback: none,
    reasons: {
      sales: 'UK sales are VAT-inclusive at the standard rate (output VAT).',
      shipping_income: 'Buyer-paid shipping follows the goods: standard rate.',
      seller_discounts: 'A seller discount reduces the standard-rated sale.',
      refunds: 'A refund reverses output VAT at the standard rate.',
      marketplace_vat_sales: 'TikTok accounted for the VAT on this order (deemed supplier): the seller\'s sale is zero-rated.',
      affiliate_commissions: 'TikTok issues no VAT invoice for affiliate commission: zero-rated, no input VAT.',
      marketplace_fees: 'No input VAT is claimed without a VAT invoice from TikTok; map a VAT code once you hold one.',
      marketplace_vat: 'The VAT TikTok paid on the seller\'s behalf is neither income nor expense.',
    },
  };
}

export type PlanResult = { ok: true; plan: TaxPlan; reasons: Partial<Record<string, string>> } | { ok: false; problems: string[] };

/**
 * The tax plan of an org: the user's choices (`choices`: key → code name or id) over synder's
 * defaults, every code checked against the ledger's. Problems name the command that fixes them.
 */
export function taxPlanFor(profile: LedgerTaxProfile, ledger: 'quickbooks' | 'xero', choices: Partial<Record<string, string>> = {}): PlanResult {
  const defaults = defaultsFor(profile, ledger);
  const problems: string[] = [];
  const find = (wanted: string) => profile.codes.find((c) => c.id === wanted) ?? profile.codes.find((c) => c.name.toLowerCase() === wanted.toLowerCase());
  const treat = (key: string, wanted: string, side: 'sales' | 'purchase'): TaxTreatment | undefined => {
    const code = find(wanted);
    const cmd = `synder map set ${key === 'marketplace_vat_sales' ? 'sales' : key} --tax <code>${key === 'marketplace_vat_sales' ? ' --marketplace-vat' : ''}`;
    if (!code) {
      problems.push(`The ${ledger === 'xero' ? 'Xero organisation' : 'QuickBooks company'} has no tax code "${wanted}" (needed for ${key.replace(/_/g, ' ')}); choose one it has with \`${cmd}\` (see \`synder map --json\` for the codes).`);
      return undefined;
    }
    const s = code[side];
    if (!s) {
      problems.push(`Tax code "${code.name}" cannot be used on ${side} lines (${key.replace(/_/g, ' ')}); choose another with \`${cmd}\`.`);
      return undefined;
    }
    return { code: code.id, name: code.name, percent: s.percent, rateId: s.rateIds?.[0] };
  };
  if (!defaults) {
    const missing = [...INCOME_ROLES, 'marketplace_vat_sales'].filter((k) => !choices[k]);
    if (missing.length > 0 || !choices.fallback) {
      return {
        ok: false,
        problems: [
          `synder has no default ${profile.country} VAT/GST codes: choose the code for each of ${[...missing, ...(choices.fallback ? [] : ['other lines (fallback)'])].map((k) => k.replace(/_/g, ' ')).join(', ')} with \`synder map set <role> --tax <code>\` (\`synder map set fallback --tax <code>\` for lines without tax), then sync again.`,
        ],
      };
    }
  }
  const choice = { ...(defaults?.choice ?? {}), ...choices };
  const roles: Partial<Record<AccountRole, TaxTreatment>> = {};
  for (const role of Object.keys(ACCOUNT_ROLES) as AccountRole[]) {
    if (UNTAXED_ROLES.has(role) || !choice[role]) continue;
    const t = treat(role, choice[role]!, sideOf(role));
    if (t) roles[role] = t;
  }
  const marketplaceVat: Partial<Record<AccountRole, TaxTreatment>> = {};
  if (choice.marketplace_vat_sales) {
    for (const role of INCOME_ROLES) {
      const t = treat('marketplace_vat_sales', choice.marketplace_vat_sales, 'sales');
      if (t) marketplaceVat[role] = t;
    }
  }
  let fallback: TaxTreatment | undefined;
  const fb = choice.fallback ?? defaults?.fallback;
  if (fb) {
    const code = find(fb);
    if (!code) problems.push(`The ledger has no tax code "${fb}" for lines without tax; choose one with \`synder map set fallback --tax <code>\`.`);
    else fallback = { code: code.id, name: code.name, percent: 0, rateId: (code.sales ?? code.purchase)?.rateIds?.[0] };
    if (code && ((code.sales?.percent ?? 0) !== 0 || (code.purchase?.percent ?? 0) !== 0)) problems.push(`Tax code "${code.name}" is not a no-tax code; lines without tax need one (\`synder map set fallback --tax <code>\`).`);
  }
  if (problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  return { ok: true, plan: { ledger, roles, marketplaceVat, fallback }, reasons: defaults?.reasons ?? {} };
}

/** Whether a transaction's lines show VAT the platform paid on the seller's behalf. */
export const hasMarketplaceVat = (fields: Array<{ field: string; amountMinor: number }>): boolean =>
  fields.some((f) => f.amountMinor !== 0 && MARKETPLACE_VAT_FIELDS.some((m) => f.field === m || f.field.endsWith(`.${m}`)));

/** The treatment of one line under a plan. */
export function treatmentOf(plan: TaxPlan, role: AccountRole, marketplaceVat: boolean): TaxTreatment | undefined {
  if (UNTAXED_ROLES.has(role)) return undefined;
  return (marketplaceVat ? plan.marketplaceVat[role] : undefined) ?? plan.roles[role] ?? plan.fallback;
}

/**
 * Splits the tax out of every taxed line of a document and adds one `vat` line per code. Lines
 * that already name a treatment (summary mode keeps the code of what it aggregated) keep it.
 * Pure: returns a new document.
 */
export function applyTax(doc: BookingDocument, plan: TaxPlan, opts: { marketplaceVat?: boolean } = {}): BookingDocument {
  const lines: BookingLine[] = [];
  const vat = new Map<string, { amount: number; t: TaxTreatment; source: BookingLine['source'] }>();
  for (const line of doc.lines) {
    if (line.role === 'vat') continue; // recomputed below
    const t = line.tax ? { code: line.tax.code, name: line.tax.name, percent: line.tax.percent, rateId: line.tax.rateId } : treatmentOf(plan, line.role, Boolean(opts.marketplaceVat));
    if (!t) {
      lines.push(line);
      continue;
    }
    const gross = line.amountMinor + (line.tax?.amountMinor ?? 0);
    const net = t.percent === 0 ? gross : netOfGross(gross, t.percent);
    const tax = gross - net;
    lines.push({ ...line, amountMinor: net, tax: { ...t, amountMinor: tax } });
    if (tax !== 0) {
      const e = vat.get(t.code) ?? { amount: 0, t, source: line.source };
      e.amount += tax;
      vat.set(t.code, e);
    }
  }
  for (const e of vat.values()) {
    if (e.amount === 0) continue;
    lines.push({
      role: 'vat',
      amountMinor: e.amount,
      description: `${e.amount < 0 ? 'Output' : 'Input'} tax ${e.t.name}`,
      source: { kind: e.source.kind, id: e.source.id, field: `tax:${e.t.name}` },
      tax: { ...e.t, amountMinor: e.amount },
    });
  }
  return { ...doc, lines };
}
