import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grown } from './typed-arrays.js';

test('grown copies the elements into a longer array of the same type, zeros after them', () => {
  const f = grown(Float64Array.of(1.5, -2), 4);
  assert.ok(f instanceof Float64Array);
  assert.deepEqual([...f], [1.5, -2, 0, 0]);
  const i = grown(Int32Array.of(-1, 7, 9), 6);
  assert.ok(i instanceof Int32Array);
  assert.deepEqual([...i], [-1, 7, 9, 0, 0, 0]);
  const u = grown(Uint8Array.of(66, 65), 3);
  assert.ok(u instanceof Uint8Array);
  assert.deepEqual([...u], [66, 65, 0]);
});

test('grown leaves the original untouched', () => {
  const a = Int32Array.of(3, 4);
  const b = grown(a, 4);
  b[0] = 99;
  assert.deepEqual([...a], [3, 4]);
});
