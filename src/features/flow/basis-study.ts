/**
 * Futures–spot study over whole files: the batch counterpart of the rolling `FuturesSpot`, with
 * its conventions (MICROSTRUCTURE.md §13, CONVENTIONS.md "Instruments"), for `scalper basis`.
 *
 * Sampling grid. Both mids are sampled on one grid of `sampleMs` (default 100 ms) by the
 * previous-tick rule: the sample of cell k ([k·step, (k+1)·step) in ms since the epoch) is the
 * last mid seen before the cell ends; an observation at time t closes the cells that ended at or
 * before t before it is applied. The spot is inverted first for 6J against USD/JPY
 * (`invertSpot`), so both legs are in the future's quote: log returns of 1/S, basis F − 1/S.
 *
 * A sample is valid when both mids are known and each leg was observed within `maxGapMs` of the
 * cell's end. A silence of both streams longer than `maxGapMs` (the CME daily break, a weekend) and
 * a stale leg (a future silent through the break while the broker still quotes) both make the
 * samples across them invalid: a return is taken only between two valid samples with no invalid
 * one in between, so a return across a silence longer than the limit is not a return.
 *
 * What it measures, over every valid sample after `fromMs`:
 * - correlation per horizon h (default 1 s, 10 s, 1 min, 5 min, each a multiple of the grid): the
 *   Pearson correlation of the log returns of F and of S (1/S) between consecutive multiples of h
 *   since the epoch (1-minute returns run from minute to minute), and the number of returns;
 * - lead–lag: ρ(ℓ) for ℓ in −L…+L grid steps (L = `maxLagMs / sampleMs`, default 5 s) is the
 *   Pearson correlation of the pairs (rF_{u−ℓ}, rS_u) of grid returns, each pair counted once, at
 *   the time u of its later return. ρ peaking at ℓ > 0 means the future's moves come first: the
 *   future leads by ℓ steps. The best lag is the one with the highest ρ (ties to the smaller |ℓ|,
 *   0 first, then the positive lag). Spot carries only ts_recv, so the broker's stream latency is
 *   part of the measured lead (§13);
 * - the basis F − S (F − 1/S), sampled on the grid (so its statistics are time-weighted), per CME
 *   trading date and FX session (`fxSession`: sydney, tokyo, london, overlap, new_york): count,
 *   mean, sample standard deviation, min and max. Samples outside Globex hours (the first minute
 *   of the break, before a stale leg is noticed) have no trading date and are left out of it.
 *
 * Cost: O(L + number of horizons) per grid step, O(L) memory; the sums are plain running sums,
 * which hold their precision because returns have a mean near zero against their spread; the
 * basis, whose mean is large against its spread, is accumulated with Welford's update.
 */
import {
  type FxSessionName,
  fxSession,
  InvalidOptionError,
  requireNonEmpty,
  requirePositive,
  requireSteps,
  tradingDateOf,
} from '../../core/index.js';

/** Default return horizons: 1 s, 10 s, 1 min and 5 min. */
export const DEFAULT_BASIS_HORIZONS_MS: readonly number[] = Object.freeze([1000, 10_000, 60_000, 300_000]);

/** The order in which a trading day's sessions are listed (chronological from Sydney's open). */
const SESSION_ORDER: readonly FxSessionName[] = [
  'sydney',
  'tokyo',
  'london',
  'overlap',
  'new_york',
  'closed',
];

/** Options of `BasisStudy`. */
export interface BasisStudyOptions {
  /** Compare the future with 1/spot (6J against USD/JPY). Default false. */
  readonly invertSpot?: boolean;
  /** Grid step in ms. Default 100. */
  readonly sampleMs?: number;
  /** Return horizons in ms, each a multiple of `sampleMs`. Default 1 s, 10 s, 1 min, 5 min. */
  readonly horizonsMs?: readonly number[];
  /** Largest lag examined, in ms, a multiple of `sampleMs`. Default 5000. */
  readonly maxLagMs?: number;
  /** A leg silent for longer than this makes the samples invalid (no return across it). Default 60000. */
  readonly maxGapMs?: number;
  /** Only cells starting at or after this time (ms) are counted; earlier ones only warm up. Default none. */
  readonly fromMs?: number;
}

