import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../core/index.js';
import { RollingSums } from './rolling.js';

test('window sums add new buckets and subtract expired ones', () => {
  // 10 s window of 1 s buckets, two channels.
  const w = new RollingSums(10_000, 1000, 2);
  assert.equal(w.started, false);
  w.add(0, 5); // before the first timestamp: ignored, there is no bucket yet
  assert.equal(w.sum(0), 0);
  w.advance(1000);
  w.add(0, 3); // bucket 1
  w.add(1, 1);
  w.advance(5500);
  w.add(0, 4); // bucket 5
  assert.equal(w.sum(0), 7);
  // At 10.999 s the window holds buckets 1..10: both still in.
  w.advance(10_999);
  assert.equal(w.sum(0), 7);
  // At 11 s it holds buckets 2..11: bucket 1 (3 and 1) has expired.
  w.advance(11_000);
  assert.equal(w.sum(0), 4);
  assert.equal(w.sum(1), 0);
});

test('an out-of-order timestamp counts in the current bucket', () => {
  const w = new RollingSums(1000, 100, 1);
  w.advance(5000);
  w.advance(4200); // older: the window does not move back
  w.add(0, 2);
  w.advance(5999); // buckets 50..59: the 2 landed in bucket 50
  assert.equal(w.sum(0), 2);
  w.advance(6000);
  assert.equal(w.sum(0), 0);
});

test('a gap of a whole window or more empties it', () => {
  const w = new RollingSums(60_000, 1000, 1);
  w.advance(0);
  w.add(0, 9);
  w.advance(3_600_000); // an hour without data
  assert.equal(w.sum(0), 0);
  assert.equal(w.started, true);
  w.add(0, 1);
  assert.equal(w.sum(0), 1);
});

test('a window that is not a whole number of buckets is a configuration error', () => {
  assert.throws(() => new RollingSums(1000, 300, 1), ConfigError);
  assert.throws(() => new RollingSums(1000, 100, 0), ConfigError);
});

test('nextBucketMs is where the window may move; before it, advancing changes nothing', () => {
  const w = new RollingSums(1000, 100, 1);
  assert.equal(w.nextBucketMs, Number.NEGATIVE_INFINITY);
  w.advance(1_764_000_000_050);
  w.add(0, 2);
  const next = w.nextBucketMs;
  assert.ok(next > 1_764_000_000_098 && next <= 1_764_000_000_100);
  w.advance(next - 0.5); // same bucket
  w.add(0, 3);
  w.advance(1_764_000_000_999.999); // buckets 1..10 of this second: both adds still in
  assert.equal(w.sum(0), 5);
  w.advance(1_764_000_001_000); // the bucket of the adds expires
  assert.equal(w.sum(0), 0);
  w.reset();
  assert.equal(w.nextBucketMs, Number.NEGATIVE_INFINITY);
});
