/**
 * TikTok Shop finance and order data as the ledger sees it: the API's own field names and
 * shapes, with money still as the decimal strings TikTok sends (the ledger parses them exactly).
 * The TikTok client's zod schemas produce values of these types; breakdown objects are open
 * maps because TikTok keeps adding keys, and unknown keys must reach the ledger, never be dropped.
 */

/** An open map of breakdown fields to decimal strings, e.g. { referral_fee_amount: "-1.80" }. */
export type AmountMap = Record<string, string>;

export interface FeeTaxBreakdown {
  fee?: AmountMap;
  tax?: AmountMap;
}

export interface ShippingCostBreakdown extends Record<string, string | AmountMap | undefined> {
  supplementary_component?: AmountMap;
}

/** GET /finance/202309/statements → data.statements[] */
export interface Statement {
  id: string;
  statement_time: number;
  currency: string;
  settlement_amount: string;
  revenue_amount?: string;
  net_sales_amount?: string;
  fee_amount?: string;
  shipping_cost_amount?: string;
  adjustment_amount?: string;
  payment_status?: string;
  payment_id?: string;
  payment_time?: number;
}

/** GET /finance/202501/statements/{id}/statement_transactions → data.transactions[] */
export interface StatementTransaction {
  id: string;
  type: string;
  status?: string;
  currency?: string;
  order_id?: string;
  adjustment_id?: string;
  adjustment_order_id?: string;
  order_create_time?: number;
  settlement_amount: string;
  revenue_amount?: string;
  revenue_breakdown?: AmountMap;
  shipping_cost_amount?: string;
  shipping_cost_breakdown?: ShippingCostBreakdown;
  fee_tax_amount?: string;
  fee_tax_breakdown?: FeeTaxBreakdown;
  adjustment_amount?: string;
  supplementary_component?: AmountMap;
  reserve_id?: string;
  reserve_amount?: string;
  reserve_status?: string;
  associated_order_id?: string;
  /** TikTok sends it as a string of Unix seconds (the SDK's type), unlike the other times. */
  estimated_release_time?: number | string;
}

/** The header of GET /finance/202501/statements/{id}/statement_transactions (data minus transactions). */
export interface StatementTransactionsHeader {
  id: string;
  create_time?: number;
  status?: string;
  currency: string;
  total_settlement_amount: string;
  total_reserve_amount?: string;
  payable_amount?: string;
  total_settlement_breakdown?: {
    total_revenue_amount?: string;
    total_shipping_cost_amount?: string;
    total_fee_tax_amount?: string;
    total_adjustment_amount?: string;
  };
  total_count?: number;
}

export interface MoneyValue {
  value: string;
  currency: string;
}

/** GET /finance/202309/payments → data.payments[] */
export interface Payment {
  id: string;
  create_time: number;
  paid_time?: number;
  status: string;
  amount: MoneyValue;
  settlement_amount?: MoneyValue;
  reserve_amount?: MoneyValue;
  payment_amount_before_exchange?: MoneyValue;
  exchange_rate?: string;
  bank_account?: string;
}

export interface OrderLineItem {
  id: string;
  sku_id?: string;
  seller_sku?: string;
  product_id?: string;
  product_name?: string;
  sku_name?: string;
  currency?: string;
  original_price?: string;
  sale_price?: string;
  seller_discount?: string;
  platform_discount?: string;
  is_gift?: boolean;
  [key: string]: unknown;
}

export interface OrderPayment {
  currency: string;
  original_total_product_price?: string;
  seller_discount?: string;
  platform_discount?: string;
  sub_total?: string;
  original_shipping_fee?: string;
  shipping_fee_seller_discount?: string;
  shipping_fee_platform_discount?: string;
  shipping_fee?: string;
  tax?: string;
  total_amount?: string;
  [key: string]: unknown;
}

/** POST /order/202309/orders/search → data.orders[], GET /order/202507/orders → data.orders[] */
export interface Order {
  id: string;
  status: string;
  create_time: number;
  update_time?: number;
  paid_time?: number;
  is_sample_order?: boolean;
  payment: OrderPayment;
  line_items: OrderLineItem[];
  [key: string]: unknown;
}

/** Everything the ledger needs about one statement: the statement, its transactions and (if known) its payment. */
export interface StatementBundle {
  statement: Statement;
  header?: StatementTransactionsHeader;
  transactions: StatementTransaction[];
  payment?: Payment;
}
