/**
 * 5. Liquidity sweep / stop hunt: an aggressive run through an obvious level, where stops rest,
 * that fails and reverses. Stop-loss orders cluster just beyond swing extremes, prior-day
 * highs/lows and round numbers (Osler 2003, 2005, *Stop-loss orders and price cascades in currency
 * markets*, J. International Money and Finance 24); a market order that sweeps several book levels
 * through them (MICROSTRUCTURE.md §9) and is then absorbed marks the hunt's end.
 *
 * Price alone is not enough here: the rule needs a sweep ALERT from the book (`ctx.sweep`) and
 * depth that confirms absorption. Without an alert in the context it never fires.
 *
 * Rule (short; long mirrored): a 'buy' sweep alert of at least `minSweepLevels` levels, timed
 * inside the bar or at most `maxAlertAgeMs` before its start and not used before; the bar trades
 * at least `minRunTicks` above a level (a fractal swing high, the prior FX day's high, or the big
 * figure 00 below the high) and closes back below it; and, with `requireDepth`, the best ask size is
 * ≥ `depthRatio` × the best bid size or an ask wall stands within `wallTicks` of the level. When
 * several levels qualify, the highest one run is the reference. Entry = close; stop = bar high +
 * `stopBufferTicks`; target = entry − `targetR` × risk.
 *
 * Defaults: swings k = 2 kept 120 bars, prior day and big figures on, run ≥ 1 tick, alert ≤ 60 s
 * old and ≥ 2 levels, depth ratio 1.5 or a wall within 4 ticks, stop buffer 2 ticks, target 2R.
 */
import { type Bar, barClose, barHigh, barLow } from '../../features/index.js';
import { BigFigureGrid, pipSizeOf } from './big-figures.js';
import { NO_SETUPS, SwingTracker, setupAtR } from './common.js';
import { DEFAULT_TECHNIQUES_CONFIG, type LiquiditySweepParams } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

const LEVEL_SWING = 'swing';
const LEVEL_DAY = 'priorDay';
const LEVEL_FIGURE = 'bigFigure';

export class LiquiditySweep implements Technique {
  readonly name = 'liquiditySweep' as const;
  readonly params: LiquiditySweepParams;
  readonly #swings: SwingTracker;
  readonly #pipSizes: Readonly<Record<string, number>>;
  #instrument = '';
  #grid: BigFigureGrid | null = null;
  #usedAlertMs = Number.NaN;
  #level = Number.NaN;
  #kind = '';

  constructor(
    params: LiquiditySweepParams = DEFAULT_TECHNIQUES_CONFIG.liquiditySweep,
    pipSizes: Readonly<Record<string, number>> = {},
  ) {
    this.params = params;
    this.#pipSizes = pipSizes;
    this.#swings = new SwingTracker(params.swingStrength, params.maxSwingAgeBars);
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    const p = this.params;
    if (ctx.instrument !== this.#instrument || this.#grid === null) {
      this.#instrument = ctx.instrument;
      this.#grid = new BigFigureGrid(pipSizeOf(ctx.instrument, this.#pipSizes), ['00']);
    }
    const high = barHigh(bar);
    const low = barLow(bar);
    const close = barClose(bar);
    const run = p.minRunTicks * ctx.tickSize;
    const sw = this.#swings;
    const a = ctx.sweep;
    const alertOk =
      a !== null &&
      a.tMs >= bar.startMs - p.maxAlertAgeMs &&
      a.tMs < bar.endMs &&
      a.levels >= p.minSweepLevels &&
      a.tMs !== this.#usedAlertMs;
    const short = alertOk && a.side === 'buy';
    const long = alertOk && a.side === 'sell';

    // Reference level: the highest (lowest) level run through and closed back inside.
    this.#level = Number.NaN;
    this.#kind = '';
    if (short || long) {
      const dir = long ? 1 : -1;
      const ext = long ? low : high;
      if (p.useSwings) {
        if (short)
          for (let i = 0; i < sw.highCount; i++)
            this.#consider(sw.highs[i], LEVEL_SWING, dir, ext, run, close);
        else
          for (let i = 0; i < sw.lowCount; i++) this.#consider(sw.lows[i], LEVEL_SWING, dir, ext, run, close);
      }
      if (p.usePriorDay) {
        const d = ctx.sessions.priorDay;
        this.#consider(short ? d.high : d.low, LEVEL_DAY, dir, ext, run, close);
      }
      if (p.useBigFigures) {
        const g = this.#grid;
        const fp = short
          ? Math.floor(g.pips(high) / 100 + 1e-9) * 100
          : Math.ceil(g.pips(low) / 100 - 1e-9) * 100;
        this.#consider(g.price(fp), LEVEL_FIGURE, dir, ext, run, close);
      }
    }
    const level = this.#level;
    const kind = this.#kind;
    // Swings the bar traded through are spent either way.
    for (let i = sw.highCount - 1; i >= 0; i--) if (high > sw.highs[i]) sw.removeHigh(i);
    for (let i = sw.lowCount - 1; i >= 0; i--) if (low < sw.lows[i]) sw.removeLow(i);
    sw.update(bar.startMs, high, low);
    if (Number.isNaN(level) || a === null) return NO_SETUPS;

    const tick = ctx.tickSize;
    const ratio = short ? ctx.bestAskSize / ctx.bestBidSize : ctx.bestBidSize / ctx.bestAskSize;
    const wall = short ? ctx.askWallPx : ctx.bidWallPx;
    const depthOk = ratio >= p.depthRatio;
    const wallOk = Math.abs(wall - level) <= p.wallTicks * tick + 1e-12;
    if (p.requireDepth && !depthOk && !wallOk) return NO_SETUPS;
    const setup = setupAtR({
      technique: this.name,
      ctx,
      bar,
      side: long ? 'long' : 'short',
      entry: close,
      stop: long ? low - p.stopBufferTicks * tick : high + p.stopBufferTicks * tick,
      targetR: p.targetR,
      validMinutes: p.validMinutes,
      confidence: 0.6 + (depthOk && wallOk ? 0.1 : 0) + (a.levels >= 3 ? 0.1 : 0),
      kind: 'reversal',
      evidence: {
        level,
        levelKind: kind,
        sweepSide: a.side,
        sweepLevels: a.levels,
        sweepSize: a.size,
        sweepPrice: a.price,
        sweepTime: new Date(a.tMs).toISOString(),
        bestBidSize: ctx.bestBidSize,
        bestAskSize: ctx.bestAskSize,
        wallPx: wall,
      },
    });
    if (setup === null) return NO_SETUPS;
    this.#usedAlertMs = a.tMs;
    return [setup];
  }

  /** Keeps `lvl` when the bar ran at least `run` through it and closed back inside, furthest first. */
  #consider(lvl: number, k: string, dir: number, ext: number, run: number, close: number): void {
    if (!(dir * (lvl - ext) >= run - 1e-12) || !(dir * (close - lvl) > 0)) return;
    if (Number.isNaN(this.#level) || dir * (this.#level - lvl) > 0) {
      this.#level = lvl;
      this.#kind = k;
    }
  }

  reset(): void {
    this.#swings.reset();
    this.#usedAlertMs = Number.NaN;
  }
}
