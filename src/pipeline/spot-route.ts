/**
 * A decision taken on a CME FX future, traded on its spot pair (`execution.tradeOn: spot`, as
 * through IG): the bracket's prices, the direction and the size, carried across.
 *
 * - Prices move by the basis now: a level `p` of 6E or 6B is `p + (spot mid − future mid)` on
 *   EUR/USD or GBP/USD. 6J is quoted in USD per JPY and USD/JPY in JPY per USD: the level first
 *   moves by the basis in the future's terms (`p − future mid + 1/spot mid`), then is inverted;
 *   a long yen future is a short USD/JPY, and a distance (the ATR) scales by spot² (d(1/x) = −dx/x²).
 * - Sizes: a contract's notional in the pair's base currency, in lots of 100,000, to the nearest
 *   lot and at least one (6E: 125,000 EUR a contract, so 4 contracts are 5 lots; 6J: 12.5 M JPY,
 *   which is 12.5 M / spot USD).
 */
import { CME_FX_FUTURES, fxFutureRoot, SPOT_PAIRS } from '../core/index.js';
import type { PortfolioView } from './portfolio.js';

/** The base currency in one spot lot (IG's standard lot). */
export const SPOT_LOT = 100_000;

/** What a bracket takes from a decision, in raw 1e-9 price units (see `tradeTerms`). */
export interface TradeTerms {
  readonly setup: { readonly entry: number; readonly stop: number; readonly target: number } | null;
  readonly passivePx: number | null;
  readonly atrRaw: number;
}

/** A future and its spot pair now: their mids in raw units, and whether the spot is the inverse. */
export interface SpotLeg {
  readonly futureMidRaw: number;
  readonly spotMidRaw: number;
  readonly invert: boolean;
}

/** A future's price level (raw) as its spot pair's (raw, to the nearest unit). */
export function spotLevel(px: number, leg: SpotLeg): number {
  if (!leg.invert) return Math.round(px + leg.spotMidRaw - leg.futureMidRaw);
  const shifted = (px - leg.futureMidRaw) * 1e-9 + 1e9 / leg.spotMidRaw;
  return Math.round(1e9 / shifted);
}

/** A decision's bracket terms on the future, carried to its spot pair. */
export function spotTerms(t: TradeTerms, leg: SpotLeg): TradeTerms {
  const level = (px: number) => spotLevel(px, leg);
  const spot = leg.spotMidRaw * 1e-9;
  return {
    setup:
      t.setup === null
        ? null
        : { entry: level(t.setup.entry), stop: level(t.setup.stop), target: level(t.setup.target) },
    passivePx: t.passivePx === null ? null : level(t.passivePx),
    atrRaw: leg.invert ? t.atrRaw * spot * spot : t.atrRaw,
  };
}

/**
 * A signed position in contracts of the future with root `root` as lots of its spot pair (signed:
 * the yen future's long is the USD/JPY short). Zero stays zero.
 */
export function spotLots(contracts: number, root: string, leg: SpotLeg): number {
  if (contracts === 0) return 0;
  const size = CME_FX_FUTURES[root]?.contractSize;
  if (size === undefined) throw new RangeError(`${root} is not a CME FX future`);
  const base = leg.invert ? size / (leg.spotMidRaw * 1e-9) : size;
  const lots = Math.max(1, Math.round((Math.abs(contracts) * base) / SPOT_LOT));
  return contracts > 0 !== leg.invert ? lots : -lots;
}

/** What `SpotPortfolio` reads of the trader's book. */
export interface PositionBook extends PortfolioView {
  positions(): readonly { readonly symbol: string; readonly quantity: number }[];
}

/**
 * The trader's book as the pipeline's validators see it when decisions on futures trade their spot
 * pairs: a future's position is its pair's, in contracts (lots back through `spotLots`' notional,
 * the yen future's sign turned), so position and exposure limits keep their units.
 */
export class SpotPortfolio implements PortfolioView {
  constructor(
    readonly book: PositionBook,
    /** The spot pair's mid now (raw), for the yen future's notional; NaN when unknown. */
    readonly spotMidRaw: (pair: string) => number,
  ) {}

  position(instrument: string): number {
    const root = fxFutureRoot(instrument);
    if (root === undefined) return this.book.position(instrument);
    return this.#contracts(root, this.book.position(SPOT_PAIRS[root].pair));
  }

  grossExposure(): number {
    let gross = 0;
    for (const p of this.book.positions()) {
      const root = Object.keys(SPOT_PAIRS).find((r) => SPOT_PAIRS[r].pair === p.symbol);
      gross += Math.abs(root === undefined ? p.quantity : this.#contracts(root, p.quantity));
    }
    return gross;
  }

  dailyPnl(): number {
    return this.book.dailyPnl();
  }

  /** Lots of `root`'s spot pair as contracts of the future (signed as the future's position). */
  #contracts(root: string, lots: number): number {
    if (lots === 0) return 0;
    const spec = SPOT_PAIRS[root];
    const size = CME_FX_FUTURES[root].contractSize;
    const base = spec.invert ? size / (this.spotMidRaw(spec.pair) * 1e-9) : size;
    const contracts = (lots * SPOT_LOT) / base;
    // Without a quote the yen notional is unknown: count the lots, never nothing.
    const n = Number.isFinite(contracts) ? contracts : lots;
    return spec.invert ? -n : n;
  }
}

/**
 * The book the validators read when decisions trade on `tradeOn`: `book` itself on futures, its
 * futures-equivalent view (`SpotPortfolio`) on spot, with `spotMidRaw` the pair's mid now.
 */
export function decisionPortfolio(
  book: PositionBook,
  tradeOn: 'future' | 'spot',
  spotMidRaw: (pair: string) => number,
): PortfolioView {
  return tradeOn === 'spot' ? new SpotPortfolio(book, spotMidRaw) : book;
}
