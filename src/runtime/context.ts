import type { Config, Env } from '../config.js';
import { UsageError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { SqlDatabase } from '../store/sql.js';
import type { Org } from '../store/orgs.js';
import type { TokenVault } from '../auth/types.js';
import { Logger } from './logger.js';
import { Output, type Streams } from './output.js';
import { Interrupt, type SignalSource } from './interrupt.js';

import type { Clock } from '../clock.js';

export type { Clock };

/** User preferences kept outside the database (active org). */
export interface Preferences {
  get activeOrg(): string | undefined;
  set activeOrg(name: string | undefined);
}

/**
 * Everything a command needs, created once per invocation and passed down.
 * Commands never read process.env or globals: tests swap any part here.
 */
export class Context {
  readonly logger: Logger;
  readonly output: Output;
  private storePromise?: Promise<Store>;
  private prefsPromise?: Promise<Preferences>;
  private vaultPromise?: Promise<TokenVault>;
  private readonly cleanups: Array<() => void | Promise<void>> = [];
  orgOverride?: string;
  /**
   * Connections the PostgreSQL state pool may open, set before the store is first asked for: a
   * worker shares one pool among the syncs it runs at once, so it sizes the pool from them.
   */
  databasePoolSize?: number;
  private readonly signals?: SignalSource;
  private readonly exit?: (code: number) => void;
  private interruptHandle?: Interrupt;

  constructor(
    readonly config: Config,
    readonly env: Env,
    readonly streams: Streams,
    readonly clock: Clock,
    opts: { verbose?: boolean; signals?: SignalSource; exit?: (code: number) => void } = {},
  ) {
    this.logger = new Logger(streams.stderr, Boolean(opts.verbose));
    this.output = new Output(streams, this.logger, !config.noColor, env);
    this.signals = opts.signals;
    this.exit = opts.exit;
    for (const secret of [config.tiktok.appSecret, config.quickbooks.clientSecret, config.xero.clientSecret]) this.logger.addSecret(secret);
  }

  /** A prompt may be shown only with a terminal on both ends; otherwise missing input is an error naming the flag. */
  get interactive(): boolean {
    return Boolean(this.streams.stdin.isTTY && this.streams.stderr.isTTY);
  }

  store(): Promise<Store> {
    this.storePromise ??= (async () => {
      const { Store } = await import('../store/store.js');
      const now = () => this.clock.now();
      let store: Store;
      if (this.config.databaseUrl) {
        // Asked before connecting: every host sharing the database needs the key for its tokens.
        const { requireCredentialsKey } = await import('../auth/vault-postgres.js');
        requireCredentialsKey(this.env);
        store = await Store.openPostgres(this.config.databaseUrl, this.config.home, now, { poolSize: this.databasePoolSize });
      } else {
        store = await Store.open(this.config.home, now);
      }
      this.onClose(() => store.close());
      return store;
    })();
    return this.storePromise;
  }

  /**
   * The token vault: with PostgreSQL state, sealed rows in that database (every host sees the same
   * tokens); otherwise keyring or 0600 file, per SYNDER_CREDENTIALS and what works here.
   */
  vault(): Promise<TokenVault> {
    this.vaultPromise ??= (async () => {
      const { loadStoredAppCredentials } = await import('./app-credentials.js');
      let vault: TokenVault;
      if (this.config.databaseUrl) {
        const { PostgresVault } = await import('../auth/vault-postgres.js');
        vault = await PostgresVault.open((await this.store()).db, this.env);
      } else {
        vault = await this.localVault();
      }
      await loadStoredAppCredentials(this.config, vault);
      for (const secret of [this.config.tiktok.appSecret, this.config.quickbooks.clientSecret, this.config.xero.clientSecret]) this.logger.addSecret(secret);
      return vault;
    })();
    return this.vaultPromise;
  }

  /** This host's own vault (keyring or file), whatever holds the state: what `state copy` reads tokens from. */
  async localVault(): Promise<TokenVault> {
    const { openVault } = await import('../auth/index.js');
    return openVault({ home: this.config.home, mode: this.config.credentials, env: this.env });
  }

  /**
   * The SQLite state in SYNDER_HOME, whatever SYNDER_DATABASE_URL says: the source of a copy.
   * Refused when there is none, rather than created empty.
   */
  async sqliteState(): Promise<{ source: SqlDatabase; description: string; close: () => Promise<void> }> {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { DB_FILE, SqliteDatabase } = await import('../store/sqlite.js');
    const file = path.join(this.config.home, DB_FILE);
    if (!fs.existsSync(file)) throw new UsageError(`There is no SQLite state in ${this.config.home} (no ${DB_FILE}).`, 'Set SYNDER_HOME to the folder that holds it.');
    const db = await SqliteDatabase.open(this.config.home);
    return { source: db, description: db.description, close: () => db.close() };
  }

  preferences(): Promise<Preferences> {
    this.prefsPromise ??= (async () => {
      const { default: Conf } = await import('conf');
      const conf = new Conf<{ activeOrg?: string }>({ cwd: this.config.home, configName: 'settings', projectName: 'synder' });
      return {
        get activeOrg() {
          return conf.get('activeOrg');
        },
        set activeOrg(name: string | undefined) {
          if (name === undefined) conf.delete('activeOrg');
          else conf.set('activeOrg', name);
        },
      };
    })();
    return this.prefsPromise;
  }

  /** The org this command acts on: --org, then SYNDER_ORG, then the active one. */
  async activeOrgName(): Promise<string | undefined> {
    return this.orgOverride ?? this.config.org ?? (await this.preferences()).activeOrg;
  }

  async requireOrg(): Promise<Org> {
    const name = await this.activeOrgName();
    const store = await this.store();
    if (!name) {
      const all = await store.orgs.list();
      if (all.length === 1) return all[0]!;
      throw new UsageError('No organization is active.', all.length === 0 ? 'Run `synder init` or `synder org create <name>` first.' : 'Pick one with `synder org use <name>` or pass --org <name>.');
    }
    const org = await store.orgs.findByName(name);
    if (!org) throw new UsageError(`Organization "${name}" does not exist.`, 'See `synder org list`.');
    return org;
  }

  /**
   * Ctrl+C handling for long work (`what`: "the sync"), installed on first use and removed when
   * the command ends. Without a signal source (a test's context) nothing ever interrupts.
   */
  interrupt(what: string, resume: string): Interrupt {
    if (!this.interruptHandle) {
      const handle = new Interrupt(
        {
          signals: this.signals ?? { on: () => undefined, off: () => undefined },
          exit: this.exit ?? (() => undefined),
          say: (text) => this.output.info(text),
        },
        what,
        resume,
      );
      this.interruptHandle = handle;
      this.onClose(() => handle.dispose());
    }
    return this.interruptHandle;
  }

  /**
   * Calls `listener` on each SIGINT or SIGTERM until the command ends, for a command that stops in
   * its own way (a worker hands its jobs back) rather than through interrupt().
   */
  onStopSignal(listener: () => void): void {
    const signals = this.signals;
    if (!signals) return;
    signals.on('SIGINT', listener);
    signals.on('SIGTERM', listener);
    this.onClose(() => {
      signals.off('SIGINT', listener);
      signals.off('SIGTERM', listener);
    });
  }

  /**
   * A context of its own for one piece of work inside this command (a worker's job): the same
   * configuration and clock, its own output and signals, so concurrent jobs do not share an
   * interrupt or a half-written line. With PostgreSQL state it uses this context's store: its
   * pool serves every job, each transaction on a connection of its own, and it closes once, with
   * this context. A SQLite store has one connection, which would make the jobs' transactions wait
   * for each other, so each job opens its own.
   */
  derive(opts: { streams: Streams; signals: SignalSource; org?: string }): Context {
    const child = new Context(this.config, this.env, opts.streams, this.clock, { verbose: this.logger.verbose, signals: opts.signals, exit: () => undefined });
    child.orgOverride = opts.org;
    if (this.config.databaseUrl) child.storePromise = this.store();
    return child;
  }

  onClose(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // Cleanup must not mask the command's own result.
      }
    }
  }
}
