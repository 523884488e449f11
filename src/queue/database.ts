import type { Config, Env } from '../config.js';
import { UsageError } from '../errors.js';

/**
 * The PostgreSQL database the job queue lives in. One function, so the queue follows wherever the
 * configuration keeps the database URL (the environment today; the store's own setting once the
 * state store can live in PostgreSQL too).
 */
export function queueDatabaseUrl(config: Config, env: Env): string | undefined {
  const fromConfig = (config as Config & { databaseUrl?: string }).databaseUrl;
  const raw = fromConfig ?? env.SYNDER_DATABASE_URL;
  return raw && raw.trim() !== '' ? raw.trim() : undefined;
}

/** The queue's database URL, or a usage error (exit 2) that says how to set it. */
export function requireQueueDatabaseUrl(config: Config, env: Env, command: string): string {
  const url = queueDatabaseUrl(config, env);
  if (!url) {
    throw new UsageError(
      `\`synder ${command}\` needs a PostgreSQL database for its job queue, and SYNDER_DATABASE_URL is not set.`,
      'Set SYNDER_DATABASE_URL=postgres://user:password@host:5432/synder (see "Many organizations" in the README).',
    );
  }
  return url;
}
