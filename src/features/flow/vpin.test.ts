import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Aggressor } from './common.js';
import { Vpin, vpinBucketVolume } from './vpin.js';

const { BUY: B, SELL: A, NONE: N } = Aggressor;
const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe('Vpin with aggressor flags', () => {
  it('computes a 3-bucket VPIN by hand, splitting a trade that straddles two buckets', () => {
    // V = 10, n = 3.
    const v = new Vpin({ bucketVolume: 10, windowBuckets: 3, cdfMemory: 5, cdfMinHistory: 1 });
    v.update(0, 1.1, 6, B);
    v.update(1, 1.1, 4, A); // bucket 1 = B6 S4 exactly full: |4 − 6| = 2
    assert.equal(v.bucketCount, 1);
    v.update(2, 1.1, 3, B);
    v.update(3, 1.1, 12, A); // room 7: bucket 2 = B3 S7 (|7 − 3| = 4); S5 starts bucket 3
    assert.equal(v.bucketCount, 2);
    assert.equal(v.currentSellVolume, 5);
    assert.ok(Number.isNaN(v.value));
    v.update(4, 1.1, 8, B); // room 5: bucket 3 = B5 S5 (0); B3 starts bucket 4
    // VPIN = (2 + 4 + 0) / (3 · 10) = 0.2; the only history value → CDF 1.
    assert.equal(v.isReady, true);
    close(v.value, 0.2);
    assert.equal(v.cdf, 1);
    assert.equal(v.currentBuyVolume, 3);
    v.update(5, 1.1, 7, B); // bucket 4 = B10 (10): window 2..4 = (4 + 0 + 10)/30
    close(v.value, 14 / 30);
    assert.equal(v.cdf, 1); // history {0.2, 0.467}: both ≤ 0.467
    v.update(6, 1.1, 5, B);
    v.update(7, 1.1, 5, A); // bucket 5 = B5 S5 (0): window 3..5 = (0 + 10 + 0)/30
    close(v.value, 1 / 3);
    close(v.cdf, 2 / 3); // history {0.2, 0.467, 0.333}: two ≤ 0.333
  });

  it('fills several buckets from one large trade', () => {
    const v = new Vpin({ bucketVolume: 10, windowBuckets: 2, cdfMinHistory: 1 });
    v.update(0, 1.1, 25, B); // B10 | B10 | B5 pending: VPIN = (10 + 10)/(2·10) = 1
    assert.equal(v.bucketCount, 2);
    assert.equal(v.value, 1);
    assert.equal(v.currentBuyVolume, 5);
  });

  it('runs on volume time across a gap in the data', () => {
    const v = new Vpin({ bucketVolume: 10, windowBuckets: 1, cdfMinHistory: 1 });
    v.update(0, 1.1, 4, B);
    v.update(36_000_000, 1.1, 6, A); // ten hours later the same bucket closes: |6 − 4|/10
    close(v.value, 0.2);
  });

  it('drops trades with an UNDEF price', () => {
    const v = new Vpin({ bucketVolume: 10, windowBuckets: 1 });
    v.update(0, Number.NaN, 4, B);
    v.update(0, 1.1, 0, B);
    assert.equal(v.droppedTrades, 2);
    assert.equal(v.currentBuyVolume, 0);
  });

  it('keeps the CDF NaN until its minimum history', () => {
    const v = new Vpin({ bucketVolume: 10, windowBuckets: 1, cdfMemory: 10, cdfMinHistory: 3 });
    v.update(0, 1.1, 10, B);
    v.update(0, 1.1, 10, A);
    assert.equal(v.value, 1);
    assert.ok(Number.isNaN(v.cdf));
    v.update(0, 1.1, 5, A);
    v.update(0, 1.1, 5, B); // VPIN 0; history {1, 1, 0}: one ≤ 0
    close(v.cdf, 1 / 3);
  });

  it('forgets VPIN values older than its CDF memory', () => {
    const v = new Vpin({ bucketVolume: 10, windowBuckets: 1, cdfMemory: 2, cdfMinHistory: 1 });
    v.update(0, 1.1, 10, B); // 1
    v.update(0, 1.1, 5, B);
    v.update(0, 1.1, 5, A); // 0; history {1, 0}: CDF 1/2
    close(v.cdf, 0.5);
    v.update(0, 1.1, 6, B);
    v.update(0, 1.1, 4, A); // 0.2; history {0, 0.2} (the 1 is forgotten): CDF 1
    close(v.cdf, 1);
  });

  it("re-sizes from the next bucket on and weighs a mixed window by its buckets' volumes", () => {
    const v = new Vpin({ bucketVolume: 10, windowBuckets: 2, cdfMinHistory: 1 });
    v.update(0, 1.1, 8, B);
    v.update(1, 1.1, 2, A); // bucket 1 (V 10) = B8 S2: |2 − 8| = 6
    v.update(2, 1.1, 3, B); // bucket 2 has started at V 10 …
    v.setBucketVolume(20); // … and keeps it: the new volume applies from bucket 3
    assert.equal(v.bucketVolume, 20);
    v.update(3, 1.1, 7, B); // bucket 2 = B10: |0 − 10| = 10; VPIN (6 + 10) / (2 · 10) = 0.8
    assert.equal(v.bucketCount, 2);
    close(v.value, 0.8);
    v.update(4, 1.1, 15, A);
    v.update(5, 1.1, 5, B); // bucket 3 (V 20) = B5 S15: 10. Window {2, 3}: (10 + 10) / (10 + 20)
    assert.equal(v.bucketCount, 3);
    close(v.value, 20 / 30);
    v.update(6, 1.1, 20, B); // bucket 4 (V 20) = B20: 20. Window {3, 4}: (10 + 20) / (2 · 20)
    close(v.value, 0.75);
  });

  it('takes a new bucket volume at once while the current bucket is empty', () => {
    const v = new Vpin({ bucketVolume: 10, windowBuckets: 1, cdfMinHistory: 1 });
    v.setBucketVolume(4);
    v.update(0, 1.1, 3, B);
    v.update(1, 1.1, 1, A); // one bucket of 4: |1 − 3| / 4
    close(v.value, 0.5);
    assert.throws(() => v.setBucketVolume(0), /bucketVolume/);
  });

  it('sizes buckets as average daily volume / 50', () => {
    assert.equal(vpinBucketVolume(1_000_000), 20_000);
    assert.equal(vpinBucketVolume(1_000_000, 100), 10_000);
  });
});

