import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputAt, WED_OVERLAP_MS } from '../../test/agents.js';
import { defineAnalyst } from './analyst.js';
import { analyzeMicrostructure, MICROSTRUCTURE_ANALYST } from './microstructure.js';

const T = WED_OVERLAP_MS;
/** 6E at 1.1 with a 1-tick (0.00005) spread: spread_bps = 0.00005 / 1.1 · 1e4, half-spread 0.000025. */
const TICK_BPS = (0.00005 / 1.1) * 1e4;
const book = {
  spread_ticks: 1,
  spread_bps: TICK_BPS,
  mid: 1.1,
  microprice: 1.1 + 0.0000125,
  qi_l1: 0.3,
  qi_l5: 0.4,
  ofi_10s: 100,
  volume_delta: 200,
  depth_bid_5: 600,
  depth_ask_5: 400,
  bid_wall_px: 1.0999,
};

describe('microstructure analyst', () => {
  it('reads buying pressure from OFI, queues, microprice, delta and a bid wall', () => {
    // AD = 1000 / 10 = 100: OFI tanh(1) = 0.761594; QI 0.4; microprice 0.0000125 / 0.000025 = 0.5;
    // delta tanh(200 / 1000) = 0.197375; book +0.5 (bid wall).
    // score = 0.35·0.761594 + 0.25·0.4 + 0.2·0.5 + 0.1·0.197375 + 0.1·0.5 = 0.536296 (weights sum 1).
    const s = defineAnalyst(MICROSTRUCTURE_ANALYST).analyze(inputAt(T, book));
    assert.equal(s.direction, 'long');
    assert.ok(Math.abs(s.confidence - 0.536296) < 1e-6);
    assert.deepEqual(s.flags, []);
    assert.equal(s.evidence.ofi_10s, 100);
    assert.equal(s.evidence.ask_wall_px, null);
  });

  it('flags a wide spread, halves the queue weight and the confidence', () => {
    // 3 ticks: half-spread 0.000075, microprice component 0.0000125 / 0.000075 = 0.166667;
    // QI weight 0.125; score = (0.266558 + 0.05 + 0.033333 + 0.019738 + 0.05) / 0.875 = 0.479576,
    // confidence 0.479576 / 2 = 0.239788.
    const s = analyzeMicrostructure(inputAt(T, { ...book, spread_ticks: 3, spread_bps: 3 * TICK_BPS }));
    assert.deepEqual(s.flags, ['wide_spread']);
    assert.equal(s.direction, 'long');
    assert.ok(Math.abs(s.confidence - 0.239788) < 1e-6);
  });

  it('mirrors to short on selling pressure', () => {
    const s = analyzeMicrostructure(
      inputAt(T, {
        ...book,
        microprice: 1.1 - 0.0000125,
        qi_l5: -0.4,
        ofi_10s: -100,
        volume_delta: -200,
        bid_wall_px: Number.NaN,
        ask_wall_px: 1.1001,
      }),
    );
    assert.equal(s.direction, 'short');
    assert.ok(Math.abs(s.confidence - 0.536296) < 1e-6);
  });

  it('is flat with confidence 0 on a locked or crossed book or when not ready', () => {
    for (const spread_ticks of [0, -1]) {
      const s = analyzeMicrostructure(inputAt(T, { ...book, spread_ticks }));
      assert.equal(s.direction, 'flat');
      assert.equal(s.confidence, 0);
    }
    const nan = analyzeMicrostructure(inputAt(T));
    assert.equal(nan.direction, 'flat');
    assert.equal(nan.confidence, 0);
    // Only OFI ready of the three core components: flat, 0.
    const thin = analyzeMicrostructure(
      inputAt(T, { spread_ticks: 1, mid: 1.1, ofi_10s: 50, depth_bid_5: 500, depth_ask_5: 500 }),
    );
    assert.equal(thin.confidence, 0);
  });

  it('is a mild flat view on a balanced book', () => {
    // Every component 0: score 0 → flat, confidence ½ × (1 − 0) × 1.
    const s = analyzeMicrostructure(
      inputAt(T, {
        ...book,
        microprice: 1.1,
        qi_l5: 0,
        ofi_10s: 0,
        volume_delta: 0,
        bid_wall_px: Number.NaN,
      }),
    );
    assert.equal(s.direction, 'flat');
    assert.equal(s.confidence, 0.5);
  });
});
