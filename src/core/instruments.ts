/**
 * CME FX futures the engine knows by their symbol's root (CME contract specs, INTEGRATIONS.md §1):
 * the tick in raw 1e-9 price units and the contract size in the base currency. 6E and 6B are
 * quoted in USD per EUR/GBP; 6J in USD per JPY (its spot pair USD/JPY is the inverse).
 */
export const CME_FX_FUTURES: Readonly<
  Record<string, { readonly tickRaw: number; readonly contractSize: number }>
> = {
  '6E': { tickRaw: 50_000, contractSize: 125_000 },
  '6B': { tickRaw: 100_000, contractSize: 62_500 },
  '6J': { tickRaw: 500, contractSize: 12_500_000 },
};

/** The product of a CME FX futures symbol (`6EZ6` → `6E`), or undefined for anything else. */
export function fxFutureRoot(symbol: string): string | undefined {
  const root = symbol.slice(0, 2);
  return CME_FX_FUTURES[root] !== undefined && /^6[A-Z][FGHJKMNQUVXZ]\d{1,2}$/.test(symbol)
    ? root
    : undefined;
}

/**
 * Spot FX pairs of the CME FX futures (CONVENTIONS.md "Instruments"), by product: the pair as IG
 * and the DBN metadata name it, whether the future quotes its inverse, and the pair's quote tick
 * (raw 1e-9 units: 5 decimals, 3 for JPY).
 */
export const SPOT_PAIRS: Readonly<Record<string, { pair: string; invert: boolean; tick: number }>> = {
  '6E': { pair: 'EUR/USD', invert: false, tick: 10_000 },
  '6B': { pair: 'GBP/USD', invert: false, tick: 10_000 },
  '6J': { pair: 'USD/JPY', invert: true, tick: 1_000_000 },
};

/**
 * The two currencies an instrument trades, for the economic calendar's blackouts: a CME FX future
 * its spot pair's (`6EZ6` → EUR, USD), a spot pair its own (`USD/JPY` → USD, JPY); undefined for
 * anything else.
 */
export function instrumentCurrencies(symbol: string): readonly [string, string] | undefined {
  const root = fxFutureRoot(symbol);
  const pair = root !== undefined ? SPOT_PAIRS[root].pair : symbol;
  const m = /^([A-Z]{3})\/([A-Z]{3})$/.exec(pair);
  return m === null ? undefined : [m[1], m[2]];
}
