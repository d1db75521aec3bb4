import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addUsage, priceUsage, sumUsage, UsageMeter } from './accounting.js';
import { NO_USAGE, type Usage } from './types.js';

const u = (inputTokens: number, outputTokens: number, cachedInputTokens: number, costUsd: number): Usage => ({
  inputTokens,
  outputTokens,
  cachedInputTokens,
  costUsd,
});

describe('priceUsage', () => {
  it('prices uncached, cached and output tokens per million', () => {
    // (2000 − 500)·2.5 + 500·1.25 + 400·10 = 3750 + 625 + 4000 = 8375 → $0.008375.
    const r = priceUsage(
      { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 },
      { inputTokens: 2000, outputTokens: 400, cachedInputTokens: 500 },
    );
    assert.equal(r.inputTokens, 2000);
    assert.ok(Math.abs(r.costUsd - 0.008375) < 1e-15);
  });

  it('charges cache writes at the input price unless given', () => {
    // 100 uncached + 300 written at $3, no output: 400·3 / 10⁶ = $0.0012.
    const r = priceUsage(
      { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 },
      { inputTokens: 400, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 300 },
    );
    assert.ok(Math.abs(r.costUsd - 0.0012) < 1e-15);
  });
});

describe('sumUsage and UsageMeter', () => {
  it('sums usages field by field', () => {
    assert.deepEqual(sumUsage([u(100, 10, 50, 0.5), u(200, 20, 0, 0.25)]), u(300, 30, 50, 0.75));
    assert.deepEqual(sumUsage([]), NO_USAGE);
    assert.deepEqual(addUsage(NO_USAGE, u(1, 2, 0, 0)), u(1, 2, 0, 0));
  });

  it('sums per decision and forgets a decision once taken', () => {
    const meter = new UsageMeter();
    meter.add('d1', u(100, 10, 0, 0.5));
    meter.add('d2', u(50, 5, 0, 0.25));
    meter.add('d1', u(100, 10, 80, 0.25));
    assert.equal(meter.pending, 2);
    assert.deepEqual(meter.peek('d1'), u(200, 20, 80, 0.75));
    assert.deepEqual(meter.take('d1'), u(200, 20, 80, 0.75));
    assert.deepEqual(meter.take('d1'), NO_USAGE);
    assert.equal(meter.pending, 1);
    assert.deepEqual(meter.total, u(250, 25, 80, 1));
  });
});
