/**
 * Queue models: where a resting limit order stands in its price level's queue, and when the
 * market's own trades reach it. The MBP interface is small and open, as hftbacktest's
 * `QueueModel` is, so a user can plug in their own.
 *
 * - `RiskAverseQueue` (MBP): only trades at our price move us forward; a level that shrinks below
 *   the size ahead of us caps it (we cannot be behind more than is there), nothing else does.
 * - `ProbabilisticQueue` (MBP): a size decrease not explained by trades is a cancel, behind us
 *   with probability f(ahead, behind) and ahead of us otherwise (Rigtorp's and hftbacktest's
 *   models; power and logarithmic forms below). The traded quantity is subtracted from the next
 *   size decrease of the level, so a trade is not counted once as a trade and again as a cancel.
 * - `MboQueue`: exact FIFO on MBO data, through the L3 book's priority stamps.
 *
 * Our own orders are not in the recorded book: the size ahead of a new order is the level's whole
 * size, and what trades beyond it fills us, up to what we have left.
 */
import type { L3Book } from '../book/index.js';

/** A resting order's place in its level's queue. Models keep what they need here. */
export interface QueuePosition {
  /** Quantity ahead of us (may go below 0: that much traded through us). */
  ahead: number;
  /** Traded quantity at our price since the level's size last changed. */
  traded: number;
}

/** Splits a level's size changes and trades into progress of a resting order. */
export interface QueueModel {
  readonly name: string;
  /** A new order joins the back of a level holding `levelQty`. */
  join(levelQty: number): QueuePosition;
  /** `qty` traded at our price (before the level's size shows it). */
  trade(pos: QueuePosition, qty: number): void;
  /** The level's size went from `prevQty` to `newQty`. */
  depth(pos: QueuePosition, prevQty: number, newQty: number): void;
}

/** Quantity of our order filled by what traded past the queue ahead, given `leaves` left. */
export function queueFill(pos: QueuePosition, leaves: number): number {
  if (pos.ahead >= 0) return 0;
  const filled = Math.min(-pos.ahead, leaves);
  pos.ahead += filled;
  return filled;
}

/** Only trades at our price move us forward. */
export class RiskAverseQueue implements QueueModel {
  readonly name = 'risk-averse';

  join(levelQty: number): QueuePosition {
    return { ahead: levelQty, traded: 0 };
  }

  trade(pos: QueuePosition, qty: number): void {
    pos.ahead -= qty;
  }

  depth(pos: QueuePosition, _prevQty: number, newQty: number): void {
    pos.ahead = Math.min(pos.ahead, newQty);
  }
}

/**
 * Probability that a cancel of the level is behind us, given the quantities ahead and behind: the
 * more stands behind, the likelier a cancel comes from there. Forms from hftbacktest's
 * documentation: power `behind^n / (behind^n + ahead^n)` and logarithmic
 * `log(1+behind) / (log(1+behind) + log(1+ahead))`; 1 for an empty level.
 */
export type CancelBehindProbability = (ahead: number, behind: number) => number;

export function powerProbability(n: number): CancelBehindProbability {
  return (ahead, behind) => {
    const b = behind ** n;
    const a = ahead ** n;
    return a + b === 0 ? 1 : b / (a + b);
  };
}

export const logProbability: CancelBehindProbability = (ahead, behind) => {
  const b = Math.log1p(behind);
  const a = Math.log1p(ahead);
  return a + b === 0 ? 1 : b / (a + b);
};

/** A size decrease not explained by trades is a cancel behind us with probability f(ahead, behind). */
export class ProbabilisticQueue implements QueueModel {
  constructor(
    readonly probability: CancelBehindProbability,
    readonly name = 'probabilistic',
  ) {}

  join(levelQty: number): QueuePosition {
    return { ahead: levelQty, traded: 0 };
  }

  trade(pos: QueuePosition, qty: number): void {
    pos.ahead -= qty;
    pos.traded += qty;
  }

  depth(pos: QueuePosition, prevQty: number, newQty: number): void {
    // What the trades since the last change already explain is not a cancel.
    const traded = pos.traded;
    const cancelled = prevQty - newQty - traded;
    pos.traded = 0;
    if (cancelled <= 0) {
      pos.ahead = Math.min(pos.ahead, newQty);
      return;
    }
    const ahead = Math.max(pos.ahead, 0);
    // The level before the change still held what traded since: that was ahead of us, not behind.
    const behind = Math.max(prevQty - traded - ahead, 0);
    const p = this.probability(ahead, behind);
    // The expected share of the cancel ahead of us, plus what the part behind cannot absorb; a
    // cancel brings us at most to the front, it never fills us.
    const estimate = ahead - (1 - p) * cancelled + Math.min(behind - p * cancelled, 0);
    pos.ahead = Math.min(Math.max(estimate, 0), newQty);
  }
}

/**
 * Exact FIFO on MBO data: our order is a virtual order at the back of its level in an L3 book
 * (a priority stamp taken when it joins), so only the orders ahead of it in priority count: a
 * stranger's cancel behind us changes nothing, one ahead of us moves us forward, and an order that
 * loses priority (a modify that raises its size or moves its price) goes behind us.
 */
export class MboQueue {
  readonly #priority: number;

  /** Joins the back of (`side`, `price`) in `book` now. */
  constructor(
    readonly book: L3Book,
    readonly side: number,
    readonly price: number,
  ) {
    this.#priority = book.nextPriority;
  }

  /** Size resting ahead of us now. */
  get ahead(): number {
    return this.book.sizeAheadOf(this.side, this.price, this.#priority);
  }

  /**
   * A trade of `quantity` against our price (reported before the fills and cancels that remove
   * the orders it took): what goes past the orders ahead of us fills us, up to `leaves`.
   */
  trade(quantity: number, leaves: number): number {
    return Math.max(0, Math.min(quantity - this.ahead, leaves));
  }
}
