import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Aggressor } from './common.js';
import { TradeFlow } from './trade-flow.js';

const { BUY: B, SELL: A, NONE: N } = Aggressor;
const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe('TradeFlow windows', () => {
  // Slots of 1 s; windows of 2 slots (w=0) and 5 slots (w=1).
  const make = () => new TradeFlow({ slotMs: 1000, windowsMs: [2000, 5000], halfLifeMs: 1000 });

  it('sums buy, sell and unknown volume per window and keeps side N out of the delta', () => {
    const f = make();
    f.update(0, 1.1, 5, B); // slot 0
    f.update(500, 1.1, 2, A); // slot 0
    f.update(1200, 1.1, 4, N); // slot 1
    f.update(1500, Number.NaN, 1, B); // UNDEF price: dropped
    f.update(2100, 1.1, 3, A); // slot 2
    f.update(2200, 1.1, 10, B); // slot 2
    // At slot 2 the 2-slot window holds slots 1–2: N4, A3, B10.
    assert.equal(f.buyVolume(0), 10);
    assert.equal(f.sellVolume(0), 3);
    assert.equal(f.unknownVolume(0), 4);
    assert.equal(f.volumeDelta(0), 7);
    assert.equal(f.tradeCount(0), 3);
    close(f.buyShare(0), 10 / 13);
    // The 5-slot window has seen only 3 slots: not ready.
    assert.equal(f.isWindowReady(1), false);
    assert.ok(Number.isNaN(f.volumeDelta(1)));
    // CVD = +5 −2 −3 +10 (N and the dropped trade excluded).
    assert.equal(f.cvd, 10);
    assert.equal(f.droppedTrades, 1);
  });

  it('expires each slot from each window in turn and reuses its ring entry once the longest window is past it', () => {
    // 100 ms slots; windows of 10 slots (w=0) and 30 slots (w=1, the ring's length).
    const f = new TradeFlow({ slotMs: 100, windowsMs: [1000, 3000] });
    f.update(0, 1.1, 5, B); // slot 0
    f.update(50, 1.1, 2, A); // slot 0
    f.update(950, 1.1, 1, B); // slot 9
    f.advance(1000); // slot 10: the 10-slot window holds 1..10, slot 0 has left it
    assert.equal(f.buyVolume(0), 1);
    assert.equal(f.sellVolume(0), 0);
    assert.equal(f.tradeCount(0), 1);
    f.update(2950, 1.1, 4, B); // slot 29: w=0 holds 20..29, w=1 holds 0..29 (ready)
    assert.equal(f.buyVolume(0), 4);
    assert.equal(f.buyVolume(1), 10);
    assert.equal(f.sellVolume(1), 2);
    f.advance(3000); // slot 30: slot 0 leaves w=1, and its ring entry is slot 30's
    assert.equal(f.buyVolume(1), 5);
    assert.equal(f.sellVolume(1), 0);
    assert.equal(f.tradeCount(1), 2);
    f.update(3010, 1.1, 7, A); // slot 30, in the entry slot 0 used
    assert.equal(f.sellVolume(0), 7);
    assert.equal(f.buyVolume(0), 4);
    assert.equal(f.sellVolume(1), 7);
    f.advance(3960); // slot 39: w=0 holds 30..39 (slot 29 left), w=1 holds 10..39 (slot 9 left)
    assert.equal(f.buyVolume(0), 0);
    assert.equal(f.sellVolume(0), 7);
    assert.equal(f.buyVolume(1), 4);
    assert.equal(f.tradeCount(1), 2);
    f.advance(5950); // slot 59: w=1 holds 30..59, slot 29 (B4) has left it
    assert.equal(f.buyVolume(1), 0);
    assert.equal(f.sellVolume(1), 7);
    f.advance(6000); // slot 60: slot 30 (A7) has left too
    assert.equal(f.sellVolume(1), 0);
    assert.equal(f.tradeCount(1), 0);
    assert.equal(f.cvd, 5 - 2 + 1 + 4 - 7);
  });

  it('reads zero volume and a NaN buy share in a window with no trades', () => {
    const f = make();
    f.update(0, 1.1, 5, B);
    f.update(500, 1.1, 2, A);
    f.update(1200, 1.1, 4, N);
    f.update(2100, 1.1, 3, A);
    f.update(2200, 1.1, 10, B);
    f.advance(4500); // slot 4: the 2-slot window holds the empty slots 3–4
    assert.equal(f.buyVolume(0), 0);
    assert.equal(f.sellVolume(0), 0);
    assert.equal(f.volumeDelta(0), 0);
    assert.equal(f.tradeCount(0), 0);
    assert.ok(Number.isNaN(f.buyShare(0)));
    // The 5-slot window (slots 0–4) now holds everything: B 15, A 5, N 4, 5 trades.
    assert.equal(f.buyVolume(1), 15);
    assert.equal(f.sellVolume(1), 5);
    assert.equal(f.unknownVolume(1), 4);
    assert.equal(f.volumeDelta(1), 10);
    assert.equal(f.tradeCount(1), 5);
    assert.equal(f.buyShare(1), 0.75);
  });

  it('clears the windows across a gap in the data but keeps the CVD', () => {
    const f = make();
    f.update(0, 1.1, 5, B);
    f.update(4000, 1.1, 2, A);
    f.update(100_000, 1.1, 1, B); // 96 s jump: longer than every window
    assert.equal(f.buyVolume(1), 1);
    assert.equal(f.sellVolume(1), 0);
    assert.equal(f.tradeCount(1), 1);
    assert.equal(f.cvd, 4); // 5 − 2 + 1
    f.resetCvd();
    assert.equal(f.cvd, 0);
  });

  it('expires a slot exactly when it leaves the window', () => {
    const f = make();
    f.update(999, 1.1, 7, B); // slot 0
    f.advance(1999); // slot 1: window 0 = slots 0–1
    assert.equal(f.buyVolume(0), 7);
    f.advance(2000); // slot 2: window 0 = slots 1–2
    assert.equal(f.buyVolume(0), 0);
  });

  it('is NaN before any event', () => {
    const f = make();
    assert.ok(Number.isNaN(f.cvd));
    assert.ok(Number.isNaN(f.buyVolume(0)));
    assert.ok(Number.isNaN(f.tradeRate));
  });

  it('rejects a window that is not a multiple of the slot', () => {
    assert.throws(() => new TradeFlow({ slotMs: 300, windowsMs: [1000] }), {
      name: 'InvalidOptionError',
      message: 'windowsMs[0] must be a multiple of 300 of at least 300, got 1000',
    });
  });
});