describe('Vpin with bulk volume classification', () => {
  it('splits bar volume with Φ(ΔP/σ) and pro rata across a bucket boundary', () => {
    // 1-min bars, σ² an EWMA with α = 1/2 (half-life 1 bar), V = 100, n = 1.
    const v = new Vpin({
      bucketVolume: 100,
      windowBuckets: 1,
      classification: 'bvc',
      sigmaHalfLifeBars: 1,
      cdfMinHistory: 1,
    });
    v.update(0, 100, 10, B); // bar 0: close 100, 10 lots (flags ignored under 'bvc')
    assert.equal(v.pendingBvcVolume, 10);
    v.update(60_000, 102, 40, N); // bar 0 closes: no previous bar → split 5/5
    assert.equal(v.lastBuyFraction, 0.5);
    assert.equal(v.currentBuyVolume, 5);
    v.update(120_000, 101, 70, A); // bar 1 closes: ΔP = 2, σ² = 4, z = 1, Φ(1) = 0.8413447460685429
    // 40 lots → B 33.653789842741716, S 6.346210157258283; bucket holds 50.
    close(v.currentBuyVolume, 5 + 33.653789842741716);
    close(v.currentSellVolume, 5 + 6.346210157258283);
    close(v.sigmaDeltaP, 2);
    v.advance(180_000); // bar 2 closes: ΔP = −1, σ² = (4 + 1)/2 = 2.5, z = −1/√2.5 = −0.6324555320336759
    // Φ(z) = 0.26354462843276905. 70 lots, room 50: the bucket takes 50 pro rata,
    // B = 5 + 33.6538 + 50·Φ(z) = 51.83102126438017, S = 48.16897873561983 → VPIN = 3.662042528760338/100.
    close(v.lastBuyFraction, 0.26354462843276905);
    close(v.value, 0.036620425287603384);
    // The other 20 lots start the next bucket: B 20·Φ(z), S 20·(1 − Φ(z)).
    close(v.currentBuyVolume, 5.2708925686553805);
    close(v.currentSellVolume, 14.72910743134462);
  });

  it("uses the flags when present and BVC only for side 'N' under 'auto'", () => {
    const v = new Vpin({ bucketVolume: 100, windowBuckets: 1 });
    v.update(0, 100, 5, B);
    v.update(10, 100, 5, N);
    assert.equal(v.currentBuyVolume, 5);
    assert.equal(v.pendingBvcVolume, 5);
    v.advance(60_000); // first bar: no ΔP → half and half
    assert.equal(v.currentBuyVolume, 7.5);
    assert.equal(v.currentSellVolume, 2.5);
    assert.equal(v.pendingBvcVolume, 0);
  });

  it('splits a bar whose price did not move half and half', () => {
    const v = new Vpin({ bucketVolume: 100, windowBuckets: 1, classification: 'bvc' });
    v.update(0, 100, 4, N);
    v.update(60_000, 100, 6, N); // bar 0 closes: first bar
    v.update(120_000, 100, 1, N); // bar 1 closes: ΔP = 0, σ = 0 → 1/2
    assert.equal(v.lastBuyFraction, 0.5);
    assert.equal(v.currentBuyVolume, 5);
  });
});
