/**
 * How much the order book foretells the mid, on a time grid: for every instrument of a replay with
 * MBP-10 books, every grid interval's best-level OFI (Cont, Kukanov & Stoikov 2014; `BestLevelOfi`,
 * MICROSTRUCTURE.md §1) and the level-1 queue imbalance at its end (Gould & Bonart 2016;
 * `QueueImbalance`, §3), paired with the mid change (ticks) over the NEXT interval, and, for
 * reference, OFI with the mid change of the same interval (the contemporaneous regression of CKS).
 *
 * An interval (t_k, t_k+1] holds the records with ts_recv in it; its OFI is Σ e_n over them, its
 * mid change `mid(t_k+1) − mid(t_k)`, each mid that of the book after every record at or before the
 * grid time. An interval is left out when a book state in it or at either end is one-sided, empty,
 * crossed or locked, when it starts before the instrument's first good book, and when the
 * instrument is silent for `maxGapMs` or more across it (the CME daily break, weekends, a gap in
 * the data): a mid change across a closed market is not a 10-second move. A predictive pair needs
 * both its intervals.
 *
 * Each pair goes into the moment sums of its block (`blockMs` of time, epoch-aligned, by the start
 * of the pair's first interval), so a bootstrap over blocks resamples whole stretches and keeps the
 * dependence between neighbouring intervals.
 */
import { type Book, BookSet } from '../book/index.js';
import { ConfigError } from '../core/index.js';
import { type DbnRecord, type RecordCursor, RType } from '../data/dbn/index.js';
import { BestLevelOfi, isTwoSided, QueueImbalance } from './book/index.js';
import { definitionTick } from './definition.js';

/** The pairs measured, in the order of their sums in a block. */
export const PREDICTABILITY_PAIRS = ['ofi_next', 'qi_next', 'ofi_same'] as const;
/** One of `PREDICTABILITY_PAIRS`. */
export type PredictabilityPair = (typeof PREDICTABILITY_PAIRS)[number];

/** Sums per pair in a block: n, Σx, Σy, Σx², Σy², Σxy. */
const SUMS = 6;

/**
 * Pearson correlation, OLS fit `y = a + b·x` and its R² from the moment sums of a pair.
 * NaN where undefined (fewer than two pairs, or x or y constant).
 */
export interface PairFit {
  readonly n: number;
  readonly correlation: number;
  readonly r2: number;
  readonly slope: number;
  readonly intercept: number;
}

/** The fit of the pair whose sums start at `at` in `s` (n, Σx, Σy, Σx², Σy², Σxy). */
export function fitOfSums(s: ArrayLike<number>, at = 0): PairFit {
  const n = s[at];
  const sx = s[at + 1];
  const sy = s[at + 2];
  // Centred second moments, times n.
  const sxx = s[at + 3] - (sx * sx) / n;
  const syy = s[at + 4] - (sy * sy) / n;
  const sxy = s[at + 5] - (sx * sy) / n;
  if (!(n >= 2) || !(sxx > 0)) {
    return { n, correlation: Number.NaN, r2: Number.NaN, slope: Number.NaN, intercept: Number.NaN };
  }
  const slope = sxy / sxx;
  const correlation = syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
  return {
    n,
    correlation,
    r2: syy > 0 ? correlation * correlation : Number.NaN,
    slope,
    intercept: (sy - slope * sx) / n,
  };
}

/** The sums of `pair` pooled over `blocks`. */
export function pooledSums(blocks: readonly Float64Array[], pair: PredictabilityPair): Float64Array {
  const at = PREDICTABILITY_PAIRS.indexOf(pair) * SUMS;
  const out = new Float64Array(SUMS);
  for (const b of blocks) for (let j = 0; j < SUMS; j++) out[j] += b[at + j];
  return out;
}

/** A published book state the study reads: consistent and two-sided with bid < ask. */
function isGood(book: Book): boolean {
  return book.consistent && isTwoSided(book);
}

/** Options of `PredictabilityStudies`. */
export interface PredictabilityOptions {
  /** Grid step, ms (default 10 s): the length of each interval. */
  readonly stepMs?: number;
  /** Length of a bootstrap block, ms (default 30 min); a whole number of steps. */
  readonly blockMs?: number;
  /** Silence of an instrument that breaks its intervals, ms (default 60 s). */
  readonly maxGapMs?: number;
  /** Keeps instrument `symbol` (default: every instrument with MBP-10 books). */
  readonly select?: (symbol: string) => boolean;
}

