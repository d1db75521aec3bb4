/**
 * 2. Swing failure pattern (SFP): price trades beyond a prior swing high (low) during the bar,
 * collecting the stops resting there, and CLOSES back inside: the breakout failed, fade it.
 * Swings are fractals of `swingStrength` bars each side (Williams' fractal, k = 2), confirmed
 * before the signal bar and at most `maxSwingAgeBars` old.
 *
 * Rule (short; long mirrored): high > swing high and close < swing high. When several swings are
 * taken at once, the highest one that failed is the reference. Entry = close; stop = bar high +
 * `stopBufferTicks`; target = entry − `targetR` × (stop − entry). Every swing the bar traded through
 * is consumed (it fires at most once). A bar that fails both a swing high and a swing low (an
 * outside bar) is ambiguous and fires nothing.
 *
 * Defaults: k = 2, swings kept 60 bars, stop buffer 1 tick, target 2R. Confidence 0.6, +0.2 when
 * the bar's volume delta leans the setup's way.
 */
import { type Bar, barClose, barHigh, barLow } from '../../features/index.js';
import { iso, NO_SETUPS, SwingTracker, setupAtR } from './common.js';
import { DEFAULT_TECHNIQUES_CONFIG, type SfpParams } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

export class SwingFailurePattern implements Technique {
  readonly name = 'sfp' as const;
  readonly params: SfpParams;
  readonly #swings: SwingTracker;

  constructor(params: SfpParams = DEFAULT_TECHNIQUES_CONFIG.sfp) {
    this.params = params;
    this.#swings = new SwingTracker(params.swingStrength, params.maxSwingAgeBars);
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    const p = this.params;
    const sw = this.#swings;
    const high = barHigh(bar);
    const low = barLow(bar);
    const close = barClose(bar);
    let failedHigh = Number.NaN;
    let failedHighT = Number.NaN;
    for (let i = sw.highCount - 1; i >= 0; i--) {
      const lvl = sw.highs[i];
      if (!(high > lvl)) continue;
      if (close < lvl && !(failedHigh >= lvl)) {
        failedHigh = lvl;
        failedHighT = sw.highTimes[i];
      }
      sw.removeHigh(i);
    }
    let failedLow = Number.NaN;
    let failedLowT = Number.NaN;
    for (let i = sw.lowCount - 1; i >= 0; i--) {
      const lvl = sw.lows[i];
      if (!(low < lvl)) continue;
      if (close > lvl && !(failedLow <= lvl)) {
        failedLow = lvl;
        failedLowT = sw.lowTimes[i];
      }
      sw.removeLow(i);
    }
    sw.update(bar.startMs, high, low);
    const short = !Number.isNaN(failedHigh);
    const long = !Number.isNaN(failedLow);
    if (short === long) return NO_SETUPS;
    const tick = ctx.tickSize;
    const dir = long ? 1 : -1;
    const stop = long ? low - p.stopBufferTicks * tick : high + p.stopBufferTicks * tick;
    const deltaAgrees = dir * ctx.volumeDelta > 0;
    const setup = setupAtR({
      technique: this.name,
      ctx,
      bar,
      side: long ? 'long' : 'short',
      entry: close,
      stop,
      targetR: p.targetR,
      validMinutes: p.validMinutes,
      confidence: 0.6 + (deltaAgrees ? 0.2 : 0),
      kind: 'reversal',
      evidence: {
        swingLevel: long ? failedLow : failedHigh,
        swingTime: iso(long ? failedLowT : failedHighT),
        barHigh: high,
        barLow: low,
        volumeDelta: ctx.volumeDelta,
      },
    });
    return setup === null ? NO_SETUPS : [setup];
  }

  reset(): void {
    this.#swings.reset();
  }
}
