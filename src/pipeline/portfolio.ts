/**
 * The book of trades the pipeline decides against. Validators read positions and P&L through a
 * `PortfolioView`; the pipeline marks a `Portfolio` at every decision and tells it every approved
 * target position. `IntentPortfolio` is the implementation used until the execution layer exists
 * (which will add one backed by orders and fills): it takes each approved intent as filled at the
 * snapshot's mid (CONVENTIONS.md "Pipeline routes").
 */
import { CME_FX_FUTURES, fxFutureRoot } from '../core/index.js';

/** What validators read about the book of trades. */
export interface PortfolioView {
  /** Signed position of `instrument`, contracts (long > 0). */
  position(instrument: string): number;
  /** Σ |position| over instruments. */
  grossExposure(): number;
  /** Realized + open P&L of the current trading day, account currency. */
  dailyPnl(): number;
}

/** The book of trades the pipeline keeps up to date: marked at each decision, moved by each approval. */
export interface Portfolio extends PortfolioView {
  /**
   * Marks `instrument` at `mid` at a decision of trading date `tradingDate` (YYYY-MM-DD; '' when
   * unknown): a new date starts the day's P&L.
   */
  mark(instrument: string, mid: number, tradingDate: string): void;
  /** An approved decision: hold `target` contracts of `instrument` (signed), at about `price`. */
  moveTo(instrument: string, target: number, price: number): void;
}

/**
 * Contract multiplier of an instrument by its symbol (P&L in USD per contract per 1.0 of price):
 * 6E 125,000 EUR, 6B 62,500 GBP, 6J 12,500,000 JPY (quoted in USD per unit, so the product is
 * USD); a spot pair such as EUR/USD one standard lot of 100,000; anything else 1.
 */
export function contractMultiplier(symbol: string): number {
  const root = fxFutureRoot(symbol);
  if (root !== undefined) return CME_FX_FUTURES[root].contractSize;
  if (/^[A-Z]{3}\/[A-Z]{3}$/.test(symbol)) return 100_000;
  return 1;
}

/**
 * A portfolio fed by the pipeline's approved intents (each moves the position to its target, filled
 * at the snapshot's mid, no costs), marked to the latest mid per instrument. P&L is in USD through
 * `contractMultiplier`. The day's P&L starts at each new trading date from the positions marked at
 * their last price: realized P&L restarts at 0 and open P&L is measured from that mark.
 */
export class IntentPortfolio implements Portfolio {
  readonly #pos = new Map<string, number>();
  /** Reference price of the open position: its average entry, or the mark at the day's start. */
  readonly #ref = new Map<string, number>();
  readonly #mark = new Map<string, number>();
  readonly #multiplier: (symbol: string) => number;
  #realized = 0;
  #day = '';

  constructor(multiplier: (symbol: string) => number = contractMultiplier) {
    this.#multiplier = multiplier;
  }

  position(instrument: string): number {
    return this.#pos.get(instrument) ?? 0;
  }

  grossExposure(): number {
    let g = 0;
    for (const p of this.#pos.values()) g += Math.abs(p);
    return g;
  }

  dailyPnl(): number {
    let open = 0;
    for (const [k, p] of this.#pos) {
      const m = this.#mark.get(k);
      const a = this.#ref.get(k);
      if (p !== 0 && m !== undefined && a !== undefined) open += p * (m - a) * this.#multiplier(k);
    }
    return this.#realized + open;
  }

  /** Marks `instrument` at `mid`; a new trading date starts the day's P&L from the last marks. */
  mark(instrument: string, mid: number, tradingDate: string): void {
    if (tradingDate !== this.#day && tradingDate !== '') {
      if (this.#day !== '') {
        for (const [k, m] of this.#mark) if (this.position(k) !== 0) this.#ref.set(k, m);
      }
      this.#day = tradingDate;
      this.#realized = 0;
    }
    if (mid > 0) this.#mark.set(instrument, mid);
  }

  /** Moves to the approved target position `target` (signed), filled at `price`. */
  moveTo(instrument: string, target: number, price: number): void {
    const delta = target - this.position(instrument);
    if (delta !== 0) this.apply(instrument, delta, price);
  }

  /** Applies a fill of `signedSize` at `price`. */
  apply(instrument: string, signedSize: number, price: number): void {
    const pos = this.position(instrument);
    const ref = this.#ref.get(instrument) ?? price;
    const next = pos + signedSize;
    if (pos !== 0 && Math.sign(signedSize) !== Math.sign(pos)) {
      // Closing (part of) the position realizes its P&L against the reference price.
      const closed = Math.min(Math.abs(signedSize), Math.abs(pos)) * Math.sign(pos);
      this.#realized += closed * (price - ref) * this.#multiplier(instrument);
      if (Math.sign(next) !== Math.sign(pos) && next !== 0) this.#ref.set(instrument, price);
    } else if (next !== 0) {
      this.#ref.set(instrument, (ref * pos + price * signedSize) / next);
    }
    this.#pos.set(instrument, next);
  }
}
