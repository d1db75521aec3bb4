/**
 * The feature engine (issue 5, "Interface"): one calculator set per instrument (instrument_id),
 * fed with decoded records through a `RecordCursor`, read as an immutable `FeatureSnapshot` whose
 * keys are the column names of `scalper features` (CONVENTIONS.md, "Command-line output").
 *
 * Routing: MBP-10 / MBP-1 records → the instrument's L2 book, then spread, imbalance, microprice,
 * OFI, multi-level OFI, realized volatility (mid), Kyle's lambda (mid), MBP cancel-to-add and sweep
 * detection; trades (rtype MBP_0) → trade flow, VPIN, Kyle's lambda (flow) and 1-minute bars; MBO
 * records → the L3 book, the same book features and the exact MBO cancel-to-add ratio (which then
 * replaces the inferred one). Time is each record's ts_recv. Nothing is allocated per record once
 * an instrument has been seen; snapshots allocate.
 *
 * Prices in a snapshot (`mid`, `microprice`, `microprice_stoikov`) are decimal prices (raw 1e-9
 * units × 1e-9); `kyle_lambda` is in ticks per 100 contracts; `rv_*` is realized variance of log mid
 * returns (5 s grid) over the window; `volume_delta` is buyer- minus seller-initiated volume over the
 * last 60 s, `cvd` its cumulative sum; `trade_rate` is trades per second (EWMA); `sweep_alerts`
 * counts sweep alerts so far; `basis` is future mid − spot mid (decimal) for a future paired with
 * its spot by `pairSpot` (MBP-1 of IG.FX, say), NaN otherwise. NaN = not ready.
 */

import { L2Book, L3Book } from '../book/index.js';
import { formatTimestamp, u64FromHalves } from '../core/index.js';
import { type DbnRecord, type RecordCursor, RType } from '../data/dbn/index.js';
import { type Bar, TimeBarBuilder } from './bars/index.js';
import {
  BestLevelOfi,
  MboCancelAddRatio,
  MbpCancelAddRatio,
  MultiLevelOfi,
  QueueImbalance,
  QuotedSpread,
  SweepDetector,
  type SweepInfo,
  WeightedMid,
} from './book/index.js';
import { FuturesSpot, KyleLambda, RealizedVolatility, TradeFlow, Vpin } from './flow/index.js';
import { StoikovMicroprice, type StoikovModel } from './micro/index.js';

/** 6E's tick, 0.00005, in raw 1e-9 units: the default when no definition record gives one. */
export const DEFAULT_TICK_SIZE = 50_000;

/**
 * Default VPIN bucket volume: 6E futures' daily volume of order 200,000 contracts (MICROSTRUCTURE.md
 * §VPIN and §6E volume: "150–250k") divided by 50 buckets a day.
 */
export const DEFAULT_VPIN_BUCKET_VOLUME = 200_000 / 50;

/** The numeric feature columns of a snapshot, in CSV order (after `ts`, `ts_ns`, `symbol`). */
export const FEATURE_COLUMNS = [
  'spread_ticks',
  'spread_bps',
  'mid',
  'microprice',
  'microprice_stoikov',
  'qi_l1',
  'qi_l5',
  'qi_l10',
  'ofi_1s',
  'ofi_10s',
  'ofi_60s',
  'mlofi_10s',
  'vpin',
  'vpin_cdf',
  'kyle_lambda',
  'rv_1m',
  'rv_5m',
  'volume_delta',
  'cvd',
  'trade_rate',
  'cancel_add_ratio',
  'sweep_alerts',
  'basis',
] as const;

/** A feature column name. */
export type FeatureColumn = (typeof FEATURE_COLUMNS)[number];

/** Every feature of one instrument at one time (frozen). Numbers are NaN when not ready. */
export type FeatureSnapshot = Readonly<
  {
    /** Time of the snapshot, ns since the epoch (UTC). */
    ts_ns: bigint;
    /** The same as ISO-8601 with 9 fractional digits and `Z`. */
    ts: string;
    symbol: string;
    instrument_id: number;
  } & Record<FeatureColumn, number>
>;

