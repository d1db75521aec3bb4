/**
 * `BasisStudy` for every future/spot pair of a replay (the sink `replay` feeds, as the feature
 * engine is): books from MBO or MBP records (`BookSet`), each CME FX future paired with its spot
 * pair when the input holds it (6E with EUR/USD, 6B with GBP/USD, 6J with USD/JPY inverted;
 * `SPOT_PAIRS`), the mids of consistent, uncrossed books fed at each record's ts_recv (the only
 * clock IG's spot carries). Several contracts of one product (a roll) are each paired with the spot.
 */
import { type Book, BookSet } from '../book/index.js';
import { fxFutureRoot, SPOT_PAIRS } from '../core/index.js';
import type { DbnRecord, RecordCursor } from '../data/dbn/index.js';
import { definitionTick } from './definition.js';
import { BasisStudy, type BasisStudyOptions } from './flow/index.js';

/** One future and its spot pair. */
export interface BasisPair {
  readonly future: string;
  readonly futureId: number;
  readonly spot: string;
  readonly spotId: number;
  /** The future quotes the inverse of the pair (6J against USD/JPY). */
  readonly invert: boolean;
  readonly study: BasisStudy;
}

/** Options of `BasisStudies`: those of each study, and which pairs to study. */
export interface BasisStudiesOptions extends Omit<BasisStudyOptions, 'invertSpot'> {
  /** Keeps the pair of future `future` and spot `spot` (default: every pair). */
  readonly select?: (future: string, spot: string) => boolean;
}

/** The futures–spot pairs of a replay and their studies. */
export class BasisStudies {
  readonly #opts: BasisStudiesOptions;
  readonly #books: BookSet;
  readonly #ticks = new Map<number, number>();
  readonly #futures = new Map<number, BasisStudy>();
  readonly #spots = new Map<number, BasisStudy[]>();
  readonly #pairs: BasisPair[] = [];
  /** ts_recv of the record being applied, ms. */
  #tsMs = 0;
  /** Symbols by instrument id, as the files' metadata name them. */
  readonly symbols = new Map<number, string>();

  constructor(options: BasisStudiesOptions = {}) {
    this.#opts = options;
    // Checks the options before any record is read.
    new BasisStudy(options);
    this.#books = new BookSet({ onConsistent: (book) => this.#book(book) });
  }

  /** The pairs found, in the order of their futures in the input. */
  get pairs(): readonly BasisPair[] {
    return this.#pairs;
  }

  /** A future's tick in raw 1e-9 units (from the files' symbols or a definition record), or NaN. */
  tickRaw(instrumentId: number): number {
    return this.#ticks.get(instrumentId) ?? Number.NaN;
  }

  setSymbol(instrumentId: number, symbol: string): void {
    this.symbols.set(instrumentId, symbol);
  }

  setTickSize(instrumentId: number, tickRaw: number): void {
    this.#ticks.set(instrumentId, tickRaw);
  }

  /** Pairs every CME FX future among `symbols` with its spot pair when the input holds it. */
  symbolsKnown(symbols: ReadonlyMap<number, string>): void {
    const byName = new Map<string, number>();
    for (const [id, sym] of symbols) byName.set(sym, id);
    for (const [id, sym] of symbols) {
      const root = fxFutureRoot(sym);
      if (root === undefined || this.#futures.has(id)) continue;
      const { pair, invert } = SPOT_PAIRS[root];
      const spotId = byName.get(pair);
      if (spotId === undefined || (this.#opts.select !== undefined && !this.#opts.select(sym, pair)))
        continue;
      const study = new BasisStudy({ ...this.#opts, invertSpot: invert });
      this.#futures.set(id, study);
      const list = this.#spots.get(spotId) ?? [];
      list.push(study);
      this.#spots.set(spotId, list);
      this.#pairs.push({ future: sym, futureId: id, spot: pair, spotId, invert, study });
    }
  }

  /** A definition record: its tick (`min_price_increment`). */
  applyDefinition(rec: DbnRecord): void {
    const tick = definitionTick(rec);
    if (tick !== undefined) this.#ticks.set(rec.hd.instrument_id, tick);
  }

  /** A market-data record: its book, and the pair's study once the book is consistent. */
  apply(c: RecordCursor): void {
    this.#tsMs = c.tsRecvMs;
    this.#books.apply(c);
  }

  #book(book: Book): void {
    const id = book.instrumentId;
    const mid = book.crossed ? Number.NaN : book.mid * 1e-9;
    const fut = this.#futures.get(id);
    if (fut !== undefined) fut.updateFuture(this.#tsMs, mid);
    const spots = this.#spots.get(id);
    if (spots !== undefined) for (const s of spots) s.updateSpot(this.#tsMs, mid);
  }

  /** Moves every study's time to `tNs` (ns since the epoch). */
  advance(tNs: bigint): void {
    const ms = Number(tNs / 1_000_000n);
    for (const p of this.#pairs) p.study.advance(ms);
  }
}
