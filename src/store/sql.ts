/**
 * The one seam between the repositories and a database engine. The repositories write their SQL
 * once, in the subset SQLite and PostgreSQL share, and branch on `dialect` only where the engines
 * differ (JSON functions). Both engines implement the same guarantees the sync relies on: a
 * transaction runs on one connection, commits whole or not at all, and its writes are invisible to
 * other connections until it commits.
 *
 * Parameters are positional `?` or named `@name` (an object); an engine that numbers its
 * placeholders (`$1`) translates them. Statements that insert and need the new id end in
 * `RETURNING id` and use `get`.
 */
export type SqlDialect = 'sqlite' | 'postgres';

export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Runs statements on one connection (the database's, or a transaction's). */
export interface SqlConnection {
  readonly dialect: SqlDialect;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  run(sql: string, params?: SqlParams): Promise<RunResult>;
}

export interface SqlDatabase extends SqlConnection {
  /** What to call the database in messages: a file path, or a URL without its password. */
  readonly description: string;
  /**
   * Runs `fn` in one transaction on one connection: committed when `fn` resolves, rolled back when
   * it throws. Statements issued outside `fn` while it runs never join it (an engine with a single
   * connection makes them wait until it ends).
   */
  transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
