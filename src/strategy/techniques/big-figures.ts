/**
 * 4. Big figures: round-number levels of the traded instrument's own quote as support,
 * resistance and magnets. Orders (take-profits, stops, options barriers) cluster at round numbers:
 * Osler (2003), *Currency Orders and Exchange Rate Dynamics: An Explanation for the Predictive
 * Success of Technical Analysis*, J. Finance 58(5), finds take-profit orders concentrated at
 * numbers ending in 00 and 50 and trends tending to reverse there, while stop-loss orders just
 * beyond them make rates run once the level breaks.
 *
 * Big figure: 100 pips, so a level every 0.0100 on a 4-decimal quote (EUR/USD 1.1600 is the "00";
 * 1.1650 the "50"; 1.1620 and 1.1680 the "20"/"80" levels), every 1.00 on USD/JPY (pip 0.01), and
 * every 0.000100 on 6J (pip 0.000001: 0.006600, 0.006650 …). Pip sizes come from
 * `DEFAULT_PIP_SIZES` (overridable per instrument). Levels are computed in integer pips and
 * converted by a single division, so 1.1620 is the same double as the literal.
 *
 * Setups: bounce and break at any enabled level (`levelReaction`, tolerances in pips), stop
 * `stopPips` beyond the level (beyond the bar's extreme for a bounce, when further), target the
 * nearest enabled level at least `minTargetPips` beyond the entry. A level that fired a bounce
 * (break) in one direction does not fire it again until the close has moved more than 2 ×
 * `stopPips` away from it (a range trading around a figure gives one signal). Magnet: a close within
 * (`minMagnetPips`, `magnetPips`] of a 00 level with EMA 3 > 6 > 12 toward it (RSI(7) under 70 for
 * longs, over 30 for shorts when known): target `frontRunPips` short of the 00, stop at 1:1; a
 * magnet re-arms once price has moved more than 2 × `magnetPips` from its level.
 *
 * Defaults: levels 00/20/50/80; touch 1, reject 1, break 2, stop 5, min target 5 pips; magnet
 * 3–10 pips, front-run 1 pip.
 */
import { type Bar, barClose, barHigh, barLow } from '../../features/index.js';
import { levelReaction, makeSetup, NO_SETUPS, Reaction } from './common.js';
import { type BigFiguresParams, DEFAULT_TECHNIQUES_CONFIG } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

/**
 * Pip size by instrument (keys upper case without separators): CME 6E/6B (USD per EUR/GBP, pip
 * 0.0001), 6J (USD per JPY, pip 0.000001, i.e. two 0.0000005 ticks), spot majors 0.0001, yen
 * crosses 0.01.
 */
export const DEFAULT_PIP_SIZES: Readonly<Record<string, number>> = Object.freeze({
  '6E': 0.0001,
  '6B': 0.0001,
  '6J': 0.000001,
  EURUSD: 0.0001,
  GBPUSD: 0.0001,
  AUDUSD: 0.0001,
  NZDUSD: 0.0001,
  USDCHF: 0.0001,
  USDCAD: 0.0001,
  EURGBP: 0.0001,
  USDJPY: 0.01,
  EURJPY: 0.01,
  GBPJPY: 0.01,
});

/**
 * The pip size of an instrument: an exact override, then the table by normalised name
 * (`EUR/USD` → `EURUSD`), then a CME root (`6EH6` → `6E`), then any name containing JPY → 0.01,
 * else 0.0001.
 */
export function pipSizeOf(instrument: string, overrides: Readonly<Record<string, number>> = {}): number {
  const exact = overrides[instrument];
  if (exact !== undefined) return exact;
  const key = instrument.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const root = /^6[A-Z]/.test(key) ? key.slice(0, 2) : '';
  return (
    overrides[key] ??
    DEFAULT_PIP_SIZES[key] ??
    (root ? (overrides[root] ?? DEFAULT_PIP_SIZES[root]) : undefined) ??
    (key.includes('JPY') && !root ? 0.01 : 0.0001)
  );
}

const OFFSETS: Readonly<Record<string, number>> = { '00': 0, '20': 20, '50': 50, '80': 80 };

/** Round-number levels of one instrument, in integer pips. */
export class BigFigureGrid {
  readonly pip: number;
  /** 1 / pip, an integer (10 000 for a 0.0001 pip). */
  readonly perUnit: number;
  readonly #offsets: Int32Array;

