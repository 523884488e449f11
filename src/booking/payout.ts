/**
 * Payout documents: Dr Bank / Cr Clearing for the amount paid. A reserve withheld or released
 * in the payment (reserve_amount, negative = withheld) gets its own Reserve line — unless the
 * statements of the payment already carried it as reserve transactions, which were booked then;
 * only the part of the payment's reserve not booked from statements is booked here, so a reserve
 * is never counted twice. Clearing is credited by amount − that reserve part.
 */
import { formatSigned, safeText } from './components.js';
import { localDate, toUnixSeconds } from './dates.js';
import type { BookingDocument, BookingLine } from './document.js';
import { checkDocument } from './invariants.js';
import type { BookingIssue } from './issues.js';
import { documentKey } from './keys.js';
import { MAX_AMOUNT_MINOR, MoneyError, parseMinor } from './money.js';
import type { Payment, StatementBundle } from './tiktok-data.js';
import type { BuildOptions, BuildResult } from './options.js';

const norm = (c: unknown) => (typeof c === 'string' ? c.trim().toUpperCase() : '');

/** Σ reserve_amount of the transactions in these statements (what statement documents already booked). */
export function reserveBookedFromStatements(bundles: StatementBundle[], currency: string): number {
  let sum = 0;
  for (const b of bundles) {
    for (const tx of b.transactions) {
      if (tx.reserve_amount === undefined || tx.reserve_amount === null) continue;
      try {
        const n = parseMinor(tx.reserve_amount, currency, 'reserve_amount');
        if (Math.abs(n) <= MAX_AMOUNT_MINOR) sum += n; // larger ones are rejected with their statement
      } catch {
        /* reported when the statement is built */
      }
    }
  }
  return sum;
}

export function buildPayoutDocuments(payment: Payment, statementsOfPayment: StatementBundle[], opts: Pick<BuildOptions, 'shopId' | 'timeZone'>): BuildResult {
  const pid = payment.id;
  const issues: BookingIssue[] = [];
  const label = `payment ${pid}`;
  if (safeText(payment.status ?? '').toUpperCase() !== 'PAID') {
    return { documents: [], issues: [{ severity: 'info', code: 'payment_not_paid', paymentId: pid, fields: ['status'], message: `${label} is ${safeText(payment.status)}; booked once it is PAID` }] };
  }
  const currency = norm(payment.amount?.currency);
  const when = toUnixSeconds(payment.paid_time) ?? toUnixSeconds(payment.create_time);
  if (!/^[A-Z]{3}$/.test(currency)) return { documents: [], issues: [{ severity: 'error', code: 'currency_mismatch', paymentId: pid, fields: ['amount.currency'], message: `${label}: amount.currency ${safeText(payment.amount?.currency)} is not an ISO 4217 code; payout not booked` }] };
  if (when === undefined || !Number.isFinite(new Date(when * 1000).getTime())) return { documents: [], issues: [{ severity: 'error', code: 'invalid_amount', paymentId: pid, fields: ['paid_time', 'create_time'], message: `${label}: no valid paid_time or create_time; payout not booked` }] };
  const fail = (code: BookingIssue['code'], fields: string[], message: string, differenceMinor?: number): BuildResult => ({
    documents: [],
    issues: [...issues, { severity: 'error', code, paymentId: pid, fields, differenceMinor, message: `${label}: ${message}; payout not booked` }],
  });
  for (const [field, mv] of [['settlement_amount', payment.settlement_amount], ['reserve_amount', payment.reserve_amount]] as const) {
    if (mv && norm(mv.currency) !== currency) return fail('currency_mismatch', [`${field}.currency`, 'amount.currency'], `${field} is in ${safeText(mv.currency)} but amount in ${currency} (currency conversion is not supported)`);
  }
  for (const b of statementsOfPayment) {
    if (norm(b.statement.currency) !== currency) return fail('currency_mismatch', ['amount.currency'], `paid in ${currency} but statement ${b.statement.id} is in ${safeText(b.statement.currency)} (currency conversion is not supported)`);
  }
  let amount: number;
  let reserve = 0;
  let settlement: number | undefined;
  try {
    amount = parseMinor(payment.amount?.value, currency, 'amount.value');
    if (payment.reserve_amount) reserve = parseMinor(payment.reserve_amount.value, currency, 'reserve_amount.value');
    if (payment.settlement_amount) settlement = parseMinor(payment.settlement_amount.value, currency, 'settlement_amount.value');
  } catch (err) {
    if (err instanceof MoneyError) return fail('invalid_amount', [], err.message);
    throw err;
  }
  if ([amount, reserve, settlement ?? 0].some((n) => Math.abs(n) > MAX_AMOUNT_MINOR)) return fail('invalid_amount', ['amount', 'reserve_amount', 'settlement_amount'], 'an amount is implausibly large');
  const fmt = (n: number) => formatSigned(n, currency);
  if (settlement !== undefined && settlement + reserve !== amount) {
    return fail('payment_mismatch', ['amount', 'settlement_amount', 'reserve_amount'], `amount ${fmt(amount)} ≠ settlement_amount ${fmt(settlement)} + reserve_amount ${fmt(reserve)} (difference ${fmt(amount - settlement - reserve)})`, amount - settlement - reserve);
  }
  const warnings: string[] = [];
  if (statementsOfPayment.length > 0 && settlement !== undefined) {
    let sum = 0;
    for (const b of statementsOfPayment) {
      try {
        sum += parseMinor(b.statement.settlement_amount, currency, 'settlement_amount');
      } catch {
        /* reported with the statement */
      }
    }
    if (sum !== settlement) {
      const w = `settlement_amount ${fmt(settlement)} ≠ Σ settlement_amount of its ${statementsOfPayment.length} known statement(s) ${fmt(sum)} (difference ${fmt(settlement - sum)})`;
      warnings.push(w);
      issues.push({ severity: 'warning', code: 'payment_mismatch', paymentId: pid, fields: ['settlement_amount'], differenceMinor: settlement - sum, message: `${label}: ${w}` });
    }
  }
  const reserveHere = reserve - reserveBookedFromStatements(statementsOfPayment, currency);
  const lines: BookingLine[] = [];
  const source = (field: string) => ({ kind: 'payment' as const, id: pid, field });
  if (amount !== 0) lines.push({ role: 'bank', amountMinor: amount, description: `TikTok Shop payout${payment.bank_account ? ` to ${payment.bank_account}` : ''}`, source: source('amount.value') });
  if (reserveHere !== 0) lines.push({ role: 'reserve', amountMinor: -reserveHere, description: reserveHere < 0 ? 'reserve withheld from payout' : 'reserve released in payout', source: source('reserve_amount.value') });
  const clearing = -(amount - reserveHere);
  if (clearing !== 0) lines.push({ role: 'clearing', amountMinor: clearing, description: 'TikTok Shop settlement paid out', source: source('settlement_amount.value') });
  if (lines.length === 0) return { documents: [], issues };
  const doc: BookingDocument = {
    key: documentKey(opts.shopId, pid, 'payout'),
    kind: 'payout',
    date: localDate(when, opts.timeZone),
    currency,
    memo: `TikTok Shop payout ${pid}${statementsOfPayment.length ? ` for statement${statementsOfPayment.length > 1 ? 's' : ''} ${statementsOfPayment.map((b) => b.statement.id).join(', ')}` : ''}`,
    lines,
    refs: { shopId: opts.shopId, paymentId: pid, statementId: statementsOfPayment.length === 1 ? statementsOfPayment[0]!.statement.id : undefined },
    warnings,
  };
  checkDocument(doc);
  return { documents: [doc], issues };
}
