import type { InstrumentMarket } from '../market.js';
import { InformedTraders } from './informed.js';
import { MarketMakers } from './makers.js';
import { NoiseTraders } from './noise.js';
import type { Population, SimContext } from './population.js';
import { ValueTraders } from './value.js';
import { Walls } from './walls.js';
import { StaleQuoteWithdrawal } from './withdrawal.js';

export { InformedTraders } from './informed.js';
export { MarketMakers } from './makers.js';
export { NewsAction, NewsReleases, type NewsSchedule } from './news.js';
export { NoiseTraders } from './noise.js';
export {
  BasePopulation,
  type FlowRole,
  MarketPopulation,
  type Population,
  type SimContext,
} from './population.js';
export { ValueTraders } from './value.js';
export { Walls } from './walls.js';
export { StaleQuoteWithdrawal } from './withdrawal.js';

/**
 * The populations of one instrument, in the order they act: informed traders, stale-quote
 * withdrawals and value traders are offered each event first, in that order; noise traders and
 * market makers share the rest; at the open the noise book comes before the makers' quotes; at a
 * minute's start episodes arrive before walls. The order is part of the output (one random stream).
 */
export function populationsOf(market: InstrumentMarket, ctx: SimContext): Population[] {
  return [
    new InformedTraders(market, ctx),
    new StaleQuoteWithdrawal(market, ctx),
    new ValueTraders(market, ctx),
    new NoiseTraders(market, ctx),
    new MarketMakers(market, ctx),
    new Walls(market, ctx),
  ];
}
