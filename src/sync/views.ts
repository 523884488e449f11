import { formatMinor } from '../booking/money.js';
import type { Payment, StatementTransaction } from '../booking/tiktok-data.js';
import type { DocumentRow } from '../store/documents.js';
import type { Org } from '../store/orgs.js';
import type { SourceRecord, SourceStatus } from '../store/source-records.js';
import type { Store } from '../store/store.js';

export interface TransactionRow {
  kind: 'statement_transaction' | 'payment';
  id: string;
  orderId: string | null;
  type: string;
  date: string | null;
  currency: string | null;
  settlement: string | null;
  status: SourceStatus;
  error: string | null;
  /** What the booking noticed without refusing to book, each with what resolves it. */
  warnings: BookingWarning[];
  documents: Array<{ key: string; kind: string; status: string; ledgerType: string | null; ledgerId: string | null; ledgerNumber: string | null }>;
}

export interface BookingWarning { message: string; fix: string }

/** The command or step that resolves a warning of the booking core, for the record with this id. */
/** The `synder map route …` command an unknown-key warning carries, if any. */
export function routeCommand(message: string): string | undefined {
  return /route it with: (synder map route \S+ \S+)/.exec(message)?.[1];
}

export function warningFix(message: string, id: string): string {
  const route = routeCommand(message);
  if (route) return `Booked to Uncategorized TikTok (\`synder explain ${id}\` shows the line): \`${route}\` books it to that role from now on; \`synder rollback ${id} --yes\` then \`synder sync\` rebooks this one.`;
  if (message.startsWith('reserve_amount')) return `Booked by its sign: check the reserve in TikTok Seller Center (Finance → Reserve); \`synder explain ${id}\` shows the postings.`;
  if (/breakdown missing/.test(message)) return `TikTok sent only the total: \`synder explain ${id}\` shows it; the next \`synder sync\` books the breakdown if TikTok sends it.`;
  return `\`synder explain ${id}\` shows where it was booked.`;
}

/** The warnings of a record's own documents (a summary entry's belong to the statement). */
export function warningsOf(docs: DocumentRow[], id: string): BookingWarning[] {
  const seen = new Set<string>();
  const out: BookingWarning[] = [];
  for (const d of docs) {
    if (d.sourceKind === 'statement') continue;
    for (const message of d.warnings) {
      if (seen.has(message)) continue;
      seen.add(message);
      out.push({ message, fix: warningFix(message, id) });
    }
  }
  return out;
}

const LIVE = new Set(['posted', 'pending', 'failed']);

/** Documents of the org indexed the way source records find them. */
export async function documentIndex(store: Store, org: Org): Promise<{ forRecord(r: SourceRecord): DocumentRow[] }> {
  const all = (await store.documents.list(org.id)).filter((d) => LIVE.has(d.status) || d.status === 'deleted');
  // Keep only the newest version of each economic event.
  const latest = new Map<string, DocumentRow>();
  for (const d of all) {
    const have = latest.get(d.baseKey);
    if (!have || have.version < d.version) latest.set(d.baseKey, d);
  }
  const bySource = new Map<string, DocumentRow[]>();
  for (const d of latest.values()) {
    const k = `${d.sourceKind}:${d.sourceId}`;
    bySource.set(k, [...(bySource.get(k) ?? []), d]);
  }
  return {
    forRecord(r) {
      const own = bySource.get(`${r.kind}:${r.externalId}`) ?? [];
      if (own.length > 0 || r.kind !== 'statement_transaction' || !r.statementId) return own;
      return bySource.get(`statement:${r.statementId}`) ?? [];
    },
  };
}

export interface TransactionFilter {
  status?: SourceStatus[];
  /** ISO date-times: settled on or after `since`, before `until`. */
  since?: string;
  until?: string;
  /** TikTok's transaction types (ORDER, REFUND, …) or PAYOUT, any case. */
  types?: string[];
}

export async function listTransactions(store: Store, org: Org, f: TransactionFilter = {}): Promise<TransactionRow[]> {
  const integrations = (await store.integrations.listForOrg(org.id)).map((i) => i.id);
  const index = await documentIndex(store, org);
  const types = f.types?.length ? new Set(f.types.map((t) => t.toUpperCase())) : undefined;
  const records = await store.sourceRecords.list({ integrationIds: integrations, kind: ['statement_transaction', 'payment'], status: f.status, since: f.since, until: f.until });
  return records.flatMap((r) => {
    const raw = r.raw as StatementTransaction & Payment;
    const type = r.kind === 'payment' ? 'PAYOUT' : raw.type;
    if (types && !types.has(String(type).toUpperCase())) return [];
    const docs = index.forRecord(r);
    return [{
      kind: r.kind as TransactionRow['kind'],
      id: r.externalId,
      orderId: r.orderId,
      type,
      date: r.occurredAt?.slice(0, 10) ?? null,
      currency: r.currency,
      settlement: r.amountMinor !== null && r.currency ? formatMinor(r.amountMinor, r.currency) : null,
      status: r.status,
      error: r.error,
      warnings: warningsOf(docs, r.orderId ?? r.externalId),
      documents: docs.map((d) => ({ key: d.key, kind: d.kind, status: d.status, ledgerType: d.refs[0]?.type ?? null, ledgerId: d.refs[0]?.id ?? null, ledgerNumber: d.refs[0]?.number ?? null })),
    }];
  });
}
