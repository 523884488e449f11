import type { SqlConnection } from './sql.js';

/** How far each stream of an integration has been read (an ISO time). */
export class BookmarkRepository {
  constructor(private readonly conn: () => SqlConnection, private readonly now: () => Date) {}

  async get(integrationId: number, stream: string): Promise<string | undefined> {
    const r = await this.conn().get<{ value: string }>('SELECT value FROM bookmarks WHERE integration_id=? AND stream=?', [integrationId, stream]);
    return r?.value;
  }

  async set(integrationId: number, stream: string, value: string): Promise<void> {
    await this.conn().run(
      `INSERT INTO bookmarks (integration_id, stream, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(integration_id, stream) DO UPDATE SET value=excluded.value, updated_at=excluded.updated_at`,
      [integrationId, stream, value, this.now().toISOString()],
    );
  }
}
