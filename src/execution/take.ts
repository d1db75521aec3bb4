/**
 * Taking liquidity from a recorded book: what a marketable order would get at the moment it
 * arrives. It walks the visible levels of the opposite side, best first, never takes more than a
 * level shows, and stops at its limit price (a market order has none). A crossed or locked book
 * fills nothing: its prices are not ones anyone could trade at (CONVENTIONS.md).
 *
 * Our order does not change the recorded book (no market impact in replay): two takes against the
 * same state each see the whole of it, so a broker that sends several orders between two book
 * updates must subtract what its earlier ones took (`taken`).
 */
import type { BookView } from '../book/index.js';
import type { OrderSide } from './order.js';

/** What a take got: fills by level, their total and volume-weighted price. */
export interface Take {
  /** Quantity and price (raw units) of each level taken, best first. */
  readonly fills: { quantity: number; price: number }[];
  readonly quantity: number;
  /** Volume-weighted average price (raw units), NaN when nothing was taken. */
  readonly averagePx: number;
}

const NOTHING: Take = Object.freeze({ fills: [], quantity: 0, averagePx: Number.NaN });

/**
 * Takes up to `quantity` from the side of `book` opposite to `side`, at prices no worse than
 * `limitPx` (raw units; omit for a market order). `taken(price)` is what this broker's own earlier
 * orders already took at that price since the book last changed.
 */
export function takeLiquidity(
  book: BookView,
  side: OrderSide,
  quantity: number,
  limitPx = Number.NaN,
  taken: (price: number) => number = () => 0,
): Take {
  if (book.crossed || book.bidLevels === 0 || book.askLevels === 0) return NOTHING;
  const buy = side === 'buy';
  const levels = buy ? book.askLevels : book.bidLevels;
  // Made with the first fill: most calls that find nothing to take (depth already taken) allocate nothing.
  let fills: { quantity: number; price: number }[] | null = null;
  let left = quantity;
  let notional = 0;
  for (let i = 0; i < levels && left > 0; i++) {
    const price = buy ? book.askPx(i) : book.bidPx(i);
    if (!Number.isNaN(limitPx) && (buy ? price > limitPx : price < limitPx)) break;
    const shown = (buy ? book.askSz(i) : book.bidSz(i)) - taken(price);
    if (shown <= 0) continue;
    const q = Math.min(shown, left);
    if (fills === null) fills = [];
    fills.push({ quantity: q, price });
    notional += q * price;
    left -= q;
  }
  const filled = quantity - left;
  return filled === 0 || fills === null ? NOTHING : { fills, quantity: filled, averagePx: notional / filled };
}
