/**
 * The state the trader populations of a simulated day act on and share: each future's market
 * (book, fundamental value, flow, toxic episode), the conditions of the current minute, and the
 * tally of aggressive volume.
 */
import type { Random } from '../core/index.js';
import { BID, type EngineOutput, MatchingEngine } from './engine.js';
import type { FutureContract } from './instruments.js';
import { MartingaleWalk } from './martingale.js';
import type { SimParams } from './params.js';
import type { EmitTarget } from './records.js';
import { BookPath } from './spot.js';

/** Nanoseconds in a minute. */
export const NS_PER_MIN = 60_000_000_000;

/** A toxic episode: informed traders trade `dir` (+1 buy, −1 sell) from `start` to `end` (ns offsets). */
export class Episode {
  /** 0 when no episode is running or pending. */
  dir = 0;
  /** 0..1: the share of events informed traders take and the value's drift scale with it. */
  intensity = 0;
  start = 0;
  end = 0;

  /** Whether informed traders are active at `t`. */
  activeAt(t: number): boolean {
    return this.dir !== 0 && t >= this.start && t < this.end;
  }
}

/** How liquidity stands back in a news blow-out (see `NewsParams`). */
export interface NewsBlowout {
  /** Ticks each side by which makers quote wider (and from which resting orders were withdrawn). */
  readonly spreadTicks: number;
  /** Factor on the makers' quote size. */
  readonly sizeScale: number;
  /** Probability that a maker's re-quote pulls both quotes. */
  readonly pullProb: number;
}

/**
 * One simulated future: its matching engine, its fundamental value (what value and informed
 * traders know), the market makers' view of recent aggressive flow, its toxic episode, and its top
 * of book over time (which the spot quotes follow).
 */
export class InstrumentMarket implements EmitTarget {
  readonly contract: FutureContract;
  readonly instrumentId: number;
  readonly tickRaw: number;
  readonly engine: MatchingEngine;
  readonly path = new BookPath();
  readonly episode = new Episode();
  /** The value's walk when the mid is a martingale (`SimParams.martingaleMid`). */
  readonly walk = new MartingaleWalk();
  /** Fundamental value, ticks. */
  value: number;
  /** Time of the last step of the value, and of this market's next event (ns offsets). */
  lastT = 0;
  nextT = 0;
  /** Event-rate multiplier of this market in the current minute: a news release's spike, 1 otherwise. */
  rateScale = 1;
  /** The news blow-out in force on this market (news.ts), or null. */
  blowout: NewsBlowout | null = null;
  // Aggressive buy and sell volume, decayed exponentially from #flowT.
  #buyFlow = 0;
  #sellFlow = 0;
  #flowT = 0;
  /** The loading on the common USD factor, and √(1 − loading²) on the instrument's own noise. */
  readonly #load: number;
  readonly #ownLoad: number;

  constructor(contract: FutureContract, startRaw: number, out: EngineOutput, ids: { next: number }) {
    this.contract = contract;
    this.instrumentId = contract.instrumentId;
    this.tickRaw = contract.spec.tickRaw;
    const tick = Math.round(startRaw / this.tickRaw);
    this.engine = new MatchingEngine(contract.instrumentId, tick, out, ids);
    this.value = tick + 0.5;
    this.#load = contract.spec.usdLoading;
    this.#ownLoad = Math.sqrt(1 - this.#load * this.#load);
  }

  /** Adds an aggressive order's filled quantity to the flow (`side` BID = a buyer took the ask). */
  addFlow(side: number, filled: number): void {
    if (side === BID) this.#buyFlow += filled;
    else this.#sellFlow += filled;
  }

