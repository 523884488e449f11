import { z } from 'zod';
import type { Order, Payment, Statement, StatementTransaction } from '../booking/tiktok-data.js';
import * as tiktok from '../providers/tiktok/schemas.js';
import { parseColumn, parseJsonColumn } from './json.js';
import type { SqlConnection } from './sql.js';

/** The "Platform transactions" status of a source record. */
const sourceStatus = z.enum(['ready', 'synced', 'synced_with_warnings', 'failed', 'skipped', 'deleted']);
export type SourceStatus = z.output<typeof sourceStatus>;
export type SourceRecordKind = 'statement' | 'statement_transaction' | 'payment' | 'order';

/** What TikTok sent for each kind of record, as its client's schemas parsed it (stored verbatim). */
interface RawByKind {
  statement: Statement;
  statement_transaction: StatementTransaction;
  payment: Payment;
  order: Order;
}

// The stored value is a schema's output; parsing it again gives the same value back.
const rawSchema: { [K in SourceRecordKind]: z.ZodType<RawByKind[K]> } = {
  statement: tiktok.statement,
  statement_transaction: tiktok.statementTransaction,
  payment: tiktok.payment,
  order: tiktok.order,
};
const recordKind = z.enum(['statement', 'statement_transaction', 'payment', 'order']);

/** A stored source record; `raw` has the type of its kind (narrow on `kind`). */
export type SourceRecord<K extends SourceRecordKind = SourceRecordKind> = { [P in K]: SourceRecordOf<P> }[K];

interface SourceRecordOf<K extends SourceRecordKind> {
  id: number;
  integrationId: number;
  kind: K;
  externalId: string;
  statementId: string | null;
  orderId: string | null;
  occurredAt: string | null;
  currency: string | null;
  amountMinor: number | null;
  raw: RawByKind[K];
  hash: string;
  status: SourceStatus;
  error: string | null;
  fetchedAt: string;
  updatedAt: string;
}

export type SourceInput<K extends SourceRecordKind = SourceRecordKind> = { [P in K]: SourceInputOf<P> }[K];

interface SourceInputOf<K extends SourceRecordKind> {
  integrationId: number;
  kind: K;
  externalId: string;
  statementId?: string | null;
  orderId?: string | null;
  occurredAt?: string | null;
  currency?: string | null;
  amountMinor?: number | null;
  raw: RawByKind[K];
  hash: string;
}

interface Row {
  id: number; integration_id: number; kind: string; external_id: string; statement_id: string | null; order_id: string | null;
  occurred_at: string | null; currency: string | null; amount_minor: number | null; raw_json: string; hash: string; status: string;
  error: string | null; fetched_at: string; updated_at: string;
}

const fromRow = <K extends SourceRecordKind = SourceRecordKind>(r: Row, known?: RawByKind[K]): SourceRecord<K> => {
  const at = (column: string) => ({ table: 'source_records', row: `${r.id} (${r.kind} ${r.external_id})`, column });
  const kind = parseColumn(recordKind, r.kind, at('kind'));
  // A caller that holds the content already (same hash) passes it, so it is never parsed.
  let raw: RawByKind[SourceRecordKind] | undefined = known;
  const record: SourceRecordOf<SourceRecordKind> = {
    id: r.id, integrationId: r.integration_id, kind, externalId: r.external_id, statementId: r.statement_id, orderId: r.order_id,
    occurredAt: r.occurred_at, currency: r.currency, amountMinor: r.amount_minor,
    // Checked when first read: a sync looks at many records only for their hash and status.
    get raw() {
      return (raw ??= parseJsonColumn(rawSchema[kind], r.raw_json, at('raw_json')));
    },
    hash: r.hash, status: parseColumn(sourceStatus, r.status, at('status')), error: r.error, fetchedAt: r.fetched_at, updatedAt: r.updated_at,
  };
  return record as SourceRecord<K>;
};

export interface SourceFilter<K extends SourceRecordKind = SourceRecordKind> {
  /** Records of this org's integrations. */
  orgId?: number;
  integrationIds?: number[];
  kind?: K[];
  status?: SourceStatus[];
  orderId?: string;
  orderIds?: string[];
  statementId?: string;
  since?: string;
  until?: string;
}

