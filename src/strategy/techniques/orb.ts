/**
 * 1. Opening range breakout (ORB): after a centre's opening range is complete (the first N minutes
 * after its local open, `OpeningRangeTracker`), a bar that CLOSES beyond the range goes with the
 * break. Crabel (1990), *Day Trading with Short Term Price Patterns and Opening Range Breakout*,
 * trades the break of the opening range; in FX the London and New York opens carry the day's volume
 * surges (Andersen & Bollerslev 1998; MICROSTRUCTURE.md §16), so those two are traded by default.
 *
 * Rule (long; short mirrored): range complete, bar starting within `maxMinutesAfterRange` of the
 * range end and before the session close, range height ≥ `minRangeTicks`, close > high +
 * `bufferTicks`. Optional confirmations: bar volume ≥ `volumeMultiple` × the EMA of volume over
 * `volumePeriod` bars, and a positive 10-s OFI. Entry = close; stop = range mid (or low with
 * `stopAt: 'opposite'`); target = high + `targetRangeMultiple` × height. One long and one short at
 * most per session.
 *
 * Defaults: London and New York, 120 min, buffer 0, min range 2 ticks, stop at mid, target 1 range,
 * confirmations off (their outcome still raises confidence: 0.5 base, +0.2 each).
 */
import { type Bar, barClose } from '../../features/index.js';
import { iso, makeSetup, NO_SETUPS } from './common.js';
import { DEFAULT_TECHNIQUES_CONFIG, type OrbParams } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

const MINUTE_MS = 60_000;

export class OpeningRangeBreakout implements Technique {
  readonly name = 'orb' as const;
  readonly params: OrbParams;
  readonly #k: number;
  #volAvg = Number.NaN;
  /** Session start of the last long/short fired, per configured centre. */
  readonly #firedLong: Float64Array;
  readonly #firedShort: Float64Array;

  constructor(params: OrbParams = DEFAULT_TECHNIQUES_CONFIG.orb) {
    this.params = params;
    this.#k = 2 / (params.volumePeriod + 1);
    this.#firedLong = new Float64Array(params.centres.length).fill(Number.NaN);
    this.#firedShort = new Float64Array(params.centres.length).fill(Number.NaN);
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    const p = this.params;
    let out: Setup[] | null = null;
    const close = barClose(bar);
    const tick = ctx.tickSize;
    const volOk = Number.isFinite(this.#volAvg) && bar.volume >= p.volumeMultiple * this.#volAvg;
    for (let i = 0; i < p.centres.length; i++) {
      const s = ctx.sessions.sessions[p.centres[i]];
      const r = s.openingRange;
      // A range the data does not fully cover (started late, an outage) is not traded.
      if (!r.isComplete || r.partial || bar.startMs < r.endMs || bar.startMs >= s.endMs) continue;
      if (bar.startMs >= r.endMs + p.maxMinutesAfterRange * MINUTE_MS) continue;
      const h = r.height;
      if (!(h > 0) || h < p.minRangeTicks * tick - 1e-12) continue;
      let side: 'long' | 'short' | null = null;
      if (close > r.high + p.bufferTicks * tick && this.#firedLong[i] !== s.startMs) side = 'long';
      else if (close < r.low - p.bufferTicks * tick && this.#firedShort[i] !== s.startMs) side = 'short';
      if (side === null) continue;
      const dir = side === 'long' ? 1 : -1;
      const ofiOk = dir * ctx.ofi10s > 0;
      if (p.volumeConfirm && !volOk) continue;
      if (p.ofiConfirm && !ofiOk) continue;
      const level = dir > 0 ? r.high : r.low;
      const stop = p.stopAt === 'mid' ? r.mid : dir > 0 ? r.low : r.high;
      const target = level + dir * p.targetRangeMultiple * h;
      // The target hangs off the range, not the entry: a close far beyond it leaves little reward
      // (1e-9 of the price absorbs rounding at exactly the minimum).
      if (!(dir * (target - close) >= p.minRewardRisk * dir * (close - stop) - 1e-9 * Math.abs(close)))
        continue;
      if (!(dir * (close - stop) > 0)) continue;
      if (dir > 0) this.#firedLong[i] = s.startMs;
      else this.#firedShort[i] = s.startMs;
      out ??= [];
      out.push(
        makeSetup({
          technique: this.name,
          ctx,
          bar,
          side,
          entry: close,
          stop,
          target,
          validMinutes: p.validMinutes,
          confidence: 0.5 + (volOk ? 0.2 : 0) + (ofiOk ? 0.2 : 0),
          kind: 'breakout',
          evidence: {
            centre: s.centre,
            rangeHigh: r.high,
            rangeLow: r.low,
            rangeStart: iso(r.startMs),
            rangeEnd: iso(r.endMs),
            volume: bar.volume,
            volumeAvg: this.#volAvg,
            ofi10s: ctx.ofi10s,
          },
        }),
      );
    }
    this.#volAvg = Number.isNaN(this.#volAvg)
      ? bar.volume
      : this.#volAvg + this.#k * (bar.volume - this.#volAvg);
    return out ?? NO_SETUPS;
  }

  reset(): void {
    this.#volAvg = Number.NaN;
    this.#firedLong.fill(Number.NaN);
    this.#firedShort.fill(Number.NaN);
  }
}
