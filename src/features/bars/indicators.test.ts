/** Hand-worked numbers for each indicator; the working is in the comments. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Adx } from './adx.js';
import { Atr } from './atr.js';
import { Ema } from './ema.js';
import {
  GarmanKlassVolatility,
  garmanKlassVariance,
  ParkinsonVolatility,
  parkinsonVariance,
} from './range-volatility.js';
import { Rsi } from './rsi.js';
import { SessionVwap } from './vwap.js';
import { TrueRange, trueRange, WilderAverage, WilderSum } from './wilder.js';

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} != ${expected} (tol ${tol})`);
}

describe('Wilder smoothing (TA-Lib seeds)', () => {
  it('WilderAverage: mean of the first N, then A = (A·(N−1) + x)/N', () => {
    // N = 3 on 3, 6, 9, 12: seed (3+6+9)/3 = 6 at the third value; then (6·2 + 12)/3 = 8.
    const a = new WilderAverage(3);
    assert.ok(Number.isNaN(a.update(3)));
    assert.ok(Number.isNaN(a.update(6)));
    assert.equal(a.isReady, false);
    assert.equal(a.update(9), 6);
    assert.equal(a.update(12), 8);
  });

  it('WilderSum: N−1 values summed, then S = S − S/N + x', () => {
    // N = 3 on 3, 6, 9, 12: 3, 3+6 = 9 (warming up); 9 − 9/3 + 9 = 15; 15 − 15/3 + 12 = 22.
    const s = new WilderSum(3);
    assert.equal(s.update(3), 3);
    assert.equal(s.update(6), 9);
    assert.ok(Number.isNaN(s.value), 'not ready after N−1 values');
    assert.equal(s.update(9), 15);
    assert.equal(s.value, 15);
    assert.equal(s.update(12), 22);
  });

  it('TrueRange: the first bar only anchors, later bars use the previous close', () => {
    // b0 H10 L9 C9.5 → NaN; b1 H12 L11 C11.5: max(1, |12−9.5|, |11−9.5|) = 2.5; b2 H11 L10.5: max(0.5, 0.5, 1) = 1.
    const tr = new TrueRange();
    assert.ok(Number.isNaN(tr.update(10, 9, 9.5)));
    assert.equal(tr.update(12, 11, 11.5), 2.5);
    assert.equal(tr.update(11, 10.5, 10.75), 1);
  });
});

describe('Ema (TA-Lib: SMA seed)', () => {
  it('seeds with the mean of the first N inputs, then k = 2/(N+1)', () => {
    // EMA(3): k = 0.5. Inputs 1, 2, 3 → seed (1+2+3)/3 = 2; 4 → 2 + 0.5·(4−2) = 3; 5 → 3 + 0.5·2 = 4.
    const e = new Ema(3);
    assert.ok(Number.isNaN(e.update(1)));
    assert.ok(Number.isNaN(e.update(2)));
    assert.equal(e.isReady, false);
    assert.equal(e.update(3), 2);
    assert.equal(e.isReady, true);
    assert.equal(e.update(4), 3);
    assert.equal(e.update(5), 4);
    e.reset();
    assert.ok(Number.isNaN(e.value));
    assert.equal(e.count, 0);
  });

  it('EMA(6) and EMA(12) on a ramp lag by (N−1)/2', () => {
    // On x_t = t the SMA seed of N inputs is (N−1)/2 behind the last input, and the EMA's steady
    // lag is (1−k)/k = (N−1)/2, so the value stays exactly x_t − (N−1)/2.
    for (const n of [6, 12]) {
      const e = new Ema(n);
      for (let t = 0; t < 40; t++) e.update(t);
      close(e.value, 39 - (n - 1) / 2, 1e-12);
    }
  });
});

describe('Rsi (Wilder, TA-Lib)', () => {
  it('worked RSI(3)', () => {
    // closes 10, 11, 10.5, 11.5, 11, 12 → changes +1, −0.5, +1, −0.5, +1.
    // First 3 changes: avgGain = (1+0+1)/3 = 2/3, avgLoss = (0+0.5+0)/3 = 1/6 → RSI = 100·(2/3)/(5/6) = 80.
    // −0.5: gain = (2/3·2 + 0)/3 = 4/9, loss = (1/6·2 + 0.5)/3 = 5/18 → RSI = 100·(8/18)/(13/18) = 800/13.
    // +1:  gain = (4/9·2 + 1)/3 = 17/27, loss = (5/18·2)/3 = 5/27 → RSI = 100·17/22.
    const r = new Rsi(3);
    for (const c of [10, 11, 10.5]) assert.ok(Number.isNaN(r.update(c)));
    assert.equal(r.isReady, false);
    close(r.update(11.5), 80);
    close(r.averageGain, 2 / 3);
    close(r.averageLoss, 1 / 6);
    close(r.update(11), 800 / 13);
    close(r.update(12), 1700 / 22);
  });

  it('no losses → 100; flat (no gains, no losses) → 0 as TA-Lib (trading-signals gives 100)', () => {
    const up = new Rsi(3);
    for (const c of [1, 2, 3, 4]) up.update(c);
    assert.equal(up.value, 100);
    const down = new Rsi(3);
    for (const c of [4, 3, 2, 1]) down.update(c);
    assert.equal(down.value, 0);
    const flat = new Rsi(3);
    for (const c of [5, 5, 5, 5]) flat.update(c);
    assert.equal(flat.value, 0);
  });
});

describe('Atr (Wilder, TA-Lib)', () => {
  it('worked ATR(3): the first bar only anchors', () => {
    // b0 H10 L8 C9.5 (no TR)
    // b1 H11 L9.5 C10.5: TR = max(1.5, |11−9.5|, |9.5−9.5|) = 1.5
    // b2 H10.5 L10 C10:  TR = max(0.5, 0, 0.5) = 0.5
    // b3 H12 L10.5 C11.5: TR = max(1.5, 2, 0.5) = 2 → ATR = (1.5+0.5+2)/3 = 4/3
    // b4 H11.5 L11 C11:  TR = max(0.5, 0, 0.5) = 0.5 → ATR = (4/3·2 + 0.5)/3 = 19/18
    const a = new Atr(3);
    assert.ok(Number.isNaN(a.update(10, 8, 9.5)));
    assert.ok(Number.isNaN(a.trueRange));
    a.update(11, 9.5, 10.5);
    assert.equal(a.trueRange, 1.5);
    a.update(10.5, 10, 10);
    assert.equal(a.isReady, false);
    close(a.update(12, 10.5, 11.5), 4 / 3);
    assert.equal(a.trueRange, 2);
    close(a.update(11.5, 11, 11), 19 / 18);
  });

  it('trueRange uses the gap from the previous close', () => {
    assert.equal(trueRange(10, 9, Number.NaN), 1);
    assert.equal(trueRange(10, 9, 7), 3); // gap up: H − C_prev
    assert.equal(trueRange(10, 9, 12), 3); // gap down: C_prev − L
  });
});

describe('Adx (Wilder DMI, TA-Lib)', () => {
  it('worked ADX(2) with +DI, −DI and DX, including an exact DM tie', () => {
    // b0 H10 L8 C9
    // b1 H11 L9 C10.5:  up 1, down −1 → +DM 1; TR 2. Seed sums (N−1 = 1 value): S+ 1, S− 0, STR 2.
    // b2 H10.5 L8.5 C9: up −0.5, down 0.5 → −DM 0.5; TR max(2, 0, 2) = 2.
    //   S+ = 1 − 1/2 + 0 = 0.5, S− = 0 + 0.5 = 0.5, STR = 2 − 1 + 2 = 3 → +DI = −DI = 50/3, DX = 0.
    // b3 H12 L10 C11.5: up 1.5, down −1.5 → +DM 1.5; TR max(2, 3, 1) = 3.
    //   S+ = 0.25 + 1.5 = 1.75, S− = 0.25, STR = 1.5 + 3 = 4.5 → +DI = 175/4.5, −DI = 25/4.5,
    //   DX = 100·150/200 = 75. ADX = mean of the first N = 2 DX = (0 + 75)/2 = 37.5.
    // b4 H12.5 L11 C12: up 0.5, down −1 → +DM 0.5; TR max(1.5, 1, 0.5) = 1.5.
    //   S+ = 0.875 + 0.5 = 1.375, S− = 0.125, STR = 2.25 + 1.5 = 3.75 → +DI = 137.5/3.75,
    //   −DI = 12.5/3.75, DX = 100·125/150 = 250/3; ADX = (37.5 + 250/3)/2 = 60.41666…
    // b5 H13 L10.5 C12: up 0.5, down 0.5 — a tie: +DM = −DM = 0 (trading-signals would count both);
    //   TR max(2.5, 1, 1.5) = 2.5. S+ = 0.6875, S− = 0.0625, STR = 1.875 + 2.5 = 4.375 →
    //   +DI = 68.75/4.375, −DI = 6.25/4.375, DX = 100·62.5/75 = 250/3; ADX = (60.41666… + 83.333…)/2 = 71.875.
    const x = new Adx(2);
    assert.ok(Number.isNaN(x.update(10, 8, 9)));
    x.update(11, 9, 10.5);
    assert.equal(x.isDiReady, false);
    assert.ok(Number.isNaN(x.plusDi));
    x.update(10.5, 8.5, 9);
    assert.equal(x.isDiReady, true);
    close(x.plusDi, 50 / 3);
    close(x.minusDi, 50 / 3);
    assert.equal(x.dx, 0);
    assert.equal(x.isReady, false);
    assert.ok(Number.isNaN(x.value));
    close(x.update(12, 10, 11.5), 37.5);
    assert.equal(x.isReady, true);
    close(x.plusDi, 175 / 4.5);
    close(x.minusDi, 25 / 4.5);
    close(x.dx, 75);
    close(x.update(12.5, 11, 12), (37.5 + 250 / 3) / 2);
    close(x.plusDi, 137.5 / 3.75);
    close(x.minusDi, 12.5 / 3.75);
    close(x.update(13, 10.5, 12), 71.875, 1e-12);
    close(x.plusDi, 68.75 / 4.375);
    close(x.minusDi, 6.25 / 4.375);
  });

  it('a flat market gives DI = DX = 0', () => {
    const x = new Adx(2);
    for (let i = 0; i < 5; i++) x.update(1, 1, 1);
    assert.equal(x.plusDi, 0);
    assert.equal(x.minusDi, 0);
    assert.equal(x.value, 0);
  });
});

describe('SessionVwap', () => {
  it('worked VWAP and σ bands', () => {
    // (1.1000, 2), (1.1010, 1), (1.0990, 1): Σv = 4, Σpv = 2.2 + 1.101 + 1.099 = 4.4 → VWAP 1.1.
    // σ² = Σv(p − VWAP)²/Σv = (0 + 1e-6 + 1e-6)/4 = 5e-7 → σ = 7.0710678e-4.
    const v = new SessionVwap();
    assert.ok(Number.isNaN(v.value));
    assert.equal(v.isReady, false);
    v.update(0, 1.1, 2);
    assert.equal(v.stdDev, 0);
    v.update(1, 1.101, 1);
    v.update(2, 1.099, 1);
    close(v.value, 1.1, 1e-15);
    close(v.stdDev, Math.sqrt(5e-7), 1e-15);
    close(v.upper(2), 1.1 + 2 * Math.sqrt(5e-7), 1e-15);
    close(v.lower(1), 1.1 - Math.sqrt(5e-7), 1e-15);
    close(v.band(-3), 1.1 - 3 * Math.sqrt(5e-7), 1e-15);
    assert.equal(v.volume, 4);
    v.update(3, 2, 0); // zero volume: ignored
    v.update(3, Number.NaN, 5); // UNDEF price: ignored
    close(v.value, 1.1, 1e-15);
    v.newSession();
    assert.ok(Number.isNaN(v.value));
    v.update(4, 1.2, 1);
    assert.equal(v.value, 1.2);
    assert.equal(v.sessions, 2);
    v.reset();
    assert.equal(v.sessions, 0);
  });

  it('updateBar uses the typical price (H+L+C)/3', () => {
    // (3 + 1 + 2)/3 = 2 with volume 1, then (6 + 4 + 5)/3 = 5 with volume 2 → (2 + 10)/3 = 4.
    const v = new SessionVwap();
    v.updateBar(0, 3, 1, 2, 1);
    v.updateBar(1, 6, 4, 5, 2);
    close(v.value, 4);
  });

  it('anchors at the Globex open, 17:00 Chicago (23:00 UTC in winter, 22:00 UTC in summer)', () => {
    const v = new SessionVwap({ anchor: 'globex' });
    v.update(Date.UTC(2026, 10, 24, 22, 59, 59), 1.1, 1);
    v.update(Date.UTC(2026, 10, 24, 22, 59, 59, 500), 1.2, 1);
    close(v.value, 1.15);
    v.update(Date.UTC(2026, 10, 24, 23, 0, 0), 1.3, 1); // first trade of the new trading day
    assert.equal(v.value, 1.3);
    assert.equal(v.sessions, 2);
    assert.equal(v.sessionStartMs, Date.UTC(2026, 10, 24, 23, 0, 0));
    assert.equal(v.nextResetMs, Date.UTC(2026, 10, 25, 23, 0));
  });

  it('anchors at a centre open (London 08:00 local) or a caller function', () => {
    const v = new SessionVwap({ anchor: 'london' });
    v.update(Date.UTC(2026, 10, 24, 7, 59), 1, 1);
    v.update(Date.UTC(2026, 10, 24, 8, 1), 2, 1);
    assert.equal(v.value, 2);
    // Hourly anchors from a function.
    const hourly = new SessionVwap({ anchor: (ms) => (Math.floor(ms / 3_600_000) + 1) * 3_600_000 });
    hourly.update(3_600_000 - 1, 1, 1);
    hourly.update(3_600_000, 3, 1);
    hourly.update(3_600_001, 5, 1);
    assert.equal(hourly.value, 4);
    assert.equal(hourly.sessions, 2);
  });
});

describe('Parkinson and Garman–Klass', () => {
  it('worked per-bar variances', () => {
    // ln H/L = 0.02 → Parkinson σ² = 0.0004/(4 ln 2) = 1.4426950e-4.
    close(parkinsonVariance(Math.exp(0.02), 1), 0.0004 / (4 * Math.LN2), 1e-15);
    close(parkinsonVariance(Math.exp(0.02), 1), 1.442695040888963e-4, 1e-15);
    // O = 1, H = e^0.02, L = 1, C = e^0.01: σ² = 0.5·0.0004 − (2 ln 2 − 1)·0.0001
    //   = 0.0002 − 0.38629436·0.0001 = 1.6137056e-4.
    close(garmanKlassVariance(1, Math.exp(0.02), 1, Math.exp(0.01)), 1.61370563888e-4, 1e-15);
    assert.equal(parkinsonVariance(1.1, 1.1), 0); // H = L
    assert.equal(garmanKlassVariance(1.1, 1.1, 1.1, 1.1), 0);
  });

  it('rolling window of 2 bars', () => {
    // Bars with ln H/L = 0.02, 0.04, 0 → Parkinson σ² = 4e-4, 16e-4, 0 over 4 ln 2.
    // Window 2: mean(4e-4, 16e-4)/(4 ln 2) = 10e-4/(4 ln 2); then mean(16e-4, 0)/(4 ln 2) = 8e-4/(4 ln 2).
    const p = new ParkinsonVolatility(2);
    const g = new GarmanKlassVolatility(2);
    assert.ok(Number.isNaN(p.update(Math.exp(0.02), 1)));
    g.update(1, Math.exp(0.02), 1, 1); // C = O: GK = 0.5·4e-4 = 2e-4
    assert.equal(p.isReady, false);
    p.update(Math.exp(0.04), 1);
    g.update(1, Math.exp(0.04), 1, 1); // GK = 0.5·16e-4 = 8e-4
    assert.equal(p.isReady, true);
    close(p.variance, 10e-4 / (4 * Math.LN2), 1e-15);
    close(p.value, Math.sqrt(10e-4 / (4 * Math.LN2)), 1e-15);
    close(g.variance, 5e-4, 1e-15);
    p.update(Number.NaN, 1); // a bar without trades is skipped
    g.update(Number.NaN, 1, 1, 1);
    close(p.variance, 10e-4 / (4 * Math.LN2), 1e-15);
    p.update(1.5, 1.5);
    g.update(1.5, 1.5, 1.5, 1.5);
    close(p.variance, 8e-4 / (4 * Math.LN2), 1e-15);
    close(g.variance, 4e-4, 1e-15);
    // Annualised: per-bar σ · √(1380 · 252) one-minute bars.
    close(g.annualized(1380 * 252), Math.sqrt(4e-4) * Math.sqrt(1380 * 252), 1e-12);
    p.reset();
    assert.equal(p.isReady, false);
  });

  it('the ring sum does not drift over many wraps', () => {
    const p = new ParkinsonVolatility(3);
    for (let i = 0; i < 10_000; i++) p.update(Math.exp(0.001 * ((i % 7) + 1)), 1);
    // The last three bars are i = 9997, 9998, 9999 → i % 7 = 1, 2, 3 → ln H/L = 0.002, 0.003, 0.004.
    close(p.variance, (4e-6 + 9e-6 + 16e-6) / 3 / (4 * Math.LN2), 1e-18);
  });
});
