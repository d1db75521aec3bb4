/**
 * Queue imbalance and the imbalance-weighted mid, read from the current book (no history).
 *
 * Queue imbalance: Gould & Bonart (2016), *Queue Imbalance as a One-Tick-Ahead Price Predictor in a
 * Limit Order Book*, Market Microstructure and Liquidity 2(2) (MICROSTRUCTURE.md §3):
 *   level 1:        I   = (qb − qa) / (qb + qa) ∈ [−1, 1]
 *   depth-weighted: I_w = Σ_m w_m (qb^m − qa^m) / Σ_m w_m (qb^m + qa^m),  w_m = e^{−λ(m−1)}, λ = 0.5
 * over the top 5 and top 10 levels (`qi_l5`, `qi_l10`; an absent level counts as size 0).
 *
 * Weighted mid (MICROSTRUCTURE.md §4): `Pw = (qb·Pa + qa·Pb)/(qb + qa) = Pb + S·Ib`,
 * `Ib = qb/(qb + qa)`: the mid leaned towards the side with the smaller queue, which is the one
 * more likely to be depleted first. Not Stoikov's micro-price (that needs an offline fit).
 *
 * Every value is NaN when the book is one-sided or empty, crossed or locked (CONVENTIONS.md: skip
 * in features that assume bid < ask), or when the queues it divides by are both 0.
 */

import type { BookView } from '../../book/index.js';
import type { Calculator, ValueCalculator } from '../../core/index.js';
import { isTwoSided } from './ofi.js';

/** Options of `QueueImbalance`. */
export interface QueueImbalanceOptions {
  /** Decay λ of the level weights w_m = e^{−λ(m−1)}; default 0.5 (MICROSTRUCTURE.md §3). */
  readonly lambda?: number;
}

/** Queue imbalance at level 1 and depth-weighted over the top 5 and top 10 levels. */
export class QueueImbalance implements Calculator<[book: BookView]> {
  readonly #w: Float64Array;
  #l1 = Number.NaN;
  #l5 = Number.NaN;
  #l10 = Number.NaN;

  constructor(opts: QueueImbalanceOptions = {}) {
    const lambda = opts.lambda ?? 0.5;
    this.#w = new Float64Array(10);
    for (let m = 0; m < 10; m++) this.#w[m] = Math.exp(-lambda * m);
  }

  /** Reads the book after an update. O(10). */
  update(book: BookView): void {
    if (!isTwoSided(book)) {
      this.#l1 = Number.NaN;
      this.#l5 = Number.NaN;
      this.#l10 = Number.NaN;
      return;
    }
    const w = this.#w;
    let num = 0;
    let den = 0;
    for (let m = 0; m < 10; m++) {
      const qb = book.bidSz(m);
      const qa = book.askSz(m);
      num += w[m] * (qb - qa);
      den += w[m] * (qb + qa);
      if (m === 0) this.#l1 = den > 0 ? num / den : Number.NaN;
      else if (m === 4) this.#l5 = den > 0 ? num / den : Number.NaN;
    }
    this.#l10 = den > 0 ? num / den : Number.NaN;
  }

  /** The last book state was two-sided with queues to divide by. */
  get isReady(): boolean {
    return !Number.isNaN(this.#l1);
  }

  reset(): void {
    this.#l1 = Number.NaN;
    this.#l5 = Number.NaN;
    this.#l10 = Number.NaN;
  }

  /** `qi_l1`: (qb − qa)/(qb + qa) at the best level. */
  get l1(): number {
    return this.#l1;
  }
  /** `qi_l5`: depth-weighted imbalance over the top 5 levels. */
  get l5(): number {
    return this.#l5;
  }
  /** `qi_l10`: depth-weighted imbalance over the top 10 levels. */
  get l10(): number {
    return this.#l10;
  }
}

/** The imbalance-weighted mid (`microprice` column), raw 1e-9 price units. */
export class WeightedMid implements ValueCalculator<[book: BookView]> {
  #value = Number.NaN;
  #mid = Number.NaN;

  /** Reads the book after an update. O(1). */
  update(book: BookView): void {
    if (!isTwoSided(book)) {
      this.#value = Number.NaN;
      this.#mid = Number.NaN;
      return;
    }
    const qb = book.bestBidSz;
    const qa = book.bestAskSz;
    const pb = book.bestBidPx;
    const pa = book.bestAskPx;
    this.#mid = (pb + pa) / 2;
    this.#value = qb + qa > 0 ? pb + ((pa - pb) * qb) / (qb + qa) : Number.NaN;
  }

  /** Weighted mid; NaN when the book is not two-sided with bid < ask. */
  get value(): number {
    return this.#value;
  }
  /** Plain mid of the same state (NaN under the same conditions). */
  get mid(): number {
    return this.#mid;
  }
  /** The last book state was two-sided with queues to weigh. */
  get isReady(): boolean {
    return !Number.isNaN(this.#value);
  }

  reset(): void {
    this.#value = Number.NaN;
    this.#mid = Number.NaN;
  }
}
