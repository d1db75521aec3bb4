/**
 * VPIN, the volume-synchronised probability of informed trading: Easley, López de Prado & O'Hara
 * (2012), "Flow Toxicity and Liquidity in a High-Frequency World", Review of Financial Studies 25(5);
 * MICROSTRUCTURE.md §11.
 *
 * Volume buckets. Traded volume is poured into buckets of exactly `bucketVolume` contracts (default
 * in the paper and here: average daily volume / 50, see `vpinBucketVolume`). A trade that does not fit
 * in the current bucket is split pro rata: the part that fills the bucket closes it and the rest
 * starts the next (a very large trade may fill several). With n = `windowBuckets` (default 50):
 *
 *     VPIN = Σ_{j=1..n} |V^S_j − V^B_j| / (n · V)
 *
 * over the last n closed buckets, NaN until n buckets have closed. A ring of n bucket imbalances and
 * its running sum make each bucket O(1); the sum is recomputed at each wrap against rounding.
 *
 * Classification. With `classification: 'auto'` (default) a trade whose aggressor side is 'B' or 'A'
 * is buy or sell volume as flagged (CME data carries the aggressor). Side-'N' trades, and all trades
 * with `classification: 'bvc'`, go through bulk volume classification on time bars of `bvcBarMs`:
 * the bar's volume V_τ is split as V^B = V_τ·Φ(ΔP_τ/σ_ΔP), V^S = V_τ − V^B when the bar closes, with
 * ΔP_τ the change of the last trade price from the previous bar that had trades, Φ the standard
 * normal CDF and σ_ΔP the standard deviation of bar price changes, estimated as an exponentially
 * weighted mean of ΔP² (zero-mean; half-life `sigmaHalfLifeBars`, default 1380 one-minute bars ≈ one
 * trading day) including the current bar. The first bar has no ΔP and is split half and half. A bar
 * closes when a trade (or `advance`) arrives in a later bar; flagged volume enters buckets at once,
 * BVC volume at its bar's close. VPIN runs on volume time, so a gap in the data only delays the bucket
 * being filled; the BVC bar before a gap is compared with the last bar before it.
 *
 * Toxicity score (`cdf`): the empirical CDF of the current VPIN against its own recent history:
 * the share of the last `cdfMemory` VPIN values (one per closed bucket, this one included) that are
 * ≤ the current value. Fixed memory, default 1000 values = 20 days of 50 buckets (the 20-day
 * empirical percentile of §11; the paper fits a lognormal instead); NaN until `cdfMinHistory` values
 * exist. Computed by one O(memory) scan per closed bucket (≈50 a day), never per trade. §11 flags
 * toxicity at cdf ≥ 0.9.
 *
 * Bucket volume may change (`setBucketVolume`: the daily VPIN re-sized each trading date from the
 * average daily volume); the bucket being filled keeps its volume and the new one applies from the
 * next bucket on. While the window holds buckets of different volumes, VPIN divides by the sum of
 * their volumes rather than n · V, so each bucket still weighs by its imbalance in contracts.
 *
 * Trades with an UNDEF/NaN price or a non-positive size are dropped.
 */
import type { ValueCalculator } from '../../core/index.js';
import type { RecordCursor } from '../../data/dbn/index.js';
import {
  Aggressor,
  isUsableTrade,
  normalCdf,
  requireIntInRange,
  requireOneOf,
  requirePositive,
  requirePositiveInt,
} from './common.js';

/** Trade classification of `Vpin`. */
export type VpinClassification = 'auto' | 'bvc';

/** Options of `Vpin`. */
export interface VpinOptions {
  /** Volume per bucket V (contracts), e.g. `vpinBucketVolume(adv)`. */
  readonly bucketVolume: number;
  /** Buckets in the VPIN window n. Default 50. */
  readonly windowBuckets?: number;
  /** 'auto': aggressor flags when present, BVC for side 'N'; 'bvc': BVC for every trade. Default 'auto'. */
  readonly classification?: VpinClassification;
  /** BVC time bar in ms. Default 60000. */
  readonly bvcBarMs?: number;
  /** Half-life, in bars, of the EW estimate of σ_ΔP. Default 1380. */
  readonly sigmaHalfLifeBars?: number;
  /** VPIN values kept for the empirical CDF. Default 1000. */
  readonly cdfMemory?: number;
  /** VPIN values needed before the CDF is reported. Default 50. */
  readonly cdfMinHistory?: number;
}

/** Bucket size for `bucketsPerDay` buckets a day (the paper: average daily volume / 50). */
export function vpinBucketVolume(averageDailyVolume: number, bucketsPerDay = 50): number {
  return (
    requirePositive('averageDailyVolume', averageDailyVolume) /
    requirePositiveInt('bucketsPerDay', bucketsPerDay)
  );
}

