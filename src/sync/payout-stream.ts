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
export async function payoutWork(src: IntegrationSource, payments: Payment[], forPayouts: Map<string, StatementBundle>): Promise<Built> {
  const { run, integration } = src;
  const ctx: BuildContext = { ...src.ctx, orders: new Map() };
  const out: Built = { work: [], links: [] };
  let stored: StoredStatements | undefined;
  for (const payment of payments) {
    const state = await run.store.transaction(() => observe(src, paymentSource(integration.id, payment)));
    if (!needsWork(state)) continue;
    stored ??= await StoredStatements.read(run.store, integration.id);
    const statements = await statementsOf(payment.id, stored, forPayouts);
    let built: BuildOutput;
    try {
      built = src.builder.payout(payment, statements, ctx);
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
export async function statementsOf(paymentId: string, stored: Pick<StoredStatements, 'forPayment'>, fresh: Map<string, StatementBundle>): Promise<StatementBundle[]> {
  const out = new Map<string, StatementBundle>();
  for (const b of await stored.forPayment(paymentId, fresh)) out.set(b.statement.id, b);
  for (const [id, b] of fresh) if (b.statement.payment_id === paymentId) out.set(id, b);
  return [...out.values()];
}

/**
 * Stored statements by the payment that pays them, read one payment at a time: the statement
 * headers (a few per payment) and their reserve movements, never the rest of their transactions.
 */
export class StoredStatements {
  private readonly byPayment = new Map<string, string[]>();

  private constructor(private readonly store: Store, private readonly integrationId: number) {}

  static async read(store: Store, integrationId: number): Promise<StoredStatements> {
    const stored = new StoredStatements(store, integrationId);
    await stored.load();
    return stored;
  }

  private async load(): Promise<void> {
    // Statement ids and payment ids only (a few dozen bytes per statement).
    const rows = await this.store.sourceRecords.statementPayments(this.integrationId);
    for (const r of rows) {
      if (!r.paymentId) continue;
      const list = this.byPayment.get(r.paymentId);
      if (list) list.push(r.id);
      else this.byPayment.set(r.paymentId, [r.id]);
    }
  }

  /** The stored statements of a payment, in order; those of this run (`fresh`) are taken from it instead of read. */
  async forPayment(paymentId: string, fresh: Map<string, StatementBundle> = new Map()): Promise<StatementBundle[]> {
    const out: StatementBundle[] = [];
    for (const id of this.byPayment.get(paymentId) ?? []) {
      const own = fresh.get(id);
      if (own) {
        out.push(own);
        continue;
      }
      const row = await this.store.sourceRecords.get(this.integrationId, 'statement', id);
      if (!row) continue;
      const transactions = (await this.store.sourceRecords.statementReserveRaws(this.integrationId, id)).map((raw) => JSON.parse(raw) as StatementTransaction);
      out.push({ statement: row.raw as Statement, transactions });
    }
    return out;
  }
}
