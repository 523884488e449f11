import { describe, expect, it } from 'vitest';
import type { TokenSet } from '../../src/auth/types.js';
import { PostgresVault, requireCredentialsKey } from '../../src/auth/vault-postgres.js';
import { StateError, UsageError } from '../../src/errors.js';
import { openPostgresDatabase } from '../../src/store/postgres.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

const tokens: TokenSet = { accessToken: 'at-secret-1', refreshToken: 'rt-secret-1', expiresAt: 1_800_000_000_000, extra: { realmId: '9130' } };

describe('the key a database vault needs', () => {
  it('is required, and its absence names the variable', () => {
    const err = (() => {
      try {
        requireCredentialsKey({});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/SYNDER_CREDENTIALS_KEY is not set/);
    expect(requireCredentialsKey({ SYNDER_CREDENTIALS_KEY: ' k ' })).toBe('k');
  });
});

const skip = postgresSkipReason();

describe.skipIf(skip)(`PostgresVault${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('keeps tokens and secrets sealed in the database and gives them back to any host with the key', async () => {
    const url = await freshDatabase();
    const hostA = await openPostgresDatabase(url);
    const hostB = await openPostgresDatabase(url);
    try {
      const a = await PostgresVault.open(hostA, { SYNDER_CREDENTIALS_KEY: 'firm key' });
      expect(a.kind).toBe('database');
      expect(a.location).not.toContain('password');
      await a.set('org:1:ledger', tokens);
      await a.setSecret('app:quickbooks:client_secret', 'cs-123');
      const b = await PostgresVault.open(hostB, { SYNDER_CREDENTIALS_KEY: 'firm key' });
      expect(await b.get('org:1:ledger')).toEqual(tokens);
      expect(await b.getSecret('app:quickbooks:client_secret')).toBe('cs-123');
      expect(await b.get('org:2:ledger')).toBeUndefined();
      expect(await b.getSecret('app:xero:client_id')).toBeUndefined();
      await b.set('org:1:ledger', { ...tokens, accessToken: 'at-2' });
      expect((await a.get('org:1:ledger'))?.accessToken).toBe('at-2');

      const raw = await hostA.all<{ sealed: string }>('SELECT sealed FROM credentials');
      expect(raw).toHaveLength(2);
      for (const r of raw) expect(r.sealed).not.toMatch(/at-2|rt-secret|cs-123|9130/);

      await a.delete('org:1:ledger');
      expect(await b.get('org:1:ledger')).toBeUndefined();
      expect(await a.entries()).toEqual({ tokens: {}, secrets: { 'app:quickbooks:client_secret': 'cs-123' } });
    } finally {
      await hostA.close();
      await hostB.close();
    }
  });

  it('a wrong key is a clear error at open; a row moved onto another key is refused', async () => {
    const db = await openPostgresDatabase(await freshDatabase());
    try {
      const v = await PostgresVault.open(db, { SYNDER_CREDENTIALS_KEY: 'right' });
      await v.set('org:1:ledger', tokens);
      await v.set('org:2:ledger', { ...tokens, accessToken: 'other' });
      const err = await PostgresVault.open(db, { SYNDER_CREDENTIALS_KEY: 'wrong' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as Error).message).toMatch(/Cannot decrypt .*SYNDER_CREDENTIALS_KEY is not the key/);
      await expect(PostgresVault.open(db, {})).rejects.toBeInstanceOf(UsageError);

      await db.run("UPDATE credentials SET sealed = (SELECT sealed FROM credentials WHERE key = 'org:2:ledger') WHERE key = 'org:1:ledger'");
      await expect(v.get('org:1:ledger')).rejects.toThrow(/belong to another entry/);
    } finally {
      await db.close();
    }
  });
});
