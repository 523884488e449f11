import { afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Store } from '../../src/store/store.js';
import { freshDatabase, postgresSkipReason } from './postgres.js';

/**
 * The database engines the store's own tests run against: each case that does not depend on
 * one engine's files or functions runs once per engine here. `skip` says why an engine cannot run
 * on this machine (the case is then reported as skipped, not passed).
 */
export interface StoreEngine {
  name: string;
  skip?: string;
  /** A new, empty, migrated store; its `home` is a fresh directory the caller removes. */
  open(now: () => Date): Promise<Store>;
}

export function storeEngines(): StoreEngine[] {
  return [
    {
      name: 'sqlite',
      open: (now) => Store.open(fs.mkdtempSync(path.join(os.tmpdir(), 'synder-store-')), now),
    },
    {
      name: postgresSkipReason() ? `postgres, skipped: ${postgresSkipReason()}` : 'postgres',
      skip: postgresSkipReason(),
      // A database of its own per store, so cases never see each other's rows or ids.
      open: async (now) => Store.openPostgres(await freshDatabase('synder_store'), fs.mkdtempSync(path.join(os.tmpdir(), 'synder-store-')), now),
    },
  ];
}

/** Closes the store and removes its state directory. */
export async function disposeStore(store: Store): Promise<void> {
  await store.close();
  fs.rmSync(store.home, { recursive: true, force: true });
}

/** For one describe block: opens a store of `engine` per call; each is closed and removed after its case. */
export function storesPerCase(engine: StoreEngine, now: () => Date): () => Promise<Store> {
  const open: Store[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await disposeStore(s);
  });
  return async () => {
    const s = await engine.open(now);
    open.push(s);
    return s;
  };
}
