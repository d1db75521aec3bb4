import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OrderIndex } from './order-index.js';

test('ids above 2^32 map to their slots and deleted ids are gone', () => {
  const ix = new OrderIndex(4);
  const base = 6_413_245_560_000;
  for (let k = 0; k < 10_000; k++) ix.set(base + k, k);
  assert.equal(ix.size, 10_000);
  for (let k = 0; k < 10_000; k += 2) assert.equal(ix.delete(base + k), k);
  assert.equal(ix.size, 5_000);
  for (let k = 0; k < 10_000; k++) assert.equal(ix.get(base + k), k % 2 === 0 ? -1 : k);
  // Ids equal modulo 2^32 are different ids.
  ix.set(base + 1 + 4_294_967_296, 7);
  assert.equal(ix.get(base + 1), 1);
  assert.equal(ix.get(base + 1 + 4_294_967_296), 7);
  ix.clear();
  assert.equal(ix.size, 0);
  assert.equal(ix.get(base + 1), -1);
});

test('random sets and deletes agree with a Map', () => {
  // Few distinct ids in a table that stays small: long probe runs and many wrap-arounds, so
  // backward-shift deletion is exercised in every position.
  const op = fc.record({
    del: fc.boolean(),
    id: fc.integer({ min: 0, max: 40 }).map((k) => 6_413_245_560_000 + k * 4_294_967_296 + (k % 7)),
    slot: fc.nat({ max: 1000 }),
  });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const ix = new OrderIndex(1);
      const ref = new Map<number, number>();
      for (const o of ops) {
        if (o.del) {
          assert.equal(ix.delete(o.id), ref.get(o.id) ?? -1);
          ref.delete(o.id);
        } else {
          ix.set(o.id, o.slot);
          ref.set(o.id, o.slot);
        }
        assert.equal(ix.size, ref.size);
      }
      for (let k = 0; k <= 40; k++) {
        const id = 6_413_245_560_000 + k * 4_294_967_296 + (k % 7);
        assert.equal(ix.get(id), ref.get(id) ?? -1);
      }
    }),
    { numRuns: 500 },
  );
});
