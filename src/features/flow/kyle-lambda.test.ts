import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Aggressor } from './common.js';
import { KyleLambda } from './kyle-lambda.js';

const { BUY: B, SELL: A, NONE: N } = Aggressor;
const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

// Intervals of 1 s, window of 4 points. Interval ends and their points (OF, ΔM):
//   interval 0: mid 100 (reference only)
//   interval 1: B 10, mid 102                       → (10, 2)
//   interval 2: A 5, mid 101                        → (−5, −1)
//   interval 3: B 15, B 5, N 7 (unsigned), UNDEF B 100 (dropped), mid 104 → (20, 3)
//   interval 4: nothing at all (no volume)          → (0, 0)
// Σx = 25, Σx² = 525, Σy = 4, Σxy = 85, Σy² = 14, n = 4:
// λ = (4·85 − 25·4) / (4·525 − 25²) = 240 / 1475 = 48/295 = 0.16271186440677965
// R² = 240² / (1475 · (4·14 − 4²)) = 57600 / 59000.
function feed(k: KyleLambda): void {
  k.updateMid(0, 100);
  k.update(1100, 1.1, 10, B);
  k.updateMid(1900, 102);
  k.update(2100, 1.1, 5, A);
  k.updateMid(2500, 101);
  k.update(3000, 1.1, 15, B);
  k.update(3100, 1.1, 5, B);
  k.update(3200, 1.1, 7, N);
  k.update(3300, Number.NaN, 100, B);
  k.updateMid(3400, 104);
  k.updateMid(3500, Number.NaN);
}

describe('KyleLambda', () => {
  it('is the OLS slope of mid changes on signed flow over 4 intervals', () => {
    const k = new KyleLambda({ intervalMs: 1000, windowIntervals: 4 });
    feed(k);
    k.advance(4000); // closes interval 3
    assert.equal(k.points, 3);
    assert.ok(Number.isNaN(k.value));
    k.advance(5000); // closes the empty interval 4 with OF = 0, ΔM = 0
    assert.equal(k.points, 4);
    close(k.value, 48 / 295);
    close(k.value, 0.16271186440677965);
    close(k.rSquared, 57600 / 59000);
    assert.equal(k.droppedTrades, 1);
  });

  it('reports ticks per 100 contracts when given the tick', () => {
    const k = new KyleLambda({ intervalMs: 1000, windowIntervals: 4, tick: 0.5, contracts: 100 });
    feed(k);
    k.advance(5000);
    close(k.value, ((48 / 295) * 100) / 0.5, 1e-10); // 32.54237288…
  });

  it('skips the intervals inside a gap and the mid change across it', () => {
    const k = new KyleLambda({ intervalMs: 1000, windowIntervals: 4, maxGapIntervals: 5 });
    feed(k);
    k.advance(5000);
    // Interval 5 was reached (time advanced into it) and closes with (0, 0); 6..19 are a gap.
    k.updateMid(20_000, 110); // interval 20: first end after the gap, reference only
    k.update(21_100, 1.1, 10, B);
    k.updateMid(21_500, 111); // interval 21 → (10, 1)
    k.advance(22_000);
    // Window (last 4): (20, 3), (0, 0), (0, 0), (10, 1): Σx = 30, Σx² = 500, Σy = 4, Σxy = 70.
    // λ = (4·70 − 30·4) / (4·500 − 30²) = 160 / 1100 = 8/55. Had the gap been filled with
    // zero points, or ΔM = 110 − 104 been used, the window would differ.
    close(k.value, 8 / 55);
  });

  it('is NaN when the order flow does not vary', () => {
    const k = new KyleLambda({ intervalMs: 1000, windowIntervals: 3 });
    k.updateMid(0, 100);
    k.updateMid(1500, 101);
    k.updateMid(2500, 100);
    k.updateMid(3500, 102);
    k.advance(4000);
    assert.equal(k.points, 3);
    assert.equal(k.isReady, false);
    assert.ok(Number.isNaN(k.value));
  });

  it('rejects a window smaller than three points', () => {
    assert.throws(() => new KyleLambda({ windowIntervals: 2 }), {
      name: 'InvalidOptionError',
      message: 'minPoints must be an integer in [3, 2], got 2',
    });
  });
});

describe("KyleLambda with Hasbrouck's square-root flow", () => {
  it('regresses on sign(OF)·sqrt(|OF|)', () => {
    // OF = 4, −9, 16, 0 → x = 2, −3, 4, 0; ΔM = 1, −2, 3, 0.
    // Σx = 3, Σx² = 29, Σy = 2, Σxy = 20: λ = (4·20 − 3·2) / (4·29 − 3²) = 74/107.
    const k = new KyleLambda({ intervalMs: 1000, windowIntervals: 4, flow: 'sqrt' });
    k.updateMid(0, 100);
    k.update(1100, 1.1, 4, B);
    k.updateMid(1200, 101);
    k.update(2100, 1.1, 9, A);
    k.updateMid(2200, 99);
    k.update(3100, 1.1, 16, B);
    k.updateMid(3200, 102);
    k.advance(5000);
    close(k.value, 74 / 107);
  });
});
