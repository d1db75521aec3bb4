import { MarketPopulation } from './population.js';

/** Stale-quote withdrawals on one instrument. */
export class StaleQuoteWithdrawal extends MarketPopulation {
  readonly flow = 'first';

  /** With probability `staleCancelProb`, withdraws the newest order of a stale touch (passes when none is). */
  override takeEvent(_t: number): boolean {
    if (!this.rnd.chance(this.p.staleCancelProb)) return false;
    const e = this.engine;
    const p = this.p;
    const value = this.market.value;
    const up = value - e.bestAsk; // NaN when the side is empty
    const down = e.bestBid - value;
    const near = Number.isNaN(up) ? down : Number.isNaN(down) ? up : Math.max(up, down);
    if (Number.isNaN(near)) return false;
    const tick = near === up ? e.bestAsk : e.bestBid;
    const slot = e.levelTail(tick);
    if (!(near > p.valueEdge)) {
      const ramp = p.staleApproachTicks;
      if (!(ramp > 0 && near > -ramp && this.rnd.uniform() * ramp < near + ramp)) return false;
      if (e.orderSize(slot) >= e.sizeAt(tick)) return false; // the last order stays
    }
    e.cancel(slot, e.orderSize(slot));
    return true;
  }
}
