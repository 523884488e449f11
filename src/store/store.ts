import path from 'node:path';
import { openDatabase, type Database } from './db.js';
import { OrgRepository } from './orgs.js';
import { IntegrationRepository } from './integrations.js';
import { AccountMappingRepository } from './account-mappings.js';
import { DocumentRepository } from './documents.js';
import { SourceRecordRepository } from './source-records.js';
import { RunRepository } from './runs.js';
import { EventRepository } from './events.js';
import { BookmarkRepository } from './bookmarks.js';
import { InviteRepository } from './invites.js';

/** The state store: one SQLite database and the repositories over it. */
export class Store {
  readonly orgs: OrgRepository;
  readonly integrations: IntegrationRepository;
  readonly accounts: AccountMappingRepository;
  readonly documents: DocumentRepository;
  readonly sourceRecords: SourceRecordRepository;
  readonly runs: RunRepository;
  readonly events: EventRepository;
  readonly bookmarks: BookmarkRepository;
  /** The state directory (SYNDER_HOME) the database lives in; lock files live beside it. */
  readonly home: string;
  readonly invites: InviteRepository;

  constructor(readonly db: Database, now: () => Date) {
    this.orgs = new OrgRepository(db, now);
    this.integrations = new IntegrationRepository(db, now);
    this.accounts = new AccountMappingRepository(db);
    this.documents = new DocumentRepository(db, now);
    this.sourceRecords = new SourceRecordRepository(db, now);
    this.runs = new RunRepository(db, now);
    this.events = new EventRepository(db, now);
    this.bookmarks = new BookmarkRepository(db, now);
    this.home = path.dirname(db.name);
    this.invites = new InviteRepository(db, now);
  }

  static async open(home: string, now: () => Date): Promise<Store> {
    return new Store(await openDatabase(home), now);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
