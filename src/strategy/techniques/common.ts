/** Helpers shared by the techniques: setup construction, level reactions, fractal swings. */
import type { Bar } from '../../features/index.js';
import type { Setup, SetupKind, TechniqueContext, TechniqueName } from './types.js';

/** The shared "no setup" answer (frozen, never mutated). */
export const NO_SETUPS: readonly Setup[] = Object.freeze([]);

const MINUTE_MS = 60_000;

/** ISO-8601 of a time in ms ('' for NaN). */
export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

/** Clamps to [0, 1]. */
export function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** What `makeSetup` needs to build a setup. */
export interface SetupOptions {
  readonly technique: TechniqueName;
  readonly ctx: TechniqueContext;
  /** The signal bar: the setup is created at its end; its start goes into the evidence. */
  readonly bar: Bar;
  readonly side: 'long' | 'short';
  readonly entry: number;
  readonly stop: number;
  readonly target: number;
  /** How long after the bar's end the setup stays valid. */
  readonly validMinutes: number;
  /** Clamped to [0, 1]. */
  readonly confidence: number;
  readonly kind: SetupKind;
  /** Levels, times and feature values the rule used (`barStart` is added; the object is frozen). */
  readonly evidence: Record<string, number | string>;
}

/** Builds a frozen setup timed at the bar's end (the bar's start goes into the evidence). */
export function makeSetup(o: SetupOptions): Setup {
  const evidence = o.evidence;
  evidence.barStart = iso(o.bar.startMs);
  const setup: Setup = {
    technique: o.technique,
    instrument: o.ctx.instrument,
    side: o.side,
    entry: o.entry,
    stop: o.stop,
    target: o.target,
    createdMs: o.bar.endMs,
    validUntilMs: o.bar.endMs + o.validMinutes * MINUTE_MS,
    confidence: clamp01(o.confidence),
    kind: o.kind,
    evidence: Object.freeze(evidence),
  };
  return Object.freeze(setup);
}

/** `makeSetup`'s options with the target given as a multiple of the risk instead. */
export interface SetupAtROptions extends Omit<SetupOptions, 'target'> {
  /** Target = entry ± targetR × risk, risk = |entry − stop|. */
  readonly targetR: number;
}

/**
 * The stop → target at an R multiple → setup step most techniques share: risk is the distance from
 * the entry to the protective stop, the target lies `targetR` risks beyond the entry. Null (and
 * nothing allocated) when the stop is not strictly on the protective side of the entry — below it
 * for a long, above it for a short — or is NaN.
 */
export function setupAtR(o: SetupAtROptions): Setup | null {
  const dir = o.side === 'long' ? 1 : -1;
  const risk = dir * (o.entry - o.stop);
  if (!(risk > 0)) return null;
  return makeSetup({ ...o, target: o.entry + dir * o.targetR * risk });
}

/** How a bar reacted to a horizontal level (see `levelReaction`). */
export const Reaction = {
  NONE: 0,
  /** Support held: came down to the level and closed back above. */
  BOUNCE_LONG: 1,
  /** Resistance held: came up to the level and closed back below. */
  BOUNCE_SHORT: 2,
  /** Closed through the level upward. */
  BREAK_LONG: 3,
  /** Closed through the level downward. */
  BREAK_SHORT: 4,
} as const;

/**
 * Classifies a bar against a level, given the previous close (the side price came from):
 * - bounce long: previous close above the level, the low within `touch` of it (or through it), the
 *   close at least `reject` above it;
 * - bounce short: the mirror at resistance;
 * - break long: previous close at or below the level, the close at least `brk` above it;
 * - break short: the mirror.
 * A bar that closes through is a break, never a bounce. NaN inputs give NONE.
 */
export function levelReaction(
  level: number,
  prevClose: number,
  low: number,
  high: number,
  close: number,
  touch: number,
  reject: number,
  brk: number,
): number {
  if (Number.isNaN(level + prevClose + low + high + close)) return Reaction.NONE;
  if (prevClose > level) {
    if (close <= level - brk && close < level) return Reaction.BREAK_SHORT;
    if (low <= level + touch && close >= level + reject && close > level) return Reaction.BOUNCE_LONG;
  } else if (prevClose < level) {
    if (close >= level + brk && close > level) return Reaction.BREAK_LONG;
    if (high >= level - touch && close <= level - reject && close < level) return Reaction.BOUNCE_SHORT;
  } else {
    if (close >= level + brk && close > level) return Reaction.BREAK_LONG;
    if (close <= level - brk && close < level) return Reaction.BREAK_SHORT;
  }
  return Reaction.NONE;
}

const SWING_CAPACITY = 16;

