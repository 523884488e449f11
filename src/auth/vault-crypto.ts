import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import fs from 'node:fs';
import type { Env } from '../config.js';
import { StateError, UsageError } from '../errors.js';

/** The encrypted form of the credentials file: AES-256-GCM under a scrypt-derived key. */
export interface SealedBox {
  cipher: 'aes-256-gcm';
  kdf: 'scrypt';
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

/** The passphrase from SYNDER_CREDENTIALS_KEY, or the first line of SYNDER_CREDENTIALS_KEY_FILE. */
export function credentialsKey(env: Env): string | undefined {
  const direct = env.SYNDER_CREDENTIALS_KEY?.trim();
  if (direct) return direct;
  const file = env.SYNDER_CREDENTIALS_KEY_FILE?.trim();
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the key file named by SYNDER_CREDENTIALS_KEY_FILE (${file}): ${(err as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
  const key = text.split(/\r?\n/)[0]!.trim();
  if (!key) throw new UsageError(`The key file ${file} (SYNDER_CREDENTIALS_KEY_FILE) is empty.`);
  return key;
}

const derived = new Map<string, Buffer>();
function deriveKey(passphrase: string, salt: Buffer): Buffer {
  const id = `${salt.toString('base64')}:${passphrase}`;
  let key = derived.get(id);
  if (!key) {
    key = scryptSync(passphrase, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    derived.set(id, key);
  }
  return key;
}

export function seal(plaintext: string, passphrase: string): SealedBox {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { cipher: 'aes-256-gcm', kdf: 'scrypt', salt: salt.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

export function open(box: SealedBox, passphrase: string, file: string): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(passphrase, Buffer.from(box.salt, 'base64')), Buffer.from(box.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(box.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new StateError(`Cannot decrypt the credentials file ${file}: the key is wrong or the file was altered.`, 'Set SYNDER_CREDENTIALS_KEY (or SYNDER_CREDENTIALS_KEY_FILE) to the key it was written with.');
  }
}
