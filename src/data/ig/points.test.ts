import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pointsToRaw, rawToPoints } from './points.js';

// EUR/USD at IG in points: 10812.3 points × 100,000 raw a point = 1,081,230,000 raw = 1.08123.
test('points to raw units exactly, where the binary product is not', () => {
  assert.notEqual(
    1.00001 * 1_000_000_000,
    1000010000,
    'the float product is off: why the conversion is decimal',
  );
  assert.equal(pointsToRaw(1.00001, 1_000_000_000), 1000010000);
  assert.equal(pointsToRaw(10812.3, 100000), 1081230000);
  assert.equal(pointsToRaw('10812.35', 100000), 1081235000);
  assert.equal(pointsToRaw(1.08123, 1_000_000_000), 1081230000);
  assert.equal(pointsToRaw(15012, 1_000_000), 15012000000, 'USD/JPY 150.12 quoted as 15012 points');
  assert.equal(pointsToRaw(1e-7, 1_000_000_000), 100);
  assert.equal(pointsToRaw(-0.5, 100000), -50000);
});

test('raw units to points: the shortest decimal, and back again unchanged', () => {
  assert.equal(rawToPoints(1081230000, 100000), 10812.3);
  assert.equal(rawToPoints(1081235000, 100000), 10812.35);
  assert.equal(rawToPoints(1081230000, 1_000_000_000), 1.08123);
  for (let raw = 1081190000; raw <= 1081290000; raw += 10000)
    assert.equal(pointsToRaw(rawToPoints(raw, 100000), 100000), raw);
});

test('a price between raw units, or not a number, is refused by name', () => {
  assert.throws(() => pointsToRaw('10812.123456', 100000), /IG price must be a whole number of raw units/);
  assert.throws(() => pointsToRaw('ten', 100000), /IG price must be a decimal number of points/);
  assert.throws(() => pointsToRaw(Number.NaN, 100000), /finite/);
  assert.throws(() => rawToPoints(1.5, 100000), /safe integer/);
  assert.throws(() => rawToPoints(1, 3), /finite decimal/);
});
