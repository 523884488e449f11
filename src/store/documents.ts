import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import type { BookingDocument } from '../booking/document.js';
import type { LedgerRef } from '../providers/ledger-connector.js';
import { PreparedStatements, type Database } from './db.js';
import { parseColumn, parseJsonColumn } from './json.js';
import { accountRole } from './settings.js';

/**
 * Lifecycle of a ledger document synder books:
 * pending (intent recorded, post may or may not have happened) → posted | failed;
 * posted → deleted (rollback) | replaced (a changed source superseded it).
 */
export const documentStatus = z.enum(['pending', 'posted', 'failed', 'deleted', 'replaced']);
export type DocumentStatus = z.output<typeof documentStatus>;

/** The booked document as synder built it (what explain, export and a retry read back). */
const bookingDocument = z.object({
  key: z.string(),
  kind: z.enum(['sale', 'fees', 'refund', 'reserve', 'adjustment', 'statement', 'payout']),
  date: z.string(),
  currency: z.string(),
  memo: z.string(),
  lines: z.array(
    z.object({
      role: accountRole,
      amountMinor: z.number().int(),
      description: z.string(),
      source: z.object({ kind: z.enum(['statement_transaction', 'statement', 'payment', 'order']), id: z.string(), field: z.string() }),
      item: z.object({ sku: z.string().optional(), name: z.string().optional(), quantity: z.number().optional() }).optional(),
      tax: z.object({ code: z.string(), name: z.string(), percent: z.number(), amountMinor: z.number().int(), rateId: z.string().optional() }).optional(),
    }),
  ),
  refs: z.object({
    shopId: z.string(),
    orderId: z.string().optional(),
    statementId: z.string().optional(),
    transactionId: z.string().optional(),
    paymentId: z.string().optional(),
  }),
  warnings: z.array(z.string()),
  memoData: z.record(z.string(), z.string()).optional(),
});

const ledgerRef = z.object({ type: z.string(), id: z.string(), number: z.string().optional(), url: z.string().optional() });
/** What the ledger answered: the objects it holds for the document, or the fix for a failure. */
const ledgerAnswer = z.object({ refs: z.array(ledgerRef).optional(), fix: z.string().optional() });
const warnings = z.array(z.string());

// Compile-time proof that what is read back has the types the rest of synder uses.
type Assignable<T, U extends T> = U;
export type _Checks = [Assignable<BookingDocument, z.output<typeof bookingDocument>>, Assignable<LedgerRef, z.output<typeof ledgerRef>>];

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
  body: BookingDocument;
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
  body: BookingDocument;
  hash: string;
  warnings: string[];
  runId: number | null;
}

interface Row {
  id: number; org_id: number; integration_id: number | null; key: string; kind: string; source_kind: string | null; source_id: string | null;
  order_id: string | null; statement_id: string | null; payment_id: string | null; date: string; currency: string; body_json: string; hash: string;
  status: string; ledger_type: string | null; ledger_id: string | null; ledger_number: string | null; ledger_json: string | null;
  error: string | null; warnings_json: string; run_id: number | null; created_at: string; updated_at: string;
}

const VERSION = /~v(\d+)$/;

export const splitKey = (key: string): { baseKey: string; version: number } => {
  const m = VERSION.exec(key);
  return m ? { baseKey: key.slice(0, m.index), version: Number(m[1]) } : { baseKey: key, version: 1 };
};

export const versionedKey = (baseKey: string, version: number): string => (version <= 1 ? baseKey : `${baseKey}~v${version}`);

