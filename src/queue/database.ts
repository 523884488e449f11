import type { Config } from '../config.js';
import { UsageError } from '../errors.js';

/**
 * The PostgreSQL database the job queue lives in: the state store's own (SYNDER_DATABASE_URL or
 * --database-url), so jobs and the state they act on are in one place.
 */
export function queueDatabaseUrl(config: Config): string | undefined {
  return config.databaseUrl;
}

/** The queue's database URL, or a usage error (exit 2) that says how to set it. */
export function requireQueueDatabaseUrl(config: Config, command: string): string {
  const url = queueDatabaseUrl(config);
  if (!url) {
    throw new UsageError(
      `\`synder ${command}\` needs a PostgreSQL database for its job queue, and SYNDER_DATABASE_URL is not set.`,
      'Set SYNDER_DATABASE_URL=postgres://user:password@host:5432/synder (see "Many organizations" in the README).',
    );
  }
  return url;
}