/** The correlation of the returns at one horizon. */
export interface HorizonCorrelation {
  readonly horizonMs: number;
  /** Pairs of returns (F, S) counted. */
  readonly returns: number;
  /** Pearson correlation; NaN with fewer than 3 returns or a leg that did not move. */
  readonly correlation: number;
}

/** The cross-correlation of grid returns at one lag. */
export interface LagCorrelation {
  /** Lag in ms: > 0 means the future's return comes first (the future leads). */
  readonly lagMs: number;
  readonly pairs: number;
  readonly correlation: number;
}

/** Basis statistics of one FX session of one trading date, in the future's price units. */
export interface BasisSessionStats {
  /** CME trading date, YYYY-MM-DD. */
  readonly date: string;
  readonly session: FxSessionName;
  /** Grid samples (one per `sampleMs` with both mids valid). */
  readonly samples: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); NaN for a single sample. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

/** Everything a `BasisStudy` measured. */
export interface BasisStudySummary {
  readonly sampleMs: number;
  /** Valid grid samples counted. */
  readonly samples: number;
  /** Start of the first and end of the last valid sample counted (ms), NaN when none. */
  readonly firstMs: number;
  readonly lastMs: number;
  /** Silences (of both streams, or of one leg) longer than `maxGapMs` that interrupted the counted samples. */
  readonly breaks: number;
  readonly horizons: readonly HorizonCorrelation[];
  /** ρ(ℓ) for ℓ = −maxLag … +maxLag. */
  readonly crossCorrelation: readonly LagCorrelation[];
  /** The lag with the highest ρ, or null when no lag has a correlation. */
  readonly leadLag: LagCorrelation | null;
  /** By trading date, then session (SESSION_ORDER). */
  readonly basis: readonly BasisSessionStats[];
}

/** Running sums of pairs (x, y) and their Pearson correlation. */
class PairSums {
  n = 0;
  sx = 0;
  sy = 0;
  sxx = 0;
  syy = 0;
  sxy = 0;

  add(x: number, y: number): void {
    this.n++;
    this.sx += x;
    this.sy += y;
    this.sxx += x * x;
    this.syy += y * y;
    this.sxy += x * y;
  }

  /** NaN with fewer than 3 pairs or a series without variance (a leg that never moved). */
  get correlation(): number {
    const n = this.n;
    if (n < 3) return Number.NaN;
    const cxy = n * this.sxy - this.sx * this.sy;
    const cxx = n * this.sxx - this.sx * this.sx;
    const cyy = n * this.syy - this.sy * this.sy;
    if (!(cxx > 1e-12 * n * this.sxx) || !(cyy > 1e-12 * n * this.syy)) return Number.NaN;
    // Rounding can push a perfect correlation a few ulps past ±1.
    return Math.max(-1, Math.min(1, cxy / Math.sqrt(cxx * cyy)));
  }
}

/** Welford's running mean and variance, with min and max. */
class Moments {
  n = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(v: number): void {
    this.n++;
    const d = v - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (v - this.mean);
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}

/** Returns at one horizon: the previous boundary sample and the sums. */
class Horizon {
  readonly sums = new PairSums();
  /** Log mids at the previous boundary and the run of valid samples it belongs to (-1: none). */
  lf = 0;
  ls = 0;
  run = -1;
  constructor(
    readonly ms: number,
    readonly steps: number,
  ) {}
}

/** Correlation, lead–lag and basis of a future against its spot pair over whole files. */
export class BasisStudy {
  readonly #invert: boolean;
  readonly #step: number;
  readonly #L: number;
  readonly #maxGapMs: number;
  readonly #fromMs: number;
  readonly #horizons: Horizon[];
  /** Grid returns of the last L + 1 cells, by cell number modulo L + 1; NaN: no return. */
  readonly #rf: Float64Array;
  readonly #rs: Float64Array;
  /** Lag sums: index ℓ + L. */
  readonly #lags: PairSums[];
  readonly #basis = new Map<string, Moments>();
  #fut = Number.NaN;
  #spot = Number.NaN;
  #futMs = Number.NEGATIVE_INFINITY;
  #spotMs = Number.NEGATIVE_INFINITY;
  #started = false;
  /** The open cell and the latest time seen. */
  #cell = 0;
  #lastMs = 0;
  /** Run of consecutive valid samples (a new one after every invalid sample or gap). */
  #run = 0;
  #prevValid = false;
  /** The last valid sample is in the counted time (from `fromMs`). */
  #prevCounted = false;
  #prevLf = 0;
  #prevLs = 0;
  #breaks = 0;
  #samples = 0;
  #firstMs = Number.NaN;
  #lastSampleMs = Number.NaN;
  /** Trading date and session of the minute last labelled. */
  #labelMinute = Number.NaN;
  #labelKey: string | null = null;

