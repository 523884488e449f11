import { z } from 'zod';
import type { Env } from '../config.js';
import { StateError, UsageError } from '../errors.js';
import type { SqlConnection, SqlDatabase } from '../store/sql.js';
import type { TokenSet, TokenVault } from './types.js';
import { credentialsKey, open, seal, type SealedBox } from './vault-crypto.js';
import { tokenSetSchema } from './vault-file.js';

const sealedSchema = z.object({ cipher: z.literal('aes-256-gcm'), kdf: z.literal('scrypt'), salt: z.string(), iv: z.string(), tag: z.string(), data: z.string() });

/**
 * The sealed text names its own row: a row copied over another (same key, other kind, or another
 * org's key) by someone with write access to the table opens as a mismatch, not as the wrong tokens.
 */
const tokenPlain = z.object({ kind: z.literal('token'), key: z.string(), tokens: tokenSetSchema });
const secretPlain = z.object({ kind: z.literal('secret'), key: z.string(), value: z.string() });

type Kind = 'token' | 'secret';

/** SYNDER_CREDENTIALS_KEY (or _FILE), which a database vault cannot do without. */
export function requireCredentialsKey(env: Env): string {
  const key = credentialsKey(env);
  if (!key) {
    throw new UsageError(
      'SYNDER_CREDENTIALS_KEY is not set: with SYNDER_DATABASE_URL, tokens are kept encrypted in the database and need that key.',
      'Set SYNDER_CREDENTIALS_KEY (or SYNDER_CREDENTIALS_KEY_FILE, a file whose first line is the key) to the same secret on every host that shares the database.',
    );
  }
  return key;
}

/**
 * Tokens and app secrets in the state database's `credentials` table, each row sealed
 * (AES-256-GCM, scrypt-derived key) under SYNDER_CREDENTIALS_KEY, so every host sharing the
 * database sees the same tokens and the database alone does not give them away. A write is one
 * statement; token rotation happens under the refresh lock, which hosts share with this vault.
 */
export class PostgresVault implements TokenVault {
  readonly kind = 'database' as const;
  readonly location: string;

  /** `db` may be a transaction's connection (a state copy writes credentials with the tables). */
  constructor(private readonly db: SqlConnection, private readonly passphrase: string, private readonly description: string) {
    this.location = `database ${description} (encrypted)`;
  }

  /**
   * The vault of a database, with the key from the environment, checked against one stored row
   * so a host with the wrong key fails at start rather than at its first refresh.
   */
  static async open(db: SqlDatabase, env: Env): Promise<PostgresVault> {
    const vault = new PostgresVault(db, requireCredentialsKey(env), db.description);
    const row = await db.get<{ kind: Kind; key: string; sealed: string }>('SELECT kind, key, sealed FROM credentials ORDER BY updated_at DESC LIMIT 1');
    if (row) vault.open(row.kind, row.key, row.sealed);
    return vault;
  }

  async get(key: string): Promise<TokenSet | undefined> {
    const plain = await this.read('token', key);
    return plain === undefined ? undefined : tokenPlain.parse(plain).tokens;
  }

  async set(key: string, tokens: TokenSet): Promise<void> {
    await this.write('token', key, { kind: 'token', key, tokens: tokenSetSchema.parse(tokens) });
  }

  async delete(key: string): Promise<void> {
    await this.db.run("DELETE FROM credentials WHERE kind = 'token' AND key = ?", [key]);
  }

  async getSecret(name: string): Promise<string | undefined> {
    const plain = await this.read('secret', name);
    return plain === undefined ? undefined : secretPlain.parse(plain).value;
  }

  async setSecret(name: string, value: string): Promise<void> {
    await this.write('secret', name, { kind: 'secret', key: name, value });
  }

  /** Every row, opened: for copying credentials elsewhere and for checks. */
  async entries(): Promise<{ tokens: Record<string, TokenSet>; secrets: Record<string, string> }> {
    const rows = await this.db.all<{ kind: Kind; key: string; sealed: string }>('SELECT kind, key, sealed FROM credentials ORDER BY kind, key');
    const out = { tokens: {} as Record<string, TokenSet>, secrets: {} as Record<string, string> };
    for (const row of rows) {
      const plain = this.open(row.kind, row.key, row.sealed);
      if (row.kind === 'token') out.tokens[row.key] = tokenPlain.parse(plain).tokens;
      else out.secrets[row.key] = secretPlain.parse(plain).value;
    }
    return out;
  }

  private async read(kind: Kind, key: string): Promise<unknown> {
    const row = await this.db.get<{ sealed: string }>('SELECT sealed FROM credentials WHERE kind = ? AND key = ?', [kind, key]);
    return row ? this.open(kind, key, row.sealed) : undefined;
  }

  private open(kind: Kind, key: string, sealed: string): unknown {
    const what = `the ${kind === 'token' ? 'tokens' : 'secret'} "${key}" in ${this.description}`;
    let box: SealedBox;
    try {
      box = sealedSchema.parse(JSON.parse(sealed));
    } catch {
      throw new StateError(`The stored credentials for ${what} are corrupt.`, `Sign in again for that connection (synder connect …) to replace them.`);
    }
    let text: string;
    try {
      text = open(box, this.passphrase, what);
    } catch {
      throw new StateError(
        `Cannot decrypt ${what}: SYNDER_CREDENTIALS_KEY is not the key they were written with, or the row was altered.`,
        'Set SYNDER_CREDENTIALS_KEY (or SYNDER_CREDENTIALS_KEY_FILE) to the key the other hosts use.',
      );
    }
    let plain: { kind?: unknown; key?: unknown };
    try {
      plain = JSON.parse(text) as typeof plain;
    } catch {
      throw new StateError(`The stored credentials for ${what} are corrupt.`, 'Sign in again for that connection (synder connect …) to replace them.');
    }
    if (plain.kind !== kind || plain.key !== key) {
      throw new StateError(`The stored credentials for ${what} belong to another entry (${String(plain.kind)} "${String(plain.key)}"): the row was copied or altered.`, 'Sign in again for that connection (synder connect …) to replace them.');
    }
    return plain;
  }

  private async write(kind: Kind, key: string, plain: object): Promise<void> {
    const sealed = JSON.stringify(seal(JSON.stringify(plain), this.passphrase));
    await this.db.run(
      `INSERT INTO credentials (kind, key, sealed, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, key) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
      [kind, key, sealed, new Date().toISOString()],
    );
  }
}
