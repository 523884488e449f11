import fs from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import {
  describeIssues,
  order,
  payment,
  statement,
  statementTransaction,
  statementTransactionsHeader,
} from '../../providers/tiktok/schemas.js';
import type { Dataset, SandboxShop, ShopDataset, StatementDetail } from './dataset.js';

/**
 * A replay file: one real (or hand-made) shop's data in the API's own shapes, served by the
 * sandbox instead of generated data. Its format is described in REPLAY.md beside this file and in
 * `synder sandbox --help` (the published package has only the latter).
 */
const replayShop = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  region: z.string().min(2),
  cipher: z.string().min(1),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'expected an ISO 4217 code').optional(),
  seller_type: z.string().optional(),
  code: z.string().optional(),
});

export const replaySchema = z.object({
  shops: z.array(replayShop).min(1, 'at least one shop is required'),
  orders: z.array(order).default([]),
  statements: z.array(statement).default([]),
  statement_transactions: z
    .record(z.string(), statementTransactionsHeader.partial({ id: true, currency: true, total_settlement_amount: true }).extend({ transactions: z.array(statementTransaction) }))
    .default({}),
  payments: z.array(payment).default([]),
});

export type ReplayData = z.output<typeof replaySchema>;

/** Validates parsed JSON; errors name the field, e.g. `statement_transactions.123.transactions[3].settlement_amount`. */
export function parseReplayData(json: unknown, source = 'replay data'): ReplayData {
  const r = replaySchema.safeParse(json);
  if (!r.success) throw new UsageError(`${source} is not a valid TikTok replay file: ${describeIssues(r.error, '', 5)}`, '`synder sandbox --help` describes the format.');
  const data = r.data;
  const ids = new Set(data.statements.map((s) => s.id));
  for (const id of Object.keys(data.statement_transactions)) {
    if (!ids.has(id)) throw new UsageError(`${source} is not a valid TikTok replay file: statement_transactions.${id}: no statement with this id in statements`);
  }
  return data;
}

export async function loadReplayFile(file: string): Promise<ReplayData> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the TikTok replay file ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
  return parseReplayData(json, file);
}

const sortBy = <T>(list: T[], key: (t: T) => number): T[] => [...list].sort((a, b) => key(a) - key(b));

/** The first shop serves the file's data; further shops are authorized but empty. */
export function replayToDataset(data: ReplayData): Dataset {
  const currency = (
    data.shops[0]!.currency ??
    data.statements[0]?.currency ??
    data.payments[0]?.amount.currency ??
    data.orders[0]?.payment.currency ??
    'USD'
  ).toUpperCase();
  const shops: ShopDataset[] = data.shops.map((s, i) => {
    const shop: SandboxShop = {
      id: s.id,
      name: s.name,
      region: s.region,
      cipher: s.cipher,
      seller_type: s.seller_type ?? (data.shops.length > 1 ? 'CROSS_BORDER' : 'LOCAL'),
      code: s.code ?? `${s.region}REPLAY${i}`,
      currency: (s.currency ?? currency).toUpperCase(),
    };
    if (i > 0) return { shop, orders: [], statements: [], statementTransactions: new Map(), payments: [] };
    const details = new Map<string, StatementDetail>();
    for (const st of data.statements) {
      const d = data.statement_transactions[st.id];
      const { transactions = [], ...header } = d ?? {};
      details.set(st.id, {
        header: {
          ...header,
          id: st.id,
          currency: header.currency ?? st.currency,
          total_settlement_amount: header.total_settlement_amount ?? st.settlement_amount,
          total_count: transactions.length,
        },
        transactions,
      });
    }
    return {
      shop,
      orders: sortBy(data.orders, (o) => o.create_time),
      statements: sortBy(data.statements, (s) => s.statement_time),
      statementTransactions: details,
      payments: sortBy(data.payments, (p) => p.create_time),
    };
  });
  return { shops };
}