  /**
   * Flow imbalance in [−1, 1] (positive: buyers aggressive) at time t, after decaying the flow
   * with time constant `tauNs`; 0 while fewer than 5 lots remain.
   */
  imbalance(t: number, tauNs: number): number {
    const decay = Math.exp(-(t - this.#flowT) / tauNs);
    this.#buyFlow *= decay;
    this.#sellFlow *= decay;
    this.#flowT = t;
    const tot = this.#buyFlow + this.#sellFlow;
    return tot < 5 ? 0 : (this.#buyFlow - this.#sellFlow) / tot;
  }

  /**
   * Steps the fundamental value to `t`: the minute's common USD factor spread over the time
   * elapsed, the instrument's own Brownian noise, and the episode's drift. Ends an episode whose
   * time is over.
   */
  advanceValue(t: number, m: MinuteState, p: SimParams, rnd: Random): void {
    const spec = this.contract.spec;
    const dtMin = (t - this.lastT) / NS_PER_MIN;
    const sigma = p.regimeVol[m.regime] * spec.volScale * m.sqrtLevel;
    if (p.martingaleMid) {
      this.value += this.walk.advance(rnd, sigma, this.lastT, t);
      this.lastT = t;
      return;
    }
    this.lastT = t;
    let dv = sigma * (this.#load * m.commonShock * dtMin + this.#ownLoad * Math.sqrt(dtMin) * rnd.normal());
    const ep = this.episode;
    if (ep.activeAt(t)) dv += ep.dir * ep.intensity * p.episodeDriftTicksPerMin * dtMin;
    else if (ep.dir !== 0 && t >= ep.end) ep.dir = 0;
    this.value += dv;
  }

  /**
   * Applies a jump common to every instrument, given in 6E ticks at full USD loading (0.8); whole
   * ticks when the mid is a martingale walk (`whole`).
   */
  jump(ticks: number, whole = false): void {
    const spec = this.contract.spec;
    const move = (ticks * spec.volScale * spec.usdLoading) / 0.8;
    this.value += whole ? Math.round(move) : move;
  }
}

/**
 * The conditions of the current minute, the same for every instrument, and the clock of the
 * events placed outside the random flow (the opening, wall arrivals and expiries), which take
 * consecutive nanoseconds from the minute's start.
 */
export class MinuteState {
  /** Regime index (0 low, 1 medium, 2 high). */
  regime: number;
  /** Event-rate multiplier of the session (and of an announcement). */
  activity = 0;
  /** √ of the session's activity level: the value's volatility scales with it. */
  sqrtLevel = 0;
  /** The minute's common USD shock (a standard normal draw). */
  commonShock = 0;
  /** Start of the minute, ns offset. */
  start = 0;
  #slot = 0;

  constructor(initialRegime: number) {
    this.regime = initialRegime;
  }

  /** Starts minute `start` (ns offset): slots count from it again. */
  begin(start: number, activity: number, sqrtLevel: number, commonShock: number): void {
    this.start = start;
    this.activity = activity;
    this.sqrtLevel = sqrtLevel;
    this.commonShock = commonShock;
    this.#slot = start;
  }

  /** The time of the next event outside the random flow. */
  slot(): number {
    return this.#slot++;
  }

  /** The first slot not taken (the minute's start when none was): the random flow starts after it. */
  get flowStart(): number {
    return this.#slot;
  }
}

/** Aggressive volume of the day and of the current minute, and informed traders' part of it. */
export class TradeTally {
  volume = 0;
  informedVolume = 0;
  #minuteVolume = 0;
  #minuteInformed = 0;

  /** Records `filled` lots taken by an aggressive order on `market`. */
  record(market: InstrumentMarket, side: number, filled: number, informed: boolean): void {
    if (filled <= 0) return;
    market.addFlow(side, filled);
    this.volume += filled;
    this.#minuteVolume += filled;
    if (informed) {
      this.informedVolume += filled;
      this.#minuteInformed += filled;
    }
  }

  /** Starts counting a new minute. */
  beginMinute(): void {
    this.#minuteVolume = 0;
    this.#minuteInformed = 0;
  }

  /** Informed share of the minute's aggressive volume, to 4 decimals (0 without volume). */
  get minuteInformedShare(): number {
    return this.#minuteVolume > 0 ? Math.round((this.#minuteInformed / this.#minuteVolume) * 1e4) / 1e4 : 0;
  }
}
