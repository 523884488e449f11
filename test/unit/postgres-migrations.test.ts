import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { latestPostgresSchemaVersion, postgresMigrations } from '../../src/store/postgres-migrations.js';
import { openPostgresDatabase, PostgresDatabase } from '../../src/store/postgres.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

const skip = postgresSkipReason();

describe.skipIf(skip)(`PostgreSQL migrations${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('five hosts starting at once on a fresh database all open it, and each migration runs once', async () => {
    const url = await freshDatabase();
    const dbs = await Promise.all(Array.from({ length: 5 }, () => openPostgresDatabase(url, { max: 2 })));
    try {
      const applied = await dbs[0]!.all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(applied).toEqual(postgresMigrations.map((m) => ({ version: m.version, name: m.name })));
      // Opening again applies nothing.
      const again = await openPostgresDatabase(url);
      await again.close();
      expect(await dbs[1]!.get('SELECT count(*) AS n FROM schema_migrations')).toEqual({ n: postgresMigrations.length });
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
  });

  it('refuses a database written by a newer synder, and leaves it untouched', async () => {
    const url = await freshDatabase();
    await (await openPostgresDatabase(url)).close();
    const raw = new PostgresDatabase(url);
    await raw.run('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [latestPostgresSchemaVersion + 1, 'from the future']);
    await raw.run('CREATE TABLE future_table (x INTEGER)');
    const err = await openPostgresDatabase(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toMatch(new RegExp(`written by a newer synder \\(schema ${latestPostgresSchemaVersion + 1}, this one knows ${latestPostgresSchemaVersion}\\)`));
    expect((err as StateError).hint).toMatch(/Upgrade synder/);
    expect(await raw.get('SELECT count(*) AS n FROM schema_migrations')).toEqual({ n: latestPostgresSchemaVersion + 1 });
    await raw.close();
  });

  it('has the tables, columns and indexes of the SQLite schema (plus credentials)', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-schema-'));
    const lite = await SqliteDatabase.open(home);
    const liteTables = (await lite.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).map((r) => r.name);
    const liteColumns: Record<string, string[]> = {};
    for (const t of liteTables) liteColumns[t] = (await lite.all<{ name: string }>('SELECT name FROM pragma_table_info(?)', [t])).map((c) => c.name);
    const liteIndexes = (await lite.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name")).map((r) => r.name);
    await lite.close();

    const db = await openPostgresDatabase(await freshDatabase());
    try {
      const cols = await db.all<{ table_name: string; column_name: string }>(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
      );
      const pgColumns: Record<string, string[]> = {};
      for (const c of cols) (pgColumns[c.table_name] ??= []).push(c.column_name);
      expect(Object.keys(pgColumns).sort()).toEqual([...liteTables, 'credentials', 'schema_migrations'].sort());
      for (const t of liteTables) expect(pgColumns[t], t).toEqual(liteColumns[t]);
      const pgIndexes = (await db.all<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).map((r) => r.indexname);
      for (const i of liteIndexes) expect(pgIndexes).toContain(i);

      // Org names are unique whatever their case, as with SQLite's NOCASE.
      await db.run("INSERT INTO orgs (name, created_at) VALUES ('Acme', 'now')");
      await expect(db.run("INSERT INTO orgs (name, created_at) VALUES ('ACME', 'now')")).rejects.toMatchObject({ code: '23505' });
      // Cascades as in SQLite: an org's integrations and documents go with it; a run's documents keep existing.
      const org = (await db.get<{ id: number }>("SELECT id FROM orgs WHERE name = 'Acme'"))!.id;
      const integ = (await db.get<{ id: number }>("INSERT INTO integrations (org_id, platform, external_id, name, created_at) VALUES (?, 'tiktok', 's1', 'Shop', 'now') RETURNING id", [org]))!.id;
      const run = (await db.get<{ id: number }>("INSERT INTO sync_runs (org_id, started_at) VALUES (?, 'now') RETURNING id", [org]))!.id;
      await db.run(
        "INSERT INTO documents (org_id, integration_id, key, kind, date, currency, body_json, hash, run_id, created_at, updated_at) VALUES (?, ?, 'k', 'sale', '2026-01-01', 'USD', '{}', 'h', ?, 'now', 'now')",
        [org, integ, run],
      );
      await db.run('DELETE FROM sync_runs WHERE id = ?', [run]);
      expect(await db.get('SELECT run_id FROM documents')).toEqual({ run_id: null });
      await db.run('DELETE FROM orgs WHERE id = ?', [org]);
      expect(await db.get('SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM integrations) AS n')).toEqual({ n: 0 });
    } finally {
      await db.close();
    }
  });

  it('a failed migration leaves nothing behind', async () => {
    const url = await freshDatabase();
    const broken = [...postgresMigrations, { version: 99, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT no_such_function();' }];
    const { migratePostgres } = await import('../../src/store/postgres-migrations.js');
    const db = new PostgresDatabase(url);
    await expect(migratePostgres(db, broken)).rejects.toThrow(/no_such_function/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
    await client.end();
    await db.close();
    expect(rows[0].n).toBe(0);
  });
});
