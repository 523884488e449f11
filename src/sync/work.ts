import type { BookingDocument } from '../booking/document.js';
import type { Integration } from '../store/integrations.js';
import { contentHash } from './hash.js';
import type { PlannedAction } from './types.js';

/** A built document, before it is decided what to do with it. */
export interface Work {
  integration: Integration;
  doc: BookingDocument;
  hash: string;
}

/** A document to post, under the key it is posted with. */
export interface PostItem extends Work {
  action: PlannedAction;
  /** No row for this key existed before this run (see PostInput.fresh). */
  fresh?: boolean;
}

/** A source record and the documents (by base key) that book it. */
export interface SourceLink {
  recordId: number;
  kind: string;
  externalId: string;
  docKeys: string[];
  /** Why the ledger could not build it (inconsistent TikTok data). */
  errors: string[];
  /**
   * A summary's transactions: the link stands for every stored transaction of statement
   * `externalId` (booked by the same documents, failing with the same errors) but those with
   * links of their own, instead of a link each: a large shop's statement holds thousands.
   */
  transactionsOf?: { integrationId: number; except: Set<number> };
}

/** What one step of a stream built: documents, and the source records they book. */
export interface Built {
  work: Work[];
  links: SourceLink[];
}

/**
 * What a document's hash covers: TikTok's data as booked, not the tax codes chosen for it. A
 * document with tax is hashed as its gross lines without the tax lines — the very document it was
 * before codes existed — so choosing or changing a tax code never rewrites booked documents
 * (it applies to what is booked from then on; rollback and sync rebook).
 */
export function hashedView(doc: BookingDocument): BookingDocument {
  if (!doc.lines.some((l) => l.tax || l.role === 'vat')) return doc;
  return {
    ...doc,
    lines: doc.lines.filter((l) => l.role !== 'vat').map(({ tax, ...l }) => ({ ...l, amountMinor: l.amountMinor + (tax?.amountMinor ?? 0) })),
  };
}

export const workOf = (integration: Integration, doc: BookingDocument): Work => ({ integration, doc, hash: contentHash(hashedView(doc)) });

/** Where a document came from, for the documents table and `explain`. */
export function documentSource(doc: BookingDocument): { sourceKind: string; sourceId: string | null } {
  if (doc.refs.transactionId) return { sourceKind: 'statement_transaction', sourceId: doc.refs.transactionId };
  if (doc.kind === 'payout' && doc.refs.paymentId) return { sourceKind: 'payment', sourceId: doc.refs.paymentId };
  return { sourceKind: 'statement', sourceId: doc.refs.statementId ?? null };
}
