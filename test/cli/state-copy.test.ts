import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { tempHome } from '../helpers/cli.js';
import { snapshot, startE2E, sync, type E2E } from '../helpers/e2e.js';
import { synder } from '../helpers/in-process.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

const skip = postgresSkipReason();
const T = 240_000;
const KEY = 'the key every host will use';

interface CopyJson {
  ok: boolean;
  tables: Array<{ table: string; source: { rows: number; hash: string }; target: { rows: number; hash: string }; matches: boolean }>;
  credentials: { tokens: number; secrets: number; matches: boolean };
}

describe.skipIf(skip)(`synder state copy${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let e: E2E;
  let url: string;
  /** A host that has only the database URL and the key. */
  let pgEnv: Record<string, string>;
  const onPg = (args: string[]) => synder(args, { env: pgEnv, clock: systemClock });
  beforeAll(async () => {
    e = await startE2E({ ledger: 'xero', mode: 'per-transaction', seed: 29, orders: 40 });
    url = await freshDatabase();
    pgEnv = { ...e.env, SYNDER_HOME: tempHome('synder-pg-host-'), SYNDER_DATABASE_URL: url, SYNDER_CREDENTIALS_KEY: KEY };
  }, T);
  afterAll(async () => {
    await e?.close();
  });

  it('needs the credentials key, and a postgres URL', async () => {
    const r = await e.cli(['state', 'copy', '--to', url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SYNDER_CREDENTIALS_KEY is not set');
    const bad = await e.cli(['state', 'copy', '--to', 'mysql://x/y']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('postgres://');
  });

  it('copies a synced SQLite state into PostgreSQL, verifies every table, and the copy gives the same answers', async () => {
    const first = await sync(e);
    expect(first.result.code, first.result.stderr).toBe(0);
    const before = snapshot(e);

    // The test server trusts any password: one in the URL shows whether output would reveal it.
    const withPassword = url.replace('://synder@', '://synder:hunter2@');
    const copy = await synder(['state', 'copy', '--to', withPassword, '--json'], { env: { ...e.env, SYNDER_CREDENTIALS_KEY: KEY }, clock: systemClock });
    expect(copy.code, copy.stderr).toBe(0);
    const result = JSON.parse(copy.stdout) as CopyJson;
    expect(result.ok).toBe(true);
    expect(result.tables.map((t) => t.table)).toEqual(['orgs', 'ledger_connections', 'integrations', 'account_mappings', 'sync_runs', 'source_records', 'documents', 'events', 'bookmarks', 'invites']);
    for (const t of result.tables) expect(t, t.table).toMatchObject({ matches: true, target: t.source });
    expect(result.tables.find((t) => t.table === 'documents')!.source.rows).toBeGreaterThan(0);
    expect(result.credentials).toMatchObject({ matches: true });
    expect(result.credentials.tokens).toBeGreaterThanOrEqual(2);
    expect(copy.stdout + copy.stderr).not.toContain('hunter2');

    for (const args of [['transactions', '--json'], ['reconcile', '--json'], ['org', 'list', '--json']]) {
      const lite = await e.cli(args);
      const copied = await onPg(args);
      expect(copied.code, `${args.join(' ')}: ${copied.stderr}`).toBe(lite.code);
      expect(JSON.parse(copied.stdout), args.join(' ')).toEqual(JSON.parse(lite.stdout));
    }
    expect((await onPg(['reconcile'])).code).toBe(0);

    // The copy carries on where the SQLite state stopped: tokens work, nothing is booked twice, new rows get new ids.
    const again = await synder(['sync', '--since', e.since, '--json'], { env: pgEnv, clock: systemClock });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect(snapshot(e)).toEqual(before);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const runs = (await client.query<{ n: string }>('SELECT count(*) AS n FROM sync_runs')).rows[0]!.n;
    await client.end();
    expect(Number(runs)).toBe(result.tables.find((t) => t.table === 'sync_runs')!.source.rows + 1);
  }, T);

  it('refuses a database that already holds state, and prints a table per engine', async () => {
    const r = await synder(['state', 'copy', '--to', url], { env: { ...e.env, SYNDER_CREDENTIALS_KEY: KEY }, clock: systemClock });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already holds synder state \(orgs/);
    const fresh = await freshDatabase();
    const human = await synder(['state', 'copy', '--to', fresh], { env: { ...e.env, SYNDER_CREDENTIALS_KEY: KEY }, clock: systemClock });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/documents\t\d+\t\d+\t[0-9a-f]{12}\tyes/);
    expect(human.stdout).toMatch(/credentials\t\d+\t\d+\tre-sealed\tyes/);
  });
});
