import { openDatabase, type Database } from './db.js';
import { OrgRepository } from './orgs.js';
import { IntegrationRepository } from './integrations.js';
import { AccountMappingRepository } from './account-mappings.js';

/** The state store: one SQLite database and the repositories over it. */
export class Store {
  readonly orgs: OrgRepository;
  readonly integrations: IntegrationRepository;
  readonly accounts: AccountMappingRepository;

  constructor(readonly db: Database, now: () => Date) {
    this.orgs = new OrgRepository(db, now);
    this.integrations = new IntegrationRepository(db, now);
    this.accounts = new AccountMappingRepository(db);
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
