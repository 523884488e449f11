import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StateError } from '../errors.js';
import { acquireLock } from '../store/locks.js';
import type { TokenSet, TokenVault } from './types.js';
import { open, seal, type SealedBox } from './vault-crypto.js';

export const CREDENTIALS_FILE = 'credentials.json';

export const tokenSetSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  expiresAt: z.number(),
  refreshExpiresAt: z.number().optional(),
  scope: z.string().optional(),
  extra: z.record(z.string(), z.string()).optional(),
});

const contentSchema = z.object({
  version: z.literal(1),
  tokens: z.record(z.string(), tokenSetSchema),
  secrets: z.record(z.string(), z.string()),
});
type Content = z.infer<typeof contentSchema>;

const sealedSchema = z.object({
  version: z.literal(1),
  sealed: z.object({ cipher: z.literal('aes-256-gcm'), kdf: z.literal('scrypt'), salt: z.string(), iv: z.string(), tag: z.string(), data: z.string() }),
});

const empty = (): Content => ({ version: 1, tokens: {}, secrets: {} });

/**
 * Tokens in one JSON file, mode 0600 in a 0700 directory, optionally encrypted. Every change is
 * a read-modify-write under a lock file, written to a temp file, fsynced and renamed into place,
 * so a crash or a concurrent writer never leaves a half-written or lost rotating refresh token.
 */
export class FileVault implements TokenVault {
  readonly kind = 'file' as const;
  readonly location: string;
  private readonly lockFile: string;

  constructor(readonly file: string, private readonly passphrase?: string) {
    this.location = `file ${file} (0600${passphrase ? ', encrypted' : ''})`;
    this.lockFile = path.join(path.dirname(file), 'locks', 'credentials.lock');
  }

  async get(key: string): Promise<TokenSet | undefined> {
    return this.read().tokens[key];
  }

  async set(key: string, tokens: TokenSet): Promise<void> {
    const parsed = tokenSetSchema.parse(tokens);
    await this.update((c) => {
      c.tokens[key] = parsed;
    });
  }

  async delete(key: string): Promise<void> {
    await this.update((c) => {
      delete c.tokens[key];
    });
  }

  async getSecret(name: string): Promise<string | undefined> {
    return this.read().secrets[name];
  }

  async setSecret(name: string, value: string): Promise<void> {
    await this.update((c) => {
      c.secrets[name] = value;
    });
  }

  private read(): Content {
    let text: string;
    try {
      const stat = fs.statSync(this.file);
      // A copied or restored file may come back group/world readable: tighten it before reading.
      if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) fs.chmodSync(this.file, 0o600);
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return empty();
      throw new StateError(`Cannot read the credentials file ${this.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, 'Check its owner and permissions.');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.corrupt('it is not valid JSON');
    }
    const sealed = sealedSchema.safeParse(json);
    if (sealed.success) {
      if (!this.passphrase) {
        throw new StateError(`The credentials file ${this.file} is encrypted and no key was given.`, 'Set SYNDER_CREDENTIALS_KEY (or SYNDER_CREDENTIALS_KEY_FILE) to the key it was written with.');
      }
      try {
        json = JSON.parse(open(sealed.data.sealed as SealedBox, this.passphrase, this.file));
      } catch (err) {
        if (err instanceof StateError) throw err;
        throw this.corrupt('its decrypted content is not valid JSON');
      }
    }
    const content = contentSchema.safeParse(json);
    if (!content.success) {
      const issue = content.error.issues[0];
      throw this.corrupt(`unexpected content at ${issue?.path.join('.') || 'top level'} (${issue?.message ?? 'invalid'})`);
    }
    return content.data;
  }

  private corrupt(why: string): StateError {
    return new StateError(`The credentials file ${this.file} is corrupt: ${why}.`, 'Move it away (or delete it), then sign in again with `synder connect …` for each connection.');
  }

  private async update(mutate: (c: Content) => void): Promise<void> {
    const lock = await acquireLock(this.lockFile, { what: `the credentials file ${this.file}`, waitMs: 30_000, staleMs: 60_000 });
    try {
      const content = this.read();
      mutate(content);
      try {
        this.write(content);
      } catch (err) {
        throw new StateError(`Cannot write the credentials file ${this.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, 'Check free disk space and the permissions of SYNDER_HOME; the previous file is unchanged.');
      }
    } finally {
      await lock.release();
    }
  }

  private write(content: Content): void {
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const body = this.passphrase ? JSON.stringify({ version: 1, sealed: seal(JSON.stringify(content), this.passphrase) }) : JSON.stringify(content, null, 2);
    const tmp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, body + '\n');
      fs.fsyncSync(fd);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    fs.closeSync(fd);
    try {
      fs.renameSync(tmp, this.file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    syncDir(dir);
  }
}

/** Makes the rename itself durable; not possible on every platform, so best effort. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot open directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
