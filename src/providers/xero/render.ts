import { ACCOUNT_ROLES, type AccountRole, type BookingDocument, type BookingLine } from '../../booking/document.js';
import { shortDocNumber } from '../../booking/keys.js';
import { formatMinor } from '../../booking/money.js';
import type { LedgerAccount, PostInput } from '../ledger-connector.js';

/**
 * Neutral documents → Xero objects, all through the BANK-type clearing account:
 *
 *   revenue side (sale, refund, statement)  ACCREC Invoice + Payment into Clearing when the
 *                                           income lines net to a credit; ACCRECCREDIT CreditNote
 *                                           + refund Payment out of Clearing when they net to a debit
 *   everything else (fees, adjustments,     one SPEND (net cost) or RECEIVE (net income) bank
 *   reserve, fee reversals, …)              transaction on Clearing with signed lines
 *   payout                                  BankTransfer Clearing → Bank (reversed when negative)
 *
 * Manual journals are never used: Xero does not let them touch bank accounts, and Clearing is one.
 * Reserve is a CURRENT asset by default, which a BankTransfer cannot reach, so reserve movements
 * are a SPEND (withheld) or RECEIVE (released) coded to Reserve; only when the user mapped
 * Reserve to a BANK account do they become a BankTransfer.
 * Each part carries the document's short number (InvoiceNumber / CreditNoteNumber / Reference),
 * which is how the connector finds it again after a crash.
 */

export type XeroPartType = 'Invoice' | 'CreditNote' | 'Payment' | 'BankTransaction' | 'BankTransfer';

export interface RenderedPart {
  type: XeroPartType;
  body: Record<string, unknown>;
  /** Payments: which part they settle; the connector fills in its id. */
  settles?: 'Invoice' | 'CreditNote';
}

export interface RenderedDocument {
  key: string;
  number: string;
  parts: RenderedPart[];
}

export class RenderError extends Error {
  constructor(message: string, readonly fix?: string) {
    super(message);
  }
}

const INCOME_SIDE_KINDS = new Set(['sale', 'refund', 'statement']);
const isIncomeRole = (role: AccountRole) => ACCOUNT_ROLES[role].class === 'income';
const isBankRole = (role: AccountRole, accountType?: string) => (accountType ? accountType === 'BANK' : ACCOUNT_ROLES[role].class === 'bank');

export const xeroDocNumber = (key: string): string => shortDocNumber(key);

interface Plan {
  invoice?: BookingLine[];
  creditNote?: BookingLine[];
  revenueMinor: number; // invoice total (>0) or credit note total (>0)
  bankTx?: { type: 'SPEND' | 'RECEIVE'; lines: BookingLine[] };
  transfer?: { other: AccountRole; amountMinor: number; toClearing: boolean };
}

/** The shape of a document in Xero; `typeOf` gives the Xero account type of a role when known. */
/** A line's amount as TikTok settled it: its net plus the tax it carries (Xero takes the tax out of an inclusive line). */
const gross = (l: BookingLine): number => l.amountMinor + (l.tax?.amountMinor ?? 0);

function plan(doc: BookingDocument, typeOf: (role: AccountRole) => string | undefined): Plan {
  // Tax lines are what Xero books itself from the coded lines; every other line is stated gross.
  const lines = doc.lines.filter((l) => l.role !== 'vat' && gross(l) !== 0).map((l) => (l.tax ? { ...l, amountMinor: gross(l) } : l));
  const clearing = lines.filter((l) => l.role === 'clearing');
  const others = lines.filter((l) => l.role !== 'clearing');
  const bankOthers = others.filter((l) => isBankRole(l.role, typeOf(l.role)));
  if (bankOthers.length > 0) {
    const roles = [...new Set(bankOthers.map((l) => l.role))];
    if (roles.length === 1 && bankOthers.length === others.length && clearing.length > 0) {
      const amount = others.reduce((s, l) => s + l.amountMinor, 0);
      if (amount === 0) return { revenueMinor: 0 };
      return { revenueMinor: 0, transfer: { other: roles[0]!, amountMinor: Math.abs(amount), toClearing: amount < 0 } };
    }
    throw new RenderError(
      `Document ${doc.key} moves money between Clearing and the bank-type account(s) ${roles.join(', ')} together with other lines; Xero can only move money between bank accounts with a bank transfer of its own.`,
      'Split the document so bank-to-bank movements stand alone, or map the role to a non-bank account.',
    );
  }
  if (clearing.length === 0 && others.length > 0) {
    // Nothing moves through Clearing, e.g. an order given away with a 100% seller discount: a
    // zero-total sales invoice (Xero marks it paid) carries its revenue lines as they are.
    if (INCOME_SIDE_KINDS.has(doc.kind) && others.every((l) => isIncomeRole(l.role))) return { invoice: others, revenueMinor: 0 };
    throw new RenderError(`Document ${doc.key} has no Clearing line; every Xero document synder writes goes through the clearing account.`);
  }
  let income = INCOME_SIDE_KINDS.has(doc.kind) ? others.filter((l) => isIncomeRole(l.role)) : [];
  let rest = others.filter((l) => !income.includes(l));
  const revenue = -income.reduce((s, l) => s + l.amountMinor, 0);
  if (revenue === 0 && income.length > 0) {
    rest = others;
    income = [];
  }
  const p: Plan = { revenueMinor: Math.abs(revenue) };
  if (revenue > 0) p.invoice = income;
  else if (revenue < 0) p.creditNote = income;
  if (rest.length > 0) {
    const net = rest.reduce((s, l) => s + l.amountMinor, 0);
    p.bankTx = { type: net >= 0 ? 'SPEND' : 'RECEIVE', lines: rest };
  }
  return p;
}

