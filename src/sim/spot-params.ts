/**
 * The spot quotes' parameters and their defaults, apart from the quote generator (spot.ts) so that
 * the scenario schema can name them without loading it.
 */

/** Parameters of the spot quotes (see the module comment of spot.ts). */
export interface SpotParams {
  /** Candidate quote updates per second at futures rate multiplier 1 (session activity × regime rate). Assumption: IG EUR/USD streams a few ticks a second in liquid hours. */
  tickRate: number;
  /** Fixed and exponential parts of the lag behind the future, ms (mean 300 ms). Assumption: a broker's price engine reprices a few hundred ms after the interbank/futures move; IG publishes no figure. */
  lagMinMs: number;
  lagMeanMs: number;
  /** Broker markup over the future's spread, pips (the spread is never narrower than the future's plus this). Assumption. */
  markupPips: number;
  /** Standard deviation of the basis deviation around carry, pips, and its time constant, minutes. Assumption. */
  basisNoisePips: number;
  basisTauMin: number;
  /** Standard deviation of the short-lived quote noise, pips, and its time constant, seconds. Assumption. */
  quoteNoisePips: number;
  quoteNoiseTauS: number;
  /** Stream-to-capture latency: `ts_recv − ts_event` = min + exponential(mean), ms. Assumption (retail streaming). */
  recvLatencyMinMs: number;
  recvLatencyMeanMs: number;
  /** Core UK hours [from, to) of the tighter spread, Europe/London local time. Assumption. */
  coreHoursUk: [number, number];
  /** Nominal size on each side, units of the base currency (IG publishes no depth). */
  nominalSize: number;
}

/** Defaults; see each field for its source. */
export const DEFAULT_SPOT_PARAMS: Readonly<SpotParams> = Object.freeze({
  tickRate: 2.5,
  lagMinMs: 100,
  lagMeanMs: 200,
  markupPips: 0.1,
  basisNoisePips: 0.1,
  basisTauMin: 30,
  quoteNoisePips: 0.15,
  quoteNoiseTauS: 3,
  recvLatencyMinMs: 5,
  recvLatencyMeanMs: 15,
  coreHoursUk: [7, 21],
  nominalSize: 1_000_000,
}) as SpotParams;
