/**
 * 10. Fair value gap (FVG) fill. A fair value gap is a three-bar imbalance: in bars A, B, C, a
 * bullish gap leaves C's low above A's high — the impulse bar B traded through prices that only one
 * side transacted at, leaving the interval (A.high, C.low) untraded by the bars around it; a
 * bearish gap leaves C's high below A's low. Price tends to come back to rebalance the gap, and
 * the gap's far edge then acts as support (resistance) in the impulse's direction — the "fair value
 * gap" of ICT (Inner Circle Trader) price-action teaching, a three-bar version of the classic
 * chart gap.
 *
 * Rule (bullish; bearish mirrored): a gap of at least `minGapTicks` is recorded at C's close; a
 * LATER bar whose low enters it (low ≤ C.low) and that closes above its bottom (A.high) is the
 * fill: long, entry = close, stop = min(low, gap bottom) − `stopBufferTicks`, target = entry +
 * `targetR` × risk. A bar that closes below the gap's bottom invalidates it without a setup. Each
 * gap is used once; gaps older than `maxAgeBars` bars expire; at most `maxGaps` are kept (oldest
 * dropped). When a bar fills several gaps, the one nearest its close is the reference.
 *
 * Defaults: gap ≥ 2 ticks, 60 bars, 8 gaps, stop buffer 1 tick, target 2R.
 */
import { type Bar, barClose, barHigh, barLow } from '../../features/index.js';
import { iso, NO_SETUPS, setupAtR } from './common.js';
import { DEFAULT_TECHNIQUES_CONFIG, type FvgParams } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

export class FairValueGap implements Technique {
  readonly name = 'fvg' as const;
  readonly params: FvgParams;
  readonly #top: Float64Array;
  readonly #bottom: Float64Array;
  readonly #dir: Int8Array;
  readonly #bar: Float64Array;
  readonly #born: Float64Array;
  #count = 0;
  #bars = 0;
  #aHigh = Number.NaN;
  #aLow = Number.NaN;
  #bHigh = Number.NaN;
  #bLow = Number.NaN;

  constructor(params: FvgParams = DEFAULT_TECHNIQUES_CONFIG.fvg) {
    this.params = params;
    const n = params.maxGaps;
    this.#top = new Float64Array(n);
    this.#bottom = new Float64Array(n);
    this.#dir = new Int8Array(n);
    this.#bar = new Float64Array(n);
    this.#born = new Float64Array(n);
  }

  /** Gaps currently open. */
  get openGaps(): number {
    return this.#count;
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    const p = this.params;
    const tick = ctx.tickSize;
    const high = barHigh(bar);
    const low = barLow(bar);
    const close = barClose(bar);
    const n = this.#bars++;
    // Expire old gaps, then test the rest against this bar.
    for (let i = this.#count - 1; i >= 0; i--) if (n - this.#bar[i] > p.maxAgeBars) this.#remove(i);
    let best = -1;
    for (let i = this.#count - 1; i >= 0; i--) {
      const d = this.#dir[i];
      const top = this.#top[i];
      const bottom = this.#bottom[i];
      const touched = d > 0 ? low <= top : high >= bottom;
      if (!touched) continue;
      const holds = d > 0 ? close > bottom : close < top;
      if (!holds) {
        this.#remove(i);
        if (best > i) best--;
        continue;
      }
      const edge = d > 0 ? bottom : top;
      if (
        best < 0 ||
        Math.abs(close - edge) <
          Math.abs(close - (this.#dir[best] > 0 ? this.#bottom[best] : this.#top[best]))
      )
        best = i;
    }
    let out: readonly Setup[] = NO_SETUPS;
    if (best >= 0) {
      const d = this.#dir[best];
      const top = this.#top[best];
      const bottom = this.#bottom[best];
      const buf = p.stopBufferTicks * tick;
      const setup = setupAtR({
        technique: this.name,
        ctx,
        bar,
        side: d > 0 ? 'long' : 'short',
        entry: close,
        stop: d > 0 ? Math.min(low, bottom) - buf : Math.max(high, top) + buf,
        targetR: p.targetR,
        validMinutes: p.validMinutes,
        confidence: 0.5 + Math.min(0.2, ((top - bottom) / tick) * 0.02),
        kind: 'fill',
        evidence: { gapTop: top, gapBottom: bottom, gapTime: iso(this.#born[best]) },
      });
      if (setup !== null) out = [setup];
      // Every gap this bar entered is spent.
      for (let i = this.#count - 1; i >= 0; i--) {
        if (this.#dir[i] > 0 ? low <= this.#top[i] : high >= this.#bottom[i]) this.#remove(i);
      }
    }
    // A new gap with A = two bars back, B = previous, C = this bar.
    const minGap = p.minGapTicks * tick - 1e-12;
    if (!Number.isNaN(this.#aHigh)) {
      if (low - this.#aHigh >= minGap && low > this.#aHigh) this.#add(1, low, this.#aHigh, n, bar.startMs);
      else if (this.#aLow - high >= minGap && high < this.#aLow)
        this.#add(-1, this.#aLow, high, n, bar.startMs);
    }
    this.#aHigh = this.#bHigh;
    this.#aLow = this.#bLow;
    this.#bHigh = high;
    this.#bLow = low;
    return out;
  }

  reset(): void {
    this.#count = 0;
    this.#bars = 0;
    this.#aHigh = Number.NaN;
    this.#aLow = Number.NaN;
    this.#bHigh = Number.NaN;
    this.#bLow = Number.NaN;
  }

  #add(dir: number, top: number, bottom: number, bar: number, startMs: number): void {
    if (this.#count === this.#top.length) this.#remove(0);
    const i = this.#count++;
    this.#dir[i] = dir;
    this.#top[i] = top;
    this.#bottom[i] = bottom;
    this.#bar[i] = bar;
    this.#born[i] = startMs;
  }

  #remove(i: number): void {
    const c = this.#count;
    this.#top.copyWithin(i, i + 1, c);
    this.#bottom.copyWithin(i, i + 1, c);
    this.#dir.copyWithin(i, i + 1, c);
    this.#bar.copyWithin(i, i + 1, c);
    this.#born.copyWithin(i, i + 1, c);
    this.#count = c - 1;
  }
}
