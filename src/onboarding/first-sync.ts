import { SynderError, errorJson } from '../errors.js';
import type { Context } from '../runtime/context.js';
import type { Org } from '../store/orgs.js';
import { startOfUtcDay } from '../sync/dates.js';
import type { SyncSummary } from '../sync/types.js';
import { showTransactions } from '../sync/show.js';

/**
 * The first sync after set-up: the same sync `synder sync` runs (same progress, same exit
 * codes), then the transactions it saw. A sync that fails expectedly (a sign-in rejected, the
 * org locked) ends the wizard with that error's exit code but keeps what set-up achieved.
 */
export async function firstSync(ctx: Context, org: Org, since: Date): Promise<{ exitCode: number; summary: SyncSummary | { ok: false; error: ReturnType<typeof errorJson> } }> {
  const { syncOrg, syncExitCode } = await import('../sync/sync-org.js');
  const { printSyncSummary } = await import('../sync/report.js');
  // Whole days, as the prompt asked for them.
  const from = startOfUtcDay(since);
  let summary: SyncSummary;
  try {
    summary = await syncOrg(ctx, org, { since: from });
  } catch (err) {
    if (!(err instanceof SynderError)) throw err;
    ctx.output.info(`Error: ${err.message}`);
    if (err.hint) ctx.output.info(err.hint);
    return { exitCode: err.exitCode, summary: { ok: false, error: errorJson(err) } };
  }
  if (!ctx.output.json) {
    await printSyncSummary(ctx, summary);
    await showTransactions(ctx, org, { since: from }, 'brief');
  }
  return { exitCode: syncExitCode(summary), summary };
}
