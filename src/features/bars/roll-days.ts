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
  parseDate,
  ROLL_BUSINESS_DAYS,
  requirePositiveInt,
  tradingDatesBefore,
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
