/**
 * The feature store: the latest `FeatureSnapshot` of each instrument, written by the process that
 * computes an instrument's features and read by those that decide and check risk. In one process
 * it is a map (`MemoryFeatureStore`, the default); across processes it is Redis
 * (`RedisFeatureStore` in infra/redis). Services partition by instrument, so each instrument has
 * one writer and the snapshot put last is the latest.
 */
import type { FeatureSnapshot } from '../../features/index.js';

/**
 * Whether a store that depends on a server can reach it. While `blind`, reads fail and a risk check
 * should refuse new positions, quoting `reason` (RiskContext `dataUntrusted`).
 */
export interface StoreHealth {
  readonly blind: boolean;
  /** The server, since when and the last error, while blind; null otherwise. */
  readonly reason: string | null;
}

/** The latest feature snapshot per instrument. */
export interface FeatureStore {
  /** Records `snapshot` as the latest of its instrument (`instrument_id`). */
  put(snapshot: FeatureSnapshot): Promise<void>;
  /** The latest snapshot of `instrumentId`; null when none was put. */
  latest(instrumentId: number): Promise<FeatureSnapshot | null>;
  /** The instruments that have a snapshot, ascending. */
  instruments(): Promise<number[]>;
  /** Whether the store can reach what holds the snapshots. */
  readonly health: StoreHealth;
  /** Releases what the store holds open. */
  close(): Promise<void>;
}

/** A store that is never blind. */
const HEALTHY: StoreHealth = Object.freeze({ blind: false, reason: null });

/** The in-process feature store: a map from instrument to its latest (frozen) snapshot. */
export class MemoryFeatureStore implements FeatureStore {
  readonly #latest = new Map<number, FeatureSnapshot>();

  async put(snapshot: FeatureSnapshot): Promise<void> {
    this.#latest.set(snapshot.instrument_id, snapshot);
  }

  async latest(instrumentId: number): Promise<FeatureSnapshot | null> {
    return this.#latest.get(instrumentId) ?? null;
  }

  async instruments(): Promise<number[]> {
    return [...this.#latest.keys()].sort((a, b) => a - b);
  }

  get health(): StoreHealth {
    return HEALTHY;
  }

  async close(): Promise<void> {
    this.#latest.clear();
  }
}
