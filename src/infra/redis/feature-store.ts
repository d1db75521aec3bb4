/**
 * The feature store in Redis: one hash `<prefix>features:latest`, a field per instrument id, each
 * value a snapshot in the compact encoding of infra/features/codec.ts. A put is one `HSET`, a read
 * one `HGET`; puts issued in one event-loop turn leave in one write (the connection's
 * auto-pipelining), so a burst of instruments costs one round trip.
 *
 * While Redis is unreachable (`health.blind`):
 * - `latest` and `instruments` fail at once with `REDIS_UNAVAILABLE`;
 * - `put` keeps the snapshot in memory, the newest per instrument only (the store holds only the
 *   latest, so an older one would be overwritten anyway), and resolves: nothing is lost and the
 *   writer does not stall. `pending` counts what waits. When the connection is ready again the
 *   kept snapshots are written in one pipeline before anything else, and logged
 *   (`feature_store_flushed`). A put whose command fails because the connection dropped is kept
 *   the same way; one the server refuses (a wrong key type, out of memory) rejects with
 *   `REDIS_FAILED`.
 */

import { componentLogger, type Logger } from '../../core/index.js';
import type { FeatureSnapshot } from '../../features/index.js';
import { decodeFeatureSnapshot, encodeFeatureSnapshot } from '../features/codec.js';
import type { FeatureStore, StoreHealth } from '../features/store.js';
import { RedisConnection, type RedisConnectionOptions } from './connection.js';
import { RedisError } from './errors.js';

/** Options of `RedisFeatureStore`. */
export interface RedisFeatureStoreOptions {
  /** Prefix of the store's key. Default `scalper:`. */
  readonly prefix?: string;
  /** Parent of the store's logger (component `feature-store`). Default the root logger. */
  readonly logger?: Logger;
}

/** Counts of a `RedisFeatureStore`'s writes. */
export interface FeatureStoreWrites {
  /** Snapshots written by `put` while the connection was ready. */
  readonly written: number;
  /** Snapshots kept because Redis was unreachable (an older kept one of the instrument replaced). */
  readonly kept: number;
  /** Kept snapshots written when the connection came back. */
  readonly flushed: number;
}

/** The latest snapshot per instrument in a Redis hash (see the module comment). */
export class RedisFeatureStore implements FeatureStore {
  /** The hash holding the snapshots. */
  readonly key: string;
  readonly #conn: RedisConnection;
  readonly #owned: boolean;
  readonly #log: Logger;
  readonly #pending = new Map<number, FeatureSnapshot>();
  readonly #stopWatching: () => void;
  #closed = false;
  #written = 0;
  #kept = 0;
  #flushed = 0;

