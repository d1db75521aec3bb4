/**
 * The scheduler of a simulated day: it walks the window minute by minute on the simulated clock
 * and interleaves the trader populations of every instrument.
 *
 * Each minute the Globex calendar says whether the futures trade; the volatility regime takes one
 * step of its Markov chain; the activity profile (and the 08:30 New York data release) sets the
 * activity; a jump and the common USD shock of the minute are drawn. Then, per instrument, the
 * book opens with a snapshot (first minute only), the jump moves the value, and the populations'
 * minute steps run (episodes, walls). Last, the random flow: each instrument's events arrive as a
 * Poisson process at the minute's rate, and the next event of all instruments is taken in time
 * order; the instrument's value steps to it, and the event goes to the first population that takes
 * it, or to the uninformed mix.
 */
import type { Random } from '../core/index.js';
import {
  CentreBit,
  type FxSessionName,
  fxSession,
  globexOpen,
  localTime,
  openCentres,
} from '../core/index.js';
import { hourlyLevel } from './activity.js';
import { type InstrumentMarket, NS_PER_MIN } from './market.js';
import { recentre } from './martingale.js';
import type { SimParams } from './params.js';
import type { Population, SimContext } from './populations/index.js';
import type { SpotMinute } from './spot.js';

/** Progress of a day, reported once per simulated minute. */
export interface SimProgress {
  date: string;
  minute: number;
  minutes: number;
  events: number;
}

/** One instrument's market and its populations, grouped by how they take events. */
class Lane {
  readonly market: InstrumentMarket;
  readonly all: readonly Population[];
  readonly first: readonly Population[];
  readonly mix: readonly Population[];
  readonly weights: Float64Array;

  constructor(market: InstrumentMarket, populations: readonly Population[]) {
    this.market = market;
    this.all = populations;
    this.first = populations.filter((p) => p.flow === 'first');
    this.mix = populations.filter((p) => p.flow === 'mix');
    this.weights = new Float64Array(this.mix.length);
  }
}

/** Session activity of a minute (see `SimParams.sessionActivity`). */
export interface MinuteActivity {
  session: FxSessionName;
  /** The session's level (the late Asian lull replaces Tokyo's), or the hourly profile's. */
  level: number;
  /** Level times the announcement multiplier at 08:30 New York. */
  activity: number;
  announcement: boolean;
}

/** Activity of the minute starting at `minuteMs`: by FX session, or by `p.hourlyActivity` when set. */
export function minuteActivity(minuteMs: number, p: SimParams): MinuteActivity {
  const session = fxSession(minuteMs);
  const ny = localTime(minuteMs, 'America/New_York');
  const announcement = ny.hour === 8 && ny.minute === 30 && ny.weekday >= 1 && ny.weekday <= 5;
  const lateAsia = session === 'tokyo' && (openCentres(minuteMs) & CentreBit.sydney) === 0;
  const level =
    p.hourlyActivity !== undefined
      ? hourlyLevel(minuteMs, p.hourlyActivity)
      : lateAsia
        ? p.lateAsiaActivity
        : p.sessionActivity[session];
  return { session, level, activity: level * (announcement ? p.announcementActivity : 1), announcement };
}

/** Runs the minutes of one window over the markets of a day. */
export class Scheduler {
  readonly #ctx: SimContext;
  readonly #rnd: Random;
  readonly #p: SimParams;
  readonly #lanes: Lane[];
  readonly #date: string;
  readonly #onProgress: ((p: SimProgress) => void) | undefined;
  #opened = false;
  /** The minutes in which the futures traded, for the spot quotes. */
  readonly spotMinutes: SpotMinute[] = [];

  constructor(
    ctx: SimContext,
    lanes: readonly { market: InstrumentMarket; populations: readonly Population[] }[],
    date: string,
    onProgress?: (p: SimProgress) => void,
  ) {
    this.#ctx = ctx;
    this.#rnd = ctx.rnd;
    this.#p = ctx.p;
    this.#lanes = lanes.map((l) => new Lane(l.market, l.populations));
    this.#date = date;
    this.#onProgress = onProgress;
  }

