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
 *
 * Futures–spot (a paired future): `basis_dev` is the basis minus its 30-min EW mean, `fs_corr` the
 * correlation of simultaneous 100-ms grid log returns over the last 30 min (near 0 when spot follows
 * the future a few hundred ms late: the moves fall in different cells), `fs_lead_ms` the lag in ms
 * (−5 s…+5 s) at which the cross-correlation peaks (> 0: the future leads) and `fs_lead_corr` the
 * correlation at that lag.
 *
 * Depth (read from the book when the snapshot is taken): `depth_{bid,ask}_{5,10}` cumulative size of
 * the best 5 / 10 levels, `book_skew_5` = (D_b − D_a)/(D_b + D_a) over 5 levels; `{bid,ask}_wall_px`
 * and `_sz` the nearest liquidity wall of each side (a level holding ≥ 4× the side's median size
 * within 5 ticks of the mid, `DepthProfile`), `{bid,ask}_gap_px` the first empty price of the nearest
 * gap of each side (NaN when none).
 *
 * Indicators on the 1-minute trade bars (`barPeriodMs`), decimal prices, updated when a bar closes:
 * `ema_3/6/12` of closes, `rsi_7` (Wilder), `adx_7`, `plus_di_7`, `minus_di_7` (percent), `atr_7`;
 * `vwap` and `vwap_sd` are the Globex-session VWAP of trade prices (tick VWAP, reset at 17:00 CT) and
 * its volume-weighted standard deviation, so the bands are `vwap ± k·vwap_sd`; `vol_parkinson_30m`
 * and `vol_gk_30m` are per-minute volatilities (log units) from the Parkinson and Garman–Klass range
 * estimators averaged over the last 30 bars. `open_centres` is the bit mask of open FX centres
 * (`CentreBit`: Sydney 1, Tokyo 2, London 4, New York 8) and `session` the session's name.
 *
 * Two VPINs: `vpin` (and its `vpin_cdf`) on an intraday volume clock, buckets well below the
 * paper's ADV/50 over a window of minutes, so that it rises inside a toxic episode (what the
 * toxicity analyst and the VPIN trigger read); and `vpin_daily`, the paper's ADV/50 buckets over 50,
 * a one-day average kept as context.
 *
 * Daily history and contract rolls: the engine keeps each CME FX future's daily high, low, close and
 * volume by raw symbol and trading date (`ContractDays`, from its trades, closed once a day). When a
 * contract begins a trading date its prior-day levels (`priorDay`) are set: for the product's front
 * month, `frontPriorDay` (its own previous trading date, none when it did not trade then: on a roll
 * day the new front's own bar, never the expiring contract's, whose prices differ by the forward
 * points); for another contract its own previous trading date. With `dailyVpinAdvDays` the daily
 * VPIN's buckets are re-sized each trading date to ADV/50 of the product's continuing front series
 * (`frontAverageDailyVolume`: each past day the contract that was the front then), so the new front
 * is not sized by its own thin volume from before the roll.
 */

import { BookSide, L2Book, L3Book } from '../book/index.js';
import {
  type FxSessionName,
  formatTimestamp,
  frontMonth,
  fxFutureRoot,
  fxSession,
  InvalidOptionError,
  openCentres,
  requireFinite,
  requirePositive,
  requirePositiveInt,
  SPOT_PAIRS,
  tradingDatesBefore,
  u64FromHalves,
} from '../core/index.js';
import { Action, type DbnRecord, Flags, type RecordCursor, RType, Side } from '../data/dbn/index.js';
import {
  Adx,
  Atr,
  type Bar,
  type ContractDay,
  ContractDays,
  type ContractDayTally,
  type ContractHistory,
  Ema,
  frontAverageDailyVolume,
  frontPriorDay,
  GarmanKlassVolatility,
  ParkinsonVolatility,
  Rsi,
  SessionVwap,
  TimeBarBuilder,
} from './bars/index.js';
import {
  DepthProfile,
  GapKind,
  MboCancelAddRatio,
  MbpCancelAddRatio,
  MultiLevelOfi,
  QueueImbalance,
  QuotedSpread,
  SweepDetector,
  type SweepInfo,
  WeightedMid,
} from './book/index.js';
import {
  DAILY_VPIN_BUCKET_VOLUME,
  DAILY_VPIN_WINDOW_BUCKETS,
  DEFAULT_TICK_SIZE,
  DEFAULT_VPIN_BUCKET_VOLUME,
  DEFAULT_VPIN_WINDOW_BUCKETS,
} from './defaults.js';
import { definitionTick } from './definition.js';
import {
  FuturesSpot,
  KyleLambda,
  RealizedVolatility,
  TradeFlow,
  Vpin,
  vpinBucketVolume,
} from './flow/index.js';
import { StoikovMicroprice, type StoikovModel } from './micro/index.js';

