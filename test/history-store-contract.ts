/**
 * The contract of a `HistoryStore` (the SQLite store, PostgreSQL): bars, feature snapshots and the
 * fills of runs written in bulk by either method (`copy`, `insert`) come back as written, by time
 * range; a key written again replaces its row; a batch with a bad row or a key twice writes
 * nothing. Places come from the state store contract's harness (test/state-store-contract.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  HistoryStore,
  StateStore,
  StoredBar,
  StoredFeatureSnapshot,
  StoredFill,
} from '../src/infra/index.js';
import { isStoreError, type StateStoreHarness, type StorePlace } from './state-store-contract.js';

/** ns of a UTC time: worked from Date.UTC, not from a store. */
export const utcNs = (y: number, mo: number, d: number, h = 0, mi = 0): bigint =>
  BigInt(Date.UTC(y, mo - 1, d, h, mi)) * 1_000_000n;

const bar = (instrumentId: number, tsNs: bigint, close: number): StoredBar => ({
  instrumentId,
  intervalS: 60,
  tsNs,
  open: 1_085_000_000,
  high: 1_085_500_000,
  low: 1_084_750_000,
  close,
  volume: 12,
});

type Store = StateStore & HistoryStore;

export function historyStoreContract(name: string, harness: StateStoreHarness<Store>): void {
  const fresh = (): Promise<StorePlace<Store>> => harness.place();
  describe(`history store contract: ${name}`, () => {
    test('Both write methods store the same rows; a key written again is replaced, not doubled', async () => {
      const place = await fresh();
      const store = await place.open();
      const t0 = utcNs(2026, 3, 4, 14, 30);
      const some = (instrumentId: number) =>
        Array.from({ length: 2_500 }, (_, i) =>
          bar(instrumentId, t0 + BigInt(i) * 60_000_000_000n, 1_085_000_000 + i),
        );
      assert.equal(await store.writeBars(some(1), 'copy'), 2_500);
      assert.equal(await store.writeBars(some(2), 'insert'), 2_500);
      const end = t0 + 2_500n * 60_000_000_000n;
      assert.deepEqual(await store.bars(1, 60, t0, end), some(1));
      assert.deepEqual(await store.bars(2, 60, t0, end), some(2));
      const fixed = { ...some(1)[7], close: 1_086_000_000 };
      assert.equal(await store.writeBars([fixed], 'copy'), 1);
      assert.equal(await store.writeBars([{ ...fixed, volume: 13 }], 'insert'), 1);
      assert.deepEqual((await store.bars(1, 60, fixed.tsNs, fixed.tsNs + 1n))[0], { ...fixed, volume: 13 });
      assert.equal(await place.count('bars'), 5_000);
      await store.close();
    });

    test('feature snapshots keep their values, not-ready ones as null; an infinite value is refused', async () => {
      const place = await fresh();
      const store = await place.open();
      const at = utcNs(2026, 3, 4, 14, 30);
      const snaps: StoredFeatureSnapshot[] = [
        {
          instrumentId: 7,
          tsNs: at,
          features: { ofi_10s: -12.5, vpin: 0.3125, microprice: 1.0852375, rv_1m: null },
        },
        { instrumentId: 7, tsNs: at + 1n, features: { ofi_10s: 3, vpin: Number.NaN, 'odd\\name\t': 1e-12 } },
      ];
      assert.equal(await store.writeFeatureSnapshots(snaps), 2);
      assert.equal(await store.writeFeatureSnapshots([{ ...snaps[0], instrumentId: 8 }], 'insert'), 1);
      assert.deepEqual(await store.featureSnapshots(7, at, at + 2n), [
        snaps[0],
        { instrumentId: 7, tsNs: at + 1n, features: { ofi_10s: 3, vpin: null, 'odd\\name\t': 1e-12 } },
      ]);
      assert.deepEqual(await store.featureSnapshots(8, at, at + 2n), [{ ...snaps[0], instrumentId: 8 }]);
      await assert.rejects(
        store.writeFeatureSnapshots([
          { instrumentId: 7, tsNs: at + 5n, features: { vpin: Number.POSITIVE_INFINITY } },
        ]),
        isStoreError('STORE_INVALID', 'vpin', 'Infinity'),
      );
      assert.equal(await place.count('feature_snapshots'), 3);
      await store.close();
    });

    test("a run's fills come back as written, text that needs escaping included; a batch with a key twice writes nothing", async () => {
      const place = await fresh();
      const store = await place.open();
      const at = utcNs(2026, 3, 4, 14, 30);
      const fill = (fillId: string, i: number): StoredFill => ({
        fillId,
        clientId: `bt-${i}`,
        instrumentId: 42,
        side: i % 2 === 0 ? 'buy' : 'sell',
        quantity: 1 + i,
        price: 1_085_000_000 + 250_000 * i,
        fee: 0.5 * (1 + i),
        tsNs: at + BigInt(i),
        ...(i % 3 === 0 ? { liquidity: 'maker' as const } : {}),
      });
      const fills = ['plain', 'tab\there', 'new\nline', 'back\\slash', "quote'd", 'ünï€ode', '\\N'].map(fill);
      assert.equal(await store.writeRunFills('bt-1', fills), fills.length);
      assert.deepEqual(await store.runFills('bt-1'), fills);
      assert.deepEqual(await store.runFills('bt-2'), []);
      await assert.rejects(
        store.writeRunFills('bt-2', [fill('same', 1), fill('same', 1)]),
        isStoreError('STORE_INVALID', 'same key'),
      );
      assert.deepEqual(await store.runFills('bt-2'), []);
      await assert.rejects(
        store.writeRunFills('bt-2', [{ ...fill('x', 1), price: 1.5 }]),
        isStoreError('STORE_INVALID', '"x"', 'price', '1.5'),
      );
      await store.close();
    });

    test('a bar that breaks a rule is refused naming it, and its batch writes nothing', async () => {
      const place = await fresh();
      const store = await place.open();
      const at = utcNs(2026, 3, 4, 14, 30);
      await assert.rejects(
        store.writeBars([bar(1, at, 1_085_000_000), { ...bar(1, at + 60_000_000_000n, 1), volume: -1 }]),
        isStoreError('STORE_INVALID', 'volume', '-1'),
      );
      await assert.rejects(store.writeBars([bar(1, -5n, 1)]), isStoreError('STORE_INVALID', 'time', '-5'));
      await assert.rejects(
        store.writeBars([bar(1, at, 1), bar(1, at, 2)]),
        isStoreError('STORE_INVALID', 'same key'),
      );
      assert.equal(await place.count('bars'), 0);
      assert.equal(await store.writeBars([]), 0);
      await store.close();
      await assert.rejects(store.writeBars([bar(1, at, 1)]), isStoreError('STORE_CLOSED'));
    });
  });
}
