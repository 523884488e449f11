import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { StateError } from '../errors.js';
import { latestSchemaVersion, migrations } from './migrations.js';

export type Database = BetterSqlite3.Database;

export const DB_FILE = 'synder.db';

/**
 * Opens (creating if needed) the state database in `home`, runs pending migrations in one
 * transaction, and refuses to touch a database written by a newer synder.
 */
export async function openDatabase(home: string): Promise<Database> {
  const { default: BetterSqlite } = await import('better-sqlite3');
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, DB_FILE);
  let db: Database;
  try {
    db = new BetterSqlite(file);
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? '');
    if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
      throw new StateError(`The state database ${file} is damaged (${(err as Error).message}).`, `Restore it from a backup, or move it away (mv "${file}" "${file}.damaged") to start fresh: documents already in the ledger are found again by their numbers.`);
    throw new StateError(`Cannot open the state database ${file}: ${(err as Error).message}`, 'Check the file permissions, or move the file away to start fresh (synced documents in the ledger are found again by their keys).');
  }
  try {
    migrate(db, file);
  } catch (err) {
    db.close();
    if (err instanceof StateError) throw err;
    throw new StateError(`The state database ${file} is unreadable or corrupt: ${(err as Error).message}`, 'Restore it from a backup, or move it away to start fresh.');
  }
  return db;
}

function migrate(db: Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latestSchemaVersion) {
    throw new StateError(
      `The state database ${file} was written by a newer synder (schema ${current}, this one knows ${latestSchemaVersion}).`,
      'Upgrade synder; this version will not modify that database.',
    );
  }
  // Reading the schema catches a file that is not a database before we try to write it.
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  })();
}

/**
 * Prepares each SQL text once per connection: for the one-row statements a sync runs thousands
 * of times, preparing costs more than running.
 */
export class PreparedStatements {
  private readonly cache = new Map<string, BetterSqlite3.Statement<unknown[]>>();
  constructor(private readonly db: Database) {}

  get(sql: string): BetterSqlite3.Statement<unknown[]> {
    let st = this.cache.get(sql);
    if (!st) this.cache.set(sql, (st = this.db.prepare(sql)));
    return st;
  }
}
