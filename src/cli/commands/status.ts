import type { Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { action, type ProgramDeps } from '../command.js';
import { humanTime } from '../../runtime/time.js';

export function registerStatus(program: Command, deps: ProgramDeps): void {
  program
    .command('status')
    .description('Active org, integrations, token health, last run, pending invites')
    .option('--check', "ask each provider whether the stored sign-in still works (not just its local expiry time)")
    .option('--json', 'print as JSON')
    .action(action(deps, runStatus));
}

export async function runStatus(ctx: Context, flags: { check?: boolean } = {}): Promise<void> {
  const { collectStatus } = await import('../../onboarding/status.js');
  const org = await ctx.requireOrg();
  const s = await collectStatus(ctx, org, { check: flags.check });
  const queue = await queueStatus(ctx, org.name);
  const checked = (t: { check?: { result: string; message: string | null } }) => (t.check ? ` (checked: ${t.check.result}${t.check.result === 'failed' && t.check.message ? ` — ${t.check.message}` : ''})` : '');
  if (ctx.output.json) {
    ctx.output.printJson(queue === undefined ? s : { ...s, queue });
    return;
  }
  ctx.output.line(`Organization: ${s.org.name} (${s.org.currency ?? 'no currency'}, ${s.org.timezone ?? 'no time zone'}, ${s.org.mode ?? 'no sync mode'})`);
  ctx.output.line(`State kept in: ${s.state.engine === 'postgres' ? 'PostgreSQL database' : 'SQLite file'} ${s.state.location}`);
  ctx.output.line(`Tokens kept in: ${s.credentials.location}`);
  ctx.output.line(
    s.ledger
      ? `Ledger: ${s.ledger.provider} — ${s.ledger.company ?? s.ledger.id}; token ${s.ledger.token.health}${checked(s.ledger.token)}${s.ledger.token.expiresAt ? ` (access until ${humanTime(s.ledger.token.expiresAt)})` : ''}; payouts to ${s.ledger.bankAccount ?? 'not set'}`
      : 'Ledger: not connected (`synder connect quickbooks` or `synder connect xero`)',
  );
  if (s.integrations.length === 0) ctx.output.line('Integrations: none (`synder connect tiktok` or `synder invite tiktok --email <owner>`)');
  else
    await ctx.output.table({
      title: 'Integrations',
      head: ['Platform', 'Shop', 'Region', 'Token', 'Clearing account'],
      rows: s.integrations.map((i) => [i.platform, `${i.name} (${i.shopId})`, i.region, `${i.token.health}${checked(i.token)}`, i.clearingAccounts.map((c) => c.name).join(', ') || 'not created yet']),
    });
  ctx.output.line(s.lastRun ? `Last sync: #${s.lastRun.id} ${s.lastRun.status}${s.lastRun.dryRun ? ' (dry run)' : ''}, started ${humanTime(s.lastRun.startedAt)}${s.lastRun.error ? ` — ${s.lastRun.error}` : ''}` : 'Last sync: never');
  if (s.invites.length > 0)
    await ctx.output.table({ title: 'Invitations', head: ['#', 'Email', 'Platform', 'Status', 'Expires'], rows: s.invites.map((i) => [i.id, i.email, i.platform, i.status, humanTime(i.expiresAt)]) });
  if (queue) await printQueueStatus(ctx, queue);
}

export interface QueueStatus {
  counts?: Record<string, number>;
  schedule?: { every: string | null; cron: string; nextRunAt: string } | null;
  lastJob?: { id: string; state: string; finishedAt: string | null; error: string | null } | null;
  /** Set when the queue's database could not be read; the rest of the status still stands. */
  error?: string;
}

/** The org's jobs and schedule when a queue database is set; undefined without one. */
async function queueStatus(ctx: Context, org: string): Promise<QueueStatus | undefined> {
  const { queueIfConfigured } = await import('../../queue/for-command.js');
  try {
    const queue = await queueIfConfigured(ctx);
    if (!queue) return undefined;
    const { queueCounts, listRuns } = await import('../../queue/jobs.js');
    const { listSchedules } = await import('../../queue/schedules.js');
    const [counts, runs, schedules] = await Promise.all([queueCounts(queue, org), listRuns(queue, { org, limit: 1 }), listSchedules(queue, ctx.clock.now())]);
    const schedule = schedules.find((x) => x.org.toLowerCase() === org.toLowerCase());
    const last = runs[0];
    return {
      counts,
      schedule: schedule ? { every: schedule.every, cron: schedule.cron, nextRunAt: schedule.nextRunAt } : null,
      lastJob: last ? { id: last.id, state: last.state, finishedAt: last.finishedAt, error: last.error?.message ?? null } : null,
    };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

async function printQueueStatus(ctx: Context, q: QueueStatus): Promise<void> {
  if (q.error) {
    ctx.output.line(`Queue: could not be read (${q.error})`);
    return;
  }
  const c = q.counts ?? {};
  ctx.output.line(`Queue: ${c.queued ?? 0} queued, ${c.running ?? 0} running, ${c.done ?? 0} done, ${c.failed ?? 0} failed`);
  ctx.output.line(q.schedule ? `Schedule: ${q.schedule.every ? `every ${q.schedule.every}` : `cron '${q.schedule.cron}'`}, next run ${humanTime(q.schedule.nextRunAt)}` : 'Schedule: none (`synder schedule add --every 1h`)');
  if (q.lastJob) ctx.output.line(`Last job: ${q.lastJob.id} ${q.lastJob.state}${q.lastJob.finishedAt ? ` ${humanTime(q.lastJob.finishedAt)}` : ''}${q.lastJob.error ? ` — ${q.lastJob.error}` : ''}`);
}
