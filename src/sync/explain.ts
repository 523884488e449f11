import { SynderError } from '../errors.js';
import { explainOrder as explainBooking, explainTransactions, formatMinor, orderItems, mergeRouting, type BuildOptions, type Order, type Payment, type Statement, type StatementBundle, type StatementTransaction } from '../booking/index.js';
import type { LedgerConnector } from '../providers/ledger-connector.js';
import type { Integration } from '../store/integrations.js';
import type { Org } from '../store/orgs.js';
import type { DocumentRow } from '../store/documents.js';
import type { SourceRecord } from '../store/source-records.js';
import type { Store } from '../store/store.js';
import { AccountResolver } from './accounts.js';
import { documentIndex, warningsOf, type BookingWarning } from './views.js';
import { orgTaxPlan } from './tax.js';

export interface ExplainAmount { field: string; amount: string; amountMinor: number | null; booked: boolean }
export interface ExplainLine { document: string; kind: string; account: string; role: string; debit: string; credit: string; description: string; source: string; tax?: string | null }
export interface ExplainCheck { name: string; ok: boolean; detail: string }
export interface ExplainDocument { key: string; kind: string; status: string; ledgerType: string | null; ledgerId: string | null; ledgerNumber: string | null; link: string | null; error: string | null; fix: string | null }

export interface ExplainTransaction {
  transactionId: string;
  type: string;
  currency: string;
  settlement: string;
  status: string;
  error: string | null;
  amounts: ExplainAmount[];
  postings: ExplainLine[];
  checks: ExplainCheck[];
  documents: ExplainDocument[];
  /** What the booking noticed without refusing to book, each with what resolves it. */
  warnings: BookingWarning[];
  statement: { id: string; date: string | null; settlement: string | null; paymentId: string | null; paymentStatus: string | null };
  payout: { id: string; status: string; amount: string; paidAt: string | null; documents: ExplainDocument[] } | null;
}

/** What an id names: explain takes any id `synder transactions` shows. */
export type ExplainSubject = { kind: 'order' | 'transaction' | 'statement' | 'payout'; id: string };

export interface ExplainPayout { id: string; status: string; amount: string; paidAt: string | null; postings: ExplainLine[]; documents: ExplainDocument[]; statements: string[] }

export interface Explanation {
  subject: ExplainSubject;
  /** The order explained, or null for a statement transaction, statement or payout without one. */
  orderId: string | null;
  order: { status: string; createdAt: string | null; items: Array<{ sku?: string; name?: string; quantity: number }> } | null;
  transactions: ExplainTransaction[];
  /** A payout explained on its own (its transactions are their statements'). */
  payout: ExplainPayout | null;
  history: Array<{ at: string; subject: string; status: string; message: string | null }>;
}

/** The booking options the sync builds this integration's documents with. */
async function buildOptions(store: Store, org: Org, integration: Integration): Promise<BuildOptions> {
  const settings = { ...org.settings, ...integration.settings };
  const plan = await orgTaxPlan(store, org);
  return {
    mode: 'per-transaction', shopId: integration.externalId, timeZone: org.timezone ?? 'UTC',
    dateBasis: settings.dateBasis === 'order' ? 'order' : 'settlement', routing: mergeRouting(settings.routing),
    mfTax: settings.mfTax === 'gross' ? 'gross' : 'off',
    tax: plan?.ok ? plan.plan : undefined,
  };
}

/**
 * `synder explain <orderId>`: the booking core's explanation of the order's transactions (amounts,
 * postings with the org's account names, checks), joined with what the store knows — the
 * documents in the ledger with their links, the payout, and the history of events.
 */
export async function explainOrder(store: Store, org: Org, orderId: string, ledger?: Pick<LedgerConnector, 'deepLink'>): Promise<Explanation> {
  return await explainId(store, org, orderId, ledger, ['order']);
}

/**
 * `synder explain <id>`: an order, a statement transaction (ads charges, reserves,
 * reimbursements, adjustments…), a statement or a payout — whichever the id names, in that order.
 */
