import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { StateError } from '../errors.js';
import { latestSchemaVersion, migrations } from './migrations.js';
import type { RunResult, SqlConnection, SqlDatabase, SqlParams } from './sql.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement<unknown[]>;

export const DB_FILE = 'synder.db';

/**
 * Opens (creating if needed) the state database in `home`, runs pending migrations in one
 * transaction, and refuses to touch a database written by a newer synder.
 */
async function openFile(home: string): Promise<{ db: Database; file: string }> {
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
  return { db, file };
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

/** better-sqlite3 takes positional parameters spread and named ones as one object. */
const bind = (params: SqlParams | undefined): unknown[] => (params === undefined ? [] : Array.isArray(params) ? params : [params]);

/**
 * The state database in one SQLite file, on its single connection. A transaction holds that
 * connection until it ends: a statement issued meanwhile from outside it waits rather than
 * running inside it (where a rollback would take it along), and transactions run one after another.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  readonly description: string;
  /** Preparing a statement costs more than running it: a sync runs the same few thousands of times. */
  private readonly statements = new Map<string, Statement>();
  /** Settles when the last transaction asked for has ended: the next one starts after it. */
  private queue: Promise<void> = Promise.resolve();
  /** The running transaction's end, while one holds the connection. */
  private holder: Promise<void> | undefined;

  private constructor(private readonly db: Database, file: string) {
    this.description = file;
  }

  static async open(home: string): Promise<SqliteDatabase> {
    const { db, file } = await openFile(home);
    return new SqliteDatabase(db, file);
  }

  /** For tuning (cache size) and reading (user_version) what only SQLite has. */
  pragma(text: string): unknown {
    return this.db.pragma(text, { simple: true });
  }

  private prepare(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  private async idle(): Promise<void> {
    // Loops because the next queued transaction may take the connection before this wakes.
    while (this.holder) await this.holder;
  }

  async all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    if (this.holder) await this.idle();
    return this.prepare(sql).all(...bind(params)) as T[];
  }

  async get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    if (this.holder) await this.idle();
    return this.prepare(sql).get(...bind(params)) as T | undefined;
  }

  async run(sql: string, params?: SqlParams): Promise<RunResult> {
    if (this.holder) await this.idle();
    return { changes: this.prepare(sql).run(...bind(params)).changes };
  }

  async transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T> {
    const before = this.queue;
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.queue = before.then(() => ended);
    await before;
    this.holder = ended;
    const tx = new SqliteTransaction((sql) => this.prepare(sql));
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      tx.ended = true;
      this.holder = undefined;
      end();
    }
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.db.open) this.db.close();
  }
}

class SqliteTransaction implements SqlConnection {
  readonly dialect = 'sqlite' as const;
  ended = false;

  constructor(private readonly statement: (sql: string) => Statement) {}

  private prepare(sql: string): Statement {
    // A statement that outlives its transaction would otherwise run outside any, unnoticed.
    if (this.ended) throw new Error('This transaction has ended; its connection runs no more statements.');
    return this.statement(sql);
  }

  async all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.prepare(sql).all(...bind(params)) as T[];
  }

  async get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.prepare(sql).get(...bind(params)) as T | undefined;
  }

  async run(sql: string, params?: SqlParams): Promise<RunResult> {
    return { changes: this.prepare(sql).run(...bind(params)).changes };
  }
}
