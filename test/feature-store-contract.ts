/**
 * The `FeatureStore` contract, run against every implementation (the in-memory store in
 * infra/features/store.test.ts, the Redis store in infra/redis/redis.services.test.ts): what one
 * instrument's writer puts, readers get back value for value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FxSessionName } from '../src/core/index.js';
import { FEATURE_COLUMNS, type FeatureColumn, type FeatureSnapshot } from '../src/features/index.js';
import type { FeatureStore } from '../src/infra/index.js';

/**
 * A frozen snapshot: every column NaN (not ready) except `fields`. `ts` must be the ISO form of
 * `tsNs` with 9 fractional digits, as the feature engine writes it.
 */
export function storeSnapshot(
  instrumentId: number,
  tsNs: bigint,
  ts: string,
  fields: Partial<Record<FeatureColumn, number>> = {},
  symbol = '6EZ4',
  session: FxSessionName = 'london',
): FeatureSnapshot {
  const s: Record<string, unknown> = { ts, ts_ns: tsNs, symbol, instrument_id: instrumentId, session };
  for (const c of FEATURE_COLUMNS) s[c] = Number.NaN;
  Object.assign(s, fields);
  return Object.freeze(s) as FeatureSnapshot;
}

/** 2024-12-05T13:00:00Z is 1,733,403,600 s after the epoch (20,062 days · 86,400 s + 13 h). */
export const T0_NS = 1_733_403_600_000_000_000n;

/** Snapshots of 6EZ4 (id 1) at T0 and T0 + 123456789 ns, and of 6BZ4 (id 2) at T0. */
export const SNAP_A1 = storeSnapshot(1, T0_NS, '2024-12-05T13:00:00.000000000Z', {
  mid: 1.05125,
  spread_ticks: 1,
  ofi_1s: -0,
  vpin: 0.375,
});
export const SNAP_A2 = storeSnapshot(1, T0_NS + 123_456_789n, '2024-12-05T13:00:00.123456789Z', {
  mid: 1.0513,
  spread_ticks: 2,
  rv_1m: Number.POSITIVE_INFINITY,
  cvd: -1250,
});
export const SNAP_B1 = storeSnapshot(
  2,
  T0_NS,
  '2024-12-05T13:00:00.000000000Z',
  { mid: 1.27, open_centres: 12 },
  '6BZ4',
  'overlap',
);

/** How to get a fresh, empty store of an implementation, and release it. */
export interface FeatureStoreContract {
  readonly name: string;
  open(): Promise<FeatureStore>;
}

/** Registers the contract's tests for one implementation. */
export function runFeatureStoreContract({ name, open }: FeatureStoreContract): void {
  test(`${name}: an empty store has no instruments and no latest snapshot`, async () => {
    const store = await open();
    try {
      assert.deepEqual(await store.instruments(), []);
      assert.equal(await store.latest(1), null);
      assert.deepEqual(store.health, { blind: false, reason: null });
    } finally {
      await store.close();
    }
  });

  test(`${name}: the latest snapshot of each instrument is the one put last, every value kept`, async () => {
    const store = await open();
    try {
      await store.put(SNAP_A1);
      await store.put(SNAP_B1);
      assert.deepEqual(await store.latest(1), SNAP_A1);
      await store.put(SNAP_A2);
      // strict deepEqual compares with Object.is: NaN equals NaN, -0 differs from 0.
      assert.deepEqual(await store.latest(1), SNAP_A2);
      assert.deepEqual(await store.latest(2), SNAP_B1);
      assert.equal((await store.latest(1))?.ts_ns, 1_733_403_600_123_456_789n);
      assert.equal(await store.latest(3), null);
      assert.deepEqual(await store.instruments(), [1, 2]);
    } finally {
      await store.close();
    }
  });

  test(`${name}: puts issued together all land, the last of an instrument winning`, async () => {
    const store = await open();
    try {
      const snaps: FeatureSnapshot[] = [];
      for (let id = 10; id < 60; id++)
        snaps.push(storeSnapshot(id, T0_NS + BigInt(id), '', { mid: id / 10, spread_ticks: 1 }));
      await Promise.all([...snaps.map((s) => store.put(s)), store.put(SNAP_A1), store.put(SNAP_A2)]);
      const ids = await store.instruments();
      assert.equal(ids.length, 51);
      assert.deepEqual([ids[0], ids[1], ids[50]], [1, 10, 59]);
      assert.equal((await store.latest(37))?.mid, 3.7);
      assert.equal((await store.latest(1))?.ts_ns, SNAP_A2.ts_ns);
    } finally {
      await store.close();
    }
  });
}