export async function explainId(store: Store, org: Org, id: string, ledger?: Pick<LedgerConnector, 'deepLink'>, kinds: Array<ExplainSubject['kind']> = ['order', 'transaction', 'statement', 'payout']): Promise<Explanation> {
  const ids = (await store.integrations.listForOrg(org.id)).map((i) => i.id);
  const order = async (): Promise<Explanation | undefined> => {
    const records = await store.sourceRecords.list({ integrationIds: ids, kind: ['statement_transaction'], orderId: id });
    const orderRecord = (await store.sourceRecords.list({ integrationIds: ids, kind: ['order'], orderId: id }))[0];
    if (records.length === 0 && !orderRecord) return undefined;
    return explainRecords(store, org, { kind: 'order', id }, records, orderRecord?.raw as Order | undefined, ledger);
  };
  const transaction = async (): Promise<Explanation | undefined> => {
    const records: Array<SourceRecord<'statement_transaction'>> = [];
    for (const i of ids) {
      const r = await store.sourceRecords.get(i, 'statement_transaction', id);
      if (r) records.push(r);
    }
    return records.length ? explainRecords(store, org, { kind: 'transaction', id }, records, undefined, ledger) : undefined;
  };
  const statement = async (): Promise<Explanation | undefined> => {
    let known = false;
    for (const i of ids) known ||= (await store.sourceRecords.get(i, 'statement', id)) !== undefined;
    if (!known) return undefined;
    const records = await store.sourceRecords.list({ integrationIds: ids, kind: ['statement_transaction'], statementId: id });
    return explainRecords(store, org, { kind: 'statement', id }, records, undefined, ledger);
  };
  const payout = async (): Promise<Explanation | undefined> => {
    let record: SourceRecord | undefined;
    for (const i of ids) record ??= await store.sourceRecords.get(i, 'payment', id);
    return record ? explainPayout(store, org, record, ledger) : undefined;
  };
  const finders = { order, transaction, statement, payout };
  for (const kind of kinds) {
    const found = await finders[kind]();
    if (found) return found;
  }
  const what = kinds.length === 1 ? `TikTok ${kinds[0]}` : 'TikTok order, transaction, statement or payout';
  throw new SynderError(`No ${what} ${id} is known for ${org.name}.`, { hint: 'Check the id with `synder transactions`; run `synder sync` if it was settled recently (unsettled orders are not booked).' });
}

const documentView = (ledger?: Pick<LedgerConnector, 'deepLink'>) => (d: DocumentRow): ExplainDocument => {
  const ref = d.refs[0];
  let link: string | null = null;
  if (ref && ledger && d.status === 'posted') {
    try {
      link = ledger.deepLink(ref);
    } catch {
      link = null;
    }
  }
  return { key: d.key, kind: d.kind, status: d.status, ledgerType: ref?.type ?? null, ledgerId: ref?.id ?? null, ledgerNumber: ref?.number ?? null, link, error: d.error, fix: d.fix };
};

/** A payout: its amount, the documents that book it with their postings, the statements it paid, and its history. */
async function explainPayout(store: Store, org: Org, record: SourceRecord, ledger?: Pick<LedgerConnector, 'deepLink'>): Promise<Explanation> {
  const payment = record.raw as Payment;
  const index = await documentIndex(store, org);
  const rows = index.forRecord(record);
  const integration = (await store.integrations.listForOrg(org.id)).find((i) => i.id === record.integrationId)!;
  const specFor = await new AccountResolver(store, org.id).snapshot();
  const postings = rows.flatMap((d) => {
    return d.body.lines.map((l) => ({
      document: d.key, kind: d.kind, account: specFor({ role: l.role, integration, currency: d.currency }).name, role: l.role,
      debit: l.amountMinor > 0 ? formatMinor(l.amountMinor, d.currency) : '', credit: l.amountMinor < 0 ? formatMinor(-l.amountMinor, d.currency) : '',
      description: l.description, source: l.source.field,
    }));
  });
  const statements = (await store.sourceRecords.list({ integrationIds: [record.integrationId], kind: ['statement'] })).filter((s) => (s.raw as Statement).payment_id === record.externalId).map((s) => s.externalId);
  const documents = rows.map(documentView(ledger));
  const subjects = [{ kind: 'payment', id: record.externalId }, ...documents.map((d) => ({ kind: 'document', id: d.key }))];
  return {
    subject: { kind: 'payout', id: record.externalId },
    orderId: null,
    order: null,
    transactions: [],
    payout: {
      id: payment.id, status: payment.status, amount: `${payment.amount.value} ${payment.amount.currency}`, paidAt: payment.paid_time ? new Date(payment.paid_time * 1000).toISOString() : null,
      postings, documents, statements,
    },
    history: (await store.events.forSubjects(org.id, subjects)).map((e) => ({ at: e.at, subject: `${e.subjectKind} ${e.subjectId}`, status: e.status, message: e.message })),
  };
}

