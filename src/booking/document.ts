/**
 * Ledger-neutral documents: what synder books, before any QuickBooks or Xero shape.
 * The booking core builds them; renderers turn them into API payloads; explain,
 * export and --dry-run read them. Debit positive, credit negative, every document sums to zero.
 */

/** The accounts a document can touch. A connector maps each role to a ledger account per org. */
export const ACCOUNT_ROLES = {
  clearing: { name: 'TikTok Shop Clearing', class: 'bank' },
  reserve: { name: 'TikTok Shop Reserve', class: 'current_asset' },
  bank: { name: 'Business Bank Account', class: 'bank' },
  sales: { name: 'TikTok Shop Sales', class: 'income' },
  shipping_income: { name: 'TikTok Shop Shipping Income', class: 'income' },
  seller_discounts: { name: 'TikTok Shop Seller Discounts', class: 'income' },
  refunds: { name: 'TikTok Shop Refunds', class: 'income' },
  marketplace_fees: { name: 'TikTok Shop Marketplace Fees', class: 'expense' },
  transaction_fees: { name: 'TikTok Shop Transaction Fees', class: 'expense' },
  affiliate_commissions: { name: 'TikTok Shop Affiliate Commissions', class: 'expense' },
  shipping_fulfilment: { name: 'TikTok Shop Shipping & Fulfilment', class: 'expense' },
  fee_taxes: { name: 'TikTok Shop Taxes on Fees', class: 'expense' },
  platform_adjustments: { name: 'TikTok Shop Platform Adjustments', class: 'other_income' },
  advertising: { name: 'TikTok Shop Advertising', class: 'expense' },
  uncategorized: { name: 'Uncategorized TikTok', class: 'expense' },
  mf_tax: { name: 'TikTok Shop Marketplace Facilitator Tax', class: 'current_liability' },
  /** VAT TikTok paid on the seller's behalf (deemed supplier): neither income nor expense. */
  marketplace_vat: { name: 'TikTok Shop Marketplace VAT', class: 'current_liability' },
  /** The ledger's own VAT/GST control account: lines here are the tax the ledger books from the coded lines. */
  vat: { name: 'VAT Control', class: 'current_liability' },
} as const;

export type AccountRole = keyof typeof ACCOUNT_ROLES;
export type AccountClass = (typeof ACCOUNT_ROLES)[AccountRole]['class'];

export const isAccountRole = (value: string): value is AccountRole => Object.hasOwn(ACCOUNT_ROLES, value);

export type DocumentKind =
  | 'sale' // order settled: revenue, discounts, shipping income; clearing debited by the net
  | 'fees' // platform fees, shipping costs and taxes on fees, paid from clearing
  | 'refund' // refunds and fee reversals
  | 'reserve' // reserve withheld or released
  | 'adjustment' // platform adjustments (reimbursement, penalty, ads, unknown types)
  | 'statement' // summary mode: one document per statement (or per month half of one)
  | 'payout'; // bank <- clearing

export type SourceKind = 'statement_transaction' | 'statement' | 'payment' | 'order';

export interface LineSource {
  kind: SourceKind;
  /** TikTok id of the source object (transaction id, statement id, payment id). */
  id: string;
  /** The field the amount came from, e.g. "fee_tax_breakdown.fee.referral_fee_amount". */
  field: string;
}

/** The part of a line that is tax: the line's amount is net, `amountMinor` the tax it carried (same sign). */
export interface LineTax {
  /** Ledger tax code id (QuickBooks TaxCode Id, Xero TaxType). */
  code: string;
  name: string;
  percent: number;
  amountMinor: number;
  /** QuickBooks TaxRate id of the side the line is on. */
  rateId?: string;
}

export interface BookingLine {
  role: AccountRole;
  /** Integer minor units of the document currency. Debit positive, credit negative. */
  amountMinor: number;
  description: string;
  source: LineSource;
  /** Product detail for sale lines (per SKU), used by renderers for readable documents. */
  item?: { sku?: string; name?: string; quantity?: number };
  /**
   * The tax code this line books with; `amountMinor` is the tax its TikTok amount included (the
   * line's own amount is then net). On a `vat` line: the code whose tax it carries.
   */
  tax?: LineTax;
}

export interface DocumentRefs {
  /** The integration (shop) this document belongs to; the clearing role resolves through it. */
  shopId: string;
  orderId?: string;
  statementId?: string;
  transactionId?: string;
  paymentId?: string;
}

export interface BookingDocument {
  /** Deterministic and unique: same source + kind → same key, on every run and every machine. */
  key: string;
  kind: DocumentKind;
  /** ISO date (YYYY-MM-DD) in the org's time zone. */
  date: string;
  /** ISO 4217 code; every line is in it. */
  currency: string;
  memo: string;
  lines: BookingLine[];
  refs: DocumentRefs;
  /** Non-fatal findings, e.g. an unknown fee key routed to the catch-all account. */
  warnings: string[];
  /** Data kept for explain but not booked, e.g. marketplace-facilitator tax. */
  memoData?: Record<string, string>;
}
