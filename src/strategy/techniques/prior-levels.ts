/**
 * 9. Prior-day and prior-session high/low tests. The previous FX day's high and low (day ending
 * 17:00 New York) and each centre's last finished session high and low are the levels every
 * intraday trader marks; stops and take-profits cluster there (Osler 2003, 2005), so a test either
 * holds (a bounce, faded) or breaks with follow-through. Levels come from `OpeningRangeTracker`
 * (`priorDay`, `sessions[centre].priorHigh/priorLow`).
 *
 * Rule (`levelReaction`, common.ts), against the level nearest the close among those that react:
 * - bounce: price comes to the level from one side (low within `touchTicks`), closes back by ≥
 *   `rejectTicks`; stop beyond the bar's extreme (or the level, whichever is further) by
 *   `stopBufferTicks`;
 * - break: closes through by ≥ `breakTicks`; stop `stopBufferTicks` back on the other side.
 * Target: entry ± `targetR` × risk. A level fires at most once per kind while its value is
 * unchanged (a new day or session gives a new value and re-arms it).
 *
 * Defaults: prior day and all four centres, touch 1, reject 1, break 2, stop buffer 2 ticks, target
 * 1.5R. Confidence 0.55 for prior-day levels, 0.5 for session levels.
 */

import type { FxCentre } from '../../core/index.js';
import { type Bar, barClose, barHigh, barLow } from '../../features/index.js';
import { levelReactionTicks, NO_SETUPS, Reaction, setupAtR } from './common.js';
import { DEFAULT_TECHNIQUES_CONFIG, type PriorLevelsParams } from './config.js';
import type { Setup, Technique, TechniqueContext } from './types.js';

export class PriorLevels implements Technique {
  readonly name = 'priorLevels' as const;
  readonly params: PriorLevelsParams;
  readonly #names: readonly string[];
  readonly #centres: readonly FxCentre[];
  /** The levels as they stood before the current bar (a bar that closes a session is not tested
   * against the high or low it just made), and the ones after it. */
  #levels: Float64Array;
  #next: Float64Array;
  #levelDates: string[];
  #nextDates: string[];
  readonly #firedBounce: Float64Array;
  readonly #firedBreak: Float64Array;
  #prevClose = Number.NaN;

  constructor(params: PriorLevelsParams = DEFAULT_TECHNIQUES_CONFIG.priorLevels) {
    this.params = params;
    this.#centres = params.centres;
    const names = ['priorDay.high', 'priorDay.low'];
    for (const c of params.centres) names.push(`${c}.priorHigh`, `${c}.priorLow`);
    this.#names = names;
    this.#levels = new Float64Array(names.length).fill(Number.NaN);
    this.#next = new Float64Array(names.length).fill(Number.NaN);
    this.#levelDates = new Array<string>(names.length).fill('');
    this.#nextDates = new Array<string>(names.length).fill('');
    this.#firedBounce = new Float64Array(names.length).fill(Number.NaN);
    this.#firedBreak = new Float64Array(names.length).fill(Number.NaN);
  }

  onBar(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    const out = this.#detect(bar, ctx);
    // Levels after this bar (the tracker has folded it) are the next bar's.
    const p = this.params;
    const s = ctx.sessions;
    const next = this.#next;
    const dates = this.#nextDates;
    next[0] = p.priorDay ? s.priorDay.high : Number.NaN;
    next[1] = p.priorDay ? s.priorDay.low : Number.NaN;
    dates[0] = s.priorDay.date;
    dates[1] = s.priorDay.date;
    for (let i = 0; i < this.#centres.length; i++) {
      const cs = s.sessions[this.#centres[i]];
      next[2 + 2 * i] = cs.priorHigh;
      next[3 + 2 * i] = cs.priorLow;
      dates[2 + 2 * i] = cs.priorDate;
      dates[3 + 2 * i] = cs.priorDate;
    }
    this.#next = this.#levels;
    this.#levels = next;
    this.#nextDates = this.#levelDates;
    this.#levelDates = dates;
    return out;
  }

  #detect(bar: Bar, ctx: TechniqueContext): readonly Setup[] {
    const p = this.params;
    const lv = this.#levels;
    const prev = this.#prevClose;
    const close = barClose(bar);
    const high = barHigh(bar);
    const low = barLow(bar);
    this.#prevClose = close;
    const tick = ctx.tickSize;
    let best = -1;
    let bestR = 0;
    for (let i = 0; i < lv.length; i++) {
      const lvl = lv[i];
      const r = levelReactionTicks(lvl, prev, low, high, close, p, tick);
      if (r === Reaction.NONE) continue;
      const bounce = r === Reaction.BOUNCE_LONG || r === Reaction.BOUNCE_SHORT;
      if (bounce ? !p.bounce || this.#firedBounce[i] === lvl : !p.break || this.#firedBreak[i] === lvl)
        continue;
      if (best < 0 || Math.abs(close - lvl) < Math.abs(close - lv[best])) {
        best = i;
        bestR = r;
      }
    }
    if (best < 0) return NO_SETUPS;
    const lvl = lv[best];
    const long = bestR === Reaction.BOUNCE_LONG || bestR === Reaction.BREAK_LONG;
    const bounce = bestR === Reaction.BOUNCE_LONG || bestR === Reaction.BOUNCE_SHORT;
    const dir = long ? 1 : -1;
    const buf = p.stopBufferTicks * tick;
    const stop = bounce ? (long ? Math.min(low, lvl) - buf : Math.max(high, lvl) + buf) : lvl - dir * buf;
    const setup = setupAtR({
      technique: this.name,
      ctx,
      bar,
      side: long ? 'long' : 'short',
      entry: close,
      stop,
      targetR: p.targetR,
      validMinutes: p.validMinutes,
      confidence: best < 2 ? 0.55 : 0.5,
      kind: bounce ? 'bounce' : 'break',
      evidence: { level: lvl, levelName: this.#names[best], levelDate: this.#levelDates[best] },
    });
    if (setup === null) return NO_SETUPS;
    if (bounce) this.#firedBounce[best] = lvl;
    else this.#firedBreak[best] = lvl;
    return [setup];
  }

  reset(): void {
    this.#prevClose = Number.NaN;
    this.#levels.fill(Number.NaN);
    this.#next.fill(Number.NaN);
    this.#firedBounce.fill(Number.NaN);
    this.#firedBreak.fill(Number.NaN);
  }
}
