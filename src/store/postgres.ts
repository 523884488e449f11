import { createHash } from 'node:crypto';
import pg from 'pg';
import { StateError } from '../errors.js';
import { migratePostgres } from './postgres-migrations.js';
import type { RunResult, SqlConnection, SqlDatabase, SqlParams } from './sql.js';

/** Where a database URL came from, for messages: the variable or the option that named it. */
export const DATABASE_URL_SOURCE = 'SYNDER_DATABASE_URL (or --database-url)';

/** The URL as it may appear in messages and `status`: everything but the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    const params = u.searchParams;
    // libpq also accepts the password as a query parameter.
    if (params.has('password')) params.set('password', '');
    return u.toString();
  } catch {
    return url.replace(/:\/\/([^:/@]*):[^@]*@/, '://$1@');
  }
}

export const isDatabaseUrl = (value: string): boolean => /^postgres(ql)?:\/\//i.test(value.trim());

/**
 * A placeholder-free statement for the server: `?` and `@name` become `$n`. `slots[i]` says what
 * `$i+1` is bound to: a position in an array of parameters, or a name in an object.
 */
interface Translated {
  text: string;
  slots: (number | string)[];
  named: boolean;
  /** Its prepared statement's name, made on first use. */
  name?: string;
}

const translations = new Map<string, Translated>();
const MAX_CACHED = 2000;

/**
 * Rewrites placeholders outside string literals, quoted identifiers, dollar-quoted bodies and
 * comments, so a `?` in a message or `'@'` in an e-mail address stays text. Repeated uses of one
 * name share one server parameter.
 */
export function translatePlaceholders(sql: string): Translated {
  const cached = translations.get(sql);
  if (cached) return cached;
  let out = '';
  const slots: (number | string)[] = [];
  const byName = new Map<string, number>();
  let positional = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      // E'…' strings may escape the quote with a backslash.
      const escapes = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]!) && !/[\w$]/.test(sql[i - 2] ?? '');
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const j = end === -1 ? n : end;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') (depth++, (j += 2));
        else if (sql[j] === '*' && sql[j + 1] === '/') (depth--, (j += 2));
        else j++;
      }
      out += sql.slice(i, j);
      i = j;
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(i));
      if (!tag) {
        out += c;
        i++;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      const j = end === -1 ? n : end + tag[0].length;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '?') {
      slots.push(positional++);
      out += `$${slots.length}`;
      i++;
    } else if (c === '@' && /[A-Za-z_]/.test(next ?? '') && !/[\w)\]]/.test(sql[i - 1] ?? '')) {
      // Right after an operand (`x@y`) it is an operator, not a placeholder.
      const name = /^[A-Za-z_]\w*/.exec(sql.slice(i + 1))![0];
      let slot = byName.get(name);
      if (slot === undefined) {
        slots.push(name);
        byName.set(name, (slot = slots.length));
      }
      out += `$${slot}`;
      i += 1 + name.length;
    } else {
      out += c;
      i++;
    }
  }
  if (positional > 0 && byName.size > 0) throw new Error(`SQL mixes ? and @name placeholders: ${sql}`);
  const result: Translated = { text: out, slots, named: byName.size > 0 };
  if (translations.size >= MAX_CACHED) translations.clear();
  translations.set(sql, result);
  return result;
}

function bind(sql: string, t: Translated, params: SqlParams | undefined): unknown[] {
  if (t.slots.length === 0) return [];
  if (params === undefined) throw new Error(`SQL expects ${t.slots.length} parameter(s), none given: ${sql}`);
  if (Array.isArray(params)) {
    if (t.named) throw new Error(`SQL uses @name placeholders but was given an array: ${sql}`);
    if (params.length !== t.slots.length) throw new Error(`SQL expects ${t.slots.length} parameter(s), ${params.length} given: ${sql}`);
    return params.map(toServer);
  }
  if (!t.named) throw new Error(`SQL uses ? placeholders but was given an object: ${sql}`);
  const named = params as Readonly<Record<string, unknown>>;
  return t.slots.map((name) => {
    if (!(name in named)) throw new Error(`SQL parameter @${String(name)} is missing: ${sql}`);
    return toServer(named[name as string]);
  });
}

/** SQLite has no booleans and stores flags as 0/1; the same values go to PostgreSQL's INTEGER columns. */
function toServer(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * Counts and ids (int8) and sums of them (numeric) as JavaScript numbers, like SQLite gives them,
 * instead of strings. Money is integer minor units; one beyond 2^53 would silently lose digits,
 * so it fails instead.
 */
function exactNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || (/^-?\d+$/.test(text) && !Number.isSafeInteger(value))) {
    throw new StateError(`The database returned ${text}, a number too large to handle exactly.`, 'This is a bug or a corrupt value in the state database; report it with the command that failed.');
  }
  return value;
}

const poolTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if ((oid === INT8_OID || oid === NUMERIC_OID) && (format ?? 'text') === 'text') return exactNumber;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);

/**
 * A connection or authentication failure as the user can act on it: which server, named by which
 * setting. Anything else (a constraint, a bug in a statement) passes through unchanged.
 */
