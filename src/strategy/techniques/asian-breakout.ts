/**
 * 8. Asian range breakout at the London open. The Asian session is the quietest part of the FX day
 * (Ito & Hashimoto 2006; Andersen & Bollerslev 1998, MICROSTRUCTURE.md §16); its range collects
 * stops on both sides, and the London open brings the day's first volume surge, which often
 * breaks it. The Asian range is Tokyo open (00:00 UTC) → London open (08:00 Europe/London),
 * kept by `OpeningRangeTracker.asian`.
 *
 * Rule (long; short mirrored): the Asian range is complete; the bar starts at or after the London
 * open and less than `maxMinutesAfterLondonOpen` after it; `minRangeTicks` ≤ range height (≤
 * `maxRangeTicks` when that is > 0); close > Asian high + `bufferTicks`. Entry = close; stop = the
 * range mid (or the Asian low with `stopAt: 'opposite'`); target = Asian high +
 * `targetRangeMultiple` × height. One long and one short at most per day. A bar before the London
 * open never fires, however far it trades outside the range (the range is still forming).
 *
 * Defaults: 120 min window, buffer 0, range ≥ 4 ticks, no upper limit, stop at mid, target 1 range.
 */
import { type Bar, barClose } from '../../features/index.js';
import { iso, makeSetup, NO_SETUPS } from './common.js';
import { type AsianBreakoutParams, DEFAULT_TECHNIQUES_CONFIG } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

const MINUTE_MS = 60_000;

export class AsianRangeBreakout implements Technique {
  readonly name = 'asianBreakout' as const;
  readonly params: AsianBreakoutParams;
  #firedLong = Number.NaN;
  #firedShort = Number.NaN;

  constructor(params: AsianBreakoutParams = DEFAULT_TECHNIQUES_CONFIG.asianBreakout) {
    this.params = params;
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    const p = this.params;
    const r = ctx.sessions.asian;
    // A range the data does not fully cover (started late, an outage) is not traded.
    if (!r.isComplete || r.partial) return NO_SETUPS;
    const londonOpen = r.endMs;
    if (bar.startMs < londonOpen || bar.startMs >= londonOpen + p.maxMinutesAfterLondonOpen * MINUTE_MS)
      return NO_SETUPS;
    const tick = ctx.tickSize;
    const h = r.height;
    if (!(h > 0) || h < p.minRangeTicks * tick - 1e-12) return NO_SETUPS;
    if (p.maxRangeTicks > 0 && h > p.maxRangeTicks * tick + 1e-12) return NO_SETUPS;
    const close = barClose(bar);
    let dir = 0;
    if (close > r.high + p.bufferTicks * tick && this.#firedLong !== r.startMs) dir = 1;
    else if (close < r.low - p.bufferTicks * tick && this.#firedShort !== r.startMs) dir = -1;
    if (dir === 0) return NO_SETUPS;
    const level = dir > 0 ? r.high : r.low;
    const stop = p.stopAt === 'mid' ? r.mid : dir > 0 ? r.low : r.high;
    const target = level + dir * p.targetRangeMultiple * h;
    if (dir * (close - stop) <= 0) return NO_SETUPS;
    // The target hangs off the range, not the entry: a close far beyond it leaves little reward
    // (1e-9 of the price absorbs rounding at exactly the minimum).
    if (!(dir * (target - close) >= p.minRewardRisk * dir * (close - stop) - 1e-9 * Math.abs(close)))
      return NO_SETUPS;
    if (dir > 0) this.#firedLong = r.startMs;
    else this.#firedShort = r.startMs;
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
        kind: 'breakout',
        evidence: {
          asianHigh: r.high,
          asianLow: r.low,
          asianStart: iso(r.startMs),
          londonOpen: iso(londonOpen),
          minutesAfterOpen: (bar.startMs - londonOpen) / MINUTE_MS,
        },
      }),
    ];
  }

  reset(): void {
    this.#firedLong = Number.NaN;
    this.#firedShort = Number.NaN;
  }
}
