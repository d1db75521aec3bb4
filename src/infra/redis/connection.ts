/**
 * One connection to Redis (ioredis) shared by the feature store and the response cache, with the
 * behaviour a trading process needs when the server goes away:
 *
 * - Nothing waits for a dead server. Commands are not queued while the connection is down
 *   (`enableOfflineQueue: false`): a call made then fails at once with `REDIS_UNAVAILABLE`. A sent
 *   command fails with `REDIS_FAILED` after `commandTimeoutMs`, and a connection that stops answering
 *   (a paused server, a lost network, where no FIN arrives) is dropped after the same time without
 *   data; a `PING` every `heartbeatMs` makes that happen while nothing else is being asked.
 * - Reconnection goes on for ever, with exponential backoff (`retryDelayMs`), each attempt logged.
 * - `health.blind` is true whenever the connection is not ready, with the reason (the server's URL,
 *   since when, the last error) for a risk check to quote; listeners hear each change.
 * - Commands that were in flight when the connection dropped are failed, never resent behind the
 *   caller's back (`autoResendUnfulfilledCommands: false`): the stores decide what to write again.
 *
 * The URL comes from `SCALPER_REDIS_URL`, default `redis://127.0.0.1:6379`. ioredis is loaded when
 * the first connection opens, so a process that never uses Redis does not load it.
 */
import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import { ConfigError, componentLogger, type Logger, requirePositive } from '../../core/index.js';
import type { StoreHealth } from '../features/store.js';
import { redactUrl } from '../url.js';
import { RedisError } from './errors.js';

/** The environment variable holding the Redis URL. */
export const REDIS_URL_ENV = 'SCALPER_REDIS_URL';
/** The machine's Redis when no URL is given. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The Redis URL of `env` (`SCALPER_REDIS_URL`, default `DEFAULT_REDIS_URL`), checked. */
export function redisUrlFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const raw = env[REDIS_URL_ENV];
  return checkRedisUrl(
    raw === undefined || raw.trim() === '' ? DEFAULT_REDIS_URL : raw.trim(),
    REDIS_URL_ENV,
  );
}

/** `url` if it is a redis:// or rediss:// URL with a host; a `ConfigError` naming `source` otherwise. */
export function checkRedisUrl(url: string, source = 'Redis URL'): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`${source} "${url}" is not a URL (redis://host:port[/db])`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new ConfigError(`${source} "${redactUrl(url)}" must start with redis:// or rediss://`);
  if (u.hostname === '') throw new ConfigError(`${source} "${redactUrl(url)}" has no host`);
  return url;
}

/**
 * The wait before reconnection attempt `attempt` (1, 2, …): `baseMs · 2^(attempt−1)`, at most
 * `maxMs`. No jitter: the few engine processes of a machine do not stampede a server, and a fixed
 * schedule is what the logs and tests can be read against.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
}

/** Options of `RedisConnection.open`. */
export interface RedisConnectionOptions {
  /** Default `redisUrlFromEnv()`. */
  readonly url?: string;
  /** Shown in the server's `CLIENT LIST` and in the logs. Default `scalper`. */
  readonly name?: string;
  /** How long `open` waits for the first connection, ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** How long a sent command may take, ms; also the silence after which a connection is dropped. Default 1000. */
  readonly commandTimeoutMs?: number;
  /** How often an idle connection is checked with PING, ms. Default 1000. */
  readonly heartbeatMs?: number;
  /** First reconnection delay, ms. Default 50. */
  readonly retryBaseMs?: number;
  /** Longest reconnection delay, ms. Default 2000. */
  readonly retryMaxMs?: number;
  /**
   * Send the commands issued in one event-loop turn as one write (ioredis auto-pipelining). Default
   * true; false sends each command as it is made.
   */
  readonly autoPipelining?: boolean;
  /** Parent of the connection's logger (component `redis`). Default the root logger. */
  readonly logger?: Logger;
}

/** ioredis's client class. */
type RedisClass = new (url: string, options: RedisOptions) => Redis;
let redisClass: RedisClass | undefined;

/** ioredis's client class, loaded at the first use. */
function redisClient(): RedisClass {
  redisClass ??= (createRequire(import.meta.url)('ioredis') as { Redis: RedisClass }).Redis;
  return redisClass;
}

/** The health of a connection, as `StoreHealth`. */
export type HealthListener = (health: StoreHealth) => void;

/** A Redis connection with a health flag, backoff and bounded waits (see the module comment). */
export class RedisConnection {
  /** The server's URL without its password. */
  readonly url: string;
  readonly #redis: Redis;
  readonly #log: Logger;
  readonly #listeners = new Set<HealthListener>();
  #health: StoreHealth;
  #downSince: number;
  #lastError = 'not connected yet';
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(url: string, redis: Redis, log: Logger) {
    this.url = url;
    this.#redis = redis;
    this.#log = log;
    this.#downSince = Date.now();
    this.#health = { blind: true, reason: this.#reason() };
  }

