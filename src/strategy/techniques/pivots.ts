/**
 * 3. Pivot points from the prior FX day (17:00 New York to 17:00 New York; `OpeningRangeTracker`
 * `priorDay`), with H, L, C its high, low and close:
 * - classic (floor-trader) pivots: P = (H+L+C)/3, R1 = 2P − L, S1 = 2P − H, R2 = P + (H−L),
 *   S2 = P − (H−L), R3 = H + 2(P − L), S3 = L − 2(H − P);
 * - Camarilla (Nick Scott, 1989): Rn/Sn = C ± (H−L)·1.1/12, /6, /4, /2 for n = 1..4;
 * - Fibonacci: P as classic, Rn/Sn = P ± 0.382, 0.618, 1.000 × (H−L).
 *
 * Setups (`levelReaction` in common.ts), against the level nearest the close among those that react:
 * - bounce: price comes to a level from one side and closes back on that side by ≥ `rejectTicks`
 *   (low within `touchTicks`); long at support, short at resistance; stop beyond the bar's extreme
 *   (or the level, whichever is further) by `stopBufferTicks`;
 * - break: price closes through a level by ≥ `breakTicks`; stop on the other side of the level by
 *   `stopBufferTicks`.
 * Target: the nearest level of the same family at least 1R beyond the entry, else entry ±
 * `targetR` × risk. Each level fires at most once per kind per FX day. Camarilla R3/S3 bounces and
 * R4/S4 breaks (the family's fade and breakout levels) get +0.1 confidence.
 *
 * Defaults: all three families, touch 1 tick, reject 1 tick, break 2 ticks, stop buffer 2 ticks,
 * fallback target 1.5R.
 */
import { type Bar, barClose, barHigh, barLow } from '../../features/index.js';
import { iso, levelReactionTicks, makeSetup, NO_SETUPS, Reaction, setupAtR } from './common.js';
import { DEFAULT_TECHNIQUES_CONFIG, type PivotsParams, type PivotVariant } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

/** Classic, Camarilla and Fibonacci pivot levels of one day. */
export interface PivotLevels {
  readonly classic: { P: number; R1: number; R2: number; R3: number; S1: number; S2: number; S3: number };
  readonly camarilla: {
    R1: number;
    R2: number;
    R3: number;
    R4: number;
    S1: number;
    S2: number;
    S3: number;
    S4: number;
  };
  readonly fibonacci: { P: number; R1: number; R2: number; R3: number; S1: number; S2: number; S3: number };
}

/** Pivot levels from a day's high, low and close (formulas in the module comment). */
export function pivotLevels(high: number, low: number, close: number): PivotLevels {
  const h = high;
  const l = low;
  const c = close;
  const r = h - l;
  const p = (h + l + c) / 3;
  return {
    classic: {
      P: p,
      R1: 2 * p - l,
      S1: 2 * p - h,
      R2: p + r,
      S2: p - r,
      R3: h + 2 * (p - l),
      S3: l - 2 * (h - p),
    },
    camarilla: {
      R1: c + (r * 1.1) / 12,
      R2: c + (r * 1.1) / 6,
      R3: c + (r * 1.1) / 4,
      R4: c + (r * 1.1) / 2,
      S1: c - (r * 1.1) / 12,
      S2: c - (r * 1.1) / 6,
      S3: c - (r * 1.1) / 4,
      S4: c - (r * 1.1) / 2,
    },
    fibonacci: {
      P: p,
      R1: p + 0.382 * r,
      R2: p + 0.618 * r,
      R3: p + r,
      S1: p - 0.382 * r,
      S2: p - 0.618 * r,
      S3: p - r,
    },
  };
}

const FAMILY: Record<PivotVariant, readonly string[]> = {
  classic: ['P', 'R1', 'R2', 'R3', 'S1', 'S2', 'S3'],
  camarilla: ['R1', 'R2', 'R3', 'R4', 'S1', 'S2', 'S3', 'S4'],
  fibonacci: ['P', 'R1', 'R2', 'R3', 'S1', 'S2', 'S3'],
};
const VARIANT_CODE: Record<PivotVariant, number> = { classic: 0, camarilla: 1, fibonacci: 2 };

export class PivotPoints implements Technique {
  readonly name = 'pivots' as const;
  readonly params: PivotsParams;
  readonly #levels = new Float64Array(32);
  readonly #family = new Uint8Array(32);
  readonly #names: string[] = [];
  #count = 0;
  #dayEnd = Number.NaN;
  #bounceFired = 0;
  #breakFired = 0;
  #prevClose = Number.NaN;
  /** The levels in force (null before a prior day is known). */
  current: PivotLevels | null = null;