  /** Simulates the window [startMs, endMs): minutes when Globex is closed produce no events. */
  run(startMs: number, endMs: number): void {
    const totalMinutes = Math.ceil((endMs - startMs) / 60_000);
    for (let m = 0; m < totalMinutes; m++) {
      const minuteMs = startMs + m * 60_000;
      if (!globexOpen(minuteMs)) continue;
      const t0 = m * NS_PER_MIN;
      const t1 = Math.min(t0 + NS_PER_MIN, (endMs - startMs) * 1_000_000);
      const act = this.#beginMinute(minuteMs, t0);
      this.#flow(t0, t1, act.activity);
      const ctx = this.#ctx;
      ctx.truth.minute(minuteMs, ctx.minute.regime, ctx.tally.minuteInformedShare, act.session);
      this.#onProgress?.({
        date: this.#date,
        minute: m + 1,
        minutes: totalMinutes,
        events: ctx.publisher.events,
      });
    }
  }

  /** The minute's conditions and every instrument's steps before the flow. */
  #beginMinute(minuteMs: number, t0: number): MinuteActivity {
    const rnd = this.#rnd;
    const p = this.#p;
    const minute = this.#ctx.minute;
    // Regimes switch once a minute (a Markov chain on minutes), from the second open minute on.
    if (this.#opened) {
      const row = p.regimeTransition[minute.regime];
      const u = rnd.uniform();
      minute.regime = u < row[0] ? 0 : u < row[0] + row[1] ? 1 : 2;
    }
    const act = minuteActivity(minuteMs, p);
    // A jump of the value common to every instrument (USD news), scaled like its volatility.
    const jump = act.announcement
      ? rnd.normal() * p.announcementJumpTicks
      : rnd.chance(p.jumpRate)
        ? rnd.normal() * p.jumpTicks
        : 0;
    // The common USD factor of the minute, shared by every instrument (see `FutureSpec.usdLoading`).
    minute.begin(t0, act.activity, Math.sqrt(act.level), rnd.normal());
    for (const lane of this.#lanes) {
      if (!this.#opened) this.#open(lane, t0);
      if (jump !== 0) lane.market.jump(jump, p.martingaleMid === true);
      for (const pop of lane.all) pop.beginMinute();
    }
    this.#opened = true;
    return act;
  }

  /** The Globex open of one instrument: its value starts stepping, the opening book is published. */
  #open(lane: Lane, t0: number): void {
    lane.market.lastT = t0;
    const t = this.#ctx.minute.slot();
    for (const pop of lane.all) pop.open(t);
  }

  /** The random flow of [t0, t1): every instrument's Poisson events, in time order. */
  #flow(t0: number, t1: number, activity: number): void {
    const rnd = this.#rnd;
    const p = this.#p;
    const lanes = this.#lanes;
    const rate = p.baseEventRate * activity * p.regimeRate[this.#ctx.minute.regime];
    const meanGap = 1e9 / rate;
    this.spotMinutes.push({ startNs: t0, endNs: t1, rate: rate / p.baseEventRate });
    // The flow starts after the events the minute's steps placed (the opening, walls).
    const from = this.#ctx.minute.flowStart;
    // A market's own multiplier (a news release's minute) divides its gaps: 1 leaves them exact.
    for (const lane of lanes)
      lane.market.nextT = from + 1 + rnd.floorExponential(meanGap / lane.market.rateScale);
    this.#ctx.tally.beginMinute();
    for (;;) {
      let lane = lanes[0];
      for (let i = 1; i < lanes.length; i++) if (lanes[i].market.nextT < lane.market.nextT) lane = lanes[i];
      const t = lane.market.nextT;
      if (t >= t1) break;
      lane.market.nextT = t + 1 + rnd.floorExponential(meanGap / lane.market.rateScale);
      this.#event(lane, t);
    }
  }

  /** One event of the flow on `lane` at `t`. */
  #event(lane: Lane, t: number): void {
    const ctx = this.#ctx;
    const market = lane.market;
    market.advanceValue(t, ctx.minute, this.#p, this.#rnd);
    ctx.publisher.begin(market, t);
    const first = lane.first;
    let taken = false;
    for (let i = 0; i < first.length && !taken; i++) taken = first[i].takeEvent(t);
    if (!taken) this.#mixEvent(lane, t);
    if (this.#p.martingaleMid) recentre(market.engine, market.value, this.#rnd, this.#p.noiseMeanSize);
    ctx.publisher.finish(market);
  }

  /** Gives an event nobody took first to a population of the mix, drawn by weight. */
  #mixEvent(lane: Lane, t: number): void {
    const mix = lane.mix;
    const w = lane.weights;
    let total = 0;
    for (let i = 0; i < mix.length; i++) {
      w[i] = mix[i].mixWeight();
      total += w[i];
    }
    let u = this.#rnd.uniform() * total;
    let i = 0;
    while (i < mix.length - 1 && !(u < w[i])) u -= w[i++];
    mix[i].mixEvent(t, u);
  }
}
