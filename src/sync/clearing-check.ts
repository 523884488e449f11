import { formatMinor, parseMinor, sumMinor } from '../booking/money.js';
import type { Statement } from '../booking/tiktok-data.js';
import { integrationScope } from '../store/account-mappings.js';
import type { Integration } from '../store/integrations.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';
import { storedReserveTransactions } from './fetch.js';
import type { ClearingCheck, SyncDeps } from './types.js';

/** Ledger clearing balance vs what synder booked and vs TikTok's unpaid settlements, per integration and currency. */
export async function clearingChecks(store: Store, ledger: SyncDeps['ledger'], org: Org, integrations: Integration[]): Promise<ClearingCheck[]> {
  const out: ClearingCheck[] = [];
  const mappings = store.accounts.list(org.id).filter((m) => m.role === 'clearing');
  for (const integration of integrations) {
    for (const m of mappings.filter((x) => x.scope === integrationScope(integration.id))) {
      const ledgerBalanceMinor = await ledger.accountBalance(m.accountId);
      const bookedBalanceMinor = bookedClearing(store, org.id, integration.id, m.currency);
      const unpaidSettlementsMinor = unpaidSettlements(store, integration.id, m.currency);
      const differenceMinor = ledgerBalanceMinor - unpaidSettlementsMinor;
      out.push({
        integration: integration.name, integrationId: integration.id, currency: m.currency, account: m.accountName, accountId: m.accountId,
        ledgerBalance: formatMinor(ledgerBalanceMinor, m.currency), bookedBalance: formatMinor(bookedBalanceMinor, m.currency),
        unpaidSettlements: formatMinor(unpaidSettlementsMinor, m.currency), difference: formatMinor(differenceMinor, m.currency),
        ledgerBalanceMinor, bookedBalanceMinor, unpaidSettlementsMinor, differenceMinor,
      });
    }
  }
  return out;
}

/**
 * What TikTok owes on stored statements whose payout synder has not booked (TikTok's side of the
 * clearing balance): their settlement plus the reserve movements their transactions carry, since
 * a withheld reserve is booked Dr Reserve / Cr Clearing when the statement is (DESIGN §3 rule 7).
 */
export function unpaidSettlements(store: Store, integrationId: number, currency: string): number {
  const paid = new Set(
    store.sourceRecords
      .list({ integrationIds: [integrationId], kind: ['payment'], status: ['synced', 'synced_with_warnings'] })
      .map((r) => r.externalId),
  );
  const reserves = new Map<string, number>();
  for (const [statementId, txs] of storedReserveTransactions(store, integrationId)) {
    reserves.set(
      statementId,
      sumMinor(
        txs.map((t) => {
          try {
            return typeof t.reserve_amount === 'string' ? parseMinor(t.reserve_amount, currency, 'reserve_amount') : 0;
          } catch {
            return 0; // reported as an issue when the statement was built
          }
        }),
      ),
    );
  }
  const reserveOf = (statementId: string): number => reserves.get(statementId) ?? 0;
  return sumMinor(
    store.sourceRecords
      .list({ integrationIds: [integrationId], kind: ['statement'] })
      .filter((r) => r.currency === currency)
      .filter((r) => {
        const paymentId = (r.raw as Statement).payment_id;
        return !paymentId || !paid.has(paymentId);
      })
      .map((r) => (r.amountMinor ?? 0) + reserveOf(r.externalId)),
  );
}

/** Σ clearing lines of the posted documents of one integration in one currency, summed by SQLite (no document bodies loaded). */
function bookedClearing(store: Store, orgId: number, integrationId: number, currency: string): number {
  const row = store.db
    .prepare(
      `SELECT COALESCE(SUM(json_extract(l.value, '$.amountMinor')), 0) AS total
         FROM documents d, json_each(d.body_json, '$.lines') l
        WHERE d.org_id = ? AND d.integration_id = ? AND d.status = 'posted' AND d.currency = ? AND json_extract(l.value, '$.role') = 'clearing'`,
    )
    .get(orgId, integrationId, currency) as { total: number };
  return Number(row.total);
}
