import { closeReport, formatMinor, localDate, type CloseReport, type PostedDocument, type ReportPeriod, type ReportShopInput } from '../booking/index.js';
import type { LedgerConnector } from '../providers/ledger-connector.js';
import { integrationScope } from '../store/account-mappings.js';
import type { Org } from '../store/orgs.js';
import type { SourceStatus } from '../store/source-records.js';
import type { Store } from '../store/store.js';
import { AccountResolver } from './accounts.js';
import { storedInput } from './clearing-check.js';
import { listTransactions, routeCommand } from './views.js';

export interface ReportException {
  kind: 'failed' | 'warned' | 'skipped' | 'unmapped';
  shop: string | null;
  date: string | null;
  orderId: string | null;
  transactionId: string | null;
  amount: string | null;
  message: string;
  /** The command that shows or fixes it. */
  fix: string;
}

export interface OrgCloseReport extends CloseReport {
  org: string;
  ledger: string | null;
  mode: string | null;
  timeZone: string;
  /** When the report was made (ISO). */
  generatedAt: string;
  /** Why the ledger's balance is missing from a period that reaches today (it could not be read). */
  ledgerError: string | null;
  exceptions: ReportException[];
}

const EXCEPTION_STATUSES: SourceStatus[] = ['failed', 'synced_with_warnings', 'skipped'];

/**
 * `synder report`: the close report of one org for a period, from the store (documents as booked,
 * TikTok's records) and, when the period reaches today, the ledger's Clearing balance.
 */
export async function closeReportFor(
  deps: { store: Store; openLedger?: () => Promise<Pick<LedgerConnector, 'accountBalance'>> },
  org: Org,
  period: ReportPeriod,
  now: Date,
): Promise<OrgCloseReport> {
  const { store } = deps;
  const timeZone = org.timezone ?? 'UTC';
  const today = orgToday(org, now);
  // The ledger only tells today's balance: it belongs beside a period that reaches today.
  let ledger: Pick<LedgerConnector, 'accountBalance'> | undefined;
  const reachesToday = period.since <= today && today < period.until;
  let ledgerError: string | null = null;
  const specFor = await new AccountResolver(store, org.id).snapshot();
  const integrations = (await store.integrations.listForOrg(org.id)).filter((i) => i.platform === 'tiktok');
  const clearing = (await store.accounts.list(org.id)).filter((m) => m.role === 'clearing');
  const shops: ReportShopInput[] = [];
  for (const integration of integrations) {
    const mine = clearing.filter((m) => m.scope === integrationScope(integration.id));
    if (mine.length === 0) continue;
    const rows = await store.documents.list(org.id, { status: ['posted'], integrationId: integration.id, until: period.until });
    const posted: PostedDocument[] = rows.map((r) => ({ document: r.body, ledgerRef: r.refs[0] ? { type: r.refs[0].type, id: r.refs[0].id, number: r.refs[0].number } : undefined }));
    const input = await storedInput(store, org, integration);
    const totals = [...input.documents];
    for (const m of mine) {
      let ledgerClearingMinor: number | undefined;
      if (reachesToday && deps.openLedger && ledgerError === null) {
        // A report is still worth having offline: without the ledger it says so where its figure would be.
        try {
          ledger ??= await deps.openLedger();
          ledgerClearingMinor = await ledger.accountBalance(m.accountId);
        } catch (err) {
          ledgerError = err instanceof Error ? err.message : String(err);
        }
      }
      shops.push({
        shop: integration.name, currency: m.currency, clearingAccount: m.accountName, posted, totals, bundles: input.bundles, payments: input.payments, ledgerClearingMinor,
        accountName: (role) => specFor({ role, currency: m.currency, integration }).name,
      });
    }
  }
  const report = closeReport({ period, timeZone, shops });
  return { org: org.name, ledger: org.ledger, mode: org.mode, timeZone, generatedAt: now.toISOString(), ledgerError, ...report, exceptions: await exceptions(store, org, period, report) };
}

async function exceptions(store: Store, org: Org, period: ReportPeriod, report: CloseReport): Promise<ReportException[]> {
  const out: ReportException[] = [];
  const inPeriod = (d: string | null) => d !== null && d >= period.since && d < period.until;
  for (const t of await listTransactions(store, org, { status: EXCEPTION_STATUSES, since: period.since })) {
    if (!inPeriod(t.date)) continue;
    const ref = t.orderId ?? t.id;
    const explain = t.orderId ? `synder explain ${t.orderId}` : `synder transactions --status ${t.status}`;
    const kind = t.status === 'failed' ? 'failed' : t.status === 'skipped' ? 'skipped' : 'warned';
    out.push({
      kind, shop: null, date: t.date, orderId: t.orderId, transactionId: t.kind === 'statement_transaction' ? t.id : null, amount: t.settlement,
      message: t.error ?? (kind === 'skipped' ? `${t.type} ${ref} was skipped` : kind === 'warned' ? `${t.type} ${ref} was booked with warnings` : `${t.type} ${ref} failed`),
      fix: kind === 'failed' ? `${explain}, then synder sync --since ${t.date}` : explain,
    });
  }
  for (const s of report.shops) {
    for (const u of s.uncategorized) {
      out.push({
        kind: 'unmapped', shop: s.shop, date: u.date, orderId: u.orderId, transactionId: u.transactionId, amount: formatMinor(u.amountMinor, s.currency),
        message: u.warning ?? `${u.field} booked to ${s.pnl.find((p) => p.role === 'uncategorized')?.account ?? 'Uncategorized TikTok'}`,
        fix: (u.warning && routeCommand(u.warning)) ?? (u.orderId ? `synder explain ${u.orderId}` : `synder transactions --since ${u.date}`),
      });
    }
  }
  // A warned transaction whose warning is an unmapped field is listed once, as the unmapped field.
  const unmapped = new Set(out.filter((e) => e.kind === 'unmapped').flatMap((e) => [e.orderId, e.transactionId]).filter(Boolean));
  return out.filter((e) => e.kind !== 'warned' || !(unmapped.has(e.orderId) || unmapped.has(e.transactionId)));
}

/** Today's date where the org keeps its books. */
export const orgToday = (org: Pick<Org, 'timezone'>, now: Date): string => localDate(Math.floor(now.getTime() / 1000), org.timezone ?? 'UTC');

const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** `--month YYYY-MM`, or `--since`/`--until` (until excluded; default: through today), or else the month of today. */
export function reportPeriod(flags: { month?: string; since?: Date; until?: Date }, today: string): ReportPeriod {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const nextMonth = (month: string) => {
    const [y, m] = month.split('-').map(Number) as [number, number];
    return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  };
  if (flags.month) return { since: `${flags.month}-01`, until: nextMonth(flags.month) };
  if (flags.since || flags.until) {
    const since = flags.since ? day(flags.since) : `${day(flags.until!).slice(0, 7)}-01`;
    const until = flags.until ? day(flags.until) : nextDay(today);
    return { since, until };
  }
  const month = today.slice(0, 7);
  return { since: `${month}-01`, until: nextMonth(month) };
}

/** A file name that says whose report and which period. */
export function defaultReportFile(org: string, period: ReportPeriod, ext: string): string {
  const slug = org.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'org';
  const label = period.since.endsWith('-01') && period.until.endsWith('-01') && nextMonthOf(period.since) === period.until ? period.since.slice(0, 7) : `${period.since}_${period.until}`;
  return `synder-report-${slug}-${label}.${ext}`;
}

const nextMonthOf = (since: string) => reportPeriod({ month: since.slice(0, 7) }, since).until;
