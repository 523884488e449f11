import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDocuments, buildPayoutDocuments, buildStatementDocuments, explainOrder, type Payment, type StatementBundle, type StatementTransaction } from '../../src/booking/index.js';
import { sharedDir } from '../helpers/cli.js';
import { opts } from './booking-fixtures.js';

const dir = sharedDir();
const samples = dir ? path.join(dir, 'tiktok-samples') : undefined;
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(samples!, name), 'utf8')).data;

describe.skipIf(!samples || !fs.existsSync(samples))('TikTok documentation example payloads (needs ../shared reference data)', () => {
  function sampleBundle(): StatementBundle {
    const st = load('finance-statements-202309.docs-example.json').statements[0];
    const { transactions, next_page_token: _n, ...header } = load('finance-statement-transactions-202501.docs-example.json');
    return { statement: st, header, transactions };
  }

  it('reports the inconsistent placeholder transaction by id, fields and difference, and books nothing for it', () => {
    for (const mode of ['per-transaction', 'summary'] as const) {
      const { documents, issues } = buildStatementDocuments(sampleBundle(), opts({ mode }));
      expect(documents).toEqual([]);
      const tx = issues.find((i) => i.code === 'inconsistent_transaction')!;
      expect(tx).toMatchObject({ severity: 'error', transactionId: '1636700041413599290', orderId: '576463220456522968', statementId: '7238804564097517339' });
      expect(tx.fields).toEqual(expect.arrayContaining(['settlement_amount', 'revenue_breakdown', 'shipping_cost_breakdown', 'fee_tax_breakdown', 'adjustment_amount']));
      expect(tx.message).toMatch(/^transaction 1636700041413599290 \(order 576463220456522968\) in statement 7238804564097517339: settlement_amount 130\.00 GBP ≠ Σ revenue_breakdown 32\.00 GBP \+ .* \+ adjustment_amount 170\.00 GBP = 467\.00 GBP \(difference -?\d+\.\d\d GBP\)/);
      expect(tx.message).toMatch(/revenue_amount 200\.00 GBP ≠ Σ revenue_breakdown 32\.00 GBP \(difference 168\.00 GBP\)/);
      expect(tx.message).toMatch(/fee_tax_amount -30\.00 GBP ≠ Σ fee_tax_breakdown/);
      expect(tx.differenceMinor).toBeTypeOf('number');
      expect(tx.differenceMinor).not.toBe(0);
      // The statement totals disagree with each other too.
      const st = issues.filter((i) => i.code === 'statement_mismatch').map((i) => i.message);
      expect(st).toEqual(expect.arrayContaining([
        'statement 7238804564097517339: settlement_amount 100.00 GBP ≠ Σ transactions[].settlement_amount 130.00 GBP (difference 30.00 GBP)',
        'statement 7238804564097517339: 1 transactions fetched but total_count is 2',
      ]));
    }
  });

  it('the payments example (130 settlement − 30 reserve = 100) books a balanced payout', () => {
    const payment: Payment = load('finance-payments-202309.docs-example.json').payments[0];
    const { documents, issues } = buildPayoutDocuments(payment, [], opts());
    expect(issues).toEqual([]);
    expect(documents[0]!.lines.map((l) => [l.role, l.amountMinor])).toEqual([['bank', 10000], ['reserve', 3000], ['clearing', -13000]]);
  });

  it('order statement transactions (sku_transactions) are checked the same way', () => {
    const data = load('finance-order-statement-transactions-202501.docs-example.json');
    const transactions: StatementTransaction[] = data.sku_transactions.map((s: Record<string, unknown>) => ({ ...s, id: `${data.order_id}:${s.sku_id}`, type: 'ORDER', order_id: data.order_id }));
    const bundle: StatementBundle = { statement: { id: String((data.sku_transactions[0] as { statement_id?: string }).statement_id ?? 'x'), statement_time: data.order_create_time, currency: data.currency, settlement_amount: data.settlement_amount }, transactions };
    const { documents, issues } = buildDocuments({ bundles: [bundle] }, opts());
    expect(documents).toEqual([]);
    expect(issues[0]!.message).toMatch(/transaction 5793990727963214852:1636700041413599290 .*shipping_cost_amount -70\.00 GBP ≠ Σ shipping_cost_breakdown/);
  });

  it('explain shows every field of the example and the failed checks', () => {
    const e = explainOrder('576463220456522968', { bundles: [sampleBundle()] }, opts());
    expect(e.ok).toBe(false);
    const t = e.transactions[0]!;
    expect(t.sources.find((s) => s.field === 'supplementary_component.sales_tax_refund_amount')).toMatchObject({ value: '0', amountMinor: 0 });
    expect(t.sources.filter((s) => s.field.startsWith('fee_tax_breakdown.fee.')).length).toBe(32);
    expect(t.checks.find((c) => c.name === 'components_add_up')).toMatchObject({ ok: false });
  });
});
