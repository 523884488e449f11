import type BetterSqlite3 from 'better-sqlite3';
import { PreparedStatements, type Database } from './db.js';

/** The "Platform transactions" status of a source record. */
export type SourceStatus = 'ready' | 'synced' | 'synced_with_warnings' | 'failed' | 'skipped' | 'deleted';
export type SourceRecordKind = 'statement' | 'statement_transaction' | 'payment' | 'order';

export interface SourceRecord {
  id: number;
  integrationId: number;
  kind: SourceRecordKind;
  externalId: string;
  statementId: string | null;
  orderId: string | null;
  occurredAt: string | null;
  currency: string | null;
  amountMinor: number | null;
  raw: unknown;
  hash: string;
  status: SourceStatus;
  error: string | null;
  fetchedAt: string;
  updatedAt: string;
}

export interface SourceInput {
  integrationId: number;
  kind: SourceRecordKind;
  externalId: string;
  statementId?: string | null;
  orderId?: string | null;
  occurredAt?: string | null;
  currency?: string | null;
  amountMinor?: number | null;
  raw: unknown;
  hash: string;
}

interface Row {
  id: number; integration_id: number; kind: SourceRecordKind; external_id: string; statement_id: string | null; order_id: string | null;
  occurred_at: string | null; currency: string | null; amount_minor: number | null; raw_json: string; hash: string; status: SourceStatus;
  error: string | null; fetched_at: string; updated_at: string;
}

const fromRow = (r: Row, raw: unknown = JSON.parse(r.raw_json)): SourceRecord => ({
  id: r.id, integrationId: r.integration_id, kind: r.kind, externalId: r.external_id, statementId: r.statement_id, orderId: r.order_id,
  occurredAt: r.occurred_at, currency: r.currency, amountMinor: r.amount_minor, raw, hash: r.hash,
  status: r.status, error: r.error, fetchedAt: r.fetched_at, updatedAt: r.updated_at,
});

export interface SourceFilter {
  integrationIds?: number[];
  kind?: SourceRecordKind[];
  status?: SourceStatus[];
  orderId?: string;
  statementId?: string;
  since?: string;
  until?: string;
}

export class SourceRecordRepository {
  private readonly statements: PreparedStatements;

  constructor(db: Database, private readonly now: () => Date) {
    this.statements = new PreparedStatements(db);
  }

  private prepare(sql: string): BetterSqlite3.Statement<unknown[]> {
    return this.statements.get(sql);
  }

  get(integrationId: number, kind: SourceRecordKind, externalId: string): SourceRecord | undefined {
    const r = this.prepare('SELECT * FROM source_records WHERE integration_id=? AND kind=? AND external_id=?').get(integrationId, kind, externalId) as Row | undefined;
    return r && fromRow(r);
  }

  byId(id: number): SourceRecord | undefined {
    const r = this.prepare('SELECT * FROM source_records WHERE id=?').get(id) as Row | undefined;
    return r && fromRow(r);
  }

  /**
   * Stores what the platform sent, verbatim. `change` says whether the record is new, the same
   * as last time, or changed (its hash differs) — a changed one goes back to `ready`.
   */
  upsert(i: SourceInput): { record: SourceRecord; change: 'new' | 'same' | 'changed'; previous?: SourceRecord } {
    // Compared by hash without parsing the stored JSON: an unchanged record (every re-read in the
    // lookback window) is the common case. Its raw is the input's (the same content, by hash).
    const stored = this.prepare('SELECT * FROM source_records WHERE integration_id=? AND kind=? AND external_id=?').get(i.integrationId, i.kind, i.externalId) as Row | undefined;
    if (stored && stored.hash === i.hash) return { record: fromRow(stored, i.raw), change: 'same' };
    const previous = stored && fromRow(stored);
    const at = this.now().toISOString();
    const raw = JSON.stringify(i.raw);
    // The record is returned as written, not read back: a sync writes one per transaction and
    // order, and reading each back parsed its JSON a second time.
    const written = (id: number, fetchedAt: string): SourceRecord => ({
      id, integrationId: i.integrationId, kind: i.kind, externalId: i.externalId, statementId: i.statementId ?? null, orderId: i.orderId ?? null,
      occurredAt: i.occurredAt ?? null, currency: i.currency ?? null, amountMinor: i.amountMinor ?? null, raw: i.raw, hash: i.hash,
      status: 'ready', error: null, fetchedAt, updatedAt: at,
    });
    if (previous) {
      this.prepare(`UPDATE source_records SET statement_id=?, order_id=?, occurred_at=?, currency=?, amount_minor=?, raw_json=?, hash=?, status='ready', error=NULL, fetched_at=?, updated_at=? WHERE id=?`)
        .run(i.statementId ?? null, i.orderId ?? null, i.occurredAt ?? null, i.currency ?? null, i.amountMinor ?? null, raw, i.hash, at, at, previous.id);
      return { record: written(previous.id, at), change: 'changed', previous };
    }
    const info = this.prepare(
        `INSERT INTO source_records (integration_id, kind, external_id, statement_id, order_id, occurred_at, currency, amount_minor, raw_json, hash, fetched_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(i.integrationId, i.kind, i.externalId, i.statementId ?? null, i.orderId ?? null, i.occurredAt ?? null, i.currency ?? null, i.amountMinor ?? null, raw, i.hash, at, at);
    return { record: written(Number(info.lastInsertRowid), at), change: 'new' };
  }

  setStatus(id: number, status: SourceStatus, error?: string | null): void {
    this.prepare('UPDATE source_records SET status=?, error=?, updated_at=? WHERE id=?').run(status, error ?? null, this.now().toISOString(), id);
  }

  list(f: SourceFilter = {}): SourceRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const inList = (col: string, values: unknown[] | undefined) => {
      if (!values) return;
      if (values.length === 0) where.push('0');
      else {
        where.push(`${col} IN (${values.map(() => '?').join(',')})`);
        params.push(...values);
      }
    };
    inList('integration_id', f.integrationIds);
    inList('kind', f.kind);
    inList('status', f.status);
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
    return (this.prepare(sql).all(...params) as Row[]).map((r) => fromRow(r));
  }
}
