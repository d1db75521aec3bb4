/**
 * Session levels from 1-minute bars: opening ranges of the FX centres, the Asian range, the prior
 * FX day and each centre's prior session.
 *
 * - **Opening range** of a centre: high and low of the bars that START in the first `minutes`
 *   (default 15) after the centre's local opening time (FX_CENTRES: Sydney 07:00, Tokyo 09:00,
 *   London 08:00, New York 08:00 local). Opening times go through the time-zone database
 *   (`centreSessionUtc`, `nextCentreOpenMs`), so New York opens at 12:00 UTC while the US is on
 *   summer time and at 13:00 UTC in winter, and London at 07:00 or 08:00 UTC; in the weeks when
 *   only one of them has changed (e.g. 2026-03-09..13) the two opens are four hours apart. The
 *   range is the opening range of Crabel (1990), *Day Trading with Short Term Price Patterns and
 *   Opening Range Breakout*, applied to each FX centre's open.
 * - **Asian range**: high and low from the Tokyo open (09:00 Asia/Tokyo, which is 00:00 UTC all
 *   year since Japan keeps no summer time) up to the London open of the same date (08:00
 *   Europe/London: 07:00 UTC in British summer time, 08:00 UTC in winter). It therefore also covers
 *   the last hours of the Sydney session; the quiet late-New-York hours before 00:00 UTC are left
 *   out. This is the "Asian session range" FX traders mark before London (00:00 UTC – London open).
 * - **FX day**: ends at 17:00 America/New_York (the FX market's daily roll) and is named by the
 *   New York date of its end; the prior FX day's open/high/low/close are what pivot points use.
 * - **Prior session** of a centre: high/low/close of that centre's most recent FINISHED session
 *   that had bars (during the London session, yesterday's London; after 17:00 London, today's).
 *
 * Sessions are Monday to Friday in each centre's local calendar (weekend sessions are skipped).
 * A bar belongs to a window by its start time. A window is complete once a bar ending at or after
 * its end has been seen; one that ends without bars is `missed`; a tracker whose first bar falls
 * inside a window builds that window from the bars it sees. Prices come from the trade OHLC,
 * or, for quote-only bars (spot), the mid of the bid/ask OHLC (`barHigh` … `barClose`).
 *
 * Time comes only from the bars; nothing reads a clock. State lives in preallocated objects that
 * are overwritten in place: only the rollover to a new session or day allocates (date strings).
 */
import {
  type Calculator,
  centreSessionUtc,
  FX_CENTRES,
  type FxCentre,
  localTime,
  nextCentreOpenMs,
  nextLocalTimeMs,
  requirePositiveInt,
  zonedTimeToUtc,
} from '../../core/index.js';
import { clearOhlc, copyOhlc, foldHighLow, foldOhlc, type Ohlc } from './ohlc.js';
import type { Bar } from './time-bars.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const NY_ZONE = 'America/New_York';

/** The centres in the order of the FX day. */
export const FX_CENTRE_ORDER: readonly FxCentre[] = Object.freeze(['sydney', 'tokyo', 'london', 'new_york']);

/** Bar high: the trade high, or the mid of the bid and ask highs for a quote-only bar. */
export function barHigh(bar: Bar): number {
  return Number.isNaN(bar.high) ? (bar.bid.high + bar.ask.high) / 2 : bar.high;
}
/** Bar low: the trade low, or the mid of the bid and ask lows for a quote-only bar. */
export function barLow(bar: Bar): number {
  return Number.isNaN(bar.low) ? (bar.bid.low + bar.ask.low) / 2 : bar.low;
}
/** Bar open: the trade open, or the mid open for a quote-only bar. */
export function barOpen(bar: Bar): number {
  return Number.isNaN(bar.open) ? (bar.bid.open + bar.ask.open) / 2 : bar.open;
}
/** Bar close: the trade close, or the mid close for a quote-only bar. */
export function barClose(bar: Bar): number {
  return Number.isNaN(bar.close) ? (bar.bid.close + bar.ask.close) / 2 : bar.close;
}

/** State of a time window: not started, collecting bars, finished with bars, finished without. */
export type RangeState = 'pending' | 'forming' | 'complete' | 'missed';