  constructor(pip: number, levels: readonly string[] = ['00', '20', '50', '80']) {
    this.pip = pip;
    this.perUnit = Math.round(1 / pip);
    this.#offsets = Int32Array.from(new Set(levels.map((l) => OFFSETS[l])).values()).sort();
  }

  /** Decimal price of a level given in pips. */
  price(levelPips: number): number {
    return levelPips / this.perUnit;
  }

  /** Price in pips (fractional). */
  pips(price: number): number {
    return price * this.perUnit;
  }

  /** Name of a level: '00', '20', '50', '80' (its position in the big figure). */
  static label(levelPips: number): string {
    const o = ((levelPips % 100) + 100) % 100;
    return o === 0 ? '00' : String(o);
  }

  /** Number of levels per figure. */
  get size(): number {
    return this.#offsets.length;
  }
  /** Offset (pips) of level j inside a figure. */
  offset(j: number): number {
    return this.#offsets[j];
  }

  /** The nearest level strictly beyond `price` in direction `dir` (+1 up, −1 down) by at least `minPips`. */
  nextLevel(price: number, dir: number, minPips: number): number {
    const p = this.pips(price);
    const f = Math.floor(p / 100);
    let best = Number.NaN;
    for (let k = -1; k <= 2; k++) {
      const fig = (f + dir * k) * 100;
      for (let j = 0; j < this.#offsets.length; j++) {
        const lvl = fig + this.#offsets[j];
        const d = dir * (lvl - p);
        if (d >= minPips - 1e-9 && !(dir * (best - p) <= d)) best = lvl;
      }
    }
    return best;
  }
}

export class BigFigures implements Technique {
  readonly name = 'bigFigures' as const;
  readonly params: BigFiguresParams;
  readonly #pipSizes: Readonly<Record<string, number>>;
  #instrument = '';
  #grid: BigFigureGrid | null = null;
  #prevClose = Number.NaN;
  /** Levels (pips) that fired a bounce/break and their reaction, until price leaves them. */
  readonly #firedLevel = new Float64Array(8).fill(Number.NaN);
  readonly #firedKey = new Int8Array(8);
  #magnetLevel = Number.NaN;

