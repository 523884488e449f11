/**
 * Reconcile math: what the Clearing and Reserve balances should be according to TikTok, what
 * synder has booked, what the ledger reports, and the transactions behind any difference.
 *
 * Expected Clearing (per currency) = Σ over statements not yet paid of (settlement + reserve
 * movements carried by their transactions): money TikTok owes and has not paid out.
 * Expected Reserve = −(Σ reserve movements of all statements + the part of paid payments'
 * reserve_amount that no statement carried) — positive while TikTok holds money back.
 */
import type { BookingDocument, DocumentKind } from './document.js';
import { formatMinor, parseMinor } from './money.js';
import { reserveBookedFromStatements } from './payout.js';
import type { Payment, StatementBundle } from './tiktok-data.js';

export interface BookedDocument {
  document: BookingDocument;
  /** True once the ledger has it (status synced / synced_with_warnings). */
  posted: boolean;
}

/**
 * What reconcile needs of one document: how much it moves Clearing and Reserve, and which TikTok
 * records it books. The store can sum these without loading document bodies.
 */
export interface DocumentTotals {
  key: string;
  kind: DocumentKind;
  date: string;
  currency: string;
  refs: { statementId?: string; transactionId?: string; orderId?: string; paymentId?: string };
  clearingMinor: number;
  reserveMinor: number;
  posted: boolean;
}

const sumRole = (d: BookingDocument, role: 'clearing' | 'reserve') => d.lines.reduce((s, l) => (l.role === role ? s + l.amountMinor : s), 0);

export function documentTotals(d: BookingDocument, posted: boolean): DocumentTotals {
  const { statementId, transactionId, orderId, paymentId } = d.refs;
  return { key: d.key, kind: d.kind, date: d.date, currency: d.currency, refs: { statementId, transactionId, orderId, paymentId }, clearingMinor: sumRole(d, 'clearing'), reserveMinor: sumRole(d, 'reserve'), posted };
}

export interface LedgerBalance {
  currency: string;
  clearingMinor?: number;
  reserveMinor?: number;
}

export interface ReconcileInput {
  /** Read once, in order: may be a stream. */
  documents: Iterable<BookedDocument | DocumentTotals>;
  bundles: StatementBundle[];
  payments: Payment[];
  /** Balances the ledger reports (debit positive), when known. */
  ledgerBalances?: LedgerBalance[];
}

export type ExplanationKind = 'unposted_document' | 'transaction_not_booked' | 'payout_not_booked' | 'outside_synder';

export interface ReconcileExplanation {
  kind: ExplanationKind;
  message: string;
  documentKey?: string;
  statementId?: string;
  transactionId?: string;
  orderId?: string;
  paymentId?: string;
  /** How much this item moves (ledger − expected) for Clearing and Reserve. */
  clearingMinor: number;
  reserveMinor: number;
}

export interface ReconcileCurrency {
  currency: string;
  expectedClearingMinor: number;
  expectedReserveMinor: number;
  /** From documents synder posted. */
  bookedClearingMinor: number;
  bookedReserveMinor: number;
  ledgerClearingMinor?: number;
  ledgerReserveMinor?: number;
  /** ledger − expected (or booked − expected when the ledger balance is not given). */
  clearingDifferenceMinor: number;
  reserveDifferenceMinor: number;
  unpaidStatements: Array<{ statementId: string; settlementMinor: number; reserveMinor: number; paymentStatus?: string }>;
  explanations: ReconcileExplanation[];
  /** Difference left after the explanations: 0 when everything is accounted for. */
  unexplainedClearingMinor: number;
  unexplainedReserveMinor: number;
}

const norm = (c: string) => c.trim().toUpperCase();

function parseOr0(raw: unknown, currency: string): number {
  try {
    return parseMinor(raw as string, currency);
  } catch {
    return 0;
  }
}

