import { z } from 'zod';
import { InvalidResponseError } from '../../errors.js';
import type {
  AmountMap,
  Order,
  Payment,
  Statement,
  StatementTransaction,
  StatementTransactionsHeader,
} from '../../booking/tiktok-data.js';
import type { AuthorizedShop } from './shop-client.js';

/**
 * zod schemas for every TikTok response the client reads. Money stays a decimal string (the
 * ledger parses it exactly); breakdown objects are open maps so new fee keys reach the ledger.
 */

/** A decimal amount; TikTok's docs show `"0 "`, so surrounding whitespace is trimmed. */
export const money = z
  .string()
  .trim()
  .regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'expected a decimal amount string');

/** Unix seconds; a few doc examples send them as digit strings. */
export const unixSeconds = z.union([z.number().int().nonnegative(), z.string().trim().regex(/^\d+$/).transform(Number)]);

export const amountMap = z.record(z.string(), money);

const id = z.union([z.string().min(1), z.number().int().transform(String)]);

export const shippingCostBreakdown = z.object({ supplementary_component: amountMap.optional() }).catchall(money);

export const feeTaxBreakdown = z.object({ fee: amountMap.optional(), tax: amountMap.optional() });

export const envelope = z.object({
  code: z.number().int(),
  message: z.string().optional().default(''),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});

export const statement = z.object({
  id,
  statement_time: unixSeconds,
  currency: z.string().min(3),
  settlement_amount: money,
  revenue_amount: money.optional(),
  net_sales_amount: money.optional(),
  fee_amount: money.optional(),
  shipping_cost_amount: money.optional(),
  adjustment_amount: money.optional(),
  payment_status: z.string().optional(),
  payment_id: z.string().optional(),
  payment_time: unixSeconds.optional(),
});

export const statementsData = z.object({
  statements: z.array(statement).optional().default([]),
  next_page_token: z.string().optional(),
});

/** The settlement and its parts, shared by statement transactions and their per-SKU split. */
const settlementParts = {
  settlement_amount: money,
  revenue_amount: money.optional(),
  revenue_breakdown: amountMap.optional(),
  shipping_cost_amount: money.optional(),
  shipping_cost_breakdown: shippingCostBreakdown.optional(),
  fee_tax_amount: money.optional(),
  fee_tax_breakdown: feeTaxBreakdown.optional(),
};

export const statementTransaction = z.object({
  id,
  type: z.string().min(1),
  status: z.string().optional(),
  currency: z.string().optional(),
  order_id: z.string().optional(),
  adjustment_id: z.string().optional(),
  adjustment_order_id: z.string().optional(),
  order_create_time: unixSeconds.optional(),
  ...settlementParts,
  adjustment_amount: money.optional(),
  supplementary_component: amountMap.optional(),
  reserve_id: z.string().optional(),
  reserve_amount: money.optional(),
  reserve_status: z.string().optional(),
  associated_order_id: z.string().optional(),
  estimated_release_time: unixSeconds.optional(),
});

export const statementTransactionsHeader = z.object({
  id,
  create_time: unixSeconds.optional(),
  status: z.string().optional(),
  currency: z.string().min(3),
  total_settlement_amount: money,
  total_reserve_amount: money.optional(),
  payable_amount: money.optional(),
  total_settlement_breakdown: z
    .object({
      total_revenue_amount: money.optional(),
      total_shipping_cost_amount: money.optional(),
      total_fee_tax_amount: money.optional(),
      total_adjustment_amount: money.optional(),
    })
    .optional(),
  total_count: z.number().int().nonnegative().optional(),
});

export const statementTransactionsData = statementTransactionsHeader.extend({
  transactions: z.array(statementTransaction).optional().default([]),
  next_page_token: z.string().optional(),
});

const moneyValue = z.object({ value: money, currency: z.string().min(3) });

