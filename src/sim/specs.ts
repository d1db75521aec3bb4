/**
 * Contract specs of the CME FX futures the simulator can generate (INTEGRATIONS.md §1, CME
 * contract-spec tables): apart from the simulator, so that a configuration naming instruments
 * loads none of it.
 */

import { CME_FX_FUTURES } from '../core/index.js';

/** Contract spec of one product. */
export interface FutureSpec {
  /** Product code (Globex group/asset), e.g. `6E`. */
  readonly product: string;
  /** Spot pair it follows, as the future quotes it (6J is USD per JPY, the inverse of USD/JPY). */
  readonly pair: string;
  /** Outright tick in raw 1e-9 price units. */
  readonly tickRaw: number;
  /** Contract size in units of the base currency. */
  readonly contractSize: number;
  /** Base currency (`unit_of_measure`). */
  readonly currency: string;
  /** Dollar value of one tick, in units of 1e-9 USD. */
  readonly tickValueRaw: bigint;
  /**
   * Ticks between "round" levels: the 00 and 50 levels of the quote (multiples of 0.0050 for 6E and
   * 6B, of 0.0000500 for 6J, i.e. 50 pips of the instrument's own quote; CONVENTIONS.md: round
   * numbers are those of the instrument's own quote).
   */
  readonly roundTicks: number;
  /** Default starting price in raw units (near late-2025 levels; a run parameter). */
  readonly startRaw: number;
  /** First instrument id of the product's simulated ids (see `instrumentIdFor`). */
  readonly idBase: number;
  /**
   * Loading on the common USD factor: the correlation of two products' 1-minute fundamental
   * returns is the product of their loadings (6E–6B ≈ 0.6, 6E–6J ≈ 0.32). Assumed from typical
   * EUR/USD–GBP/USD and EUR/USD–JPY/USD return correlations; not a cited figure.
   */
  readonly usdLoading: number;
  /** Relative volatility of the fundamental value in ticks, 6E = 1 (6B has a 2x tick, 6J a similar one). */
  readonly volScale: number;
}

/**
 * Specs by product. Sizes and ticks: CME contract-spec tables as mirrored in INTEGRATIONS.md §1
 * (6E 125,000 EUR, tick 0.00005 = $6.25; 6B 62,500 GBP, tick 0.0001 = $6.25; 6J 12,500,000 JPY,
 * tick 0.0000005 = $6.25).
 */
export const FUTURE_SPECS: Readonly<Record<string, FutureSpec>> = {
  '6E': {
    product: '6E',
    pair: 'EUR/USD',
    tickRaw: CME_FX_FUTURES['6E'].tickRaw,
    contractSize: CME_FX_FUTURES['6E'].contractSize,
    currency: 'EUR',
    tickValueRaw: 6_250_000_000n,
    roundTicks: 100,
    startRaw: 1_160_000_000,
    idBase: 40_000_000,
    usdLoading: 0.8,
    volScale: 1,
  },
  '6B': {
    product: '6B',
    pair: 'GBP/USD',
    tickRaw: CME_FX_FUTURES['6B'].tickRaw,
    contractSize: CME_FX_FUTURES['6B'].contractSize,
    currency: 'GBP',
    tickValueRaw: 6_250_000_000n,
    roundTicks: 50,
    startRaw: 1_320_000_000,
    idBase: 41_000_000,
    usdLoading: 0.75,
    // GBP/USD is ~1.1x as volatile as EUR/USD in price terms, on a tick twice as large.
    volScale: 0.6,
  },
  '6J': {
    product: '6J',
    pair: 'USD/JPY',
    tickRaw: CME_FX_FUTURES['6J'].tickRaw,
    contractSize: CME_FX_FUTURES['6J'].contractSize,
    currency: 'JPY',
    tickValueRaw: 6_250_000_000n,
    roundTicks: 100,
    startRaw: 6_700_000,
    idBase: 42_000_000,
    usdLoading: 0.4,
    // 0.0000005 on ~0.0067 is 0.75 bp a tick vs 0.43 bp for 6E; JPY volatility is similar in %.
    volScale: 0.65,
  },
};
