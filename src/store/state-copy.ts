import { createHash } from 'node:crypto';
import { StateError } from '../errors.js';
import type { SqlConnection } from './sql.js';

/**
 * The state tables in an order that satisfies their foreign keys, each with the key it is read in
 * pages by (or none: small tables read whole).
 */
export const STATE_TABLES: readonly { name: string; pagedBy?: 'id' }[] = [
  { name: 'orgs', pagedBy: 'id' },
  { name: 'ledger_connections' },
  { name: 'integrations', pagedBy: 'id' },
  { name: 'account_mappings' },
  { name: 'sync_runs', pagedBy: 'id' },
  { name: 'source_records', pagedBy: 'id' },
  { name: 'documents', pagedBy: 'id' },
  { name: 'events', pagedBy: 'id' },
  { name: 'bookmarks' },
  { name: 'invites', pagedBy: 'id' },
];

export interface TableCopy {
  table: string;
  source: { rows: number; hash: string };
  target: { rows: number; hash: string };
  matches: boolean;
}

type Row = Record<string, unknown>;

const PAGE = 500;

/** Reads a table a page at a time, so a large state is never in memory whole. */
async function* rowsOf(conn: SqlConnection, table: (typeof STATE_TABLES)[number]): AsyncGenerator<Row[]> {
  if (!table.pagedBy) {
    const rows = await conn.all<Row>(`SELECT * FROM ${table.name}`);
    if (rows.length) yield rows;
    return;
  }
  let after = -Infinity;
  for (;;) {
    const rows =
      after === -Infinity
        ? await conn.all<Row>(`SELECT * FROM ${table.name} ORDER BY id LIMIT ${PAGE}`)
        : await conn.all<Row>(`SELECT * FROM ${table.name} WHERE id > ? ORDER BY id LIMIT ${PAGE}`, [after]);
    if (rows.length === 0) return;
    yield rows;
    after = Number(rows[rows.length - 1]!.id);
    if (rows.length < PAGE) return;
  }
}

/** One value as both engines give it back (numbers as numbers, text as text), typed so 1 and '1' differ. */
const canonical = (v: unknown): string => (v === null || v === undefined ? 'n' : `${typeof v === 'number' ? 'i' : 's'}${String(v)}`);

/**
 * A table's content as one digest, independent of row order (the engines sort text differently)
 * and of column order: each row is hashed over its columns by name, and the sorted row digests are
 * hashed together.
 */
export async function tableDigest(conn: SqlConnection, table: (typeof STATE_TABLES)[number], columns: string[]): Promise<{ rows: number; hash: string }> {
  const digests: string[] = [];
  for await (const page of rowsOf(conn, table)) {
    for (const row of page) {
      const h = createHash('sha256');
      for (const c of columns) h.update(`${c}=${canonical(row[c])}\u0000`);
      digests.push(h.digest('hex'));
    }
  }
  digests.sort();
  const all = createHash('sha256');
  for (const d of digests) all.update(d);
  return { rows: digests.length, hash: all.digest('hex') };
}

async function columnsOf(target: SqlConnection, table: string): Promise<string[]> {
  const rows = await target.all<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
    [table],
  );
  return rows.map((r) => r.column_name);
}

/** Tables of the target that already hold rows (a copy goes only into an empty database). */
export async function nonEmptyTables(target: SqlConnection, extra: string[] = []): Promise<string[]> {
  const found: string[] = [];
  for (const t of [...STATE_TABLES.map((s) => s.name), ...extra]) {
    if (await target.get(`SELECT 1 AS one FROM ${t} LIMIT 1`)) found.push(t);
  }
  return found;
}

/**
 * Copies every state table from `source` (SQLite) into `target` (PostgreSQL, migrated and empty),
 * keeping ids, then moves each identity past the copied ids so new rows do not collide. Run it
 * inside one transaction on the target: a failure leaves the target as empty as it was.
 * Returns each table's columns for verification.
 */
export async function copyStateTables(source: SqlConnection, target: SqlConnection, onTable?: (table: string, rows: number) => void): Promise<Record<string, string[]>> {
  const columnsByTable: Record<string, string[]> = {};
  for (const table of STATE_TABLES) {
    const columns = await columnsOf(target, table.name);
    if (columns.length === 0) throw new StateError(`The target database has no table ${table.name}.`, 'It was not created by synder; use an empty database.');
    columnsByTable[table.name] = columns;
    let copied = 0;
    for await (const page of rowsOf(source, table)) {
      const missing = columns.filter((c) => !(c in page[0]!));
      if (missing.length) throw new StateError(`The SQLite state has no column ${missing.join(', ')} in ${table.name}.`, 'Run any synder command against it first to bring its schema up to date.');
      // Batches small enough for the server's parameter limit.
      const perBatch = Math.max(1, Math.floor(8000 / columns.length));
      for (let i = 0; i < page.length; i += perBatch) {
        const batch = page.slice(i, i + perBatch);
        const values = batch.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
        await target.run(`INSERT INTO ${table.name} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values}`, batch.flatMap((row) => columns.map((c) => row[c] ?? null)));
      }
      copied += page.length;
    }
    if (columns.includes('id') && table.pagedBy === 'id') {
      await target.run(
        `SELECT setval(pg_get_serial_sequence('${table.name}', 'id'), COALESCE((SELECT max(id) FROM ${table.name}), 1), (SELECT max(id) FROM ${table.name}) IS NOT NULL)`,
      );
    }
    onTable?.(table.name, copied);
  }
  return columnsByTable;
}

/** Row counts and content digests of every table on both sides. */
export async function verifyStateCopy(source: SqlConnection, target: SqlConnection, columnsByTable: Record<string, string[]>): Promise<TableCopy[]> {
  const out: TableCopy[] = [];
  for (const table of STATE_TABLES) {
    const columns = columnsByTable[table.name]!;
    const [s, t] = [await tableDigest(source, table, columns), await tableDigest(target, table, columns)];
    out.push({ table: table.name, source: s, target: t, matches: s.rows === t.rows && s.hash === t.hash });
  }
  return out;
}

/** Who holds a sign-in in this state: the orgs with a ledger connection, and each shop's org and stored authorization key. */
export async function credentialOwners(source: SqlConnection): Promise<{ ledgerOrgIds: number[]; shops: { orgId: number; authKey?: string }[] }> {
  const ledgerOrgIds = (await source.all<{ org_id: number }>('SELECT org_id FROM ledger_connections')).map((r) => Number(r.org_id));
  const shops = (await source.all<{ org_id: number; settings_json: string }>('SELECT org_id, settings_json FROM integrations')).map((r) => {
    let authKey: unknown;
    try {
      authKey = (JSON.parse(r.settings_json) as { authKey?: unknown }).authKey;
    } catch {
      // A damaged settings column still names its org: the default key is tried.
      authKey = undefined;
    }
    return { orgId: Number(r.org_id), ...(typeof authKey === 'string' ? { authKey } : {}) };
  });
  return { ledgerOrgIds, shops };
}
