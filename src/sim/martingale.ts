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
 * So every mid the files show is the value, which the traders never see coming: imbalance, walls,
 * OFI and trades still appear, and predict nothing. (Sign and size of each step are fresh draws;
 * only the step rate follows the regime and the session, as the activity does.)
 */
import type { Random } from '../core/index.js';
import { ASK, BID, type MatchingEngine, Owner } from './engine.js';

/**
 * A Poisson(`lambda`) draw by inversion of its distribution function: one uniform for the small
 * means of a step between two events, more draws only in the rare case of many steps.
 */
export function poisson(rnd: Random, lambda: number): number {
  if (!(lambda > 0)) return 0;
  let u = rnd.uniform();
  let p = Math.exp(-lambda);
  let k = 0;
  // Past ~700, exp(−λ) underflows; a step of that many ticks between two events is not a market.
  while (u > p && k < 1000) {
    u -= p;
    k++;
    p *= lambda / k;
  }
  return k;
}

/**
 * The value's steps over `dtMin` minutes at volatility `sigma` (ticks per √minute): a count of
 * Poisson(σ²·dt) steps, each ±1 on a fair coin. Returns the net move in ticks.
 */
export function martingaleSteps(rnd: Random, sigma: number, dtMin: number): number {
  const n = poisson(rnd, sigma * sigma * dtMin);
  let move = 0;
  for (let i = 0; i < n; i++) move += rnd.chance(0.5) ? 1 : -1;
  return move;
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
