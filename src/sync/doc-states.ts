import { PreparedStatements } from '../store/db.js';
import { splitKey, type DocumentStatus } from '../store/documents.js';
import type { Store } from '../store/store.js';

/** The state of one document version, without its body (which a decision or a status does not need). */
export interface DocumentState {
  key: string;
  baseKey: string;
  version: number;
  status: DocumentStatus;
  hash: string;
  runId: number | null;
  error: string | null;
  warnings: string[];
}

const statements = new WeakMap<Store, PreparedStatements>();
const prepared = (store: Store, sql: string) => {
  let p = statements.get(store);
  if (!p) statements.set(store, (p = new PreparedStatements(store.db)));
  return p.get(sql);
};

/**
 * The newest version of an economic event, whatever its status — the documents table read the
 * way DocumentRepository.versions reads it (two lookups on the key index), but without parsing
 * the body of every document the run decides on.
 */
export function latestState(store: Store, orgId: number, baseKey: string): DocumentState | undefined {
  const rows = prepared(
    store,
    `SELECT key, status, hash, run_id AS runId, error, warnings_json AS warnings FROM documents WHERE org_id = ? AND key = ?
     UNION ALL SELECT key, status, hash, run_id AS runId, error, warnings_json AS warnings FROM documents WHERE org_id = ? AND key >= ? AND key < ?`,
  ).all(orgId, baseKey, orgId, `${baseKey}~v`, `${baseKey}~w`) as Array<Omit<DocumentState, 'baseKey' | 'version' | 'warnings'> & { warnings: string }>;
  let latest: DocumentState | undefined;
  for (const r of rows) {
    const { baseKey: base, version } = splitKey(r.key);
    if (base !== baseKey || (latest && latest.version >= version)) continue;
    latest = { ...r, baseKey: base, version, warnings: JSON.parse(r.warnings) as string[] };
  }
  return latest;
}
