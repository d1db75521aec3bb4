/**
 * Informed traders: toxic episodes arrive at random moments, more often in active sessions and
 * volatile regimes (informed trading and news cluster in the liquid hours, Andersen & Bollerslev
 * 1998, so toxic flow does not flatten the session profile). During an episode the value drifts in
 * its direction (see `InstrumentMarket.advanceValue`) and informed traders take a share of the
 * events, trading aggressively that way, sometimes sweeping several levels.
 */
import type { Random } from '../../core/index.js';
import { ASK, BID, type MatchingEngine } from '../engine.js';
import { type InstrumentMarket, type MinuteState, NS_PER_MIN, type TradeTally } from '../market.js';
import type { SimParams } from '../params.js';
import type { TruthRecorder } from '../truth.js';
import { BasePopulation, type SimContext } from './population.js';

/** The informed traders of one instrument. */
export class InformedTraders extends BasePopulation {
  readonly flow = 'first';
  readonly #m: InstrumentMarket;
  readonly #e: MatchingEngine;
  readonly #rnd: Random;
  readonly #p: SimParams;
  readonly #minute: MinuteState;
  readonly #tally: TradeTally;
  readonly #truth: TruthRecorder;

  constructor(market: InstrumentMarket, ctx: SimContext) {
    super();
    this.#m = market;
    this.#e = market.engine;
    this.#rnd = ctx.rnd;
    this.#p = ctx.p;
    this.#minute = ctx.minute;
    this.#tally = ctx.tally;
    this.#truth = ctx.truth;
  }

  /** Starts an episode at a random moment of the minute (when none is running), recorded in the truth. */
  override beginMinute(): void {
    const ep = this.#m.episode;
    const p = this.#p;
    const rnd = this.#rnd;
    const minute = this.#minute;
    if (ep.dir !== 0 || !rnd.chance(p.episodeRate[minute.regime] * minute.activity)) return;
    ep.dir = rnd.chance(0.5) ? 1 : -1;
    ep.intensity = Math.round((0.3 + 0.7 * rnd.uniform()) * 1000) / 1000;
    ep.start = minute.start + Math.floor(rnd.uniform() * NS_PER_MIN);
    const dur = (p.episodeMinMin + rnd.exponential() * p.episodeMeanExtraMin) * NS_PER_MIN;
    ep.end = ep.start + Math.floor(dur);
    this.#truth.episode(this.#m);
  }

  /** In an episode, takes the event with probability intensity × `informedShareMax`. */
  override takeEvent(t: number): boolean {
    const ep = this.#m.episode;
    if (!ep.activeAt(t) || !this.#rnd.chance(ep.intensity * this.#p.informedShareMax)) return false;
    this.#order(ep.dir > 0 ? BID : ASK);
    return true;
  }

  /** An aggressive order in the episode's direction, sometimes a sweep of 2–4 levels. */
  #order(side: number): void {
    const e = this.#e;
    const rnd = this.#rnd;
    const opp = side === BID ? ASK : BID;
    if (rnd.chance(this.#p.sweepProb)) {
      const k = 2 + rnd.int(3);
      const last = e.levelTick(opp, k - 1);
      if (!Number.isNaN(last)) {
        this.#tally.record(this.#m, side, e.aggress(side, e.depth(opp, k), last), true);
        return;
      }
    }
    const best = side === BID ? e.bestAsk : e.bestBid;
    if (Number.isNaN(best)) return;
    this.#tally.record(
      this.#m,
      side,
      e.aggress(side, 1 + rnd.floorExponential(this.#p.informedMeanSize), best),
      true,
    );
  }
}