export {
  DAILY_VPIN_BUCKET_VOLUME,
  DAILY_VPIN_WINDOW_BUCKETS,
  DEFAULT_TICK_SIZE,
  DEFAULT_VPIN_BUCKET_VOLUME,
  DEFAULT_VPIN_WINDOW_BUCKETS,
};

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
  'basis_dev',
  'fs_corr',
  'fs_lead_ms',
  'fs_lead_corr',
  'depth_bid_5',
  'depth_ask_5',
  'depth_bid_10',
  'depth_ask_10',
  'book_skew_5',
  'bid_wall_px',
  'bid_wall_sz',
  'ask_wall_px',
  'ask_wall_sz',
  'bid_gap_px',
  'ask_gap_px',
  'ema_3',
  'ema_6',
  'ema_12',
  'rsi_7',
  'adx_7',
  'plus_di_7',
  'minus_di_7',
  'atr_7',
  'vwap',
  'vwap_sd',
  'vol_parkinson_30m',
  'vol_gk_30m',
  'open_centres',
  'vpin_daily',
] as const;

/** The spot pairs of the CME FX futures, by name. */
const SPOT_SYMBOLS: ReadonlySet<string> = new Set(Object.values(SPOT_PAIRS).map((p) => p.pair));

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
    /** The FX session at the snapshot's time (`fxSession`): sydney, tokyo, london, new_york, overlap. */
    session: FxSessionName;
  } & Record<FeatureColumn, number>
>;

/** Options of `FeatureEngine`. */
export interface FeatureEngineOptions {
  /** Tick size (raw 1e-9 units) of instruments without a definition record. Default 6E's 50,000. */
  defaultTickSize?: number;
  /** Intraday VPIN (`vpin`) bucket volume in contracts. Default `DEFAULT_VPIN_BUCKET_VOLUME` (100). */
  vpinBucketVolume?: number;
  /** Intraday VPIN window in buckets. Default `DEFAULT_VPIN_WINDOW_BUCKETS` (20). */
  vpinWindowBuckets?: number;
  /** The daily VPIN's (`vpin_daily`) bucket volume. Default ADV/50 of 6E (4,000); its window is 50 buckets. */
  dailyVpinBucketVolume?: number;
  /**
   * Re-size the daily VPIN's buckets at each trading date of a CME FX future to ADV/50, the average
   * daily volume of the product's front series over this many trading dates before it
   * (`frontAverageDailyVolume`); until the input holds one of those days, `dailyVpinBucketVolume`.
   * None (default): `dailyVpinBucketVolume` throughout.
   */
  dailyVpinAdvDays?: number;
  /**
   * A fitted Stoikov model (`StoikovFitter.fit()`) for `microprice_stoikov`, by instrument id or for
   * all instruments whose tick size is the model's `tickRaw`.
   */
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

/**
 * Market trades of one instrument since the engine first saw it, per aggressor side: contracts and
 * notional (Σ decimal price × size). Two readings' differences give the volume and volume-weighted
 * price of what traded in between (a dashboard's trade markers). Side `N` counts in neither.
 */
export interface TradeTotals {
  readonly buyQty: number;
  readonly buyNotional: number;
  readonly sellQty: number;
  readonly sellNotional: number;
}

/** `TradeTotals` as the engine keeps them: four sums bumped per trade. */
class TradeTally implements TradeTotals {
  buyQty = 0;
  buyNotional = 0;
  sellQty = 0;
  sellNotional = 0;
}

/** The calculators of one instrument. */
class InstrumentFeatures {
  readonly l2 = new L2Book();
  l3: L3Book | null = null;
  readonly spread: QuotedSpread;
  readonly qi = new QueueImbalance();
  readonly wmid = new WeightedMid();
  /** Multi-level OFI over 10 s and, from its level 1, best-level OFI over 1 s, 10 s and 60 s. */
  readonly ofi = new MultiLevelOfi({ windowMs: 10_000, bestWindowsMs: [1_000, 10_000, 60_000] });
  readonly rv = new RealizedVolatility({ windowsMs: [60_000, 300_000] });
  readonly flow = new TradeFlow({ windowsMs: [1_000, 10_000, 60_000] });
  readonly vpin: Vpin;
  /** The paper's one-day VPIN, as context. */
  readonly vpinDaily: Vpin;
  readonly kyle: KyleLambda;
  readonly mbpCancel = new MbpCancelAddRatio();
  readonly mboCancel = new MboCancelAddRatio();
  readonly sweep: SweepDetector;
  readonly bars: TimeBarBuilder;
  readonly tally = new TradeTally();
  readonly depth: DepthProfile;
  readonly ema3 = new Ema(3);
  readonly ema6 = new Ema(6);
  readonly ema12 = new Ema(12);
  readonly rsi = new Rsi(7);
  readonly adx = new Adx(7);
  readonly atr = new Atr(7);
  readonly vwap = new SessionVwap({ anchor: 'globex' });
  readonly parkinson = new ParkinsonVolatility(30);
  readonly gk = new GarmanKlassVolatility(30);
  readonly stoikov: StoikovMicroprice | null;
  /** ts_recv of the last record (halves) and of the latest `advance`, ns as ms. */
  tsLo = 0;
  tsHi = 0;
  tsMs = Number.NaN;
  /**
   * The latest time (ms) `FeatureEngine.advance` moved this instrument's clock to and its rolling
   * windows have not been moved to yet; NaN when they have. See `catchUp`.
   */
  pendingMs = Number.NaN;
  vpinAbove = false;
  /**
   * Spread, queue imbalance and weighted mid are functions of the latest consistent book alone, so
   * they are read from it when needed (a snapshot, or before a record that starts a multi-record
   * event) rather than after every record: `dirty` says the book moved since they were read.
   */
  dirty = false;
  lastBook: L2Book | L3Book | null = null;
  symbol: string;
  /** Basis against the paired spot (a future paired by `pairSpot`). */
  fs: FuturesSpot | null = null;
  /** The future this instrument is the spot pair of. */
  spotFor: InstrumentFeatures | null = null;
  /** A CME FX future's product (`6E`) and the tally of its trading date; null for other instruments. */
  product: string | null = null;
  days: ContractDayTally | null = null;
  /** High, low, close and volume of its previous trading date (see `FeatureEngine.priorDay`). */
  priorDay: ContractDay | undefined = undefined;