export const payment = z.object({
  id,
  create_time: unixSeconds,
  paid_time: unixSeconds.optional(),
  status: z.string().min(1),
  amount: moneyValue,
  settlement_amount: moneyValue.optional(),
  reserve_amount: moneyValue.optional(),
  payment_amount_before_exchange: moneyValue.optional(),
  exchange_rate: z.string().optional(),
  bank_account: z.string().optional(),
});

export const paymentsData = z.object({
  payments: z.array(payment).optional().default([]),
  next_page_token: z.string().optional(),
});

const lineItem = z.looseObject({
  id,
  sku_id: z.string().optional(),
  seller_sku: z.string().optional(),
  product_id: z.string().optional(),
  product_name: z.string().optional(),
  sku_name: z.string().optional(),
  currency: z.string().optional(),
  original_price: money.optional(),
  sale_price: money.optional(),
  seller_discount: money.optional(),
  platform_discount: money.optional(),
  is_gift: z.boolean().optional(),
});

const orderPayment = z.looseObject({
  currency: z.string().min(3),
  original_total_product_price: money.optional(),
  seller_discount: money.optional(),
  platform_discount: money.optional(),
  sub_total: money.optional(),
  original_shipping_fee: money.optional(),
  shipping_fee_seller_discount: money.optional(),
  shipping_fee_platform_discount: money.optional(),
  shipping_fee: money.optional(),
  tax: money.optional(),
  total_amount: money.optional(),
});

export const order = z.looseObject({
  id,
  status: z.string().min(1),
  create_time: unixSeconds,
  update_time: unixSeconds.optional(),
  paid_time: unixSeconds.optional(),
  is_sample_order: z.boolean().optional(),
  payment: orderPayment,
  line_items: z.array(lineItem),
});

export const ordersDetailData = z.object({ orders: z.array(order).optional().default([]) });

export const authorizedShop = z.object({
  id,
  name: z.string(),
  region: z.string(),
  seller_type: z.string().optional(),
  cipher: z.string().min(1),
  code: z.string().optional(),
});
export const authorizedShopsData = z.object({ shops: z.array(authorizedShop).optional().default([]) });

export const tokenData = z.object({
  access_token: z.string().min(1),
  access_token_expire_in: z.number().int().positive(),
  refresh_token: z.string().min(1),
  refresh_token_expire_in: z.number().int().positive(),
  open_id: z.string().optional(),
  seller_name: z.string().optional(),
  seller_base_region: z.string().optional(),
  user_type: z.number().int().optional(),
  granted_scopes: z.array(z.string()).optional(),
});
export type TokenData = z.infer<typeof tokenData>;

/** Formats a zod issue path like `data.statements[3].settlement_amount`. */
export function issuePath(root: string, path: ReadonlyArray<PropertyKey>): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

export function describeIssues(error: z.ZodError, root: string, max = 3): string {
  const parts = error.issues.slice(0, max).map((i) => `${issuePath(root, i.path)}: ${i.message}`);
  if (error.issues.length > max) parts.push(`… and ${error.issues.length - max} more`);
  return parts.join('; ');
}

/** Parses `value` or throws InvalidResponseError naming the endpoint and the field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, endpoint: string, root = 'data'): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidResponseError(endpoint, describeIssues(r.error, root));
  return r.data;
}

// Compile-time proof that parsed values fit the ledger's types.
type Assignable<T, U extends T> = U;
export type _Checks = [
  Assignable<Statement, z.output<typeof statement>>,
  Assignable<StatementTransaction, z.output<typeof statementTransaction>>,
  Assignable<StatementTransactionsHeader, z.output<typeof statementTransactionsHeader>>,
  Assignable<Payment, z.output<typeof payment>>,
  Assignable<Order, z.output<typeof order>>,
  Assignable<AuthorizedShop, z.output<typeof authorizedShop>>,
  Assignable<AmountMap, z.output<typeof amountMap>>,
];
