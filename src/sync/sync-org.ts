import { ExitCode, ReauthRequiredError, UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Context } from '../runtime/context.js';
import { keepHeapNearLive } from '../runtime/heap.js';
import type { Org } from '../store/orgs.js';
import { openOrgClients } from './clients.js';
import { runSync } from './engine.js';
import { requireTaxPlan } from './tax.js';
import { progressReporter } from './progress.js';
import type { SyncSummary } from './types.js';

export interface SyncOrgOptions {
  since?: Date;
  until?: Date;
  dryRun?: boolean;
  lookbackHours?: number;
  takeOver?: Date;
}

/**
 * One sync of one org with the clients its stored sign-ins open, progress on stderr: what
 * `synder sync`, the wizard's first sync and the demo all run, so they behave alike.
 */
export async function syncOrg(ctx: Context, org: Org, opts: SyncOrgOptions = {}): Promise<SyncSummary> {
  const store = await ctx.store();
  const clients = await openOrgClients(ctx, org);
  await requireTikTok(store, org, (m) => ctx.logger.warn(m));
  await requireTaxPlan(store, org, clients.ledger);
  // Under --json too: progress is on stderr, and a cron log shows the run is alive.
  const reporter = await progressReporter(ctx.streams.stderr, false);
  keepHeapNearLive();
  const interrupt = ctx.interrupt('the sync', 'Run `synder sync` again to carry on: what was booked is recorded, and nothing is booked twice.');
  try {
    return await runSync(
      { store, ledger: clients.ledger, tiktokFor: clients.tiktokFor, clock: ctx.clock, progress: reporter.event, logger: ctx.logger },
      { orgId: org.id, since: opts.since, until: opts.until, dryRun: Boolean(opts.dryRun), lookbackHours: opts.lookbackHours, takeOver: opts.takeOver, signal: interrupt.signal, onForce: (step) => interrupt.onForce(step) },
    );
  } catch (err) {
    if (interrupt.signal.aborted) throw interrupt.signal.reason;
    throw err;
  } finally {
    reporter.stop();
  }
}

/**
 * A sync with nothing to read must not look like a sync that found nothing: an org without a shop
 * is a usage error, and one whose shops are all disconnected needs a sign-in (exit 4), so a
 * scheduled run turns red instead of staying green while nothing is booked.
 */
async function requireTikTok(store: Store, org: Org, warn: (message: string) => void): Promise<void> {
  const shops = (await store.integrations.listForOrg(org.id)).filter((i) => i.platform === 'tiktok');
  if (shops.length === 0) throw new UsageError(`${org.name} has no TikTok Shop connected, so there is nothing to sync.`, 'Run `synder connect tiktok`.');
  const off = shops.filter((i) => i.status !== 'active');
  const names = off.map((i) => `"${i.name}"`).join(', ');
  if (off.length === shops.length) {
    throw new ReauthRequiredError('tiktok', `The TikTok shop ${names} of ${org.name} is disconnected: nothing can be fetched or booked.`, 'Run `synder connect tiktok` to connect it again.');
  }
  if (off.length > 0) warn(`The TikTok shop ${names} of ${org.name} is disconnected and is not synced; run \`synder connect tiktok\` to connect it again.`);
}

/** A run that booked some documents but not all is partial (exit 3), so cron can tell it apart. */
export const syncExitCode = (summary: SyncSummary): number => (summary.failures.length > 0 ? ExitCode.partial : ExitCode.ok);