  constructor(
    readonly instrumentId: number,
    readonly tickSize: number,
    opts: FeatureEngineOptions,
  ) {
    this.symbol = String(instrumentId);
    this.spread = new QuotedSpread(tickSize);
    this.vpin = new Vpin({
      bucketVolume: opts.vpinBucketVolume ?? DEFAULT_VPIN_BUCKET_VOLUME,
      windowBuckets: opts.vpinWindowBuckets ?? DEFAULT_VPIN_WINDOW_BUCKETS,
    });
    this.vpinDaily = new Vpin({
      bucketVolume: opts.dailyVpinBucketVolume ?? DAILY_VPIN_BUCKET_VOLUME,
      windowBuckets: DAILY_VPIN_WINDOW_BUCKETS,
    });
    this.kyle = new KyleLambda({ tick: tickSize, contracts: 100 });
    const onSweep = opts.onSweep;
    this.sweep = new SweepDetector({
      onAlert: onSweep ? (info) => onSweep(takeSnapshot(this), info) : undefined,
    });
    this.depth = new DepthProfile({ tickSize });
    const onBar = opts.onBar;
    this.bars = new TimeBarBuilder({
      periodMs: opts.barPeriodMs ?? 60_000,
      priceScale: 1e-9,
      onBar: (bar) => {
        this.closeBar(bar);
        if (onBar !== undefined) onBar(takeSnapshot(this), bar);
      },
    });
    const model = opts.stoikovModel;
    const m = model instanceof Map ? model.get(instrumentId) : (model as StoikovModel | undefined);
    // A model fitted on another tick grid (another instrument) does not apply.
    this.stoikov = m && m.tickRaw === tickSize ? new StoikovMicroprice(m) : null;
  }

  /** Reads the book-state features from the last consistent book. */
  settle(): void {
    const book = this.lastBook;
    this.dirty = false;
    if (book === null) return;
    this.spread.update(book);
    this.qi.update(book);
    this.wmid.update(book);
  }

  /** Feeds a closed trade bar (decimal prices) to the bar indicators. */
  closeBar(bar: Bar): void {
    const { open, high, low, close } = bar;
    if (Number.isNaN(close)) return;
    this.ema3.update(close);
    this.ema6.update(close);
    this.ema12.update(close);
    this.rsi.update(close);
    this.adx.update(high, low, close);
    this.atr.update(high, low, close);
    this.parkinson.update(high, low);
    this.gk.update(open, high, low, close);
  }

  /**
   * A record's ts_recv (unsigned halves) as ms, the cursor's `tsRecvMs` to the bit; the
   * instrument's clock moves to it, never back (a late record changes features, not the time).
   */
  clock(lo: number, hi: number): number {
    const tsMs = (hi * 4294967296 + lo) / 1e6;
    if (!(tsMs < this.tsMs)) {
      this.tsMs = tsMs;
      this.tsLo = lo;
      this.tsHi = hi;
    }
    return tsMs;
  }

