import type { Payment } from '../booking/tiktok-data.js';
import type { TikTokShopApi } from '../providers/tiktok/shop-client.js';
import type { Integration } from '../store/integrations.js';
import type { SourceInput } from '../store/source-records.js';
import { observeSource, type SourceState } from './fetch.js';
import { recordEvent, type RunContext } from './run.js';
import { orgTaxPlan } from './tax.js';
import type { BuildContext, DocumentBuilder } from './types.js';

export type FetchedKind = 'statements' | 'transactions' | 'payments' | 'orders';

/** One TikTok integration as the statement and payout streams read and record it. */
export interface IntegrationSource {
  run: RunContext;
  integration: Integration;
  api: TikTokShopApi;
  builder: DocumentBuilder;
  /** Build options shared by all its documents (orders are added per chunk). */
  ctx: Omit<BuildContext, 'orders'>;
  /** Payments in this run (fetched or stored), by id. */
  payments: Map<string, Payment>;
}

export async function integrationSource(run: RunContext, integration: Integration, api: TikTokShopApi, builder: DocumentBuilder, payments: Payment[]): Promise<IntegrationSource> {
  const { org, mode } = run;
  const settings = { ...org.settings, ...integration.settings };
  const plan = await orgTaxPlan(run.store, org);
  const tax = plan?.ok ? plan.plan : undefined;
  return { run, integration, api, builder, ctx: { mode, shopId: integration.externalId, timezone: org.timezone ?? 'UTC', settings, tax }, payments: new Map(payments.map((p) => [p.id, p])) };
}

/** Counts what was fetched, in the summary and as progress. */
export function counted(src: IntegrationSource, kind: FetchedKind, count: number): void {
  src.run.summary.fetched[kind] += count;
  src.run.progress({ type: 'fetched', integration: src.integration.name, kind, count });
}

/** Records a source record (inside the caller's transaction) and says whether it needs booking. */
export async function observe(src: IntegrationSource, input: SourceInput): Promise<SourceState> {
  const { run } = src;
  return observeSource(run.store, input, run.write, async () => {
    run.summary.changedSourceRecords++;
    await recordEvent(run, input.kind, input.externalId, 'changed', 'TikTok sent a different version; its documents are updated');
  });
}

/** The payment a statement is paid by: from this run, else as stored. */
export async function paymentOf(src: IntegrationSource, id: string | undefined): Promise<Payment | undefined> {
  if (!id) return undefined;
  return src.payments.get(id) ?? (await src.run.store.sourceRecords.get(src.integration.id, 'payment', id))?.raw;
}

/** Warnings the summary lists; the rest are counted (each stays on its document). */
export const LISTED_WARNINGS = 100;

/**
 * Warnings of built documents go into the summary. A field TikTok adds warns on every
 * transaction that carries it: a large shop's run listing them all held (and printed) a warning
 * per document.
 */
export function collectWarnings(src: IntegrationSource, docs: Array<{ key: string; warnings: string[] }>): void {
  const { summary } = src.run;
  for (const doc of docs) {
    for (const w of doc.warnings) {
      if (summary.warnings.length < LISTED_WARNINGS) summary.warnings.push(`${doc.key}: ${w}`);
      else summary.warningsNotListed = (summary.warningsNotListed ?? 0) + 1;
    }
  }
}
