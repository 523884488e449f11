/**
 * What every builder takes and returns. Kept apart from build.ts so the payout builder, which
 * build.ts calls, need not import build.ts back.
 */
import type { BookingDocument } from './document.js';
import type { BookingIssue } from './issues.js';
import type { RoleRouting } from './routing.js';
import type { TaxPlan } from './tax.js';
import type { Order } from './tiktok-data.js';

export interface BuildOptions {
  mode: 'per-transaction' | 'summary';
  shopId: string;
  /** IANA zone of the org; document dates are local dates in it. */
  timeZone: string;
  /** Date documents by the statement (settlement) or by the order's create time. */
  dateBasis: 'settlement' | 'order';
  routing: RoleRouting;
  /** Marketplace-facilitator tax: 'off' keeps it in memoData only; 'gross' books equal and opposite lines through mf_tax. */
  mfTax: 'off' | 'gross';
  /** The ledger's tax codes per role (VAT/GST split out of the inclusive amounts); none: no tax codes. */
  tax?: TaxPlan;
  /** Orders by id, for SKU / product detail on sale lines. */
  orders?: Map<string, Order>;
}

export interface BuildResult {
  documents: BookingDocument[];
  issues: BookingIssue[];
}