export class SourceRecordRepository {
  constructor(private readonly conn: () => SqlConnection, private readonly now: () => Date) {}

  async get<K extends SourceRecordKind>(integrationId: number, kind: K, externalId: string): Promise<SourceRecord<K> | undefined> {
    const r = await this.conn().get<Row>('SELECT * FROM source_records WHERE integration_id=? AND kind=? AND external_id=?', [integrationId, kind, externalId]);
    return r && fromRow<K>(r);
  }

  /** Whether the record is stored (without reading it). */
  async has(integrationId: number, kind: SourceRecordKind, externalId: string): Promise<boolean> {
    return (await this.conn().get('SELECT 1 FROM source_records WHERE integration_id = ? AND kind = ? AND external_id = ?', [integrationId, kind, externalId])) !== undefined;
  }

  async byId(id: number): Promise<SourceRecord | undefined> {
    const r = await this.conn().get<Row>('SELECT * FROM source_records WHERE id=?', [id]);
    return r && fromRow(r);
  }

  /** A record's status and error only: comparing them does not need its raw JSON. */
  async statusOf(id: number): Promise<{ status: SourceStatus; error: string | null } | undefined> {
    const r = await this.conn().get<{ status: string; error: string | null }>('SELECT status, error FROM source_records WHERE id = ?', [id]);
    return r && { status: parseColumn(sourceStatus, r.status, { table: 'source_records', row: id, column: 'status' }), error: r.error };
  }

  /**
   * One statement's transactions by id, `limit` after `afterId`: a large statement is read back a
   * page at a time. A statement's transactions share its time, so id order is theirs.
   */
  async statementTransactionPage(integrationId: number, statementId: string, afterId: number, limit: number): Promise<Array<{ id: number; raw: RawByKind['statement_transaction'] }>> {
    // By the statement_id index: on SQLite the "+" keeps the planner off the wider (integration, kind) one.
    const sql =
      this.conn().dialect === 'sqlite'
        ? `SELECT id, raw_json AS raw FROM source_records WHERE statement_id = ? AND +integration_id = ? AND +kind = 'statement_transaction' AND id > ? ORDER BY id LIMIT ?`
        : `SELECT id, raw_json AS raw FROM source_records WHERE statement_id = ? AND integration_id = ? AND kind = 'statement_transaction' AND id > ? ORDER BY id LIMIT ?`;
    const rows = await this.conn().all<{ id: number; raw: string }>(sql, [statementId, integrationId, afterId, limit]);
    return rows.map((r) => ({ id: Number(r.id), raw: parseJsonColumn(rawSchema.statement_transaction, r.raw, { table: 'source_records', row: r.id, column: 'raw_json' }) }));
  }

  /**
   * Stores what the platform sent, verbatim. `change` says whether the record is new, the same
   * as last time, or changed (its hash differs) — a changed one goes back to `ready`.
   */
  async upsert<K extends SourceRecordKind>(i: SourceInput<K>, retried = false): Promise<{ record: SourceRecord<K>; change: 'new' | 'same' | 'changed'; previous?: SourceRecord<K> }> {
    const conn = this.conn();
    // An unchanged record (every re-read in the lookback window) is the common case: its content
    // is the input's (the same hash), so the stored JSON is not parsed.
    const stored = await conn.get<Row>('SELECT * FROM source_records WHERE integration_id=? AND kind=? AND external_id=?', [i.integrationId, i.kind, i.externalId]);
    if (stored && stored.hash === i.hash) return { record: fromRow<K>(stored, i.raw as RawByKind[K]), change: 'same' };
    const previous = stored && fromRow<K>(stored);
    const at = this.now().toISOString();
    const raw = JSON.stringify(i.raw);
    // The record is returned as written, not read back: a sync writes one per transaction and
    // order, and reading each back parsed its JSON a second time.
    const written = (id: number, fetchedAt: string): SourceRecord<K> => ({
      id, integrationId: i.integrationId, kind: i.kind, externalId: i.externalId, statementId: i.statementId ?? null, orderId: i.orderId ?? null,
      occurredAt: i.occurredAt ?? null, currency: i.currency ?? null, amountMinor: i.amountMinor ?? null, raw: i.raw, hash: i.hash,
      status: 'ready', error: null, fetchedAt, updatedAt: at,
    }) as SourceRecordOf<SourceRecordKind> as SourceRecord<K>;
    if (previous) {
      await conn.run(
        `UPDATE source_records SET statement_id=?, order_id=?, occurred_at=?, currency=?, amount_minor=?, raw_json=?, hash=?, status='ready', error=NULL, fetched_at=?, updated_at=? WHERE id=?`,
        [i.statementId ?? null, i.orderId ?? null, i.occurredAt ?? null, i.currency ?? null, i.amountMinor ?? null, raw, i.hash, at, at, previous.id],
      );
      return { record: written(previous.id, at), change: 'changed', previous };
    }
    // Two flows may store the same record at once; with PostgreSQL (a connection per transaction)
    // both can find it missing above, and the one that inserts second must take what the first
    // wrote rather than fail the sync on the unique key.
    const row = await conn.get<{ id: number }>(
      `INSERT INTO source_records (integration_id, kind, external_id, statement_id, order_id, occurred_at, currency, amount_minor, raw_json, hash, fetched_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (integration_id, kind, external_id) DO NOTHING RETURNING id`,
      [i.integrationId, i.kind, i.externalId, i.statementId ?? null, i.orderId ?? null, i.occurredAt ?? null, i.currency ?? null, i.amountMinor ?? null, raw, i.hash, at, at],
    );
    if (row) return { record: written(Number(row.id), at), change: 'new' };
    if (retried) throw new Error(`source record ${i.kind} ${i.externalId} of integration ${i.integrationId} is neither insertable nor readable`);
    return this.upsert(i, true);
  }

