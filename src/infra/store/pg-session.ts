/**
 * The seam between the PostgreSQL store and the `pg` client: a pool of connections to one
 * database (and one schema), and transactions run on it with retries while the server cannot be
 * reached.
 *
 * Losing the server: a call whose connection fails before its COMMIT was sent cannot have changed
 * anything, so it is tried again, after 100 ms, 200 ms, 400 ms … (at most `maxDelayMs` apart),
 * until it succeeds or `retryForMs` has passed; then it rejects with `STORE_UNAVAILABLE` naming the
 * store and the last error. A connection lost while the COMMIT itself was in flight leaves the
 * outcome unknown: that call is not repeated (a repeated transition would be refused as out of
 * order) and rejects at once with `STORE_UNAVAILABLE` saying so; the caller reads the state back
 * once the server answers. Each retry is logged (`warn`), and so is the first success after a
 * failure (`info`), with the store and the call named.
 *
 * Nothing here hangs on a dead server: connecting gives up after `connectTimeoutMs`, and a
 * statement after `queryTimeoutMs` (TCP keep-alive finds a silently dropped link).
 */
import { createRequire } from 'node:module';
import { userInfo } from 'node:os';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { componentLogger, type Logger } from '../../core/index.js';
import { redactUrl } from '../url.js';
import { StateStoreError } from './errors.js';

/** The environment variable that holds the PostgreSQL URL of the store. */
export const PG_URL_ENV = 'SCALPER_PG_URL';
/** The machine's PostgreSQL: database `test` on the loopback, as the services tests use it. */
export const DEFAULT_PG_URL = 'postgres://127.0.0.1:5432/test';

/** The store's URL: `SCALPER_PG_URL` when set, else `DEFAULT_PG_URL`. */
export function pgUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const v = env[PG_URL_ENV]?.trim();
  return v === undefined || v === '' ? DEFAULT_PG_URL : v;
}

/** How long and how often a call is tried again while the server cannot be reached. */
export interface RetryPolicy {
  /** Give up after this long (default 10 s). */
  readonly retryForMs?: number;
  /** The first wait (default 100 ms); each next one doubles. */
  readonly firstDelayMs?: number;
  /** The longest wait (default 2 s). */
  readonly maxDelayMs?: number;
}

export interface PgSessionOptions extends RetryPolicy {
  readonly url: string;
  /** The schema the store's tables live in, made when missing (default: the server's search path). */
  readonly schema?: string;
  /** Connections in the pool (default 4). */
  readonly poolSize?: number;
  /** Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Default 30 s. */
  readonly queryTimeoutMs?: number;
  readonly logger?: Logger;
}

/** A pooled connection inside a transaction. */
export type Sql = PoolClient;

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL SQLSTATE classes and codes after which nothing was done and trying again may work. */
const RETRY_STATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const NET_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Query read timeout|Connection ended/i;

/** Whether `e` says the server could not be reached or the connection was lost. */
export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; errors?: unknown };
  const code = typeof err?.code === 'string' ? err.code : '';
  if (code.startsWith('08') || RETRY_STATES.has(code) || NET_CODES.has(code)) return true;
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  if (Array.isArray(err?.errors) && err.errors.some(isConnectionError)) return true;
  return typeof err?.message === 'string' && NET_MESSAGES.test(err.message);
}

function messageOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return messageOf(e.errors[0]);
  if (e instanceof Error) return e.message || String((e as { code?: unknown }).code ?? e.name);
  return String(e);
}

const require = createRequire(import.meta.url);
type PgModule = typeof import('pg');
let pgModule: PgModule | undefined;
/** `pg`, loaded when a PostgreSQL store is first opened: an embedded run never loads it. */
function pg(): PgModule {
  pgModule ??= require('pg') as PgModule;
  return pgModule;
}

const INT8 = 20;

/**
 * `url` with a user name: libpq's default is the OS user, pg's is $USER, which a service may not
 * have; a URL that names its user, or PGUSER, is left as it is.
 */
export function withUser(url: string): string {
  if (process.env.PGUSER || process.env.USER) return url;
  try {
    const u = new URL(url);
    if (u.username !== '') return url;
    u.username = userInfo().username;
    return u.toString();
  } catch {
    return url;
  }
}

/** A pool to one database and schema, with transactions retried while the server is away. */
export class PgSession {
  /** The URL without its password, and the schema when one was given. */
  readonly location: string;
  readonly schema: string | undefined;
  readonly #pool: Pool;
  /** The store's logger (a child naming the store). */
  readonly log: Logger;
  readonly #retryForMs: number;
  readonly #firstDelayMs: number;
  readonly #maxDelayMs: number;
  #closed = false;
  /** Whether the last call found the server away (so that its return is logged once). */
  #lost = false;

