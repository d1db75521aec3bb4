/**
 * Daily inputs of a product across a contract roll: the prior-day levels and the average daily
 * volume VPIN sizes its buckets from (`vpinBucketVolume`), from the daily history of each contract.
 *
 * Levels are prices of one contract: the next quarter trades at a different price (the forward
 * points between the two expiries, tens of 6E ticks), so on a roll day the prior day's high, low
 * and close are the NEW front contract's own for the previous trading date. When that contract
 * has no bar there, there are none (the techniques wait, as on a first day): the expiring
 * contract's levels are never mixed in.
 *
 * Volume is the product's liquidity, carried by whichever contract is the front: the average daily
 * volume is that of the continuing front series, each past day the volume of the contract that was
 * the front on that day. The new front's own volume before the roll would understate it (as the
 * back month it trades a fraction of the front's volume).
 */
import {
  frontMonth,
  nextGlobexOpenMs,
  parseDate,
  ROLL_BUSINESS_DAYS,
  requirePositiveInt,
  tradingDateOf,
  tradingDatesBefore,
  tradingDayBounds,
} from '../../core/index.js';

/** One contract's CME trading date. */
export interface ContractDay {
  /** CME trading date, YYYY-MM-DD. */
  readonly date: string;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** Contracts traded. */
  readonly volume: number;
}

/** Daily history by raw symbol (`6EH7`), then by trading date. */
export type ContractHistory = ReadonlyMap<string, ReadonlyMap<string, ContractDay>>;

/**
 * The prior-day levels of `product` on trading date `date`: the previous trading date's bar of the
 * contract that is the front on `date` (`frontMonth`), or undefined when that contract has none.
 */
export function frontPriorDay(
  product: string,
  date: string,
  history: ContractHistory,
  rollBusinessDays = ROLL_BUSINESS_DAYS,
): ContractDay | undefined {
  parseDate(date);
  const front = frontMonth(product, date, rollBusinessDays).symbol;
  return history.get(front)?.get(tradingDatesBefore(date, 1)[0]);
}

/**
 * The average daily volume of `product` over the `days` trading dates before `date`, each day the
 * volume of the contract that was the front on that day; days without that contract's bar are left
 * out. Undefined when none of the days has one.
 */
export function frontAverageDailyVolume(
  product: string,
  date: string,
  history: ContractHistory,
  days: number,
  rollBusinessDays = ROLL_BUSINESS_DAYS,
): number | undefined {
  requirePositiveInt('days', days);
  let sum = 0;
  let n = 0;
  for (const d of tradingDatesBefore(date, days)) {
    const bar = history.get(frontMonth(product, d, rollBusinessDays).symbol)?.get(d);
    if (bar === undefined) continue;
    sum += bar.volume;
    n++;
  }
  return n === 0 ? undefined : sum / n;
}

/**
 * One contract's trading date in progress, folded trade by trade: `ContractDays` starts it, closes
 * it into the history and starts the next. Folding writes four numbers; nothing is allocated.
 */
export class ContractDayTally {
  /** Trading date in progress; '' before the first trade and while Globex is closed. */
  date = '';
  /** End of `date` (ms; the next Globex open while closed): a trade at or after it begins a new date. */
  endMs = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
  volume = 0;

  constructor(readonly symbol: string) {}

  /** One trade of the date in progress (decimal price; NaN or a non-positive size is left out). */
  fold(price: number, size: number): void {
    if (this.date === '' || !(size > 0) || !Number.isFinite(price)) return;
    if (this.volume === 0) {
      this.high = price;
      this.low = price;
    } else if (price > this.high) this.high = price;
    else if (price < this.low) this.low = price;
    this.close = price;
    this.volume += size;
  }
}

/**
 * The daily history of every contract traded in a replay (`history`, what `frontPriorDay` and
 * `frontAverageDailyVolume` read), from one `ContractDayTally` per raw symbol. A date enters the
 * history when it is over: at the contract's first trade of a later date, or when another
 * contract begins a later date (the expiring contract has no trade on the roll day to close its
 * last one).
 */
export class ContractDays {
  readonly #history = new Map<string, Map<string, ContractDay>>();
  readonly #tallies = new Map<string, ContractDayTally>();

  /** Daily bars by raw symbol, then by trading date. */
  get history(): ContractHistory {
    return this.#history;
  }

  /** The tally of contract `symbol` (one per symbol, kept when its calculators are rebuilt). */
  tally(symbol: string): ContractDayTally {
    let t = this.#tallies.get(symbol);
    if (t === undefined) {
      t = new ContractDayTally(symbol);
      this.#tallies.set(symbol, t);
    }
    return t;
  }

  /**
   * Begins the trading date of `tsMs` on `tally` (called when `tsMs` reaches its `endMs`): every
   * tally whose date is over by `tsMs` enters the history first. Outside Globex hours the tally has
   * no date until the next open. Returns the date begun, '' when none.
   */
  begin(tally: ContractDayTally, tsMs: number): string {
    for (const t of this.#tallies.values()) if (t.date !== '' && !(tsMs < t.endMs)) this.#close(t);
    const date = tradingDateOf(tsMs);
    if (date === null) {
      tally.date = '';
      tally.endMs = nextGlobexOpenMs(tsMs);
      return '';
    }
    tally.date = date;
    tally.endMs = tradingDayBounds(date).endMs;
    return date;
  }

  #close(t: ContractDayTally): void {
    if (t.volume > 0) {
      let days = this.#history.get(t.symbol);
      if (days === undefined) {
        days = new Map();
        this.#history.set(t.symbol, days);
      }
      days.set(
        t.date,
        Object.freeze({ date: t.date, high: t.high, low: t.low, close: t.close, volume: t.volume }),
      );
    }
    t.date = '';
    t.endMs = Number.NaN;
    t.high = Number.NaN;
    t.low = Number.NaN;
    t.close = Number.NaN;
    t.volume = 0;
  }
}
