import { ACCOUNT_ROLES, isAccountRole, type BookingDocument } from '../booking/document.js';
import { formatMinor } from '../booking/money.js';
import { integrationScope } from '../store/account-mappings.js';
import type { DocumentRow } from '../store/documents.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';
import { clearingAccountSpec } from './accounts.js';

export type ExportFormat = 'hledger' | 'beancount' | 'csv';

const TOP: Record<string, string> = { bank: 'Assets', current_asset: 'Assets', income: 'Income', other_income: 'Income', expense: 'Expenses', current_liability: 'Liabilities' };

interface Posting { account: string; role: string; amountMinor: number; description: string }
interface Entry { row: DocumentRow; doc: BookingDocument; postings: Posting[] }

/** The booked documents with the ledger account name of every line (the org's mapping at export time). */
export function bookedEntries(store: Store, org: Org, since?: string): Entry[] {
  const integrations = new Map(store.integrations.listForOrg(org.id).map((i) => [i.id, i]));
  return store.documents.list(org.id, { status: ['posted'], since }).map((row) => {
    const doc = row.body as BookingDocument;
    const integration = row.integrationId !== null ? integrations.get(row.integrationId) : undefined;
    const name = (role: string): string => {
      if (role === 'clearing' && integration) {
        return store.accounts.get(org.id, 'clearing', { scope: integrationScope(integration.id), currency: doc.currency })?.accountName ?? clearingAccountSpec(integration, doc.currency).name;
      }
      return store.accounts.get(org.id, role)?.accountName ?? (isAccountRole(role) ? ACCOUNT_ROLES[role].name : role);
    };
    return { row, doc, postings: doc.lines.map((l) => ({ account: name(l.role), role: l.role, amountMinor: l.amountMinor, description: l.description })) };
  });
}

const topOf = (role: string): string => TOP[isAccountRole(role) ? ACCOUNT_ROLES[role].class : 'expense'] ?? 'Expenses';

const hledgerAccount = (p: Posting): string => `${topOf(p.role)}:${p.account.replace(/[;:]/g, ' ').replace(/\s{2,}/g, ' ').trim()}`;

const beanAccount = (p: Posting): string => {
  const parts = p.account.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1));
  const leaf = parts.join('-') || 'Unnamed';
  return `${topOf(p.role)}:${/^[A-Z]/.test(leaf) ? leaf : `X${leaf}`}`;
};

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const csvCell = (s: string | number | null | undefined): string => {
  const v = s === null || s === undefined ? '' : String(s);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

export function exportJournal(entries: Entry[], format: ExportFormat): string {
  if (format === 'csv') {
    const head = ['date', 'document_key', 'kind', 'memo', 'account', 'role', 'debit', 'credit', 'currency', 'order_id', 'statement_id', 'payment_id', 'ledger_type', 'ledger_id'];
    const rows = entries.flatMap((e) =>
      e.postings.map((p) => [
        e.doc.date, e.row.key, e.doc.kind, e.doc.memo, p.account, p.role,
        p.amountMinor > 0 ? formatMinor(p.amountMinor, e.doc.currency) : '', p.amountMinor < 0 ? formatMinor(-p.amountMinor, e.doc.currency) : '',
        e.doc.currency, e.doc.refs.orderId, e.doc.refs.statementId, e.doc.refs.paymentId, e.row.refs[0]?.type, e.row.refs[0]?.id,
      ]),
    );
    return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  }
  if (format === 'hledger') {
    return entries
      .map((e) => {
        const lines = [`${e.doc.date} * ${e.doc.memo.replace(/[;\n]/g, ' ')}  ; key:${e.row.key}`];
        for (const p of e.postings) lines.push(`    ${hledgerAccount(p)}  ${formatMinor(p.amountMinor, e.doc.currency)} ${e.doc.currency}`);
        return lines.join('\n');
      })
      .join('\n\n') + '\n';
  }
  const opened = new Map<string, string>();
  for (const e of entries) for (const p of e.postings) {
    const a = beanAccount(p);
    if (!opened.has(a) || opened.get(a)! > e.doc.date) opened.set(a, e.doc.date);
  }
  const header = [...opened.entries()].sort().map(([a, d]) => `${d} open ${a}`);
  const body = entries.map((e) => {
    const lines = [`${e.doc.date} * ${quote('TikTok Shop')} ${quote(e.doc.memo)}`, `  synder-key: ${quote(e.row.key)}`];
    for (const p of e.postings) lines.push(`  ${beanAccount(p)}  ${formatMinor(p.amountMinor, e.doc.currency)} ${e.doc.currency}`);
    return lines.join('\n');
  });
  return [header.join('\n'), ...body].join('\n\n') + '\n';
}
