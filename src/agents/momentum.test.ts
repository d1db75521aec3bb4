import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputAt, WED_OVERLAP_MS } from '../../test/agents.js';
import { prng } from '../core/index.js';
import { defineAnalyst } from './analyst.js';
import { DEFAULT_AGENTS_CONFIG } from './config.js';
import { analyzeMomentum, blockBootstrapPositiveShare, MOMENTUM_ANALYST } from './momentum.js';

const T = WED_OVERLAP_MS;
const up = { ema_3: 1.101, ema_6: 1.1005, ema_12: 1.1, rsi_7: 65, adx_7: 30, plus_di_7: 30, minus_di_7: 10 };
const down = { ema_3: 1.099, ema_6: 1.0995, ema_12: 1.1, rsi_7: 15, adx_7: 40, plus_di_7: 8, minus_di_7: 35 };

describe('momentum analyst', () => {
  it('is flat with confidence 0 while the indicators are not ready', () => {
    const s = analyzeMomentum(inputAt(T, { ema_3: 1.1, ema_6: 1.1 }));
    assert.equal(s.direction, 'flat');
    assert.equal(s.confidence, 0);
    // NaN evidence becomes null (JSON has no NaN).
    assert.equal(s.evidence.ema_12, null);
    assert.equal(s.evidence.ema_3, 1.1);
  });

  it('goes long on EMAs stacked up with ADX above 20, confidence from ADX', () => {
    // strength = (30 − 20) / (40 − 20) = 0.5 → confidence 0.5 + 0.5·0.5 = 0.75; RSI 65 < 80.
    const s = defineAnalyst(MOMENTUM_ANALYST).analyze(inputAt(T, up));
    assert.equal(s.agent, 'momentum');
    assert.equal(s.direction, 'long');
    assert.equal(s.confidence, 0.75);
    assert.equal(s.evidence.adx_7, 30);
    assert.equal(s.horizonSec, 300);
  });

  it('halves the confidence of an exhausted short (RSI ≤ 20)', () => {
    // ADX 40 saturates strength (1 → confidence 1); RSI 15 ≤ 100 − 80 → × 0.5 = 0.5.
    const s = analyzeMomentum(inputAt(T, down));
    assert.equal(s.direction, 'short');
    assert.equal(s.confidence, 0.5);
    assert.equal(s.evidence.exhausted, true);
  });

  it('stays flat when ADX is weak, the EMAs are mixed or the DIs disagree', () => {
    assert.equal(analyzeMomentum(inputAt(T, { ...up, adx_7: 15 })).direction, 'flat');
    assert.equal(analyzeMomentum(inputAt(T, { ...up, ema_6: 1.102 })).direction, 'flat');
    const di = analyzeMomentum(inputAt(T, { ...up, plus_di_7: 10, minus_di_7: 30 }));
    assert.equal(di.direction, 'flat');
    assert.equal(di.confidence, DEFAULT_AGENTS_CONFIG.momentum.flatConfidence);
  });

  it('scales confidence by the bootstrap support of the recent bars', () => {
    // 30 closes rising by 1 pip a bar: every return > 0, so every resample mean is > 0: support 1.
    const rising = Array.from({ length: 30 }, (_, i) => 1.1 + 0.0001 * i);
    const a = analyzeMomentum(inputAt(T, up, { closes: rising }));
    assert.equal(a.evidence.bootstrap_support, 1);
    assert.equal(a.evidence.bootstrap_returns, 29);
    assert.equal(a.confidence, 0.75);
    // The same bars falling contradict the long: support 0 → confidence 0.
    const b = analyzeMomentum(inputAt(T, up, { closes: [...rising].reverse() }));
    assert.equal(b.direction, 'long');
    assert.equal(b.confidence, 0);
    // Fewer closes than bootstrapMinBars (20): no bootstrap.
    const c = analyzeMomentum(inputAt(T, up, { closes: rising.slice(0, 10) }));
    assert.equal(c.evidence.bootstrap_support, undefined);
  });

  it('bootstraps deterministically: zero returns count half, same seed same share', () => {
    assert.equal(blockBootstrapPositiveShare([0, 0, 0], 100, 2, 1), 0.5);
    const r = [0.001, -0.002, 0.0005, 0.0015, -0.0001, 0.0003, -0.0004, 0.0002];
    const x = blockBootstrapPositiveShare(r, 500, 3, 9);
    assert.equal(blockBootstrapPositiveShare(r, 500, 3, 9), x);
    assert.ok(x > 0 && x < 1);
  });

  it('bootstraps blocks of b with a shorter last one: [1, −2, 3] in blocks of 2 is positive 3/8 of the time', () => {
    // A resample is a block of 2 from start 0 or 1 (sum −1 or 1), then one value from start 0 or
    // 1 (1 or −2): totals 0 (counts ½), −3, 2, −1, each a quarter of the time: (½ + 1) / 4 = 0.375.
    // 40,000 resamples: the standard error is √(0.1719 / 40,000) ≈ 0.0021; four of them bound it.
    const x = blockBootstrapPositiveShare([1, -2, 3], 40_000, 2, 3);
    assert.ok(Math.abs(x - 0.375) < 0.0084, `${x}`);
    // Another length between: the table of starts is drawn again, not reused.
    assert.equal(blockBootstrapPositiveShare([1, 1], 100, 2, 3), 1);
    assert.ok(Math.abs(blockBootstrapPositiveShare([1, -2, 3], 40_000, 2, 3) - x) === 0);
  });

  it('counts what a plain resampling counts, draw by draw, for any number of resamples', () => {
    // Whole-number returns add up exactly in any order, so a plain resampling (each block's values
    // added one by one, the starts drawn in order, ceil(n / b) blocks a resample) must agree to the
    // last resample, including counts not a multiple of four and a last block cut short.
    const plain = (rets: number[], resamples: number, b: number, seed: number) => {
      const rand = prng(seed);
      let positive = 0;
      for (let r = 0; r < resamples; r++) {
        let sum = 0;
        for (let taken = 0; taken < rets.length; taken += b) {
          const s = Math.floor(rand() * (rets.length - b + 1));
          for (let i = 0; i < Math.min(b, rets.length - taken); i++) sum += rets[s + i];
        }
        positive += sum > 0 ? 1 : sum === 0 ? 0.5 : 0;
      }
      return positive / resamples;
    };
    const cases: [number[], number, number, number][] = [
      [[1, -2, 3, -1, 2], 103, 2, 7],
      [[1, -2, 3, -1, 2, -3], 101, 2, 8],
      [[2, -1, -1, 1, -2, 0, 1], 7, 3, 9],
      [[-1, 1, -1, 1, 0], 6, 5, 10],
      [[3, -4], 1, 1, 11],
    ];
    for (const [rets, resamples, b, seed] of cases) {
      assert.equal(
        blockBootstrapPositiveShare(rets, resamples, b, seed),
        plain(rets, resamples, b, seed),
        `${rets}`,
      );
    }
  });
});
