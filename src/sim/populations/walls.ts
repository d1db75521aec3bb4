import { ASK, BID, Owner } from '../engine.js';
import { NS_PER_MIN } from '../market.js';
import { MarketPopulation } from './population.js';

/** A resting wall: engine slot, order id and expiry (ns offset). */
interface Wall {
  slot: number;
  id: number;
  until: number;
}

/** The walls of one instrument. */
export class Walls extends MarketPopulation {
  readonly flow = 'none';
  readonly #walls: Wall[] = [];

  /** Cancels expired walls, forgets traded ones, and sometimes places a new one. */
  override beginMinute(): void {
    const e = this.engine;
    const walls = this.#walls;
    for (let w = walls.length - 1; w >= 0; w--) {
      const wall = walls[w];
      if (!e.isLive(wall.slot, wall.id)) walls.splice(w, 1);
      else if (wall.until <= this.minute.start) {
        this.publisher.begin(this.market, this.minute.slot());
        e.cancel(wall.slot, e.orderSize(wall.slot));
        this.publisher.finish(this.market);
        walls.splice(w, 1);
      }
    }
    if (this.rnd.chance(this.p.wallRate * this.minute.activity)) this.#place();
  }

  #place(): void {
    const e = this.engine;
    const rnd = this.rnd;
    const p = this.p;
    const side = rnd.chance(0.5) ? BID : ASK;
    const d = 2 + rnd.int(7);
    const tick = side === BID ? e.bestBid - d : e.bestAsk + d;
    const size = p.wallSize[0] + rnd.int(p.wallSize[1] - p.wallSize[0]);
    if (Number.isNaN(tick)) return;
    this.publisher.begin(this.market, this.minute.slot());
    const slot = e.add(side, tick, size, Owner.WALL);
    this.publisher.finish(this.market);
    if (slot >= 0) {
      const until = this.minute.start + Math.floor(rnd.exponential() * p.wallMeanLifeMin * NS_PER_MIN);
      this.#walls.push({ slot, id: e.orderId(slot), until });
    }
  }
}
