/**
 * Online regime filtering (MICROSTRUCTURE.md §14: refit offline, run the filter online) and the
 * realized-versus-implied volatility gap.
 *
 * `RegimeFilter` runs one step of the scaled forward recursion per bar (see gaussian-hmm.ts):
 * α̂_t = normalise((α̂_{t−1} A) ∘ b(o_t)), O(K² + K·D) per bar, in preallocated typed arrays. Only
 * the forward filter is used online: smoothing would need future bars. For a GMM the same step
 * has no memory, α̂_t = normalise(w ∘ b(o_t)). The regime is argmax α̂_t with its probability; the
 * reported label can be held until a new state has led for `switchDelayBars` further bars (useful
 * for a GMM, which has no persistence of its own).
 *
 * Default stance per regime (overridable with `stances`):
 * - low → `mean_reversion`: calm, low-volatility sessions are mostly range-bound, and the spread
 *   and queue edge of fading small moves is not swamped by noise;
 * - medium → `momentum`: ordinary activity carries the directional flow that breakouts and
 *   order-flow continuation need;
 * - high → `reduce`: in turbulent markets both fading and chasing are exposed to jumps and wider
 *   spreads; keep trading only at reduced size with wider stops (use `stand_aside` to stop).
 * With K ≠ 3: the lowest state `mean_reversion`, the highest `reduce`, the ones between `momentum`.
 */

import { readFileSync } from 'node:fs';
import { requireLength, requireNonNegativeInt, requirePositiveInt } from '../../core/index.js';
import { prepareGaussians } from './common.js';
import { RegimeError } from './errors.js';
import type { LoadedRegimeModel, RegimeModel } from './model.js';

/** Suggested trading stance in a regime. */
export type Stance = 'mean_reversion' | 'momentum' | 'reduce' | 'stand_aside';

/** A change of the reported regime. */
export interface RegimeTransition {
  readonly tMs: number;
  readonly from: number;
  readonly to: number;
}

/** Options of `RegimeFilter`. */
export interface RegimeFilterOptions {
  /** Stance per state, lowest volatility first (default: see the file comment). */
  readonly stances?: readonly Stance[];
  /** Further bars a new most-likely state must lead before the label switches. Default 0. */
  readonly switchDelayBars?: number;
  /** Transitions kept (a ring; the oldest are dropped). Default 1024. */
  readonly transitionCapacity?: number;
  /** Called on each change of the reported regime. */
  readonly onTransition?: (tMs: number, from: number, to: number) => void;
}

/** Default stances for K states (see the file comment). */
export function defaultStances(k: number): Stance[] {
  if (k === 1) return ['momentum'];
  return Array.from({ length: k }, (_, j) =>
    j === 0 ? 'mean_reversion' : j === k - 1 ? 'reduce' : 'momentum',
  );
}

/**
 * Streaming regime filter over a fitted HMM or GMM: `update(tMs, obs)` once per bar, then read
 * `probabilities`, `mostLikely`, `probability`, `state`, `stance` and the recorded transitions.
 * A bar with a non-finite value is a missing observation: the HMM predicts one step without an
 * emission (α̂ A), the GMM keeps its last posterior; either way it is counted in `missingBars`.
 */
export class RegimeFilter {
  readonly #k: number;
  readonly #dim: number;
  readonly #hmm: boolean;
  readonly #prior: Float64Array;
  readonly #a: Float64Array;
  readonly #means: Float64Array;
  readonly #inv: Float64Array;
  readonly #cst: Float64Array;
  readonly #p: Float64Array;
  readonly #tmp: Float64Array;
  readonly #stances: readonly Stance[];
  readonly #names: readonly string[] | undefined;
  readonly #delay: number;
  readonly #onTransition: ((tMs: number, from: number, to: number) => void) | undefined;
  readonly #trT: Float64Array;
  readonly #trFrom: Int32Array;
  readonly #trTo: Int32Array;
  #trCount = 0;
  #bars = 0;
  #missing = 0;
  #arg = -1;
  #label = -1;
  #cand = -1;
  #run = 0;
  #logL = 0;

