/**
 * Per-minute observations for the regime models, built from market data by the feature engine.
 *
 * For each instrument and each whole UTC minute with book events, at the minute's end t:
 * - `log_rv_1m`: ln(rv + floor), rv being the realized variance of 1-s log mid returns in the minute
 *   (MICROSTRUCTURE.md §14: "log RV"); the floor, (tick / (4·mid))²,
 *   a sixteenth of one one-tick return squared, keeps a minute without a mid change finite;
 * - `log_events_1m`: ln(1 + book events in the minute), the message rate, which rises with volatility
 *   (CKS 2014: price moves scale with order flow);
 * - `ret_1m`: the minute's log mid return, kept for reports (not a model input by default).
 *
 * FX activity has a strong intraday pattern (Andersen & Bollerslev 1998): the same regime is
 * quieter in the late Asian hours than in the London–New York overlap. `Seasonality` removes it:
 * the mean of each feature per 30-minute bucket of the UTC day, estimated from the fitting days
 * only, is subtracted from every observation (MICROSTRUCTURE.md §16 "volatility multiplier by
 * 30-min bucket"; in log space a multiplier is a shift). A bucket the fitting days never saw uses
 * the overall mean. The model sees what is left: volatility relative to the time of day.
 */

import type { RecordCursor } from '../../data/dbn/index.js';
import type { FeatureSnapshot } from '../../features/index.js';
import { RegimeError } from './errors.js';

/** Model inputs, in order (the first is the volatility feature that orders the states). */
export const REGIME_FEATURES = ['log_rv_1m', 'log_events_1m'] as const;

/** The minutes of one instrument. */
export interface MinuteSeries {
  readonly symbol: string;
  readonly instrumentId: number;
  /** Minute start, ms since the epoch (UTC). */
  readonly startMs: number[];
  readonly logRv: number[];
  readonly logEvents: number[];
  readonly ret: number[];
  /** Realized variance of 1-s log mid returns in the minute (no floor). */
  readonly rv: number[];
}

/** One minute's observation. */
export interface MinuteObservation {
  readonly startMs: number;
  /** Realized variance of 1-s log mid returns in the minute. */
  readonly rv: number;
  readonly logRv: number;
  readonly logEvents: number;
  readonly ret: number;
}

/**
 * The minute observations of one instrument, streaming: `record` each book record (MBP-10 or
 * MBP-1) as it arrives, `close` at each whole minute with the feature snapshot of that moment.
 */
export class MinuteObserver {
  readonly #acc = new MinuteAccumulator();
  #lastMid = Number.NaN;

  /** Adds a book record (the cursor's current one); other record types are ignored. */
  record(c: RecordCursor): void {
    const rt = c.rtype;
    // Book records only: MBP-10, MBP-1 (rtypes 10 and 1); mids from their top level.
    if (rt === 10 || rt === 1) this.#acc.add(c.tsRecvMs, c.bidPx(0), c.askPx(0));
  }

  /** Book events in the forming minute. */
  get events(): number {
    return this.#acc.events;
  }

  /**
   * Closes the minute ending at `endMs` (snapshot `snap` taken then; `tickRaw` the instrument's
   * tick in raw 1e-9 units, for the variance floor); null for a minute without book events or a
   * quote.
   */
  close(endMs: number, snap: FeatureSnapshot | null, tickRaw: number): MinuteObservation | null {
    const count = this.#acc.events;
    if (count === 0) {
      // A minute without events (the daily break, a weekend, a gap): the next minute's first
      // return and `ret` must not span it.
      this.#acc.forget();
      this.#lastMid = Number.NaN;
      return null;
    }
    const rv = this.#acc.close(endMs);
    if (snap === null || !(snap.mid > 0)) return null;
    const floor = ((tickRaw * 1e-9) / (4 * snap.mid)) ** 2;
    const ret = this.#lastMid > 0 ? Math.log(snap.mid / this.#lastMid) : 0;
    this.#lastMid = snap.mid;
    return { startMs: endMs - 60_000, rv, logRv: Math.log(rv + floor), logEvents: Math.log1p(count), ret };
  }
}

/**
 * Book events of the forming minute and the realized variance of 1-s log mid returns in it: the mid
 * at the end of each second (the last record's) against the one at the end of the previous second.
 */
class MinuteAccumulator {
  events = 0;
  #rv = 0;
  #second = Number.NaN;
  #mid = Number.NaN;
  #gridMid = Number.NaN;

  add(tsMs: number, bidPx: number, askPx: number): void {
    this.events++;
    const second = Math.floor(tsMs / 1000);
    if (second !== this.#second) {
      this.#sample();
      this.#second = second;
    }
    if (askPx > bidPx) this.#mid = (bidPx + askPx) / 2;
  }

