/**
 * Order Flow Imbalance (OFI), best level and multi-level, over rolling time windows.
 *
 * Best level: Cont, Kukanov & Stoikov (2014), *The Price Impact of Order Book Events*,
 * J. Financial Econometrics 12(1) (MICROSTRUCTURE.md §1). Per published book state n, compared
 * with the previous one:
 *   e_n = 1[Pb_n ≥ Pb_{n−1}]·qb_n − 1[Pb_n ≤ Pb_{n−1}]·qb_{n−1}
 *       − 1[Pa_n ≤ Pa_{n−1}]·qa_n + 1[Pa_n ≥ Pa_{n−1}]·qa_{n−1}
 * A bid queue that grows or a better bid adds buying pressure; an ask queue that grows or a lower
 * ask adds selling pressure. OFI over a window is Σ e_n.
 *
 * Normalisation (MICROSTRUCTURE.md §1): `OFI_norm = OFI / AD`, with `AD` the mean of
 * `(qb + qa) / 2` over the published states in the same window (an event-sampled, not
 * time-weighted, mean). The stylized model has `ΔM ≈ δ/(2·AD) · OFI`, so the normalised value is
 * in units of "half best-level depths" and comparable across quiet and busy periods. The issue's
 * `ofi_1s`/`ofi_10s`/`ofi_60s` columns are meant as `normalized(i)`; `sum(i)` keeps the raw lots.
 * Windows are rings of 1 s buckets (100 ms for windows under 10 s; see `RollingSums`), so a window
 * covers the last `windowMs` to one bucket's resolution.
 *
 * Multi-level: Xu, Gould & Howison (2019), *Multi-Level Order-Flow Imbalance in a Limit Order
 * Book*, arXiv:1907.06230 (§2): the same e_n at the m-th best level on each side, levels by rank
 * (as the paper does), not by price. An empty level is taken as price −∞ (bid) / +∞ (ask) with size
 * 0, so a level that empties contributes −(its old size) and one that appears +(its new size), as
 * a worse price would.
 *
 * Skipped states (CONVENTIONS.md "Market data semantics", MICROSTRUCTURE.md §1 edge cases): a
 * state in the middle of an event (record without F_LAST), a one-sided or empty book, a crossed
 * or locked book. A skipped state also drops the previous state, so a clear (`R`), snapshot or
 * one-sided spell does not emit a huge e_n; the next good state is a new baseline. So does a time
 * jump of `gapMs` or more (a gap in the data): flow across a gap is not attributed to any window.
 * A change of `book.instrumentId` (roll day) resets everything (`reset()`).
 */

import type { BookView, L2Book } from '../../book/index.js';
import {
  bucketEndBefore,
  type Calculator,
  ConfigError,
  requireNonEmpty,
  requirePositiveInt,
} from '../../core/index.js';
import { RollingSums } from './rolling.js';

/** A book state the OFI and imbalance features can read: two-sided and bid < ask. */
export function isTwoSided(book: BookView): boolean {
  return book.bidLevels > 0 && book.askLevels > 0 && !book.crossed;
}

/** The bucket length used for a window: 1 s (MICROSTRUCTURE.md §1), finer for windows under 10 s. */
function bucketFor(windowMs: number): number {
  return windowMs >= 10_000 ? 1000 : windowMs / 10;
}

/** What a book state is to an OFI calculator (`OfiStates.next`). */
const SKIP = 0; // mid-event (no F_LAST): ignored, the baseline kept
const BREAK = 1; // one-sided, empty, crossed or locked: ignored, the baseline dropped
const FIRST = 2; // a good state with no baseline: counted in the depth, no e_n
const NEXT = 3; // a good state after a good one: e_n against it

/**
 * The prologue both OFI calculators run on each book state: a new instrument resets the owner, a
 * time jump of `gapMs` or more drops the baseline, and the state is classified (see the module
 * comment, "Skipped states").
 */
class OfiStates {
  readonly #gapMs: number;
  readonly #onNewInstrument: () => void;
  #instrument = -1;
  #lastTs = Number.NaN;
  #hasPrev = false;