  constructor(model: RegimeModel | LoadedRegimeModel, options: RegimeFilterOptions = {}) {
    const m = 'model' in model ? model.model : model;
    this.#names = 'model' in model ? model.states : undefined;
    this.#k = m.k;
    this.#dim = m.dim;
    this.#hmm = m.kind === 'hmm';
    this.#prior = Float64Array.from(m.kind === 'hmm' ? m.pi : m.weights);
    this.#a = m.kind === 'hmm' ? Float64Array.from(m.transition) : new Float64Array(0);
    this.#means = Float64Array.from(m.means);
    this.#cst = new Float64Array(m.k);
    this.#inv = new Float64Array(m.k * m.dim);
    prepareGaussians(m, this.#cst, this.#inv);
    this.#p = new Float64Array(m.k).fill(Number.NaN);
    this.#tmp = new Float64Array(m.k);
    const stances = options.stances ?? defaultStances(m.k);
    requireLength('stances', stances.length, m.k, 'one per state');
    this.#stances = [...stances];
    this.#delay = requireNonNegativeInt('switchDelayBars', options.switchDelayBars ?? 0);
    const cap = requirePositiveInt('transitionCapacity', options.transitionCapacity ?? 1024);
    this.#trT = new Float64Array(cap);
    this.#trFrom = new Int32Array(cap);
    this.#trTo = new Int32Array(cap);
    this.#onTransition = options.onTransition;
  }

  /** Feeds one bar's observation (`dim` values); returns the reported state. No allocation. */
  update(tMs: number, obs: ArrayLike<number>): number {
    const k = this.#k;
    const dim = this.#dim;
    if (obs.length !== dim)
      throw new RegimeError('REGIME_BAD_INPUT', `Observation has ${obs.length} values, the model ${dim}`);
    const p = this.#p;
    const tmp = this.#tmp;
    const first = this.#bars === 0;
    // Prediction: the prior of this bar (π at the first HMM bar, α̂_{t−1} A after; w for a GMM).
    if (this.#hmm && !first) {
      const a = this.#a;
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let i = 0; i < k; i++) s += p[i] * a[i * k + j];
        tmp[j] = s;
      }
    } else for (let j = 0; j < k; j++) tmp[j] = this.#prior[j];
    let finite = true;
    for (let d = 0; d < dim; d++) if (!Number.isFinite(obs[d])) finite = false;
    if (!finite) {
      this.#missing++;
      if (this.#hmm || first) for (let j = 0; j < k; j++) p[j] = tmp[j];
    } else {
      // Emissions shifted by their maximum, as in the batch filter, then the update.
      const means = this.#means;
      const inv = this.#inv;
      let mx = Number.NEGATIVE_INFINITY;
      const lb = p; // reuse: p is not read again until overwritten below
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let d = 0; d < dim; d++) {
          const z = obs[d] - means[j * dim + d];
          s += z * z * inv[j * dim + d];
        }
        const v = this.#cst[j] - 0.5 * s;
        lb[j] = v;
        if (v > mx) mx = v;
      }
      let c = 0;
      for (let j = 0; j < k; j++) {
        const v = tmp[j] * Math.exp(lb[j] - mx);
        p[j] = v;
        c += v;
      }
      const ic = 1 / c;
      for (let j = 0; j < k; j++) p[j] *= ic;
      this.#logL += Math.log(c) + mx;
    }
    this.#bars++;
    let arg = 0;
    for (let j = 1; j < k; j++) if (p[j] > p[arg]) arg = j;
    this.#arg = arg;
    this.#relabel(tMs, arg);
    return this.#label;
  }

  #relabel(tMs: number, arg: number): void {
    if (this.#label < 0) {
      this.#label = arg;
      return;
    }
    if (arg === this.#label) {
      this.#cand = -1;
      this.#run = 0;
      return;
    }
    if (arg === this.#cand) this.#run++;
    else {
      this.#cand = arg;
      this.#run = 0;
    }
    if (this.#run < this.#delay) return;
    const from = this.#label;
    this.#label = arg;
    this.#cand = -1;
    this.#run = 0;
    const cap = this.#trT.length;
    const slot = this.#trCount % cap;
    this.#trT[slot] = tMs;
    this.#trFrom[slot] = from;
    this.#trTo[slot] = arg;
    this.#trCount++;
    this.#onTransition?.(tMs, from, arg);
  }

  /** True after the first bar. */
  get isReady(): boolean {
    return this.#bars > 0;
  }
  /** Number of states K. */
  get states(): number {
    return this.#k;
  }
  /** Bars fed. */
  get bars(): number {
    return this.#bars;
  }
  /** Bars with a non-finite value (treated as missing). */
  get missingBars(): number {
    return this.#missing;
  }
  /** Filtered probability of each state (a live view: copy it to keep it; NaN before the first bar). */
  get probabilities(): Readonly<Float64Array> {
    return this.#p;
  }
  /** Most likely state now (argmax of `probabilities`), −1 before the first bar. */
  get mostLikely(): number {
    return this.#arg;
  }
  /** Probability of `mostLikely` (NaN before the first bar). */
  get probability(): number {
    return this.#arg < 0 ? Number.NaN : this.#p[this.#arg];
  }
  /** Reported state: `mostLikely` held for `switchDelayBars`; −1 before the first bar. */
  get state(): number {
    return this.#label;
  }
  /** Name of the reported state (from the loaded model, else low/medium/high or state_j). */
  get stateName(): string | null {
    if (this.#label < 0) return null;
    return this.#names?.[this.#label] ?? defaultName(this.#k, this.#label);
  }
  /** Suggested stance of the reported state (null before the first bar). */
  get stance(): Stance | null {
    return this.#label < 0 ? null : this.#stances[this.#label];
  }
  /** Σ log c_t over the bars fed: the model's log-likelihood of the series so far. */
  get logLikelihood(): number {
    return this.#logL;
  }
  /** Transitions recorded so far (all of them, including those dropped from the ring). */
  get transitionCount(): number {
    return this.#trCount;
  }
  /** Transitions still held, oldest first (allocates: for reports, not per bar). */
  transitions(): RegimeTransition[] {
    const cap = this.#trT.length;
    const held = Math.min(this.#trCount, cap);
    const out: RegimeTransition[] = [];
    for (let i = this.#trCount - held; i < this.#trCount; i++) {
      const s = i % cap;
      out.push({ tMs: this.#trT[s], from: this.#trFrom[s], to: this.#trTo[s] });
    }
    return out;
  }
  /** Forgets every bar and transition. */
  reset(): void {
    this.#p.fill(Number.NaN);
    this.#bars = 0;
    this.#missing = 0;
    this.#arg = -1;
    this.#label = -1;
    this.#cand = -1;
    this.#run = 0;
    this.#logL = 0;
    this.#trCount = 0;
  }
}

function defaultName(k: number, j: number): string {
  if (k === 2) return j === 0 ? 'low' : 'high';
  if (k === 3) return ['low', 'medium', 'high'][j];
  return `state_${j}`;
}

/**
 * Minutes per year used to annualise per-minute variance: 252 trading days × 1380 minutes (CME
 * Globex FX trades 23 of 24 hours, 17:00–16:00 CT; MICROSTRUCTURE.md §10). Spot FX trades 24 h × 5
 * days; pass 252 × 1440 = 362,880 to match an implied volatility quoted on that clock (the two
 * differ by √(1440/1380) ≈ 2.1 % in volatility).
 */
export const MINUTES_PER_YEAR = 252 * 1380;

/** Annualised volatility σ = √(variance per minute × minutes per year), a decimal (0.08 = 8 %). */
export function annualizedVol(variancePerMinute: number, minutesPerYear = MINUTES_PER_YEAR): number {
  return Math.sqrt(variancePerMinute * minutesPerYear);
}

/**
 * Implied volatility over time (annualised decimals), from a CSV with a header naming the columns
 * `ts` (ISO-8601 with a zone, or epoch milliseconds) and `iv`; other columns are ignored. Rows
 * must be in non-decreasing time order. `at(tMs)` is the latest IV at or before tMs.
 */
export class ImpliedVolSeries {
  readonly tMs: Float64Array;
  readonly iv: Float64Array;

  constructor(tMs: Float64Array, iv: Float64Array) {
    requireLength('iv', iv.length, tMs.length, 'one per tMs value');
    this.tMs = tMs;
    this.iv = iv;
  }

  /** Latest IV at or before `tMs` (binary search, no allocation); NaN before the first row. */
  at(tMs: number): number {
    const ts = this.tMs;
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid] <= tMs) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? Number.NaN : this.iv[lo - 1];
  }

  /**
   * Realized minus implied volatility at `tMs`: `annualizedVol(variancePerMinute) − at(tMs)`.
   * Positive when the market moves more than options price; NaN when no IV is known yet.
   */
  gap(tMs: number, variancePerMinute: number, minutesPerYear = MINUTES_PER_YEAR): number {
    return annualizedVol(variancePerMinute, minutesPerYear) - this.at(tMs);
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const MS = /^-?\d+(\.\d+)?$/;

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Parses an implied-volatility CSV (see `ImpliedVolSeries`); errors name the file, line and column. */
export function parseImpliedVolCsv(text: string, file = '<iv.csv>'): ImpliedVolSeries {
  const lines = text.split(/\r?\n/);
  const fail = (line: number, column: string | undefined, msg: string): never => {
    const where = column ? `${file}:${line}: column "${column}"` : `${file}:${line}`;
    throw new RegimeError('REGIME_BAD_IV', `${where}: ${msg}`, { file, line, column });
  };
  let h = 0;
  while (h < lines.length && lines[h].trim() === '') h++;
  if (h === lines.length) fail(1, undefined, 'empty file, expected a header with "ts" and "iv"');
  const header = lines[h].split(',').map((c) => unquote(c).toLowerCase());
  const tsCol = header.indexOf('ts');
  const ivCol = header.indexOf('iv');
  if (tsCol < 0) fail(h + 1, 'ts', 'missing from the header');
  if (ivCol < 0) fail(h + 1, 'iv', 'missing from the header');
  const ts: number[] = [];
  const iv: number[] = [];
  for (let i = h + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const line = i + 1;
    const cells = lines[i].split(',');
    if (cells.length < header.length)
      fail(line, undefined, `expected ${header.length} columns, got ${cells.length}`);
    const rawT = unquote(cells[tsCol]);
    let t: number;
    if (MS.test(rawT)) {
      t = Number(rawT);
      // Epoch milliseconds of this century are below 1e13; µs and ns (such as `ts_ns`) are far above.
      if (Math.abs(t) >= 1e14)
        fail(line, 'ts', `"${rawT}" looks like micro- or nanoseconds; give epoch milliseconds or ISO-8601`);
    } else if (ISO.test(rawT)) t = Date.parse(rawT);
    else t = Number.NaN;
    if (!Number.isFinite(t))
      fail(
        line,
        'ts',
        `"${rawT}" is neither ISO-8601 with a zone (2026-11-24T14:00:00Z) nor epoch milliseconds`,
      );
    const rawV = unquote(cells[ivCol]);
    const v = rawV === '' ? Number.NaN : Number(rawV);
    if (!Number.isFinite(v) || v < 0)
      fail(line, 'iv', `"${rawV}" is not a non-negative annualised decimal (0.08 = 8 %)`);
    // FX implied volatility is a few percent to a few tens: above 2 (200 %) it is a percentage.
    if (v > 2) fail(line, 'iv', `"${rawV}" looks like a percentage; give an annualised decimal (8 % = 0.08)`);
    if (ts.length > 0 && t < ts[ts.length - 1])
      fail(line, 'ts', `"${rawT}" is earlier than the row before; rows must be in time order`);
    ts.push(t);
    iv.push(v);
  }
  return new ImpliedVolSeries(Float64Array.from(ts), Float64Array.from(iv));
}

/** Reads an implied-volatility CSV file (see `parseImpliedVolCsv`). */
export function readImpliedVolCsv(path: string): ImpliedVolSeries {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RegimeError(
      'REGIME_BAD_IV',
      `${path}: cannot read (${(e as Error).message})`,
      { file: path },
      {
        cause: e,
      },
    );
  }
  return parseImpliedVolCsv(text, path);
}