  constructor(params: PivotsParams = DEFAULT_TECHNIQUES_CONFIG.pivots) {
    this.params = params;
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    const day = ctx.sessions.priorDay;
    if (day.endMs !== this.#dayEnd) this.#load(day.endMs, day.high, day.low, day.close);
    const prev = this.#prevClose;
    const close = barClose(bar);
    this.#prevClose = close;
    if (this.#count === 0) return NO_SETUPS;
    const p = this.params;
    const tick = ctx.tickSize;
    const high = barHigh(bar);
    const low = barLow(bar);
    let best = -1;
    let bestReaction = 0;
    for (let i = 0; i < this.#count; i++) {
      const lvl = this.#levels[i];
      const r = levelReactionTicks(lvl, prev, low, high, close, p, tick);
      if (r === Reaction.NONE) continue;
      const bounce = r === Reaction.BOUNCE_LONG || r === Reaction.BOUNCE_SHORT;
      if (
        bounce
          ? !p.bounce || (this.#bounceFired & (1 << i)) !== 0
          : !p.break || (this.#breakFired & (1 << i)) !== 0
      )
        continue;
      if (best < 0 || Math.abs(close - lvl) < Math.abs(close - this.#levels[best])) {
        best = i;
        bestReaction = r;
      }
    }
    if (best < 0) return NO_SETUPS;
    const lvl = this.#levels[best];
    const long = bestReaction === Reaction.BOUNCE_LONG || bestReaction === Reaction.BREAK_LONG;
    const bounce = bestReaction === Reaction.BOUNCE_LONG || bestReaction === Reaction.BOUNCE_SHORT;
    const dir = long ? 1 : -1;
    const buf = p.stopBufferTicks * tick;
    let stop: number;
    if (bounce) stop = long ? Math.min(low, lvl) - buf : Math.max(high, lvl) + buf;
    else stop = lvl - dir * buf;
    const risk = dir * (close - stop);
    if (!(risk > 0)) return NO_SETUPS;
    let target = Number.NaN;
    const fam = this.#family[best];
    for (let i = 0; i < this.#count; i++) {
      if (this.#family[i] !== fam) continue;
      const d = dir * (this.#levels[i] - close);
      if (d >= risk && !(dir * (target - close) <= d)) target = this.#levels[i];
    }
    if (bounce) this.#bounceFired |= 1 << best;
    else this.#breakFired |= 1 << best;
    const name = this.#names[best];
    const camarillaEdge = fam === 1 && (bounce ? name.endsWith('3') : name.endsWith('4'));
    const o = {
      technique: this.name,
      ctx,
      bar,
      side: long ? ('long' as const) : ('short' as const),
      entry: close,
      stop,
      validMinutes: p.validMinutes,
      confidence: (bounce ? 0.55 : 0.5) + (camarillaEdge ? 0.1 : 0),
      kind: bounce ? ('bounce' as const) : ('break' as const),
      evidence: {
        level: lvl,
        levelName: name,
        priorDay: ctx.sessions.priorDay.date,
        priorHigh: ctx.sessions.priorDay.high,
        priorLow: ctx.sessions.priorDay.low,
        priorClose: ctx.sessions.priorDay.close,
        priorDayEnd: iso(ctx.sessions.priorDay.endMs),
      },
    };
    // The next level of the family, else the fallback R multiple.
    const setup = Number.isNaN(target) ? setupAtR({ ...o, targetR: p.targetR }) : makeSetup({ ...o, target });
    return setup === null ? NO_SETUPS : [setup];
  }

  reset(): void {
    this.#count = 0;
    this.#dayEnd = Number.NaN;
    this.#bounceFired = 0;
    this.#breakFired = 0;
    this.#prevClose = Number.NaN;
    this.current = null;
  }

  /** Loads the levels of a new prior day (once per day). */
  #load(endMs: number, high: number, low: number, close: number): void {
    this.#dayEnd = endMs;
    this.#bounceFired = 0;
    this.#breakFired = 0;
    this.#count = 0;
    this.#names.length = 0;
    this.current = null;
    if (!(high >= low) || Number.isNaN(close)) return;
    const lv = pivotLevels(high, low, close);
    this.current = lv;
    for (const v of this.params.variants) {
      const table = lv[v] as Record<string, number>;
      for (const n of FAMILY[v]) {
        if (this.#count >= 32) break;
        this.#levels[this.#count] = table[n];
        this.#family[this.#count] = VARIANT_CODE[v];
        this.#names.push(`${v}.${n}`);
        this.#count++;
      }
    }
  }
}
