import type { LedgerConnector } from '../providers/ledger-connector.js';
import type { DocumentRow } from '../store/documents.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';
import { takeOrgLock, type LockOptions } from './lock.js';

export interface RollbackSelection {
  orderIds?: string[];
  runId?: number;
  /** ISO date: documents dated on or after it. */
  since?: string;
}

export interface RollbackResult {
  removed: Array<{ key: string; kind: string; orderId: string | null; how: string }>;
  refused: Array<{ key: string; kind: string; orderId: string | null; message: string }>;
  /** Summary-mode entries removed for an order also held other orders of the same statement. */
  sharedStatements: string[];
}

/** One document a rollback would remove, as listed before it does. */
export interface RollbackRow {
  key: string;
  kind: string;
  date: string;
  orderId: string | null;
  statementId: string | null;
  ledger: string | null;
}

/** What a selection would remove: counts per document type, and the rows (all of them, or the first few). */
export interface RollbackPlan {
  total: number;
  byKind: Record<string, number>;
  rows: RollbackRow[];
}

export function rollbackPlan(docs: DocumentRow[], rows = Number.POSITIVE_INFINITY): RollbackPlan {
  const byKind: Record<string, number> = {};
  for (const d of docs) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  return {
    total: docs.length,
    byKind,
    rows: docs.slice(0, rows).map((d) => ({ key: d.key, kind: d.kind, date: d.date, orderId: d.orderId, statementId: d.statementId, ledger: d.refs.map((r) => `${r.type} ${r.number ?? r.id}`).join(', ') || null })),
  };
}

/** The posted documents a selection names (only what synder created: rows in its own documents table). */
export async function selectDocuments(store: Store, org: Org, sel: RollbackSelection): Promise<DocumentRow[]> {
  const posted = await store.documents.list(org.id, { status: ['posted'], runId: sel.runId, since: sel.since });
  if (!sel.orderIds) return posted;
  const wanted = new Set(sel.orderIds);
  const statements = new Set(
    (await store.sourceRecords.list({ orgId: org.id, kind: ['statement_transaction'], orderIds: sel.orderIds })).flatMap((r) => (r.statementId ? [r.statementId] : [])),
  );
  return posted.filter((d) => (d.orderId !== null && wanted.has(d.orderId)) || (d.kind === 'statement' && d.statementId !== null && statements.has(d.statementId)));
}

/**
 * Deletes (or voids) documents in the ledger and marks them `deleted`, with their source records,
 * so the next sync books them again under a new version key. Runs under the org's sync lock.
 */
export async function rollback(
  store: Store,
  ledger: LedgerConnector,
  org: Org,
  docs: DocumentRow[],
  opts: { lock?: LockOptions; signal?: AbortSignal; onForce?: (step: () => void) => () => void; progress?: (done: number, total: number) => void; pageSize?: number } = {},
): Promise<RollbackResult> {
  const lock = await takeOrgLock(store.locks, org.id, org.name, opts.lock);
  const unforce = opts.onForce?.(() => void lock.release());
  const result: RollbackResult = { removed: [], refused: [], sharedStatements: [] };
  const pageSize = Math.max(1, opts.pageSize ?? 50);
  try {
    // A page at a time, each recorded before the next is asked for: a stopped rollback keeps what it
    // removed, Ctrl+C stops it within seconds, and the counts move.
    for (let i = 0; i < docs.length; i += pageSize) {
      opts.signal?.throwIfAborted();
      const page = docs.slice(i, i + pageSize);
      await removePage(store, ledger, org, page, result);
      opts.progress?.(i + page.length, docs.length);
    }
    return result;
  } finally {
    unforce?.();
    await lock.release();
  }
}

async function removePage(store: Store, ledger: LedgerConnector, org: Org, docs: DocumentRow[], result: RollbackResult): Promise<void> {
  const outcomes = await ledger.remove(docs.map((d) => ({ key: d.key, refs: d.refs })));
  await store.transaction(async () => {
    for (const d of docs) {
      const o = outcomes.find((x) => x.key === d.key);
      if (!o || o.status === 'refused') {
        result.refused.push({ key: d.key, kind: d.kind, orderId: d.orderId, message: o?.message ?? 'the ledger gave no answer' });
        await store.events.add({ orgId: org.id, subjectKind: 'document', subjectId: d.key, status: 'rollback_refused', message: o?.message ?? null });
        continue;
      }
      await store.documents.setStatus(org.id, d.key, 'deleted');
      await store.events.add({ orgId: org.id, subjectKind: 'document', subjectId: d.key, status: 'deleted', message: `${o.status} in the ledger by rollback` });
      result.removed.push({ key: d.key, kind: d.kind, orderId: d.orderId, how: o.status });
      if (d.kind === 'statement' && d.statementId) result.sharedStatements.push(d.statementId);
      await markSources(store, org, d);
    }
  });
}

async function markSources(store: Store, org: Org, d: DocumentRow): Promise<void> {
  if (d.integrationId === null) return;
  const records =
    d.sourceKind === 'statement_transaction' && d.sourceId
      ? [await store.sourceRecords.get(d.integrationId, 'statement_transaction', d.sourceId)]
      : d.sourceKind === 'payment' && d.sourceId
        ? [await store.sourceRecords.get(d.integrationId, 'payment', d.sourceId)]
        : d.statementId
          ? await store.sourceRecords.list({ integrationIds: [d.integrationId], kind: ['statement_transaction'], statementId: d.statementId })
          : [];
  for (const r of records) {
    if (!r || r.status === 'deleted') continue;
    await store.sourceRecords.setStatus(r.id, 'deleted');
    await store.events.add({ orgId: org.id, subjectKind: r.kind, subjectId: r.externalId, status: 'deleted', message: 'rolled back; the next sync books it again' });
  }
}