/** Streaming VPIN with its empirical-CDF toxicity score. */
export class Vpin implements ValueCalculator<[tsMs: number, price: number, size: number, side: number]> {
  #V: number;
  /** Volume of the buckets after the current one. */
  #nextV: number;
  /** Volume of each closed bucket in the ring, and their sum. */
  readonly #vol: Float64Array;
  #volSum = 0;
  /** Buckets closed when the window again holds buckets of one volume only (after a change). */
  #mixedUntil = 0;
  readonly #n: number;
  readonly #bvcAll: boolean;
  readonly #barMs: number;
  readonly #alpha: number;
  // Current bucket.
  #fillBuy = 0;
  #fillSell = 0;
  // Ring of closed-bucket imbalances |V^S − V^B|.
  readonly #imb: Float64Array;
  #imbPos = 0;
  #imbSum = 0;
  #buckets = 0;
  #vpin = Number.NaN;
  // Empirical CDF memory.
  readonly #hist: Float64Array;
  readonly #cdfMin: number;
  #histPos = 0;
  #histCount = 0;
  #cdf = Number.NaN;
  // BVC bar.
  #barStarted = false;
  #bar = 0;
  #barClose = Number.NaN;
  #barVolume = 0;
  #prevClose = Number.NaN;
  #varDp = Number.NaN;
  #lastBuyFraction = Number.NaN;
  #dropped = 0;

  constructor(options: VpinOptions) {
    this.#V = requirePositive('bucketVolume', options.bucketVolume);
    this.#nextV = this.#V;
    this.#n = requirePositiveInt('windowBuckets', options.windowBuckets ?? 50);
    this.#bvcAll =
      requireOneOf('classification', options.classification ?? 'auto', ['auto', 'bvc']) === 'bvc';
    this.#barMs = requirePositive('bvcBarMs', options.bvcBarMs ?? 60000);
    const hl = requirePositive('sigmaHalfLifeBars', options.sigmaHalfLifeBars ?? 1380);
    this.#alpha = 1 - 2 ** (-1 / hl);
    this.#imb = new Float64Array(this.#n);
    this.#vol = new Float64Array(this.#n);
    this.#hist = new Float64Array(requirePositiveInt('cdfMemory', options.cdfMemory ?? 1000));
    this.#cdfMin = requireIntInRange('cdfMinHistory', options.cdfMinHistory ?? 50, 1, this.#hist.length);
  }

