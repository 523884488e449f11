/**
 * Plain-text exports of documents exactly as booked: an hledger/ledger journal, a beancount
 * file, and CSV. One transaction per document; the document key, DocNumber and TikTok source
 * ids travel as tags / metadata so an auditor can trace every posting back.
 */
import { ACCOUNT_ROLES, type AccountClass, type AccountRole, type BookingDocument } from './document.js';
import { shortDocNumber } from './keys.js';
import { formatMinor } from './money.js';

export interface ExportOptions {
  /**
   * Account display name per role and currency (defaults to ACCOUNT_ROLES names); the document is
   * passed too, since a Clearing account belongs to one shop.
   */
  accountName?: (role: AccountRole, currency: string, doc?: BookingDocument) => string;
  /** The ledger's own reference of a booked document, for the CSV's ledger_type and ledger_id columns. */
  ledgerRef?: (doc: BookingDocument) => { type: string; id: string } | undefined;
}

const ROOT: Record<AccountClass, string> = {
  bank: 'Assets',
  current_asset: 'Assets',
  current_liability: 'Liabilities',
  income: 'Income',
  other_income: 'Income',
  expense: 'Expenses',
};

const defaultName = (role: AccountRole) => ACCOUNT_ROLES[role].name;

/** Full hledger account name, e.g. "Expenses:TikTok Shop Shipping & Fulfilment". */
export function hledgerAccount(role: AccountRole, currency: string, opts: ExportOptions = {}, doc?: BookingDocument): string {
  const name = (opts.accountName?.(role, currency, doc) ?? defaultName(role))
    .replace(/[:;]/g, '-') // ':' would make sub-accounts, ';' starts a comment
    .replace(/\s{2,}|\t/g, ' ') // two spaces end an account name
    .trim();
  return `${ROOT[ACCOUNT_ROLES[role].class]}:${name || role}`;
}

/** Beancount account name: capitalised components of letters, digits and dashes. */
export function beancountAccount(role: AccountRole, currency: string, opts: ExportOptions = {}, doc?: BookingDocument): string {
  const name = opts.accountName?.(role, currency, doc) ?? defaultName(role);
  const words = name.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').filter(Boolean);
  let component = words.map((w) => w.replace(/[^A-Za-z0-9]/g, '')).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (!/^[A-Z0-9]/.test(component)) component = `X${component}`;
  if (component === 'X') component = role.split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return `${ROOT[ACCOUNT_ROLES[role].class]}:${component}`;
}

const oneLine = (s: string) => s.replace(/[\r\n]+/g, ' ').trim();
const KIND_ORDER = ['statement', 'sale', 'fees', 'refund', 'adjustment', 'reserve', 'payout'];
// Same day: payouts after the settlements they pay, so running balances never dip below zero.
const sorted = (docs: BookingDocument[]) =>
  [...docs].sort((a, b) => a.date.localeCompare(b.date) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.key.localeCompare(b.key));
const tagValue = (s: string) => oneLine(s).replace(/,/g, ' ');


export function exportHledger(documents: BookingDocument[], opts: ExportOptions = {}): string {
  const docs = sorted(documents);
  // decimal-mark makes "1.000" unambiguous for 3-decimal currencies.
  const out: string[] = ['; synder export: TikTok Shop documents as booked', 'decimal-mark .', ''];
  const currencies = [...new Set(docs.map((d) => d.currency))].sort();
  for (const c of currencies) {
    const sample = formatMinor(100000, c);
    out.push(`commodity ${sample.includes('.') ? sample : `${sample}.`} ${c}`); // hledger wants a decimal mark even with no decimals
  }
  const accounts = new Set<string>();
  for (const d of docs) for (const l of d.lines) accounts.add(hledgerAccount(l.role, d.currency, opts, d));
  for (const a of [...accounts].sort()) out.push(`account ${a}`);
  out.push('');
  for (const d of docs) {
    const refs = Object.entries(d.refs).filter(([k, v]) => v && k !== 'shopId').map(([k, v]) => `${k}:${tagValue(String(v))}`);
    out.push(`${d.date} * ${oneLine(d.memo).replace(/;/g, ',')}  ; key:${tagValue(d.key)}, docnumber:${shortDocNumber(d.key)}, kind:${d.kind}, shop:${tagValue(d.refs.shopId)}${refs.length ? `, ${refs.join(', ')}` : ''}`);
    for (const w of d.warnings) out.push(`    ; warning: ${oneLine(w)}`);
    for (const l of d.lines) {
      const acct = hledgerAccount(l.role, d.currency, opts, d);
      const item = l.item?.sku ? `, sku:${tagValue(l.item.sku)}` : '';
      out.push(`    ${acct}  ${formatMinor(l.amountMinor, d.currency)} ${d.currency}  ; source:${l.source.kind} ${tagValue(l.source.id)}, field:${tagValue(l.source.field)}${item}`);
    }
    out.push('');
  }
  return out.join('\n');
}