  /** `onNewInstrument` resets the owner (it runs before the state is classified). */
  constructor(gapMs: number, onNewInstrument: () => void) {
    this.#gapMs = gapMs;
    this.#onNewInstrument = onNewInstrument;
  }

  /** Classifies the book state after an update at `tsMs`: SKIP, BREAK, FIRST or NEXT. */
  next(book: BookView, tsMs: number): number {
    const id = book.instrumentId;
    if (id !== this.#instrument) {
      // A new instrument (roll day, or a book reused for another symbol): its flow is not this one's.
      if (this.#instrument !== -1) this.#onNewInstrument();
      this.#instrument = id;
    }
    if (tsMs - this.#lastTs >= this.#gapMs) this.#hasPrev = false;
    this.#lastTs = tsMs;
    if (!book.consistent) return SKIP;
    if (!isTwoSided(book)) {
      this.#hasPrev = false;
      return BREAK;
    }
    const had = this.#hasPrev;
    this.#hasPrev = true;
    return had ? NEXT : FIRST;
  }

  /** Forgets the instrument, the last time and the baseline. */
  reset(): void {
    this.#instrument = -1;
    this.#lastTs = Number.NaN;
    this.#hasPrev = false;
  }
}

/** Options of `BestLevelOfi`. */
export interface BestLevelOfiOptions {
  /** Window lengths in ms; default 1 s, 10 s, 60 s (the `ofi_1s`, `ofi_10s`, `ofi_60s` columns). */
  readonly windowsMs?: readonly number[];
  /** A time jump of at least this many ms resets the baseline; default the longest window. */
  readonly gapMs?: number;
}

const CH_OFI = 0;
const CH_DEPTH = 1;
const CH_COUNT = 2;

/**
 * Best-level flow over rolling windows: Σ e_n, Σ (qb + qa)/2 and the count of good states, staged
 * for the finest bucket of the windows (100 ms for a 1-s window). When that bucket ends its sums
 * are kept, with its index, among the last few finest buckets (a window of finest buckets adds up
 * those still inside it when read), and added to a stage of each coarser window, which goes into
 * its `RollingSums` when that window's own bucket ends (once a second for 1-s buckets). Sizes are
 * whole lots, so the sums are exact however they are grouped. Fed by `BestLevelOfi`, or by
 * `MultiLevelOfi` from its level 1 (`bestWindowsMs`).
 */
class BestLevelWindows {
  readonly windowsMs: readonly number[];
  /** The finest bucket of the windows, ms. */
  readonly #stepMs: number;
  stOfi = 0;
  stDepth = 0;
  stCount = 0;
  #stBucket = Number.NEGATIVE_INFINITY;
  /** `bucketEndBefore(#stBucket)`: no bucket ends before it. */
  #until = Number.NEGATIVE_INFINITY;
  /** Per window: its length in finest buckets when they are its buckets, else 0. */
  readonly #fineBuckets: number[];
  /** The last finest buckets that held a good state: their indexes and 3 sums each, a ring. */
  readonly #ringBucket: Float64Array;
  readonly #ringSums: Float64Array;
  #ringAt = 0;
  /** Per window: its `RollingSums` when its buckets are coarser than the finest, else null. */
  readonly #coarse: (RollingSums | null)[];
  /** The indexes of the coarser windows. */
  readonly #coarser: number[];
  /** Per window, 3 channels: what a coarser window's current bucket holds beyond its ring. */
  readonly #coarseSt: Float64Array;
  /** The earliest time a coarser window's bucket can end (its `nextBucketMs`). */
  #coarseUntil = Number.NEGATIVE_INFINITY;

  constructor(name: string, ws: readonly number[]) {
    requireNonEmpty(name, ws);
    this.windowsMs = [...ws];
    const sums = ws.map((w) => new RollingSums(w, bucketFor(w), 3));
    // Buckets are epoch-aligned and each is a whole number of the finest (1000 = 10 × 100 ms), so
    // a finest bucket never straddles another window's bucket boundary.
    const step = Math.min(...sums.map((w) => w.bucketMs));
    for (const w of sums) {
      if (w.bucketMs % step !== 0) {
        throw new ConfigError(`best-level OFI windows ${ws.join(', ')} ms have incompatible buckets`);
      }
    }
    this.#stepMs = step;
    this.#fineBuckets = sums.map((w) => (w.bucketMs === step ? Math.round(w.windowMs / step) : 0));
    const kept = Math.max(1, ...this.#fineBuckets);
    this.#ringBucket = new Float64Array(kept).fill(Number.NEGATIVE_INFINITY);
    this.#ringSums = new Float64Array(3 * kept);
    this.#coarse = sums.map((w) => (w.bucketMs === step ? null : w));
    this.#coarser = sums.flatMap((w, i) => (w.bucketMs === step ? [] : [i]));
    this.#coarseSt = new Float64Array(3 * ws.length);
  }

  /**
   * Moves the windows' end to `tsMs`. Most events fall inside the current bucket: one comparison,
   * small enough to be inlined where it is called once a record; the rest is `#roll`.
   */
  advance(tsMs: number): void {
    if (tsMs >= this.#until) this.#roll(tsMs);
  }

  /** `advance` past the end of the current finest bucket. */
  #roll(tsMs: number): void {
    const b = Math.floor(tsMs / this.#stepMs);
    // An earlier time (out-of-order data) stays in the current bucket, as `RollingSums` does.
    if (!(b > this.#stBucket)) return;
    const coarse = this.#coarse;
    const st = this.#coarseSt;
    if (this.stCount > 0) {
      const k = this.#ringAt;
      this.#ringBucket[k] = this.#stBucket;
      this.#ringSums[3 * k + CH_OFI] = this.stOfi;
      this.#ringSums[3 * k + CH_DEPTH] = this.stDepth;
      this.#ringSums[3 * k + CH_COUNT] = this.stCount;
      this.#ringAt = k + 1 === this.#ringBucket.length ? 0 : k + 1;
      const coarser = this.#coarser;
      for (let j = 0; j < coarser.length; j++) {
        const at = 3 * coarser[j];
        st[at + CH_OFI] += this.stOfi;
        st[at + CH_DEPTH] += this.stDepth;
        st[at + CH_COUNT] += this.stCount;
      }
    }
    if (tsMs >= this.#coarseUntil) {
      // A coarser window's own bucket ends: its stage goes in before the window moves on.
      let until = Number.POSITIVE_INFINITY;
      const coarser = this.#coarser;
      for (let j = 0; j < coarser.length; j++) {
        const i = coarser[j];
        const w = coarse[i] as RollingSums;
        const k = 3 * i;
        // The stage belongs to the window's current bucket: it goes in before the window moves on
        // (`advance` stays in that bucket when `tsMs` is just short of its end).
        if (tsMs >= w.nextBucketMs) {
          if (st[k + CH_COUNT] > 0) {
            w.add(CH_OFI, st[k + CH_OFI]);
            w.add(CH_DEPTH, st[k + CH_DEPTH]);
            w.add(CH_COUNT, st[k + CH_COUNT]);
            st[k + CH_OFI] = 0;
            st[k + CH_DEPTH] = 0;
            st[k + CH_COUNT] = 0;
          }
          w.advance(tsMs);
        }
        if (w.nextBucketMs < until) until = w.nextBucketMs;
      }
      this.#coarseUntil = until;
    }
    this.stOfi = 0;
    this.stDepth = 0;
    this.stCount = 0;
    this.#stBucket = b;
    this.#until = bucketEndBefore(b, this.#stepMs);
  }

  /** Channel `ch` of window `i` with the current bucket's staged part `staged`. */
  #sum(i: number, ch: number, staged: number): number {
    const w = this.#coarse[i];
    if (w !== null) return w.sum(ch) + this.#coarseSt[3 * i + ch] + staged;
    // The finest buckets still inside the window: the current one and the n − 1 before it.
    const oldest = this.#stBucket - this.#fineBuckets[i];
    const buckets = this.#ringBucket;
    let v = 0;
    for (let k = 0; k < buckets.length; k++) if (buckets[k] > oldest) v += this.#ringSums[3 * k + ch];
    return v + staged;
  }

  sum(i: number): number {
    return this.#sum(i, CH_OFI, this.stOfi);
  }

  avgDepth(i: number): number {
    const n = this.#sum(i, CH_COUNT, this.stCount);
    return n > 0 ? this.#sum(i, CH_DEPTH, this.stDepth) / n : Number.NaN;
  }

  normalized(i: number): number {
    const ad = this.avgDepth(i);
    return ad > 0 ? this.#sum(i, CH_OFI, this.stOfi) / ad : Number.NaN;
  }

  reset(): void {
    for (const w of this.#coarse) w?.reset();
    this.stOfi = 0;
    this.stDepth = 0;
    this.stCount = 0;
    this.#stBucket = Number.NEGATIVE_INFINITY;
    this.#until = Number.NEGATIVE_INFINITY;
    this.#ringBucket.fill(Number.NEGATIVE_INFINITY);
    this.#ringAt = 0;
    this.#coarseSt.fill(0);
    this.#coarseUntil = Number.NEGATIVE_INFINITY;
  }
}

/** Best-level OFI summed over rolling time windows, raw and normalised by average depth. */
export class BestLevelOfi implements Calculator<[book: BookView, tsMs: number]> {
  readonly #w: BestLevelWindows;
  readonly #states: OfiStates;
  #pBid = 0;
  #pBidSz = 0;
  #pAsk = 0;
  #pAskSz = 0;
  #everSeen = false;
  #last = Number.NaN;

  constructor(opts: BestLevelOfiOptions = {}) {
    const ws = opts.windowsMs ?? [1000, 10_000, 60_000];
    this.#w = new BestLevelWindows('windowsMs', ws);
    this.#states = new OfiStates(opts.gapMs ?? Math.max(...ws), () => this.reset());
  }

  /** Number of windows (indices of `sum`, `normalized`, `avgDepth`). */
  get windowCount(): number {
    return this.#w.windowsMs.length;
  }

  /** Length of window `i` in ms. */
  windowMs(i: number): number {
    return this.#w.windowsMs[i];
  }

  /** Reads the book after an update; `tsMs` is the event's time (e.g. `book.tsRecvMs`). */
  update(book: BookView, tsMs: number): void {
    const state = this.#states.next(book, tsMs);
    const w = this.#w;
    w.advance(tsMs);
    if (state === SKIP) return;
    if (state === BREAK) {
      this.#last = Number.NaN;
      return;
    }
    const pb = book.bestBidPx;
    const qb = book.bestBidSz;
    const pa = book.bestAskPx;
    const qa = book.bestAskSz;
    let e = Number.NaN;
    if (state === NEXT) {
      e = levelFlow(pb, qb, pa, qa, this.#pBid, this.#pBidSz, this.#pAsk, this.#pAskSz);
      w.stOfi += e;
    }
    w.stDepth += (qb + qa) / 2;
    w.stCount++;
    this.#last = e;
    this.#everSeen = true;
    this.#pBid = pb;
    this.#pBidSz = qb;
    this.#pAsk = pa;
    this.#pAskSz = qa;
  }

  /** Moves the windows' end to `tsMs` without an event (for a snapshot at a quiet moment). */
  advance(tsMs: number): void {
    this.#w.advance(tsMs);
  }

  /** e_n of the last update; NaN when it was a baseline or a skipped state. */
  get last(): number {
    return this.#last;
  }

  /** True once a good book state has been seen. */
  get isReady(): boolean {
    return this.#everSeen;
  }

  /** Σ e_n over window `i` (0 in a window without flow); NaN before the first good state. */
  sum(i: number): number {
    return this.#everSeen ? this.#w.sum(i) : Number.NaN;
  }

  /** Mean of (qb + qa) / 2 over the good states in window `i`; NaN when the window holds none. */
  avgDepth(i: number): number {
    return this.#w.avgDepth(i);
  }

  /** `sum(i) / avgDepth(i)`; NaN when the window holds no good state or no depth. */
  normalized(i: number): number {
    return this.#w.normalized(i);
  }

  /** Forgets all state (instrument change, roll). */
  reset(): void {
    this.#w.reset();
    this.#states.reset();
    this.#everSeen = false;
    this.#last = Number.NaN;
  }
}

/** e_n of one level pair (Cont, Kukanov & Stoikov 2014). */
function levelFlow(
  pb: number,
  qb: number,
  pa: number,
  qa: number,
  ppb: number,
  pqb: number,
  ppa: number,
  pqa: number,
): number {
  let e = 0;
  if (pb >= ppb) e += qb;
  if (pb <= ppb) e -= pqb;
  if (pa <= ppa) e -= qa;
  if (pa >= ppa) e += pqa;
  return e;
}

/** Options of `MultiLevelOfi`. */
export interface MultiLevelOfiOptions {
  /** Levels per side (rank 1..L); default 10 (issue 5: top 10 levels of MBP-10). */
  readonly levels?: number;
  /** Window in ms; default 10 s (the `mlofi_10s` column). */
  readonly windowMs?: number;
  /** Decay of the level weights of `score`, w_m = e^{−λ(m−1)}; default 0.5 (MICROSTRUCTURE.md §2). */
  readonly lambda?: number;
  /** A time jump of at least this many ms resets the baseline; default 60 s. */
  readonly gapMs?: number;
  /**
   * Also the best-level OFI over these windows (`bestSum`, `bestNormalized`, `bestAvgDepth`), the
   * values `BestLevelOfi` gives with the same `gapMs`, taken from level 1 of the same pass over the
   * book. Default none.
   */
  readonly bestWindowsMs?: readonly number[];
}

/**
 * Multi-level OFI (Xu, Gould & Howison 2019): the vector of per-level OFI sums over one rolling
 * window, and the single score `Σ_m w_m · OFI^m / AD^m` (MICROSTRUCTURE.md §2) with
 * `AD^m` = mean of (qb^m + qa^m)/2 over the window's good states; a level never populated in the
 * window (AD^m = 0, hence OFI^m = 0) adds nothing.
 */
export class MultiLevelOfi implements Calculator<[book: BookView, tsMs: number]> {
  readonly levels: number;
  readonly #w: RollingSums;
  readonly #weights: Float64Array;
  readonly #states: OfiStates;
  // The last good state read, per level (an empty level as −∞/+∞ with size 0).
  readonly #pbPx: Float64Array;
  readonly #pbSz: Float64Array;
  readonly #paPx: Float64Array;
  readonly #paSz: Float64Array;
  // Sums of the current bucket, staged here and moved into the window when the bucket ends: one
  // add per changed level and event instead of two ring writes per level.
  readonly #stOfi: Float64Array;
  // Depth sums are kept per side and lazily: a level's size is added once for the run of good
  // states it held (`size × states since it last changed`), not once per state. Sizes are whole
  // lots, so the sums are exact and equal the per-state sums to the bit.
  readonly #stBid: Float64Array;
  readonly #stAsk: Float64Array;
  /** Good states counted (`#n`) when each level's size was last added into `#stBid`/`#stAsk`. */
  readonly #bidSince: Float64Array;
  readonly #askSince: Float64Array;
  /** Good states read since construction (the clock of the lazy depth sums). */
  #n = 0;
  #stCount = 0;
  #stBucket = Number.NEGATIVE_INFINITY;
  #everSeen = false;
  /** The L2 book last read and its `levelChanges` then. */
  #book: L2Book | null = null;
  #bookChanges = 0;
  /** The best-level windows (`bestWindowsMs`), or null. */
  readonly #best: BestLevelWindows | null;

  constructor(opts: MultiLevelOfiOptions = {}) {
    const L = requirePositiveInt('levels', opts.levels ?? 10);
    const windowMs = opts.windowMs ?? 10_000;
    const lambda = opts.lambda ?? 0.5;
    this.levels = L;
    // Channels: OFI per level [0, L), half-depth per level [L, 2L), state count 2L.
    this.#w = new RollingSums(windowMs, bucketFor(windowMs), 2 * L + 1);
    this.#weights = new Float64Array(L);
    for (let m = 0; m < L; m++) this.#weights[m] = Math.exp(-lambda * m);
    this.#states = new OfiStates(opts.gapMs ?? 60_000, () => this.reset());
    this.#pbPx = new Float64Array(L).fill(Number.NEGATIVE_INFINITY);
    this.#pbSz = new Float64Array(L);
    this.#paPx = new Float64Array(L).fill(Number.POSITIVE_INFINITY);
    this.#paSz = new Float64Array(L);
    this.#stOfi = new Float64Array(L);
    this.#stBid = new Float64Array(L);
    this.#stAsk = new Float64Array(L);
    this.#bidSince = new Float64Array(L);
    this.#askSince = new Float64Array(L);
    this.#best =
      opts.bestWindowsMs === undefined ? null : new BestLevelWindows('bestWindowsMs', opts.bestWindowsMs);
  }

  /** Reads the book after an update; `tsMs` is the event's time. O(levels). */
  update(book: BookView, tsMs: number): void {
    const state = this.#states.next(book, tsMs);
    this.advance(tsMs);
    if (state < FIRST) return;
    const hasPrev = state === NEXT;
    if (book.kind === 'l2') {
      const l2 = book as L2Book;
      // Only the sides the records since this calculator's last read changed can differ.
      const seen = l2 === this.#book;
      const sides = seen ? l2.sidesChangedSince(this.#bookChanges) : 3;
      const one = seen && l2.levelChanges === this.#bookChanges + 1;
      this.#book = l2;
      this.#bookChanges = l2.levelChanges;
      // One add or cancel since the last read, at a price shown before and after: one level's size.
      const r = one && (sides === 1 || sides === 2) ? l2.sizeOnlyLevel : -1;
      if (r >= 0) {
        if (r < this.levels) {
          if (sides === 1) this.#bids1(r, l2.bidPrices[r], l2.bidSizes[r], hasPrev);
          else this.#asks1(r, l2.askPrices[r], l2.askSizes[r], hasPrev);
        }
      } else {
        if ((sides & 1) !== 0) this.#bids(l2.bidPrices, l2.bidSizes, l2.bidLevels, hasPrev);
        if ((sides & 2) !== 0) this.#asks(l2.askPrices, l2.askSizes, l2.askLevels, hasPrev);
      }
    } else {
      this.#book = null;
      this.#readView(book, hasPrev);
    }
    const best = this.#best;
    if (best !== null) {
      // The best levels are level 1 as just read (a good state is two-sided).
      best.stDepth += (this.#pbSz[0] + this.#paSz[0]) / 2;
      best.stCount++;
    }
    this.#n++;
    this.#stCount++;
    this.#everSeen = true;
  }

  /** The bid side of a good state (L2 arrays, `n` levels): flow and depth of the levels that changed. */
  #bids(px: Float64Array, sz: Float64Array, n: number, hasPrev: boolean): void {
    const L = this.levels;
    const pPx = this.#pbPx;
    const pSz = this.#pbSz;
    for (let m = 0; m < L; m++) {
      const p = m < n ? px[m] : Number.NEGATIVE_INFINITY;
      const q = m < n ? sz[m] : 0;
      if (p === pPx[m] && q === pSz[m]) continue;
      this.#bid(m, p, q, hasPrev);
    }
  }

  #asks(px: Float64Array, sz: Float64Array, n: number, hasPrev: boolean): void {
    const L = this.levels;
    const pPx = this.#paPx;
    const pSz = this.#paSz;
    for (let m = 0; m < L; m++) {
      const p = m < n ? px[m] : Number.POSITIVE_INFINITY;
      const q = m < n ? sz[m] : 0;
      if (p === pPx[m] && q === pSz[m]) continue;
      this.#ask(m, p, q, hasPrev);
    }
  }

  /** Bid level `m` alone may have changed (to `p`, `q`). */
  #bids1(m: number, p: number, q: number, hasPrev: boolean): void {
    if (p !== this.#pbPx[m] || q !== this.#pbSz[m]) this.#bid(m, p, q, hasPrev);
  }

  #asks1(m: number, p: number, q: number, hasPrev: boolean): void {
    if (p !== this.#paPx[m] || q !== this.#paSz[m]) this.#ask(m, p, q, hasPrev);
  }

  /** Any other book: every level of both sides through the view. */
  #readView(book: BookView, hasPrev: boolean): void {
    const L = this.levels;
    for (let m = 0; m < L; m++) {
      let pb = book.bidPx(m);
      const qb = book.bidSz(m);
      let pa = book.askPx(m);
      const qa = book.askSz(m);
      if (Number.isNaN(pb)) pb = Number.NEGATIVE_INFINITY;
      if (Number.isNaN(pa)) pa = Number.POSITIVE_INFINITY;
      if (pb !== this.#pbPx[m] || qb !== this.#pbSz[m]) this.#bid(m, pb, qb, hasPrev);
      if (pa !== this.#paPx[m] || qa !== this.#paSz[m]) this.#ask(m, pa, qa, hasPrev);
    }
  }

  /**
   * Bid level `m` is now `p`, `q`: its part of e_n (a better or equal bid adds its new size, a
   * worse or equal one takes away its old size), and its old size added for the states it held.
   */
  #bid(m: number, p: number, q: number, hasPrev: boolean): void {
    const pp = this.#pbPx[m];
    const pq = this.#pbSz[m];
    if (hasPrev) {
      let e = 0;
      if (p >= pp) e += q;
      if (p <= pp) e -= pq;
      this.#stOfi[m] += e;
      if (m === 0 && this.#best !== null) this.#best.stOfi += e;
    }
    this.#stBid[m] += pq * (this.#n - this.#bidSince[m]);
    this.#bidSince[m] = this.#n;
    this.#pbPx[m] = p;
    this.#pbSz[m] = q;
  }

  /** Ask level `m`: a lower or equal ask takes away its new size, a higher or equal adds its old one. */
  #ask(m: number, p: number, q: number, hasPrev: boolean): void {
    const pp = this.#paPx[m];
    const pq = this.#paSz[m];
    if (hasPrev) {
      let e = 0;
      if (p <= pp) e -= q;
      if (p >= pp) e += pq;
      this.#stOfi[m] += e;
      if (m === 0 && this.#best !== null) this.#best.stOfi += e;
    }
    this.#stAsk[m] += pq * (this.#n - this.#askSince[m]);
    this.#askSince[m] = this.#n;
    this.#paPx[m] = p;
    this.#paSz[m] = q;
  }

  /** Σ (qb^m + qa^m)/2 over the good states of the current bucket. */
  #stagedDepth(m: number): number {
    const n = this.#n;
    const bid = this.#stBid[m] + this.#pbSz[m] * (n - this.#bidSince[m]);
    const ask = this.#stAsk[m] + this.#paSz[m] * (n - this.#askSince[m]);
    return (bid + ask) / 2;
  }

  /** Window length in ms. */
  get windowMs(): number {
    return this.#w.windowMs;
  }

  /**
   * Moves the window's end to `tsMs` without an event. Most events fall inside the current bucket:
   * one comparison (inlined where it is called once a record); the rest is `#roll`.
   */
  advance(tsMs: number): void {
    if (this.#best !== null) this.#best.advance(tsMs);
    if (tsMs >= this.#w.nextBucketMs) this.#roll(tsMs);
  }

  /** `advance` past the end of the window's current bucket. */
  #roll(tsMs: number): void {
    const w = this.#w;
    const b = Math.floor(tsMs / w.bucketMs);
    // An earlier time (out-of-order data) stays in the current bucket, as `RollingSums` does.
    if (!(b > this.#stBucket)) return;
    this.#flush();
    w.advance(tsMs);
    this.#stBucket = b;
  }

  /** Moves the staged sums into the window's current bucket. */
  #flush(): void {
    if (this.#stCount === 0) return;
    const w = this.#w;
    const L = this.levels;
    const stOfi = this.#stOfi;
    const n = this.#n;
    for (let m = 0; m < L; m++) {
      w.add(m, stOfi[m]);
      w.add(L + m, this.#stagedDepth(m));
      stOfi[m] = 0;
    }
    w.add(2 * L, this.#stCount);
    this.#restartDepth(n);
    this.#stCount = 0;
  }

  /**
   * Empties the staged depth sums, counting from `n` states on. One loop over the levels, where
   * four `fill` calls (each a call into the runtime's builtin) cost more than the ten levels.
   */
  #restartDepth(n: number): void {
    const bid = this.#stBid;
    const ask = this.#stAsk;
    const bidSince = this.#bidSince;
    const askSince = this.#askSince;
    for (let m = 0; m < bid.length; m++) {
      bid[m] = 0;
      ask[m] = 0;
      bidSince[m] = n;
      askSince[m] = n;
    }
  }

  /** True once a good book state has been seen. */
  get isReady(): boolean {
    return this.#everSeen;
  }

  /** OFI of level `m` (0 = best) summed over the window; NaN before the first good state. */
  ofi(m: number): number {
    return this.#everSeen ? this.#w.sum(m) + this.#stOfi[m] : Number.NaN;
  }

  /** Mean (qb^m + qa^m)/2 over the window's good states; NaN when it holds none. */
  avgDepth(m: number): number {
    const n = this.#w.sum(2 * this.levels) + this.#stCount;
    return n > 0 ? (this.#w.sum(this.levels + m) + this.#stagedDepth(m)) / n : Number.NaN;
  }

  /** Depth-normalised weighted sum `Σ w_m OFI^m / AD^m`; NaN when the window holds no good state. */
  get score(): number {
    const w = this.#w;
    const L = this.levels;
    const n = w.sum(2 * L) + this.#stCount;
    if (!(n > 0)) return Number.NaN;
    let s = 0;
    for (let m = 0; m < L; m++) {
      const d = w.sum(L + m) + this.#stagedDepth(m);
      if (d > 0) s += (this.#weights[m] * (w.sum(m) + this.#stOfi[m]) * n) / d;
    }
    return s;
  }

  /** Number of best-level windows (`bestWindowsMs`; indices of `bestSum` …). */
  get bestWindowCount(): number {
    return this.#best === null ? 0 : this.#best.windowsMs.length;
  }

  /** Best-level Σ e_n over best window `i`, as `BestLevelOfi.sum`; NaN before the first good state. */
  bestSum(i: number): number {
    return this.#everSeen ? this.#bestWindows().sum(i) : Number.NaN;
  }

  /** Mean of (qb + qa) / 2 over the good states in best window `i`, as `BestLevelOfi.avgDepth`. */
  bestAvgDepth(i: number): number {
    return this.#bestWindows().avgDepth(i);
  }

  /** `bestSum(i) / bestAvgDepth(i)`, as `BestLevelOfi.normalized`. */
  bestNormalized(i: number): number {
    return this.#bestWindows().normalized(i);
  }

  #bestWindows(): BestLevelWindows {
    if (this.#best === null) throw new ConfigError('MultiLevelOfi was made without bestWindowsMs');
    return this.#best;
  }

  /** Forgets all state. */
  reset(): void {
    this.#best?.reset();
    this.#w.reset();
    this.#stOfi.fill(0);
    this.#restartDepth(this.#n);
    this.#stCount = 0;
    this.#stBucket = Number.NEGATIVE_INFINITY;
    this.#states.reset();
    this.#everSeen = false;
  }
}
