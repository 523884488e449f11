import { Option, type Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { humanTime } from '../../runtime/time.js';
import { action, type ProgramDeps } from '../command.js';
import { numberOption } from '../options.js';

const STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;

export interface RunsFlags { state?: (typeof STATES)[number]; limit: number; json?: boolean }

export function registerRuns(program: Command, deps: ProgramDeps): void {
  program
    .command('runs')
    .description('Queued, running, done and failed sync jobs of all organizations (or --org), newest first (needs SYNDER_DATABASE_URL)')
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(STATES))
    .addOption(numberOption('--limit <n>', 'show at most this many jobs', { min: 1, max: 10_000, integer: true, unit: 'jobs' }).default(50, '50'))
    .option('--json', 'print as JSON, with each job\'s sync summary or error')
    .action(action(deps, runRuns));
}

export async function runRuns(ctx: Context, flags: RunsFlags): Promise<void> {
  const { queueFor } = await import('../../queue/for-command.js');
  const { listRuns } = await import('../../queue/jobs.js');
  const queue = await queueFor(ctx, 'runs');
  // Every org unless one is named: the active org is a laptop's idea, the queue serves them all.
  const org = ctx.orgOverride ?? ctx.config.org;
  const runs = await listRuns(queue, { org, state: flags.state, limit: flags.limit });
  if (ctx.output.json) {
    ctx.output.printJson(runs);
    return;
  }
  if (runs.length === 0) {
    ctx.output.line(`No sync jobs${org ? ` for ${org}` : ''}${flags.state ? ` ${flags.state}` : ''}. Queue one with \`synder sync --enqueue\` or \`synder schedule add\`.`);
    return;
  }
  await ctx.output.table({
    head: ['Job', 'Organization', 'State', 'Attempts', 'Queued', 'Finished', 'Result'],
    rows: runs.map((r) => [
      r.id.slice(0, 8),
      r.org,
      r.queueState === 'retry' ? `queued (retry after ${humanTime(r.startAfter)})` : r.state,
      `${r.attempts}/${r.maxAttempts}`,
      humanTime(r.queuedAt),
      humanTime(r.finishedAt),
      result(r),
    ]),
  });
}

function result(r: { summary: Record<string, unknown> | null; error: { message: string } | null; state: string }): string {
  if (r.error) return r.error.message;
  const docs = r.summary?.documents as { created?: number; failed?: number } | undefined;
  if (docs) return `${docs.created ?? 0} created, ${docs.failed ?? 0} failed`;
  return '';
}
