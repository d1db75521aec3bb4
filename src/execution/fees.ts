/**
 * Fee models: what a fill costs beyond its price, in the account currency (USD).
 *
 * - `PerContractFees` (CME futures): exchange (with clearing), regulatory and broker fees per
 *   contract per side, by product. `CME_FX_FEES` holds the defaults for 6E, 6B and 6J:
 *   - exchange: USD 1.60, CME's Globex fee for non-member FX futures as Interactive Brokers passes
 *     it on, clearing included ("Fees charged to offset CME (Electronic-Globex) exchange and
 *     regulatory fees", interactivebrokers.com/en/accounts/fees/CME.php, Forex Futures,
 *     non-member); `clearing` 0, for a clearing firm that bills it apart;
 *   - regulatory: USD 0.02, the NFA assessment fee per side;
 *   - broker: USD 0.85, Interactive Brokers' fixed US futures commission (up to 1,000 contracts a
 *     month, interactivebrokers.com/en/pricing/commissions-futures.php).
 *   Members and high-volume traders pay less: set your own from your clearing statement.
 * - `SpotFees` (IG spot FX): no commission; the cost is the spread, which IG's quotes already
 *   hold, plus a mark-up (`markupPips` per side, for quotes that do not include it) and overnight
 *   financing: positions held over 17:00 New York pay `adminPct` a year on their notional (IG's
 *   admin fee, 0.8 % by default) net of the interest differential `tomNextPct` (positive:
 *   you receive), three days' worth on Wednesdays (the weekend's value dates) [check IG's
 *   current terms for your account].
 *
 * A fee is never negative: rebates are not modelled.
 */
import { CME_FX_FUTURES, fxFutureRoot, InvalidOptionError, requireNonNegative } from '../core/index.js';
import type { InstrumentTerms } from './portfolio.js';

/** Who took liquidity: the resting order (maker) or the one that met it (taker). */
export type Liquidity = 'maker' | 'taker';

export interface FeeModel {
  readonly name: string;
  /** Fee of a fill of `quantity` at `price` (raw units), account currency, >= 0. */
  fee(terms: InstrumentTerms, quantity: number, price: number, liquidity: Liquidity): number;
  /** How much worse than the quote a fill is priced, raw units per unit (a spread mark-up), >= 0. */
  markupRaw(terms: InstrumentTerms): number;
  /**
   * Financing of `position` (signed) held over one rollover worth `days` days, marked at `mark`
   * (raw units), account currency; >= 0 is a charge, < 0 a credit. 0 for futures.
   */
  carry(terms: InstrumentTerms, position: number, mark: number, days: number): number;
}

/** Per-contract, per-side fees of one product, USD. */
export interface ContractFees {
  readonly exchange: number;
  /** Clearing, where the clearing firm bills it apart from the exchange fee (0 in the defaults). */
  readonly clearing?: number;
  readonly regulatory: number;
  readonly broker: number;
}

/** Default CME FX futures fees by product (see the module's doc comment for the sources). */
export const CME_FX_FEES: Readonly<Record<string, ContractFees>> = Object.freeze(
  Object.fromEntries(
    Object.keys(CME_FX_FUTURES).map((p) => [
      p,
      Object.freeze({ exchange: 1.6, clearing: 0, regulatory: 0.02, broker: 0.85 }),
    ]),
  ),
);

function checkFees(name: string, f: ContractFees): ContractFees {
  requireNonNegative(`${name} exchange fee`, f.exchange);
  requireNonNegative(`${name} clearing fee`, f.clearing ?? 0);
  requireNonNegative(`${name} regulatory fee`, f.regulatory);
  requireNonNegative(`${name} broker fee`, f.broker);
  return f;
}

/** Fees per contract per side by futures product (`6E`), the same for makers and takers. */
export class PerContractFees implements FeeModel {
  readonly name = 'per-contract';
  readonly #byProduct: ReadonlyMap<string, ContractFees>;

  constructor(byProduct: Readonly<Record<string, ContractFees>> = CME_FX_FEES) {
    this.#byProduct = new Map(Object.entries(byProduct).map(([p, f]) => [p, checkFees(p, f)]));
  }

  /** Fees per contract per side of `symbol`'s product; throws for a product it has no fees for. */
  perContract(symbol: string): number {
    const f = this.#byProduct.get(fxFutureRoot(symbol) ?? symbol);
    if (f === undefined)
      throw new InvalidOptionError(
        'fee schedule',
        symbol,
        `a product with fees (${[...this.#byProduct.keys()]})`,
      );
    return f.exchange + (f.clearing ?? 0) + f.regulatory + f.broker;
  }

  fee(terms: InstrumentTerms, quantity: number): number {
    return this.perContract(terms.symbol) * quantity;
  }

  markupRaw(): number {
    return 0;
  }

  carry(): number {
    return 0;
  }
}

/** Options of `SpotFees`. */
export interface SpotFeeOptions {
  /** Pips added against us to each fill's price (0: the quotes already hold the broker's spread). */
  readonly markupPips?: number;
  /** Admin fee on held positions, percent a year (IG: 0.8). */
  readonly adminPct?: number;
  /** Interest differential credited to a long position, percent a year (negative: paid); shorts get its opposite. */
  readonly tomNextPct?: number;
}

/** IG spot FX: a mark-up in pips and overnight financing, no commission. */
export class SpotFees implements FeeModel {
  readonly name = 'spot';
  readonly markupPips: number;
  readonly adminPct: number;
  readonly tomNextPct: number;

  constructor(opts: SpotFeeOptions = {}) {
    this.markupPips = requireNonNegative('markupPips', opts.markupPips ?? 0);
    this.adminPct = requireNonNegative('adminPct', opts.adminPct ?? 0.8);
    this.tomNextPct = opts.tomNextPct ?? 0;
    if (!Number.isFinite(this.tomNextPct))
      throw new InvalidOptionError('tomNextPct', this.tomNextPct, 'a finite number');
  }

  fee(): number {
    return 0;
  }

  markupRaw(terms: InstrumentTerms): number {
    return Math.round(this.markupPips * terms.tickRaw);
  }

  carry(terms: InstrumentTerms, position: number, mark: number, days: number): number {
    if (position === 0 || !(mark > 0)) return 0;
    // Notional in the account currency (USD): a JPY-quoted pair's base is USD already.
    const units = Math.abs(position) * terms.multiplier;
    const notional = terms.quotedInJpy ? units : units * (mark / 1e9);
    const credit = Math.sign(position) * this.tomNextPct;
    return (notional * (this.adminPct - credit) * days) / (100 * 365);
  }
}

/** No costs at all: for comparisons (what the costs take from a strategy). */
export class NoFees implements FeeModel {
  readonly name = 'none';
  fee(): number {
    return 0;
  }
  markupRaw(): number {
    return 0;
  }
  carry(): number {
    return 0;
  }
}