/** Options of `FeatureEngine`. */
export interface FeatureEngineOptions {
  /** Tick size (raw 1e-9 units) of instruments without a definition record. Default 6E's 50,000. */
  defaultTickSize?: number;
  /** VPIN bucket volume in contracts. Default `DEFAULT_VPIN_BUCKET_VOLUME` (ADV/50 for 6E). */
  vpinBucketVolume?: number;
  /** VPIN window in buckets. Default 50. */
  vpinWindowBuckets?: number;
  /** A fitted Stoikov model (`StoikovFitter.fit()`) for `microprice_stoikov`, by instrument id or for all. */
  stoikovModel?: StoikovModel | ReadonlyMap<number, StoikovModel>;
  /** Period of the trade bars behind `onBar`, ms. Default 60,000. */
  barPeriodMs?: number;
  /** Called with a snapshot when a trade bar closes. */
  onBar?: (snapshot: FeatureSnapshot, bar: Bar) => void;
  /** Called with a snapshot when a sweep alert fires. */
  onSweep?: (snapshot: FeatureSnapshot, sweep: SweepInfo) => void;
  /** Called with a snapshot when VPIN rises to `threshold` or above (once per crossing). */
  onVpin?: { threshold: number; callback: (snapshot: FeatureSnapshot) => void };
}

/** The calculators of one instrument. */
class InstrumentFeatures {
  readonly l2 = new L2Book();
  l3: L3Book | null = null;
  readonly spread: QuotedSpread;
  readonly qi = new QueueImbalance();
  readonly wmid = new WeightedMid();
  readonly ofi = new BestLevelOfi({ windowsMs: [1_000, 10_000, 60_000] });
  readonly mlofi = new MultiLevelOfi({ windowMs: 10_000 });
  readonly rv = new RealizedVolatility({ windowsMs: [60_000, 300_000] });
  readonly flow = new TradeFlow({ windowsMs: [1_000, 10_000, 60_000] });
  readonly vpin: Vpin;
  readonly kyle: KyleLambda;
  readonly mbpCancel = new MbpCancelAddRatio();
  readonly mboCancel = new MboCancelAddRatio();
  readonly sweep: SweepDetector;
  readonly bars: TimeBarBuilder;
  readonly stoikov: StoikovMicroprice | null;
  /** ts_recv of the last record (halves) and of the latest `advance`, ns as ms. */
  tsLo = 0;
  tsHi = 0;
  tsMs = Number.NaN;
  vpinAbove = false;
  symbol: string;
  /** Basis against the paired spot (a future paired by `pairSpot`). */
  fs: FuturesSpot | null = null;
  /** The future this instrument is the spot pair of. */
  spotFor: InstrumentFeatures | null = null;

  constructor(
    readonly instrumentId: number,
    readonly tickSize: number,
    opts: FeatureEngineOptions,
  ) {
    this.symbol = String(instrumentId);
    this.spread = new QuotedSpread(tickSize);
    this.vpin = new Vpin({
      bucketVolume: opts.vpinBucketVolume ?? DEFAULT_VPIN_BUCKET_VOLUME,
      windowBuckets: opts.vpinWindowBuckets ?? 50,
    });
    this.kyle = new KyleLambda({ tick: tickSize, contracts: 100 });
    const onSweep = opts.onSweep;
    this.sweep = new SweepDetector({
      onAlert: onSweep ? (info) => onSweep(takeSnapshot(this), info) : undefined,
    });
    const onBar = opts.onBar;
    this.bars = new TimeBarBuilder({
      periodMs: opts.barPeriodMs ?? 60_000,
      onBar: onBar ? (bar) => onBar(takeSnapshot(this), bar) : undefined,
    });
    const model = opts.stoikovModel;
    const m = model instanceof Map ? model.get(instrumentId) : (model as StoikovModel | undefined);
    this.stoikov = m ? new StoikovMicroprice(m) : null;
  }

  advance(tsMs: number): void {
    this.ofi.advance(tsMs);
    this.mlofi.advance(tsMs);
    this.rv.advance(tsMs);
    this.flow.advance(tsMs);
    this.vpin.advance(tsMs);
    this.kyle.advance(tsMs);
    this.mbpCancel.advance(tsMs);
    this.mboCancel.advance(tsMs);
    if (this.fs !== null) this.fs.advance(tsMs);
  }
}

function nanIfNot(ready: boolean, v: number): number {
  return ready ? v : Number.NaN;
}

/** Per-instrument microstructure features over a stream of DBN records. */
export class FeatureEngine {
  readonly #opts: FeatureEngineOptions;
  readonly #defaultTick: number;
  readonly #byId = new Map<number, InstrumentFeatures>();
  readonly #ticks = new Map<number, number>();
  readonly #symbols = new Map<number, string>();
  readonly #pairs = new Map<number, { spotId: number; invertSpot: boolean }>();
  #last: InstrumentFeatures | null = null;

