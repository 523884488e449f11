import { ACCOUNT_ROLES, type AccountRole, type BookingDocument, type BookingLine } from '../../booking/document.js';
import { formatMinor, sumMinor } from '../../booking/money.js';
import type { LedgerAccount, PostInput } from '../ledger-connector.js';
import { privateNote, shortDocNumber } from './keys.js';

/**
 * Ledger documents → QuickBooks payloads. Each document becomes exactly one QBO object of
 * its natural shape (SalesReceipt, Purchase, RefundReceipt, Deposit, Transfer), or a balanced
 * JournalEntry when that shape cannot carry every line unchanged. Amounts are never altered.
 */

export type QboEntityName = 'SalesReceipt' | 'Purchase' | 'RefundReceipt' | 'Deposit' | 'Transfer' | 'JournalEntry';
/** Every entity type synder creates (findByKeys and rollback look through all of them). */
export const SYNDER_ENTITIES: readonly QboEntityName[] = ['SalesReceipt', 'Purchase', 'RefundReceipt', 'Deposit', 'Transfer', 'JournalEntry'];
/** Transfers carry no DocNumber in QBO; they are found by date and PrivateNote. */
export const DOC_NUMBERED_ENTITIES: readonly QboEntityName[] = SYNDER_ENTITIES.filter((e) => e !== 'Transfer');

export interface RenderContext {
  /** The Service item whose income account is this account, if there is one. */
  itemForAccount(accountId: string): string | undefined;
  customerId?: string;
  homeCurrency?: string;
}

export type Rendered =
  | { ok: true; entity: QboEntityName; payload: Record<string, unknown>; docNumber?: string; fallback?: string }
  | { ok: false; error: string; fix: string };

const ASSET_TYPES = new Set(['Bank', 'Other Current Asset']);
const ITEM_ACCOUNT_TYPES = new Set(['Income', 'Other Income']);
const DESCRIPTION_MAX = 4000;

interface ResolvedLine {
  line: BookingLine;
  account: LedgerAccount;
}

const ref = (value: string) => ({ value });
const describe = (l: BookingLine): string => {
  const parts: string[] = [];
  if (l.item?.quantity !== undefined && l.item.name) parts.push(`${l.item.quantity} × ${l.item.name}${l.item.sku ? ` (${l.item.sku})` : ''}`);
  else if (l.item?.name) parts.push(l.item.name);
  parts.push(l.description);
  const text = parts.filter((p) => p && p.trim() !== '').join(' — ');
  return text.length > DESCRIPTION_MAX ? `${text.slice(0, DESCRIPTION_MAX - 1)}…` : text;
};

export function qboAmount(minor: number, currency: string): number {
  // formatMinor is exact; a ≤15-significant-digit decimal string round-trips through a double.
  return Number(formatMinor(minor, currency));
}

/** US pseudo codes: a document with only these states no tax of its own. */
const US_CODES = new Set(['TAX', 'NON']);
const INCOME_CLASSES = new Set(['income', 'other_income']);

/**
 * How a document's tax is sent: `vat` documents (non-US codes) are TaxInclusive with every
 * line's code and the tax stated per rate; `us` documents mark their sales lines with the code
 * (NON keeps automated sales tax off them); `none` sends no codes.
 */
function taxModeOf(doc: BookingDocument): 'vat' | 'us' | 'none' {
  const coded = doc.lines.filter((l) => l.tax);
  if (coded.length === 0) return 'none';
  return coded.every((l) => US_CODES.has(l.tax!.code)) ? 'us' : 'vat';
}

const grossOf = (l: BookingLine): number => l.amountMinor + (l.tax?.amountMinor ?? 0);
const taxSide = (l: BookingLine): 'Sales' | 'Purchase' => (INCOME_CLASSES.has(ACCOUNT_ROLES[l.role].class) ? 'Sales' : 'Purchase');

/** TxnTaxDetail with each rate's tax as synder computed it (sign: +1 when the document's lines are credits). */
function statedTax(doc: BookingDocument, cur: string, sign: 1 | -1): Record<string, unknown> | undefined {
  const byRate = new Map<string, number>();
  for (const l of doc.lines) {
    if (l.role !== 'vat' || !l.tax?.rateId) continue;
    byRate.set(l.tax.rateId, (byRate.get(l.tax.rateId) ?? 0) + l.amountMinor);
  }
  if (byRate.size === 0) return undefined;
  return {
    TaxLine: [...byRate.entries()].map(([rateId, minor]) => ({
      DetailType: 'TaxLineDetail',
      Amount: qboAmount(sign * -minor, cur),
      TaxLineDetail: { TaxRateRef: ref(rateId), PercentBased: true },
    })),
  };
}

