/**
 * 7. EMA 3/6/12 momentum: the fast averages stacking in one order (EMA 3 > 6 > 12 for longs) is a
 * short-horizon trend; the bar on which the stack completes — by EMA 3 crossing EMA 6, or EMA 6
 * crossing EMA 12 — is the signal. Filtered by RSI(7) (momentum on the right side of 50 but not
 * exhausted) and ADX(7) with the directional indicators (a trend is present: Wilder 1978, *New
 * Concepts in Technical Trading Systems*). The periods follow the momentum analyst of DESIGN.md.
 *
 * Rule (long; short mirrored): previous bar not stacked, this bar EMA3 > EMA6 > EMA12;
 * `rsiLongMin` < RSI(7) < `rsiLongMax`; ADX(7) ≥ `minAdx`; with `requireDi`, +DI > −DI. Entry =
 * close; stop = close − `stopAtr` × ATR; target = entry + `targetR` × risk. All inputs must be
 * known (NaN = no setup).
 *
 * Defaults: RSI (50, 80) for longs, (20, 50) for shorts; ADX ≥ 20; DI agreement required; stop 1
 * ATR; target 1.5R. Confidence 0.5 + up to 0.3 as ADX rises from `minAdx` to 50.
 */
import { type Bar, barClose } from '../../features/index.js';
import { NO_SETUPS, setupAtR } from './common.js';
import { DEFAULT_TECHNIQUES_CONFIG, type EmaMomentumParams } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

/** +1 when EMA3 > EMA6 > EMA12, −1 when EMA3 < EMA6 < EMA12, 0 otherwise (or unknown). */
function stack(e3: number, e6: number, e12: number): number {
  if (e3 > e6 && e6 > e12) return 1;
  if (e3 < e6 && e6 < e12) return -1;
  return 0;
}

export class EmaMomentum implements Technique {
  readonly name = 'emaMomentum' as const;
  readonly params: EmaMomentumParams;
  #e3 = Number.NaN;
  #e6 = Number.NaN;
  #e12 = Number.NaN;

  constructor(params: EmaMomentumParams = DEFAULT_TECHNIQUES_CONFIG.emaMomentum) {
    this.params = params;
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    const p = this.params;
    const p3 = this.#e3;
    const p6 = this.#e6;
    const p12 = this.#e12;
    this.#e3 = ctx.ema3;
    this.#e6 = ctx.ema6;
    this.#e12 = ctx.ema12;
    if (Number.isNaN(p3 + p6 + p12)) return NO_SETUPS;
    const dir = stack(ctx.ema3, ctx.ema6, ctx.ema12);
    if (dir === 0 || stack(p3, p6, p12) === dir) return NO_SETUPS;
    const rsi = ctx.rsi7;
    if (dir > 0 ? !(rsi > p.rsiLongMin && rsi < p.rsiLongMax) : !(rsi > p.rsiShortMin && rsi < p.rsiShortMax))
      return NO_SETUPS;
    if (!(ctx.adx7 >= p.minAdx)) return NO_SETUPS;
    if (p.requireDi && !(dir * (ctx.plusDi7 - ctx.minusDi7) > 0)) return NO_SETUPS;
    const atr = ctx.atr;
    const close = barClose(bar);
    if (!(atr > 0) || Number.isNaN(close)) return NO_SETUPS;
    const setup = setupAtR({
      technique: this.name,
      ctx,
      bar,
      side: dir > 0 ? 'long' : 'short',
      entry: close,
      stop: close - dir * p.stopAtr * atr,
      targetR: p.targetR,
      validMinutes: p.validMinutes,
      confidence: 0.5 + Math.min(0.3, Math.max(0, (ctx.adx7 - p.minAdx) / (50 - p.minAdx || 1)) * 0.3),
      kind: 'momentum',
      evidence: {
        cross: dir * (p3 - p6) <= 0 ? '3/6' : '6/12',
        ema3: ctx.ema3,
        ema6: ctx.ema6,
        ema12: ctx.ema12,
        rsi7: rsi,
        adx7: ctx.adx7,
        plusDi7: ctx.plusDi7,
        minusDi7: ctx.minusDi7,
        atr,
      },
    });
    return setup === null ? NO_SETUPS : [setup];
  }

  reset(): void {
    this.#e3 = Number.NaN;
    this.#e6 = Number.NaN;
    this.#e12 = Number.NaN;
  }
}
