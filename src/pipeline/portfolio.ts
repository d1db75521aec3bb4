/**
 * The book of trades the pipeline decides against. Validators read positions and P&L through a
 * `PortfolioView`: the execution layer's `Trader` (fed by the broker's fills) is one; a pipeline
 * run without an execution layer reads `FLAT_PORTFOLIO` (CONVENTIONS.md "Pipeline routes").
 */

/** What validators read about the book of trades. */
export interface PortfolioView {
  /** Signed position of `instrument` (its symbol), contracts or lots (long > 0). */
  position(instrument: string): number;
  /** Σ |position| over instruments. */
  grossExposure(): number;
  /** Realized + open P&L of the current trading day, less costs, account currency. */
  dailyPnl(): number;
}

/** No positions and no P&L: what a pipeline sees when nothing trades its decisions. */
export const FLAT_PORTFOLIO: PortfolioView = Object.freeze({
  position: () => 0,
  grossExposure: () => 0,
  dailyPnl: () => 0,
});
