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

/**
 * What the sync engine needs from TikTok Shop for one shop. Every method pages through all
 * results, validates each response and retries transient failures.
 */
export interface TikTokShopApi {
  readonly apiCalls: number;
  listStatements(window: TimeWindow): AsyncIterable<Statement>;
  /** All transactions of a statement, with the statement-level totals TikTok sends. */
  getStatementTransactions(statementId: string): Promise<{ header: StatementTransactionsHeader; transactions: StatementTransaction[] }>;
  listPayments(window: TimeWindow): AsyncIterable<Payment>;
  /** Order detail, up to 50 ids per call (the client splits larger lists). */
  getOrders(ids: string[]): Promise<Order[]>;
}
