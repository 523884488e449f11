import os from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { tempHome } from '../helpers/cli.js';
import { assertBooks, expectedBooks, snapshot, spawnSync, startE2E, sync, type E2E, type StoredDocument } from '../helpers/e2e.js';
import { synder } from '../helpers/in-process.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

const skip = postgresSkipReason();
const T = 240_000;
const KEY = 'a firm-wide credentials key';

/** synder's documents as the shared database holds them. */
async function storedIn(url: string): Promise<StoredDocument[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<StoredDocument>('SELECT key, kind, status, order_id AS "orderId" FROM documents ORDER BY id')).rows;
  } finally {
    await client.end();
  }
}

/**
 * State in PostgreSQL: the org, its connections and its tokens live in the database, so a second
 * host with nothing in its own SYNDER_HOME syncs the same org, and the sync lock holds across them.
 */
describe.skipIf(skip)(`sync with PostgreSQL state${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let e: E2E;
  let url: string;
  /** The same database from another host: its own, empty SYNDER_HOME. */
  let hostB: E2E;
  beforeAll(async () => {
    url = await freshDatabase();
    e = await startE2E({ ledger: 'quickbooks', mode: 'per-transaction', seed: 17, orders: 60, env: { SYNDER_DATABASE_URL: url, SYNDER_CREDENTIALS_KEY: KEY } });
    const home = tempHome('synder-host-b-');
    hostB = { ...e, home, env: { ...e.env, SYNDER_HOME: home } };
    hostB.cli = (args) => synder(args, { env: hostB.env, clock: systemClock });
  }, T);
  afterAll(async () => {
    await e?.close();
  });

  it('keeps tokens in the database, sealed; the state folder holds no database and no credentials file', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ kind: string; key: string; sealed: string }>('SELECT kind, key, sealed FROM credentials ORDER BY key');
    await client.end();
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining(['org:1:ledger']));
    for (const r of rows) expect(r.sealed).not.toMatch(/"accessToken"|refresh/i);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${e.home}/synder.db`)).toBe(false);
    expect(existsSync(`${e.home}/credentials.json`)).toBe(false);
    const status = await hostB.cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).credentials.kind).toBe('database');
  });

  it('two hosts syncing one org at once: one books, the other exits 5 naming the holder', async () => {
    const a = spawnSync(e, ['--json']);
    const b = spawnSync(hostB, ['--json']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const results = [
      { r: ra, pid: a.child.pid },
      { r: rb, pid: b.child.pid },
    ];
    const refused = results.filter((x) => x.r.code === 5);
    const ran = results.filter((x) => x.r.code === 0);
    expect(results.map((x) => x.r.code).sort(), results.map((x) => x.r.stderr).join('\n---\n')).toEqual([0, 5]);
    expect(refused[0]!.r.stderr).toContain(`Another sync of "E2E Shop" is running (pid ${ran[0]!.pid} on ${os.hostname()}`);
    expect(refused[0]!.r.stderr).toMatch(/connection ends/);
    assertBooks(e, expect, await storedIn(url));
  }, T);

  it('the other host then syncs the same org from the shared state: nothing new, books unchanged, reconcile ties out', async () => {
    const before = snapshot(e);
    const again = await sync(hostB);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.summary.documents).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect(snapshot(e)).toEqual(before);
    const rec = await hostB.cli(['reconcile', '--json']);
    expect(rec.code, rec.stderr).toBe(0);
    const r = (JSON.parse(rec.stdout) as { reconciliation: { reconciles: boolean; clearing: Array<{ differenceMinor: number; ledgerBalanceMinor: number }> } }).reconciliation;
    expect(r.reconciles).toBe(true);
    expect(r.clearing.map((c) => [c.differenceMinor, c.ledgerBalanceMinor])).toEqual([[0, expectedBooks(e.tiktok).clearing]]);
  }, T);

  it('without the credentials key, a clear usage error naming the variable', async () => {
    const env = { ...hostB.env };
    delete (env as Record<string, string | undefined>).SYNDER_CREDENTIALS_KEY;
    const r = await synder(['sync', '--since', e.since], { env, clock: systemClock });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SYNDER_CREDENTIALS_KEY is not set');
    const wrong = await synder(['status'], { env: { ...hostB.env, SYNDER_CREDENTIALS_KEY: 'not the key' }, clock: systemClock });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Cannot decrypt .*SYNDER_CREDENTIALS_KEY/);
  });
});