export function reconcile(input: ReconcileInput): ReconcileCurrency[] {
  const out = new Map<string, ReconcileCurrency>();
  const get = (currency: string): ReconcileCurrency => {
    const c = norm(currency);
    let r = out.get(c);
    if (!r) {
      r = { currency: c, expectedClearingMinor: 0, expectedReserveMinor: 0, bookedClearingMinor: 0, bookedReserveMinor: 0, clearingDifferenceMinor: 0, reserveDifferenceMinor: 0, unpaidStatements: [], explanations: [], unexplainedClearingMinor: 0, unexplainedReserveMinor: 0 };
      out.set(c, r);
    }
    return r;
  };

  const paidPayments = new Map(input.payments.filter((p) => String(p.status).toUpperCase() === 'PAID').map((p) => [p.id, p]));
  const isPaid = (b: StatementBundle) => (b.statement.payment_id ? paidPayments.has(b.statement.payment_id) : false) || String(b.statement.payment_status ?? '').toUpperCase() === 'PAID';

  // What TikTok says.
  for (const b of input.bundles) {
    const currency = norm(b.statement.currency);
    const r = get(currency);
    const settlement = parseOr0(b.statement.settlement_amount, currency);
    const reserve = reserveBookedFromStatements([b], currency);
    r.expectedReserveMinor -= reserve;
    if (!isPaid(b)) {
      r.expectedClearingMinor += settlement + reserve;
      r.unpaidStatements.push({ statementId: b.statement.id, settlementMinor: settlement, reserveMinor: reserve, paymentStatus: b.statement.payment_status });
    }
  }
  for (const p of paidPayments.values()) {
    const currency = norm(p.amount.currency);
    const statements = input.bundles.filter((b) => b.statement.payment_id === p.id);
    const reserve = p.reserve_amount ? parseOr0(p.reserve_amount.value, currency) : 0;
    get(currency).expectedReserveMinor -= reserve - reserveBookedFromStatements(statements, currency);
  }

  // What synder booked, and what it built but the ledger does not have yet.
  // Ids of the transactions, statements and payments given that some document books. Only those
  // are kept, so the documents can stream past without their number mattering.
  const relevant = new Set<string>([...input.payments.map((p) => p.id)]);
  for (const b of input.bundles) {
    relevant.add(b.statement.id);
    if (b.statement.payment_id) relevant.add(b.statement.payment_id);
    for (const tx of b.transactions) relevant.add(tx.id);
  }
  const hasDocument = new Set<string>();
  const note = (id: string | undefined) => {
    if (id && relevant.has(id)) hasDocument.add(id);
  };
  for (const item of input.documents) {
    const d = 'document' in item ? documentTotals(item.document, item.posted) : item;
    const { clearingMinor: clearing, reserveMinor: reserve, posted } = d;
    const r = get(d.currency);
    note(d.refs.transactionId);
    if (d.kind === 'statement') note(d.refs.statementId);
    if (d.kind === 'payout') note(d.refs.paymentId);
    if (posted) {
      r.bookedClearingMinor += clearing;
      r.bookedReserveMinor += reserve;
    } else if (clearing !== 0 || reserve !== 0) {
      r.explanations.push({ kind: 'unposted_document', documentKey: d.key, statementId: d.refs.statementId, transactionId: d.refs.transactionId, orderId: d.refs.orderId, paymentId: d.refs.paymentId, clearingMinor: -clearing, reserveMinor: -reserve, message: `${d.kind} document ${d.key} (${d.date}) is built but not in the ledger` });
    }
  }
  // TikTok transactions with no document at all (failed, skipped or never synced).
  for (const b of input.bundles) {
    const currency = norm(b.statement.currency);
    const r = get(currency);
    if (hasDocument.has(b.statement.id)) continue; // summary mode covers the whole statement
    for (const tx of b.transactions) {
      if (hasDocument.has(tx.id)) continue;
      const s = parseOr0(tx.settlement_amount, currency);
      const res = tx.reserve_amount ? parseOr0(tx.reserve_amount, currency) : 0;
      if (s === 0 && res === 0) continue;
      // Paid or not, Clearing lacks exactly this amount (a paid statement's payout credited it in full).
      r.explanations.push({ kind: 'transaction_not_booked', statementId: b.statement.id, transactionId: tx.id, orderId: tx.order_id, clearingMinor: -(s + res), reserveMinor: res, message: `transaction ${tx.id}${tx.order_id ? ` (order ${tx.order_id})` : ''} in statement ${b.statement.id}: settlement ${formatMinor(s, currency)} ${currency} not booked` });
    }
  }
  for (const p of paidPayments.values()) {
    if (hasDocument.has(p.id)) continue;
    const currency = norm(p.amount.currency);
    const statements = input.bundles.filter((b) => b.statement.payment_id === p.id);
    const amount = parseOr0(p.amount.value, currency);
    const reserveHere = (p.reserve_amount ? parseOr0(p.reserve_amount.value, currency) : 0) - reserveBookedFromStatements(statements, currency);
    get(currency).explanations.push({ kind: 'payout_not_booked', paymentId: p.id, clearingMinor: amount - reserveHere, reserveMinor: reserveHere, message: `payout ${p.id} of ${formatMinor(amount, currency)} ${currency} is not booked` });
  }

  // Statements TikTok marks PAID whose payment record is unknown here: their payout cannot have been booked.
  for (const b of input.bundles) {
    const pid = b.statement.payment_id;
    if (!isPaid(b) || (pid && (paidPayments.has(pid) || hasDocument.has(pid)))) continue;
    const currency = norm(b.statement.currency);
    const amount = parseOr0(b.statement.settlement_amount, currency) + reserveBookedFromStatements([b], currency);
    get(currency).explanations.push({ kind: 'payout_not_booked', statementId: b.statement.id, paymentId: pid || undefined, clearingMinor: amount, reserveMinor: 0, message: `statement ${b.statement.id} is paid${pid ? ` by payment ${pid}` : ''}, but that payment is not known, so its payout is not booked` });
  }

  const ledger = new Map((input.ledgerBalances ?? []).map((l) => [norm(l.currency), l]));
  for (const l of ledger.values()) get(l.currency);
  for (const r of out.values()) {
    const l = ledger.get(r.currency);
    r.ledgerClearingMinor = l?.clearingMinor;
    r.ledgerReserveMinor = l?.reserveMinor;
    const actualClearing = l?.clearingMinor ?? r.bookedClearingMinor;
    const actualReserve = l?.reserveMinor ?? r.bookedReserveMinor;
    r.clearingDifferenceMinor = actualClearing - r.expectedClearingMinor;
    r.reserveDifferenceMinor = actualReserve - r.expectedReserveMinor;
    if (l?.clearingMinor !== undefined && l.clearingMinor !== r.bookedClearingMinor) {
      r.explanations.push({ kind: 'outside_synder', clearingMinor: l.clearingMinor - r.bookedClearingMinor, reserveMinor: 0, message: `the ledger's Clearing balance differs from what synder posted by ${formatMinor(l.clearingMinor - r.bookedClearingMinor, r.currency)} ${r.currency} (entries made outside synder, or documents changed in the ledger)` });
    }
    if (l?.reserveMinor !== undefined && l.reserveMinor !== r.bookedReserveMinor) {
      r.explanations.push({ kind: 'outside_synder', clearingMinor: 0, reserveMinor: l.reserveMinor - r.bookedReserveMinor, message: `the ledger's Reserve balance differs from what synder posted by ${formatMinor(l.reserveMinor - r.bookedReserveMinor, r.currency)} ${r.currency}` });
    }
    r.unexplainedClearingMinor = r.clearingDifferenceMinor - r.explanations.reduce((s, e) => s + e.clearingMinor, 0);
    r.unexplainedReserveMinor = r.reserveDifferenceMinor - r.explanations.reduce((s, e) => s + e.reserveMinor, 0);
  }
  return [...out.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}
