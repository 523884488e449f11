import { splitKey, versionedKey, type DocumentRow } from '../store/documents.js';
import type { Store } from '../store/store.js';
import { latestState, type DocumentState } from './doc-states.js';
import type { PostItem, Work } from './work.js';

export interface Replacement {
  /** The posted version, removed from the ledger before `item` is posted. */
  old: DocumentRow;
  item: PostItem;
}

/** What to do with a set of built documents. */
export interface Decision {
  /** New documents, new versions of removed ones, and retries of pending or failed ones. */
  toPost: PostItem[];
  /** Changed documents: the posted version goes, the new one comes under the next version key. */
  toReplace: Replacement[];
  /** Already posted exactly so. */
  existing: PostItem[];
}

/**
 * Decides, per document, whether it is new, already booked, changed or to be retried — each key
 * once per run. A writing run remembers only the keys it decided whose intents are not recorded
 * yet (the store answers for the rest), so what it holds does not grow with the shop; a dry run
 * records nothing and remembers every key.
 */
export class Decider {
  /** Base keys decided on this run that the store does not show as this run's yet. */
  private readonly open = new Set<string>();

  /**
   * @param runId this run's id; undefined on a dry run
   * @param storeHasHistory "no row for this key" proves nothing was sent only if this store has
   *   booked for the org before; a new or lost state store must look every key up in the ledger.
   */
  constructor(private readonly store: Store, private readonly orgId: number, private readonly runId: number | undefined, private readonly storeHasHistory: boolean) {}

  async decide(work: Work[]): Promise<Decision> {
    const out: Decision = { toPost: [], toReplace: [], existing: [] };
    for (const w of work) {
      const base = w.doc.key;
      if (this.open.has(base)) continue;
      const latest = await latestState(this.store, this.orgId, base);
      if (latest && this.isThisRuns(latest)) continue;
      this.open.add(base);
      if (!latest) out.toPost.push({ ...w, action: 'create', fresh: this.storeHasHistory });
      else if (latest.status === 'posted') {
        if (latest.hash === w.hash) {
          out.existing.push({ ...w, action: 'existing' });
          this.settled(base);
        } else out.toReplace.push({ old: (await this.store.documents.get(this.orgId, latest.key))!, item: { ...w, doc: { ...w.doc, key: versionedKey(latest.baseKey, latest.version + 1) }, action: 'update' } });
      } else if (latest.status === 'pending' || latest.status === 'failed') out.toPost.push({ ...w, doc: { ...w.doc, key: latest.key }, action: 'retry' });
      else out.toPost.push({ ...w, doc: { ...w.doc, key: versionedKey(latest.baseKey, latest.version + 1) }, action: 'create' });
    }
    return out;
  }

  /** Whether this run already decided this event (a leftover pending or failed row is retried once). */
  decided(row: Pick<DocumentState, 'baseKey' | 'runId' | 'status'>): boolean {
    return this.open.has(row.baseKey) || this.isThisRuns(row);
  }

  /** Marks a key as decided without a document built for it (a leftover row picked up for retry). */
  claim(baseKey: string): void {
    this.open.add(baseKey);
  }

  /** The key's intent is recorded under this run (or it needs nothing more): the store answers for it now. */
  settled(key: string): void {
    if (this.runId !== undefined) this.open.delete(splitKey(key).baseKey);
  }

  /** An intent this run recorded whose outcome is pending or failed. */
  private isThisRuns(row: Pick<DocumentState, 'runId' | 'status'>): boolean {
    return this.runId !== undefined && row.runId === this.runId && (row.status === 'pending' || row.status === 'failed');
  }
}