  async setStatus(id: number, status: SourceStatus, error?: string | null): Promise<void> {
    await this.conn().run('UPDATE source_records SET status=?, error=?, updated_at=? WHERE id=?', [status, error ?? null, this.now().toISOString(), id]);
  }

  /**
   * Sets the status of a statement's transactions (but those in `except`) in two statements, not
   * two per transaction: a summary books a large shop's statement of thousands at once. Those
   * whose status or error changes get an event each, as one status change at a time would.
   * Returns how many changed.
   */
  async setStatementTransactionStatuses(
    p: { integrationId: number; statementId: string; except: number[]; status: SourceStatus; error: string | null; event?: { orgId: number; runId: number | null } },
  ): Promise<number> {
    const at = this.now().toISOString();
    // SQLite: `+` keeps the planner on the statement_id index (the integration's index scans all its records).
    const plus = this.conn().dialect === 'sqlite' ? '+' : '';
    const where = `statement_id = ? AND ${plus}integration_id = ? AND ${plus}kind = 'statement_transaction' AND NOT (status = ? AND COALESCE(error, '') = COALESCE(CAST(? AS TEXT), ''))${p.except.length > 0 ? ` AND id NOT IN (${p.except.map(() => '?').join(',')})` : ''}`;
    const whereParams = [p.statementId, p.integrationId, p.status, p.error, ...p.except];
    if (p.event) {
      await this.conn().run(
        `INSERT INTO events (org_id, subject_kind, subject_id, status, message, run_id, at) SELECT CAST(? AS BIGINT), 'statement_transaction', external_id, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT) FROM source_records WHERE ${where} ORDER BY id`,
        [p.event.orgId, p.status, p.error, p.event.runId, at, ...whereParams],
      );
    }
    return (await this.conn().run(`UPDATE source_records SET status = ?, error = ?, updated_at = ? WHERE ${where}`, [p.status, p.error, at, ...whereParams])).changes;
  }

  async list<K extends SourceRecordKind = SourceRecordKind>(f: SourceFilter<K> = {}): Promise<SourceRecord<K>[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const inList = (col: string, values: unknown[] | undefined) => {
      if (!values) return;
      if (values.length === 0) where.push('1 = 0');
      else {
        where.push(`${col} IN (${values.map(() => '?').join(',')})`);
        params.push(...values);
      }
    };
    if (f.orgId !== undefined) {
      where.push('integration_id IN (SELECT id FROM integrations WHERE org_id = ?)');
      params.push(f.orgId);
    }
    inList('integration_id', f.integrationIds);
    inList('kind', f.kind);
    inList('status', f.status);
    inList('order_id', f.orderIds);
    if (f.orderId !== undefined) {
      where.push('order_id = ?');
      params.push(f.orderId);
    }
    if (f.statementId !== undefined) {
      where.push('statement_id = ?');
      params.push(f.statementId);
    }
    if (f.since) {
      where.push('occurred_at >= ?');
      params.push(f.since);
    }
    if (f.until) {
      where.push('occurred_at < ?');
      params.push(f.until);
    }
    const sql = `SELECT * FROM source_records${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY occurred_at, id`;
    return (await this.conn().all<Row>(sql, params)).map((r) => fromRow<K>(r));
  }

