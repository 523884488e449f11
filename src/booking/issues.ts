/**
 * What the ledger reports besides documents. Inconsistent TikTok data is an issue (the sync marks
 * the transaction failed and goes on); a broken invariant of our own output is a thrown
 * BookingInvariantError, because booking it would put wrong numbers in someone's books.
 */

export type IssueSeverity = 'error' | 'warning' | 'info';

export type IssueCode =
  | 'inconsistent_transaction' // components do not add up to settlement_amount
  | 'invalid_amount' // a field is not a decimal amount of the currency
  | 'currency_mismatch'
  | 'statement_mismatch' // transactions do not add up to the statement / header totals
  | 'statement_not_built' // summary mode: statement skipped because of errors above
  | 'payment_mismatch'
  | 'payment_not_paid'
  | 'reserve_sign' // reserve_status contradicts the sign of reserve_amount
  | 'unknown_field' // a breakdown key or adjustment type not in the routing: booked to uncategorized
  | 'missing_breakdown'; // a total without its breakdown: booked as a whole

export interface BookingIssue {
  severity: IssueSeverity;
  code: IssueCode;
  message: string;
  statementId?: string;
  transactionId?: string;
  orderId?: string;
  paymentId?: string;
  /** The TikTok fields involved, e.g. ["settlement_amount", "revenue_amount"]. */
  fields?: string[];
  /** Signed difference in minor units where one applies (actual − expected). */
  differenceMinor?: number;
}

export class BookingInvariantError extends Error {
  readonly code = 'LEDGER_INVARIANT';
  constructor(
    message: string,
    readonly details: { statementId?: string; transactionId?: string; documentKey?: string; expectedMinor?: number; actualMinor?: number } = {},
  ) {
    super(message);
    this.name = 'BookingInvariantError';
  }
}

/** Throws when any issue is an error — for callers that want all-or-nothing. */
export function throwOnErrors(issues: BookingIssue[]): void {
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new BookingInvariantError(errors.map((e) => e.message).join('\n'), {
      statementId: first.statementId,
      transactionId: first.transactionId,
      actualMinor: first.differenceMinor,
    });
  }
}