  /** A store over `connection`, which stays open after `close()` unless `ownsConnection`. */
  constructor(
    connection: RedisConnection,
    options: RedisFeatureStoreOptions & { ownsConnection?: boolean } = {},
  ) {
    this.key = `${options.prefix ?? 'scalper:'}features:latest`;
    this.#conn = connection;
    this.#owned = options.ownsConnection ?? false;
    this.#log = componentLogger('feature-store', options.logger).child({ key: this.key });
    this.#stopWatching = connection.onHealth((h) => {
      if (!h.blind) this.#flush();
    });
  }

  /** Opens a connection of its own (closed by `close()`) and a store over it. */
  static async open(
    options: RedisFeatureStoreOptions & RedisConnectionOptions = {},
  ): Promise<RedisFeatureStore> {
    const conn = await RedisConnection.open({ name: 'scalper-features', ...options });
    return new RedisFeatureStore(conn, { ...options, ownsConnection: true });
  }

  get health(): StoreHealth {
    return this.#conn.health;
  }

  /** Snapshots waiting for Redis to come back. */
  get pending(): number {
    return this.#pending.size;
  }

  /** What the store has written and kept so far. */
  get writes(): FeatureStoreWrites {
    return { written: this.#written, kept: this.#kept, flushed: this.#flushed };
  }

  async put(snapshot: FeatureSnapshot): Promise<void> {
    const value = encodeFeatureSnapshot(snapshot);
    const id = snapshot.instrument_id;
    this.#checkOpen(`put instrument ${id}`);
    if (this.#conn.health.blind) {
      this.#keep(snapshot);
      return;
    }
    // Kept snapshots leave first, so an older one never lands after this newer one.
    this.#flush();
    try {
      await this.#conn.client.hset(this.key, String(id), value);
      this.#written++;
    } catch (e) {
      if (isServerRefusal(e)) throw this.#conn.failure(`HSET ${this.key} ${id}`, e);
      this.#keepUnlessNewer(snapshot);
    }
  }

  async latest(instrumentId: number): Promise<FeatureSnapshot | null> {
    const field = String(instrumentId);
    this.#checkOpen(`HGET ${this.key} ${field}`);
    const bytes = await this.#conn.call(`HGET ${this.key} ${field}`, (r) => r.hgetBuffer(this.key, field));
    return bytes === null ? null : decodeFeatureSnapshot(bytes, `${this.key} ${field}`);
  }

  async instruments(): Promise<number[]> {
    this.#checkOpen(`HKEYS ${this.key}`);
    const fields = await this.#conn.call(`HKEYS ${this.key}`, (r) => r.hkeys(this.key));
    return fields.map(Number).sort((a, b) => a - b);
  }

  /** Deletes every snapshot of the store (its one key). */
  async clear(): Promise<void> {
    this.#pending.clear();
    await this.#conn.call(`DEL ${this.key}`, (r) => r.del(this.key));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWatching();
    if (this.#pending.size > 0)
      this.#log.warn(
        { event: 'feature_store_closed_pending', pending: this.#pending.size },
        'closed with snapshots not written',
      );
    if (this.#owned) await this.#conn.close();
  }

  #checkOpen(what: string): void {
    if (this.#closed) throw new RedisError('REDIS_CLOSED', this.#conn.url, `${what}: the store is closed`);
  }

  #keep(snapshot: FeatureSnapshot): void {
    if (this.#pending.size === 0)
      this.#log.warn(
        { event: 'feature_store_keeping', reason: this.#conn.health.reason },
        'keeping snapshots in memory until Redis answers',
      );
    this.#pending.set(snapshot.instrument_id, snapshot);
    this.#kept++;
  }

  /** Keeps `snapshot` unless a newer one of its instrument is already kept. */
  #keepUnlessNewer(snapshot: FeatureSnapshot): void {
    const kept = this.#pending.get(snapshot.instrument_id);
    if (kept === undefined || kept.ts_ns <= snapshot.ts_ns) this.#keep(snapshot);
    if (!this.#conn.health.blind) this.#flush();
  }

  /** Writes the kept snapshots in one pipeline; what fails is kept again unless superseded. */
  #flush(): void {
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    const pipe = this.#conn.client.pipeline();
    for (const s of batch) pipe.hset(this.key, String(s.instrument_id), encodeFeatureSnapshot(s));
    pipe.exec().then(
      (results) => {
        let ok = 0;
        for (let i = 0; i < batch.length; i++) {
          const err = results?.[i]?.[0];
          const id = batch[i].instrument_id;
          if (err == null) ok++;
          else if (isServerRefusal(err))
            this.#log.error(
              { event: 'feature_store_refused', instrument: id, error: err.message },
              'Redis refused a kept snapshot',
            );
          else if (!this.#pending.has(id)) this.#pending.set(id, batch[i]);
        }
        this.#flushed += ok;
        this.#log.info(
          { event: 'feature_store_flushed', snapshots: ok, pending: this.#pending.size },
          'kept snapshots written',
        );
      },
      (e: unknown) => {
        for (const s of batch) if (!this.#pending.has(s.instrument_id)) this.#pending.set(s.instrument_id, s);
        this.#log.warn(
          { event: 'feature_store_flush_failed', error: e instanceof Error ? e.message : String(e) },
          'kept snapshots not written yet',
        );
      },
    );
  }
}

/** Whether `e` is the server's own error reply (the command reached it and was refused). */
function isServerRefusal(e: unknown): boolean {
  return e instanceof Error && e.name === 'ReplyError';
}
