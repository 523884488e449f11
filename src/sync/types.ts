import type { BookingDocument } from '../booking/document.js';
import type { BookingIssue } from '../booking/issues.js';
import type { Order, Payment, StatementBundle, StatementTransaction } from '../booking/tiktok-data.js';
import type { LedgerConnector } from '../providers/ledger-connector.js';
import type { TikTokShopApi } from '../providers/tiktok/shop-client.js';
import type { Integration } from '../store/integrations.js';
import type { SyncMode } from '../store/orgs.js';
import type { IntegrationSettings } from '../store/settings.js';
import type { TaxPlan } from '../booking/tax.js';
import type { Store } from '../store/store.js';
import type { LockOptions } from './lock.js';

export interface BuildContext {
  mode: SyncMode;
  shopId: string;
  timezone: string;
  orders: Map<string, Order>;
  /** The org's settings with the integration's over them. */
  settings: IntegrationSettings;
  /** The ledger's tax codes per role; absent when the org's ledger has no tax profile yet. */
  tax?: TaxPlan;
}

export interface BuildOutput {
  documents: BookingDocument[];
  /** Inconsistent TikTok data (error: the transaction is not booked and shows as failed) and warnings. */
  issues: BookingIssue[];
}

export interface StatementPages {
  add(transactions: StatementTransaction[]): BuildOutput;
  finish(): BuildOutput;
}

/** Turns TikTok finance data into booking documents (the booking core behind an interface). */
export interface DocumentBuilder {
  statement(bundle: StatementBundle, ctx: BuildContext): BuildOutput;
  /**
   * The same, a page of transactions at a time (add() then finish(), concatenated, is statement()):
   * a large statement's documents are handed on as they are built instead of all at once.
   */
  statementPages(bundle: StatementBundle, ctx: BuildContext): StatementPages;
  payout(payment: Payment, statements: StatementBundle[], ctx: BuildContext): BuildOutput;
}

export type ProgressEvent =
  | { type: 'phase'; phase: 'recover' | 'fetch' | 'build' | 'accounts' | 'post' | 'check'; integration?: string; message: string }
  | { type: 'fetched'; integration: string; kind: 'statements' | 'transactions' | 'payments' | 'orders'; count: number }
  | { type: 'posted'; done: number; total: number; created: number; existing: number; failed: number }
  /** Statements read so far of those the run will read, and the documents built from them. */
  | { type: 'built'; integration: string; documents: number; statements: number; statementsTotal: number };

export interface SyncLogger {
  debug(message: string): void;
  warn(message: string): void;
}

export interface SyncDeps {
  store: Store;
  tiktokFor(integration: Integration): TikTokShopApi | Promise<TikTokShopApi>;
  ledger: LedgerConnector;
  clock: { now(): Date };
  progress?: (event: ProgressEvent) => void;
  logger?: SyncLogger;
  /** Defaults to the booking core. */
  builder?: DocumentBuilder;
  lock?: LockOptions;
  /** Documents per ledger post call: at most about twice this (default: the ledger's `documentsPerPost`); an idle ledger gets what is ready sooner. */
  batchSize?: number;
  /** Statement transactions fetched and booked per chunk (default: a quarter of batchSize); bounds the run's memory. */
  chunkTransactions?: number;
}

export interface SyncOptions {
  orgId: number;
  since?: Date;
  until?: Date;
  dryRun: boolean;
  lookbackHours?: number;
  /** Take the org's shops over from another synder booking them into the same ledger company, from this cut-over on. */
  takeOver?: Date;
  /** Aborted by Ctrl+C: the run stops at its next safe point (never inside a store transaction). */
  signal?: AbortSignal;
  /** Registers a synchronous step for a forced stop (the process ends right after); returns its removal. */
  onForce?: (step: () => void) => () => void;
}

export type PlannedAction = 'create' | 'update' | 'existing' | 'retry';

export interface PlannedDocument {
  action: PlannedAction;
  integrationId: number;
  doc: BookingDocument;
  /** Ledger account name per role, as it would be booked. */
  accountNames: Record<string, string>;
}

export interface ClearingCheck {
  integration: string;
  integrationId: number;
  currency: string;
  account: string;
  accountId: string;
  ledgerBalance: string;
  bookedBalance: string;
  unpaidSettlements: string;
  difference: string;
  ledgerBalanceMinor: number;
  bookedBalanceMinor: number;
  unpaidSettlementsMinor: number;
  differenceMinor: number;
}

export interface DocumentFailure {
  /** Document key, or "<kind>:<id>" of a source record that could not be built. */
  key: string;
  kind: string;
  orderId?: string;
  statementId?: string;
  paymentId?: string;
  error: string;
  fix?: string;
}

export interface SyncSummary {
  ok: boolean;
  runId: number | null;
  org: string;
  mode: SyncMode;
  ledger: string;
  dryRun: boolean;
  since: string | null;
  until: string;
  fetched: { statements: number; transactions: number; payments: number; orders: number };
  changedSourceRecords: number;
  documents: { created: number; existing: number; updated: number; failed: number; recovered: number; planned: number };
  apiCalls: Record<string, number>;
  durationMs: number;
  clearing: ClearingCheck[];
  failures: DocumentFailure[];
  /** The first warnings (each document keeps its own; see warningsNotListed). */
  warnings: string[];
  /** Warnings beyond those listed. */
  warningsNotListed?: number;
  /** Dry run only: what would be booked. */
  plan?: PlannedDocument[];
}
