import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenSet } from '../../src/auth/types.js';
import { PostgresVault } from '../../src/auth/vault-postgres.js';
import { openPostgresDatabase } from '../../src/store/postgres.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';
import { bundleForChild, raceChildren, startTestOAuthServer, type TestOAuthServer } from './auth-helpers.js';

const skip = postgresSkipReason();
const KEY = 'org:1:ledger';
const env = { SYNDER_CREDENTIALS_KEY: 'shared firm key' };

describe.skipIf(skip)(`refresh across hosts sharing PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: TestOAuthServer;
  let script: string;
  beforeAll(async () => {
    server = await startTestOAuthServer({ refreshDelayMs: 150 });
    script = await bundleForChild(path.join(path.dirname(new URL(import.meta.url).pathname), 'auth-refresh-postgres-child.ts'));
  });
  afterAll(async () => {
    fs.rmSync(script, { force: true });
    await server.close();
  });

  it('three processes with separate homes refresh one rotating token once and end with the same valid token', async () => {
    const url = await freshDatabase();
    const db = await openPostgresDatabase(url);
    const vault = await PostgresVault.open(db, env);
    const issued = server.issueTokens();
    const stored: TokenSet = { accessToken: issued.access_token, refreshToken: issued.refresh_token, expiresAt: Date.now() - 1000, extra: { tenantId: 't-1' } };
    await vault.set(KEY, stored);
    const before = server.refreshCalls;
    // Separate homes: no lock file can be shared, only the database.
    const homes = [0, 1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'synder-host-')));
    const results = await raceChildren(script, homes.map((home) => [server.url, url, home]), { ...process.env, ...env });
    for (const r of results) expect(r.code, r.err).toBe(0);
    const tokens = results.map((r) => JSON.parse(r.out.split('\n')[1]!).accessToken as string);
    expect(server.refreshCalls - before).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(stored.accessToken);
    const kept = await vault.get(KEY);
    expect(kept?.accessToken).toBe(tokens[0]);
    expect(kept?.extra).toEqual({ tenantId: 't-1' });
    expect(server.validRefresh.has(kept!.refreshToken!)).toBe(true);
    expect(server.validRefresh.has(stored.refreshToken!)).toBe(false);
    await db.close();
  });
});
