import { latestState, type DocumentState } from './doc-states.js';
import type { SourceStatus } from '../store/source-records.js';
import { recordEvent, type RunContext } from './run.js';
import type { SourceLink } from './work.js';


/** Why a transaction has no document: the booking core builds none when every amount in it is zero. */
export const SKIPPED_REASON = 'nothing to book: every amount TikTok sent for it is zero';

/** A source record's status from its build errors and the latest versions of the documents that book it. */
export function sourceStatus(errors: string[], docs: Array<Pick<DocumentState, 'status' | 'error' | 'warnings'>>): { status: SourceStatus; error: string | null } {
  if (errors.length > 0) return { status: 'failed', error: errors.join('; ') };
  if (docs.length === 0) return { status: 'skipped', error: SKIPPED_REASON };
  const failed = docs.find((r) => r.status === 'failed');
  if (failed) return { status: 'failed', error: failed.error };
  if (docs.some((r) => r.status !== 'posted')) return { status: 'ready', error: null };
  return { status: docs.some((r) => r.warnings.length > 0) ? 'synced_with_warnings' : 'synced', error: null };
}

/** Sets each linked source record's status (and records the change) once its documents are through. */
export async function updateSourceStatuses(run: RunContext, links: SourceLink[]): Promise<void> {
  const { store } = run;
  // In summary mode every transaction of a statement shares the statement's documents: each is read once.
  const latest = new Map<string, DocumentState | undefined>();
  const latestOf = async (key: string): Promise<DocumentState | undefined> => {
    if (!latest.has(key)) latest.set(key, await latestState(store, run.org.id, key));
    return latest.get(key);
  };
  for (const link of links) {
    const docs: DocumentState[] = [];
    for (const key of link.docKeys) {
      const doc = await latestOf(key);
      if (doc) docs.push(doc);
    }
    const { status, error } = sourceStatus(link.errors, docs);
    const set = async (id: number, externalId: string, now: { status: SourceStatus; error: string | null } | undefined) => {
      if (now && now.status === status && now.error === error) return;
      await store.sourceRecords.setStatus(id, status, error);
      await recordEvent(run, link.kind, externalId, status, error ?? undefined);
    };
    if (!link.transactionsOf) {
      // Status and error only: the record's raw JSON is not needed to compare them.
      await set(link.recordId, link.externalId, await store.sourceRecords.statusOf(link.recordId));
      continue;
    }
    const { integrationId, except } = link.transactionsOf;
    await store.sourceRecords.setStatementTransactionStatuses({
      integrationId, statementId: link.externalId, except: [...except], status, error, event: run.write ? { orgId: run.org.id, runId: run.runId } : undefined,
    });
  }
}