  /**
   * Moves the rolling windows to the clock's latest time from `FeatureEngine.advance`, before they
   * are read. The engine's clock moves at every grid point (a backtest's every second), its windows
   * only when read or when the instrument's own records move them. Moved at every grid point, the
   * windows took a quiet stretch of data as a run of short steps (Kyle's lambda and the realized
   * variance, which drop their history over a gap in the data, saw none) and their values depended
   * on how often the clock moved (the trade rate's decay in one step or in many differs in its
   * last bits): now the features read at a time are the same whatever the grid.
   */
  catchUp(): void {
    const ms = this.pendingMs;
    if (Number.isNaN(ms)) return;
    this.pendingMs = Number.NaN;
    this.advance(ms);
  }

  advance(tsMs: number): void {
    this.ofi.advance(tsMs);
    this.rv.advance(tsMs);
    this.flow.advance(tsMs);
    this.vpin.advance(tsMs);
    this.vpinDaily.advance(tsMs);
    this.kyle.advance(tsMs);
    this.mbpCancel.advance(tsMs);
    this.mboCancel.advance(tsMs);
    if (this.fs !== null) this.fs.advance(tsMs);
  }
}

/** A trade or fill record (action `T` or `F`). */
function isTrade(action: number): boolean {
  return action === Action.TRADE || action === Action.FILL;
}

function nanIfNot(ready: boolean, v: number): number {
  return ready ? v : Number.NaN;
}

/**
 * The engine made last, kept alive until the next one is made. A full collection that finds no
 * instance of a class alive lets V8 forget the shapes its instances had grown into (which fields
 * hold fractions, which integers); the next engine's objects then grow new ones, the compiled
 * code of the hot path meets new shapes each time, and after a few runs it turns generic: a
 * process that ran one day after another with a collection between them (a sweep's worker, a
 * walk-forward, a benchmark's rounds) ran each day three to four times slower from the seventh on.
 * One engine alive keeps the shapes of every object under it (docs/BENCHMARKS.md).
 */
const kept: { engine: FeatureEngine | null } = { engine: null };

/** Per-instrument microstructure features over a stream of DBN records. */
export class FeatureEngine {
  readonly #opts: FeatureEngineOptions;
  readonly #defaultTick: number;
  readonly #byId = new Map<number, InstrumentFeatures>();
  readonly #ticks = new Map<number, number>();
  readonly #symbols = new Map<number, string>();
  readonly #pairs = new Map<number, { spotId: number; invertSpot: boolean }>();
  #last: InstrumentFeatures | null = null;
  #lastBook: L2Book | L3Book | null = null;
  readonly #days = new ContractDays();
  readonly #advDays: number | undefined;

  constructor(opts: FeatureEngineOptions = {}) {
    this.#opts = opts;
    this.#defaultTick = requirePositive('defaultTickSize', opts.defaultTickSize ?? DEFAULT_TICK_SIZE);
    if (opts.onVpin) requireFinite('onVpin.threshold', opts.onVpin.threshold);
    const adv = opts.dailyVpinAdvDays;
    this.#advDays = adv === undefined ? undefined : requirePositiveInt('dailyVpinAdvDays', adv);
    kept.engine = this;
  }

