import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** Why the PostgreSQL tests cannot run here, or undefined when a server is up. */
export function postgresSkipReason(): string | undefined {
  const server = inject('postgres');
  return 'skip' in server ? server.skip : undefined;
}

/** The run's server URL; only call when postgresSkipReason() is undefined. */
export function postgresServerUrl(): string {
  const server = inject('postgres');
  if ('skip' in server) throw new Error(`no PostgreSQL: ${server.skip}`);
  return server.url;
}

/** Creates an empty database on the run's server and returns its URL. */
export async function freshDatabase(prefix = 'synder_test'): Promise<string> {
  const serverUrl = postgresServerUrl();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