  /** Distinct orders, across every integration, with a settled ORDER statement transaction. */
  async settledOrderCount(): Promise<number> {
    const sql =
      this.conn().dialect === 'postgres'
        ? "SELECT COUNT(DISTINCT order_id) AS n FROM source_records WHERE kind = 'statement_transaction' AND (raw_json::jsonb)->>'type' = 'ORDER'"
        : "SELECT COUNT(DISTINCT order_id) AS n FROM source_records WHERE kind = 'statement_transaction' AND json_extract(raw_json, '$.type') = 'ORDER'";
    return Number((await this.conn().get<{ n: number | string }>(sql))!.n);
  }

  /** Ids of an integration's statements with transactions still to book (new, failed or rolled back). */
  async statementIdsNeedingWork(integrationId: number): Promise<string[]> {
    const rows = await this.conn().all<{ id: string }>(
      `SELECT DISTINCT statement_id AS id FROM source_records WHERE integration_id = ? AND kind = 'statement_transaction'
       AND status IN ('deleted', 'ready', 'failed') AND statement_id IS NOT NULL ORDER BY statement_id`,
      [integrationId],
    );
    return rows.map((r) => r.id);
  }

  /** An integration's transactions that carry a reserve movement, without loading the rest. */
  async reserveTransactions(integrationId: number): Promise<Array<SourceRecord<'statement_transaction'>>> {
    const sql =
      this.conn().dialect === 'postgres'
        ? `SELECT * FROM source_records WHERE integration_id = ? AND kind = 'statement_transaction' AND (raw_json::jsonb)->>'reserve_amount' IS NOT NULL ORDER BY occurred_at, id`
        : `SELECT * FROM source_records WHERE integration_id = ? AND kind = 'statement_transaction' AND json_extract(raw_json, '$.reserve_amount') IS NOT NULL ORDER BY occurred_at, id`;
    return (await this.conn().all<Row>(sql, [integrationId])).map((r) => fromRow<'statement_transaction'>(r));
  }

  /** An integration's statements (ids only) with the payment that pays each, oldest first. */
  async statementPayments(integrationId: number): Promise<Array<{ id: string; paymentId: string | null }>> {
    const sql =
      this.conn().dialect === 'postgres'
        ? `SELECT external_id AS id, (raw_json::jsonb)->>'payment_id' AS "paymentId" FROM source_records WHERE integration_id = ? AND kind = 'statement' ORDER BY occurred_at, id`
        : `SELECT external_id AS id, json_extract(raw_json, '$.payment_id') AS paymentId FROM source_records WHERE integration_id = ? AND kind = 'statement' ORDER BY occurred_at, id`;
    return this.conn().all(sql, [integrationId]);
  }

  /** What TikTok sent for one statement's transactions that move the reserve (their raw JSON, unparsed). */
  async statementReserveRaws(integrationId: number, statementId: string): Promise<string[]> {
    // By the statement_id index (the "+" keeps SQLite off the wider one): one statement's rows, not all transactions.
    const sql =
      this.conn().dialect === 'postgres'
        ? `SELECT raw_json AS raw FROM source_records WHERE statement_id = ? AND integration_id = ? AND kind = 'statement_transaction' AND (raw_json::jsonb)->>'reserve_amount' IS NOT NULL ORDER BY occurred_at, id`
        : `SELECT raw_json AS raw FROM source_records WHERE statement_id = ? AND +integration_id = ? AND +kind = 'statement_transaction' AND json_extract(raw_json, '$.reserve_amount') IS NOT NULL ORDER BY occurred_at, id`;
    return (await this.conn().all<{ raw: string }>(sql, [statementId, integrationId])).map((r) => r.raw);
  }
}