  /** Instrument ids seen so far, in order of first sight. */
  get instruments(): number[] {
    return [...this.#byId.keys()];
  }

  /** The tick size (raw 1e-9 units) the instrument's calculators use. */
  tickSize(instrumentId: number): number {
    return this.#ticks.get(instrumentId) ?? this.#defaultTick;
  }

  /** Names an instrument in snapshots (default: its id as a string). */
  /** The symbol of an instrument, when its files or definitions named it. */
  symbolOf(instrumentId: number): string | undefined {
    return this.#symbols.get(instrumentId);
  }

  setSymbol(instrumentId: number, symbol: string): void {
    const known = this.#symbols.get(instrumentId) === symbol;
    this.#symbols.set(instrumentId, symbol);
    const f = this.#byId.get(instrumentId);
    if (f) {
      f.symbol = symbol;
      this.#contract(f);
    }
    // A live feed names instruments one by one: a future and its spot pair pair once both are named.
    if (!known && (fxFutureRoot(symbol) !== undefined || SPOT_SYMBOLS.has(symbol)))
      this.symbolsKnown(this.#symbols);
  }

  /** The spot pair a future is paired with (`pairSpot`), or undefined. */
  spotOf(futureId: number): { readonly spotId: number; readonly invertSpot: boolean } | undefined {
    return this.#pairs.get(futureId);
  }

  /**
   * Daily bars (decimal high, low, close; contracts traded) of every CME FX future traded so far,
   * by raw symbol and trading date; a date enters once it is over.
   */
  get dailyHistory(): ContractHistory {
    return this.#days.history;
  }

  /**
   * The prior-day levels of a CME FX future on the trading date of its last trade: for the
   * product's front month `frontPriorDay` (on a roll day the new front's own previous trading date),
   * for another contract its own previous trading date. Undefined when the contract did not trade
   * on that date (the techniques wait, as on a first day), and for other instruments.
   */
  priorDay(instrumentId: number): ContractDay | undefined {
    return this.#byId.get(instrumentId)?.priorDay;
  }

  /** The bucket volume of an instrument's daily VPIN (`vpin_daily`); undefined for an instrument not seen yet. */
  dailyVpinBucketVolume(instrumentId: number): number | undefined {
    return this.#byId.get(instrumentId)?.vpinDaily.bucketVolume;
  }

  /** Links an instrument to its contract's daily tally when its symbol names a CME FX future. */
  #contract(f: InstrumentFeatures): void {
    const product = fxFutureRoot(f.symbol) ?? null;
    f.product = product;
    f.days = product === null ? null : this.#days.tally(f.symbol);
    f.priorDay = undefined;
    if (f.days !== null && f.days.date !== '') this.#dayBegun(f, product as string, f.days.date);
  }

  /** A trading date begins for a CME FX future: once a day, its prior-day levels and daily VPIN size. */
  #newDay(f: InstrumentFeatures, days: ContractDayTally, tsMs: number): void {
    const date = this.#days.begin(days, tsMs);
    if (date !== '') this.#dayBegun(f, f.product as string, date);
  }

  #dayBegun(f: InstrumentFeatures, product: string, date: string): void {
    const history = this.#days.history;
    f.priorDay =
      frontMonth(product, date).symbol === f.symbol
        ? frontPriorDay(product, date, history)
        : history.get(f.symbol)?.get(tradingDatesBefore(date, 1)[0]);
    if (this.#advDays === undefined) return;
    const adv = frontAverageDailyVolume(product, date, history, this.#advDays);
    if (adv !== undefined) f.vpinDaily.setBucketVolume(vpinBucketVolume(adv));
  }

  /**
   * Sets an instrument's tick size (raw 1e-9 units). When its calculators exist with another tick
   * they are rebuilt (their state starts over).
   */
  setTickSize(instrumentId: number, tickSize: number): void {
    this.#ticks.set(instrumentId, requirePositive('tickSize', tickSize));
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
    if (futureId === spotId) {
      throw new InvalidOptionError('spotId', spotId, `another instrument than the future ${futureId}`);
    }
    this.#pairs.set(futureId, { spotId, invertSpot });
    this.#link();
  }

  /**
   * Pairs every CME FX future among `symbols` (id → symbol, e.g. `6EZ6`) with its spot pair when
   * the input holds it (`EUR/USD`, SPOT_PAIRS), so that the future's `basis` is reported; `replay`
   * calls it once it has read every file's symbols.
   */
  symbolsKnown(symbols: ReadonlyMap<number, string>): void {
    const byName = new Map<string, number>();
    for (const [id, sym] of symbols) byName.set(sym, id);
    for (const [id, sym] of symbols) {
      const root = fxFutureRoot(sym);
      if (root === undefined) continue;
      const spec = SPOT_PAIRS[root];
      const spotId = byName.get(spec.pair);
      if (spotId === undefined) continue;
      this.setTickSize(spotId, spec.tick);
      this.pairSpot(id, spotId, spec.invert);
    }
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
    this.#lastBook = null;
    if (rec.hd.rtype !== RType.INSTRUMENT_DEF) return;
    const id = rec.hd.instrument_id;
    const tick = definitionTick(rec);
    if (tick !== undefined) this.setTickSize(id, tick);
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
      if (sym !== undefined) {
        f.symbol = sym;
        this.#contract(f);
      }
      this.#byId.set(id, f);
      if (this.#pairs.size > 0) this.#link();
    }
    this.#last = f;
    return f;
  }

  /**
   * The book the last applied record updated (what `book` gives for its instrument and kind), or
   * null when that record was not a book record (a trade, a statistic, a definition).
   */
  get lastBook(): L2Book | L3Book | null {
    return this.#lastBook;
  }

  /**
   * The book of an instrument that its MBO (`mbo`) or MBP records update, or null before its first
   * such record.
   */
  book(instrumentId: number, mbo: boolean): L2Book | L3Book | null {
    const f = this.#byId.get(instrumentId);
    if (f === undefined) return null;
    return mbo ? f.l3 : f.l2.updates > 0 ? f.l2 : null;
  }

  /**
   * The 1-minute trade bar being formed for an instrument (decimal prices; the builder's own object,
   * changed by later trades: copy what you keep), or undefined for an instrument not seen yet.
   */
  formingBar(instrumentId: number): Readonly<Bar> | undefined {
    return this.#byId.get(instrumentId)?.bars.current;
  }

  /** An instrument's market trades so far per aggressor side (a live view), or undefined before it is seen. */
  tradeTotals(instrumentId: number): TradeTotals | undefined {
    return this.#byId.get(instrumentId)?.tally;
  }

  /** Applies one record (the cursor's current one). Returns false for records the engine ignores. */
  apply(c: RecordCursor): boolean {
    const rt = c.rtype;
    this.#lastBook = null;
    if (rt === RType.MBP_10 || rt === RType.MBP_1) {
      this.#mbp(this.#features(c.instrumentId), c);
      return true;
    }
    if (rt !== RType.MBP_0 && rt !== RType.MBO) return false;
    const f = this.#features(c.instrumentId);
    // A record without F_LAST leaves the book between consistent states: read them first.
    if (f.dirty && (c.flags & Flags.LAST) === 0 && rt !== RType.MBP_0) f.settle();
    const tsMs = f.clock(c.tsRecvLo, c.tsRecvHi);
    if (rt === RType.MBP_0) this.#trade(f, c, tsMs);
    else {
      if (f.l3 === null) f.l3 = new L3Book();
      const l3 = f.l3;
      l3.applyMbo(c);
      this.#lastBook = l3;
      f.mboCancel.update(c);
      if (l3.consistent) this.#book(f, l3, tsMs);
    }
    return true;
  }

  /**
   * An MBP-10 or MBP-1 record: its L2 book, then what reads it, the record's time and fields taken
   * from the book (plain fields, where the cursor looks each one up by record type).
   */
  #mbp(f: InstrumentFeatures, c: RecordCursor): void {
    const l2 = f.l2;
    // A record without F_LAST leaves the book between consistent states: read them first. A trade
    // or fill record leaves a trusting book's levels as they were (`L2Book.changedSides`), so they
    // are still there to read when a record that changes them comes.
    if (f.dirty && (c.flags & Flags.LAST) === 0 && !(l2.trustsActions && isTrade(c.action))) f.settle();
    l2.applyMbp(c);
    this.#lastBook = l2;
    const tsMs = f.clock(l2.tsRecvLo, l2.tsRecvHi);
    f.mbpCancel.update(l2, tsMs);
    f.sweep.updateFromBook(l2, tsMs);
    if (l2.consistent) this.#book(f, l2, tsMs);
  }

