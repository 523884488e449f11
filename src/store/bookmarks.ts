import type { Database } from './db.js';

/** How far each stream of an integration has been read (an ISO time). */
export class BookmarkRepository {
  constructor(private readonly db: Database, private readonly now: () => Date) {}

  get(integrationId: number, stream: string): string | undefined {
    const r = this.db.prepare('SELECT value FROM bookmarks WHERE integration_id=? AND stream=?').get(integrationId, stream) as { value: string } | undefined;
    return r?.value;
  }

  set(integrationId: number, stream: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO bookmarks (integration_id, stream, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(integration_id, stream) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at`,
      )
      .run(integrationId, stream, value, this.now().toISOString());
  }
}
