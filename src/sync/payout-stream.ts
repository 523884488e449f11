import type { Payment, Statement, StatementBundle, StatementTransaction } from '../booking/tiktok-data.js';
import type { Store } from '../store/store.js';
import { needsWork, paymentSource } from './fetch.js';
import { sourceFailure } from './run.js';
import { collectWarnings, observe, type IntegrationSource } from './source.js';
import type { BuildContext, BuildOutput } from './types.js';
import { workOf, type Built } from './work.js';

/**
 * The payouts of the payments that need booking: each payment is stored, then built from the
 * statements it pays (this run's, else as stored).
 */
export function payoutWork(src: IntegrationSource, payments: Payment[], forPayouts: Map<string, StatementBundle>): Built {
  const { run, integration } = src;
  const ctx: BuildContext = { ...src.ctx, orders: new Map() };
  const out: Built = { work: [], links: [] };
  let stored: StoredStatements | undefined;
  for (const payment of payments) {
    const state = run.store.transaction(() => observe(src, paymentSource(integration.id, payment)));
    if (!needsWork(state)) continue;
    stored ??= new StoredStatements(run.store, integration.id);
    let built: BuildOutput;
    try {
      built = src.builder.payout(payment, statementsOf(payment.id, stored, forPayouts), ctx);
    } catch (err) {
      built = { documents: [], issues: [{ severity: 'error', code: 'payment_mismatch', paymentId: payment.id, message: `payment ${payment.id} was not booked: ${(err as Error).message}` }] };
    }
    out.work.push(...built.documents.map((doc) => workOf(integration, doc)));
    collectWarnings(src, built.documents);
    const errors = built.issues.filter((i) => i.severity === 'error').map((i) => i.message);
    if (errors.length > 0) sourceFailure(run, 'payment', payment.id, undefined, undefined, errors);
    if (state.id !== undefined) out.links.push({ recordId: state.id, kind: 'payment', externalId: payment.id, docKeys: built.documents.map((d) => d.key), errors });
  }
  return out;
}

/** The statements a payment pays, each with only its reserve movements (all a payout reads of them): this run's, else as stored. */
export function statementsOf(paymentId: string, stored: Pick<StoredStatements, 'forPayment'>, fresh: Map<string, StatementBundle>): StatementBundle[] {
  const out = new Map<string, StatementBundle>();
  for (const b of stored.forPayment(paymentId, fresh)) out.set(b.statement.id, b);
  for (const [id, b] of fresh) if (b.statement.payment_id === paymentId) out.set(id, b);
  return [...out.values()];
}

/**
 * Stored statements by the payment that pays them, read one payment at a time: the statement
 * headers (a few per payment) and their reserve movements, never the rest of their transactions.
 */
export class StoredStatements {
  private readonly byPayment: Map<string, string[]>;

  constructor(private readonly store: Store, private readonly integrationId: number) {
    // Statement ids and payment ids only (a few dozen bytes per statement).
    const rows = store.db
      .prepare(`SELECT external_id AS id, json_extract(raw_json, '$.payment_id') AS paymentId FROM source_records WHERE integration_id = ? AND kind = 'statement' ORDER BY occurred_at, id`)
      .all(integrationId) as Array<{ id: string; paymentId: string | null }>;
    this.byPayment = new Map();
    for (const r of rows) {
      if (!r.paymentId) continue;
      const list = this.byPayment.get(r.paymentId);
      if (list) list.push(r.id);
      else this.byPayment.set(r.paymentId, [r.id]);
    }
  }

  /** The stored statements of a payment, in order; those of this run (`fresh`) are taken from it instead of read. */
  forPayment(paymentId: string, fresh: Map<string, StatementBundle> = new Map()): StatementBundle[] {
    // By the statement_id index (the "+" keeps SQLite off the wider one): one statement's rows, not all transactions.
    const reserves = this.store.db.prepare(
      `SELECT raw_json AS raw FROM source_records WHERE statement_id = ? AND +integration_id = ? AND +kind = 'statement_transaction' AND json_extract(raw_json, '$.reserve_amount') IS NOT NULL ORDER BY occurred_at, id`,
    );
    const out: StatementBundle[] = [];
    for (const id of this.byPayment.get(paymentId) ?? []) {
      const own = fresh.get(id);
      if (own) {
        out.push(own);
        continue;
      }
      const row = this.store.sourceRecords.get(this.integrationId, 'statement', id);
      if (!row) continue;
      const transactions = (reserves.all(id, this.integrationId) as Array<{ raw: string }>).map((r) => JSON.parse(r.raw) as StatementTransaction);
      out.push({ statement: row.raw as Statement, transactions });
    }
    return out;
  }
}