/** The booking core's explanation of some statement transactions, joined with what the store knows. */
async function explainRecords(store: Store, org: Org, subject: ExplainSubject, records: SourceRecord[], order: Order | undefined, ledger?: Pick<LedgerConnector, 'deepLink'>): Promise<Explanation> {
  const integrations = await store.integrations.listForOrg(org.id);
  const orderId = subject.kind === 'order' ? subject.id : null;
  const index = await documentIndex(store, org);
  const specFor = await new AccountResolver(store, org.id).snapshot();
  const view = documentView(ledger);
  const subjects: Array<{ kind: string; id: string }> = [];
  const transactions: ExplainTransaction[] = [];
  for (const integration of integrations) {
    const mine = records.filter((r) => r.integrationId === integration.id);
    if (mine.length === 0) continue;
    const statements = new Map<string, { record: SourceRecord; bundle: StatementBundle }>();
    for (const r of mine) {
      if (!r.statementId) continue;
      let s = statements.get(r.statementId);
      if (!s) {
        const record = await store.sourceRecords.get(integration.id, 'statement', r.statementId);
        if (!record) continue;
        s = { record, bundle: { statement: record.raw as Statement, transactions: [] } };
        statements.set(r.statementId, s);
      }
      s.bundle.transactions.push(r.raw as StatementTransaction);
    }
    const paymentRecords = new Map<string, SourceRecord>();
    for (const { bundle } of statements.values()) {
      const pid = bundle.statement.payment_id;
      const p = pid ? await store.sourceRecords.get(integration.id, 'payment', pid) : undefined;
      if (p) paymentRecords.set(p.externalId, p);
    }
    const input = {
      bundles: [...statements.values()].map((s) => s.bundle),
      orders: order ? new Map([[order.id, order]]) : undefined,
      payments: [...paymentRecords.values()].map((p) => p.raw as Payment),
      accountName: (role: Parameters<typeof specFor>[0]['role'], currency: string) => specFor({ role, integration, currency }).name,
    };
    const wanted = new Set(mine.map((r) => r.externalId));
    const options = await buildOptions(store, org, integration);
    const explained = orderId ? explainBooking(orderId, input, options) : explainTransactions((tx) => wanted.has(tx.id), input, options);
    for (const t of explained.transactions) {
      const r = mine.find((x) => x.externalId === t.transactionId)!;
      const statement = statements.get(t.statementId)!;
      const fmt = (n: number) => formatMinor(n, t.currency);
      const settlementMinor = t.sources.find((s) => s.field === 'settlement_amount')?.amountMinor;
      const rows = index.forRecord(r);
      const documents = rows.map(view);
      subjects.push({ kind: 'statement_transaction', id: r.externalId }, ...documents.map((d) => ({ kind: 'document', id: d.key })));
      let payout: ExplainTransaction['payout'] = null;
      const p = t.paymentId ? paymentRecords.get(t.paymentId) : undefined;
      const paid = explained.payments.find((x) => x.id === t.paymentId);
      if (p && paid) {
        const pdocs = index.forRecord(p).map(view);
        subjects.push(...pdocs.map((d) => ({ kind: 'document', id: d.key })));
        payout = { id: paid.id, status: paid.status, amount: `${paid.amount} ${paid.currency}`, paidAt: paid.paidTime ? new Date(paid.paidTime * 1000).toISOString() : null, documents: pdocs };
      }
      transactions.push({
        transactionId: t.transactionId, type: t.type, currency: t.currency, settlement: settlementMinor !== undefined ? fmt(settlementMinor) : t.settlementAmount,
        status: r.status, error: r.error,
        amounts: t.sources.map((s) => ({ field: s.field, amount: s.amountMinor !== undefined ? fmt(s.amountMinor) : s.value, amountMinor: s.amountMinor ?? null, booked: s.booked })),
        postings: t.documents.flatMap((d) => d.postings.map((l) => ({ document: d.key, kind: d.kind, account: l.account, role: l.role, debit: l.debit, credit: l.credit, description: l.description, source: l.field, tax: l.tax ? (l.role === 'vat' ? l.tax.code : `${l.tax.code} (tax ${l.tax.amount})`) : null }))),
        // The core's checks, then what it noticed without refusing to book (an error already fails components_add_up).
        checks: [...t.checks, ...t.issues.filter((i) => i.severity !== 'error').map((i) => ({ name: i.code, ok: true, detail: i.message }))],
        documents,
        warnings: warningsOf(rows, orderId ?? r.externalId),
        statement: {
          id: t.statementId, date: statement.record.occurredAt?.slice(0, 10) ?? null, settlement: statement.bundle.statement.settlement_amount ?? null,
          paymentId: t.paymentId ?? null, paymentStatus: t.paymentStatus ?? null,
        },
        payout,
      });
    }
  }
  const history = (await store.events.forSubjects(org.id, subjects)).map((e) => ({ at: e.at, subject: `${e.subjectKind} ${e.subjectId}`, status: e.status, message: e.message }));
  return {
    subject,
    orderId,
    order: order ? { status: order.status, createdAt: new Date(order.create_time * 1000).toISOString(), items: orderItems(order) } : null,
    transactions,
    payout: null,
    history,
  };
}