export function renderDocument(input: PostInput, ctx: RenderContext): Rendered {
  const { doc } = input;
  const taxMode = taxModeOf(doc);
  const vatLines = doc.lines.filter((l) => l.role === 'vat');
  const lineTax = sumMinor(doc.lines.filter((l) => l.role !== 'vat').map((l) => l.tax?.amountMinor ?? 0));
  if (sumMinor(vatLines.map((l) => l.amountMinor)) !== lineTax) {
    return { ok: false, error: `Document ${doc.key}: its tax lines do not equal the tax of its coded lines.`, fix: 'This is a synder bug; please report it with `synder explain`.' };
  }
  const resolved: ResolvedLine[] = [];
  for (const line of doc.lines) {
    // The ledger books the tax of coded lines to its own tax account itself.
    if (line.role === 'vat') continue;
    const account = input.accounts[line.role];
    if (!account) {
      return { ok: false, error: `No QuickBooks account is mapped for "${line.role}" (needed by ${doc.key}).`, fix: 'Run `synder connect quickbooks` to set up the account mapping, then sync again.' };
    }
    if (!Number.isSafeInteger(line.amountMinor)) return { ok: false, error: `Line "${line.description}" of ${doc.key} is not an integer amount of minor units.`, fix: 'This is a synder bug; please report it.' };
    resolved.push({ line, account });
  }
  if (sumMinor(doc.lines.map((l) => l.amountMinor)) !== 0) {
    return { ok: false, error: `Document ${doc.key} does not balance (debits ≠ credits), so it was not booked.`, fix: 'This is a synder bug; please report it with `synder explain`.' };
  }
  const nonZero = resolved.filter((r) => r.line.amountMinor !== 0);
  if (nonZero.length === 0) return { ok: false, error: `Document ${doc.key} has no non-zero amount to book.`, fix: 'Nothing to do in QuickBooks for it.' };

  const docNumber = shortDocNumber(doc.key);
  const base: Record<string, unknown> = { TxnDate: doc.date, PrivateNote: privateNote(doc.memo, doc.key) };
  if (ctx.homeCurrency && ctx.homeCurrency !== doc.currency) base.CurrencyRef = ref(doc.currency);

  const natural = renderNatural(doc, nonZero, ctx, base, docNumber, taxMode);
  if (natural.ok) return natural;
  return { ...renderJournal(doc, nonZero, base, docNumber, taxMode), fallback: natural.reason };
}

type Natural = (Rendered & { ok: true }) | { ok: false; reason: string };

