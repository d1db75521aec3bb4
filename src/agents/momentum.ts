/**
 * Fast momentum analyst: EMA 3/6/12, RSI(7) and ADX(7) on 1-minute bars (MICROSTRUCTURE.md §15,
 * Wilder 1978).
 *
 * Rules:
 * - direction: long when the EMAs are stacked upwards (EMA3 > EMA6 > EMA12) and +DI ≥ −DI, short
 *   when stacked downwards and −DI ≥ +DI; mixed EMAs or DIs against the stack → flat;
 * - strength: a stack counts only when ADX ≥ `adxTrendMin` (Wilder reads ADX above 20–25 as a
 *   trend); confidence rises linearly from 0.5 at `adxTrendMin` to 1 at `adxStrong`;
 * - exhaustion: a long at RSI ≥ `rsiExhausted` (a short at RSI ≤ 100 − it) keeps its direction at
 *   `exhaustedScale` × the confidence, since a stretched fast RSI often precedes a pause;
 * - bootstrap (when `AgentInput.closes` holds ≥ `bootstrapMinBars` closes): confidence ×= the share
 *   of moving-block bootstrap resamples of the recent 1-minute log returns whose mean has the
 *   signal's sign. The block bootstrap (Künsch 1989) keeps short-range dependence of returns, so the
 *   share measures how consistently the recent bars support the drift the EMAs claim, without
 *   assuming normal returns. It costs O(resamples × bars), the step `createAnalysts` moves to a
 *   worker thread.
 * Indicators are NaN for the first ~30 minutes after a reset (MICROSTRUCTURE.md §15): flat, 0.
 */
import { prng } from '../core/index.js';
import type { AnalystSpec } from './analyst.js';
import { clamp, type Evidence, pick, ready, signal } from './common.js';
import { DEFAULT_AGENTS_CONFIG, type MomentumParams } from './config.js';
import type { AgentInput, AgentSignal, Direction } from './types.js';

const FIELDS = ['ema_3', 'ema_6', 'ema_12', 'rsi_7', 'adx_7', 'plus_di_7', 'minus_di_7'] as const;

/**
 * Share of `resamples` moving-block bootstrap means of `returns` that are positive (a zero mean
 * counts half). Deterministic for a given `seed`.
 */
export function blockBootstrapPositiveShare(
  returns: readonly number[],
  resamples: number,
  block: number,
  seed: number,
): number {
  const n = returns.length;
  if (n === 0) return 0.5;
  const b = Math.min(block, n);
  const starts = blockStarts(n, b, resamples, seed);
  // Each possible block's sum, from prefix sums (one subtraction, the same for every draw of it);
  // a resample's last block is cut short when b does not divide n.
  const prefix = scratch(0, n + 1);
  prefix[0] = 0;
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + returns[i];
  const blocks = n - b + 1;
  const whole = scratch(1, blocks);
  for (let s = 0; s < blocks; s++) whole[s] = prefix[s + b] - prefix[s];
  const full = Math.floor(n / b);
  const tail = n - full * b;
  const per = full + (tail > 0 ? 1 : 0);
  // Four resamples at a time, each summed in its own order: four independent chains of additions
  // keep the processor busy where one would wait on each addition in turn. Same sums, same order.
  let positive = 0;
  let r = 0;
  for (; r + 4 <= resamples; r += 4) {
    const k0 = r * per;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < full; j++) {
      s0 += whole[starts[k0 + j]];
      s1 += whole[starts[k0 + per + j]];
      s2 += whole[starts[k0 + 2 * per + j]];
      s3 += whole[starts[k0 + 3 * per + j]];
    }
    if (tail > 0) {
      s0 += tailSum(prefix, starts[k0 + full], tail);
      s1 += tailSum(prefix, starts[k0 + per + full], tail);
      s2 += tailSum(prefix, starts[k0 + 2 * per + full], tail);
      s3 += tailSum(prefix, starts[k0 + 3 * per + full], tail);
    }
    positive += share(s0) + share(s1) + share(s2) + share(s3);
  }
  for (; r < resamples; r++) {
    const k0 = r * per;
    let sum = 0;
    for (let j = 0; j < full; j++) sum += whole[starts[k0 + j]];
    if (tail > 0) sum += tailSum(prefix, starts[k0 + full], tail);
    positive += share(sum);
  }
  return positive / resamples;
}

/**
 * Two work arrays of at least `length` doubles, reused from call to call (`k` 0 or 1): a decision
 * would otherwise allocate two typed arrays (each a buffer outside the heap) for its bootstrap.
 * Entries past what a call writes are stale; it reads only those it wrote.
 */
function scratch(k: 0 | 1, length: number): Float64Array {
  let a = scratchArrays[k];
  if (a.length < length) {
    a = new Float64Array(Math.max(length, 2 * a.length));
    scratchArrays[k] = a;
  }
  return a;
}
const scratchArrays: [Float64Array, Float64Array] = [new Float64Array(256), new Float64Array(256)];

