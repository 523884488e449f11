import { Option, type Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { Context } from '../../runtime/context.js';
import { humanTime } from '../../runtime/time.js';
import { action, type ProgramDeps } from '../command.js';

export interface ScheduleAddFlags { every?: string; cron?: string; json?: boolean }

const EVERY = 'minutes that divide an hour (5m, 10m, 15m, 20m, 30m) or hours that divide a day (1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h)';

export function registerSchedule(program: Command, deps: ProgramDeps): void {
  const schedule = program.command('schedule').description('Recurring syncs of an organization, run by `synder worker` (needs SYNDER_DATABASE_URL)');

  schedule
    .command('add')
    .description('Sync the organization (--org, or the active one) on a schedule; replaces its schedule if it has one')
    .addOption(new Option('--every <interval>', `how often: ${EVERY}; each org gets its own minute so they do not all start at once`).conflicts('cron'))
    .addOption(new Option('--cron <expr>', "a five-field cron expression in the org's time zone, e.g. '15 6 * * 1-5'"))
    .option('--json', 'print the schedule as JSON')
    .action(action(deps, runScheduleAdd));

  schedule
    .command('list')
    .description('List the schedules of all organizations, with each one\'s next run')
    .option('--json', 'print as JSON')
    .action(action(deps, runScheduleList));

  schedule
    .command('remove')
    .description('Stop syncing the organization (--org, or the active one) on a schedule')
    .option('--json', 'print the result as JSON')
    .action(action(deps, runScheduleRemove));
}

export async function runScheduleAdd(ctx: Context, flags: ScheduleAddFlags): Promise<void> {
  const { everyToCron, validateCron } = await import('../../queue/schedules.js');
  if (!flags.every && !flags.cron) throw new UsageError('Say how often: --every <interval> or --cron <expr>.', `--every takes ${EVERY}.`);
  // Without a database there is no queue to schedule into, whichever org is named.
  const { requireQueueDatabaseUrl } = await import('../../queue/database.js');
  requireQueueDatabaseUrl(ctx.config, 'schedule add');
  const { queueFor } = await import('../../queue/for-command.js');
  const { addSchedule } = await import('../../queue/schedules.js');
  const org = await ctx.requireOrg();
  const timezone = org.timezone || 'UTC';
  const cron = flags.every ? everyToCron(flags.every, org.name) : validateCron(flags.cron!, timezone);
  const queue = await queueFor(ctx, 'schedule add');
  const added = await addSchedule(queue, { org: org.name, cron, every: flags.every?.trim(), timezone }, ctx.clock.now());
  if (ctx.output.json) ctx.output.printJson({ ok: true, schedule: added });
  else ctx.output.line(`${org.name} syncs ${added.every ? `every ${added.every}` : `on '${added.cron}'`} (cron '${added.cron}', ${added.timezone}); next run ${humanTime(added.nextRunAt)}. A running \`synder worker\` queues it.`);
}

export async function runScheduleList(ctx: Context): Promise<void> {
  const { queueFor } = await import('../../queue/for-command.js');
  const { listSchedules } = await import('../../queue/schedules.js');
  const queue = await queueFor(ctx, 'schedule list');
  const schedules = await listSchedules(queue, ctx.clock.now());
  if (ctx.output.json) {
    ctx.output.printJson(schedules);
    return;
  }
  if (schedules.length === 0) {
    ctx.output.line('No schedules yet. Add one with `synder schedule add --org <name> --every 1h`.');
    return;
  }
  await ctx.output.table({
    head: ['Organization', 'Every', 'Cron', 'Time zone', 'Next run'],
    rows: schedules.map((s) => [s.org, s.every ?? '', s.cron, s.timezone, humanTime(s.nextRunAt)]),
  });
}

export async function runScheduleRemove(ctx: Context): Promise<void> {
  const { queueFor } = await import('../../queue/for-command.js');
  const { removeSchedule } = await import('../../queue/schedules.js');
  const name = await ctx.activeOrgName();
  if (!name) throw new UsageError('Which organization? Pass --org <name>.');
  const queue = await queueFor(ctx, 'schedule remove');
  const removed = await removeSchedule(queue, name);
  if (!removed) throw new UsageError(`${name} has no schedule.`, 'See `synder schedule list`.');
  if (ctx.output.json) ctx.output.printJson({ ok: true, removed: name });
  else ctx.output.line(`Removed the schedule of ${name}; runs already queued still run.`);
}
