import fs from 'node:fs';
import path from 'node:path';
import type { Env } from '../config.js';
import { StateError, UsageError } from '../errors.js';
import type { TokenVault } from './types.js';
import { credentialsKey } from './vault-crypto.js';
import { CREDENTIALS_FILE, FileVault } from './vault-file.js';
import { KeyringVault, probeKeyring, type KeyringBackend } from './vault-keyring.js';

/** Remembers that this profile's tokens went to the keyring, so a later session without one fails loudly. */
export const KEYRING_MARKER = 'credentials-keyring.json';

export interface OpenVaultOptions {
  home: string;
  /** Forces a store; otherwise SYNDER_CREDENTIALS, otherwise automatic. */
  mode?: 'keyring' | 'file';
  env: Env;
  /** Where the keyring comes from; tests pass their own. */
  keyring?: () => Promise<KeyringBackend>;
}

/**
 * Picks where tokens live. Automatic choice: an existing credentials file keeps being used (so
 * cron and desktop sessions see the same tokens); a profile that chose the keyring keeps it;
 * otherwise the keyring when a persistent one works, else the 0600 file.
 */
export async function openVault(opts: OpenVaultOptions): Promise<TokenVault> {
  const envMode = opts.env.SYNDER_CREDENTIALS?.trim();
  if (envMode && envMode !== 'keyring' && envMode !== 'file') {
    throw new UsageError(`SYNDER_CREDENTIALS must be "keyring" or "file", not "${envMode}".`);
  }
  const mode = opts.mode ?? (envMode as 'keyring' | 'file' | undefined);
  const file = path.join(opts.home, CREDENTIALS_FILE);
  const fileVault = () => new FileVault(file, credentialsKey(opts.env));

  if (mode === 'file') return fileVault();
  if (mode === 'keyring') {
    const probe = await probeKeyring(opts.keyring);
    if (!probe.ok) {
      throw new StateError(`SYNDER_CREDENTIALS=keyring, but no persistent OS keyring works here: ${probe.reason}.`, keyringHint);
    }
    return new KeyringVault(probe.backend, opts.home);
  }

  if (fs.existsSync(file)) return fileVault();
  const marker = path.join(opts.home, KEYRING_MARKER);
  const chose = fs.existsSync(marker);
  const probe = await probeKeyring(opts.keyring);
  if (probe.ok) {
    if (!chose) {
      fs.mkdirSync(opts.home, { recursive: true, mode: 0o700 });
      fs.writeFileSync(marker, JSON.stringify({ store: probe.backend.description }) + '\n', { mode: 0o600 });
    }
    return new KeyringVault(probe.backend, opts.home);
  }
  if (chose) {
    throw new StateError(`This profile keeps its tokens in the OS keyring, which is not reachable now: ${probe.reason}.`, `Run synder where the keyring is unlocked, or set SYNDER_CREDENTIALS=file and sign in again (remove ${marker} to make the file the default).`);
  }
  return fileVault();
}

const keyringHint =
  'Unset SYNDER_CREDENTIALS (or set it to "file") to keep tokens in a 0600 file in SYNDER_HOME. On Linux the keyring needs a D-Bus session with an unlocked Secret Service (GNOME Keyring or KWallet).';
