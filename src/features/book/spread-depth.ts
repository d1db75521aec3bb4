/**
 * Quoted spread, depth per level and cumulative, liquidity walls and gaps (MICROSTRUCTURE.md §5,
 * §6), read from the current book. Results live in preallocated arrays with counts; nothing is
 * allocated per update.
 */

import { BookSide, type BookView } from '../../book/index.js';
import { type Calculator, requireIntInRange, requirePositive } from '../../core/index.js';
import { isTwoSided } from './ofi.js';

/**
 * Median of `v[0..n)` by insertion sort into `s` (n ≤ 10 here), written to `out[k]` (NaN when
 * n = 0): written rather than returned, as a double returned from a call V8 does not inline is boxed.
 */
function median(v: Float64Array, n: number, s: Float64Array, out: Float64Array, k: number): void {
  if (n === 0) {
    out[k] = Number.NaN;
    return;
  }
  for (let i = 0; i < n; i++) {
    const x = v[i];
    let j = i;
    while (j > 0 && s[j - 1] > x) {
      s[j] = s[j - 1];
      j--;
    }
    s[j] = x;
  }
  out[k] = n & 1 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Quoted spread S = Pa − Pb (Huang & Stoll 1996; MICROSTRUCTURE.md §5) in raw price units, in
 * ticks (`spread_ticks`) and relative to the mid in basis points (`spread_bps` = S/M·1e4). NaN
 * when the book is one-sided, crossed or locked (a zero or negative spread is not a quote to
 * measure; the book's `crossed` flag says which).
 */
export class QuotedSpread implements Calculator<[book: BookView]> {
  /** Minimum price increment in raw 1e-9 units (from the instrument definition). */
  readonly tickSize: number;
  #price = Number.NaN;
  #mid = Number.NaN;

  constructor(tickSize: number) {
    this.tickSize = requirePositive('tickSize', tickSize);
  }

  /** Reads the book after an update. O(1). */
  update(book: BookView): void {
    if (!isTwoSided(book)) {
      this.#price = Number.NaN;
      this.#mid = Number.NaN;
      return;
    }
    this.#price = book.bestAskPx - book.bestBidPx;
    this.#mid = (book.bestAskPx + book.bestBidPx) / 2;
  }

  /** Spread in raw price units. */
  get price(): number {
    return this.#price;
  }
  /** Spread in ticks (rounded to a whole tick: prices sit on the tick grid). */
  get ticks(): number {
    return Math.round(this.#price / this.tickSize);
  }
  /** Spread over mid in basis points. */
  get bps(): number {
    return (this.#price / this.#mid) * 1e4;
  }
  /** Mid in raw units (`mid` column). */
  get mid(): number {
    return this.#mid;
  }
  /** The last book state was two-sided with bid < ask. */
  get isReady(): boolean {
    return !Number.isNaN(this.#price);
  }

  reset(): void {
    this.#price = Number.NaN;
    this.#mid = Number.NaN;
  }
}

/** Kind of a gap entry. */
export const GapKind = {
  /** Adjacent populated levels more than one tick apart: the ticks between them are empty. */
  EMPTY: 0,
  /** A populated level between two others holding at most `thinFactor` × the side's median size. */
  THIN: 1,
} as const;

/** Options of `DepthProfile`. */
export interface DepthProfileOptions {
  /** Minimum price increment in raw 1e-9 units. */
  readonly tickSize: number;
  /** Levels per side examined; default 10 (MBP-10). */
  readonly levels?: number;
  /** A wall holds at least this multiple of the side's median level size; default 4 (MICROSTRUCTURE.md §6). */
  readonly wallFactor?: number;
  /** Walls count only within this many ticks of the mid; default 5 (MICROSTRUCTURE.md §6). */
  readonly wallMaxTicks?: number;
  /**
   * An interior level holding at most this fraction of the side's median size is a thin gap;
   * default 0.25 (our choice: MICROSTRUCTURE.md §6 defines only empty gaps); 0 disables thin gaps.
   */
  readonly thinFactor?: number;
}

/**
 * Depth per level and cumulative per side, book skew, liquidity walls and gaps.
 *
 * - Depth `D_L = Σ_{m≤L} q^m` per side; skew `(D_b − D_a)/(D_b + D_a)` (MICROSTRUCTURE.md §6).
 * - Wall: a level with `q^m ≥ k · median(q^1..q^L)` of its side (populated levels only), within
 *   `wallMaxTicks` of the mid. The reference uses the median rather than the mean so that the wall
 *   itself does not lift the bar it must clear. Needs a two-sided, uncrossed book (a mid).
 * - Gap: adjacent populated levels of a side more than one tick apart (the ticks between are
 *   empty), reported with the first empty price next to the better level and the number of empty
 *   ticks; and thin interior levels (see `thinFactor`), reported with their price. Gaps are per
 *   side and need no mid, so a one-sided book still reports them.
 */
export class DepthProfile implements Calculator<[book: BookView]> {
  readonly tickSize: number;
  readonly levels: number;
  readonly wallFactor: number;
  readonly wallMaxTicks: number;
  readonly thinFactor: number;

  readonly #bidCum: Float64Array;
  readonly #askCum: Float64Array;
  readonly #scratch: Float64Array;
  readonly #bPx: Float64Array;
  readonly #bSz: Float64Array;
  readonly #aPx: Float64Array;
  readonly #aSz: Float64Array;
  #nb = 0;
  #na = 0;
  /**
   * [bid median, ask median, mid]: doubles kept in a typed array and read by the helpers rather
   * than passed as arguments, which V8 boxes when it does not inline the call.
   */
  readonly #med = new Float64Array([Number.NaN, Number.NaN, Number.NaN]);

  /** Number of walls found by the last update; entries `[0, wallCount)` of the wall arrays are valid. */
  wallCount = 0;
  /** Side of each wall: `BookSide.BID` (66) or `BookSide.ASK` (65). */
  readonly wallSide: Uint8Array;
  /** Level index of each wall (0 = best). */
  readonly wallLevel: Uint8Array;
  /** Price of each wall, raw units. */
  readonly wallPx: Float64Array;
  /** Size of each wall. */
  readonly wallSz: Float64Array;
  /** Size of each wall over its side's median level size. */
  readonly wallRatio: Float64Array;

  /** Number of gaps found by the last update; entries `[0, gapCount)` of the gap arrays are valid. */
  gapCount = 0;
  readonly gapSide: Uint8Array;
  /** `GapKind.EMPTY` or `GapKind.THIN`. */
  readonly gapKind: Uint8Array;
  /** EMPTY: first empty price next to the better level; THIN: the thin level's price. */
  readonly gapPx: Float64Array;
  /** EMPTY: number of empty ticks; THIN: 0. */
  readonly gapTicks: Float64Array;
  /** EMPTY: index of the better of the two levels around it; THIN: the thin level's index. */
  readonly gapLevel: Uint8Array;
  #widestBid = 0;
  #widestAsk = 0;
  #ready = false;

  constructor(opts: DepthProfileOptions) {
    // Level indexes are kept in Uint8Arrays.
    const L = requireIntInRange('levels', opts.levels ?? 10, 1, 255);
    this.tickSize = requirePositive('tickSize', opts.tickSize);
    this.levels = L;
    this.wallFactor = opts.wallFactor ?? 4;
    this.wallMaxTicks = opts.wallMaxTicks ?? 5;
    this.thinFactor = opts.thinFactor ?? 0.25;
    this.#bidCum = new Float64Array(L);
    this.#askCum = new Float64Array(L);
    this.#scratch = new Float64Array(L);
    this.#bPx = new Float64Array(L);
    this.#bSz = new Float64Array(L);
    this.#aPx = new Float64Array(L);
    this.#aSz = new Float64Array(L);
    this.wallSide = new Uint8Array(2 * L);
    this.wallLevel = new Uint8Array(2 * L);
    this.wallPx = new Float64Array(2 * L);
    this.wallSz = new Float64Array(2 * L);
    this.wallRatio = new Float64Array(2 * L);
    this.gapSide = new Uint8Array(2 * L);
    this.gapKind = new Uint8Array(2 * L);
    this.gapPx = new Float64Array(2 * L);
    this.gapTicks = new Float64Array(2 * L);
    this.gapLevel = new Uint8Array(2 * L);
  }

  /** Reads the book after an update. O(levels²) at worst (median by insertion sort of ≤ 10). */
  update(book: BookView): void {
    this.#ready = true;
    const L = this.levels;
    const bPx = this.#bPx;
    const bSz = this.#bSz;
    const aPx = this.#aPx;
    const aSz = this.#aSz;
    const nb = Math.min(book.bidLevels, L);
    const na = Math.min(book.askLevels, L);
    this.#nb = nb;
    this.#na = na;
    let cb = 0;
    let ca = 0;
    for (let m = 0; m < L; m++) {
      bPx[m] = book.bidPx(m);
      aPx[m] = book.askPx(m);
      const qb = book.bidSz(m);
      const qa = book.askSz(m);
      bSz[m] = qb;
      aSz[m] = qa;
      cb += qb;
      ca += qa;
      this.#bidCum[m] = cb;
      this.#askCum[m] = ca;
    }
    const med = this.#med;
    median(bSz, nb, this.#scratch, med, 0);
    median(aSz, na, this.#scratch, med, 1);
    this.wallCount = 0;
    this.gapCount = 0;
    if (isTwoSided(book)) {
      med[2] = (bPx[0] + aPx[0]) / 2;
      this.#walls(BookSide.BID, bPx, bSz, nb, 0);
      this.#walls(BookSide.ASK, aPx, aSz, na, 1);
    }
    this.#gaps(BookSide.BID, bPx, bSz, nb, 0);
    this.#gaps(BookSide.ASK, aPx, aSz, na, 1);
  }

  #walls(side: number, pxs: Float64Array, szs: Float64Array, n: number, k: number): void {
    const med = this.#med[k];
    const mid = this.#med[2];
    if (!(med > 0)) return;
    const bar = this.wallFactor * med;
    const reach = this.wallMaxTicks * this.tickSize;
    for (let m = 0; m < n; m++) {
      const px = pxs[m];
      if (Math.abs(px - mid) > reach) break;
      const sz = szs[m];
      if (sz >= bar) {
        const k = this.wallCount++;
        this.wallSide[k] = side;
        this.wallLevel[k] = m;
        this.wallPx[k] = px;
        this.wallSz[k] = sz;
        this.wallRatio[k] = sz / med;
      }
    }
  }

  /** Appends the side's gaps and sets its widest empty gap in ticks. */
  #gaps(side: number, pxs: Float64Array, szs: Float64Array, n: number, k: number): void {
    const med = this.#med[k];
    const bid = side === BookSide.BID;
    const dir = bid ? -1 : 1; // direction from a better to a worse price
    const tick = this.tickSize;
    const thinBar = this.thinFactor * med;
    let widest = 0;
    for (let m = 0; m + 1 < n; m++) {
      const p = pxs[m];
      const empty = Math.round(Math.abs(pxs[m + 1] - p) / tick) - 1;
      if (empty > 0) {
        const k = this.gapCount++;
        this.gapSide[k] = side;
        this.gapKind[k] = GapKind.EMPTY;
        this.gapPx[k] = p + dir * tick;
        this.gapTicks[k] = empty;
        this.gapLevel[k] = m;
        if (empty > widest) widest = empty;
      }
      if (m > 0 && this.thinFactor > 0 && szs[m] <= thinBar) {
        const k = this.gapCount++;
        this.gapSide[k] = side;
        this.gapKind[k] = GapKind.THIN;
        this.gapPx[k] = p;
        this.gapTicks[k] = 0;
        this.gapLevel[k] = m;
      }
    }
    if (bid) this.#widestBid = widest;
    else this.#widestAsk = widest;
  }

  /** A book has been read: depth, skew, medians and gaps describe it. */
  get isReady(): boolean {
    return this.#ready;
  }

  /** Forgets the last book read. */
  reset(): void {
    this.#ready = false;
    this.#nb = 0;
    this.#na = 0;
    this.#bidCum.fill(0);
    this.#askCum.fill(0);
    this.#med.fill(Number.NaN);
    this.wallCount = 0;
    this.gapCount = 0;
    this.#widestBid = 0;
    this.#widestAsk = 0;
  }

  /** Populated levels seen on `side` (at most `levels`). */
  levelCount(side: number): number {
    return side === BookSide.BID ? this.#nb : this.#na;
  }

  /** Cumulative size of the best `k` levels of `side` (k = 1, 5, 10 …; 0 when empty); NaN before a book. */
  depth(side: number, k: number): number {
    if (!this.#ready) return Number.NaN;
    if (k <= 0) return 0;
    const i = Math.min(k, this.levels) - 1;
    return side === BookSide.BID ? this.#bidCum[i] : this.#askCum[i];
  }

  /** Book skew over the best `k` levels, (D_b − D_a)/(D_b + D_a); NaN when both are 0. */
  skew(k: number): number {
    const b = this.depth(BookSide.BID, k);
    const a = this.depth(BookSide.ASK, k);
    return b + a > 0 ? (b - a) / (b + a) : Number.NaN;
  }

  /** Median level size of `side` over its populated levels; NaN when the side is empty. */
  median(side: number): number {
    return side === BookSide.BID ? this.#med[0] : this.#med[1];
  }

  /** Widest empty gap of `side` in ticks (0 when none); NaN before a book. */
  widestGap(side: number): number {
    if (!this.#ready) return Number.NaN;
    return side === BookSide.BID ? this.#widestBid : this.#widestAsk;
  }
}
