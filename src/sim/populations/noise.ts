import { ASK, BID, Owner } from '../engine.js';
import type { InstrumentMarket } from '../market.js';
import { MarketPopulation, type SimContext } from './population.js';

/** Noise traders of one instrument. */
export class NoiseTraders extends MarketPopulation {
  readonly flow = 'mix';
  /** Weight of cancels in the current event's mix (it follows the count of resting noise orders). */
  #cancelW = 0;
  /** ln(1 − `noiseDepthDecay`), the divisor of every geometric depth draw, taken once. */
  readonly #logKeep: number;

  constructor(market: InstrumentMarket, ctx: SimContext) {
    super(market, ctx);
    this.#logKeep = Math.log(1 - ctx.p.noiseDepthDecay);
  }

  /**
   * The opening snapshot: one to three orders a level on the fifteen levels either side of the
   * value, published as `R` and adds flagged F_SNAPSHOT.
   */
  override open(t: number): void {
    const e = this.engine;
    const rnd = this.rnd;
    const pub = this.publisher;
    pub.begin(this.market, t);
    pub.beginSnapshot();
    e.clear();
    const mid = Math.floor(this.market.value);
    for (let d = 0; d < 15; d++) {
      for (let side = 0; side < 2; side++) {
        const n = 1 + rnd.int(3);
        for (let j = 0; j < n; j++)
          e.add(
            side,
            side === BID ? mid - d : mid + 1 + d,
            1 + rnd.floorExponential(this.p.noiseMeanSize * 2),
            Owner.NOISE,
          );
      }
    }
    pub.endSnapshot(e);
    pub.finish(this.market);
  }

  /** Limit adds, cancels (more of them the more noise orders rest), market orders and modifies. */
  override mixWeight(): number {
    const mix = this.p.mix;
    const resting = this.engine.liveCount(Owner.NOISE);
    this.#cancelW = mix.cancel * Math.min(2, resting / this.p.targetNoiseOrders);
    return mix.limit + this.#cancelW + mix.market + mix.modify;
  }

  override mixEvent(_t: number, u: number): void {
    const mix = this.p.mix;
    const cancelW = this.#cancelW;
    if (u < mix.limit) this.#add();
    else if (u < mix.limit + cancelW) this.#cancel();
    else if (u < mix.limit + cancelW + mix.market)
      this.#marketOrder(
        this.rnd.chance(0.5) ? BID : ASK,
        1 + this.rnd.floorExponential(this.p.marketMeanSize),
      );
    else this.#modify();
  }

  /** A limit order near the touch, clustered on round levels. */
  #add(): void {
    const e = this.engine;
    const rnd = this.rnd;
    const p = this.p;
    const side = rnd.chance(0.5) ? BID : ASK;
    let bb = e.bestBid;
    let ba = e.bestAsk;
    if (Number.isNaN(bb)) bb = (!Number.isNaN(ba) ? ba : Math.floor(this.market.value)) - 1;
    if (Number.isNaN(ba)) ba = bb + 1;
    let tick: number;
    // Nobody improves a spread that a news blow-out has opened (and nothing is drawn for it then).
    if (
      ba - bb > 1 &&
      this.market.blowout === null &&
      rnd.chance(this.minute.regime === 2 ? p.improveProb * p.highVolImproveScale : p.improveProb)
    )
      tick = side === BID ? bb + 1 : ba - 1;
    else {
      const d = Math.min(p.noiseMaxDepth, Math.floor(Math.log(1 - rnd.uniform()) / this.#logKeep));
      tick = side === BID ? bb - d : ba + d;
    }
    const rt = this.market.contract.spec.roundTicks;
    if (rnd.chance(p.roundSnapProb)) tick = this.#snapToRound(side, tick, rt, bb, ba);
    let size = 1 + rnd.floorExponential(p.noiseMeanSize);
    if (rnd.chance(p.largeOrderProb)) size *= 5;
    if (tick % rt === 0) size = Math.round(size * p.roundSizeMult);
    else if (tick % (rt / 5) === 0) size = Math.round(size * (1 + p.roundSizeMult / 2));
    e.add(side, tick, size, Owner.NOISE);
  }

  /** The nearest round level on the passive side within reach attracts the order. */
  #snapToRound(side: number, tick: number, rt: number, bb: number, ba: number): number {
    const reach = this.p.roundSnapTicks;
    const r = side === BID ? Math.floor(tick / rt) * rt : Math.ceil(tick / rt) * rt;
    const r2 = side === BID ? Math.ceil(tick / rt) * rt : Math.floor(tick / rt) * rt;
    if (Math.abs(r2 - tick) <= reach && (side === BID ? r2 < ba : r2 > bb)) return r2;
    if (Math.abs(r - tick) <= reach) return r;
    return tick;
  }

  /** A resting noise order drawn at random (its engine slot), or −1 when there is none. */
  #randomOrder(): number {
    const n = this.engine.liveCount(Owner.NOISE);
    return n === 0 ? -1 : this.engine.liveAt(Owner.NOISE, this.rnd.int(n));
  }

  #cancel(): void {
    const e = this.engine;
    const rnd = this.rnd;
    const slot = this.#randomOrder();
    if (slot < 0) return;
    const size = e.orderSize(slot);
    // Partial cancels exist at CME (CONVENTIONS.md); their 15 % share is an assumption.
    if (size > 1 && rnd.chance(0.15)) e.cancel(slot, 1 + rnd.int(size - 1));
    else e.cancel(slot, size);
  }

  #modify(): void {
    const e = this.engine;
    const rnd = this.rnd;
    const slot = this.#randomOrder();
    if (slot < 0) return;
    const size = e.orderSize(slot);
    const tick = e.orderTick(slot);
    // Assumed split: 40 % size decreases (keep priority), 30 % increases, 30 % one-tick moves.
    const u = rnd.uniform();
    if (u < 0.4 && size > 1) e.modify(slot, tick, size - 1 - rnd.int(size - 1));
    else if (u < 0.7) e.modify(slot, tick, size + 1 + rnd.floorExponential(2));
    else {
      const away = e.orderSide(slot) === BID ? -1 : 1;
      e.modify(slot, tick + (rnd.chance(0.5) ? away : -away), size);
    }
  }

  #marketOrder(side: number, qty: number): void {
    const e = this.engine;
    const best = side === BID ? e.bestAsk : e.bestBid;
    if (Number.isNaN(best)) return;
    // CME protection points are far wider; 2 ticks bounds a noise order's reach.
    const limit = side === BID ? best + 2 : best - 2;
    this.tally.record(this.market, side, e.aggress(side, qty, limit), false);
  }
}
