import { z } from 'zod';
import type { BookingDocument } from '../booking/document.js';
import type { LedgerRef } from '../providers/ledger-connector.js';
import { parseColumn, parseJsonColumn } from './json.js';
import { accountRole } from './settings.js';
import type { SqlConnection } from './sql.js';

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
  constructor(private readonly conn: () => SqlConnection, private readonly now: () => Date) {}

  async get(orgId: number, key: string): Promise<DocumentRow | undefined> {
    const r = await this.conn().get<Row>('SELECT * FROM documents WHERE org_id = ? AND key = ?', [orgId, key]);
    return r && fromRow(r);
  }

  /** Every version of one economic event, oldest first. */
  async versions(orgId: number, baseKey: string): Promise<DocumentRow[]> {
    // Two lookups on the unique key index (the key itself, then the "~v" range); a substr()
    // condition here scanned the whole table for every document.
    const rows = await this.conn().all<Row>('SELECT * FROM documents WHERE org_id = ? AND key = ? UNION ALL SELECT * FROM documents WHERE org_id = ? AND key >= ? AND key < ?', [
      orgId, baseKey, orgId, `${baseKey}~v`, `${baseKey}~w`,
    ]);
    return rows.map(fromRow).filter((d) => d.baseKey === baseKey).sort((a, b) => a.version - b.version);
  }

  /** The newest version of an economic event, whatever its status. */
  async latest(orgId: number, baseKey: string): Promise<DocumentRow | undefined> {
    const all = await this.versions(orgId, baseKey);
    return all[all.length - 1];
  }

  /** Records the intent to post (status pending) — always before the ledger is called. Not read back: a sync records thousands. */
  async recordIntent(i: DocumentIntent): Promise<void> {
    const at = this.now().toISOString();
    await this.conn().run(
      `INSERT INTO documents (org_id, integration_id, key, kind, source_kind, source_id, order_id, statement_id, payment_id, date, currency,
         body_json, hash, status, warnings_json, run_id, created_at, updated_at)
       VALUES (@orgId, @integrationId, @key, @kind, @sourceKind, @sourceId, @orderId, @statementId, @paymentId, @date, @currency,
         @body, @hash, 'pending', @warnings, @runId, @at, @at)
       ON CONFLICT(org_id, key) DO UPDATE SET body_json=excluded.body_json, hash=excluded.hash, date=excluded.date, status='pending',
         warnings_json=excluded.warnings_json, run_id=excluded.run_id, error=NULL, updated_at=excluded.updated_at`,
      {
        orgId: i.orgId, integrationId: i.integrationId, key: i.key, kind: i.kind, sourceKind: i.sourceKind ?? null, sourceId: i.sourceId ?? null,
        orderId: i.orderId ?? null, statementId: i.statementId ?? null, paymentId: i.paymentId ?? null, date: i.date, currency: i.currency,
        body: JSON.stringify(i.body), hash: i.hash, warnings: JSON.stringify(i.warnings), runId: i.runId, at,
      },
    );
  }

  async markPosted(orgId: number, key: string, refs: LedgerRef[], runId: number | null): Promise<void> {
    const first = refs[0];
    await this.conn().run(
      `UPDATE documents SET status='posted', ledger_type=?, ledger_id=?, ledger_number=?, ledger_json=?, error=NULL, run_id=COALESCE(?, run_id), updated_at=? WHERE org_id=? AND key=?`,
      [first?.type ?? null, first?.id ?? null, first?.number ?? null, JSON.stringify({ refs }), runId, this.now().toISOString(), orgId, key],
    );
  }

  async markFailed(orgId: number, key: string, error: string, fix: string | undefined, refs: LedgerRef[] = []): Promise<void> {
    await this.conn().run(`UPDATE documents SET status='failed', error=?, ledger_json=?, updated_at=? WHERE org_id=? AND key=?`, [
      error, JSON.stringify({ refs, fix: fix ?? undefined }), this.now().toISOString(), orgId, key,
    ]);
  }

  async setStatus(orgId: number, key: string, status: DocumentStatus, error?: string | null): Promise<void> {
    await this.conn().run('UPDATE documents SET status=?, error=?, updated_at=? WHERE org_id=? AND key=?', [status, error ?? null, this.now().toISOString(), orgId, key]);
  }

  /** Whether the org has any document in one of these statuses (without loading rows). */
  async hasAny(orgId: number, statuses: DocumentStatus[]): Promise<boolean> {
    const marks = statuses.map(() => '?').join(',');
    return (await this.conn().get(`SELECT 1 FROM documents WHERE org_id = ? AND status IN (${marks}) LIMIT 1`, [orgId, ...statuses])) !== undefined;
  }

  /** Keys of the org's documents in these statuses, oldest first (keys only: a large backlog is then read a page at a time). */
  async keys(orgId: number, statuses: DocumentStatus[], opts: { notOfRun?: number | null } = {}): Promise<string[]> {
    const marks = statuses.map(() => '?').join(',');
    const params: unknown[] = [orgId, ...statuses];
    let notOfRun = '';
    if (opts.notOfRun !== undefined) {
      notOfRun = ' AND (run_id IS NULL OR run_id <> ?)';
      params.push(opts.notOfRun ?? -1);
    }
    const rows = await this.conn().all<{ key: string }>(`SELECT key FROM documents WHERE org_id = ? AND status IN (${marks})${notOfRun} ORDER BY date, id`, params);
    return rows.map((r) => r.key);
  }

  /** How many ledger objects the posted documents of every org stand for (their refs). */
  async postedLedgerObjectCount(): Promise<number> {
    const sql =
      this.conn().dialect === 'postgres'
        ? "SELECT COALESCE(SUM(jsonb_array_length((ledger_json::jsonb)->'refs')), 0) AS n FROM documents WHERE status = 'posted'"
        : "SELECT COALESCE(SUM(json_array_length(ledger_json, '$.refs')), 0) AS n FROM documents WHERE status = 'posted'";
    return Number((await this.conn().get<{ n: number | string }>(sql))!.n);
  }

  /**
   * Clearing and Reserve totals of every posted, pending or failed document of one integration,
   * summed by the database: only the totals reach synder, never the documents' bodies.
   */
  async clearingTotals(orgId: number, integrationId: number): Promise<DocumentTotalsRow[]> {
    const conn = this.conn();
    const sql =
      conn.dialect === 'postgres'
        ? `SELECT d.key, d.kind, d.status, d.date, d.currency, d.order_id AS "orderId", d.statement_id AS "statementId", d.payment_id AS "paymentId",
              CASE WHEN d.source_kind = 'statement_transaction' THEN d.source_id END AS "transactionId",
              COALESCE(SUM(CASE WHEN l.value->>'role' = 'clearing' THEN (l.value->>'amountMinor')::bigint END), 0) AS "clearingMinor",
              COALESCE(SUM(CASE WHEN l.value->>'role' = 'reserve' THEN (l.value->>'amountMinor')::bigint END), 0) AS "reserveMinor"
         FROM documents d, jsonb_array_elements((d.body_json::jsonb)->'lines') AS l(value)
        WHERE d.org_id = ? AND d.integration_id = ? AND d.status IN ('posted', 'pending', 'failed')
        GROUP BY d.id
        ORDER BY d.id`
        : `SELECT d.key, d.kind, d.status, d.date, d.currency, d.order_id AS orderId, d.statement_id AS statementId, d.payment_id AS paymentId,
              CASE WHEN d.source_kind = 'statement_transaction' THEN d.source_id END AS transactionId,
              COALESCE(SUM(CASE WHEN json_extract(l.value, '$.role') = 'clearing' THEN json_extract(l.value, '$.amountMinor') END), 0) AS clearingMinor,
              COALESCE(SUM(CASE WHEN json_extract(l.value, '$.role') = 'reserve' THEN json_extract(l.value, '$.amountMinor') END), 0) AS reserveMinor
         FROM documents d, json_each(d.body_json, '$.lines') l
        WHERE d.org_id = ? AND d.integration_id = ? AND d.status IN ('posted', 'pending', 'failed')
        GROUP BY d.id
        ORDER BY d.id`;
    const rows = await conn.all<DocumentTotalsRow>(sql, [orgId, integrationId]);
    for (const r of rows) {
      r.clearingMinor = Number(r.clearingMinor);
      r.reserveMinor = Number(r.reserveMinor);
    }
    return rows;
  }

  async list(orgId: number, f: DocumentFilter = {}): Promise<DocumentRow[]> {
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
    return (await this.conn().all<Row>(`SELECT * FROM documents WHERE ${where.join(' AND ')} ORDER BY date, id`, params)).map(fromRow);
  }

  /**
   * The state of the newest version of an economic event, read the way `versions` reads (two
   * lookups on the key index) but without the body, which deciding on a document does not need.
   */
  async stateRows(orgId: number, baseKey: string): Promise<Array<{ key: string; status: string; hash: string; runId: number | null; error: string | null; warnings: string }>> {
    return this.conn().all(
      `SELECT key, status, hash, run_id AS "runId", error, warnings_json AS warnings FROM documents WHERE org_id = ? AND key = ?
       UNION ALL SELECT key, status, hash, run_id AS "runId", error, warnings_json AS warnings FROM documents WHERE org_id = ? AND key >= ? AND key < ?`,
      [orgId, baseKey, orgId, `${baseKey}~v`, `${baseKey}~w`],
    );
  }
}
