/**
 * The order-flow simulator: trader populations acting on one matching engine per CME FX future,
 * driven by a fundamental value, volatility regimes, the FX session calendar and toxic episodes,
 * written as Databento-named DBN files plus the ground truth of what was generated.
 *
 * The parts: `InstrumentMarket` (market.ts) holds each future's book, value, flow and episode; the
 * populations (populations/: noise traders, market makers, value traders, stale-quote
 * withdrawals, informed traders, walls, and a scenario's news releases, news.ts) act on it through
 * one interface; the `Scheduler` interleaves them on the simulated clock; `EventPublisher` and
 * `RecordEmitter` turn each event into records; a `RecordSink` (sink.ts) takes the files, in a folder or in memory.
 *
 * Spot: each future's top of book is recorded over the day and the matching spot pair (EUR/USD,
 * GBP/USD, USD/JPY) is quoted from it as IG would stream it, after the futures files are written
 * (spot.ts: lag, basis, spread, tick process, `ig-fx-…` files).
 *
 * Determinism: one mulberry32 stream per day seeded from (seed, date) drives the futures (spot has
 * streams of its own, so the futures files do not depend on it), events are processed in time
 * order, and no clock is read; the same options give the same bytes.
 */
import {
  type EconomicCalendar,
  isTradingDate,
  keyedSeed,
  Random,
  readEconomicCalendar,
  tradingDates,
  tradingDayBounds,
} from '../core/index.js';
import type { DbnEncoder, SchemaName } from '../data/dbn/index.js';
import { SimConfigError } from './errors.js';
import { definitionRecord, type FutureContract, frontContract } from './instruments.js';
import { InstrumentMarket, MinuteState, TradeTally } from './market.js';
import { type NewsDay, planNews } from './news.js';
import { DEFAULT_PARAMS, type NewsParams, type SimParams } from './params.js';
import { NewsReleases, type Population, populationsOf, type SimContext } from './populations/index.js';
import { EventPublisher, type InspectHook } from './publisher.js';
import { dayMetadata, type EmitCounts, RecordEmitter } from './records.js';
import { type Scenario, scenarioParams } from './scenario.js';
import { Scheduler, type SimProgress } from './scheduler.js';
import { FolderSink, type RecordSink } from './sink.js';
import {
  type SpotDayInput,
  type SpotDayResult,
  type SpotFiles,
  type SpotMinute,
  type SpotParams,
  spotFileNames,
  spotSpec,
  writeSpotDay,
} from './spot.js';
import { type TruthFile, TruthRecorder, truthScenario } from './truth.js';

export type { SimProgress } from './scheduler.js';
export type { TruthEpisode, TruthFile, TruthMinute, TruthNewsEvent, TruthScenario } from './truth.js';

/** Options of `simulateDay`. */
export interface SimDayOptions {
  /** Trading date, YYYY-MM-DD. */
  date: string;
  /** Products; default the scenario's `instruments`, else `['6E']`. */
  instruments?: readonly string[];
  seed: number;
  /** Output folder (created when missing); or give `sink`. */
  out?: string;
  /** Where the files go instead of `out` (a `MemorySink`, say). */
  sink?: RecordSink;
  /** Also write `glbx-mdp3-YYYYMMDD.mbo.dbn.zst`. */
  mbo?: boolean;
  /** zstd-compress (default true; `.dbn` names without it). */
  zstd?: boolean;
  /** The market scenario (scenario.ts): its parameters, recorded in the truth file; `params` and `spotParams` override it. */
  scenario?: Scenario;
  params?: Partial<SimParams>;
  /**
   * The economic calendar of the news (`params.news`), read by the caller (`simulate` reads it once
   * for all its days); when absent, the file the news parameters name is read, or their template
   * is used.
   */
  calendar?: EconomicCalendar;
  /**
   * A sub-span [startMs, endMs) to simulate instead of the whole trading day (tests). Minutes
   * when Globex is closed inside it produce no events; the book carries over the break.
   */
  window?: { startMs: number; endMs: number };
  /** Starting prices in raw 1e-9 units by product (default: the spec's `startRaw`). */
  startPrices?: Readonly<Record<string, number>>;
  /** Also write the spot pairs' files (`ig-fx-…`, see spot.ts); default true. */
  spot?: boolean;
  /** Spot quote parameters that differ from `DEFAULT_SPOT_PARAMS`. */
  spotParams?: Partial<SpotParams>;
  /** First sequence number (default 1). */
  firstSequence?: number;
  onProgress?: (p: SimProgress) => void;
  /**
   * Called after every published event with the engine that produced it and the event's sequence
   * number (tests compare the engine's own book with a replay of the output).
   */
  inspect?: InspectHook;
}

