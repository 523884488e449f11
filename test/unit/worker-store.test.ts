import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Context } from '../../src/runtime/context.js';
import type { Streams } from '../../src/runtime/output.js';
import { PostgresDatabase } from '../../src/store/postgres.js';
import { freshDatabase, postgresSkipReason } from '../helpers/postgres.js';

/** A worker's jobs share its PostgreSQL state pool; it closes once, with the worker. */

const skip = postgresSkipReason();
const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

const streams = (): Streams => ({ stdin: process.stdin, stdout: new PassThrough(), stderr: new PassThrough() }) as unknown as Streams;
const noSignals = { on: () => undefined, off: () => undefined };

async function workerContext(databaseUrl?: string): Promise<Context> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-worker-store-'));
  homes.push(home);
  const env = { SYNDER_HOME: home, SYNDER_CREDENTIALS: 'file', SYNDER_CREDENTIALS_KEY: 'worker store key', ...(databaseUrl ? { SYNDER_DATABASE_URL: databaseUrl } : {}) };
  return new Context(loadConfig(env), env, streams(), { now: () => new Date() });
}

describe.skipIf(skip)(`a worker's state pool${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('is one pool for all jobs, sized by the worker, still open after a job ends and closed once with the worker', async () => {
    const parent = await workerContext(await freshDatabase('synder_worker_store'));
    parent.databasePoolSize = 7;
    const store = await parent.store();
    const db = store.db as PostgresDatabase;
    expect(db.pool.options.max).toBe(7);

    const jobs = [0, 1, 2].map((i) => parent.derive({ streams: streams(), signals: noSignals, org: `Org ${i}` }));
    for (const job of jobs) expect(await job.store()).toBe(store);
    // Concurrent transactions of the jobs each hold a connection of their own.
    await Promise.all(jobs.map(async (job) => (await job.store()).transaction(async () => (await job.store()).orgs.list())));
    for (const job of jobs) await job.close();
    expect(db.pool.ended).toBe(false);
    expect(await store.orgs.list()).toEqual([]);

    await parent.close();
    expect(db.pool.ended).toBe(true);
  });

  it('with SQLite state, each job opens a store of its own, so their transactions do not queue on one connection', async () => {
    const parent = await workerContext();
    const job = parent.derive({ streams: streams(), signals: noSignals });
    expect(await job.store()).not.toBe(await parent.store());
    await job.close();
    await parent.close();
  });
});