export function connectionError(err: unknown, url: string, source = DATABASE_URL_SOURCE): unknown {
  const e = err as { code?: string; message?: string };
  const where = serverOf(url);
  if (e.code && UNREACHABLE.has(e.code)) {
    return new StateError(`Cannot reach the PostgreSQL server at ${where} named by ${source}: ${e.code}.`, 'Check that the server is running and reachable from this host, and that the URL is right.');
  }
  if (e.code === '28P01' || e.code === '28000') {
    return new StateError(`The PostgreSQL server at ${where} refused the login of ${describeDatabaseUrl(url)}: ${e.message}.`, `Check the user name and password in ${source}.`);
  }
  if (e.code === '3D000') {
    return new StateError(`The database in ${describeDatabaseUrl(url)} does not exist on ${where}: ${e.message}.`, 'Create it (createdb), or correct the database name in the URL.');
  }
  if (e.code === '57P03') {
    return new StateError(`The PostgreSQL server at ${where} is starting up or shutting down.`, 'Try again in a moment.');
  }
  if (typeof e.message === 'string' && /timeout expired|Connection terminated/i.test(e.message) && !e.code) {
    return new StateError(`Lost or could not open the connection to the PostgreSQL server at ${where} named by ${source}: ${e.message}.`, 'Check that the server is running and reachable from this host.');
  }
  return err;
}

function serverOf(url: string): string {
  try {
    const u = new URL(url);
    const host = u.searchParams.get('host') ?? (decodeURIComponent(u.hostname) || 'localhost');
    return host.startsWith('/') ? `${host} (socket)` : `${host}:${u.port || '5432'}`;
  } catch {
    return 'the server';
  }
}

/**
 * A name for a statement with parameters, so each connection parses and plans it once: a sync runs
 * the same few statements once or more per document, and planning them anew cost the server as
 * much as running them. Statements without parameters (transaction control, migrations) stay unnamed.
 */
function statementName(t: Translated): string | undefined {
  if (t.slots.length === 0) return undefined;
  t.name ??= `synder_${createHash('sha1').update(t.text).digest('base64url').slice(0, 20)}`;
  return t.name;
}

async function query<T>(client: pg.Pool | pg.PoolClient, url: string, sql: string, params: SqlParams | undefined): Promise<pg.QueryResult<T & pg.QueryResultRow>> {
  const t = translatePlaceholders(sql);
  const values = bind(sql, t, params);
  try {
    return await client.query<T & pg.QueryResultRow>({ text: t.text, values, name: statementName(t) });
  } catch (err) {
    throw connectionError(err, url);
  }
}

export interface PostgresOptions {
  /** Connections the pool may open (default 10). */
  max?: number;
  /** How this process shows in pg_stat_activity. */
  applicationName?: string;
}

/** The one place that turns a URL into connection settings, so the pool and lock connections agree. */
export function clientConfig(url: string, applicationName: string): pg.ClientConfig {
  return { connectionString: url, application_name: applicationName.slice(0, 63), types: poolTypes, connectionTimeoutMillis: 15_000, keepAlive: true };
}

/**
 * The state store's PostgreSQL engine: a pool of connections, each statement on whichever is free,
 * each transaction on one checked-out connection from BEGIN to COMMIT.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  readonly description: string;
  readonly pool: pg.Pool;
  private closed = false;

  constructor(readonly url: string, opts: PostgresOptions = {}) {
    this.description = describeDatabaseUrl(url);
    this.pool = new pg.Pool({ ...clientConfig(url, opts.applicationName ?? `synder ${process.pid}`), max: opts.max ?? 10, idleTimeoutMillis: 30_000 });
    // An idle connection the server drops (restart, pg_terminate_backend) must not crash the process;
    // the pool replaces it on the next checkout.
    this.pool.on('error', () => {});
  }

  async all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return (await query<T>(this.pool, this.url, sql, params)).rows;
  }

  async get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return (await query<T>(this.pool, this.url, sql, params)).rows[0];
  }

  async run(sql: string, params?: SqlParams): Promise<RunResult> {
    return { changes: (await query(this.pool, this.url, sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw connectionError(err, this.url);
    }
    let open = true;
    const url = this.url;
    const guard = () => {
      if (!open) throw new Error('statement on a transaction that has already ended');
    };
    const tx: SqlConnection = {
      dialect: 'postgres',
      async all<R>(sql: string, params?: SqlParams) {
        guard();
        return (await query<R>(client, url, sql, params)).rows;
      },
      async get<R>(sql: string, params?: SqlParams) {
        guard();
        return (await query<R>(client, url, sql, params)).rows[0];
      },
      async run(sql: string, params?: SqlParams) {
        guard();
        return { changes: (await query(client, url, sql, params)).rowCount ?? 0 };
      },
    };
    let broken: unknown;
    try {
      await query(client, url, 'BEGIN', undefined);
      const result = await fn(tx);
      open = false;
      await query(client, url, 'COMMIT', undefined);
      return result;
    } catch (err) {
      open = false;
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // A connection that cannot roll back must not go back to the pool mid-transaction.
        broken = rollbackErr;
      }
      throw err;
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * Connects to the database at `url`, checks it answers, and brings its schema up to date (or
 * refuses one written by a newer synder).
 */
export async function openPostgresDatabase(url: string, opts: PostgresOptions = {}): Promise<PostgresDatabase> {
  const db = new PostgresDatabase(url, opts);
  try {
    await migratePostgres(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}
