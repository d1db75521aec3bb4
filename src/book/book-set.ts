/**
 * Books for every (instrument, publisher) in a stream, created on first sight. Databento files can
 * hold several instruments, and some datasets several publishers (venues) of one instrument,
 * whose books must not mix; CME data has one publisher per instrument, so there the key is simply
 * the instrument.
 */
import { type RecordCursor, RType } from '../data/dbn/index.js';
import { L2Book } from './l2-book.js';
import { L3Book, type L3BookOptions } from './l3-book.js';

/** Either book; `kind` tells which. */
export type Book = L2Book | L3Book;

/** Options of a `BookSet`. */
export interface BookSetOptions {
  /**
   * Called after every record with F_LAST, with the book it completed: after an MBO event's last
   * record (the L3 book is consistent again) or after an MBP-1/MBP-10 record with F_LAST. A
   * snapshot publishes once, at its last add. Called synchronously; the book is valid until the
   * next `apply`.
   */
  onConsistent?: (book: Book) => void;
  /** Initial capacities of each L3 book. */
  l3?: L3BookOptions;
}

/** Routes records to per-(instrument, publisher) books: MBO to `L3Book`, MBP-1/MBP-10 to `L2Book`. */
export class BookSet {
  readonly #l2 = new Map<number, L2Book>();
  readonly #l3 = new Map<number, L3Book>();
  readonly #onConsistent: ((book: Book) => void) | null;
  readonly #l3Opts: L3BookOptions;
  // Most streams carry one instrument: remember the last book of each kind to skip the lookup.
  #lastL2Key = -1;
  #lastL2: L2Book | null = null;
  #lastL3Key = -1;
  #lastL3: L3Book | null = null;

  constructor(opts: BookSetOptions = {}) {
    this.#onConsistent = opts.onConsistent ?? null;
    this.#l3Opts = opts.l3 ?? {};
  }

  /**
   * Applies a record to its book, creating the book on first sight. Returns the book, or null for
   * records that are not book events (trades, definitions, statistics, ...), which change nothing.
   */
  apply(c: RecordCursor): Book | null {
    const rt = c.rtype;
    if (rt === RType.MBO) {
      const key = bookKey(c.instrumentId, c.publisherId);
      const b = key === this.#lastL3Key && this.#lastL3 !== null ? this.#lastL3 : this.#findL3(key);
      b.applyMbo(c);
      if (this.#onConsistent !== null && b.consistent) this.#onConsistent(b);
      return b;
    }
    if (rt === RType.MBP_10 || rt === RType.MBP_1) {
      const key = bookKey(c.instrumentId, c.publisherId);
      const b = key === this.#lastL2Key && this.#lastL2 !== null ? this.#lastL2 : this.#findL2(key);
      b.applyMbp(c);
      if (this.#onConsistent !== null && b.consistent) this.#onConsistent(b);
      return b;
    }
    return null;
  }

  // Lookups stay out of `apply` so that it stays small enough to be inlined into the caller's loop.
  #findL3(key: number): L3Book {
    let b = this.#l3.get(key);
    if (b === undefined) {
      b = new L3Book(this.#l3Opts);
      this.#l3.set(key, b);
    }
    this.#lastL3Key = key;
    this.#lastL3 = b;
    return b;
  }

  #findL2(key: number): L2Book {
    let b = this.#l2.get(key);
    if (b === undefined) {
      b = new L2Book();
      this.#l2.set(key, b);
    }
    this.#lastL2Key = key;
    this.#lastL2 = b;
    return b;
  }

  /** The L2 book of (instrument, publisher), if MBP records for it have been seen. */
  l2(instrumentId: number, publisherId: number): L2Book | undefined {
    return this.#l2.get(bookKey(instrumentId, publisherId));
  }

  /** The L3 book of (instrument, publisher), if MBO records for it have been seen. */
  l3(instrumentId: number, publisherId: number): L3Book | undefined {
    return this.#l3.get(bookKey(instrumentId, publisherId));
  }

  /** The book of (instrument, publisher): the L3 book when there is one, else the L2 book. */
  get(instrumentId: number, publisherId: number): Book | undefined {
    const key = bookKey(instrumentId, publisherId);
    return this.#l3.get(key) ?? this.#l2.get(key);
  }

  /** Number of books. */
  get size(): number {
    return this.#l2.size + this.#l3.size;
  }

  /** Every book, L3 books first, each kind in order of first sight. */
  *[Symbol.iterator](): IterableIterator<Book> {
    yield* this.#l3.values();
    yield* this.#l2.values();
  }
}

/** One number per (u32 instrument id, u16 publisher id): exact, as it stays below 2^48. */
function bookKey(instrumentId: number, publisherId: number): number {
  return instrumentId * 65536 + publisherId;
}