  /**
   * Connects and waits until the server answers; a `REDIS_UNAVAILABLE` error when it does not within
   * `connectTimeoutMs` (nothing is left running then).
   */
  static async open(options: RedisConnectionOptions = {}): Promise<RedisConnection> {
    const raw = options.url === undefined ? redisUrlFromEnv() : checkRedisUrl(options.url);
    const url = redactUrl(raw);
    const name = options.name ?? 'scalper';
    const connectTimeoutMs = requirePositive('connectTimeoutMs', options.connectTimeoutMs ?? 5000);
    const commandTimeoutMs = requirePositive('commandTimeoutMs', options.commandTimeoutMs ?? 1000);
    const heartbeatMs = requirePositive('heartbeatMs', options.heartbeatMs ?? 1000);
    const baseMs = requirePositive('retryBaseMs', options.retryBaseMs ?? 50);
    const maxMs = requirePositive('retryMaxMs', options.retryMaxMs ?? 2000);
    const log = componentLogger('redis', options.logger).child({ url, connection: name });
    let conn: RedisConnection | undefined;
    const redis = new (redisClient())(raw, {
      lazyConnect: true,
      connectionName: name,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      socketTimeout: commandTimeoutMs,
      connectTimeout: commandTimeoutMs,
      enableAutoPipelining: options.autoPipelining ?? true,
      retryStrategy: (attempt) => {
        const delayMs = retryDelayMs(attempt, baseMs, maxMs);
        log.warn(
          { event: 'redis_retry', attempt, delayMs, error: conn === undefined ? undefined : conn.#lastError },
          'reconnecting to Redis',
        );
        return delayMs;
      },
    });
    conn = new RedisConnection(url, redis, log);
    conn.#watch();
    redis.connect().catch(() => {});
    const ready = await conn.#waitReady(connectTimeoutMs);
    if (!ready) {
      const why = conn.#lastError;
      conn.#closed = true;
      redis.disconnect();
      throw new RedisError('REDIS_UNAVAILABLE', url, `no answer within ${connectTimeoutMs} ms (${why})`);
    }
    conn.#heartbeat = setInterval(() => conn.#ping(), heartbeatMs);
    conn.#heartbeat.unref();
    return conn;
  }

  /** Whether the connection is down, and why (see `StoreHealth`). */
  get health(): StoreHealth {
    return this.#health;
  }

  /** Calls `listener` when the connection goes blind and when it is back; returns a function that stops it. */
  onHealth(listener: HealthListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The ioredis client, for the adapters of this folder. Callers go through `call`, which turns
   * failures into `RedisError`s.
   */
  get client(): Redis {
    return this.#redis;
  }

  /**
   * Runs `fn` on the client when the connection is ready: `REDIS_UNAVAILABLE` at once when it is
   * not, `REDIS_FAILED` (naming `what`) when the command fails.
   */
  async call<T>(what: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
    this.check(what);
    try {
      return await fn(this.#redis);
    } catch (e) {
      throw this.failure(what, e);
    }
  }

  /** Throws `REDIS_CLOSED` after `close()`, `REDIS_UNAVAILABLE` while blind. */
  check(what: string): void {
    if (this.#closed) throw new RedisError('REDIS_CLOSED', this.url, `${what}: the connection is closed`);
    if (this.#health.blind)
      throw new RedisError('REDIS_UNAVAILABLE', this.url, `${what}: ${this.#health.reason}`);
  }

  /** The `RedisError` for a failed command `what`. */
  failure(what: string, e: unknown): RedisError {
    if (e instanceof RedisError) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new RedisError('REDIS_FAILED', this.url, `${what}: ${message}`, { cause: e });
  }

  /** Closes the connection (QUIT, or a hard disconnect when the server does not answer). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#listeners.clear();
    if (this.#redis.status === 'ready') {
      try {
        await this.#redis.quit();
        return;
      } catch {
        // The server went away while closing; the hard disconnect below still releases the socket.
      }
    }
    this.#redis.disconnect();
  }

  #reason(): string {
    return `${this.url} unreachable since ${new Date(this.#downSince).toISOString()}: ${this.#lastError}`;
  }

  #watch(): void {
    const r = this.#redis;
    r.on('error', (e: Error) => {
      this.#lastError = e.message;
      if (this.#health.blind) this.#setHealth({ blind: true, reason: this.#reason() });
    });
    r.on('ready', () => {
      if (this.#closed) return;
      const downMs = Date.now() - this.#downSince;
      this.#lastError = '';
      this.#log.info({ event: 'redis_ready', downMs }, 'Redis answers');
      this.#setHealth({ blind: false, reason: null });
    });
    const down = () => {
      if (this.#health.blind || this.#closed) return;
      this.#downSince = Date.now();
      if (this.#lastError === '') this.#lastError = 'connection closed';
      this.#log.warn({ event: 'redis_down', error: this.#lastError }, 'Redis connection lost');
      this.#setHealth({ blind: true, reason: this.#reason() });
    };
    r.on('close', down);
    r.on('end', down);
  }

  /** Sets the health; listeners hear only a change of `blind`, not each new error while blind. */
  #setHealth(h: StoreHealth): void {
    const changed = h.blind !== this.#health.blind;
    this.#health = h;
    if (changed) for (const l of this.#listeners) l(h);
  }

  #waitReady(ms: number): Promise<boolean> {
    if (!this.#health.blind) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        stop();
        resolve(false);
      }, ms);
      const stop = this.onHealth((h) => {
        if (h.blind) return;
        clearTimeout(timer);
        stop();
        resolve(true);
      });
    });
  }

  #ping(): void {
    if (this.#health.blind || this.#closed) return;
    this.#redis.ping().catch((e: unknown) => {
      this.#lastError = `PING: ${e instanceof Error ? e.message : String(e)}`;
    });
  }
}
