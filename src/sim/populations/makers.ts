import { ASK, BID, Owner } from '../engine.js';
import type { InstrumentMarket } from '../market.js';
import { MarketPopulation, type SimContext } from './population.js';

/** The market makers of one instrument. */
export class MarketMakers extends MarketPopulation {
  readonly flow = 'mix';
  readonly #tauNs: number;
  // Each maker's resting quote per side: engine slot (−1 none) and order id (slots are recycled).
  readonly #bidSlot: Int32Array;
  readonly #bidId: Float64Array;
  readonly #askSlot: Int32Array;
  readonly #askId: Float64Array;

  constructor(market: InstrumentMarket, ctx: SimContext) {
    super(market, ctx);
    this.#tauNs = ctx.p.toxicityTauS * 1e9;
    const n = ctx.p.makers;
    this.#bidSlot = new Int32Array(n).fill(-1);
    this.#askSlot = new Int32Array(n).fill(-1);
    this.#bidId = new Float64Array(n);
    this.#askId = new Float64Array(n);
  }

  /** Every maker quotes once after the opening snapshot, reading the flow as of the open. */
  override open(t: number): void {
    for (let k = 0; k < this.p.makers; k++) {
      this.publisher.begin(this.market, this.minute.slot());
      this.#requote(k, t);
      this.publisher.finish(this.market);
    }
  }

  override mixWeight(): number {
    return this.p.mix.requote;
  }

  /** A random maker re-quotes. */
  override mixEvent(t: number, _u: number): void {
    this.#requote(this.rnd.int(this.p.makers), t);
  }

  /** Maker `k` re-quotes both sides around the value, reacting to toxic flow and news. */
  #requote(k: number, t: number): void {
    const e = this.engine;
    const p = this.p;
    const rnd = this.rnd;
    const imb = this.market.imbalance(t, this.#tauNs);
    const a = Math.abs(imb);
    const center = this.market.value + imb * p.makerSkewTicks;
    const hitExtra =
      a > p.toxicWiden ? Math.ceil(((a - p.toxicWiden) / (1 - p.toxicWiden)) * p.makerWidenTicks) : 0;
    const regimeExtra = this.minute.regime === 2 && rnd.chance(0.5) ? 1 : 0;
    // A news blow-out stands every maker back, quotes smaller, and sometimes pulls them (draws
    // nothing outside one).
    const news = this.market.blowout;
    const wide = news === null ? 0 : news.spreadTicks;
    let bidT = Math.floor(center) - k - regimeExtra - wide - (imb < 0 ? hitExtra : 0);
    let askT = Math.floor(center) + 1 + k + regimeExtra + wide + (imb > 0 ? hitExtra : 0);
    const shrink = a > p.toxicWiden ? 1 - (0.8 * (a - p.toxicWiden)) / (1 - p.toxicWiden) : 1;
    const newsSize = news === null ? 1 : news.sizeScale;
    const size = Math.max(1, Math.round(p.makerSize * shrink * (0.7 + 0.6 * rnd.uniform()) * newsSize));
    const pull = a > p.toxicPull && rnd.chance((a - p.toxicPull) * 2.5);
    const newsPull = news !== null && rnd.chance(news.pullProb);
    // Move the side away from the direction of travel first, so the quotes never cross each other.
    const up = center > (e.bestBid + e.bestAsk) / 2;
    for (let pass = 0; pass < 2; pass++) {
      if (up ? pass === 0 : pass === 1) {
        const bb = e.bestBid;
        if (askT <= bb) askT = bb + 1;
        this.#quote(k, ASK, askT, size, (pull && imb > 0) || newsPull);
      } else {
        const ba = e.bestAsk;
        if (bidT >= ba) bidT = ba - 1;
        this.#quote(k, BID, bidT, size, (pull && imb < 0) || newsPull);
      }
    }
  }

  /** Moves maker `k`'s quote on `side` to `tick` and `size`, or pulls it. */
  #quote(k: number, side: number, tick: number, size: number, pull: boolean): void {
    const e = this.engine;
    const slots = side === BID ? this.#bidSlot : this.#askSlot;
    const ids = side === BID ? this.#bidId : this.#askId;
    const slot = slots[k];
    const live = e.isLive(slot, ids[k]);
    if (pull) {
      if (live) e.cancel(slot, e.orderSize(slot));
      slots[k] = -1;
      return;
    }
    if (Number.isNaN(tick)) return;
    if (live) {
      if (!e.modify(slot, tick, size) && e.orderTick(slot) !== tick) {
        e.cancel(slot, e.orderSize(slot));
        slots[k] = -1;
      }
      return;
    }
    const s = e.add(side, tick, size, Owner.MAKER);
    slots[k] = s;
    ids[k] = s >= 0 ? e.orderId(s) : 0;
  }
}
