/**
 * Walls: occasional large resting orders a few ticks behind the touch that stand for some
 * minutes (an exponential lifetime of mean `wallMeanLifeMin`) unless traded through. They arrive and
 * leave at the start of a minute, never in the random flow.
 */
import type { Random } from '../../core/index.js';
import { ASK, BID, type MatchingEngine, Owner } from '../engine.js';
import { type InstrumentMarket, type MinuteState, NS_PER_MIN } from '../market.js';
import type { SimParams } from '../params.js';
import type { EventPublisher } from '../publisher.js';
import { BasePopulation, type SimContext } from './population.js';

/** A resting wall: engine slot, order id and expiry (ns offset). */
interface Wall {
  slot: number;
  id: number;
  until: number;
}

/** The walls of one instrument. */
export class Walls extends BasePopulation {
  readonly flow = 'none';
  readonly #m: InstrumentMarket;
  readonly #e: MatchingEngine;
  readonly #rnd: Random;
  readonly #p: SimParams;
  readonly #minute: MinuteState;
  readonly #publisher: EventPublisher;
  readonly #walls: Wall[] = [];

  constructor(market: InstrumentMarket, ctx: SimContext) {
    super();
    this.#m = market;
    this.#e = market.engine;
    this.#rnd = ctx.rnd;
    this.#p = ctx.p;
    this.#minute = ctx.minute;
    this.#publisher = ctx.publisher;
  }

  /** Cancels expired walls, forgets traded ones, and sometimes places a new one. */
  override beginMinute(): void {
    const e = this.#e;
    const walls = this.#walls;
    for (let w = walls.length - 1; w >= 0; w--) {
      const wall = walls[w];
      if (!e.isLive(wall.slot, wall.id)) walls.splice(w, 1);
      else if (wall.until <= this.#minute.start) {
        this.#publisher.begin(this.#m, this.#minute.slot());
        e.cancel(wall.slot, e.orderSize(wall.slot));
        this.#publisher.finish(this.#m);
        walls.splice(w, 1);
      }
    }
    if (this.#rnd.chance(this.#p.wallRate * this.#minute.activity)) this.#place();
  }

  #place(): void {
    const e = this.#e;
    const rnd = this.#rnd;
    const p = this.#p;
    const side = rnd.chance(0.5) ? BID : ASK;
    const d = 2 + rnd.int(7);
    const tick = side === BID ? e.bestBid - d : e.bestAsk + d;
    const size = p.wallSize[0] + rnd.int(p.wallSize[1] - p.wallSize[0]);
    if (Number.isNaN(tick)) return;
    this.#publisher.begin(this.#m, this.#minute.slot());
    const slot = e.add(side, tick, size, Owner.WALL);
    this.#publisher.finish(this.#m);
    if (slot >= 0) {
      const until = this.#minute.start + Math.floor(rnd.exponential() * p.wallMeanLifeMin * NS_PER_MIN);
      this.#walls.push({ slot, id: e.orderId(slot), until });
    }
  }
}