/** The Xero object types a document becomes (for "is it all there?" after a crash). */
export function expectedPartTypes(doc: BookingDocument, reserveIsBank = false): XeroPartType[] {
  const p = plan(doc, (role) => (role === 'reserve' && reserveIsBank ? 'BANK' : undefined));
  const out: XeroPartType[] = [];
  if (p.invoice) out.push(...(p.revenueMinor > 0 ? (['Invoice', 'Payment'] as const) : (['Invoice'] as const)));
  if (p.creditNote) out.push('CreditNote', 'Payment');
  if (p.bankTx) out.push('BankTransaction');
  if (p.transfer) out.push('BankTransfer');
  return out;
}

const money = (minor: number, currency: string): number => Number(formatMinor(minor, currency));

function accountFor(input: PostInput, role: AccountRole): LedgerAccount {
  const acc = input.accounts[role];
  if (!acc) throw new RenderError(`No Xero account is mapped for "${role}" (needed by ${input.doc.key}).`, `Map the ${ACCOUNT_ROLES[role].name} account, or let synder create it.`);
  return acc;
}

const lineAccountRef = (acc: LedgerAccount) => (acc.code ? { AccountCode: acc.code } : { AccountID: acc.id });

function describe(line: BookingLine): string {
  const item = line.item?.name ? ` — ${line.item.name}${line.item.sku ? ` (${line.item.sku})` : ''}${line.item.quantity ? ` × ${line.item.quantity}` : ''}` : '';
  return `${line.description}${item}`.slice(0, 4000);
}

export function renderDocument(input: PostInput, ctx: { contactId: string }): RenderedDocument {
  const { doc } = input;
  const number = xeroDocNumber(doc.key);
  const cur = doc.currency.toUpperCase();
  const p = plan(doc, (role) => input.accounts[role]?.type);
  const clearing = accountFor(input, 'clearing');
  const humanRef = (doc.refs.orderId ?? doc.refs.statementId ?? doc.refs.paymentId ?? doc.refs.transactionId ?? doc.memo).slice(0, 255);
  const parts: RenderedPart[] = [];
  // plan() hands lines back at their gross amount with their tax attached: the tax is stated per line.
  const salesLines = (lines: BookingLine[], sign: 1 | -1) =>
    lines.map((l) => ({
      Description: describe(l),
      Quantity: 1,
      UnitAmount: money(sign * l.amountMinor, cur),
      ...lineAccountRef(accountFor(input, l.role)),
      TaxType: l.tax?.code ?? 'NONE',
      ...(l.tax ? { TaxAmount: money(sign * l.tax.amountMinor, cur) } : {}),
    }));
  const amountTypes = (lines: BookingLine[]) => (lines.some((l) => l.tax) ? 'Inclusive' : 'NoTax');

  if (p.invoice) {
    parts.push({
      type: 'Invoice',
      body: {
        Type: 'ACCREC', Contact: { ContactID: ctx.contactId }, Date: doc.date, DueDate: doc.date, InvoiceNumber: number, Reference: humanRef,
        LineAmountTypes: amountTypes(p.invoice), CurrencyCode: cur, Status: 'AUTHORISED', LineItems: salesLines(p.invoice, -1),
      },
    });
    if (p.revenueMinor > 0) parts.push({ type: 'Payment', settles: 'Invoice', body: { Account: { AccountID: clearing.id }, Date: doc.date, Amount: money(p.revenueMinor, cur), Reference: number } });
  }
  if (p.creditNote) {
    parts.push({
      type: 'CreditNote',
      body: {
        Type: 'ACCRECCREDIT', Contact: { ContactID: ctx.contactId }, Date: doc.date, CreditNoteNumber: number, Reference: humanRef,
        LineAmountTypes: amountTypes(p.creditNote), CurrencyCode: cur, Status: 'AUTHORISED', LineItems: salesLines(p.creditNote, 1),
      },
    });
    parts.push({ type: 'Payment', settles: 'CreditNote', body: { Account: { AccountID: clearing.id }, Date: doc.date, Amount: money(p.revenueMinor, cur), Reference: number } });
  }
  if (p.bankTx) {
    const sign = p.bankTx.type === 'SPEND' ? 1 : -1;
    parts.push({
      type: 'BankTransaction',
      body: {
        Type: p.bankTx.type, Contact: { ContactID: ctx.contactId }, BankAccount: { AccountID: clearing.id }, Date: doc.date, Reference: number,
        LineAmountTypes: amountTypes(p.bankTx.lines), CurrencyCode: cur, Status: 'AUTHORISED', LineItems: salesLines(p.bankTx.lines, sign as 1 | -1),
      },
    });
  }
  if (p.transfer) {
    const other = accountFor(input, p.transfer.other);
    const [from, to] = p.transfer.toClearing ? [other, clearing] : [clearing, other];
    parts.push({ type: 'BankTransfer', body: { FromBankAccount: { AccountID: from.id }, ToBankAccount: { AccountID: to.id }, Amount: money(p.transfer.amountMinor, cur), Date: doc.date, Reference: number } });
  }
  return { key: doc.key, number, parts };
}
