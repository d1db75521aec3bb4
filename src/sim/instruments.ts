/**
 * CME FX futures the simulator can generate: contract specs (specs.ts) and the front contract of a
 * trading date (raw symbol, expiry, instrument definition).
 */

import { frontMonth } from '../core/index.js';
import type { DbnRecord } from '../data/dbn/index.js';
import { RType } from '../data/dbn/index.js';
import { SimConfigError } from './errors.js';
import { FUTURE_SPECS, type FutureSpec } from './specs.js';

export { FUTURE_SPECS, type FutureSpec } from './specs.js';

/** The spec of `product`, or a `SimConfigError` naming the known ones. */
export function futureSpec(product: string): FutureSpec {
  const s = FUTURE_SPECS[product];
  if (!s)
    throw new SimConfigError(
      `Instrument "${product}" is not simulated (known: ${Object.keys(FUTURE_SPECS).join(', ')})`,
    );
  return s;
}

/** One listed contract. */
export interface FutureContract {
  readonly spec: FutureSpec;
  /** Raw symbol, e.g. `6EZ6`. */
  readonly rawSymbol: string;
  readonly instrumentId: number;
  readonly year: number;
  readonly month: number;
  /** Last trading moment: 09:16 CT on the second business day before the third Wednesday, ns. */
  readonly expirationNs: bigint;
}

/** Simulated instrument id of a contract: the product's base + (year − 2000)·100 + month. */
export function instrumentIdFor(spec: FutureSpec, year: number, month: number): number {
  return spec.idBase + (year - 2000) * 100 + month;
}

/**
 * The front quarterly contract traded on trading date `date` (YYYY-MM-DD), as the market calendar
 * rolls it (`frontMonth`): the contract the simulator generates for that date.
 */
export function frontContract(product: string, date: string): FutureContract {
  const spec = futureSpec(product);
  const m = frontMonth(product, date);
  return {
    spec,
    rawSymbol: m.symbol,
    instrumentId: instrumentIdFor(spec, m.year, m.month),
    year: m.year,
    month: m.month,
    expirationNs: BigInt(m.lastTradeMs) * 1_000_000n,
  };
}

/** The instrument definition record of a contract, stamped `tsNs` (Databento field names). */
export function definitionRecord(c: FutureContract, tsNs: bigint): DbnRecord {
  const s = c.spec;
  return {
    hd: {
      length: 130,
      rtype: RType.INSTRUMENT_DEF,
      publisher_id: 1,
      instrument_id: c.instrumentId,
      ts_event: tsNs,
    },
    ts_recv: tsNs,
    min_price_increment: BigInt(s.tickRaw),
    display_factor: 1_000_000_000n,
    expiration: c.expirationNs,
    // Quarterly contracts are listed 20 quarters ahead: activation five years before expiry.
    activation: c.expirationNs - 5n * 365n * 86_400_000_000_000n,
    unit_of_measure_qty: BigInt(s.contractSize) * 1_000_000_000n,
    min_price_increment_amount: s.tickValueRaw,
    price_ratio: 9223372036854775807n,
    raw_instrument_id: BigInt(c.instrumentId),
    contract_multiplier: 2147483647,
    min_lot_size_round_lot: 1,
    maturity_year: c.year,
    maturity_month: c.month,
    maturity_day: 255,
    maturity_week: 255,
    currency: 'USD',
    raw_symbol: c.rawSymbol,
    group: s.product,
    exchange: 'XCME',
    asset: s.product,
    cfi: 'FFCPSX',
    security_type: 'FUT',
    unit_of_measure: s.currency,
    instrument_class: 'F',
    match_algorithm: 'F',
    security_update_action: 'A',
    user_defined_instrument: 'N',
    leg_side: 'N',
  };
}