  /**
   * Sets the volume of the buckets to come: at once when no volume is in the current bucket, else
   * from the next bucket on (the current one closes at the volume it started with).
   */
  setBucketVolume(bucketVolume: number): void {
    const v = requirePositive('bucketVolume', bucketVolume);
    this.#nextV = v;
    if (this.#fillBuy + this.#fillSell > 0 || v === this.#V) return;
    this.#V = v;
    this.#mixedUntil = this.#buckets + this.#n;
  }

  /** Volume of the buckets to come (the current bucket's, unless `setBucketVolume` changed it). */
  get bucketVolume(): number {
    return this.#nextV;
  }

  /** One trade: time (ms), price (any unit; NaN = UNDEF), size, aggressor side code. */
  update(tsMs: number, price: number, size: number, side: number): void {
    this.advance(tsMs);
    if (!isUsableTrade(price, size)) {
      this.#dropped++;
      return;
    }
    if (!this.#barStarted) {
      this.#barStarted = true;
      this.#bar = Number.isFinite(tsMs) ? Math.floor(tsMs / this.#barMs) : 0;
    }
    this.#barClose = price;
    if (!this.#bvcAll && side === Aggressor.BUY) this.#addVolume(size, 0);
    else if (!this.#bvcAll && side === Aggressor.SELL) this.#addVolume(0, size);
    else this.#barVolume += size;
  }

  /** Adapter for a decoded trade record (ts_recv, price, size, side). */
  updateTrade(cursor: RecordCursor): void {
    this.update(cursor.tsRecvMs, cursor.price, cursor.size, cursor.side);
  }

  /** Moves time to `tsMs`: closes the BVC bar if `tsMs` is in a later bar. */
  advance(tsMs: number): void {
    if (!this.#barStarted || !Number.isFinite(tsMs)) return;
    const bar = Math.floor(tsMs / this.#barMs);
    if (bar <= this.#bar) return;
    this.#closeBar();
    this.#bar = bar;
  }

  #closeBar(): void {
    const close = this.#barClose;
    if (Number.isNaN(close)) return;
    let buyFraction = 0.5;
    if (!Number.isNaN(this.#prevClose)) {
      const dp = close - this.#prevClose;
      const dp2 = dp * dp;
      this.#varDp = Number.isNaN(this.#varDp) ? dp2 : (1 - this.#alpha) * this.#varDp + this.#alpha * dp2;
      buyFraction = this.#varDp > 0 ? normalCdf(dp / Math.sqrt(this.#varDp)) : 0.5;
    }
    this.#lastBuyFraction = buyFraction;
    const v = this.#barVolume;
    if (v > 0) this.#addVolume(v * buyFraction, v * (1 - buyFraction));
    this.#prevClose = close;
    this.#barClose = Number.NaN;
    this.#barVolume = 0;
  }

  #addVolume(buy: number, sell: number): void {
    let b = buy;
    let s = sell;
    const V = this.#V;
    for (;;) {
      const v = b + s;
      if (!(v > 0)) return;
      const room = V - this.#fillBuy - this.#fillSell;
      // Tolerance so that rounding in earlier pro-rata splits cannot leave a dust bucket.
      if (v < room - V * 1e-12) {
        this.#fillBuy += b;
        this.#fillSell += s;
        return;
      }
      const f = room / v;
      this.#fillBuy += b * f;
      this.#fillSell += s * f;
      this.#closeBucket();
      b -= b * f;
      s -= s * f;
    }
  }

  #closeBucket(): void {
    const imb = Math.abs(this.#fillSell - this.#fillBuy);
    const V = this.#V;
    this.#fillBuy = 0;
    this.#fillSell = 0;
    const n = this.#n;
    if (this.#buckets >= n) {
      this.#imbSum -= this.#imb[this.#imbPos];
      this.#volSum -= this.#vol[this.#imbPos];
    }
    this.#imb[this.#imbPos] = imb;
    this.#imbSum += imb;
    this.#vol[this.#imbPos] = V;
    this.#volSum += V;
    this.#buckets++;
    this.#imbPos++;
    if (this.#imbPos === n) {
      this.#imbPos = 0;
      let sum = 0;
      let vol = 0;
      for (let i = 0; i < n; i++) {
        sum += this.#imb[i];
        vol += this.#vol[i];
      }
      this.#imbSum = sum;
      this.#volSum = vol;
    }
    if (this.#nextV !== V) {
      this.#V = this.#nextV;
      this.#mixedUntil = this.#buckets + n;
    }
    if (this.#buckets < n) return;
    // n · V while every bucket of the window has the same volume (the paper's formula, bit for bit).
    const vpin = this.#buckets < this.#mixedUntil ? this.#imbSum / this.#volSum : this.#imbSum / (n * V);
    this.#vpin = vpin;
    const hist = this.#hist;
    hist[this.#histPos] = vpin;
    this.#histPos = (this.#histPos + 1) % hist.length;
    if (this.#histCount < hist.length) this.#histCount++;
    if (this.#histCount < this.#cdfMin) return;
    let le = 0;
    for (let i = 0; i < this.#histCount; i++) if (hist[i] <= vpin) le++;
    this.#cdf = le / this.#histCount;
  }

  /** VPIN over the last n closed buckets; NaN until n buckets have closed. */
  get value(): number {
    return this.#vpin;
  }

  /** n buckets have closed. */
  get isReady(): boolean {
    return this.#buckets >= this.#n;
  }

  /** Empirical CDF of the current VPIN in its recent history (toxicity score); NaN until ready. */
  get cdf(): number {
    return this.#cdf;
  }

  /** Buckets closed so far (a change signals a new VPIN value). */
  get bucketCount(): number {
    return this.#buckets;
  }

  /** Volume (buy, sell) in the bucket being filled. */
  get currentBuyVolume(): number {
    return this.#fillBuy;
  }
  get currentSellVolume(): number {
    return this.#fillSell;
  }

  /** Volume traded on side 'N' (or all, under 'bvc') waiting for its BVC bar to close. */
  get pendingBvcVolume(): number {
    return this.#barVolume;
  }

  /** Φ(ΔP/σ) of the last closed BVC bar; NaN before the first. */
  get lastBuyFraction(): number {
    return this.#lastBuyFraction;
  }

  /** σ_ΔP, the EW standard deviation of BVC bar price changes; NaN before the second bar. */
  get sigmaDeltaP(): number {
    return Math.sqrt(this.#varDp);
  }

  /** Trades dropped for an UNDEF/NaN price or a non-positive size. */
  get droppedTrades(): number {
    return this.#dropped;
  }

  /** Forgets every bucket, bar and VPIN value seen. */
  reset(): void {
    this.#fillBuy = 0;
    this.#fillSell = 0;
    this.#imb.fill(0);
    this.#vol.fill(0);
    this.#volSum = 0;
    this.#mixedUntil = 0;
    this.#V = this.#nextV;
    this.#imbPos = 0;
    this.#imbSum = 0;
    this.#buckets = 0;
    this.#vpin = Number.NaN;
    this.#hist.fill(0);
    this.#histPos = 0;
    this.#histCount = 0;
    this.#cdf = Number.NaN;
    this.#barStarted = false;
    this.#bar = 0;
    this.#barClose = Number.NaN;
    this.#barVolume = 0;
    this.#prevClose = Number.NaN;
    this.#varDp = Number.NaN;
    this.#lastBuyFraction = Number.NaN;
    this.#dropped = 0;
  }
}
