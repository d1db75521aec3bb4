import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputAt, WED_OVERLAP_MS } from '../../test/agents.js';
import { defineAnalyst } from './analyst.js';
import { analyzeMarketMaking, MARKET_MAKING_ANALYST } from './market-making.js';

const T = WED_OVERLAP_MS;
const TICK_BPS = (0.00005 / 1.1) * 1e4;
/** A 1-tick 6E book at 1.1 with balanced flow (AD = 100: OFI tanh(0.1); delta 50 / 1000 = 0.05). */
const quiet = {
  spread_ticks: 1,
  spread_bps: TICK_BPS,
  mid: 1.1,
  microprice: 1.1 + 0.0000125,
  ofi_10s: 10,
  volume_delta: 50,
  depth_bid_5: 500,
  depth_ask_5: 500,
  cancel_add_ratio: 1,
  vpin_cdf: 0.2,
};

describe('market-making analyst', () => {
  it('joins the bid when the spread is 1 tick, flow balanced and the microprice above mid', () => {
    // m = 0.0000125 / 0.000025 = 0.5 → long at mid − half-spread = 1.099975;
    // confidence (0.5 + 0.5·0.5) × (1 − 0.2) = 0.6.
    const s = defineAnalyst(MARKET_MAKING_ANALYST).analyze(inputAt(T, quiet));
    assert.equal(s.direction, 'long');
    assert.equal(s.passivePrice, 1.099975);
    assert.ok(Math.abs(s.confidence - 0.6) < 1e-12);
  });

  it('joins the offer when the microprice is below mid', () => {
    const s = analyzeMarketMaking(inputAt(T, { ...quiet, microprice: 1.1 - 0.0000125 }));
    assert.equal(s.direction, 'short');
    assert.equal(s.passivePrice, 1.100025);
  });

  it('proposes nothing on a 2-tick spread, and flags a 3-tick spread as wide', () => {
    const two = analyzeMarketMaking(inputAt(T, { ...quiet, spread_ticks: 2, spread_bps: 2 * TICK_BPS }));
    assert.equal(two.direction, 'flat');
    assert.equal(two.passivePrice, null);
    assert.deepEqual(two.flags, []);
    const three = analyzeMarketMaking(inputAt(T, { ...quiet, spread_ticks: 3, spread_bps: 3 * TICK_BPS }));
    assert.deepEqual(three.flags, ['wide_spread']);
  });

  it('stands aside in a taking phase, on unstable quotes or toxic flow', () => {
    // OFI 100 over AD 100: tanh(1) = 0.76 > 0.5.
    assert.equal(analyzeMarketMaking(inputAt(T, { ...quiet, ofi_10s: 100 })).direction, 'flat');
    // |delta| 300 / 1000 = 0.3 > 0.25.
    assert.equal(analyzeMarketMaking(inputAt(T, { ...quiet, volume_delta: -300 })).direction, 'flat');
    assert.equal(analyzeMarketMaking(inputAt(T, { ...quiet, cancel_add_ratio: 2 })).direction, 'flat');
    assert.equal(analyzeMarketMaking(inputAt(T, { ...quiet, vpin_cdf: 0.85 })).direction, 'flat');
    // Microprice at mid: no side.
    assert.equal(analyzeMarketMaking(inputAt(T, { ...quiet, microprice: 1.1 })).passivePrice, null);
  });

  it('is flat with confidence 0 when not ready or locked', () => {
    assert.equal(analyzeMarketMaking(inputAt(T)).confidence, 0);
    const locked = analyzeMarketMaking(inputAt(T, { ...quiet, spread_ticks: 0 }));
    assert.equal(locked.direction, 'flat');
    assert.equal(locked.confidence, 0);
  });
});
