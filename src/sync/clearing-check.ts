import { formatMinor, reconcile, type DocumentTotals, type ExplanationKind, type StatementBundle, type StatementTransaction } from '../booking/index.js';
import type { LedgerConnector } from '../providers/ledger-connector.js';
import { integrationScope } from '../store/account-mappings.js';
import type { Integration } from '../store/integrations.js';
import type { Org } from '../store/orgs.js';
import type { SourceStatus } from '../store/source-records.js';
import type { DocumentRow } from '../store/documents.js';
import type { Store } from '../store/store.js';
import { storedReserveTransactions } from './fetch.js';
import type { ClearingCheck } from './types.js';

/** A statement TikTok has not paid out: what it adds to the Clearing balance TikTok expects. */
export interface UnpaidStatementRow {
  statementId: string;
  date: string | null;
  paymentId: string | null;
  paymentStatus: string | null;
  settlement: string;
  reserve: string;
  /** settlement + reserve: the rows add up to the check's unpaidSettlements. */
  amount: string;
  amountMinor: number;
}

/** One cause of the difference between the ledger's Clearing and TikTok's; the rows add up to the check's difference. */
export interface DifferenceRow {
  /** missing_in_ledger: synder posted it, the ledger no longer has it (deleted or voided there). */
  kind: ExplanationKind | 'missing_in_ledger' | 'unexplained';
  message: string;
  documentKey: string | null;
  statementId: string | null;
  transactionId: string | null;
  orderId: string | null;
  paymentId: string | null;
  /** Of the source record (a transaction not booked) or the document (one not in the ledger). */
  status: string | null;
  amount: string;
  amountMinor: number;
}

export interface ClearingReconciliation extends ClearingCheck {
  unpaidStatements: UnpaidStatementRow[];
  explanations: DifferenceRow[];
}

export interface Reconciliation {
  org: string;
  ledger: string;
  /** No difference on any clearing account. */
  reconciles: boolean;
  clearing: ClearingReconciliation[];
}

type BalanceReader = Pick<LedgerConnector, 'accountBalance'>;
type DocumentFinder = Pick<LedgerConnector, 'findByKeys'>;

/** `synder reconcile`: every clearing account of the org's TikTok shops against TikTok's unpaid statements, with what explains each difference. */
export async function reconcileOrg(deps: { store: Store; ledger: BalanceReader & DocumentFinder & Pick<LedgerConnector, 'provider'> }, org: Org, integrations?: Integration[]): Promise<Reconciliation> {
  const shops = integrations ?? (await deps.store.integrations.listForOrg(org.id)).filter((i) => i.platform === 'tiktok');
  const clearing = await reconcileClearing(deps.store, deps.ledger, org, shops, deps.ledger);
  return { org: org.name, ledger: deps.ledger.provider, reconciles: clearing.every((c) => c.differenceMinor === 0), clearing };
}

/** The closing check of a sync: the reconciliation's totals per integration and currency. */
export async function clearingChecks(store: Store, ledger: BalanceReader, org: Org, integrations: Integration[]): Promise<ClearingCheck[]> {
  return (await reconcileClearing(store, ledger, org, integrations)).map(({ unpaidStatements: _u, explanations: _e, ...check }) => check);
}