/** What was measured on one instrument. */
export interface InstrumentPredictability {
  readonly instrumentId: number;
  readonly symbol: string;
  /** Tick in raw 1e-9 units; NaN when unknown (the mid changes are then in raw units). */
  readonly tickRaw: number;
  /** Grid intervals from the instrument's first record on. */
  readonly intervals: number;
  /** Of those, the intervals left out (gaps, books not two-sided, before the first good book). */
  readonly excluded: number;
  /** Start of the first and end of the last usable interval, ms; NaN when none. */
  readonly firstMs: number;
  readonly lastMs: number;
  /** Moment sums per block, in time order: `SUMS` numbers for each of `PREDICTABILITY_PAIRS`. */
  readonly blocks: readonly Float64Array[];
  /** Start of each block, ms. */
  readonly blockStartsMs: readonly number[];
}

/** One instrument's grid state. */
class Track {
  readonly ofi: BestLevelOfi;
  readonly qi = new QueueImbalance();
  readonly blocks = new Map<number, Float64Array>();
  symbol: string;
  /** The instrument's book, once it has published a state. */
  book: Book | null = null;
  /** ts_recv of the last record, ms. */
  lastMs = Number.NaN;
  /** OFI of the running interval; a state in it was not two-sided. */
  ofiSum = 0;
  broken = false;
  /** Mid (raw) and queue imbalance at the last grid time; NaN when the book was not good. */
  mid = Number.NaN;
  qiEnd = Number.NaN;
  /** The last grid time, ms (NaN before the first). */
  atMs = Number.NaN;
  /** The last interval: usable, its OFI, and its start. */
  prevOk = false;
  prevOfi = 0;
  prevStartMs = Number.NaN;
  intervals = 0;
  excluded = 0;
  firstMs = Number.NaN;
  lastUsedMs = Number.NaN;

  constructor(symbol: string, maxGapMs: number) {
    this.symbol = symbol;
    this.ofi = new BestLevelOfi({ windowsMs: [maxGapMs], gapMs: maxGapMs });
  }
}

/** The predictability study of every MBP-10 instrument of a replay (the sink `replay` feeds). */
export class PredictabilityStudies {
  readonly stepMs: number;
  readonly blockMs: number;
  readonly maxGapMs: number;
  readonly #select: ((symbol: string) => boolean) | undefined;
  readonly #books: BookSet;
  readonly #tracks = new Map<number, Track>();
  readonly #ticks = new Map<number, number>();
  /** Symbols by instrument id, as the files' metadata name them. */
  readonly symbols = new Map<number, string>();
  #tsMs = 0;

  constructor(opts: PredictabilityOptions = {}) {
    this.stepMs = opts.stepMs ?? 10_000;
    this.blockMs = opts.blockMs ?? 1_800_000;
    this.maxGapMs = opts.maxGapMs ?? 60_000;
    if (!(Number.isInteger(this.stepMs) && this.stepMs > 0))
      throw new ConfigError(`step must be a positive whole number of ms, got ${this.stepMs}`);
    if (!(this.blockMs >= this.stepMs && this.blockMs % this.stepMs === 0))
      throw new ConfigError(`block ${this.blockMs} ms must be a whole number of steps of ${this.stepMs} ms`);
    if (!(this.maxGapMs > 0)) throw new ConfigError(`max gap must be positive, got ${this.maxGapMs} ms`);
    this.#select = opts.select;
    this.#books = new BookSet({ onConsistent: (book) => this.#book(book) });
  }

  setSymbol(instrumentId: number, symbol: string): void {
    this.symbols.set(instrumentId, symbol);
    const t = this.#tracks.get(instrumentId);
    if (t !== undefined) t.symbol = symbol;
  }

  setTickSize(instrumentId: number, tickRaw: number): void {
    this.#ticks.set(instrumentId, tickRaw);
  }

  /** A definition record: its tick (`min_price_increment`). */
  applyDefinition(rec: DbnRecord): void {
    const tick = definitionTick(rec);
    if (tick !== undefined) this.#ticks.set(rec.hd.instrument_id, tick);
  }

