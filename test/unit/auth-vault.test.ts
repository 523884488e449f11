import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYRING_MARKER, openVault } from '../../src/auth/vault.js';
import type { KeyringBackend } from '../../src/auth/vault-keyring.js';
import type { TokenSet } from '../../src/auth/types.js';
import { StateError } from '../../src/errors.js';

const home = () => fs.mkdtempSync(path.join(os.tmpdir(), 'synder-vault-'));
const tokens = (n = 1): TokenSet => ({ accessToken: `access-secret-${n}`, refreshToken: `refresh-secret-${n}`, expiresAt: 1_800_000_000_000, extra: { realmId: '42' } });
const mode = (file: string) => fs.statSync(file).mode & 0o777;

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

/** A keyring that keeps entries in memory, standing in for a desktop Secret Service. */
function memoryKeyring(entries = new Map<string, string>(), works = true): () => Promise<KeyringBackend> {
  return async () => ({
    description: 'test keyring',
    get: async (a) => {
      if (!works) throw new Error('DBus error: no session');
      return entries.get(a);
    },
    set: async (a, v) => {
      if (!works) throw new Error('DBus error: no session');
      entries.set(a, v);
    },
    delete: async (a) => {
      entries.delete(a);
    },
  });
}

describe('file vault', () => {
  it('keeps tokens and secrets in a 0600 credentials.json', async () => {
    const h = home();
    const vault = await openVault({ home: h, env: { SYNDER_CREDENTIALS: 'file' } });
    expect(vault.kind).toBe('file');
    expect(vault.location).toContain(path.join(h, 'credentials.json'));
    expect(await vault.get('org:1:ledger')).toBeUndefined();
    await vault.set('org:1:ledger', tokens());
    await vault.setSecret('qbo.client_secret', 'shh-secret');
    const file = path.join(h, 'credentials.json');
    expect(mode(file)).toBe(0o600);
    const reopened = await openVault({ home: h, env: {} });
    expect(reopened.kind).toBe('file');
    expect(await reopened.get('org:1:ledger')).toEqual(tokens());
    expect(await reopened.getSecret('qbo.client_secret')).toBe('shh-secret');
    await reopened.delete('org:1:ledger');
    expect(await reopened.get('org:1:ledger')).toBeUndefined();
    expect(await reopened.getSecret('qbo.client_secret')).toBe('shh-secret');
  });

  it('replaces the file atomically (new inode, no temp files left) and loses no concurrent update', async () => {
    const h = home();
    const vault = await openVault({ home: h, env: { SYNDER_CREDENTIALS: 'file' } });
    await vault.set('a', tokens(1));
    const file = path.join(h, 'credentials.json');
    // A second link keeps the old inode alive: an in-place rewrite would change what it shows.
    const oldLink = path.join(h, 'old-link');
    fs.linkSync(file, oldLink);
    const oldText = fs.readFileSync(oldLink, 'utf8');
    await Promise.all(Array.from({ length: 10 }, (_, i) => vault.set(`k${i}`, tokens(i))));
    expect(fs.readFileSync(oldLink, 'utf8')).toBe(oldText);
    expect(fs.statSync(file).ino).not.toBe(fs.statSync(oldLink).ino);
    for (let i = 0; i < 10; i++) expect((await vault.get(`k${i}`))?.accessToken).toBe(`access-secret-${i}`);
    expect(fs.readdirSync(h).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('tightens a group/world readable file when reading it', async () => {
    const h = home();
    const vault = await openVault({ home: h, env: { SYNDER_CREDENTIALS: 'file' } });
    await vault.set('a', tokens());
    const file = path.join(h, 'credentials.json');
    fs.chmodSync(file, 0o644);
    expect(await vault.get('a')).toEqual(tokens());
    expect(mode(file)).toBe(0o600);
  });

  it('names the file when it is corrupt, without echoing its content', async () => {
    const h = home();
    const file = path.join(h, 'credentials.json');
    fs.writeFileSync(file, '{"version":1,"tokens":{"a":{"accessToken":"leaky-token"', { mode: 0o600 });
    const vault = await openVault({ home: h, env: {} });
    const err = await failure(vault.get('a'));
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toContain(file);
    expect(err.message).toContain('corrupt');
    expect(err.message).not.toContain('leaky-token');
    fs.writeFileSync(file, JSON.stringify({ version: 1, tokens: { a: { accessToken: 'leaky-token' } }, secrets: {} }));
    const shape = await failure(vault.get('a'));
    expect(shape.message).toContain(file);
    expect(shape.message).toContain('tokens.a.expiresAt');
    expect(shape.message).not.toContain('leaky-token');
  });

  it('encrypts the file with SYNDER_CREDENTIALS_KEY and refuses to read it without the right key', async () => {
    const h = home();
    const file = path.join(h, 'credentials.json');
    const vault = await openVault({ home: h, env: { SYNDER_CREDENTIALS: 'file', SYNDER_CREDENTIALS_KEY: 'correct horse battery staple' } });
    expect(vault.location).toContain('encrypted');
    await vault.set('a', tokens());
    const raw = fs.readFileSync(file, 'utf8');
    expect(raw).not.toContain('access-secret');
    expect(raw).not.toContain('refresh-secret');
    expect(mode(file)).toBe(0o600);
    const keyFile = path.join(h, 'key.txt');
    fs.writeFileSync(keyFile, 'correct horse battery staple\n', { mode: 0o600 });
    expect(await (await openVault({ home: h, env: { SYNDER_CREDENTIALS_KEY_FILE: keyFile } })).get('a')).toEqual(tokens());
    const noKey = await failure((await openVault({ home: h, env: {} })).get('a'));
    expect(noKey.message).toMatch(/encrypted and no key/);
    const wrong = await failure((await openVault({ home: h, env: { SYNDER_CREDENTIALS_KEY: 'nope' } })).get('a'));
    expect(wrong.message).toContain('Cannot decrypt');
    expect(wrong.message).not.toContain('nope');
  });

  it('rejects an unknown SYNDER_CREDENTIALS value', async () => {
    const err = await failure(openVault({ home: home(), env: { SYNDER_CREDENTIALS: 'vault' } }));
    expect(err.message).toContain('SYNDER_CREDENTIALS');
  });
});

// With a D-Bus session a real Secret Service may answer; these check the headless case.
describe.skipIf(Boolean(process.env.DBUS_SESSION_BUS_ADDRESS) || process.platform !== 'linux')('keyring on headless Linux (no D-Bus session)', () => {
  it('falls back to the file when nothing is forced', async () => {
    const h = home();
    const vault = await openVault({ home: h, env: {} });
    expect(vault.kind).toBe('file');
    expect(fs.existsSync(path.join(h, KEYRING_MARKER))).toBe(false);
  });

  it('fails clearly when the keyring is forced', async () => {
    const err = await failure(openVault({ home: home(), env: { SYNDER_CREDENTIALS: 'keyring' } }));
    expect(err).toBeInstanceOf(StateError);
    expect(err.message).toContain('SYNDER_CREDENTIALS=keyring');
    expect(err.message).toContain('Secret Service');
    expect((err as StateError).hint).toContain('file');
  });
});

describe('keyring vault', () => {
  it('is chosen when a persistent keyring works, and scoped to the profile', async () => {
    const entries = new Map<string, string>();
    const h1 = home();
    const h2 = home();
    const v1 = await openVault({ home: h1, env: {}, keyring: memoryKeyring(entries) });
    const v2 = await openVault({ home: h2, env: {}, keyring: memoryKeyring(entries) });
    expect(v1.kind).toBe('keyring');
    expect(v1.location).toContain('test keyring');
    await v1.set('org:1:ledger', tokens(1));
    await v1.setSecret('s', 'v');
    expect(await v1.get('org:1:ledger')).toEqual(tokens(1));
    expect(await v2.get('org:1:ledger')).toBeUndefined();
    expect(await v1.getSecret('s')).toBe('v');
    // The probe entry is removed again.
    expect([...entries.keys()].filter((k) => k.startsWith('probe:'))).toEqual([]);
    expect(fs.existsSync(path.join(h1, 'credentials.json'))).toBe(false);
  });

  it('a profile that chose the keyring fails loudly when it is gone instead of starting an empty file', async () => {
    const h = home();
    await openVault({ home: h, env: {}, keyring: memoryKeyring() });
    const err = await failure(openVault({ home: h, env: {}, keyring: memoryKeyring(new Map(), false) }));
    expect(err.message).toContain('not reachable');
    expect((await openVault({ home: h, env: { SYNDER_CREDENTIALS: 'file' }, keyring: memoryKeyring(new Map(), false) })).kind).toBe('file');
  });

  it('an existing credentials file keeps being used even where a keyring works', async () => {
    const h = home();
    await (await openVault({ home: h, env: { SYNDER_CREDENTIALS: 'file' } })).set('a', tokens());
    const vault = await openVault({ home: h, env: {}, keyring: memoryKeyring() });
    expect(vault.kind).toBe('file');
    expect(await vault.get('a')).toEqual(tokens());
  });
});
