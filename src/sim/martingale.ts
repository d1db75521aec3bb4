/**
 * The mid of the `null` market (issue 22): a martingale whose increments owe nothing to the order
 * flow or the book. The fundamental value walks on the grid of half ticks between the bid and ask
 * ticks (`m + 0.5`), stepping one tick up or down on a fair coin at the times of a Poisson process
 * whose rate is the regime's variance (σ² steps a minute give σ² ticks² a minute, as the value's
 * Brownian motion does in the default market); jumps are rounded to whole ticks. After every event
 * the book is recentred on it: the touch is always bid `m`, ask `m + 1`, a one-tick spread. What
 * the traders do between (a market order that empties the touch, a maker that pulls, a cancel of
 * the last order at a level) is refilled at the same prices in the same event, and a step of the
 * value moves the touch in that event, by cancelling the orders on the price it passes.
 *
 * So every mid the files show is the value: imbalance, walls, OFI and trades still appear, and
 * predict nothing, unless informed traders are let in. Each step is drawn ahead (`MartingaleWalk`:
 * its time and its direction), and informed traders, with `informedShareMax` as their share of
 * the events in the `INFORMED_LEAD_S` seconds before a step, buy before an up-step and sell before
 * a down-step: their share is the dial from no predictability (0, the `null` preset) upwards, and
 * the mid stays a martingale for everyone who does not know the draw.
 */
import type { Random } from '../core/index.js';
import { ASK, BID, type MatchingEngine, Owner } from './engine.js';

/** Nanoseconds in a minute. */
const NS_PER_MIN = 60_000_000_000;

/** How long before a step of the walk informed traders know it, seconds. */
export const INFORMED_LEAD_S = 10;

/**
 * The value's walk of a martingale market, one step drawn ahead: when it comes (`nextNs`, an ns
 * offset) and which way (`dir`). The step rate is piecewise constant (σ² a minute, σ following
 * the regime and the session); when it changes, the time to the drawn step is drawn again at the
 * new rate (exact for a Poisson process, which has no memory) and its direction kept.
 */
export class MartingaleWalk {
  nextNs = Number.POSITIVE_INFINITY;
  dir = 0;
  /** Steps per ns the pending step was drawn at. */
  #rate = 0;

  /** The net move (ticks) of the steps due by `t`, the walk stepping at `sigma` ticks per √minute since `from`. */
  advance(rnd: Random, sigma: number, from: number, t: number): number {
    const rate = (sigma * sigma) / NS_PER_MIN;
    if (rate !== this.#rate) {
      this.#rate = rate;
      if (this.dir === 0) this.dir = rnd.chance(0.5) ? 1 : -1;
      this.nextNs = rate > 0 ? from + rnd.exponential() / rate : Number.POSITIVE_INFINITY;
    }
    let move = 0;
    while (this.nextNs <= t) {
      move += this.dir;
      this.dir = rnd.chance(0.5) ? 1 : -1;
      this.nextNs += rnd.exponential() / rate;
    }
    return move;
  }
}

/**
 * Recentres the book on `value` (= m + 0.5): the orders on the side a step has passed are
 * cancelled, level by level, and an emptied touch is refilled at `m` (bid) or `m + 1` (ask) by a
 * noise-sized order. Each change is a record of the current event.
 */
export function recentre(engine: MatchingEngine, value: number, rnd: Random, meanSize: number): void {
  const m = Math.floor(value);
  for (let ask = engine.bestAsk; ask <= m; ask = engine.bestAsk) clearLevel(engine, ask);
  for (let bid = engine.bestBid; bid >= m + 1; bid = engine.bestBid) clearLevel(engine, bid);
  if (!(engine.bestBid === m)) engine.add(BID, m, 1 + rnd.floorExponential(meanSize), Owner.NOISE);
  if (!(engine.bestAsk === m + 1)) engine.add(ASK, m + 1, 1 + rnd.floorExponential(meanSize), Owner.NOISE);
}

/** Cancels every order resting at `tick`, newest first. */
function clearLevel(engine: MatchingEngine, tick: number): void {
  for (let slot = engine.levelTail(tick); slot >= 0; slot = engine.levelTail(tick))
    engine.cancel(slot, engine.orderSize(slot));
}
