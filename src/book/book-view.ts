/**
 * The read interface shared by every order book, whatever it is built from (MBP levels or MBO
 * orders), so that features, the simulator and the paper broker read one shape.
 *
 * Units: prices are raw DBN 1e-9 units as `number`s (exact below 2^53, see core/price.ts), NaN
 * when a level or side is empty; sizes and counts are plain numbers, 0 when empty. Levels are
 * numbered from 0 = best. Nothing here allocates: getters read preallocated typed arrays.
 */

/** Side codes as DBN writes them (the same values as `Side` of the decoder): 'B' and 'A'. */
export const BookSide = {
  BID: 66,
  ASK: 65,
} as const;

/** What every book offers to readers. */
export interface BookView {
  /** `l2` for level books (MBP), `l3` for order books (MBO). */
  readonly kind: 'l2' | 'l3';
  /** Instrument and publisher of the last applied record. */
  readonly instrumentId: number;
  readonly publisherId: number;

  /** Number of non-empty levels on each side (an L2 book sees at most 10). */
  readonly bidLevels: number;
  readonly askLevels: number;

  /** Best prices (NaN when the side is empty) and sizes (0 when empty). */
  readonly bestBidPx: number;
  readonly bestAskPx: number;
  readonly bestBidSz: number;
  readonly bestAskSz: number;

  /** Level `i` (0 = best): price NaN, size and count 0 beyond the last level. */
  bidPx(i: number): number;
  askPx(i: number): number;
  bidSz(i: number): number;
  askSz(i: number): number;
  bidCt(i: number): number;
  askCt(i: number): number;

  /** (best bid + best ask) / 2 in raw units; NaN when either side is empty. */
  readonly mid: number;
  /** Best ask − best bid in raw units; NaN when either side is empty; <= 0 when crossed or locked. */
  readonly spread: number;
  /** Total size of the best `k` levels of `side` (`BookSide.BID`/`ASK`, i.e. 'B'/'A'). */
  depth(side: number, k: number): number;

  /**
   * Best bid >= best ask. Real CME data is crossed or locked before the open (pre-open orders
   * rest without matching): mark it, never trade on it, and skip it in features that assume
   * bid < ask.
   */
  readonly crossed: boolean;
  /** The last applied record carried F_LAST: the state may be published (see CONVENTIONS.md). */
  readonly consistent: boolean;

  /** Timestamps of the last applied record as exact unsigned 32-bit halves of the u64 ns. */
  readonly tsEventLo: number;
  readonly tsEventHi: number;
  readonly tsRecvLo: number;
  readonly tsRecvHi: number;
  /** ts_recv of the last applied record in float milliseconds (arithmetic only, not identity). */
  readonly tsRecvMs: number;
  /** Venue sequence number of the last applied record. */
  readonly sequence: number;
  /** Records applied so far. */
  readonly updates: number;
}
