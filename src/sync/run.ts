import type { SyncMode } from '../store/orgs.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';
import type { AccountResolver } from './accounts.js';
import type { ProgressEvent, SyncDeps, SyncSummary } from './types.js';

/** What every phase of one sync run shares: where it writes, what it reports, and whether it writes at all. */
export interface RunContext {
  store: Store;
  ledger: SyncDeps['ledger'];
  org: Org;
  mode: SyncMode;
  /** False on a dry run: nothing is written to the store or the ledger. */
  write: boolean;
  /** Set once the run is recorded (never on a dry run). */
  runId: number | null;
  summary: SyncSummary;
  resolver: AccountResolver;
  progress: (e: ProgressEvent) => void;
  /** Checked between ledger calls and batches: throws once the user asked the run to stop. */
  signal?: AbortSignal;
}

/** A status change in the events table (what `explain` shows); a dry run records none. */
export async function recordEvent(run: RunContext, subjectKind: string, subjectId: string, status: string, message?: string): Promise<void> {
  if (run.write) await run.store.events.add({ orgId: run.org.id, subjectKind, subjectId, status, message, runId: run.runId });
}

export const DATA_FIX = 'TikTok\'s amounts for it do not add up; check it in TikTok Seller Center. synder books it as soon as TikTok sends consistent data (the next sync retries).';

/** A source record TikTok's data for which could not be booked. */
export function sourceFailure(run: RunContext, kind: string, id: string, orderId: string | undefined, statementId: string | undefined, errors: string[]): void {
  run.summary.failures.push({ key: `${kind}:${id}`, kind, orderId, statementId, error: errors.join('; '), fix: DATA_FIX });
}