  constructor(o: PgSessionOptions) {
    if (o.schema !== undefined && !SCHEMA.test(o.schema))
      throw new StateStoreError(
        'STORE_OPEN',
        redactUrl(o.url),
        `schema ${JSON.stringify(o.schema)} must be lower-case letters, digits and _, starting with a letter or _`,
      );
    this.schema = o.schema;
    this.location = redactUrl(o.url) + (o.schema === undefined ? '' : ` (schema ${o.schema})`);
    this.log = (o.logger ?? componentLogger('state-store')).child({ store: this.location });
    this.#retryForMs = o.retryForMs ?? 10_000;
    this.#firstDelayMs = o.firstDelayMs ?? 100;
    this.#maxDelayMs = o.maxDelayMs ?? 2_000;
    this.#pool = new (pg().Pool)(this.#config(o));
    // An idle connection whose server goes away emits an error; the next call finds out and retries.
    this.#pool.on('error', (e) => this.log.debug({ err: messageOf(e) }, 'idle connection lost'));
  }

  #config(o: PgSessionOptions): PoolConfig {
    const { types } = pg();
    return {
      connectionString: withUser(o.url),
      max: o.poolSize ?? 4,
      connectionTimeoutMillis: o.connectTimeoutMs ?? 5_000,
      query_timeout: o.queryTimeoutMs ?? 30_000,
      keepAlive: true,
      application_name: 'scalper-engine',
      ...(o.schema !== undefined ? { options: `-c search_path=${o.schema}` } : {}),
      // ns times and raw prices exceed 2^53: BIGINT columns are read as bigint.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8 && format !== 'binary'
            ? (v: string) => BigInt(v)
            : types.getTypeParser(oid, format ?? 'text')) as never,
      },
    };
  }

  /** Creates the schema when one was given (once, at open, before any other statement uses it). */
  async ensureSchema(): Promise<void> {
    if (this.schema === undefined) return;
    await this.transaction('open', async (sql) => {
      // CREATE SCHEMA IF NOT EXISTS still fails when another session creates it at the same moment.
      await sql.query(`SELECT pg_advisory_xact_lock(hashtext('scalper-engine schema ' || $1))`, [
        this.schema,
      ]);
      await sql.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /**
   * False from a call that found the server away (or lost a commit) until a call succeeds again:
   * while it is false, whatever must be recorded before it is done (an order before it is sent)
   * cannot be, and the runtime opens no new position.
   */
  get reachable(): boolean {
    return !this.#lost;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs `fn` inside BEGIN … COMMIT on one pooled connection, retrying while the server cannot be
   * reached (see the module comment). A `StateStoreError` thrown by `fn` rolls back and is
   * rethrown as it is; any other error becomes `STORE_FAILED` naming the call.
   */
  async transaction<T>(what: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new StateStoreError('STORE_CLOSED', this.location, 'the store is closed');
      const outcome = await this.#attempt(what, fn);
      if (outcome.ok) {
        if (this.#lost) {
          this.#lost = false;
          this.log.info({ call: what, attempt }, 'database reachable again');
        }
        return outcome.value;
      }
      const e = outcome.error;
      if (!outcome.retry) throw e;
      this.#lost = true;
      const waited = Date.now() - started;
      const delay = Math.min(this.#maxDelayMs, this.#firstDelayMs * 2 ** (attempt - 1));
      if (waited + delay > this.#retryForMs) {
        this.log.error(
          { call: what, attempts: attempt, waitedMs: waited, err: messageOf(e) },
          'database unreachable',
        );
        throw new StateStoreError(
          'STORE_UNAVAILABLE',
          this.location,
          `${what} failed: the database cannot be reached (${messageOf(e)}; ${attempt} attempts in ${waited} ms)`,
          { cause: e },
        );
      }
      this.log.warn(
        { call: what, attempt, delayMs: delay, err: messageOf(e) },
        'database unreachable, retrying',
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** One try of a transaction: its value, or its error and whether trying again is safe. */
  async #attempt<T>(
    what: string,
    fn: (sql: Sql) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown; retry: boolean }> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      if (isConnectionError(e)) return { ok: false, error: e, retry: true };
      return { ok: false, error: this.#failed(what, e), retry: false };
    }
    // A connection that breaks while checked out also emits `error`; unheard, it would end the process.
    const onError = (err: Error) => this.log.debug({ call: what, err: messageOf(err) }, 'connection lost');
    client.on('error', onError);
    let committing = false;
    try {
      await client.query('BEGIN');
      const value = await fn(client);
      committing = true;
      await client.query('COMMIT');
      client.off('error', onError);
      client.release();
      return { ok: true, value };
    } catch (e) {
      const lost = isConnectionError(e);
      if (!lost) await client.query('ROLLBACK').catch(() => undefined);
      client.off('error', onError);
      // A connection that failed is destroyed rather than handed to the next call.
      client.release(lost ? (e as Error) : undefined);
      if (lost && committing) {
        this.#lost = true;
        this.log.error({ call: what, err: messageOf(e) }, 'connection lost during commit, outcome unknown');
        return {
          ok: false,
          retry: false,
          error: new StateStoreError(
            'STORE_UNAVAILABLE',
            this.location,
            `${what}: the connection was lost during COMMIT, so whether it happened is unknown (${messageOf(e)})`,
            { cause: e },
          ),
        };
      }
      if (lost) return { ok: false, error: e, retry: true };
      return { ok: false, error: this.#failed(what, e), retry: false };
    }
  }

  #failed(what: string, e: unknown): StateStoreError {
    if (e instanceof StateStoreError) return e;
    return new StateStoreError('STORE_FAILED', this.location, `${what} failed (${messageOf(e)})`, {
      cause: e,
    });
  }
}