const fromRow = (r: Row): DocumentRow => {
  const at = (column: string) => ({ table: 'documents', row: `${r.id} (${r.key})`, column });
  const ledger = r.ledger_json ? parseJsonColumn(ledgerAnswer, r.ledger_json, at('ledger_json')) : {};
  const { baseKey, version } = splitKey(r.key);
  return {
    id: r.id, orgId: r.org_id, integrationId: r.integration_id, key: r.key, baseKey, version, kind: r.kind,
    sourceKind: r.source_kind, sourceId: r.source_id, orderId: r.order_id, statementId: r.statement_id, paymentId: r.payment_id,
    date: r.date, currency: r.currency, body: parseJsonColumn(bookingDocument, r.body_json, at('body_json')), hash: r.hash,
    status: parseColumn(documentStatus, r.status, at('status')),
    refs: ledger.refs ?? [], fix: ledger.fix ?? null, error: r.error, warnings: parseJsonColumn(warnings, r.warnings_json, at('warnings_json')),
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

/** One live document's Clearing and Reserve movement (Σ of its lines per role), without its body. */
export interface DocumentTotalsRow {
  key: string;
  kind: string;
  status: DocumentStatus;
  date: string;
  currency: string;
  orderId: string | null;
  statementId: string | null;
  paymentId: string | null;
  transactionId: string | null;
  clearingMinor: number;
  reserveMinor: number;
}

export class DocumentRepository {
  private readonly statements: PreparedStatements;

  constructor(db: Database, private readonly now: () => Date) {
    this.statements = new PreparedStatements(db);
  }

  private prepare(sql: string): BetterSqlite3.Statement<unknown[]> {
    return this.statements.get(sql);
  }

  get(orgId: number, key: string): DocumentRow | undefined {
    const r = this.prepare('SELECT * FROM documents WHERE org_id = ? AND key = ?').get(orgId, key) as Row | undefined;
    return r && fromRow(r);
  }

  /** Every version of one economic event, oldest first. */
  versions(orgId: number, baseKey: string): DocumentRow[] {
    // Two lookups on the unique key index (the key itself, then the "~v" range); a substr()
    // condition here scanned the whole table for every document.
    const rows = this.prepare('SELECT * FROM documents WHERE org_id = ? AND key = ? UNION ALL SELECT * FROM documents WHERE org_id = ? AND key >= ? AND key < ?')
      .all(orgId, baseKey, orgId, `${baseKey}~v`, `${baseKey}~w`) as Row[];
    return rows.map(fromRow).filter((d) => d.baseKey === baseKey).sort((a, b) => a.version - b.version);
  }

  /** The newest version of an economic event, whatever its status. */
  latest(orgId: number, baseKey: string): DocumentRow | undefined {
    const all = this.versions(orgId, baseKey);
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
         ON CONFLICT(org_id, key) DO UPDATE SET body_json=excluded.body_json, hash=excluded.hash, date=excluded.date, status='pending',
           warnings_json=excluded.warnings_json, run_id=excluded.run_id, error=NULL, updated_at=excluded.updated_at`,
      )
      .run({
        orgId: i.orgId, integrationId: i.integrationId, key: i.key, kind: i.kind, sourceKind: i.sourceKind ?? null, sourceId: i.sourceId ?? null,
        orderId: i.orderId ?? null, statementId: i.statementId ?? null, paymentId: i.paymentId ?? null, date: i.date, currency: i.currency,
        body: JSON.stringify(i.body), hash: i.hash, warnings: JSON.stringify(i.warnings), runId: i.runId, at,
      });
  }

  markPosted(orgId: number, key: string, refs: LedgerRef[], runId: number | null): void {
    const first = refs[0];
    this.prepare(`UPDATE documents SET status='posted', ledger_type=?, ledger_id=?, ledger_number=?, ledger_json=?, error=NULL, run_id=COALESCE(?, run_id), updated_at=? WHERE org_id=? AND key=?`)
      .run(first?.type ?? null, first?.id ?? null, first?.number ?? null, JSON.stringify({ refs }), runId, this.now().toISOString(), orgId, key);
  }

  markFailed(orgId: number, key: string, error: string, fix: string | undefined, refs: LedgerRef[] = []): void {
    this.prepare(`UPDATE documents SET status='failed', error=?, ledger_json=?, updated_at=? WHERE org_id=? AND key=?`)
      .run(error, JSON.stringify({ refs, fix: fix ?? undefined }), this.now().toISOString(), orgId, key);
  }

  setStatus(orgId: number, key: string, status: DocumentStatus, error?: string | null): void {
    this.prepare('UPDATE documents SET status=?, error=?, updated_at=? WHERE org_id=? AND key=?').run(status, error ?? null, this.now().toISOString(), orgId, key);
  }

  /** Whether the org has any document in one of these statuses (without loading rows). */
  hasAny(orgId: number, statuses: DocumentStatus[]): boolean {
    const marks = statuses.map(() => '?').join(',');
    return this.prepare(`SELECT 1 FROM documents WHERE org_id = ? AND status IN (${marks}) LIMIT 1`).get(orgId, ...statuses) !== undefined;
  }

  /** How many ledger objects the posted documents of every org stand for (their refs). */
  postedLedgerObjectCount(): number {
    return (this.prepare("SELECT COALESCE(SUM(json_array_length(ledger_json, '$.refs')), 0) AS n FROM documents WHERE status = 'posted'").get() as { n: number }).n;
  }

  /**
   * Clearing and Reserve totals of every posted, pending or failed document of one integration,
   * summed by SQLite and read one row at a time, so reconciling a large shop never holds the
   * documents in memory. No other query may run on the store until the rows are read.
   */
  clearingTotals(orgId: number, integrationId: number): IterableIterator<DocumentTotalsRow> {
    return this.prepare(
      `SELECT d.key, d.kind, d.status, d.date, d.currency, d.order_id AS orderId, d.statement_id AS statementId, d.payment_id AS paymentId,
              CASE WHEN d.source_kind = 'statement_transaction' THEN d.source_id END AS transactionId,
              COALESCE(SUM(CASE WHEN json_extract(l.value, '$.role') = 'clearing' THEN json_extract(l.value, '$.amountMinor') END), 0) AS clearingMinor,
              COALESCE(SUM(CASE WHEN json_extract(l.value, '$.role') = 'reserve' THEN json_extract(l.value, '$.amountMinor') END), 0) AS reserveMinor
         FROM documents d, json_each(d.body_json, '$.lines') l
        WHERE d.org_id = ? AND d.integration_id = ? AND d.status IN ('posted', 'pending', 'failed')
        GROUP BY d.id
        ORDER BY d.id`,
    ).iterate(orgId, integrationId) as IterableIterator<DocumentTotalsRow>;
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