/** High and low of the bars that start in [startMs, endMs). Overwritten in place at each roll. */
/** A silence inside an opening-range window longer than this makes the range partial (ms). */
export const PARTIAL_GAP_MS = 5 * 60_000;
/** The same for the eight-hour Asian range, whose quiet hours can go minutes without a trade. */
export const ASIAN_PARTIAL_GAP_MS = 30 * 60_000;

export class PriceRange {
  startMs = Number.NaN;
  endMs = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  /** Bars folded in. */
  bars = 0;
  state: RangeState = 'pending';
  /** Start of the first and the last bar folded in. */
  firstBarMs = Number.NaN;
  lastBarMs = Number.NaN;
  /** Longest silence between the window's start and its bars, or between two of them, ms. */
  longestGapMs = 0;
  /** A longer silence makes the range partial (ms). */
  readonly maxGapMs: number;

  constructor(maxGapMs = PARTIAL_GAP_MS) {
    this.maxGapMs = maxGapMs;
  }

  /**
   * The range may miss part of its window: its first bar came more than `maxGapMs` after the
   * window opened (the data started late) or two of its bars are that far apart (an outage).
   */
  get partial(): boolean {
    return this.longestGapMs > this.maxGapMs;
  }

  /** high − low (NaN before the first bar). */
  get height(): number {
    return this.high - this.low;
  }
  /** (high + low) / 2. */
  get mid(): number {
    return (this.high + this.low) / 2;
  }
  /** The window has ended and holds at least one bar. */
  get isComplete(): boolean {
    return this.state === 'complete';
  }

  /** Starts the window [startMs, endMs) afresh. */
  begin(startMs: number, endMs: number): void {
    this.startMs = startMs;
    this.endMs = endMs;
    this.high = Number.NaN;
    this.low = Number.NaN;
    this.bars = 0;
    this.state = 'pending';
    this.firstBarMs = Number.NaN;
    this.lastBarMs = Number.NaN;
    this.longestGapMs = 0;
  }

  /** Clears the window. */
  clear(): void {
    this.begin(Number.NaN, Number.NaN);
  }

  /** Folds a bar (start, end, high, low) in when it starts inside the window; settles the state. */
  fold(startMs: number, endMs: number, high: number, low: number): void {
    if (this.state === 'complete' || this.state === 'missed' || Number.isNaN(this.startMs)) return;
    if (startMs >= this.startMs && startMs < this.endMs && !Number.isNaN(high) && !Number.isNaN(low)) {
      foldHighLow(this, this.bars === 0, high, low);
      const gap = startMs - (this.bars === 0 ? this.startMs : this.lastBarMs);
      if (gap > this.longestGapMs) this.longestGapMs = gap;
      if (this.bars === 0) this.firstBarMs = startMs;
      this.lastBarMs = startMs;
      this.bars++;
      this.state = 'forming';
    }
    if (endMs >= this.endMs || startMs >= this.endMs) this.state = this.bars > 0 ? 'complete' : 'missed';
  }
}

/** One FX centre's current session, its opening range and its prior finished session. */
export class CentreSession implements Ohlc {
  readonly centre: FxCentre;
  /** Local date (YYYY-MM-DD) of the current session; '' before the first bar. */
  date = '';
  /** Session bounds in UTC ms. */
  startMs = Number.NaN;
  endMs = Number.NaN;
  /** 'pending' before the open, 'open' during, 'closed' after the close. */
  phase: 'pending' | 'open' | 'closed' = 'pending';
  /** Session open/high/low/close so far (NaN until a bar inside the session). */
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
  bars = 0;
  /** High/low of the first N minutes after the open. */
  readonly openingRange = new PriceRange();
  /** The most recent finished session of this centre that had bars. */
  priorDate = '';
  priorHigh = Number.NaN;
  priorLow = Number.NaN;
  priorClose = Number.NaN;
  #finished = false;

  constructor(centre: FxCentre) {
    this.centre = centre;
  }

  /** Starts the session on local date `date` at [startMs, endMs), finishing the current one. */
  begin(date: string, startMs: number, endMs: number, rangeMs: number): void {
    this.finish();
    this.date = date;
    this.startMs = startMs;
    this.endMs = endMs;
    this.phase = 'pending';
    clearOhlc(this);
    this.bars = 0;
    this.#finished = false;
    this.openingRange.begin(startMs, Math.min(startMs + rangeMs, endMs));
  }

