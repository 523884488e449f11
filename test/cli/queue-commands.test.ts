import { describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { synder, synderIn } from '../helpers/in-process.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

/** Flags, JSON documents and exit codes of the queue's commands: worker, schedule, runs, sync --enqueue. */

const skip = postgresSkipReason();

const withOrg = async (extra: Record<string, string> = {}) => {
  // With a database URL the state lives there too, and its tokens need the credentials key.
  const env = { SYNDER_HOME: tempHome(), SYNDER_CREDENTIALS: 'file', ...(extra.SYNDER_DATABASE_URL ? { SYNDER_CREDENTIALS_KEY: 'test key' } : {}), ...extra };
  const run = synderIn(env);
  for (const name of ['Acme', 'Beta']) {
    const created = await run(['org', 'create', name, '--currency', 'USD', '--timezone', 'America/New_York']);
    expect(created.code, created.stderr).toBe(0);
  }
  return run;
};

describe('without a database URL the queue commands stop with exit 2 and say what to set', () => {
  it.each([[['worker', '--once']], [['schedule', 'list']], [['schedule', 'add', '--every', '1h']], [['schedule', 'remove']], [['runs']], [['sync', '--enqueue']]])('synder %j', async (args) => {
    const run = await withOrg();
    const r = await run([...args, '--org', 'Acme']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('SYNDER_DATABASE_URL');
    const json = await run([...args, '--org', 'Acme', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'usage' } });
  });

  it('says so before looking the org up: a schedule for an org not in this state still names the database', async () => {
    const run = await withOrg();
    const r = await run(['schedule', 'add', '--org', 'Nobody', '--every', '1h']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('SYNDER_DATABASE_URL');
  });

  it('a URL that is not PostgreSQL is a usage error too', async () => {
    // Refused when the configuration is read, before any state is opened.
    const run = synderIn({ SYNDER_HOME: tempHome(), SYNDER_DATABASE_URL: 'mysql://db/synder' });
    const r = await run(['runs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a PostgreSQL URL');
  });
});

describe('bad flag values stop the run with exit 2 before the queue is opened', () => {
  it.each([
    [['worker', '--concurrency', '0'], 'Use a whole number of syncs from 1 to 64'],
    [['worker', '--grace', '-1'], 'Use a number of seconds from 0 to 3600'],
    [['runs', '--state', 'stuck'], 'Allowed choices are queued, running, done, failed, cancelled'],
    [['runs', '--limit', '0'], 'Use a whole number of jobs'],
    [['schedule', 'add', '--every', '1h', '--cron', '0 * * * *'], "option '--every <interval>' cannot be used with option '--cron <expr>'"],
  ])('synder %j', async (args, message) => {
    const r = await synder(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it.skipIf(skip).each([
    [['--every', '7m'], '--every 7m is not an interval synder can repeat evenly'],
    [['--every', '5h'], 'hours that divide a day'],
    [['--every', 'hourly'], 'not an interval'],
    [['--cron', '0 * * *'], 'does not have five fields'],
    [['--cron', '61 * * * *'], 'is not a valid cron expression'],
    [[], 'Say how often'],
  ])(`schedule add %j${skip ? ` (skipped: ${skip})` : ''}`, async (args, message) => {
    // The org (its name and time zone shape the cron) comes from the state, which lives in the database.
    const run = await withOrg({ SYNDER_DATABASE_URL: await freshDatabase() });
    const r = await run(['schedule', 'add', '--org', 'Acme', ...args]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('--enqueue refuses the flags that only mean something to a sync run here', async () => {
    const run = synderIn({ SYNDER_HOME: tempHome(), SYNDER_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', SYNDER_CREDENTIALS_KEY: 'test key' });
    const r = await run(['sync', '--enqueue', '--org', 'Acme', '--dry-run', '--since', '7d']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since, --dry-run only apply to a sync run here');
  });
});

describe.skipIf(skip)(`the queue commands on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('schedule add, list and remove, as text and as JSON', async () => {
    const run = await withOrg({ SYNDER_DATABASE_URL: await freshDatabase() });
    const added = await run(['schedule', 'add', '--org', 'Acme', '--every', '30m', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const doc = JSON.parse(added.stdout) as { ok: boolean; schedule: { org: string; cron: string; every: string; timezone: string; nextRunAt: string } };
    expect(doc.schedule).toMatchObject({ org: 'Acme', every: '30m', timezone: 'America/New_York' });
    expect(doc.schedule.cron).toMatch(/^\d+-59\/30 \* \* \* \*$/);
    expect(new Date(doc.schedule.nextRunAt).getTime() - Date.parse('2026-10-15T12:00:00Z')).toBeLessThanOrEqual(30 * 60_000);

    expect((await run(['schedule', 'add', '--org', 'Beta', '--cron', '15 6 * * 1-5'])).stdout).toContain("cron '15 6 * * 1-5'");
    const list = JSON.parse((await run(['schedule', 'list', '--json'])).stdout) as Array<{ org: string }>;
    expect(list.map((s) => s.org)).toEqual(['Acme', 'Beta']);
    expect((await run(['schedule', 'list'])).stdout).toMatch(/^Organization\tEvery\tCron/);

    expect(JSON.parse((await run(['schedule', 'remove', '--org', 'acme', '--json'])).stdout)).toEqual({ ok: true, removed: 'acme' });
    const again = await run(['schedule', 'remove', '--org', 'Acme']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('Acme has no schedule');
  });

  it('sync --enqueue queues one job per org, runs lists it, status shows the queue', async () => {
    const run = await withOrg({ SYNDER_DATABASE_URL: await freshDatabase() });
    const first = await run(['sync', '--enqueue', '--org', 'Acme', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const job = JSON.parse(first.stdout) as { ok: boolean; jobId: string; created: boolean; state: string };
    expect(job).toMatchObject({ ok: true, org: 'Acme', created: true, state: 'queued' });

    const second = await run(['sync', '--enqueue', '--org', 'Acme']);
    expect(second.stdout.trim()).toBe(job.jobId);
    expect(second.stderr).toContain('already has a sync queued');
    const other = JSON.parse((await run(['sync', '--enqueue', '--org', 'Beta', '--json'])).stdout) as { jobId: string };
    expect(other.jobId).not.toBe(job.jobId);

    const runs = JSON.parse((await run(['runs', '--json'])).stdout) as Array<{ id: string; org: string; state: string; attempts: number }>;
    expect(runs.map((r) => [r.org, r.state]).sort()).toEqual([['Acme', 'queued'], ['Beta', 'queued']]);
    const acme = JSON.parse((await run(['runs', '--org', 'Acme', '--json'])).stdout) as Array<{ id: string }>;
    expect(acme.map((r) => r.id)).toEqual([job.jobId]);
    expect(JSON.parse((await run(['runs', '--state', 'done', '--json'])).stdout)).toEqual([]);

    const status = await run(['status', '--org', 'Acme', '--json']);
    expect(JSON.parse(status.stdout).queue).toMatchObject({ counts: { queued: 1, running: 0 }, schedule: null, lastJob: { id: job.jobId, state: 'queued' } });
    expect((await run(['status', '--org', 'Acme'])).stdout).toContain('Queue: 1 queued, 0 running');

    // Neither org has a ledger: the worker fails both for good (no retry mends that) and keeps the error.
    const worker = await run(['worker', '--once', '--json']);
    expect(worker.code, worker.stderr).toBe(0);
    expect(JSON.parse(worker.stdout)).toMatchObject({ ok: true, done: 0, failed: 2 });
    expect(worker.stderr).toMatch(/start Acme \(job .*attempt 1 of 7\)/);
    const failed = JSON.parse((await run(['runs', '--state', 'failed', '--json'])).stdout) as Array<{ error: { code: string; message: string } }>;
    expect(failed).toHaveLength(2);
    expect(failed[0]!.error).toMatchObject({ code: 'usage', message: expect.stringContaining('has no ledger connected') });
    expect((await run(['runs'])).stdout).toContain('has no ledger connected');
  });
});