  #sample(): void {
    const mid = this.#mid;
    if (mid > 0 && this.#gridMid > 0) {
      const r = Math.log(mid / this.#gridMid);
      this.#rv += r * r;
    }
    if (mid > 0) this.#gridMid = mid;
  }

  /** Forgets the last grid mid (after a gap), so no return spans the gap. */
  forget(): void {
    this.#second = Number.NaN;
    this.#mid = Number.NaN;
    this.#gridMid = Number.NaN;
    this.#rv = 0;
    this.events = 0;
  }

  /** Closes the minute ending at `endMs`: returns its realized variance and starts the next one. */
  close(_endMs: number): number {
    this.#sample();
    this.#second = Number.NaN;
    const rv = this.#rv;
    this.#rv = 0;
    this.events = 0;
    return rv;
  }
}

/** Bucket length of the intraday pattern, minutes. */
export const SEASONAL_BUCKET_MIN = 30;
const BUCKETS = (24 * 60) / SEASONAL_BUCKET_MIN;

function bucketOf(startMs: number): number {
  const minuteOfDay = Math.floor((((startMs % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
  return Math.floor(minuteOfDay / SEASONAL_BUCKET_MIN);
}

/** Mean of each feature per 30-minute bucket of the UTC day, removed from observations. */
export class Seasonality {
  /** `means[b][d]`: mean of feature d in bucket b (the overall mean where the bucket had no data). */
  readonly means: readonly (readonly number[])[];

  constructor(means: readonly (readonly number[])[]) {
    if (means.length !== BUCKETS) {
      throw new RegimeError(
        'REGIME_BAD_MODEL',
        `seasonality needs ${BUCKETS} buckets, got ${means.length}`,
        {},
      );
    }
    this.means = means;
  }

  /** Estimates the pattern from rows of features at the given minute starts. */
  static fit(startMs: readonly number[], rows: readonly (readonly number[])[]): Seasonality {
    if (rows.length === 0)
      throw new RegimeError('REGIME_TOO_FEW', 'no observations to estimate seasonality from', {});
    const dim = rows[0].length;
    const sum = Array.from({ length: BUCKETS }, () => new Array<number>(dim).fill(0));
    const n = new Array<number>(BUCKETS).fill(0);
    const all = new Array<number>(dim).fill(0);
    for (let i = 0; i < rows.length; i++) {
      const b = bucketOf(startMs[i]);
      n[b]++;
      for (let d = 0; d < dim; d++) {
        sum[b][d] += rows[i][d];
        all[d] += rows[i][d];
      }
    }
    const overall = all.map((v) => v / rows.length);
    return new Seasonality(sum.map((s, b) => (n[b] > 0 ? s.map((v) => v / n[b]) : overall)));
  }

  /** The rows with their bucket's means removed (new arrays). */
  apply(startMs: readonly number[], rows: readonly (readonly number[])[]): number[][] {
    return rows.map((r, i) => {
      const m = this.means[bucketOf(startMs[i])];
      return r.map((v, d) => v - m[d]);
    });
  }

  /** One row with its bucket's means removed, written into `out`. */
  applyOne(startMs: number, row: ArrayLike<number>, out: Float64Array): Float64Array {
    const m = this.means[bucketOf(startMs)];
    for (let d = 0; d < out.length; d++) out[d] = row[d] - m[d];
    return out;
  }

  toJson(): { bucketMinutes: number; means: number[][] } {
    return { bucketMinutes: SEASONAL_BUCKET_MIN, means: this.means.map((r) => [...r]) };
  }

  /** Reads `toJson()`'s shape; `where` names the source in errors. */
  static fromJson(v: unknown, where: string): Seasonality {
    const o = v as { bucketMinutes?: unknown; means?: unknown };
    if (
      o === null ||
      typeof o !== 'object' ||
      o.bucketMinutes !== SEASONAL_BUCKET_MIN ||
      !Array.isArray(o.means)
    ) {
      throw new RegimeError(
        'REGIME_BAD_MODEL',
        `${where}: field "observation.seasonality" must be { bucketMinutes: ${SEASONAL_BUCKET_MIN}, means: [${BUCKETS} rows] }`,
        { file: where },
      );
    }
    const means = o.means as unknown[];
    means.forEach((r, b) => {
      if (!Array.isArray(r) || !r.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new RegimeError(
          'REGIME_BAD_MODEL',
          `${where}: field "observation.seasonality.means[${b}]" must be an array of finite numbers`,
          { file: where },
        );
      }
    });
    return new Seasonality(means as number[][]);
  }
}

/** The model rows of a series: `REGIME_FEATURES` per minute. */
export function featureRows(s: MinuteSeries): number[][] {
  return s.startMs.map((_, i) => [s.logRv[i], s.logEvents[i]]);
}