function renderNatural(doc: BookingDocument, lines: ResolvedLine[], ctx: RenderContext, base: Record<string, unknown>, docNumber: string, taxMode: 'vat' | 'us' | 'none'): Natural {
  const clearing = lines.filter((r) => r.line.role === 'clearing');
  const others = lines.filter((r) => r.line.role !== 'clearing');
  const clearingAccount = clearing[0]?.account;
  const clearingNet = sumMinor(clearing.map((r) => r.line.amountMinor));
  const cur = doc.currency;
  const numbered: Record<string, unknown> = { ...base, DocNumber: docNumber, ...(taxMode === 'vat' ? { GlobalTaxCalculation: 'TaxInclusive' } : {}) };
  const code = (l: BookingLine) => (l.tax && taxMode !== 'none' ? { TaxCodeRef: ref(l.tax.code) } : {});
  const stated = (sign: 1 | -1) => (taxMode === 'vat' ? statedTax(doc, cur, sign) : undefined);

  switch (doc.kind) {
    case 'sale': {
      if (!clearingAccount || clearingNet < 0) return { ok: false, reason: 'the sale does not add money to Clearing' };
      const credits = others.filter((r) => r.line.amountMinor < 0);
      const debits = others.filter((r) => r.line.amountMinor > 0);
      const items = salesLines(credits, ctx, cur, -1, taxMode);
      if (!items.ok) return items;
      const Line: unknown[] = [...items.lines];
      if (debits.length > 0) {
        // QBO allows one discount line per sales form, booked to one account and one tax code.
        const accounts = new Set(debits.map((d) => d.account.id));
        if (accounts.size > 1) return { ok: false, reason: 'debits to more than one account cannot be one discount line' };
        if (new Set(debits.map((d) => d.line.tax?.code)).size > 1) return { ok: false, reason: 'debits with more than one tax code cannot be one discount line' };
        // A tax-inclusive discount is stated gross; the ledger takes its tax out.
        const amount = sumMinor(debits.map((d) => (taxMode === 'vat' ? grossOf(d.line) : d.line.amountMinor)));
        Line.push({
          DetailType: 'DiscountLineDetail',
          Amount: qboAmount(amount, cur),
          Description: debits.map((d) => describe(d.line)).join('; ').slice(0, DESCRIPTION_MAX),
          DiscountLineDetail: { PercentBased: false, DiscountAccountRef: ref(debits[0]!.account.id), ...code(debits[0]!.line) },
        });
      }
      if (Line.length === 0) return { ok: false, reason: 'no sales lines' };
      const tax = stated(1);
      const payload: Record<string, unknown> = { ...numbered, DepositToAccountRef: ref(clearingAccount.id), Line, ...(tax ? { TxnTaxDetail: tax } : {}) };
      if (ctx.customerId) payload.CustomerRef = ref(ctx.customerId);
      return { ok: true, entity: 'SalesReceipt', payload, docNumber };
    }
    case 'refund': {
      if (!clearingAccount || clearingNet > 0) return { ok: false, reason: 'the refund does not take money out of Clearing' };
      if (others.some((r) => r.line.amountMinor < 0)) return { ok: false, reason: 'a refund receipt cannot credit accounts (e.g. fee reversals)' };
      const items = salesLines(others, ctx, cur, 1, taxMode);
      if (!items.ok) return items;
      if (items.lines.length === 0) return { ok: false, reason: 'no refund lines' };
      const tax = stated(-1);
      const payload: Record<string, unknown> = {
        ...numbered,
        ...(tax ? { TxnTaxDetail: tax } : {}),
        DepositToAccountRef: ref(clearingAccount.id),
        Line: items.lines,
        // A bank-type "paid from" account would otherwise mark the refund "To Print".
        PrintStatus: 'NotSet',
        PaymentRefNum: docNumber,
      };
      if (ctx.customerId) payload.CustomerRef = ref(ctx.customerId);
      return { ok: true, entity: 'RefundReceipt', payload, docNumber };
    }
    case 'fees':
    case 'adjustment': {
      if (!clearingAccount || clearing.length === 0) return { ok: false, reason: 'the document does not touch Clearing' };
      if (clearingNet < 0 && others.every((r) => r.line.amountMinor > 0)) {
        if (taxMode === 'us') return { ok: false, reason: 'US purchases carry no tax codes' };
        const Line = others.map((r) => ({
          DetailType: 'AccountBasedExpenseLineDetail',
          Amount: qboAmount(r.line.amountMinor, cur),
          Description: describe(r.line),
          AccountBasedExpenseLineDetail: { AccountRef: ref(r.account.id), ...code(r.line), ...(taxMode === 'vat' ? { TaxInclusiveAmt: qboAmount(grossOf(r.line), cur) } : {}) },
        }));
        const tax = stated(-1);
        return { ok: true, entity: 'Purchase', payload: { ...numbered, PaymentType: 'Cash', AccountRef: ref(clearingAccount.id), Line, ...(tax ? { TxnTaxDetail: tax } : {}) }, docNumber };
      }
      if (clearingNet > 0 && others.every((r) => r.line.amountMinor < 0)) {
        if (taxMode === 'us') return { ok: false, reason: 'US deposits carry no tax codes' };
        const Line = others.map((r) => ({
          DetailType: 'DepositLineDetail',
          Amount: qboAmount(-(taxMode === 'vat' ? grossOf(r.line) : r.line.amountMinor), cur),
          Description: describe(r.line),
          DepositLineDetail: { AccountRef: ref(r.account.id), ...code(r.line), ...(taxMode === 'vat' && r.line.tax ? { TaxApplicableOn: taxSide(r.line) } : {}) },
        }));
        const tax = stated(1);
        return { ok: true, entity: 'Deposit', payload: { ...numbered, DepositToAccountRef: ref(clearingAccount.id), Line, ...(tax ? { TxnTaxDetail: tax } : {}) }, docNumber };
      }
      return { ok: false, reason: 'mixed debits and credits cannot be one expense or deposit' };
    }
    case 'payout':
    case 'reserve': {
      const byAccount = new Map<string, { account: LedgerAccount; net: number }>();
      for (const r of lines) {
        const e = byAccount.get(r.account.id) ?? { account: r.account, net: 0 };
        e.net += r.line.amountMinor;
        byAccount.set(r.account.id, e);
      }
      const moved = [...byAccount.values()].filter((e) => e.net !== 0);
      if (moved.length !== 2 || !moved.every((e) => ASSET_TYPES.has(e.account.type))) return { ok: false, reason: 'not a move between two asset accounts' };
      const to = moved.find((e) => e.net > 0)!;
      const from = moved.find((e) => e.net < 0)!;
      return { ok: true, entity: 'Transfer', payload: { ...base, FromAccountRef: ref(from.account.id), ToAccountRef: ref(to.account.id), Amount: qboAmount(to.net, cur) } };
    }
    case 'statement':
      return { ok: false, reason: 'summary mode books a journal entry' };
  }
}

