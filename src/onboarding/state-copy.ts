import { isDeepStrictEqual } from 'node:util';
import { vaultKeys, type TokenSet, type TokenVault } from '../auth/types.js';
import { PostgresVault, requireCredentialsKey } from '../auth/vault-postgres.js';
import type { Env } from '../config.js';
import { StateError } from '../errors.js';
import { APP_CREDENTIAL_FIELDS } from '../runtime/app-credentials.js';
import { describeDatabaseUrl, openPostgresDatabase } from '../store/postgres.js';
import type { SqlConnection } from '../store/sql.js';
import { copyStateTables, credentialOwners, nonEmptyTables, verifyStateCopy, type TableCopy } from '../store/state-copy.js';

export interface StateCopyResult {
  ok: boolean;
  from: string;
  to: string;
  tables: TableCopy[];
  credentials: { tokens: number; secrets: number; matches: boolean };
}

/**
 * The vault keys this state refers to: each org's ledger sign-in, each shop's TikTok
 * authorization, and the app credentials entered at prompts. A vault cannot be listed (the OS
 * keyring cannot), so the keys come from the state.
 */
async function credentialKeys(source: SqlConnection): Promise<{ tokens: string[]; secrets: string[] }> {
  const owners = await credentialOwners(source);
  const tokens = new Set<string>(owners.ledgerOrgIds.map((orgId) => vaultKeys.ledger(orgId)));
  for (const shop of owners.shops) tokens.add(shop.authKey ?? vaultKeys.tiktok(shop.orgId, 'default'));
  const secrets = Object.values(APP_CREDENTIAL_FIELDS).flatMap((fields) => fields.map((f) => f.secretName));
  return { tokens: [...tokens].sort(), secrets };
}

export interface StateCopyOptions {
  /** The SQLite state, read only. */
  source: SqlConnection;
  sourceDescription: string;
  /** Where its tokens are now (keyring or file). */
  sourceVault: TokenVault;
  to: string;
  env: Env;
  progress?: (table: string, rows: number) => void;
}

/**
 * Copies the SQLite state and its credentials into an empty PostgreSQL database in one
 * transaction (ids kept, tokens re-sealed under SYNDER_CREDENTIALS_KEY), then reads the copy back
 * and compares every table's rows and content with the source.
 */
export async function copyStateToPostgres(opts: StateCopyOptions): Promise<StateCopyResult> {
  const passphrase = requireCredentialsKey(opts.env);
  const keys = await credentialKeys(opts.source);
  const tokens: Record<string, TokenSet> = {};
  for (const k of keys.tokens) {
    const t = await opts.sourceVault.get(k);
    if (t) tokens[k] = t;
  }
  const secrets: Record<string, string> = {};
  for (const k of keys.secrets) {
    const v = await opts.sourceVault.getSecret(k);
    if (v !== undefined) secrets[k] = v;
  }

  const target = await openPostgresDatabase(opts.to);
  try {
    const taken = await nonEmptyTables(target, ['credentials']);
    if (taken.length > 0) {
      throw new StateError(
        `The database ${target.description} already holds synder state (${taken.join(', ')}); state copy only fills an empty one.`,
        'Create an empty database for it (createdb), or point SYNDER_DATABASE_URL at this one to use the state it has.',
      );
    }
    let columns: Record<string, string[]> = {};
    await target.transaction(async (tx) => {
      columns = await copyStateTables(opts.source, tx, opts.progress);
      const vault = new PostgresVault(tx, passphrase, target.description);
      for (const [k, t] of Object.entries(tokens)) await vault.set(k, t);
      for (const [k, v] of Object.entries(secrets)) await vault.setSecret(k, v);
    });

    // Read back through a fresh connection, as another host would see the committed copy.
    const tables = await verifyStateCopy(opts.source, target, columns);
    const copied = await new PostgresVault(target, passphrase, target.description).entries();
    const credentialsMatch = isDeepStrictEqual(copied.tokens, tokens) && isDeepStrictEqual(copied.secrets, secrets);
    return {
      ok: tables.every((t) => t.matches) && credentialsMatch,
      from: opts.sourceDescription,
      to: describeDatabaseUrl(opts.to),
      tables,
      credentials: { tokens: Object.keys(tokens).length, secrets: Object.keys(secrets).length, matches: credentialsMatch },
    };
  } finally {
    await target.close();
  }
}
