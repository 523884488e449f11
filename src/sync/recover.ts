import type { DocumentRow } from '../store/documents.js';
import { recordEvent, type RunContext } from './run.js';

/**
 * Documents left pending by an interrupted run may or may not have reached the ledger: each is
 * looked up by its key there first, and what is found is marked posted (the rest are retried).
 * Read a page at a time, so a large interrupted run is not loaded whole.
 */
export async function recoverPending(run: RunContext, pageSize: number): Promise<void> {
  const { store, ledger, org, progress, summary } = run;
  const keys = (store.db.prepare("SELECT key FROM documents WHERE org_id = ? AND status = 'pending' ORDER BY date, id").all(org.id) as Array<{ key: string }>).map((r) => r.key);
  if (keys.length === 0) return;
  progress({ type: 'phase', phase: 'recover', message: `Checking ${keys.length} document(s) left pending by an interrupted run` });
  for (let i = 0; i < keys.length; i += pageSize) {
    const rows = keys.slice(i, i + pageSize).map((k) => store.documents.get(org.id, k)).filter((r): r is DocumentRow => r !== undefined);
    const found = await ledger.findByKeys(rows.map((r) => r.body));
    store.transaction(() => {
      for (const row of rows) {
        const refs = found.get(row.key);
        if (!refs) continue;
        store.documents.markPosted(org.id, row.key, refs, run.runId);
        recordEvent(run, 'document', row.key, 'posted', 'found in the ledger after an interrupted run');
        summary.documents.recovered++;
      }
    });
  }
}
