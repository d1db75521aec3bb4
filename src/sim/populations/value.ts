import { ASK, BID } from '../engine.js';
import { MarketPopulation } from './population.js';

/** The value traders of one instrument. */
export class ValueTraders extends MarketPopulation {
  readonly flow = 'first';

  /** With probability `valueTradeProb`, takes a touch the value has passed (passes when none has). */
  override takeEvent(_t: number): boolean {
    if (!this.rnd.chance(this.p.valueTradeProb)) return false;
    const e = this.engine;
    const p = this.p;
    const value = this.market.value;
    if (value > e.bestAsk + p.valueEdge) {
      this.tally.record(
        this.market,
        BID,
        e.aggress(BID, 1 + this.rnd.floorExponential(p.valueMeanSize), e.bestAsk),
        false,
      );
      return true;
    }
    if (value < e.bestBid - p.valueEdge) {
      this.tally.record(
        this.market,
        ASK,
        e.aggress(ASK, 1 + this.rnd.floorExponential(p.valueMeanSize), e.bestBid),
        false,
      );
      return true;
    }
    return false;
  }
}
