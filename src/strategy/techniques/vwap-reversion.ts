/**
 * 6. VWAP reversion and bounce. Distance from the session VWAP is measured in band units
 * z = (price − VWAP) / σ, σ the volume-weighted standard deviation of prices in the session
 * (`SessionVwap`, MICROSTRUCTURE.md §15: bands VWAP ± kσ, k = 1, 2, 3). VWAP is the session's
 * average traded price (Berkowitz, Logue & Noser 1988, *The total cost of transactions on the
 * NYSE*, J. Finance 43), where execution algorithms benchmark and keep trading, so stretched
 * prices tend back to it in ranges and trends pull back to it.
 *
 * - Reversion (short; long mirrored): the bar's high reaches z ≥ `reversionBand`, the bar closes
 *   below its open (rejection), and ADX(7) is below `maxAdxForReversion` (not in a strong trend;
 *   unknown ADX does not block). Entry = close, stop = high + `stopBufferTicks`, target = VWAP.
 *   Re-arms once the close is back within 1σ.
 * - Bounce in a trend (long; short mirrored): EMA 6 > EMA 12 and ADX(7) ≥ `minAdxTrend`; the low
 *   comes within `bounceTouchBand`·σ of VWAP (or below it) without closing below VWAP, and the bar
 *   closes up. Entry = close, stop = VWAP − `bounceStopBand`·σ (the low must be above it), target
 *   = VWAP + `bounceTargetBand`·σ. Re-arms once the close has been more than 1σ away.
 *
 * σ below `minSdTicks` ticks (the session's first minutes) disables both.
 * Defaults: 2σ reversion, ADX < 30; bounce touch 0.25σ, ADX ≥ 20, stop 1σ, target 2σ; stop buffer
 * 2 ticks.
 */

import { nextGlobexOpenMs } from '../../core/index.js';
import { type Bar, barClose, barHigh, barLow, barOpen } from '../../features/index.js';
import { makeSetup, NO_SETUPS } from './common.js';
import { DEFAULT_TECHNIQUES_CONFIG, type VwapParams } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

export class VwapReversion implements Technique {
  readonly name = 'vwap' as const;
  readonly params: VwapParams;
  #reversionArmed = true;
  #bounceArmed = true;
  /** End of the VWAP session (the next Globex open, 17:00 CT) of the last bar: a new VWAP re-arms. */
  #sessionEndMs = Number.NEGATIVE_INFINITY;

  constructor(params: VwapParams = DEFAULT_TECHNIQUES_CONFIG.vwap) {
    this.params = params;
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    if (!(bar.startMs < this.#sessionEndMs)) {
      // The session VWAP restarts at the Globex open (core/calendar.ts `nextGlobexOpenMs`): so do the flags.
      this.#reversionArmed = true;
      this.#bounceArmed = true;
      this.#sessionEndMs = nextGlobexOpenMs(bar.startMs);
    }
    const p = this.params;
    const v = ctx.vwap;
    const sd = ctx.vwapSd;
    const tick = ctx.tickSize;
    if (!Number.isFinite(v) || !Number.isFinite(sd) || !(sd > 0) || sd < p.minSdTicks * tick)
      return NO_SETUPS;
    const open = barOpen(bar);
    const high = barHigh(bar);
    const low = barLow(bar);
    const close = barClose(bar);
    const zClose = (close - v) / sd;
    if (Math.abs(zClose) <= 1) this.#reversionArmed = true;
    if (Math.abs(zClose) > 1) this.#bounceArmed = true;

    if (p.reversion && this.#reversionArmed && !(ctx.adx7 >= p.maxAdxForReversion)) {
      const zHigh = (high - v) / sd;
      const zLow = (low - v) / sd;
      let dir = 0;
      if (zHigh >= p.reversionBand && close < open && close > v) dir = -1;
      else if (zLow <= -p.reversionBand && close > open && close < v) dir = 1;
      if (dir !== 0) {
        const stop = dir > 0 ? low - p.stopBufferTicks * tick : high + p.stopBufferTicks * tick;
        // A stop on the wrong side of entry (or NaN) is no setup.
        if (!(dir * (close - stop) > 0)) return NO_SETUPS;
        this.#reversionArmed = false;
        const ext = dir > 0 ? zLow : zHigh;
        return [
          makeSetup({
            technique: this.name,
            ctx,
            bar,
            side: dir > 0 ? 'long' : 'short',
            entry: close,
            stop,
            target: v,
            validMinutes: p.validMinutes,
            confidence: 0.5 + Math.min(0.3, (Math.abs(ext) - p.reversionBand) * 0.15),
            kind: 'reversal',
            evidence: { vwap: v, vwapSd: sd, zExtreme: ext, zClose, adx7: ctx.adx7 },
          }),
        ];
      }
    }

    if (p.bounce && this.#bounceArmed && ctx.adx7 >= p.minAdxTrend) {
      let dir = 0;
      if (ctx.ema6 > ctx.ema12 && low <= v + p.bounceTouchBand * sd && close > v && close > open) dir = 1;
      else if (ctx.ema6 < ctx.ema12 && high >= v - p.bounceTouchBand * sd && close < v && close < open)
        dir = -1;
      if (dir !== 0) {
        const stop = v - dir * p.bounceStopBand * sd;
        const target = v + dir * p.bounceTargetBand * sd;
        const beyondStop = dir > 0 ? low <= stop : high >= stop;
        if (!beyondStop && dir * (target - close) > 0) {
          this.#bounceArmed = false;
          return [
            makeSetup({
              technique: this.name,
              ctx,
              bar,
              side: dir > 0 ? 'long' : 'short',
              entry: close,
              stop,
              target,
              validMinutes: p.validMinutes,
              confidence: 0.55,
              kind: 'bounce',
              evidence: { vwap: v, vwapSd: sd, zClose, ema6: ctx.ema6, ema12: ctx.ema12, adx7: ctx.adx7 },
            }),
          ];
        }
      }
    }
    return NO_SETUPS;
  }

  reset(): void {
    this.#reversionArmed = true;
    this.#bounceArmed = true;
    this.#sessionEndMs = Number.NEGATIVE_INFINITY;
  }
}
