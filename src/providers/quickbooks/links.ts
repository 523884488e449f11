/** Where QuickBooks Online's web app shows each kind of object ("Show in QuickBooks"). */
const PATHS: Record<string, string> = {
  SalesReceipt: 'salesreceipt?txnId=',
  RefundReceipt: 'refundreceipt?txnId=',
  JournalEntry: 'journal?txnId=',
  Deposit: 'deposit?txnId=',
  Transfer: 'transfer?txnId=',
  Purchase: 'expense?txnId=',
  Invoice: 'invoice?txnId=',
  Payment: 'recvpayment?txnId=',
  Customer: 'customerdetail?nameId=',
  Vendor: 'vendordetail?nameId=',
  Account: 'register?accountId=',
};

/** The app path (before the id) of an object of this QuickBooks entity type. */
export const deepLinkPath = (type: string): string => PATHS[type] ?? `${type.toLowerCase()}?txnId=`;
