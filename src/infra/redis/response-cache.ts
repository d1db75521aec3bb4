/**
 * The model response cache in Redis, shared by every process on the server: a value is JSON under
 * `<prefix><key>` with its TTL set by the server (`SET … PX`), so an answer one process paid for is
 * a hit in the others until it expires.
 *
 * It has the two methods of llm's `ResponseCache` and is passed to `CachedProvider` as one (llm and
 * infra are one layer and do not import each other; the shape is the contract). The TTL runs on
 * the server's wall clock, not on an injected clock: this cache is for paper and live trading;
 * backtests keep `MemoryLruCache` on the simulated clock.
 *
 * While Redis is unreachable `get` and `set` reject at once (`REDIS_UNAVAILABLE`), a sent command
 * rejects after the connection's command timeout (`REDIS_FAILED`); nothing is queued. A cache that
 * loses a write costs one model call, and `CachedProvider` counts a rejected `get` as a miss and a
 * rejected `set` as not stored.
 */
import { InvalidOptionError } from '../../core/index.js';
import type { StoreHealth } from '../features/store.js';
import { RedisConnection, type RedisConnectionOptions } from './connection.js';
import { RedisError } from './errors.js';

/** Options of `RedisResponseCache`. */
export interface RedisResponseCacheOptions {
  /** Prefix of every key. Default `scalper:`. */
  readonly prefix?: string;
}

/** A key-value cache with expiry in Redis (see the module comment). */
export class RedisResponseCache {
  /** Prefix of every key. */
  readonly prefix: string;
  readonly #conn: RedisConnection;
  readonly #owned: boolean;
  #closed = false;

  /** A cache over `connection`, which stays open after `close()` unless `ownsConnection`. */
  constructor(
    connection: RedisConnection,
    options: RedisResponseCacheOptions & { ownsConnection?: boolean } = {},
  ) {
    this.prefix = options.prefix ?? 'scalper:';
    this.#conn = connection;
    this.#owned = options.ownsConnection ?? false;
  }

  /** Opens a connection of its own (closed by `close()`) and a cache over it. */
  static async open(
    options: RedisResponseCacheOptions & RedisConnectionOptions = {},
  ): Promise<RedisResponseCache> {
    const conn = await RedisConnection.open({ name: 'scalper-llm-cache', ...options });
    return new RedisResponseCache(conn, { ...options, ownsConnection: true });
  }

  /** Whether Redis is reachable (see `RedisConnection.health`). */
  get health(): StoreHealth {
    return this.#conn.health;
  }

  /** The value, or undefined when absent or expired; rejects naming the key for a value that is not JSON. */
  async get(key: string): Promise<unknown | undefined> {
    const k = this.prefix + key;
    this.#checkOpen(`GET ${k}`);
    const text = await this.#conn.call(`GET ${k}`, (r) => r.get(k));
    if (text === null) return undefined;
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new RedisError('REDIS_FAILED', this.#conn.url, `GET ${k}: the value is not JSON`, { cause: e });
    }
  }

  /**
   * Stores `value` (plain JSON) for `ttlMs` (rounded up to whole ms; Infinity: no expiry); a TTL of
   * 0 or less deletes the key.
   */
  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    const k = this.prefix + key;
    this.#checkOpen(`SET ${k}`);
    if (Number.isNaN(ttlMs)) throw new InvalidOptionError('ttlMs', ttlMs, 'a number of ms');
    if (!(ttlMs > 0)) {
      await this.#conn.call(`DEL ${k}`, (r) => r.del(k));
      return;
    }
    const text = JSON.stringify(value);
    if (text === undefined) throw new InvalidOptionError(`value of "${key}"`, value, 'plain JSON');
    if (ttlMs === Number.POSITIVE_INFINITY) {
      await this.#conn.call(`SET ${k}`, (r) => r.set(k, text));
      return;
    }
    const px = Math.ceil(ttlMs);
    await this.#conn.call(`SET ${k} PX ${px}`, (r) => r.set(k, text, 'PX', px));
  }

  /** Deletes every key under the prefix (SCAN, so the server is never blocked). */
  async clear(): Promise<number> {
    this.#checkOpen(`SCAN ${this.prefix}*`);
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.#conn.call(`SCAN ${this.prefix}*`, (r) =>
        r.scan(cursor, 'MATCH', `${escapeGlob(this.prefix)}*`, 'COUNT', 500),
      );
      cursor = next;
      if (keys.length > 0) removed += await this.#conn.call(`DEL ${this.prefix}*`, (r) => r.unlink(...keys));
    } while (cursor !== '0');
    return removed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.#conn.close();
  }

  #checkOpen(what: string): void {
    if (this.#closed) throw new RedisError('REDIS_CLOSED', this.#conn.url, `${what}: the cache is closed`);
  }
}

/** `s` with Redis glob characters escaped, for a literal prefix in `SCAN MATCH`. */
export function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