/** What a simulated day produced. */
export interface SimDayResult {
  date: string;
  files: {
    mbp10: string;
    trades: string;
    definition: string;
    mbo: string | null;
    truth: string;
    /** Spot top of book, `ig-fx-YYYYMMDD.mbp-1.dbn.zst` (null when spot is off). */
    spotMbp1: string | null;
    /** Spot 1-minute mid bars, `ig-fx-YYYYMMDD.ohlcv-1m.dbn.zst`. */
    spotOhlcv1m: string | null;
    /** IG price-history JSON of the first instrument's pair, `ig-fx-YYYYMMDD.prices.json`. */
    igPrices: string | null;
    /** IG price-history JSON of every pair, by pair (`EUR/USD`). */
    igPricesByPair: Record<string, string>;
  };
  truth: TruthFile;
  /** Spot ticks and bars by pair (null when spot is off). */
  spot: SpotDayResult | null;
  counts: EmitCounts;
  /** Traded contracts and informed traders' part of them. */
  volume: number;
  informedVolume: number;
  /** Share of events after which the instrument's spread was exactly one tick. */
  oneTickShare: number;
  /** Closing fundamental value by product, raw units (start of the next day). */
  closePrices: Record<string, number>;
  /** Sequence number after the last event. */
  nextSequence: number;
}

/** A day's options checked, with what follows from them. */
interface DayPlan {
  p: SimParams;
  spotParams: Partial<SpotParams> | undefined;
  date: string;
  /** YYYYMMDD of the date, as in file names. */
  compact: string;
  products: readonly string[];
  contracts: FutureContract[];
  win: { startMs: number; endMs: number };
  startNs: bigint;
  endNs: bigint;
  zstd: boolean;
  ext: string;
  sink: RecordSink;
}

/** The parameters of a day's options: the scenario's, overridden by `params`. */
function paramsOf(opts: Pick<SimDayOptions, 'scenario' | 'params' | 'spotParams'>): {
  p: SimParams;
  spotParams: Partial<SpotParams> | undefined;
} {
  const fromScenario = opts.scenario ? scenarioParams(opts.scenario) : undefined;
  return {
    p: { ...DEFAULT_PARAMS, ...fromScenario?.params, ...opts.params },
    spotParams: fromScenario ? { ...fromScenario.spotParams, ...opts.spotParams } : opts.spotParams,
  };
}

/** The calendar file the news parameters name, read and checked (undefined: none named). */
function newsCalendar(news: NewsParams | undefined): EconomicCalendar | undefined {
  return news !== undefined && news.calendar !== null ? readEconomicCalendar(news.calendar) : undefined;
}

/** Checks the options of a day (unknown instruments, dates, an empty window) before any work. */
function planDay(opts: SimDayOptions): DayPlan {
  const products = opts.instruments ?? opts.scenario?.instruments ?? ['6E'];
  if (products.length === 0) throw new SimConfigError('No instruments to simulate');
  const date = opts.date;
  let isTrading: boolean;
  try {
    isTrading = isTradingDate(date);
  } catch (cause) {
    throw new SimConfigError(`Date "${date}" is not a valid YYYY-MM-DD date`, { cause });
  }
  if (!isTrading)
    throw new SimConfigError(`Date "${date}" is not a trading date (a weekend or a CME holiday)`);
  const win = opts.window ?? tradingDayBounds(date);
  if (!(win.endMs > win.startMs)) throw new SimConfigError(`Empty window [${win.startMs}, ${win.endMs})`);
  const contracts = products.map((pr) => frontContract(pr, date));
  if (opts.sink === undefined && opts.out === undefined)
    throw new SimConfigError('Neither an output folder nor a sink');
  const zstd = opts.zstd !== false;
  const { p, spotParams } = paramsOf(opts);
  return {
    p,
    spotParams,
    date,
    compact: date.replaceAll('-', ''),
    products,
    contracts,
    win,
    startNs: BigInt(win.startMs) * 1_000_000n,
    endNs: BigInt(win.endMs) * 1_000_000n,
    zstd,
    ext: zstd ? '.dbn.zst' : '.dbn',
    sink: opts.sink ?? new FolderSink(opts.out!),
  };
}