describe('TradeFlow intensity', () => {
  it('is the bias-corrected exponential-kernel rate of the module comment', () => {
    // Half-life 1 s: κ = ln 2 per second. One 2-lot trade per second at t = 0, 1, …, 10 s.
    const f = new TradeFlow({ slotMs: 100, windowsMs: [1000], halfLifeMs: 1000 });
    f.update(0, 1.1, 2, B);
    f.advance(500);
    // Half a half-life has passed: not ready.
    assert.equal(f.isRateReady, false);
    assert.ok(Number.isNaN(f.tradeRate));
    f.update(1000, 1.1, 2, A);
    // λ = ln2·(1 + 1/2) = 1.0397; coverage 1 − 2^−1 = 1/2 → 2 ln2·1.5 = 2.0794415416798357.
    close(f.tradeRate, 2.0794415416798357);
    for (let t = 2000; t <= 10000; t += 1000) f.update(t, 1.1, 2, B);
    // λ = ln2·Σ_{j=0..10} 2^−j = ln2·(2 − 2^−10); coverage 1 − 2^−10 → 1.3869719243462444.
    close(f.tradeRate, 1.3869719243462444);
    close(f.volumeRate, 2 * 1.3869719243462444);
    // Half a second later with no trade: λ·2^−0.5 over coverage 1 − 2^−10.5 → 0.980456540340226.
    f.advance(10500);
    close(f.tradeRate, 0.980456540340226);
  });

  it('counts side-N trades in the rates', () => {
    const f = new TradeFlow({ slotMs: 100, windowsMs: [1000], halfLifeMs: 1000 });
    f.update(0, 1.1, 3, N);
    f.update(1000, 1.1, 3, N);
    close(f.tradeRate, 2.0794415416798357);
    close(f.volumeRate, 3 * 2.0794415416798357);
    assert.equal(f.volumeDelta(0), 0);
  });
});

describe('TradeFlow time order', () => {
  it('counts a late trade in the current slot and never runs time backwards', () => {
    const f = new TradeFlow({ slotMs: 1000, windowsMs: [1000, 2000], halfLifeMs: 1000 });
    f.update(0, 1.1, 1, B);
    f.update(1500, 1.1, 2, B); // slot 1
    f.update(900, 1.1, 3, A); // stamped earlier: joins slot 1, no decay
    assert.equal(f.buyVolume(0), 2);
    assert.equal(f.sellVolume(0), 3);
    // Rates: 1 trade at 0 decayed 1.5 s, then 2 at 1.5 s: ln2·(2^−1.5 + 2) / (1 − 2^−1.5).
    const expected = (Math.LN2 * (2 ** -1.5 + 2)) / (1 - 2 ** -1.5);
    close(f.tradeRate, expected);
  });
});
