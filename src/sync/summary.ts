import { sumMinor } from '../booking/money.js';
import type { TikTokShopApi } from '../providers/tiktok/shop-client.js';
import type { SyncMode } from '../store/orgs.js';
import type { AccountResolver } from './accounts.js';
import type { Decision } from './decide.js';
import type { PlannedDocument, SyncDeps, SyncSummary } from './types.js';
import type { PostItem } from './work.js';

/** The summary of a run that has done nothing yet. */
export function emptySummary(p: { org: string; mode: SyncMode; ledger: string; dryRun: boolean; since: Date | undefined; until: Date }): SyncSummary {
  return {
    ok: true, runId: null, org: p.org, mode: p.mode, ledger: p.ledger, dryRun: p.dryRun, since: p.since?.toISOString() ?? null, until: p.until.toISOString(),
    fetched: { statements: 0, transactions: 0, payments: 0, orders: 0 }, changedSourceRecords: 0,
    documents: { created: 0, existing: 0, updated: 0, failed: 0, recovered: 0, planned: 0 },
    apiCalls: {}, durationMs: 0, clearing: [], failures: [], warnings: [],
  };
}

/** Counts what was decided; the documents already there count now, the rest once the ledger answers. */
export function countDecision(summary: SyncSummary, d: Decision): void {
  summary.documents.existing += d.existing.length;
  summary.documents.planned += d.toPost.length + d.toReplace.length;
}

/** A dry run's answer: what would be posted, then replaced, then what is already there, with account names. */
export class DryRunPlan {
  private readonly post: PlannedDocument[] = [];
  private readonly replace: PlannedDocument[] = [];
  private readonly existing: PlannedDocument[] = [];

  constructor(private readonly resolver: AccountResolver) {}

  async add(d: Decision): Promise<void> {
    for (const p of d.toPost) this.post.push(await this.planned(p));
    for (const r of d.toReplace) this.replace.push(await this.planned(r.item));
    for (const p of d.existing) this.existing.push(await this.planned(p));
  }

  documents(): PlannedDocument[] {
    return [...this.post, ...this.replace, ...this.existing];
  }

  private async planned(p: PostItem): Promise<PlannedDocument> {
    return { action: p.action, integrationId: p.integration.id, doc: p.doc, accountNames: await this.resolver.namesFor(p.doc, p.integration) };
  }
}

/** API calls per provider so far. */
export function apiCalls(apis: TikTokShopApi[], ledger: SyncDeps['ledger']): Record<string, number> {
  return { tiktok: sumMinor(apis.map((a) => a.apiCalls)), [ledger.provider]: ledger.apiCalls };
}

/** Stamps the calls made and the time taken. */
export function stamp(summary: SyncSummary, apis: TikTokShopApi[], ledger: SyncDeps['ledger'], t0: number): void {
  summary.apiCalls = apiCalls(apis, ledger);
  summary.durationMs = Date.now() - t0;
}