const bcString = (s: string) => `"${oneLine(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function exportBeancount(documents: BookingDocument[], opts: ExportOptions = {}): string {
  const docs = sorted(documents);
  const out: string[] = ['; synder export: TikTok Shop documents as booked', ''];
  const firstUse = new Map<string, { date: string; currencies: Set<string> }>();
  for (const d of docs) {
    for (const l of d.lines) {
      const a = beancountAccount(l.role, d.currency, opts, d);
      const e = firstUse.get(a) ?? { date: d.date, currencies: new Set<string>() };
      if (d.date < e.date) e.date = d.date;
      e.currencies.add(d.currency);
      firstUse.set(a, e);
    }
  }
  for (const [a, e] of [...firstUse.entries()].sort()) out.push(`${e.date} open ${a} ${[...e.currencies].sort().join(',')}`);
  out.push('');
  for (const d of docs) {
    out.push(`${d.date} * "TikTok Shop" ${bcString(d.memo)}`);
    out.push(`  key: ${bcString(d.key)}`);
    out.push(`  docnumber: ${bcString(shortDocNumber(d.key))}`);
    out.push(`  kind: ${bcString(d.kind)}`);
    for (const [k, v] of Object.entries(d.refs)) if (v) out.push(`  ${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}: ${bcString(String(v))}`);
    d.warnings.forEach((w, i) => out.push(`  warning${i + 1}: ${bcString(w)}`));
    for (const l of d.lines) {
      out.push(`  ${beancountAccount(l.role, d.currency, opts, d)}  ${formatMinor(l.amountMinor, d.currency)} ${d.currency}`);
      out.push(`    source: ${bcString(`${l.source.kind} ${l.source.id}`)}`);
      out.push(`    field: ${bcString(l.source.field)}`);
      if (l.item?.sku) out.push(`    sku: ${bcString(l.item.sku)}`);
    }
    out.push('');
  }
  return out.join('\n');
}

const CSV_COLUMNS = [
  'document_key', 'doc_number', 'kind', 'date', 'currency', 'memo', 'role', 'account', 'debit', 'credit', 'amount',
  'description', 'source_kind', 'source_id', 'source_field', 'order_id', 'statement_id', 'transaction_id', 'payment_id',
  'sku', 'product', 'quantity', 'warnings', 'ledger_type', 'ledger_id', 'tax_code', 'tax_amount',
] as const;

const csvCell = (v: string | number | undefined) => {
  const s = v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per posting line (RFC 4180, CRLF line ends). */
export function exportCsv(documents: BookingDocument[], opts: ExportOptions = {}): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const d of sorted(documents)) {
    const ref = opts.ledgerRef?.(d);
    for (const l of d.lines) {
      const name = opts.accountName?.(l.role, d.currency, d) ?? defaultName(l.role);
      const cells = [
        d.key, shortDocNumber(d.key), d.kind, d.date, d.currency, d.memo, l.role, name,
        l.amountMinor > 0 ? formatMinor(l.amountMinor, d.currency) : '', l.amountMinor < 0 ? formatMinor(-l.amountMinor, d.currency) : '',
        formatMinor(l.amountMinor, d.currency), l.description, l.source.kind, l.source.id, l.source.field,
        d.refs.orderId, d.refs.statementId, d.refs.transactionId, d.refs.paymentId, l.item?.sku, l.item?.name, l.item?.quantity, d.warnings.join(' | '), ref?.type, ref?.id,
        l.tax?.name, l.tax ? formatMinor(l.tax.amountMinor, d.currency) : undefined,
      ];
      rows.push(cells.map(csvCell).join(','));
    }
  }
  return rows.join('\r\n') + '\r\n';
}