/** The sum of the `len` returns from `start`, from their prefix sums. */
function tailSum(prefix: Float64Array, start: number, len: number): number {
  return prefix[start + len] - prefix[start];
}

/** A resample's part of the share: 1 for a positive mean, ½ for a zero one. */
function share(sum: number): number {
  return sum > 0 ? 1 : sum === 0 ? 0.5 : 0;
}

/**
 * The block starts of every resample, in draw order (`ceil(n / b)` a resample): the same for the
 * same `n`, `b`, `resamples` and `seed`, which after the warm-up every decision shares, so the
 * last table is kept and reused.
 */
function blockStarts(n: number, b: number, resamples: number, seed: number): Int32Array {
  const key = `${n}:${b}:${resamples}:${seed}`;
  if (lastStarts?.key === key) return lastStarts.starts;
  const perResample = Math.ceil(n / b);
  const starts = new Int32Array(resamples * perResample);
  const rand = prng(seed);
  const range = n - b + 1;
  for (let k = 0; k < starts.length; k++) starts[k] = Math.floor(rand() * range);
  lastStarts = { key, starts };
  return starts;
}
let lastStarts: { key: string; starts: Int32Array } | null = null;

/** Log returns of the newest `maxBars` closes (non-positive or non-finite closes are skipped). */
function logReturns(closes: readonly number[], maxBars: number): number[] {
  const from = Math.max(0, closes.length - maxBars);
  const out: number[] = [];
  for (let i = from + 1; i < closes.length; i++) {
    const a = closes[i - 1];
    const b = closes[i];
    if (a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b)) out.push(Math.log(b / a));
  }
  return out;
}

/** The momentum view of `input` (pure; see the module comment for the rules). */
export function analyzeMomentum(
  input: AgentInput,
  params: MomentumParams = DEFAULT_AGENTS_CONFIG.momentum,
): AgentSignal {
  const s = input.snapshot;
  const evidence: Evidence = pick(s, FIELDS);
  const base = { horizonSec: params.horizonSec, evidence };
  if (!ready(s.ema_3, s.ema_6, s.ema_12, s.rsi_7, s.adx_7)) {
    return signal('momentum', {
      direction: 'flat',
      confidence: 0,
      rationale: 'indicators not ready',
      ...base,
    });
  }
  const up = s.ema_3 > s.ema_6 && s.ema_6 > s.ema_12;
  const down = s.ema_3 < s.ema_6 && s.ema_6 < s.ema_12;
  // DIs are optional confirmation: NaN does not veto, a DI against the stack does.
  const diAgainst = up ? s.minus_di_7 > s.plus_di_7 : down ? s.plus_di_7 > s.minus_di_7 : false;
  if ((!up && !down) || diAgainst) {
    return signal('momentum', {
      direction: 'flat',
      confidence: params.flatConfidence,
      rationale: diAgainst ? 'EMAs stacked but directional index disagrees' : 'EMAs not stacked',
      ...base,
    });
  }
  if (s.adx_7 < params.adxTrendMin) {
    return signal('momentum', {
      direction: 'flat',
      confidence: params.flatConfidence,
      rationale: `EMAs stacked ${up ? 'up' : 'down'} but ADX below ${params.adxTrendMin}`,
      ...base,
    });
  }
  const direction: Direction = up ? 'long' : 'short';
  const span = params.adxStrong - params.adxTrendMin;
  const strength = span > 0 ? clamp((s.adx_7 - params.adxTrendMin) / span) : 1;
  let confidence = 0.5 + 0.5 * strength;
  const exhausted = up ? s.rsi_7 >= params.rsiExhausted : s.rsi_7 <= 100 - params.rsiExhausted;
  if (exhausted) confidence *= params.exhaustedScale;
  evidence.exhausted = exhausted;
  const closes = input.closes;
  if (closes !== undefined && closes.length >= params.bootstrapMinBars) {
    const rets = logReturns(closes, params.bootstrapMaxBars);
    const pos = blockBootstrapPositiveShare(
      rets,
      params.bootstrapResamples,
      params.bootstrapBlock,
      params.bootstrapSeed,
    );
    const support = up ? pos : 1 - pos;
    evidence.bootstrap_returns = rets.length;
    evidence.bootstrap_support = support;
    confidence *= support;
  }
  return signal('momentum', {
    direction,
    confidence,
    rationale: `EMAs stacked ${up ? 'up' : 'down'} with ADX ${s.adx_7.toFixed(1)}${exhausted ? ', RSI exhausted' : ''}`,
    ...base,
  });
}

/** The fast momentum analyst (inline; `createAnalysts` can run it on a worker thread instead). */
export const MOMENTUM_ANALYST: AnalystSpec<'momentum'> = {
  name: 'momentum',
  configKey: 'momentum',
  reads: FIELDS,
  analyze: analyzeMomentum,
  module: import.meta.url,
  exportName: 'analyzeMomentum',
};