  /** Folds one bar; finishes the session when the bar reaches its close. */
  fold(startMs: number, endMs: number, o: number, h: number, l: number, c: number): void {
    if (Number.isNaN(this.startMs)) return;
    if (startMs >= this.startMs && startMs < this.endMs && !Number.isNaN(c)) {
      foldOhlc(this, this.bars++ === 0, o, h, l, c);
      this.phase = 'open';
    }
    this.openingRange.fold(startMs, endMs, h, l);
    if (endMs >= this.endMs || startMs >= this.endMs) this.finish();
  }

  /** Marks the session closed and, when it had bars, makes it the prior session. */
  finish(): void {
    if (this.#finished || Number.isNaN(this.startMs)) return;
    this.#finished = true;
    this.phase = 'closed';
    if (this.bars > 0) {
      this.priorDate = this.date;
      this.priorHigh = this.high;
      this.priorLow = this.low;
      this.priorClose = this.close;
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.date = '';
    this.startMs = Number.NaN;
    this.endMs = Number.NaN;
    this.phase = 'pending';
    clearOhlc(this);
    this.bars = 0;
    this.openingRange.clear();
    this.priorDate = '';
    this.priorHigh = Number.NaN;
    this.priorLow = Number.NaN;
    this.priorClose = Number.NaN;
    this.#finished = false;
  }
}

/** Open/high/low/close of one FX day (17:00 New York to 17:00 New York), named by its end date. */
export class DayLevels implements Ohlc {
  date = '';
  startMs = Number.NaN;
  endMs = Number.NaN;
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
  bars = 0;

  /** Copies every field of `src`. */
  copyFrom(src: DayLevels): void {
    this.date = src.date;
    this.startMs = src.startMs;
    this.endMs = src.endMs;
    copyOhlc(this, src);
    this.bars = src.bars;
  }

  /**
   * Sets the day's high, low and close from elsewhere (a contract's daily bar, `ContractDay`): the
   * open is unknown (NaN), and the day counts as one bar.
   */
  setLevels(date: string, startMs: number, endMs: number, high: number, low: number, close: number): void {
    this.begin(date, startMs, endMs);
    this.high = high;
    this.low = low;
    this.close = close;
    this.bars = 1;
  }

  /** Starts the day [startMs, endMs). */
  begin(date: string, startMs: number, endMs: number): void {
    this.date = date;
    this.startMs = startMs;
    this.endMs = endMs;
    clearOhlc(this);
    this.bars = 0;
  }
}

/** Options of `OpeningRangeTracker`. */
export interface OpeningRangeTrackerOptions {
  /** Opening-range length in minutes after each centre's open; default 15. */
  readonly minutes?: number;
  /**
   * Called once an FX day, when its first bar arrives, with the day's date and `priorDay` (the last
   * finished day, or none) to overwrite in place before anything reads it: where the prior day is
   * decided elsewhere (on a contract roll, the feature engine's `priorDay`).
   */
  readonly onDayBegin?: (date: string, priorDay: DayLevels) => void;
}

/** The session levels `OpeningRangeTracker` keeps, as techniques read them. */
export interface SessionLevelsView {
  /** Opening-range length, minutes. */
  readonly minutes: number;
  /** Per-centre current session, opening range and prior session. */
  readonly sessions: Readonly<Record<FxCentre, CentreSession>>;
  /** Tokyo open → London open of the current Tokyo date. */
  readonly asian: PriceRange;
  /** Local date of the Asian range ('' before the first Tokyo session). */
  readonly asianDate: string;
  /** The FX day in progress and the last finished one with bars. */
  readonly fxDay: DayLevels;
  readonly priorDay: DayLevels;
  /** Start time of the last bar folded in (NaN before the first). */
  readonly lastBarMs: number;
}

/** Streams 1-minute bars into per-centre opening ranges, the Asian range and prior day/session levels. */
export class OpeningRangeTracker implements SessionLevelsView, Calculator<[bar: Bar]> {
  readonly minutes: number;
  readonly sessions: Readonly<Record<FxCentre, CentreSession>>;
  readonly asian = new PriceRange(ASIAN_PARTIAL_GAP_MS);
  asianDate = '';
  readonly fxDay = new DayLevels();
  readonly priorDay = new DayLevels();
  lastBarMs = Number.NaN;
  readonly #list: CentreSession[];
  readonly #nextOpen = new Float64Array(4).fill(Number.NaN);
  readonly #onDayBegin: ((date: string, priorDay: DayLevels) => void) | undefined;

  constructor(options: OpeningRangeTrackerOptions = {}) {
    this.minutes = requirePositiveInt('minutes', options.minutes ?? 15);
    this.#onDayBegin = options.onDayBegin;
    this.#list = FX_CENTRE_ORDER.map((c) => new CentreSession(c));
    this.sessions = Object.freeze({
      sydney: this.#list[0],
      tokyo: this.#list[1],
      london: this.#list[2],
      new_york: this.#list[3],
    });
  }

  /** The prior FX day is known (the levels pivots and prior-day techniques need). */
  get isReady(): boolean {
    return this.priorDay.bars > 0;
  }

  /** Folds one closed bar (bars in time order; a bar older than the last one is ignored). */
  update(bar: Bar): void {
    const t = bar.startMs;
    if (Number.isNaN(t) || t < this.lastBarMs) return;
    this.lastBarMs = t;
    const o = barOpen(bar);
    const h = barHigh(bar);
    const l = barLow(bar);
    const c = barClose(bar);
    if (!(t < this.fxDay.endMs)) this.#rollDay(t);
    const d = this.fxDay;
    if (!Number.isNaN(c)) foldOhlc(d, d.bars++ === 0, o, h, l, c);
    for (let i = 0; i < 4; i++) {
      if (!(t < this.#nextOpen[i])) this.#rollCentre(i, t);
      this.#list[i].fold(t, bar.endMs, o, h, l, c);
    }
    this.asian.fold(t, bar.endMs, h, l);
  }

  /** Forgets every session and day. */
  reset(): void {
    for (const s of this.#list) s.clear();
    this.#nextOpen.fill(Number.NaN);
    this.asian.clear();
    this.asianDate = '';
    this.fxDay.begin('', Number.NaN, Number.NaN);
    this.priorDay.begin('', Number.NaN, Number.NaN);
    this.lastBarMs = Number.NaN;
  }

  #rollDay(t: number): void {
    // Only a trading day (ending Monday to Friday, 17:00 New York) becomes the prior day: a few
    // weekend quotes (a spot feed opening early) would otherwise set Monday's pivots.
    if (this.fxDay.bars > 0 && isWeekday(this.fxDay.date)) this.priorDay.copyFrom(this.fxDay);
    const endMs = nextLocalTimeMs(NY_ZONE, t, 17, 0);
    const e = localTime(endMs, NY_ZONE);
    const prev = new Date(Date.UTC(e.year, e.month - 1, e.day) - DAY_MS);
    const startMs = zonedTimeToUtc(
      NY_ZONE,
      prev.getUTCFullYear(),
      prev.getUTCMonth() + 1,
      prev.getUTCDate(),
      17,
      0,
    );
    this.fxDay.begin(ymd(e.year, e.month, e.day), startMs, endMs);
    if (this.#onDayBegin !== undefined) this.#onDayBegin(this.fxDay.date, this.priorDay);
  }

  #rollCentre(i: number, t: number): void {
    const s = this.#list[i];
    const centre = s.centre;
    const zone = FX_CENTRES[centre].zone;
    let next = this.#nextOpen[i];
    // First bar: start a few days back so the latest weekday session at or before t is found.
    if (Number.isNaN(next)) next = nextCentreOpenMs(centre, t - 4 * DAY_MS);
    let latest = Number.NaN;
    let latestDate = '';
    while (next <= t) {
      const lt = localTime(next, zone);
      if (lt.weekday >= 1 && lt.weekday <= 5) {
        latest = next;
        latestDate = ymd(lt.year, lt.month, lt.day);
      }
      next = nextCentreOpenMs(centre, next);
    }
    this.#nextOpen[i] = next;
    if (Number.isNaN(latest) || latest === s.startMs) return;
    const endMs = centreSessionUtc(centre, latestDate).endMs;
    s.begin(latestDate, latest, endMs, this.minutes * MINUTE_MS);
    if (centre === 'tokyo') {
      this.asian.begin(latest, centreSessionUtc('london', latestDate).startMs);
      this.asianDate = latestDate;
    }
  }
}

function ymd(y: number, m: number, d: number): string {
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

/** True for a YYYY-MM-DD date falling Monday to Friday. */
function isWeekday(date: string): boolean {
  const d = new Date(`${date}T12:00:00Z`).getUTCDay();
  return d >= 1 && d <= 5;
}
