import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile } from './report.js';

test('nearest-rank percentiles worked by hand', () => {
  const v = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  // Sorted 1..10: p50 → rank ceil(5) = 5 → 5; p95 → rank ceil(9.5) = 10 → 10; p10 → rank 1 → 1.
  assert.equal(percentile(v, 0.5), 5);
  assert.equal(percentile(v, 0.95), 10);
  assert.equal(percentile(v, 0.1), 1);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});