async function reconcileClearing(store: Store, ledger: BalanceReader, org: Org, integrations: Integration[], finder?: DocumentFinder): Promise<ClearingReconciliation[]> {
  const out: ClearingReconciliation[] = [];
  const mappings = (await store.accounts.list(org.id)).filter((m) => m.role === 'clearing');
  for (const integration of integrations) {
    const mine = mappings.filter((m) => m.scope === integrationScope(integration.id));
    if (mine.length === 0) continue;
    const balances: Array<{ currency: string; clearingMinor: number }> = [];
    for (const m of mine) balances.push({ currency: m.currency, clearingMinor: await ledger.accountBalance(m.accountId) });
    const input = await storedInput(store, org, integration);
    const results = reconcile({ documents: input.documents, bundles: input.bundles, payments: input.payments, ledgerBalances: balances });
    const missing = finder && results.some((r) => r.explanations.some((e) => e.kind === 'outside_synder' && e.clearingMinor !== 0)) ? await missingInLedger(store, finder, org, integration) : [];
    mine.forEach((m, i) => {
      const currency = m.currency;
      const r = results.find((x) => x.currency === currency.trim().toUpperCase())!;
      const ledgerBalanceMinor = balances[i]!.clearingMinor;
      const fmt = (n: number) => formatMinor(n, currency);
      const explanations: DifferenceRow[] = withMissing(r.explanations, missing.filter((d) => d.currency === r.currency)).map((e) => ({
        kind: e.kind, message: e.message, documentKey: e.documentKey ?? null, statementId: e.statementId ?? null, transactionId: e.transactionId ?? null,
        orderId: e.orderId ?? null, paymentId: e.paymentId ?? null,
        status: e.documentKey ? (input.documentStatus.get(e.documentKey) ?? null) : e.transactionId ? (input.transactionStatus.get(e.transactionId) ?? null) : null,
        amount: fmt(e.clearingMinor), amountMinor: e.clearingMinor,
      }));
      if (r.unexplainedClearingMinor !== 0) {
        explanations.push({
          kind: 'unexplained', documentKey: null, statementId: null, transactionId: null, orderId: null, paymentId: null, status: null,
          message: 'not explained by anything synder has stored (entries in the ledger, or TikTok statements or payouts outside the periods synced so far)',
          amount: fmt(r.unexplainedClearingMinor), amountMinor: r.unexplainedClearingMinor,
        });
      }
      out.push({
        integration: integration.name, integrationId: integration.id, currency, account: m.accountName, accountId: m.accountId,
        ledgerBalance: fmt(ledgerBalanceMinor), bookedBalance: fmt(r.bookedClearingMinor), unpaidSettlements: fmt(r.expectedClearingMinor), difference: fmt(r.clearingDifferenceMinor),
        ledgerBalanceMinor, bookedBalanceMinor: r.bookedClearingMinor, unpaidSettlementsMinor: r.expectedClearingMinor, differenceMinor: r.clearingDifferenceMinor,
        unpaidStatements: r.unpaidStatements.map((u) => {
          const s = input.statements.get(u.statementId);
          return {
            statementId: u.statementId, date: s?.date ?? null, paymentId: s?.paymentId ?? null, paymentStatus: u.paymentStatus ?? null,
            settlement: fmt(u.settlementMinor), reserve: fmt(u.reserveMinor), amount: fmt(u.settlementMinor + u.reserveMinor), amountMinor: u.settlementMinor + u.reserveMinor,
          };
        }),
        explanations,
      });
    });
  }
  return out;
}

type Explanation = ReturnType<typeof reconcile>[number]['explanations'][number] | (Omit<ReturnType<typeof reconcile>[number]['explanations'][number], 'kind'> & { kind: 'missing_in_ledger' });

/**
 * Posted documents the ledger no longer has (deleted or voided behind synder's back): looked up
 * only when the ledger's Clearing differs from what synder posted, since it reads every document.
 */
async function missingInLedger(store: Store, finder: DocumentFinder, org: Org, integration: Integration): Promise<Array<{ currency: string; doc: DocumentRow; clearingMinor: number }>> {
  const posted = await store.documents.list(org.id, { status: ['posted'], integrationId: integration.id });
  const found = await finder.findByKeys(posted.map((d) => d.body));
  return posted
    .filter((d) => !found.has(d.key))
    .map((d) => ({ currency: d.currency.toUpperCase(), doc: d, clearingMinor: d.body.lines.filter((l) => l.role === 'clearing').reduce((s, l) => s + l.amountMinor, 0) }))
    .filter((m) => m.clearingMinor !== 0);
}

