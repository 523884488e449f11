import { randomBytes } from 'node:crypto';
import { StateError } from '../errors.js';
import type { TokenSet, TokenVault } from './types.js';
import { tokenSetSchema } from './vault-file.js';

/** The few keyring operations the vault needs, so the store behind them can be chosen once. */
export interface KeyringBackend {
  readonly description: string;
  get(account: string): Promise<string | undefined>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<void>;
}

export const KEYRING_SERVICE = 'synder';

/**
 * The OS keychain via @napi-rs/keyring. On Linux it is pinned to the Secret Service: the
 * library's default silently falls back to the kernel keyring, which lives in RAM and would
 * lose a rotating refresh token at the next reboot.
 */
export async function napiKeyringBackend(): Promise<KeyringBackend> {
  const { AsyncEntry } = await import('@napi-rs/keyring');
  const entry = (account: string) => new AsyncEntry(KEYRING_SERVICE, account, { linux: { store: 'secret-service' } });
  const description =
    process.platform === 'darwin' ? 'macOS Keychain' : process.platform === 'win32' ? 'Windows Credential Manager' : 'Secret Service keyring';
  return {
    description,
    get: async (account) => (await entry(account).getPassword()) ?? undefined,
    set: async (account, value) => entry(account).setPassword(value),
    delete: async (account) => {
      await entry(account).deleteCredential();
    },
  };
}

/**
 * Checks that the keyring really stores and returns a value (write, read back, delete).
 * Returns the reason when it does not, without the probe value.
 */
export async function probeKeyring(factory: () => Promise<KeyringBackend> = napiKeyringBackend): Promise<{ ok: true; backend: KeyringBackend } | { ok: false; reason: string }> {
  let backend: KeyringBackend;
  try {
    backend = await factory();
  } catch (err) {
    return { ok: false, reason: `the keyring library cannot load (${(err as Error).message})` };
  }
  const account = `probe:${process.pid}:${randomBytes(6).toString('hex')}`;
  const value = randomBytes(12).toString('hex');
  try {
    await backend.set(account, value);
    const back = await backend.get(account);
    await backend.delete(account);
    if (back !== value) return { ok: false, reason: `${backend.description} did not return what was stored (locked?)` };
    return { ok: true, backend };
  } catch (err) {
    return { ok: false, reason: `${backend.description} is not available (${(err as Error).message})` };
  }
}

/** Token sets as JSON entries in the OS keyring, one per key, scoped to one SYNDER_HOME. */
export class KeyringVault implements TokenVault {
  readonly kind = 'keyring' as const;
  readonly location: string;

  constructor(private readonly backend: KeyringBackend, private readonly home: string) {
    this.location = `${backend.description} (service "${KEYRING_SERVICE}")`;
  }

  // Two profiles (SYNDER_HOME) on one machine must not share entries.
  private account(kind: 'token' | 'secret', name: string): string {
    return `${kind}:${name}@${this.home}`;
  }

  async get(key: string): Promise<TokenSet | undefined> {
    const text = await this.call(() => this.backend.get(this.account('token', key)));
    if (text === undefined) return undefined;
    try {
      return tokenSetSchema.parse(JSON.parse(text));
    } catch {
      throw new StateError(`The keyring entry for ${key} (service "${KEYRING_SERVICE}") is corrupt.`, 'Run `synder disconnect …` and `synder connect …` for that connection.');
    }
  }

  async set(key: string, tokens: TokenSet): Promise<void> {
    const text = JSON.stringify(tokenSetSchema.parse(tokens));
    await this.call(() => this.backend.set(this.account('token', key), text));
  }

  async delete(key: string): Promise<void> {
    await this.call(() => this.backend.delete(this.account('token', key)));
  }

  async getSecret(name: string): Promise<string | undefined> {
    return this.call(() => this.backend.get(this.account('secret', name)));
  }

  async setSecret(name: string, value: string): Promise<void> {
    await this.call(() => this.backend.set(this.account('secret', name), value));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new StateError(`The ${this.backend.description} failed: ${(err as Error).message}`, 'Unlock the keyring, or set SYNDER_CREDENTIALS=file and sign in again.');
    }
  }
}
