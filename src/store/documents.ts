import type BetterSqlite3 from 'better-sqlite3';
import { PreparedStatements, type Database } from './db.js';
import type { LedgerRef } from '../providers/ledger-connector.js';

/**
 * Lifecycle of a ledger document synder books:
 * pending (intent recorded, post may or may not have happened) → posted | failed;
 * posted → deleted (rollback) | replaced (a changed source superseded it).
 */
export type DocumentStatus = 'pending' | 'posted' | 'failed' | 'deleted' | 'replaced';

export interface DocumentRow {
  id: number;
  orgId: number;
  integrationId: number | null;
  key: string;
  /** The deterministic key of the economic event; versions after a change or rollback add "~vN". */
  baseKey: string;
  version: number;
  kind: string;
  sourceKind: string | null;
  sourceId: string | null;
  orderId: string | null;
  statementId: string | null;
  paymentId: string | null;
  date: string;
  currency: string;
  body: unknown;
  hash: string;
  status: DocumentStatus;
  refs: LedgerRef[];
  fix: string | null;
  error: string | null;
  warnings: string[];
  runId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface DocumentIntent {
  orgId: number;
  integrationId: number | null;
  key: string;
  kind: string;
  sourceKind?: string | null;
  sourceId?: string | null;
  orderId?: string | null;
  statementId?: string | null;
  paymentId?: string | null;
  date: string;
  currency: string;
  body: unknown;
  hash: string;
  warnings: string[];
  runId: number | null;
}

interface Row {
  id: number; org_id: number; integration_id: number | null; key: string; kind: string; source_kind: string | null; source_id: string | null;
  order_id: string | null; statement_id: string | null; payment_id: string | null; date: string; currency: string; body_json: string; hash: string;
  status: DocumentStatus; ledger_type: string | null; ledger_id: string | null; ledger_number: string | null; ledger_json: string | null;
  error: string | null; warnings_json: string; run_id: number | null; created_at: string; updated_at: string;
}

const VERSION = /~v(\d+)$/;

export const splitKey = (key: string): { baseKey: string; version: number } => {
  const m = VERSION.exec(key);
  return m ? { baseKey: key.slice(0, m.index), version: Number(m[1]) } : { baseKey: key, version: 1 };
};

export const versionedKey = (baseKey: string, version: number): string => (version <= 1 ? baseKey : `${baseKey}~v${version}`);

const fromRow = (r: Row): DocumentRow => {
  const ledger = r.ledger_json ? (JSON.parse(r.ledger_json) as { refs?: LedgerRef[]; fix?: string }) : {};
  const { baseKey, version } = splitKey(r.key);
  return {
    id: r.id, orgId: r.org_id, integrationId: r.integration_id, key: r.key, baseKey, version, kind: r.kind,
    sourceKind: r.source_kind, sourceId: r.source_id, orderId: r.order_id, statementId: r.statement_id, paymentId: r.payment_id,
    date: r.date, currency: r.currency, body: JSON.parse(r.body_json) as unknown, hash: r.hash, status: r.status,
    refs: ledger.refs ?? [], fix: ledger.fix ?? null, error: r.error, warnings: JSON.parse(r.warnings_json) as string[],
    runId: r.run_id, createdAt: r.created_at, updatedAt: r.updated_at,
  };
};

export interface DocumentFilter {
  status?: DocumentStatus[];
  integrationId?: number;
  orderId?: string;
  statementId?: string;
  paymentId?: string;
  runId?: number;
  since?: string;
  until?: string;
}

export class DocumentRepository {
  private readonly statements: PreparedStatements;

  constructor(private readonly db: Database, private readonly now: () => Date) {
    this.statements = new PreparedStatements(db);
  }

  private prepare(sql: string): BetterSqlite3.Statement<unknown[]> {
    return this.statements.get(sql);
  }

  get(key: string): DocumentRow | undefined {
    const r = this.prepare('SELECT * FROM documents WHERE key = ?').get(key) as Row | undefined;
    return r && fromRow(r);
  }

  /** Every version of one economic event, oldest first. */
  versions(baseKey: string): DocumentRow[] {
    // Two lookups on the unique key index (the key itself, then the "~v" range); a substr()
    // condition here scanned the whole table for every document.
    const rows = this.prepare("SELECT * FROM documents WHERE key = ? UNION ALL SELECT * FROM documents WHERE key >= ? AND key < ?")
      .all(baseKey, `${baseKey}~v`, `${baseKey}~w`) as Row[];
    return rows.map(fromRow).filter((d) => d.baseKey === baseKey).sort((a, b) => a.version - b.version);
  }

