import type { Order, Payment, Statement, StatementTransaction, StatementTransactionsHeader } from '../../booking/tiktok-data.js';

/** One shop the sandbox serves, as GET /authorization/202309/shops describes it (+ its currency). */
export interface SandboxShop {
  id: string;
  name: string;
  region: string;
  seller_type: string;
  cipher: string;
  code: string;
  currency: string;
}

export interface StatementDetail {
  header: StatementTransactionsHeader;
  transactions: StatementTransaction[];
}

/** Everything the sandbox serves for one shop, in the API's own shapes. */
export interface ShopDataset {
  shop: SandboxShop;
  /** Sorted by create_time ascending. */
  orders: Order[];
  /** Sorted by statement_time ascending. */
  statements: Statement[];
  statementTransactions: Map<string, StatementDetail>;
  /** Sorted by create_time ascending. */
  payments: Payment[];
}

export interface Dataset {
  shops: ShopDataset[];
}