  constructor(opts: FeatureEngineOptions = {}) {
    this.#opts = opts;
    this.#defaultTick = opts.defaultTickSize ?? DEFAULT_TICK_SIZE;
    if (!(this.#defaultTick > 0))
      throw new RangeError(`defaultTickSize must be > 0, got ${this.#defaultTick}`);
    if (opts.onVpin && !Number.isFinite(opts.onVpin.threshold))
      throw new RangeError(`onVpin.threshold must be a number, got ${opts.onVpin.threshold}`);
  }

  /** Instrument ids seen so far, in order of first sight. */
  get instruments(): number[] {
    return [...this.#byId.keys()];
  }

  /** Names an instrument in snapshots (default: its id as a string). */
  setSymbol(instrumentId: number, symbol: string): void {
    this.#symbols.set(instrumentId, symbol);
    const f = this.#byId.get(instrumentId);
    if (f) f.symbol = symbol;
  }

  /**
   * Sets an instrument's tick size (raw 1e-9 units). When its calculators exist with another tick
   * they are rebuilt (their state starts over).
   */
  setTickSize(instrumentId: number, tickSize: number): void {
    if (!(tickSize > 0)) throw new RangeError(`tick size must be > 0, got ${tickSize}`);
    this.#ticks.set(instrumentId, tickSize);
    const f = this.#byId.get(instrumentId);
    if (f && f.tickSize !== tickSize) {
      this.#byId.delete(instrumentId);
      if (this.#last === f) this.#last = null;
    }
  }

  /**
   * Pairs a future with its spot FX pair (e.g. 6E with EUR/USD of IG.FX; `invertSpot` for 6J against
   * USD/JPY): the future's `basis` is then its mid minus the spot mid (1/spot when inverted), in
   * decimal prices, from `FuturesSpot`.
   */
  pairSpot(futureId: number, spotId: number, invertSpot = false): void {
    if (futureId === spotId) throw new RangeError(`instrument ${futureId} cannot be its own spot pair`);
    this.#pairs.set(futureId, { spotId, invertSpot });
    this.#link();
  }

  /** Connects paired instruments whose calculators exist. */
  #link(): void {
    for (const [futureId, { spotId, invertSpot }] of this.#pairs) {
      const fut = this.#byId.get(futureId);
      const spot = this.#byId.get(spotId);
      if (fut === undefined || spot === undefined) continue;
      if (fut.fs === null) fut.fs = new FuturesSpot({ invertSpot });
      spot.spotFor = fut;
    }
  }

  /**
   * Learns tick size and symbol from an instrument definition record (`batch.toObject(i)` of an
   * INSTRUMENT_DEF record); other records are ignored.
   */
  applyDefinition(rec: DbnRecord): void {
    if (rec.hd.rtype !== RType.INSTRUMENT_DEF) return;
    const id = rec.hd.instrument_id;
    const inc = rec.min_price_increment;
    if (typeof inc === 'bigint' || typeof inc === 'number') {
      const tick = Number(inc);
      if (tick > 0 && tick < 1e18) this.setTickSize(id, tick);
    }
    const sym = rec.raw_symbol;
    if (typeof sym === 'string' && sym !== '' && !this.#symbols.has(id)) this.setSymbol(id, sym);
  }

  #features(id: number): InstrumentFeatures {
    const last = this.#last;
    if (last !== null && last.instrumentId === id) return last;
    let f = this.#byId.get(id);
    if (f === undefined) {
      f = new InstrumentFeatures(id, this.#ticks.get(id) ?? this.#defaultTick, this.#opts);
      const sym = this.#symbols.get(id);
      if (sym !== undefined) f.symbol = sym;
      this.#byId.set(id, f);
      if (this.#pairs.size > 0) this.#link();
    }
    this.#last = f;
    return f;
  }

  /** Applies one record (the cursor's current one). Returns false for records the engine ignores. */
  apply(c: RecordCursor): boolean {
    const rt = c.rtype;
    if (rt !== RType.MBP_10 && rt !== RType.MBP_1 && rt !== RType.MBP_0 && rt !== RType.MBO) return false;
    const f = this.#features(c.instrumentId);
    const tsMs = c.tsRecvMs;
    if (!(tsMs < f.tsMs)) {
      // The clock never goes back (a late record changes features, not the snapshot's time).
      f.tsMs = tsMs;
      f.tsLo = c.tsRecvLo;
      f.tsHi = c.tsRecvHi;
    }
    if (rt === RType.MBP_0) this.#trade(f, c, tsMs);
    else if (rt === RType.MBO) {
      if (f.l3 === null) f.l3 = new L3Book();
      const l3 = f.l3;
      l3.applyMbo(c);
      f.mboCancel.update(c);
      if (l3.consistent) this.#book(f, l3, tsMs);
    } else {
      const l2 = f.l2;
      l2.applyMbp(c);
      f.mbpCancel.update(l2, tsMs);
      f.sweep.update(c, l2);
      if (l2.consistent) this.#book(f, l2, tsMs);
    }
    return true;
  }

  #book(f: InstrumentFeatures, book: L2Book | L3Book, tsMs: number): void {
    f.spread.update(book);
    f.qi.update(book);
    f.wmid.update(book);
    f.ofi.update(book, tsMs);
    f.mlofi.update(book, tsMs);
    f.rv.updateBook(tsMs, book);
    f.kyle.updateBook(tsMs, book);
    if (f.fs !== null) f.fs.updateFutureBook(tsMs, book, 1e-9);
    const fut = f.spotFor;
    if (fut !== null && fut.fs !== null) fut.fs.updateSpotBook(tsMs, book, 1e-9);
  }

  #trade(f: InstrumentFeatures, c: RecordCursor, tsMs: number): void {
    f.flow.updateTrade(c);
    f.vpin.updateTrade(c);
    f.kyle.updateTrade(c);
    f.bars.tradeRecord(c);
    f.advance(tsMs);
    const trigger = this.#opts.onVpin;
    if (trigger !== undefined) {
      const v = f.vpin.value;
      const above = v >= trigger.threshold;
      if (above && !f.vpinAbove) {
        f.vpinAbove = true;
        trigger.callback(takeSnapshot(f));
      } else if (!above && f.vpinAbove && !Number.isNaN(v)) f.vpinAbove = false;
    }
  }

  /**
   * Moves every instrument's clock to `tsNs` (no earlier than its last record): rolling windows
   * drop what fell out of them. Snapshots taken afterwards carry `tsNs` as their time.
   */
  advance(tsNs: bigint): void {
    const ms = Number(tsNs) / 1e6;
    const lo = Number(tsNs & 0xffffffffn);
    const hi = Number(tsNs >> 32n);
    for (const f of this.#byId.values()) {
      if (ms >= f.tsMs || Number.isNaN(f.tsMs)) {
        f.advance(ms);
        f.tsMs = ms;
        f.tsLo = lo;
        f.tsHi = hi;
      }
    }
  }

  /** The features of `instrumentId` now (frozen); null for an instrument not seen yet. */
  snapshot(instrumentId: number): FeatureSnapshot | null {
    const f = this.#byId.get(instrumentId);
    return f === undefined ? null : takeSnapshot(f);
  }
}

/** Reads an instrument's calculators into a frozen snapshot. */
function takeSnapshot(f: InstrumentFeatures): FeatureSnapshot {
  const tsNs = u64FromHalves(f.tsLo, f.tsHi);
  const book: L2Book | L3Book = f.l3 ?? f.l2;
  const mid = f.spread.mid;
  const cancel = f.l3 !== null ? f.mboCancel.ratio : f.mbpCancel.ratio;
  const stoikov =
    f.stoikov !== null && !Number.isNaN(mid)
      ? f.stoikov.value(book.bestBidPx, book.bestAskPx, book.bestBidSz, book.bestAskSz)
      : Number.NaN;
  return Object.freeze({
    ts: formatTimestamp(tsNs) ?? '',
    ts_ns: tsNs,
    symbol: f.symbol,
    instrument_id: f.instrumentId,
    spread_ticks: f.spread.ticks,
    spread_bps: f.spread.bps,
    mid: mid / 1e9,
    microprice: f.wmid.value / 1e9,
    microprice_stoikov: stoikov / 1e9,
    qi_l1: f.qi.l1,
    qi_l5: f.qi.l5,
    qi_l10: f.qi.l10,
    ofi_1s: nanIfNot(f.ofi.isReady, f.ofi.normalized(0)),
    ofi_10s: nanIfNot(f.ofi.isReady, f.ofi.normalized(1)),
    ofi_60s: nanIfNot(f.ofi.isReady, f.ofi.normalized(2)),
    mlofi_10s: nanIfNot(f.mlofi.isReady, f.mlofi.score),
    vpin: f.vpin.value,
    vpin_cdf: f.vpin.cdf,
    kyle_lambda: f.kyle.value,
    rv_1m: f.rv.rv(0),
    rv_5m: f.rv.rv(1),
    volume_delta: nanIfNot(f.flow.isReady(2), f.flow.volumeDelta(2)),
    cvd: f.flow.cvd,
    trade_rate: f.flow.tradeRate,
    cancel_add_ratio: cancel,
    sweep_alerts: f.sweep.alertCount,
    basis: f.fs !== null ? f.fs.basis : Number.NaN,
  });
}
