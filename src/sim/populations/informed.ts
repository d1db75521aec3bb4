import { ASK, BID } from '../engine.js';
import { NS_PER_MIN } from '../market.js';
import { INFORMED_LEAD_S } from '../martingale.js';
import { MarketPopulation } from './population.js';

const INFORMED_LEAD_NS = INFORMED_LEAD_S * 1e9;

/** The informed traders of one instrument. */
export class InformedTraders extends MarketPopulation {
  readonly flow = 'first';

  /** Starts an episode at a random moment of the minute (when none is running), recorded in the truth. */
  override beginMinute(): void {
    const ep = this.market.episode;
    const p = this.p;
    const rnd = this.rnd;
    const minute = this.minute;
    if (ep.dir !== 0 || !rnd.chance(p.episodeRate[minute.regime] * minute.activity)) return;
    ep.dir = rnd.chance(0.5) ? 1 : -1;
    ep.intensity = Math.round((0.3 + 0.7 * rnd.uniform()) * 1000) / 1000;
    ep.start = minute.start + Math.floor(rnd.uniform() * NS_PER_MIN);
    const dur = (p.episodeMinMin + rnd.exponential() * p.episodeMeanExtraMin) * NS_PER_MIN;
    ep.end = ep.start + Math.floor(dur);
    this.truth.episode(this.market);
  }

  /**
   * In an episode, takes the event with probability intensity × `informedShareMax`. In a market
   * whose mid is a martingale, takes it with probability `informedShareMax` in the
   * `INFORMED_LEAD_S` seconds before the walk's next step, trading its way (martingale.ts).
   */
  override takeEvent(t: number): boolean {
    if (this.p.martingaleMid) {
      const walk = this.market.walk;
      if (!(walk.nextNs - t < INFORMED_LEAD_NS) || !this.rnd.chance(this.p.informedShareMax)) return false;
      this.#order(walk.dir > 0 ? BID : ASK);
      return true;
    }
    const ep = this.market.episode;
    if (!ep.activeAt(t) || !this.rnd.chance(ep.intensity * this.p.informedShareMax)) return false;
    this.#order(ep.dir > 0 ? BID : ASK);
    return true;
  }

  /** An aggressive order in the episode's direction, sometimes a sweep of 2–4 levels. */
  #order(side: number): void {
    const e = this.engine;
    const rnd = this.rnd;
    const opp = side === BID ? ASK : BID;
    if (rnd.chance(this.p.sweepProb)) {
      const k = 2 + rnd.int(3);
      const last = e.levelTick(opp, k - 1);
      if (!Number.isNaN(last)) {
        this.tally.record(this.market, side, e.aggress(side, e.depth(opp, k), last), true);
        return;
      }
    }
    const best = side === BID ? e.bestAsk : e.bestBid;
    if (Number.isNaN(best)) return;
    this.tally.record(
      this.market,
      side,
      e.aggress(side, 1 + rnd.floorExponential(this.p.informedMeanSize), best),
      true,
    );
  }
}