  /** An MBP-10 record goes to its book; other records (trades, MBP-1, MBO) are not read. */
  apply(c: RecordCursor): void {
    if (c.rtype !== RType.MBP_10) return;
    const id = c.instrumentId;
    let t = this.#tracks.get(id);
    if (t === undefined) {
      const symbol = this.symbols.get(id) ?? String(id);
      if (this.#select !== undefined && !this.#select(symbol)) return;
      t = new Track(symbol, this.maxGapMs);
      this.#tracks.set(id, t);
    }
    const ms = c.tsRecvMs;
    if (ms - t.lastMs >= this.maxGapMs) t.broken = true;
    t.lastMs = ms;
    this.#tsMs = ms;
    this.#books.apply(c);
  }

  #book(book: Book): void {
    const t = this.#tracks.get(book.instrumentId);
    if (t === undefined) return;
    t.book = book;
    t.ofi.update(book, this.#tsMs);
    t.qi.update(book);
    const e = t.ofi.last;
    if (!Number.isNaN(e)) t.ofiSum += e;
    if (!isTwoSided(book)) t.broken = true;
  }

  /** Nothing to move: the grid comes through `sample`. */
  advance(_tNs: bigint): void {}

  /** Closes the interval ending at grid time `tNs` (a multiple of the step) for every instrument. */
  sample(tNs: bigint): void {
    const ms = Number(tNs / 1_000_000n);
    for (const t of this.#tracks.values()) this.#close(t, ms);
  }

  #close(t: Track, ms: number): void {
    const book = t.book;
    const good = book !== null && isGood(book);
    const mid = good ? book.mid : Number.NaN;
    if (ms - t.lastMs >= this.maxGapMs) t.broken = true;
    const startMs = t.atMs;
    const started = !Number.isNaN(startMs);
    const ok = started && !t.broken && !Number.isNaN(t.mid) && !Number.isNaN(mid);
    if (started) {
      t.intervals++;
      if (!ok) t.excluded++;
    }
    if (ok) {
      const tick = this.#ticks.get((book as Book).instrumentId) ?? Number.NaN;
      const dm = (mid - t.mid) / (Number.isNaN(tick) ? 1 : tick);
      this.#add(t, startMs, 2, t.ofiSum, dm);
      if (t.prevOk) {
        this.#add(t, t.prevStartMs, 0, t.prevOfi, dm);
        this.#add(t, t.prevStartMs, 1, t.qiEnd, dm);
      }
      if (Number.isNaN(t.firstMs)) t.firstMs = startMs;
      t.lastUsedMs = ms;
    }
    t.prevOk = ok;
    t.prevOfi = t.ofiSum;
    t.prevStartMs = startMs;
    t.mid = mid;
    t.qiEnd = good ? t.qi.l1 : Number.NaN;
    t.atMs = ms;
    t.ofiSum = 0;
    // A book not two-sided at the grid time leaves `t.mid` NaN, which excludes the next interval.
    t.broken = false;
  }

  #add(t: Track, startMs: number, pair: number, x: number, y: number): void {
    if (Number.isNaN(x) || Number.isNaN(y)) return;
    const key = Math.floor(startMs / this.blockMs);
    let b = t.blocks.get(key);
    if (b === undefined) {
      b = new Float64Array(PREDICTABILITY_PAIRS.length * SUMS);
      t.blocks.set(key, b);
    }
    const at = pair * SUMS;
    b[at]++;
    b[at + 1] += x;
    b[at + 2] += y;
    b[at + 3] += x * x;
    b[at + 4] += y * y;
    b[at + 5] += x * y;
  }

  /** What was measured, per instrument in the order first seen. */
  results(): InstrumentPredictability[] {
    const out: InstrumentPredictability[] = [];
    for (const [id, t] of this.#tracks) {
      const keys = [...t.blocks.keys()].sort((a, b) => a - b);
      out.push({
        instrumentId: id,
        symbol: t.symbol,
        tickRaw: this.#ticks.get(id) ?? Number.NaN,
        intervals: t.intervals,
        excluded: t.excluded,
        firstMs: t.firstMs,
        lastMs: t.lastUsedMs,
        blocks: keys.map((k) => t.blocks.get(k) as Float64Array),
        blockStartsMs: keys.map((k) => k * this.blockMs),
      });
    }
    return out;
  }
}
