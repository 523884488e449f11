import type { DocumentRow } from '../store/documents.js';
import { recordEvent, type RunContext } from './run.js';

/**
 * Documents left pending by an interrupted run may or may not have reached the ledger: each is
 * looked up by its key there first, and what is found is marked posted (the rest are retried).
 * Read a page at a time, so a large interrupted run is not loaded whole.
 */
export async function recoverPending(run: RunContext, pageSize: number): Promise<void> {
  const { store, ledger, org, progress, summary } = run;
  const keys = await store.documents.keys(org.id, ['pending']);
  if (keys.length === 0) return;
  progress({ type: 'phase', phase: 'recover', message: `Checking ${keys.length} document(s) left pending by an interrupted run` });
  for (let i = 0; i < keys.length; i += pageSize) {
    const rows: DocumentRow[] = [];
    for (const k of keys.slice(i, i + pageSize)) {
      const row = await store.documents.get(org.id, k);
      if (row) rows.push(row);
    }
    const found = await ledger.findByKeys(rows.map((r) => r.body));
    await store.transaction(async () => {
      for (const row of rows) {
        const refs = found.get(row.key);
        if (!refs) continue;
        await store.documents.markPosted(org.id, row.key, refs, run.runId);
        await recordEvent(run, 'document', row.key, 'posted', 'found in the ledger after an interrupted run');
        summary.documents.recovered++;
      }
    });
  }
}