  #book(f: InstrumentFeatures, book: L2Book | L3Book, tsMs: number): void {
    f.dirty = true;
    f.lastBook = book;
    f.ofi.update(book, tsMs);
    // The mid, read once for the calculators that follow it (NaN while crossed or locked).
    const mid = book.crossed ? Number.NaN : book.mid;
    f.rv.update(tsMs, mid);
    f.kyle.updateMid(tsMs, mid);
    if (f.fs !== null) f.fs.updateFuture(tsMs, mid * 1e-9);
    const fut = f.spotFor;
    if (fut !== null && fut.fs !== null) fut.fs.updateSpot(tsMs, mid * 1e-9);
  }

  #trade(f: InstrumentFeatures, c: RecordCursor, tsMs: number): void {
    // The record's fields read once (each a lookup by record type in the cursor), for every
    // calculator; `tsMs` is the cursor's `tsRecvMs` to the bit (`InstrumentFeatures.clock`).
    const price = c.price;
    const size = c.size;
    const side = c.side;
    const px = price * 1e-9;
    const days = f.days;
    if (days !== null) {
      if (!(tsMs < days.endMs)) this.#newDay(f, days, tsMs);
      days.fold(px, size);
    }
    f.flow.update(tsMs, price, size, side);
    f.vpin.update(tsMs, price, size, side);
    f.vpinDaily.update(tsMs, price, size, side);
    f.kyle.update(tsMs, price, size, side);
    f.bars.trade(tsMs, px, size, side); // its price scale is 1e-9: decimal prices, as `px`
    if (side === Side.BID || side === Side.ASK) {
      const t = f.tally;
      if (side === Side.BID) {
        t.buyQty += size;
        t.buyNotional += px * size;
      } else {
        t.sellQty += size;
        t.sellNotional += px * size;
      }
    }
    f.vwap.update(tsMs, px, size);
    f.advance(tsMs);
    // The windows are past the clock's last grid time now.
    if (tsMs >= f.pendingMs) f.pendingMs = Number.NaN;
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
   * Moves every instrument's clock to `tsNs` (no earlier than its last record): snapshots taken
   * afterwards carry `tsNs` as their time, and their rolling windows have dropped what fell out of
   * them by then (moved when read: `InstrumentFeatures.catchUp`).
   */
  advance(tsNs: bigint, lo = Number(tsNs & 0xffffffffn), hi = Number(tsNs >> 32n)): void {
    // One rounding of the exact sum: Number(tsNs) / 1e6 to the bit.
    const ms = (hi * 4294967296 + lo) / 1e6;
    for (const f of this.#byId.values()) {
      if (ms >= f.tsMs || Number.isNaN(f.tsMs)) {
        f.pendingMs = ms;
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

  /**
   * The values of `snapshot(instrumentId)` written into `out` from `at` on, with no object made:
   * its time (ns since the epoch) as the low and high 32-bit halves, then each of `FEATURE_COLUMNS`
   * in order (`SNAPSHOT_WORDS` in all). False, writing nothing, for an instrument not seen yet.
   */
  snapshotInto(instrumentId: number, out: Float64Array, at = 0): boolean {
    const f = this.#byId.get(instrumentId);
    if (f === undefined) return false;
    readFeatures(f, out, at);
    return true;
  }
}

/** Values of a snapshot beyond its `FEATURE_COLUMNS`: its time (ns) as 32-bit halves. */
const TIME_WORDS = 2;

/** Values `FeatureEngine.snapshotInto` writes: the time's two halves, then the feature columns. */
export const SNAPSHOT_WORDS = TIME_WORDS + FEATURE_COLUMNS.length;

/** A snapshot's values, read before they are put into its object. */
const snapshotValues = new Float64Array(SNAPSHOT_WORDS);

/**
 * Reads an instrument's calculators into `out` from `at` on: its time (ns since the epoch) as the
 * low and high 32-bit halves, then each of `FEATURE_COLUMNS` in order. Returns that time.
 */
function readFeatures(f: InstrumentFeatures, out: Float64Array, at: number): bigint {
  f.catchUp();
  if (f.dirty) f.settle();
  const tsNs = u64FromHalves(f.tsLo, f.tsHi);
  const book: L2Book | L3Book = f.l3 ?? f.l2;
  const mid = f.spread.mid;
  const cancel = f.l3 !== null ? f.mboCancel.ratio : f.mbpCancel.ratio;
  const stoikov =
    f.stoikov !== null && !Number.isNaN(mid)
      ? f.stoikov.update(book.bestBidPx, book.bestAskPx, book.bestBidSz, book.bestAskSz)
      : Number.NaN;
  const depth = f.depth;
  depth.update(book);
  const fs = f.fs;
  const ms = Number(tsNs / 1_000_000n);
  out[at] = f.tsLo;
  out[at + 1] = f.tsHi;
  let k = at + TIME_WORDS;
  out[k++] = f.spread.ticks; // spread_ticks
  out[k++] = f.spread.bps; // spread_bps
  out[k++] = mid / 1e9; // mid
  out[k++] = f.wmid.value / 1e9; // microprice
  out[k++] = stoikov / 1e9; // microprice_stoikov
  out[k++] = f.qi.l1; // qi_l1
  out[k++] = f.qi.l5; // qi_l5
  out[k++] = f.qi.l10; // qi_l10
  out[k++] = nanIfNot(f.ofi.isReady, f.ofi.bestNormalized(0)); // ofi_1s
  out[k++] = nanIfNot(f.ofi.isReady, f.ofi.bestNormalized(1)); // ofi_10s
  out[k++] = nanIfNot(f.ofi.isReady, f.ofi.bestNormalized(2)); // ofi_60s
  out[k++] = nanIfNot(f.ofi.isReady, f.ofi.score); // mlofi_10s
  out[k++] = f.vpin.value; // vpin
  out[k++] = f.vpin.cdf; // vpin_cdf
  out[k++] = f.kyle.value; // kyle_lambda
  out[k++] = f.rv.rv(0); // rv_1m
  out[k++] = f.rv.rv(1); // rv_5m
  out[k++] = nanIfNot(f.flow.isWindowReady(2), f.flow.volumeDelta(2)); // volume_delta
  out[k++] = f.flow.cvd; // cvd
  out[k++] = f.flow.tradeRate; // trade_rate
  out[k++] = cancel; // cancel_add_ratio
  out[k++] = f.sweep.alertCount; // sweep_alerts
  out[k++] = fs !== null ? fs.basis : Number.NaN; // basis
  out[k++] = fs !== null ? fs.basisDeviation : Number.NaN; // basis_dev
  out[k++] = fs !== null ? fs.correlation : Number.NaN; // fs_corr
  out[k++] = fs !== null ? fs.leadLagMs : Number.NaN; // fs_lead_ms
  out[k++] = fs !== null ? fs.leadLagCorrelation : Number.NaN; // fs_lead_corr
  out[k++] = depth.depth(BookSide.BID, 5); // depth_bid_5
  out[k++] = depth.depth(BookSide.ASK, 5); // depth_ask_5
  out[k++] = depth.depth(BookSide.BID, 10); // depth_bid_10
  out[k++] = depth.depth(BookSide.ASK, 10); // depth_ask_10
  out[k++] = depth.skew(5); // book_skew_5
  out[k++] = nearestWall(depth, BookSide.BID, false) / 1e9; // bid_wall_px
  out[k++] = nearestWall(depth, BookSide.BID, true); // bid_wall_sz
  out[k++] = nearestWall(depth, BookSide.ASK, false) / 1e9; // ask_wall_px
  out[k++] = nearestWall(depth, BookSide.ASK, true); // ask_wall_sz
  out[k++] = nearestGap(depth, BookSide.BID) / 1e9; // bid_gap_px
  out[k++] = nearestGap(depth, BookSide.ASK) / 1e9; // ask_gap_px
  out[k++] = f.ema3.value; // ema_3
  out[k++] = f.ema6.value; // ema_6
  out[k++] = f.ema12.value; // ema_12
  out[k++] = f.rsi.value; // rsi_7
  out[k++] = f.adx.value; // adx_7
  out[k++] = f.adx.plusDi; // plus_di_7
  out[k++] = f.adx.minusDi; // minus_di_7
  out[k++] = f.atr.value; // atr_7
  out[k++] = f.vwap.value; // vwap
  out[k++] = f.vwap.stdDev; // vwap_sd
  out[k++] = f.parkinson.value; // vol_parkinson_30m
  out[k++] = f.gk.value; // vol_gk_30m
  out[k++] = openCentres(ms); // open_centres
  out[k++] = f.vpinDaily.value; // vpin_daily
  return tsNs;
}

/** Reads an instrument's calculators into a frozen snapshot. */
function takeSnapshot(f: InstrumentFeatures): FeatureSnapshot {
  const v = snapshotValues;
  const tsNs = readFeatures(f, v, 0);
  return Object.freeze({
    ts: formatTimestamp(tsNs) ?? '',
    ts_ns: tsNs,
    symbol: f.symbol,
    instrument_id: f.instrumentId,
    session: fxSession(Number(tsNs / 1_000_000n)),
    spread_ticks: v[2],
    spread_bps: v[3],
    mid: v[4],
    microprice: v[5],
    microprice_stoikov: v[6],
    qi_l1: v[7],
    qi_l5: v[8],
    qi_l10: v[9],
    ofi_1s: v[10],
    ofi_10s: v[11],
    ofi_60s: v[12],
    mlofi_10s: v[13],
    vpin: v[14],
    vpin_cdf: v[15],
    kyle_lambda: v[16],
    rv_1m: v[17],
    rv_5m: v[18],
    volume_delta: v[19],
    cvd: v[20],
    trade_rate: v[21],
    cancel_add_ratio: v[22],
    sweep_alerts: v[23],
    basis: v[24],
    basis_dev: v[25],
    fs_corr: v[26],
    fs_lead_ms: v[27],
    fs_lead_corr: v[28],
    depth_bid_5: v[29],
    depth_ask_5: v[30],
    depth_bid_10: v[31],
    depth_ask_10: v[32],
    book_skew_5: v[33],
    bid_wall_px: v[34],
    bid_wall_sz: v[35],
    ask_wall_px: v[36],
    ask_wall_sz: v[37],
    bid_gap_px: v[38],
    ask_gap_px: v[39],
    ema_3: v[40],
    ema_6: v[41],
    ema_12: v[42],
    rsi_7: v[43],
    adx_7: v[44],
    plus_di_7: v[45],
    minus_di_7: v[46],
    atr_7: v[47],
    vwap: v[48],
    vwap_sd: v[49],
    vol_parkinson_30m: v[50],
    vol_gk_30m: v[51],
    open_centres: v[52],
    vpin_daily: v[53],
  });
}

/** Price (raw) or size of the nearest wall of `side` (walls are listed best level first); NaN when none. */
function nearestWall(d: DepthProfile, side: number, size: boolean): number {
  for (let k = 0; k < d.wallCount; k++) {
    if (d.wallSide[k] === side) return size ? d.wallSz[k] : d.wallPx[k];
  }
  return Number.NaN;
}

/** First empty price (raw) of the nearest empty gap of `side`; NaN when none. */
function nearestGap(d: DepthProfile, side: number): number {
  for (let k = 0; k < d.gapCount; k++) {
    if (d.gapSide[k] === side && d.gapKind[k] === GapKind.EMPTY) return d.gapPx[k];
  }
  return Number.NaN;
}
