import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

const skip = postgresSkipReason();

describe.skipIf(skip)(`the test PostgreSQL server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('gives each caller its own empty database', async () => {
    const [a, b] = [await freshDatabase(), await freshDatabase()];
    expect(a).not.toBe(b);
    const client = new pg.Client({ connectionString: a });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; n: string }>("SELECT current_database() AS db, count(*) AS n FROM pg_tables WHERE schemaname = 'public'");
      expect(rows[0]!.db).toBe(new URL(a).pathname.slice(1));
      expect(Number(rows[0]!.n)).toBe(0);
    } finally {
      await client.end();
    }
  });
});