/** The futures' DBN files of a day: names and encoders. */
class FuturesFiles {
  readonly #plan: DayPlan;
  readonly names: { mbp10: string; trades: string; definition: string; mbo: string | null; truth: string };
  readonly mbp10: DbnEncoder;
  readonly trades: DbnEncoder;
  readonly mbo: DbnEncoder | null;

  constructor(plan: DayPlan, withMbo: boolean) {
    this.#plan = plan;
    const { compact, ext } = plan;
    this.names = {
      mbp10: `glbx-mdp3-${compact}.mbp-10${ext}`,
      trades: `glbx-mdp3-${compact}.trades${ext}`,
      definition: `glbx-mdp3-${compact}.definition${ext}`,
      mbo: withMbo ? `glbx-mdp3-${compact}.mbo${ext}` : null,
      truth: `truth-${compact}.json`,
    };
    this.mbp10 = this.#open(this.names.mbp10, 'mbp-10');
    this.trades = this.#open(this.names.trades, 'trades');
    this.mbo = this.names.mbo ? this.#open(this.names.mbo, 'mbo') : null;
  }

  /** Closes the record files and writes the definitions. */
  async end(): Promise<void> {
    await this.mbp10.end();
    await this.trades.end();
    await this.mbo?.end();
    const def = this.#open(this.names.definition, 'definition');
    for (const c of this.#plan.contracts) def.write(definitionRecord(c, this.#plan.startNs));
    await def.end();
  }

  #open(name: string, schema: SchemaName): DbnEncoder {
    const { sink, date, startNs, endNs, contracts, zstd } = this.#plan;
    const metadata = dayMetadata('GLBX.MDP3', schema, date, startNs, endNs, contracts);
    return sink.dbn(name, { metadata, zstd });
  }
}

/** Simulates one trading day (or `window` of it) into `out` or `sink`. */
export async function simulateDay(opts: SimDayOptions): Promise<SimDayResult> {
  const plan = planDay(opts);
  const { p, date, contracts, win, startNs, sink } = plan;
  const calendar = p.news ? (opts.calendar ?? newsCalendar(p.news) ?? null) : null;
  const files = new FuturesFiles(plan, opts.mbo === true);
  const emitter = new RecordEmitter(
    { mbo: files.mbo, mbp10: files.mbp10, trades: files.trades },
    startNs,
    opts.firstSequence ?? 1,
  );
  // One stream per day drives the futures; its first draw offsets the day's order ids.
  const rnd = new Random(keyedSeed(opts.seed, Number(plan.compact)));
  const ids = { next: 6_400_000_000_000 + Math.floor(rnd.uniform() * 1e9) };
  const markets = contracts.map(
    (c) => new InstrumentMarket(c, opts.startPrices?.[c.spec.product] ?? c.spec.startRaw, emitter, ids),
  );
  const withSpot = opts.spot !== false;
  const news = p.news
    ? planNews(
        p.news,
        calendar,
        {
          startMs: win.startMs,
          endMs: win.endMs,
          seed: opts.seed,
          dateKey: Number(plan.compact),
          wholeTicks: p.martingaleMid === true,
        },
        markets,
      )
    : undefined;
  const ctx: SimContext = {
    rnd,
    p,
    minute: new MinuteState(p.initialRegime),
    publisher: new EventPublisher(emitter, rnd, p, opts.inspect, withSpot),
    tally: new TradeTally(),
    truth: new TruthRecorder(
      opts.seed,
      { date, ...p, window: opts.window ? { start_ms: win.startMs, end_ms: win.endMs } : null },
      markets,
      startNs,
      opts.scenario ? truthScenario(opts.scenario) : undefined,
      news?.truth,
    ),
  };
  const lanes = markets.map((market, k) => ({
    market,
    populations: withNews(populationsOf(market, ctx), market, ctx, news, k),
  }));
  const scheduler = new Scheduler(ctx, lanes, date, opts.onProgress);
  scheduler.run(win.startMs, win.endMs);

  emitter.flush();
  await files.end();
  sink.text(files.names.truth, ctx.truth.text());
  const spotFiles = withSpot ? spotFileNames(plan.compact, plan.products, plan.ext) : null;
  const spot = spotFiles
    ? await writeSpotDay(spotInput(plan, opts, markets, scheduler.spotMinutes, spotFiles))
    : null;
  return dayResult(plan, files, ctx, markets, spotFiles, spot, emitter);
}

