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

/**
 * The newest version of an economic event, whatever its status — the documents table read the
 * way DocumentRepository.versions reads it (two lookups on the key index), but without parsing
 * the body of every document the run decides on.
 */
export async function latestState(store: Store, orgId: number, baseKey: string): Promise<DocumentState | undefined> {
  const rows = await store.documents.stateRows(orgId, baseKey);
  let latest: DocumentState | undefined;
  for (const r of rows) {
    const { baseKey: base, version } = splitKey(r.key);
    if (base !== baseKey || (latest && latest.version >= version)) continue;
    latest = { ...r, status: r.status as DocumentStatus, baseKey: base, version, warnings: JSON.parse(r.warnings) as string[] };
  }
  return latest;
}