  constructor(
    params: BigFiguresParams = DEFAULT_TECHNIQUES_CONFIG.bigFigures,
    pipSizes: Readonly<Record<string, number>> = {},
  ) {
    this.params = params;
    this.#pipSizes = pipSizes;
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    if (ctx.instrument !== this.#instrument || this.#grid === null) {
      this.#instrument = ctx.instrument;
      this.#grid = new BigFigureGrid(pipSizeOf(ctx.instrument, this.#pipSizes), this.params.levels);
    }
    const g = this.#grid;
    const p = this.params;
    const prev = this.#prevClose;
    const close = barClose(bar);
    const high = barHigh(bar);
    const low = barLow(bar);
    this.#prevClose = close;
    if (Number.isNaN(close) || g.size === 0) return NO_SETUPS;
    const pip = g.pip;
    const cp = g.pips(close);
    if (!Number.isNaN(this.#magnetLevel) && Math.abs(cp - this.#magnetLevel) > 2 * p.magnetPips)
      this.#magnetLevel = Number.NaN;
    for (let i = 0; i < 8; i++)
      if (Math.abs(cp - this.#firedLevel[i]) > 2 * p.stopPips) this.#firedLevel[i] = Number.NaN;

    // Bounce / break at the level nearest the close among those the bar reacted to.
    let bestL = Number.NaN;
    let bestR = 0;
    if ((p.bounce || p.break) && !Number.isNaN(prev)) {
      const f0 = Math.floor(g.pips(low) / 100) - 1;
      const f1 = Math.floor(g.pips(high) / 100) + 1;
      for (let f = f0; f <= f1; f++) {
        for (let j = 0; j < g.size; j++) {
          const lp = f * 100 + g.offset(j);
          const r = levelReaction(
            g.price(lp),
            prev,
            low,
            high,
            close,
            p.touchPips * pip,
            p.rejectPips * pip,
            p.breakPips * pip,
          );
          if (r === Reaction.NONE) continue;
          const bounce = r === Reaction.BOUNCE_LONG || r === Reaction.BOUNCE_SHORT;
          if (bounce ? !p.bounce : !p.break) continue;
          if (this.#hasFired(lp, r)) continue;
          if (Number.isNaN(bestL) || Math.abs(cp - lp) < Math.abs(cp - bestL)) {
            bestL = lp;
            bestR = r;
          }
        }
      }
    }
    if (!Number.isNaN(bestL)) {
      const lvl = g.price(bestL);
      const long = bestR === Reaction.BOUNCE_LONG || bestR === Reaction.BREAK_LONG;
      const bounce = bestR === Reaction.BOUNCE_LONG || bestR === Reaction.BOUNCE_SHORT;
      const dir = long ? 1 : -1;
      const sp = p.stopPips * pip;
      let stop = lvl - dir * sp;
      if (bounce) stop = long ? Math.min(stop, low - ctx.tickSize) : Math.max(stop, high + ctx.tickSize);
      const tp = g.nextLevel(close, dir, p.minTargetPips);
      const target = g.price(tp);
      if (dir * (close - stop) > 0 && dir * (target - close) > 0) {
        this.#remember(bestL, bestR);
        const label = BigFigureGrid.label(bestL);
        return [
          makeSetup({
            technique: this.name,
            ctx,
            bar,
            side: long ? 'long' : 'short',
            entry: close,
            stop,
            target,
            validMinutes: p.validMinutes,
            confidence: (bounce ? 0.5 : 0.45) + (label === '00' ? 0.15 : label === '50' ? 0.1 : 0),
            kind: bounce ? 'bounce' : 'break',
            evidence: { level: lvl, levelType: label, pipSize: pip, targetLevel: target },
          }),
        ];
      }
    }

    // Magnet toward the nearest 00 level.
    if (!p.magnet || !(ctx.ema3 > ctx.ema6 || ctx.ema3 < ctx.ema6)) return NO_SETUPS;
    const up = ctx.ema3 > ctx.ema6 && ctx.ema6 > ctx.ema12;
    const down = ctx.ema3 < ctx.ema6 && ctx.ema6 < ctx.ema12;
    if (!up && !down) return NO_SETUPS;
    const dir = up ? 1 : -1;
    if (up && ctx.rsi7 >= 70) return NO_SETUPS;
    if (down && ctx.rsi7 <= 30) return NO_SETUPS;
    const fig = (up ? Math.ceil(cp / 100 - 1e-9) : Math.floor(cp / 100 + 1e-9)) * 100;
    const d = dir * (fig - cp);
    if (!(d > p.minMagnetPips + 1e-9 && d <= p.magnetPips + 1e-9) || fig === this.#magnetLevel)
      return NO_SETUPS;
    const target = g.price(fig - dir * p.frontRunPips);
    const risk = dir * (target - close);
    if (!(risk > 0)) return NO_SETUPS;
    this.#magnetLevel = fig;
    // The stop mirrors the target: 1:1.
    return [
      makeSetup({
        technique: this.name,
        ctx,
        bar,
        side: up ? 'long' : 'short',
        entry: close,
        stop: close - dir * risk,
        target,
        validMinutes: p.validMinutes,
        confidence: 0.45,
        kind: 'magnet',
        evidence: {
          level: g.price(fig),
          levelType: '00',
          pipSize: pip,
          distancePips: d,
          ema3: ctx.ema3,
          ema6: ctx.ema6,
          ema12: ctx.ema12,
          rsi7: ctx.rsi7,
        },
      }),
    ];
  }

  #hasFired(levelPips: number, reaction: number): boolean {
    for (let i = 0; i < 8; i++)
      if (this.#firedLevel[i] === levelPips && this.#firedKey[i] === reaction) return true;
    return false;
  }

  #remember(levelPips: number, reaction: number): void {
    let slot = 0;
    for (let i = 0; i < 8; i++) {
      if (Number.isNaN(this.#firedLevel[i])) {
        slot = i;
        break;
      }
    }
    this.#firedLevel[slot] = levelPips;
    this.#firedKey[slot] = reaction;
  }

  reset(): void {
    this.#prevClose = Number.NaN;
    this.#firedLevel.fill(Number.NaN);
    this.#magnetLevel = Number.NaN;
  }
}
