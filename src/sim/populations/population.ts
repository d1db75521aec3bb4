/**
 * The interface every trader population of the simulator implements, and what they share.
 *
 * Each event of the random flow belongs to one population. Populations with first refusal
 * (`flow: 'first'`: informed traders in an episode, liquidity providers withdrawing stale quotes,
 * value traders) are offered it in order and each takes it with its own probability; an event none
 * takes goes to the populations of the uninformed mix (`flow: 'mix'`: noise traders, market
 * makers), drawn by weight. Some act only once a minute (`flow: 'none'`: walls). Every population
 * may also act at the Globex open and at the start of each minute.
 */
import type { Random } from '../../core/index.js';
import type { MatchingEngine } from '../engine.js';
import type { InstrumentMarket, MinuteState, TradeTally } from '../market.js';
import type { SimParams } from '../params.js';
import type { EventPublisher } from '../publisher.js';
import type { TruthRecorder } from '../truth.js';

/** What the populations of a day share. Draws come from one stream, in event order. */
export interface SimContext {
  readonly rnd: Random;
  readonly p: SimParams;
  readonly minute: MinuteState;
  readonly publisher: EventPublisher;
  readonly tally: TradeTally;
  readonly truth: TruthRecorder;
}

/** How a population takes events of the random flow. */
export type FlowRole = 'first' | 'mix' | 'none';

/** One kind of trader acting on one instrument. */
export interface Population {
  readonly flow: FlowRole;
  /**
   * At the Globex open, after the engine has been cleared: `t` is the opening snapshot's time;
   * events of its own after the snapshot take `minute.slot()`.
   */
  open(t: number): void;
  /** At the start of each minute, before the flow (arrivals and departures; events take `minute.slot()`). */
  beginMinute(): void;
  /** (`first`) Acts on the event at `t` and returns true, or passes it on. */
  takeEvent(t: number): boolean;
  /** (`mix`) Weight in the mix of the events nobody took first, at this moment. */
  mixWeight(): number;
  /** (`mix`) Acts on the event at `t` drawn for it; `u` is uniform in [0, `mixWeight()`). */
  mixEvent(t: number, u: number): void;
}

/** A population that does nothing unless it overrides a step. */
export abstract class BasePopulation implements Population {
  abstract readonly flow: FlowRole;
  open(_t: number): void {}
  beginMinute(): void {}
  takeEvent(_t: number): boolean {
    return false;
  }
  mixWeight(): number {
    return 0;
  }
  mixEvent(_t: number, _u: number): void {}
}

/** A population of traders on one instrument's market, with the day's shared state at hand. */
export abstract class MarketPopulation extends BasePopulation {
  protected readonly market: InstrumentMarket;
  protected readonly engine: MatchingEngine;
  protected readonly rnd: Random;
  protected readonly p: SimParams;
  protected readonly minute: MinuteState;
  protected readonly publisher: EventPublisher;
  protected readonly tally: TradeTally;
  protected readonly truth: TruthRecorder;

  constructor(market: InstrumentMarket, ctx: SimContext) {
    super();
    this.market = market;
    this.engine = market.engine;
    this.rnd = ctx.rnd;
    this.p = ctx.p;
    this.minute = ctx.minute;
    this.publisher = ctx.publisher;
    this.tally = ctx.tally;
    this.truth = ctx.truth;
  }
}
