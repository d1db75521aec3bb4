/**
 * Value traders: they know the fundamental value and take the touch it has moved past by more
 * than `valueEdge` ticks (price discovery).
 */
import type { Random } from '../../core/index.js';
import { ASK, BID, type MatchingEngine } from '../engine.js';
import type { InstrumentMarket, TradeTally } from '../market.js';
import type { SimParams } from '../params.js';
import { BasePopulation, type SimContext } from './population.js';

/** The value traders of one instrument. */
export class ValueTraders extends BasePopulation {
  readonly flow = 'first';
  readonly #m: InstrumentMarket;
  readonly #e: MatchingEngine;
  readonly #rnd: Random;
  readonly #p: SimParams;
  readonly #tally: TradeTally;

  constructor(market: InstrumentMarket, ctx: SimContext) {
    super();
    this.#m = market;
    this.#e = market.engine;
    this.#rnd = ctx.rnd;
    this.#p = ctx.p;
    this.#tally = ctx.tally;
  }

  /** With probability `valueTradeProb`, takes a touch the value has passed (passes when none has). */
  override takeEvent(_t: number): boolean {
    if (!this.#rnd.chance(this.#p.valueTradeProb)) return false;
    const e = this.#e;
    const p = this.#p;
    const value = this.#m.value;
    if (value > e.bestAsk + p.valueEdge) {
      this.#tally.record(
        this.#m,
        BID,
        e.aggress(BID, 1 + this.#rnd.floorExponential(p.valueMeanSize), e.bestAsk),
        false,
      );
      return true;
    }
    if (value < e.bestBid - p.valueEdge) {
      this.#tally.record(
        this.#m,
        ASK,
        e.aggress(ASK, 1 + this.#rnd.floorExponential(p.valueMeanSize), e.bestBid),
        false,
      );
      return true;
    }
    return false;
  }
}
