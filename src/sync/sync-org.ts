import { ExitCode } from '../errors.js';
import type { Context } from '../runtime/context.js';
import type { Org } from '../store/orgs.js';
import { openOrgClients } from './clients.js';
import { runSync } from './engine.js';
import { progressReporter } from './progress.js';
import type { SyncSummary } from './types.js';

export interface SyncOrgOptions {
  since?: Date;
  until?: Date;
  dryRun?: boolean;
  lookbackHours?: number;
}

/**
 * One sync of one org with the clients its stored sign-ins open, progress on stderr: what
 * `synder sync`, the wizard's first sync and the demo all run, so they behave alike.
 */
export async function syncOrg(ctx: Context, org: Org, opts: SyncOrgOptions = {}): Promise<SyncSummary> {
  const store = await ctx.store();
  const clients = await openOrgClients(ctx, org);
  // Under --json too: progress is on stderr, and a cron log shows the run is alive.
  const reporter = await progressReporter(ctx.streams.stderr, false);
  const interrupt = ctx.interrupt('the sync', 'Run `synder sync` again to carry on: what was booked is recorded, and nothing is booked twice.');
  try {
    return await runSync(
      { store, ledger: clients.ledger, tiktokFor: clients.tiktokFor, clock: ctx.clock, progress: reporter.event, logger: ctx.logger },
      { orgId: org.id, since: opts.since, until: opts.until, dryRun: Boolean(opts.dryRun), lookbackHours: opts.lookbackHours, signal: interrupt.signal, onForce: (step) => interrupt.onForce(step) },
    );
  } catch (err) {
    if (interrupt.signal.aborted) throw interrupt.signal.reason;
    throw err;
  } finally {
    reporter.stop();
  }
}

/** A run that booked some documents but not all is partial (exit 3), so cron can tell it apart. */
export const syncExitCode = (summary: SyncSummary): number => (summary.failures.length > 0 ? ExitCode.partial : ExitCode.ok);