/** Each missing document becomes its own row, taken out of the "differs from what synder posted" row it was part of. */
function withMissing(explanations: Array<ReturnType<typeof reconcile>[number]['explanations'][number]>, missing: Array<{ doc: DocumentRow; clearingMinor: number }>): Explanation[] {
  if (missing.length === 0) return explanations;
  const rows: Explanation[] = missing.map(({ doc, clearingMinor }) => ({
    kind: 'missing_in_ledger', documentKey: doc.key, statementId: doc.statementId ?? undefined, transactionId: doc.sourceKind === 'statement_transaction' ? (doc.sourceId ?? undefined) : undefined,
    orderId: doc.orderId ?? undefined, paymentId: doc.paymentId ?? undefined, clearingMinor: -clearingMinor, reserveMinor: 0,
    message: `${doc.kind} document ${doc.key} (${doc.date}) was posted${doc.refs[0] ? ` as ${doc.refs[0].type} ${doc.refs[0].id}` : ''} but is no longer in the ledger (deleted or voided there); ${doc.orderId ? `\`synder rollback ${doc.orderId}\`` : `restore it there, or \`synder rollback --since ${doc.date}\``} and \`synder sync\` book it again`,
  }));
  const accounted = rows.reduce((s, r) => s + r.clearingMinor, 0);
  const out: Explanation[] = [];
  for (const e of explanations) {
    if (e.kind === 'outside_synder' && e.clearingMinor !== 0) {
      const rest = e.clearingMinor - accounted;
      if (rest !== 0) out.push({ ...e, clearingMinor: rest, message: `the rest of the difference between the ledger's Clearing and what synder posted (entries made or changed outside synder)` });
      out.push(...rows);
    } else out.push(e);
  }
  return out;
}

/** Transaction statuses of records with no live document: the only transactions reconcile can find unbooked. */
const NOT_BOOKED: SourceStatus[] = ['ready', 'failed', 'skipped', 'deleted'];

/**
 * What reconcile needs of one integration, read from the store: every statement and payment, the
 * documents' totals (no bodies), and of the transactions only those carrying a reserve
 * (their statements' reserve movements) or without a booked document (the difference they
 * explain) — the rest are covered by their documents, and loading them all would not scale.
 */
export async function storedInput(store: Store, org: Org, integration: Integration) {
  const ids = [integration.id];
  const transactionStatus = new Map<string, SourceStatus>();
  const txsByStatement = new Map<string, Map<string, StatementTransaction>>();
  const add = (statementId: string, tx: StatementTransaction) => {
    const m = txsByStatement.get(statementId) ?? new Map<string, StatementTransaction>();
    m.set(tx.id, tx);
    txsByStatement.set(statementId, m);
  };
  for (const [statementId, txs] of await storedReserveTransactions(store, integration.id)) for (const tx of txs) add(statementId, tx);
  for (const r of await store.sourceRecords.list({ integrationIds: ids, kind: ['statement_transaction'], status: NOT_BOOKED })) {
    transactionStatus.set(r.externalId, r.status);
    if (r.statementId) add(r.statementId, r.raw);
  }
  const statements = new Map<string, { date: string | null; paymentId: string | null }>();
  const bundles: StatementBundle[] = (await store.sourceRecords.list({ integrationIds: ids, kind: ['statement'] })).map((r) => {
    const statement = r.raw;
    statements.set(r.externalId, { date: r.occurredAt?.slice(0, 10) ?? null, paymentId: statement.payment_id || null });
    return { statement, transactions: [...(txsByStatement.get(r.externalId)?.values() ?? [])] };
  });
  const payments = (await store.sourceRecords.list({ integrationIds: ids, kind: ['payment'] })).map((r) => r.raw);
  const documentStatus = new Map<string, string>();
  const totals = await store.documents.clearingTotals(org.id, integration.id);
  function* documents(): Generator<DocumentTotals> {
    for (const d of totals) {
      if (d.status !== 'posted') documentStatus.set(d.key, d.status);
      yield {
        key: d.key, kind: d.kind as DocumentTotals['kind'], date: d.date, currency: d.currency,
        refs: { statementId: d.statementId ?? undefined, transactionId: d.transactionId ?? undefined, orderId: d.orderId ?? undefined, paymentId: d.paymentId ?? undefined },
        clearingMinor: Number(d.clearingMinor), reserveMinor: Number(d.reserveMinor), posted: d.status === 'posted',
      };
    }
  }
  return { bundles, payments, documents: documents(), statements, transactionStatus, documentStatus };
}
