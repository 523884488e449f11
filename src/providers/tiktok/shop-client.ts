import type { Order, Payment, Statement, StatementTransaction, StatementTransactionsHeader } from '../../booking/tiktok-data.js';

/** One authorized shop, from GET /authorization/202309/shops. */
export interface AuthorizedShop {
  id: string;
  name: string;
  region: string;
  seller_type?: string;
  cipher: string;
  code?: string;
}

export interface TimeWindow {
  /** Unix seconds, inclusive. */
  from?: number;
  /** Unix seconds, exclusive. */
  to?: number;
}

/** One page of a statement's transactions; every page carries the statement-level totals. */
export interface StatementTransactionsPage {
  header: StatementTransactionsHeader;
  transactions: StatementTransaction[];
  /** TikTok gave no next page. */
  last: boolean;
}

/**
 * What the sync engine needs from TikTok Shop for one shop. Every method pages through all
 * results, validates each response and retries transient failures.
 */
export interface TikTokShopApi {
  readonly apiCalls: number;
  listStatements(window: TimeWindow): AsyncIterable<Statement>;
  /** All transactions of a statement, with the statement-level totals TikTok sends. */
  getStatementTransactions(statementId: string): Promise<{ header: StatementTransactionsHeader; transactions: StatementTransaction[] }>;
  /**
   * The same, a page at a time as TikTok sends them: a large shop's daily statement holds
   * thousands of transactions, which the sync books as they arrive instead of holding them all.
   */
  statementTransactionPages(statementId: string): AsyncIterable<StatementTransactionsPage>;
  listPayments(window: TimeWindow): AsyncIterable<Payment>;
  /** Order detail, up to 50 ids per call (the client splits larger lists). */
  getOrders(ids: string[]): Promise<Order[]>;
}
