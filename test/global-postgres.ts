import type { TestProject } from 'vitest/node';
import { startPostgres } from './helpers/postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server's URL (its `postgres` database), or why there is none. */
    postgres: { url: string } | { skip: string };
  }
}

/** One PostgreSQL server for the whole run, shared by every test file; each test file makes its own databases. */
export default async function setup(project: TestProject): Promise<() => void> {
  const server = await startPostgres();
  if ('skip' in server) {
    project.provide('postgres', { skip: server.skip });
    return () => {};
  }
  project.provide('postgres', { url: server.url });
  return () => server.stop();
}