/** A market's populations, with its news releases first when the day has some for it. */
function withNews(
  populations: Population[],
  market: InstrumentMarket,
  ctx: SimContext,
  news: NewsDay | undefined,
  k: number,
): Population[] {
  const schedule = news?.schedules[k];
  return schedule ? [new NewsReleases(market, ctx, schedule), ...populations] : populations;
}

/** What the spot quotes need from the day. */
function spotInput(
  plan: DayPlan,
  opts: SimDayOptions,
  markets: readonly InstrumentMarket[],
  minutes: readonly SpotMinute[],
  files: SpotFiles,
): SpotDayInput {
  return {
    date: plan.date,
    seed: opts.seed,
    startNs: plan.startNs,
    endNs: plan.endNs,
    contracts: plan.contracts,
    paths: markets.map((m) => m.path),
    minutes,
    sink: plan.sink,
    files,
    zstd: plan.zstd,
    params: plan.spotParams,
  };
}

/** The result of a day: where its files are and the figures of the run. */
function dayResult(
  plan: DayPlan,
  files: FuturesFiles,
  ctx: SimContext,
  markets: readonly InstrumentMarket[],
  spotFiles: SpotFiles | null,
  spot: SpotDayResult | null,
  emitter: RecordEmitter,
): SimDayResult {
  const at = (name: string) => plan.sink.locate(name);
  const n = files.names;
  const closePrices: Record<string, number> = {};
  for (const m of markets) closePrices[m.contract.spec.product] = Math.round(m.value) * m.tickRaw;
  const prices: Record<string, string> = {};
  for (const [pair, name] of Object.entries(spotFiles?.prices ?? {})) prices[pair] = at(name);
  return {
    date: plan.date,
    files: {
      mbp10: at(n.mbp10),
      trades: at(n.trades),
      definition: at(n.definition),
      mbo: n.mbo ? at(n.mbo) : null,
      truth: at(n.truth),
      spotMbp1: spotFiles ? at(spotFiles.mbp1) : null,
      spotOhlcv1m: spotFiles ? at(spotFiles.ohlcv1m) : null,
      igPrices: spotFiles ? prices[spotSpec(plan.products[0]).pair] : null,
      igPricesByPair: prices,
    },
    truth: ctx.truth.file,
    spot,
    counts: { ...emitter.counts },
    volume: ctx.tally.volume,
    informedVolume: ctx.tally.informedVolume,
    oneTickShare: ctx.publisher.oneTickShare,
    closePrices,
    nextSequence: emitter.nextSequence,
  };
}

/** Options of `simulate`: several trading days into one folder. */
export interface SimulateOptions
  extends Pick<
    SimDayOptions,
    | 'instruments'
    | 'seed'
    | 'out'
    | 'sink'
    | 'mbo'
    | 'zstd'
    | 'scenario'
    | 'params'
    | 'spot'
    | 'spotParams'
    | 'calendar'
  > {
  /** Number of trading days (weekends and CME holidays skipped). */
  days: number;
  /** First trading date, YYYY-MM-DD. */
  start: string;
  onProgress?: (p: SimProgress & { day: number; days: number }) => void;
}

/**
 * Simulates `days` consecutive trading days; each day starts at the previous day's closing value.
 * A news calendar file is read (and checked) once, before the first day.
 */
export async function simulate(opts: SimulateOptions): Promise<SimDayResult[]> {
  const dates = tradingDates(opts.start, opts.days);
  const calendar = opts.calendar ?? newsCalendar(paramsOf(opts).p.news);
  const out: SimDayResult[] = [];
  let prices: Record<string, number> | undefined;
  let seq = 1;
  for (let d = 0; d < dates.length; d++) {
    const r = await simulateDay({
      date: dates[d],
      instruments: opts.instruments,
      seed: opts.seed,
      out: opts.out,
      sink: opts.sink,
      mbo: opts.mbo,
      zstd: opts.zstd,
      scenario: opts.scenario,
      params: opts.params,
      spot: opts.spot,
      spotParams: opts.spotParams,
      calendar,
      startPrices: prices,
      firstSequence: seq,
      onProgress: opts.onProgress ? (p) => opts.onProgress!({ ...p, day: d, days: dates.length }) : undefined,
    });
    prices = r.closePrices;
    seq = r.nextSequence;
    out.push(r);
  }
  return out;
}
