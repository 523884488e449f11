import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { OrgRepository } from './orgs.js';
import { IntegrationRepository } from './integrations.js';
import { AccountMappingRepository } from './account-mappings.js';
import { DocumentRepository } from './documents.js';
import { SourceRecordRepository } from './source-records.js';
import { RunRepository } from './runs.js';
import { EventRepository } from './events.js';
import { BookmarkRepository } from './bookmarks.js';
import { InviteRepository } from './invites.js';
import { SqliteDatabase } from './sqlite.js';
import { FileLockService, type LockService } from './lock-service.js';
import type { SqlConnection, SqlDatabase } from './sql.js';

/** The state store: one database (any engine behind the SQL seam) and the repositories over it. */
export class Store {
  readonly orgs: OrgRepository;
  readonly integrations: IntegrationRepository;
  readonly accounts: AccountMappingRepository;
  readonly documents: DocumentRepository;
  readonly sourceRecords: SourceRecordRepository;
  readonly runs: RunRepository;
  readonly events: EventRepository;
  readonly bookmarks: BookmarkRepository;
  readonly invites: InviteRepository;
  /**
   * The transaction the current async flow runs in. Per store, not per module: two stores (two
   * state folders in one process, as tests have) must never see each other's transactions.
   */
  private readonly inTransaction = new AsyncLocalStorage<SqlConnection>();
  /**
   * The locks that fit the engine: lock files in `home` beside a SQLite file; the database's own
   * locks when hosts share it, since a lock file on one host is invisible to the others.
   */
  readonly locks: LockService;

  /**
   * @param home The state directory (SYNDER_HOME); lock files live there, whatever the engine.
   */
  constructor(readonly db: SqlDatabase, now: () => Date, readonly home: string, locks?: LockService) {
    this.locks = locks ?? new FileLockService(path.join(home, 'locks'));
    const conn = this.connection;
    this.orgs = new OrgRepository(conn, now);
    this.integrations = new IntegrationRepository(conn, now);
    this.accounts = new AccountMappingRepository(conn);
    this.documents = new DocumentRepository(conn, now);
    this.sourceRecords = new SourceRecordRepository(conn, now);
    this.runs = new RunRepository(conn, now);
    this.events = new EventRepository(conn, now);
    this.bookmarks = new BookmarkRepository(conn, now);
    this.invites = new InviteRepository(conn, now);
  }

  /** The SQLite state database in `home`. */
  static async open(home: string, now: () => Date): Promise<Store> {
    const db = await SqliteDatabase.open(home);
    return new Store(db, now, path.dirname(db.description));
  }

  /**
   * The state in a PostgreSQL database shared by every host that names it (migrated on open);
   * `home` still holds this host's own files (preferences, reports).
   */
  static async openPostgres(url: string, home: string, now: () => Date, opts: { poolSize?: number } = {}): Promise<Store> {
    const { openPostgresDatabase } = await import('./postgres.js');
    const { PostgresLockService } = await import('./lock-service-postgres.js');
    const db = await openPostgresDatabase(url, { max: opts.poolSize });
    return new Store(db, now, home, new PostgresLockService(url));
  }

  /**
   * Where a statement runs: the open transaction of the calling async flow, or the database.
   * Repositories ask for it on every call, so whatever they do inside `transaction` is part of it.
   */
  readonly connection = (): SqlConnection => this.inTransaction.getStore() ?? this.db;

  /**
   * Runs `fn` in one transaction: every repository call it makes (awaited or not, in any async
   * function it calls) runs on the transaction's connection, and commits or rolls back with it.
   * A transaction started inside one joins it (the outer one commits or rolls back the lot).
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return fn();
    return this.db.transaction((tx) => this.inTransaction.run(tx, fn));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
