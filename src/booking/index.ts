/**
 * The booking core: TikTok finance data → balanced clearing-account documents.
 *
 * Entry points: buildStatementDocuments(bundle, opts) per statement, buildPayoutDocuments(payment,
 * statementsOfPayment, opts) per payout, buildDocuments({bundles, orders, payments}, opts) for both;
 * explainOrder, reconcile, exportHledger / exportBeancount / exportCsv read the same documents.
 *
 * Accounting decisions (see components.ts for the split of a transaction into documents):
 * - Signed-sum convention: settlement = revenue + shipping + fee_tax + adjustment, each the sum of
 *   its breakdown; a line is −amount on its mapped role, and each document's Clearing line is +Σ
 *   its amounts, so the Clearing lines of a transaction equal its settlement_amount.
 * - Inconsistent TikTok data is never booked: the transaction gets an error BookingIssue naming
 *   the fields and the difference. Invariant breaks in our own output throw BookingInvariantError.
 * - Reserves (reserve_amount, negative = withheld) sit outside settlement: Dr Reserve / Cr
 *   Clearing when withheld, the reverse when released; a payout books only the part of its
 *   reserve_amount its statements did not carry.
 * - Marketplace-facilitator tax (supplementary_component.sales_tax_amount, retail_delivery_fee_amount):
 *   mfTax 'off' keeps it in memoData; 'gross' adds Dr Clearing / Cr MF Tax (collected) and
 *   Dr MF Tax / Cr Clearing (remitted by TikTok) — net zero on both accounts.
 * - Summary mode aggregates the per-transaction lines by role per statement and calendar month.
 */
export * from './money.js';
export * from './document.js';
export * from './tiktok-data.js';
export * from './routing.js';
export * from './issues.js';
export * from './keys.js';
export * from './dates.js';
export { extractComponents, type Component, type ExtractedTransaction, type Bucket } from './components.js';
export * from './build.js';
export * from './payout.js';
export * from './invariants.js';
export * from './reconcile.js';
export * from './explain.js';
export * from './export.js';
export * from './close-report.js';
export * from './tax.js';
