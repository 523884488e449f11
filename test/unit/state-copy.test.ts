import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../src/store/postgres.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { copyStateTables, nonEmptyTables, verifyStateCopy } from '../../src/store/state-copy.js';
import { Store } from '../../src/store/store.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

const skip = postgresSkipReason();

describe.skipIf(skip)(`copying state tables into PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  async function source(): Promise<SqliteDatabase> {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-copy-'));
    const store = new Store(await SqliteDatabase.open(home), () => new Date('2026-03-01T00:00:00Z'), home);
    const org = await store.orgs.create({ name: 'Acme', currency: 'USD' });
    await store.orgs.create({ name: 'Beta "quoted" ? @name', currency: 'JPY' });
    await store.runs.start(org.id, { since: null, until: null });
    await store.close();
    return SqliteDatabase.open(home);
  }

  it('keeps ids, moves identities past them, and a changed value shows in the verification', async () => {
    const lite = await source();
    const pgdb = await openPostgresDatabase(await freshDatabase());
    try {
      expect(await nonEmptyTables(pgdb)).toEqual([]);
      const columns = await pgdb.transaction((tx) => copyStateTables(lite, tx));
      expect(await nonEmptyTables(pgdb)).toEqual(['orgs', 'sync_runs']);
      const checked = await verifyStateCopy(lite, pgdb, columns);
      expect(checked.every((t) => t.matches)).toBe(true);
      expect(checked.find((t) => t.table === 'orgs')!.target.rows).toBe(2);
      // A new row after the copy gets the next id, not one the copy already used.
      expect(await pgdb.get("INSERT INTO orgs (name, created_at) VALUES ('Gamma', 'now') RETURNING id")).toEqual({ id: 3 });
      await pgdb.run("DELETE FROM orgs WHERE name = 'Gamma'");
      await pgdb.run("UPDATE orgs SET currency = 'EUR' WHERE name = 'Acme'");
      const after = await verifyStateCopy(lite, pgdb, columns);
      expect(after.filter((t) => !t.matches).map((t) => t.table)).toEqual(['orgs']);
    } finally {
      await lite.close();
      await pgdb.close();
    }
  });

  it('a copy that fails part way leaves the target empty', async () => {
    const lite = await source();
    const pgdb = await openPostgresDatabase(await freshDatabase());
    try {
      // A row the target refuses (its own id already there) stops the copy after orgs went in.
      await pgdb.run("INSERT INTO orgs (id, name, created_at) VALUES (2, 'Taken', 'now')");
      await expect(pgdb.transaction((tx) => copyStateTables(lite, tx))).rejects.toMatchObject({ code: '23505' });
      expect(await pgdb.all('SELECT name FROM orgs')).toEqual([{ name: 'Taken' }]);
    } finally {
      await lite.close();
      await pgdb.close();
    }
  });
});