function salesLines(lines: ResolvedLine[], ctx: RenderContext, cur: string, sign: 1 | -1, taxMode: 'vat' | 'us' | 'none'): { ok: true; lines: unknown[] } | { ok: false; reason: string } {
  const out: unknown[] = [];
  for (const r of lines) {
    const item = ITEM_ACCOUNT_TYPES.has(r.account.type) ? ctx.itemForAccount(r.account.id) : undefined;
    if (!item) return { ok: false, reason: `no item books to "${r.account.name}"` };
    const t = r.line.tax && taxMode !== 'none' ? r.line.tax : undefined;
    out.push({
      DetailType: 'SalesItemLineDetail',
      Amount: qboAmount(sign * r.line.amountMinor, cur),
      Description: describe(r.line),
      SalesItemLineDetail: { ItemRef: ref(item), ...(t ? { TaxCodeRef: ref(t.code) } : {}), ...(t && taxMode === 'vat' ? { TaxInclusiveAmt: qboAmount(sign * grossOf(r.line), cur) } : {}) },
    });
  }
  return { ok: true, lines: out };
}

/** Journal lines state their tax: net Amount, the code, and TaxAmount on the same side (posted to the tax account). */
function renderJournal(doc: BookingDocument, lines: ResolvedLine[], base: Record<string, unknown>, docNumber: string, taxMode: 'vat' | 'us' | 'none'): Rendered & { ok: true } {
  const Line = lines.map((r) => {
    const t = taxMode === 'vat' && r.line.tax && r.line.tax.amountMinor !== 0 ? r.line.tax : undefined;
    const debit = grossOf(r.line) > 0;
    return {
      DetailType: 'JournalEntryLineDetail',
      Amount: qboAmount(Math.abs(r.line.amountMinor), doc.currency),
      Description: describe(r.line),
      JournalEntryLineDetail: {
        PostingType: debit ? 'Debit' : 'Credit',
        AccountRef: ref(r.account.id),
        ...(t ? { TaxCodeRef: ref(t.code), TaxApplicableOn: taxSide(r.line), TaxAmount: qboAmount(Math.abs(t.amountMinor), doc.currency) } : {}),
      },
    };
  });
  return { ok: true, entity: 'JournalEntry', payload: { ...base, DocNumber: docNumber, ...(taxMode === 'vat' ? { GlobalTaxCalculation: 'TaxExcluded' } : {}), Line }, docNumber };
}

/** Roles whose accounts need a Service item so sales forms can reach them. */
export function itemAccountsOf(inputs: PostInput[]): LedgerAccount[] {
  const seen = new Map<string, LedgerAccount>();
  for (const { doc, accounts } of inputs) {
    if (doc.kind !== 'sale' && doc.kind !== 'refund') continue;
    for (const l of doc.lines) {
      if (l.role === 'vat') continue;
      const a = accounts[l.role as AccountRole];
      if (a && ITEM_ACCOUNT_TYPES.has(a.type)) seen.set(a.id, a);
    }
  }
  return [...seen.values()];
}

export const isItemAccountType = (type: string): boolean => ITEM_ACCOUNT_TYPES.has(type);
