import type { Integration } from '../store/integrations.js';
import type { Org } from '../store/orgs.js';
import type { Store } from '../store/store.js';

const DAY_MS = 86_400_000;
const STREAM = 'statements';

/** The first sync of an integration reads from its (or its org's) import start, else the last 30 days. */
export function importStart(integration: Integration, org: Org, now: Date): Date {
  const configured = integration.settings.importStart ?? org.settings.importStart;
  const parsed = configured ? new Date(configured) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date(now.getTime() - 30 * DAY_MS);
}

/**
 * Where this run reads an integration from: --since, else its bookmark, else its import start;
 * never before a take-over's cut-over (what settled before it is the previous booker's).
 */
export async function windowStart(store: Store, integration: Integration, org: Org, since: Date | undefined, startedAt: Date): Promise<Date> {
  const bookmark = since ? undefined : await store.bookmarks.get(integration.id, STREAM);
  const from = since ?? (bookmark ? new Date(bookmark) : importStart(integration, org, startedAt));
  const cutover = integration.settings.bookFrom ? new Date(integration.settings.bookFrom) : undefined;
  return cutover && !Number.isNaN(cutover.getTime()) && cutover > from ? cutover : from;
}

/**
 * After a complete run, each integration's bookmark moves to the run's end, but never closer to
 * the run's start than the lookback (TikTok still changes recent statements) and never back. A
 * run that started after the bookmark (--since) leaves a gap it did not read, so the bookmark stays.
 */
export async function advanceBookmarks(store: Store, integrations: Integration[], starts: Map<number, Date>, until: Date, startedAt: Date, lookbackMs: number): Promise<void> {
  const cap = new Date(Math.min(until.getTime(), startedAt.getTime() - lookbackMs));
  for (const integration of integrations) {
    const existing = await store.bookmarks.get(integration.id, STREAM);
    const from = starts.get(integration.id);
    if (existing && from && from.getTime() > Date.parse(existing)) continue;
    const next = existing && Date.parse(existing) > cap.getTime() ? existing : cap.toISOString();
    await store.bookmarks.set(integration.id, STREAM, next);
  }
}
