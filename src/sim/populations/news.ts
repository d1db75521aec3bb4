import { type InstrumentMarket, type NewsBlowout, NS_PER_MIN } from '../market.js';
import { MarketPopulation, type SimContext } from './population.js';

/** What a step of a news schedule does. */
export const NewsAction = {
  /** A blow-out starts: liquidity near the touch is withdrawn, makers stand back. */
  START: 0,
  /** The release: the value jumps. */
  JUMP: 1,
  /** A blow-out ends. */
  END: 2,
} as const;

/** What the news releases of a day do to one instrument (news.ts plans it). */
export interface NewsSchedule {
  /** Times of the steps, ns offsets from the window start, ascending (may be negative). */
  readonly t: Float64Array;
  /** `NewsAction` of each step. */
  readonly kind: Uint8Array;
  /** The jump of the value at a `JUMP` step, ticks of the instrument. */
  readonly ticks: Float64Array;
  /** Event-rate multiplier by minute of the window (minutes since its start); 1 in the others. */
  readonly activity: ReadonlyMap<number, number>;
  readonly blowout: NewsBlowout;
}

/**
 * The news releases of one instrument (the `news` scenario): offered every event first, it carries
 * out the steps of its schedule whose time has come (the value's jump, the start and end of a
 * blow-out), and in a blow-out keeps the book's liquidity standing back from the value; it takes
 * the event when it withdrew orders in it. At each minute's start it sets the market's event-rate
 * multiplier. Draws nothing.
 */
export class NewsReleases extends MarketPopulation {
  readonly flow = 'first';
  readonly #s: NewsSchedule;
  #next = 0;
  /** Blow-outs in force (windows of releases close together overlap). */
  #open = 0;

  constructor(market: InstrumentMarket, ctx: SimContext, schedule: NewsSchedule) {
    super(market, ctx);
    this.#s = schedule;
  }

  override beginMinute(): void {
    this.market.rateScale = this.#s.activity.get(Math.floor(this.minute.start / NS_PER_MIN)) ?? 1;
  }

  /** Carries out the steps due by `t`, then stands back in a blow-out; takes the event when that withdrew orders. */
  override takeEvent(t: number): boolean {
    const s = this.#s;
    while (this.#next < s.t.length && s.t[this.#next] <= t) {
      const i = this.#next++;
      const kind = s.kind[i];
      if (kind === NewsAction.JUMP) this.market.value += s.ticks[i];
      else if (kind === NewsAction.START) {
        if (this.#open++ === 0) this.market.blowout = s.blowout;
      } else if (--this.#open === 0) this.market.blowout = null;
    }
    return this.#open > 0 && this.#standBack();
  }

  /**
   * Cancels every order resting within `spreadTicks` of the value on the side it has not passed:
   * with the value at m + f (0 ≤ f < 1), bids at m − h + 1 … m and asks at m + 1 … m + h, where
   * the makers' innermost quotes stand at m − h and m + 1 + h. So the spread is at least 2h + 1
   * ticks from the blow-out's start on, as liquidity providers keep clear of the release; quotes
   * the value has jumped past are left to the value traders. Returns whether anything was
   * cancelled.
   */
  #standBack(): boolean {
    const h = this.#s.blowout.spreadTicks;
    const m = Math.floor(this.market.value);
    let cancelled = false;
    const e = this.engine;
    for (let d = 0; d < h; d++) {
      // A level at m or below holds bids only up to the best bid; beyond it, asks the value passed.
      if (m - d <= e.bestBid && this.#clear(m - d)) cancelled = true;
      if (m + 1 + d >= e.bestAsk && this.#clear(m + 1 + d)) cancelled = true;
    }
    return cancelled;
  }

  /** Cancels every order resting at `tick`, newest first; whether there was one. */
  #clear(tick: number): boolean {
    const e = this.engine;
    let any = false;
    for (let slot = e.levelTail(tick); slot >= 0; slot = e.levelTail(tick)) {
      e.cancel(slot, e.orderSize(slot));
      any = true;
    }
    return any;
  }
}
