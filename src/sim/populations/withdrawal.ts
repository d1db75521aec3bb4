/**
 * Liquidity providers withdrawing stale quotes: rather than be picked off, the owner of the newest
 * order at a touch the value has passed cancels it. With `staleApproachTicks` > 0 they also thin,
 * before that, the touch the value is nearer to, with a probability rising linearly from zero
 * `staleApproachTicks` inside the touch to one at the touch, leaving its last order: the queue the
 * value approaches is the smaller one, so queue imbalance shows which way the mid will move (Cont &
 * de Larrard 2013), while the mid itself still moves only once the value (or order flow) takes the
 * touch.
 */
import type { Random } from '../../core/index.js';
import type { MatchingEngine } from '../engine.js';
import type { InstrumentMarket } from '../market.js';
import type { SimParams } from '../params.js';
import { BasePopulation, type SimContext } from './population.js';

/** Stale-quote withdrawals on one instrument. */
export class StaleQuoteWithdrawal extends BasePopulation {
  readonly flow = 'first';
  readonly #m: InstrumentMarket;
  readonly #e: MatchingEngine;
  readonly #rnd: Random;
  readonly #p: SimParams;

  constructor(market: InstrumentMarket, ctx: SimContext) {
    super();
    this.#m = market;
    this.#e = market.engine;
    this.#rnd = ctx.rnd;
    this.#p = ctx.p;
  }

  /** With probability `staleCancelProb`, withdraws the newest order of a stale touch (passes when none is). */
  override takeEvent(_t: number): boolean {
    if (!this.#rnd.chance(this.#p.staleCancelProb)) return false;
    const e = this.#e;
    const p = this.#p;
    const value = this.#m.value;
    const up = value - e.bestAsk; // NaN when the side is empty
    const down = e.bestBid - value;
    const near = Number.isNaN(up) ? down : Number.isNaN(down) ? up : Math.max(up, down);
    if (Number.isNaN(near)) return false;
    const tick = near === up ? e.bestAsk : e.bestBid;
    const slot = e.levelTail(tick);
    if (!(near > p.valueEdge)) {
      const ramp = p.staleApproachTicks;
      if (!(ramp > 0 && near > -ramp && this.#rnd.uniform() * ramp < near + ramp)) return false;
      if (e.orderSize(slot) >= e.sizeAt(tick)) return false; // the last order stays
    }
    e.cancel(slot, e.orderSize(slot));
    return true;
  }
}