/**
 * Fractal swing points (Williams, *Trading Chaos*, 1995): a swing high is a bar whose high is
 * strictly above the highs of the `k` bars on each side, known `k` bars after it; a swing low is
 * the mirror. Keeps the most recent 16 of each in typed arrays (no allocation per bar); callers
 * remove swings they have used or that price has closed through.
 */
export class SwingTracker {
  readonly k: number;
  readonly maxAgeBars: number;
  readonly #wHigh: Float64Array;
  readonly #wLow: Float64Array;
  readonly #wStart: Float64Array;
  #seen = 0;
  /** Swing highs: price, bar start ms, bar number; `highCount` valid entries, oldest first. */
  readonly highs = new Float64Array(SWING_CAPACITY);
  readonly highTimes = new Float64Array(SWING_CAPACITY);
  readonly highBars = new Float64Array(SWING_CAPACITY);
  highCount = 0;
  readonly lows = new Float64Array(SWING_CAPACITY);
  readonly lowTimes = new Float64Array(SWING_CAPACITY);
  readonly lowBars = new Float64Array(SWING_CAPACITY);
  lowCount = 0;

  constructor(k: number, maxAgeBars: number) {
    this.k = k;
    this.maxAgeBars = maxAgeBars;
    const n = 2 * k + 1;
    this.#wHigh = new Float64Array(n);
    this.#wLow = new Float64Array(n);
    this.#wStart = new Float64Array(n);
  }

  /** Bars seen so far (the number of the next bar). */
  get barsSeen(): number {
    return this.#seen;
  }

  /** Adds a bar; confirms the swing `k` bars back when it is one; drops swings older than maxAgeBars. */
  update(startMs: number, high: number, low: number): void {
    const n = 2 * this.k + 1;
    this.#wHigh.copyWithin(0, 1);
    this.#wLow.copyWithin(0, 1);
    this.#wStart.copyWithin(0, 1);
    this.#wHigh[n - 1] = high;
    this.#wLow[n - 1] = low;
    this.#wStart[n - 1] = startMs;
    this.#seen++;
    if (this.#seen >= n) {
      const m = this.k;
      let isHigh = true;
      let isLow = true;
      for (let i = 0; i < n; i++) {
        if (i === m) continue;
        if (!(this.#wHigh[m] > this.#wHigh[i])) isHigh = false;
        if (!(this.#wLow[m] < this.#wLow[i])) isLow = false;
      }
      const bar = this.#seen - 1 - m;
      if (isHigh)
        this.highCount = push(
          this.highs,
          this.highTimes,
          this.highBars,
          this.highCount,
          this.#wHigh[m],
          this.#wStart[m],
          bar,
        );
      if (isLow)
        this.lowCount = push(
          this.lows,
          this.lowTimes,
          this.lowBars,
          this.lowCount,
          this.#wLow[m],
          this.#wStart[m],
          bar,
        );
    }
    // The next bar is number #seen: a swing used by it is at most maxAgeBars old.
    const oldest = this.#seen - this.maxAgeBars;
    while (this.highCount > 0 && this.highBars[0] < oldest) this.removeHigh(0);
    while (this.lowCount > 0 && this.lowBars[0] < oldest) this.removeLow(0);
  }

  /** Removes swing high `i`. */
  removeHigh(i: number): void {
    this.highCount = remove(this.highs, this.highTimes, this.highBars, this.highCount, i);
  }
  /** Removes swing low `i`. */
  removeLow(i: number): void {
    this.lowCount = remove(this.lows, this.lowTimes, this.lowBars, this.lowCount, i);
  }

  /** Forgets all bars and swings. */
  reset(): void {
    this.#seen = 0;
    this.highCount = 0;
    this.lowCount = 0;
  }
}

function push(
  px: Float64Array,
  t: Float64Array,
  b: Float64Array,
  count: number,
  price: number,
  time: number,
  bar: number,
): number {
  let c = count;
  if (c === px.length) c = remove(px, t, b, c, 0);
  px[c] = price;
  t[c] = time;
  b[c] = bar;
  return c + 1;
}

function remove(px: Float64Array, t: Float64Array, b: Float64Array, count: number, i: number): number {
  px.copyWithin(i, i + 1, count);
  t.copyWithin(i, i + 1, count);
  b.copyWithin(i, i + 1, count);
  return count - 1;
}

/** {@link levelReaction} with the touch, reject and break distances given in ticks. */
export function levelReactionTicks(
  level: number,
  prevClose: number,
  low: number,
  high: number,
  close: number,
  p: { readonly touchTicks: number; readonly rejectTicks: number; readonly breakTicks: number },
  tick: number,
): number {
  return levelReaction(
    level,
    prevClose,
    low,
    high,
    close,
    p.touchTicks * tick,
    p.rejectTicks * tick,
    p.breakTicks * tick,
  );
}
