import { SynderError } from '../errors.js';
import { buildTransactionDocuments, mergeRouting } from '../booking/index.js';
import type { BookingDocument } from '../booking/document.js';
import { formatMinor, parseMinor, sumMinor } from '../booking/money.js';
import type { Order, Payment, Statement, StatementTransaction } from '../booking/tiktok-data.js';
import type { LedgerConnector } from '../providers/ledger-connector.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';
import { AccountResolver } from './accounts.js';
import { documentIndex } from './views.js';

export interface ExplainAmount { field: string; amount: string; amountMinor: number; booked: boolean }
export interface ExplainPosting { document: string; kind: string; account: string; role: string; debit: string; credit: string; description: string; source: string }
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
  postings: ExplainPosting[];
  checks: ExplainCheck[];
  documents: ExplainDocument[];
  statement: { id: string; date: string | null; settlement: string | null; paymentId: string | null; paymentStatus: string | null };
  payout: { id: string; status: string; amount: string; paidAt: string | null; documents: ExplainDocument[] } | null;
}

export interface Explanation {
  orderId: string;
  order: { status: string; createdAt: string | null; items: Array<{ sku?: string; name?: string }> } | null;
  transactions: ExplainTransaction[];
  history: Array<{ at: string; subject: string; status: string; message: string | null }>;
}

/** Every amount of a transaction by field, as TikTok sent it. */
function amountsOf(tx: StatementTransaction, currency: string): ExplainAmount[] {
  const out: ExplainAmount[] = [];
  const push = (field: string, value: unknown, booked: boolean) => {
    if (typeof value !== 'string') return;
    try {
      const minor = parseMinor(value, currency, field);
      out.push({ field, amount: formatMinor(minor, currency), amountMinor: minor, booked });
    } catch {
      out.push({ field, amount: value, amountMinor: 0, booked: false });
    }
  };
  for (const f of ['settlement_amount', 'revenue_amount', 'shipping_cost_amount', 'fee_tax_amount', 'adjustment_amount', 'reserve_amount'] as const) push(f, tx[f], false);
  for (const [k, v] of Object.entries(tx.revenue_breakdown ?? {})) push(`revenue_breakdown.${k}`, v, true);
  for (const [k, v] of Object.entries(tx.shipping_cost_breakdown ?? {})) {
    if (k === 'supplementary_component' && v && typeof v === 'object') for (const [sk, sv] of Object.entries(v)) push(`shipping_cost_breakdown.supplementary_component.${sk}`, sv, false);
    else push(`shipping_cost_breakdown.${k}`, v, true);
  }
  for (const [k, v] of Object.entries(tx.fee_tax_breakdown?.fee ?? {})) push(`fee_tax_breakdown.fee.${k}`, v, true);
  for (const [k, v] of Object.entries(tx.fee_tax_breakdown?.tax ?? {})) push(`fee_tax_breakdown.tax.${k}`, v, true);
  for (const [k, v] of Object.entries(tx.supplementary_component ?? {})) push(`supplementary_component.${k}`, v, false);
  return out;
}