  /** The newest version of an economic event, whatever its status. */
  latest(baseKey: string): DocumentRow | undefined {
    const all = this.versions(baseKey);
    return all[all.length - 1];
  }

  /** Records the intent to post (status pending) — always before the ledger is called. Not read back: a sync records thousands. */
  recordIntent(i: DocumentIntent): void {
    const at = this.now().toISOString();
    this.prepare(
        `INSERT INTO documents (org_id, integration_id, key, kind, source_kind, source_id, order_id, statement_id, payment_id, date, currency,
           body_json, hash, status, warnings_json, run_id, created_at, updated_at)
         VALUES (@orgId, @integrationId, @key, @kind, @sourceKind, @sourceId, @orderId, @statementId, @paymentId, @date, @currency,
           @body, @hash, 'pending', @warnings, @runId, @at, @at)
         ON CONFLICT(key) DO UPDATE SET body_json=excluded.body_json, hash=excluded.hash, date=excluded.date, status='pending',
           warnings_json=excluded.warnings_json, run_id=excluded.run_id, error=NULL, updated_at=excluded.updated_at`,
      )
      .run({
        orgId: i.orgId, integrationId: i.integrationId, key: i.key, kind: i.kind, sourceKind: i.sourceKind ?? null, sourceId: i.sourceId ?? null,
        orderId: i.orderId ?? null, statementId: i.statementId ?? null, paymentId: i.paymentId ?? null, date: i.date, currency: i.currency,
        body: JSON.stringify(i.body), hash: i.hash, warnings: JSON.stringify(i.warnings), runId: i.runId, at,
      });
  }

  markPosted(key: string, refs: LedgerRef[], runId: number | null): void {
    const first = refs[0];
    this.prepare(`UPDATE documents SET status='posted', ledger_type=?, ledger_id=?, ledger_number=?, ledger_json=?, error=NULL, run_id=COALESCE(?, run_id), updated_at=? WHERE key=?`)
      .run(first?.type ?? null, first?.id ?? null, first?.number ?? null, JSON.stringify({ refs }), runId, this.now().toISOString(), key);
  }

  markFailed(key: string, error: string, fix: string | undefined, refs: LedgerRef[] = []): void {
    this.prepare(`UPDATE documents SET status='failed', error=?, ledger_json=?, updated_at=? WHERE key=?`)
      .run(error, JSON.stringify({ refs, fix: fix ?? undefined }), this.now().toISOString(), key);
  }

  setStatus(key: string, status: DocumentStatus, error?: string | null): void {
    this.prepare('UPDATE documents SET status=?, error=?, updated_at=? WHERE key=?').run(status, error ?? null, this.now().toISOString(), key);
  }

  /** Whether the org has any document in one of these statuses (without loading rows). */
  hasAny(orgId: number, statuses: DocumentStatus[]): boolean {
    const marks = statuses.map(() => '?').join(',');
    return this.db.prepare(`SELECT 1 FROM documents WHERE org_id = ? AND status IN (${marks}) LIMIT 1`).get(orgId, ...statuses) !== undefined;
  }

  list(orgId: number, f: DocumentFilter = {}): DocumentRow[] {
    const where = ['org_id = @orgId'];
    const params: Record<string, unknown> = { orgId };
    if (f.status?.length) {
      where.push(`status IN (${f.status.map((_, i) => `@s${i}`).join(',')})`);
      f.status.forEach((s, i) => (params[`s${i}`] = s));
    }
    for (const [col, name] of [['integration_id', 'integrationId'], ['order_id', 'orderId'], ['statement_id', 'statementId'], ['payment_id', 'paymentId'], ['run_id', 'runId']] as const) {
      if (f[name] !== undefined) {
        where.push(`${col} = @${name}`);
        params[name] = f[name];
      }
    }
    if (f.since) {
      where.push('date >= @since');
      params.since = f.since;
    }
    if (f.until) {
      where.push('date < @until');
      params.until = f.until;
    }
    return (this.prepare(`SELECT * FROM documents WHERE ${where.join(' AND ')} ORDER BY date, id`).all(params) as Row[]).map(fromRow);
  }
}
