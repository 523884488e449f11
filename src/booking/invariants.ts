/**
 * Checks on what the ledger built. They can only fail through a bug (the data checks run first
 * and turn bad TikTok data into issues), so they throw: nothing unbalanced may leave this module.
 */
import type { ExtractedTransaction } from './components.js';
import type { BookingDocument } from './document.js';
import { BookingInvariantError } from './issues.js';
import { formatMinor, parseMinor } from './money.js';
import type { StatementBundle, StatementTransaction } from './tiktok-data.js';

const fmt = (n: number, c: string) => `${formatMinor(n, c)} ${c}`;

export const clearingTotal = (docs: BookingDocument[]): number =>
  docs.reduce((s, d) => s + d.lines.reduce((t, l) => (l.role === 'clearing' ? t + l.amountMinor : t), 0), 0);

export function checkDocument(doc: BookingDocument): void {
  const where = { documentKey: doc.key, transactionId: doc.refs.transactionId, statementId: doc.refs.statementId };
  let sum = 0;
  for (const l of doc.lines) {
    if (!Number.isSafeInteger(l.amountMinor)) throw new BookingInvariantError(`document ${doc.key}: line ${l.role} amount ${l.amountMinor} is not an integer of minor units`, where);
    sum += l.amountMinor;
  }
  if (sum !== 0) throw new BookingInvariantError(`document ${doc.key} does not balance: debits − credits = ${fmt(sum, doc.currency)}`, { ...where, expectedMinor: 0, actualMinor: sum });
  const currencies = new Set([doc.currency]);
  if (currencies.size !== 1 || !/^[A-Z]{3}$/.test(doc.currency)) throw new BookingInvariantError(`document ${doc.key}: invalid currency ${doc.currency}`, where);
}

/** Documents of several currencies are never mixed into one total. */
export function assertSingleCurrency(docs: BookingDocument[], context: string): string | undefined {
  const set = new Set(docs.map((d) => d.currency));
  if (set.size > 1) throw new BookingInvariantError(`${context}: documents in several currencies (${[...set].join(', ')}) cannot be combined`);
  return [...set][0];
}

export function checkTransactionClearing(tx: StatementTransaction, docs: BookingDocument[], ex: ExtractedTransaction, statementId: string, currency: string): void {
  const settlement = docs.filter((d) => d.kind !== 'reserve');
  const actual = clearingTotal(settlement);
  const expected = ex.settlementMinor ?? 0;
  if (actual !== expected) {
    throw new BookingInvariantError(`transaction ${tx.id} in statement ${statementId}: Clearing lines ${fmt(actual, currency)} ≠ settlement_amount ${fmt(expected, currency)}`, { transactionId: tx.id, statementId, expectedMinor: expected, actualMinor: actual });
  }
  const reserveExpected = ex.components.filter((c) => c.group === 'reserve').reduce((s, c) => s + c.amountMinor, 0);
  const reserveActual = clearingTotal(docs.filter((d) => d.kind === 'reserve'));
  if (reserveActual !== reserveExpected) {
    throw new BookingInvariantError(`transaction ${tx.id} in statement ${statementId}: reserve Clearing lines ${fmt(reserveActual, currency)} ≠ reserve_amount ${fmt(reserveExpected, currency)}`, { transactionId: tx.id, statementId, expectedMinor: reserveExpected, actualMinor: reserveActual });
  }
}

/** @param actual Σ Clearing lines of the statement's settlement (non-reserve) documents */
export function checkStatementClearing(bundle: StatementBundle, actual: number, currency: string): void {
  const sid = bundle.statement.id;
  const targets: Array<[string, unknown]> = [['settlement_amount', bundle.statement.settlement_amount], ['total_settlement_amount', bundle.header?.total_settlement_amount]];
  for (const [field, raw] of targets) {
    if (raw === undefined || raw === null || raw === '') continue;
    const expected = parseMinor(raw as string, currency, field);
    if (actual !== expected) {
      throw new BookingInvariantError(`statement ${sid}: Clearing lines ${fmt(actual, currency)} ≠ ${field} ${fmt(expected, currency)}`, { statementId: sid, expectedMinor: expected, actualMinor: actual });
    }
  }
}