export function explainOrder(store: Store, org: Org, orderId: string, ledger?: LedgerConnector): Explanation {
  const integrations = store.integrations.listForOrg(org.id);
  const ids = integrations.map((i) => i.id);
  const records = store.sourceRecords.list({ integrationIds: ids, kind: ['statement_transaction'], orderId });
  const orderRecord = store.sourceRecords.list({ integrationIds: ids, kind: ['order'], orderId })[0];
  if (records.length === 0 && !orderRecord) {
    throw new SynderError(`No TikTok order ${orderId} is known for ${org.name}.`, { hint: 'Check the id with `synder transactions`; run `synder sync` if it was settled recently (unsettled orders are not booked).' });
  }
  const index = documentIndex(store, org);
  const resolver = new AccountResolver(store, org.id);
  const view = (d: ReturnType<typeof index.forRecord>[number]): ExplainDocument => {
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
  const order = orderRecord?.raw as Order | undefined;
  const subjects: Array<{ kind: string; id: string }> = [];
  const transactions = records.map((r): ExplainTransaction => {
    const tx = r.raw as StatementTransaction;
    const integration = integrations.find((i) => i.id === r.integrationId)!;
    const statementRec = r.statementId ? store.sourceRecords.get(r.integrationId, 'statement', r.statementId) : undefined;
    const statement = statementRec?.raw as Statement | undefined;
    const currency = (tx.currency ?? statement?.currency ?? r.currency ?? 'USD').toUpperCase();
    const settings = { ...org.settings, ...integration.settings };
    let docs: BookingDocument[] = [];
    const checks: ExplainCheck[] = [];
    if (statement) {
      const built = buildTransactionDocuments(tx, { statement, transactions: [tx] }, {
        mode: 'per-transaction', shopId: integration.externalId, timeZone: org.timezone ?? 'UTC',
        dateBasis: settings.dateBasis === 'order' ? 'order' : 'settlement', routing: mergeRouting(settings.routing),
        mfTax: settings.mfTax === 'gross' ? 'gross' : 'off', orders: order ? new Map([[order.id, order]]) : undefined,
      });
      docs = built.documents;
      for (const i of built.issues) checks.push({ name: i.code, ok: i.severity !== 'error', detail: i.message });
    }
    const postings: ExplainPosting[] = docs.flatMap((d) => {
      const names = resolver.namesFor(d, integration);
      return d.lines.map((l) => ({
        document: d.key, kind: d.kind, account: names[l.role] ?? l.role, role: l.role,
        debit: l.amountMinor > 0 ? formatMinor(l.amountMinor, currency) : '', credit: l.amountMinor < 0 ? formatMinor(-l.amountMinor, currency) : '',
        description: l.description, source: `${l.source.field}`,
      }));
    });
    const settlementMinor = r.amountMinor ?? 0;
    for (const d of docs) {
      const total = sumMinor(d.lines.map((l) => l.amountMinor));
      checks.push({ name: `balanced ${d.kind}`, ok: total === 0, detail: `debits − credits = ${formatMinor(total, currency)}` });
    }
    if (docs.length > 0) {
      const clearing = sumMinor(docs.flatMap((d) => d.lines.filter((l) => l.role === 'clearing').map((l) => l.amountMinor)));
      checks.push({ name: 'clearing = settlement', ok: clearing === settlementMinor, detail: `clearing ${formatMinor(clearing, currency)} vs settlement_amount ${formatMinor(settlementMinor, currency)}` });
    }
    const documents = index.forRecord(r).map(view);
    subjects.push({ kind: 'statement_transaction', id: r.externalId }, ...documents.map((d) => ({ kind: 'document', id: d.key })));
    let payout: ExplainTransaction['payout'] = null;
    if (statement?.payment_id) {
      const p = store.sourceRecords.get(r.integrationId, 'payment', statement.payment_id);
      if (p) {
        const raw = p.raw as Payment;
        const pdocs = index.forRecord(p).map(view);
        subjects.push(...pdocs.map((d) => ({ kind: 'document', id: d.key })));
        payout = { id: p.externalId, status: raw.status, amount: `${raw.amount.value} ${raw.amount.currency}`, paidAt: raw.paid_time ? new Date(raw.paid_time * 1000).toISOString() : null, documents: pdocs };
      }
    }
    return {
      transactionId: r.externalId, type: tx.type, currency, settlement: formatMinor(settlementMinor, currency), status: r.status, error: r.error,
      amounts: amountsOf(tx, currency), postings, checks, documents,
      statement: { id: r.statementId ?? '', date: statementRec?.occurredAt?.slice(0, 10) ?? null, settlement: statement?.settlement_amount ?? null, paymentId: statement?.payment_id ?? null, paymentStatus: statement?.payment_status ?? null },
      payout,
    };
  });
  const history = store.events.forSubjects(org.id, subjects).map((e) => ({ at: e.at, subject: `${e.subjectKind} ${e.subjectId}`, status: e.status, message: e.message }));
  return {
    orderId,
    order: order ? { status: order.status, createdAt: new Date(order.create_time * 1000).toISOString(), items: order.line_items.map((li) => ({ sku: li.seller_sku ?? li.sku_name, name: li.product_name })) } : null,
    transactions,
    history,
  };
}
