import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, SqliteDatabase } from '../../src/store/sqlite.js';

const homes: string[] = [];
const dbs: SqliteDatabase[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close();
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

async function open(): Promise<SqliteDatabase> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'synder-sqlite-'));
  homes.push(home);
  const db = await SqliteDatabase.open(home);
  dbs.push(db);
  await db.run('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  return db;
}

const keys = async (db: SqliteDatabase) => (await db.all<{ k: string }>('SELECT k FROM t ORDER BY k')).map((r) => r.k);

/** A promise and the function that settles it, to hold a transaction open at a known point. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('SqliteDatabase', () => {
  it('is described by its file and speaks the sqlite dialect', async () => {
    const db = await open();
    expect(db.description.endsWith(DB_FILE)).toBe(true);
    expect(db.dialect).toBe('sqlite');
  });

  it('takes positional and named parameters, and returns new ids and counts portably', async () => {
    const db = await open();
    await db.run('INSERT INTO t (k, v) VALUES (?, ?)', ['a', 1]);
    await db.run('INSERT INTO t (k, v) VALUES (@k, @v)', { k: 'b', v: 2 });
    expect(await db.get('SELECT v FROM t WHERE k = @k', { k: 'b' })).toEqual({ v: 2 });
    expect((await db.run('UPDATE t SET v = v + 1', [])).changes).toBe(2);
    const row = await db.get<{ k: string }>("INSERT INTO t (k, v) VALUES ('c', 3) ON CONFLICT (k) DO NOTHING RETURNING k");
    expect(row).toEqual({ k: 'c' });
    expect(await db.get("INSERT INTO t (k, v) VALUES ('c', 4) ON CONFLICT (k) DO NOTHING RETURNING k")).toBeUndefined();
  });

  it('commits when the function resolves and rolls back when it throws', async () => {
    const db = await open();
    expect(await db.transaction(async (tx) => (await tx.run("INSERT INTO t VALUES ('kept', 1)")).changes)).toBe(1);
    await expect(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO t VALUES ('gone', 1)");
        expect(await tx.get("SELECT k FROM t WHERE k = 'gone'")).toEqual({ k: 'gone' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await keys(db)).toEqual(['kept']);
  });

  it('makes a statement issued outside a running transaction wait for it, never join it', async () => {
    const db = await open();
    const held = gate();
    const wrote = gate();
    const order: string[] = [];
    const tx = db.transaction(async (t) => {
      await t.run("INSERT INTO t VALUES ('inside', 1)");
      wrote.open();
      await held.wait;
      // The outside write was issued before this read, but has not run: it is not part of this transaction.
      expect(await t.get("SELECT k FROM t WHERE k = 'outside'")).toBeUndefined();
      order.push('transaction ends');
      throw new Error('rolled back');
    });
    await wrote.wait;
    const outside = db.run("INSERT INTO t VALUES ('outside', 1)").then(() => order.push('outside write'));
    // Give the outside write every chance to run early.
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    held.open();
    await expect(tx).rejects.toThrow('rolled back');
    await outside;
    expect(order).toEqual(['transaction ends', 'outside write']);
    // The rollback took the transaction's write, not the one from outside it.
    expect(await keys(db)).toEqual(['outside']);
  });

  it('runs transactions one after another, in the order they were asked for', async () => {
    const db = await open();
    const steps: string[] = [];
    const one = async (name: string) =>
      db.transaction(async (tx) => {
        steps.push(`${name} begins`);
        await new Promise((r) => setTimeout(r, 5));
        await tx.run('INSERT INTO t VALUES (?, 1)', [name]);
        steps.push(`${name} ends`);
      });
    await Promise.all([one('a'), one('b'), one('c')]);
    expect(steps).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
    expect(await keys(db)).toEqual(['a', 'b', 'c']);
  });

  it('refuses statements on a transaction that has ended', async () => {
    const db = await open();
    let kept: Parameters<Parameters<SqliteDatabase['transaction']>[0]>[0] | undefined;
    await db.transaction(async (tx) => {
      kept = tx;
    });
    await expect(kept!.run("INSERT INTO t VALUES ('late', 1)")).rejects.toThrow(/ended/);
    expect(await keys(db)).toEqual([]);
  });

  it('closes after the transactions under way', async () => {
    const db = await open();
    const held = gate();
    const tx = db.transaction(async (t) => {
      await held.wait;
      await t.run("INSERT INTO t VALUES ('last', 1)");
    });
    const closed = db.close();
    held.open();
    await tx;
    await closed;
    const again = await SqliteDatabase.open(path.dirname(db.description));
    dbs.push(again);
    expect(await keys(again)).toEqual(['last']);
  });
});