  constructor(options: BasisStudyOptions = {}) {
    this.#invert = options.invertSpot ?? false;
    const step = requirePositive('sampleMs', options.sampleMs ?? 100);
    this.#step = step;
    this.#L = requireSteps('maxLagMs', options.maxLagMs ?? 5000, step, 0);
    this.#maxGapMs = options.maxGapMs ?? 60_000;
    if (!(this.#maxGapMs >= step))
      throw new InvalidOptionError('maxGapMs', this.#maxGapMs, `at least sampleMs (${step})`);
    this.#fromMs = options.fromMs ?? Number.NEGATIVE_INFINITY;
    const horizons = requireNonEmpty('horizonsMs', options.horizonsMs ?? DEFAULT_BASIS_HORIZONS_MS);
    this.#horizons = horizons.map((h) => new Horizon(h, requireSteps('horizonsMs', h, step)));
    this.#rf = new Float64Array(this.#L + 1).fill(Number.NaN);
    this.#rs = new Float64Array(this.#L + 1).fill(Number.NaN);
    this.#lags = Array.from({ length: 2 * this.#L + 1 }, () => new PairSums());
  }

  /** A future mid observation at `tsMs` (NaN or non-positive = none, ignored). */
  updateFuture(tsMs: number, mid: number): void {
    this.advance(tsMs);
    if (mid > 0 && Number.isFinite(mid)) {
      this.#fut = mid;
      this.#futMs = tsMs;
    }
  }

  /** A spot mid observation, as quoted (inverted internally when `invertSpot`). */
  updateSpot(tsMs: number, mid: number): void {
    this.advance(tsMs);
    if (mid > 0 && Number.isFinite(mid)) {
      this.#spot = mid;
      this.#spotMs = tsMs;
    }
  }

  /** Moves time to `tsMs`, closing the grid cells that ended. */
  advance(tsMs: number): void {
    if (!Number.isFinite(tsMs)) return;
    const cell = Math.floor(tsMs / this.#step);
    if (!this.#started) {
      this.#started = true;
      this.#cell = cell;
      this.#lastMs = tsMs;
      return;
    }
    if (tsMs - this.#lastMs > this.#maxGapMs) {
      // Both streams were silent: the cell of the last observations is sampled, the cells in
      // between hold nothing, and no return spans the silence.
      this.#close(this.#cell);
      this.#invalidate();
      this.#rf.fill(Number.NaN);
      this.#rs.fill(Number.NaN);
      this.#cell = cell;
      this.#lastMs = tsMs;
      return;
    }
    if (tsMs > this.#lastMs) this.#lastMs = tsMs;
    while (this.#cell < cell) this.#close(this.#cell++);
  }

  /** Ends a run of valid samples (a silence, counted once when it interrupts counted samples). */
  #invalidate(): void {
    if (this.#prevValid && this.#prevCounted) this.#breaks++;
    this.#prevValid = false;
    this.#run++;
  }

  #close(k: number): void {
    const step = this.#step;
    const endMs = (k + 1) * step;
    const slot = k % (this.#L + 1);
    const valid =
      endMs - this.#futMs <= this.#maxGapMs &&
      endMs - this.#spotMs <= this.#maxGapMs &&
      !Number.isNaN(this.#fut) &&
      !Number.isNaN(this.#spot);
    if (!valid) {
      this.#invalidate();
      this.#rf[slot] = Number.NaN;
      this.#rs[slot] = Number.NaN;
      return;
    }
    const lf = Math.log(this.#fut);
    const ls = this.#invert ? -Math.log(this.#spot) : Math.log(this.#spot);
    const counted = k * step >= this.#fromMs;
    if (this.#prevValid) {
      const rf = lf - this.#prevLf;
      const rs = ls - this.#prevLs;
      this.#rf[slot] = rf;
      this.#rs[slot] = rs;
      if (counted) this.#addLags(k, rf, rs);
    } else {
      this.#rf[slot] = Number.NaN;
      this.#rs[slot] = Number.NaN;
    }
    this.#prevValid = true;
    this.#prevCounted = counted;
    this.#prevLf = lf;
    this.#prevLs = ls;
    for (const h of this.#horizons) {
      if ((k + 1) % h.steps !== 0) continue;
      if (counted && h.run === this.#run) h.sums.add(lf - h.lf, ls - h.ls);
      h.lf = lf;
      h.ls = ls;
      h.run = this.#run;
    }
    if (counted) this.#addBasis(k * step);
  }

  /** Adds the pairs whose later return is the one of cell `k`, for every lag. */
  #addLags(k: number, rf: number, rs: number): void {
    const L = this.#L;
    const R = L + 1;
    const lags = this.#lags;
    lags[L].add(rf, rs);
    for (let l = 1; l <= L; l++) {
      const early = (k - l) % R;
      const f = this.#rf[early];
      if (!Number.isNaN(f)) lags[L + l].add(f, rs);
      const s = this.#rs[early];
      if (!Number.isNaN(s)) lags[L - l].add(rf, s);
    }
  }

  #addBasis(cellMs: number): void {
    const minute = Math.floor(cellMs / 60_000);
    if (minute !== this.#labelMinute) {
      // Trading date and session change on whole minutes only: looked up once per minute.
      this.#labelMinute = minute;
      const date = tradingDateOf(cellMs);
      this.#labelKey = date === null ? null : `${date} ${fxSession(cellMs)}`;
    }
    this.#samples++;
    if (Number.isNaN(this.#firstMs)) this.#firstMs = cellMs;
    this.#lastSampleMs = cellMs + this.#step;
    const key = this.#labelKey;
    if (key === null) return;
    let m = this.#basis.get(key);
    if (m === undefined) {
      m = new Moments();
      this.#basis.set(key, m);
    }
    m.add(this.#fut - (this.#invert ? 1 / this.#spot : this.#spot));
  }

  /** Grid step in ms. */
  get sampleMs(): number {
    return this.#step;
  }

  /** What was measured so far (cells still open are not in it). */
  summary(): BasisStudySummary {
    const L = this.#L;
    const step = this.#step;
    const crossCorrelation = this.#lags.map((s, j) => ({
      lagMs: (j - L) * step,
      pairs: s.n,
      correlation: s.correlation,
    }));
    let leadLag: LagCorrelation | null = null;
    for (let a = 0; a <= L; a++) {
      for (const j of a === 0 ? [L] : [L + a, L - a]) {
        const c = crossCorrelation[j];
        if (!Number.isNaN(c.correlation) && (leadLag === null || c.correlation > leadLag.correlation))
          leadLag = c;
      }
    }
    return {
      sampleMs: step,
      samples: this.#samples,
      firstMs: this.#firstMs,
      lastMs: this.#lastSampleMs,
      breaks: this.#breaks,
      horizons: this.#horizons.map((h) => ({
        horizonMs: h.ms,
        returns: h.sums.n,
        correlation: h.sums.correlation,
      })),
      crossCorrelation,
      leadLag,
      basis: this.#basisRows(),
    };
  }

  #basisRows(): BasisSessionStats[] {
    const rows: BasisSessionStats[] = [];
    for (const [key, m] of this.#basis) {
      const [date, session] = key.split(' ') as [string, FxSessionName];
      rows.push({
        date,
        session,
        samples: m.n,
        mean: m.mean,
        std: m.n > 1 ? Math.sqrt(m.m2 / (m.n - 1)) : Number.NaN,
        min: m.min,
        max: m.max,
      });
    }
    const order = (s: FxSessionName) => SESSION_ORDER.indexOf(s);
    return rows.sort((a, b) => a.date.localeCompare(b.date) || order(a.session) - order(b.session));
  }
}
