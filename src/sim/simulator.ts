/**
 * The order-flow simulator: trader populations acting on one matching engine per CME FX future,
 * driven by a fundamental value, volatility regimes, the FX session calendar and toxic episodes,
 * written as Databento-named DBN files plus the ground truth of what was generated.
 *
 * Populations (each event is one action of one trader):
 * - noise traders add limit orders near the touch (geometric distance, small sizes, larger on
 *   round 00/50 levels), cancel, modify, and send small market orders;
 * - market makers quote both sides around the fundamental value, skewing towards, widening and
 *   pulling the side hit by recent one-sided (toxic) aggressive flow;
 * - value traders take quotes the fundamental value has moved past (price discovery);
 * - informed traders, active in toxic episodes, trade aggressively in the episode's direction,
 *   sometimes sweeping several levels, while the value drifts that way;
 * - walls: occasional large resting orders that live a few minutes.
 *
 * Spot: each future's top of book is recorded over the day and the matching spot pair (EUR/USD,
 * GBP/USD, USD/JPY) is quoted from it as IG would stream it, after the futures files are written
 * (spot.ts: lag, basis, spread, tick process, `ig-fx-…` files).
 *
 * Determinism: one mulberry32 stream per day seeded from (seed, date) drives the futures (spot has
 * streams of its own, so the futures files do not depend on it), events
 * are processed in time order, and no clock is read; the same options give the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CentreBit,
  type FxSessionName,
  formatTimestamp,
  fxSession,
  globexOpen,
  isTradingDate,
  localTime,
  openCentres,
  prng,
  tradingDates,
  tradingDayBounds,
  yyyymmddOf,
} from '../core/index.js';
import type { MetadataInit, SchemaName } from '../data/dbn/index.js';
import { DbnEncoder } from '../data/dbn/index.js';
import { ASK, BID, MatchingEngine, Owner } from './engine.js';
import { SimConfigError } from './errors.js';
import { definitionRecord, type FutureContract, frontContract } from './instruments.js';
import { DEFAULT_PARAMS, REGIMES, type Regime, type SimParams } from './params.js';
import { type EmitCounts, type EmitTarget, RecordEmitter } from './records.js';
import {
  BookPath,
  type SpotDayResult,
  type SpotMinute,
  type SpotParams,
  spotFilePaths,
  spotSpec,
  writeSpotDay,
} from './spot.js';

/** One minute of the ground truth. */
export interface TruthMinute {
  /** ISO-8601 UTC minute start. */
  ts: string;
  regime: Regime;
  /** Informed traders' share of the aggressive volume of the minute (all instruments), 0..1. */
  informed_share: number;
  session: FxSessionName;
}

/** One toxic episode of the ground truth. */
export interface TruthEpisode {
  /** ISO-8601 with 9 fractional digits. */
  start: string;
  end: string;
  symbol: string;
  direction: 'buy' | 'sell';
  intensity: number;
}

/** `truth-YYYYMMDD.json` (CONVENTIONS.md, "Instruments, days and files"). */
export interface TruthFile {
  version: 1;
  seed: number;
  params: Record<string, unknown>;
  instruments: { symbol: string; instrument_id: number; tick: number }[];
  minutes: TruthMinute[];
  episodes: TruthEpisode[];
}

/** Progress of a day, reported once per simulated minute. */
export interface SimProgress {
  date: string;
  minute: number;
  minutes: number;
  events: number;
}

/** Options of `simulateDay`. */
export interface SimDayOptions {
  /** Trading date, YYYY-MM-DD. */
  date: string;
  /** Products, default `['6E']`. */
  instruments?: readonly string[];
  seed: number;
  /** Output folder (created when missing). */
  out: string;
  /** Also write `glbx-mdp3-YYYYMMDD.mbo.dbn.zst`. */
  mbo?: boolean;
  /** zstd-compress (default true; `.dbn` names without it). */
  zstd?: boolean;
  params?: Partial<SimParams>;
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
  inspect?: (engine: MatchingEngine, sequence: number) => void;
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

const NS_PER_MIN = 60_000_000_000;
const UNDEF_TICK = Number.NaN;

/** Per-instrument simulation state. */
class InstrumentState implements EmitTarget {
  readonly instrumentId: number;
  readonly tickRaw: number;
  readonly lastTop = new Float64Array(60).fill(UNDEF_TICK);
  readonly engine: MatchingEngine;
  /** Top of book over time (for the spot quotes). */
  readonly path = new BookPath();
  /** Fundamental value, ticks. */
  value: number;
  lastT = 0;
  nextT = 0;
  // Makers' view of aggressive flow (exponentially decayed buy and sell volume).
  buyFlow = 0;
  sellFlow = 0;
  flowT = 0;
  readonly mkBidSlot: Int32Array;
  readonly mkBidId: Float64Array;
  readonly mkAskSlot: Int32Array;
  readonly mkAskId: Float64Array;
  // Walls: slot, id and expiry (ns offset).
  walls: { slot: number; id: number; until: number }[] = [];
  // Episode.
  epDir = 0;
  epIntensity = 0;
  epEnd = 0;
  epStart = 0;
  constructor(
    readonly contract: FutureContract,
    startRaw: number,
    emitter: RecordEmitter,
    ids: { next: number },
    makers: number,
  ) {
    this.instrumentId = contract.instrumentId;
    this.tickRaw = contract.spec.tickRaw;
    const tick = Math.round(startRaw / this.tickRaw);
    this.engine = new MatchingEngine(contract.instrumentId, tick, emitter, ids);
    this.value = tick + 0.5;
    this.mkBidSlot = new Int32Array(makers).fill(-1);
    this.mkAskSlot = new Int32Array(makers).fill(-1);
    this.mkBidId = new Float64Array(makers);
    this.mkAskId = new Float64Array(makers);
  }

  /** Flow imbalance in [−1, 1] (positive: buyers aggressive) at time t. */
  imbalance(t: number, tauNs: number): number {
    const decay = Math.exp(-(t - this.flowT) / tauNs);
    this.buyFlow *= decay;
    this.sellFlow *= decay;
    this.flowT = t;
    const tot = this.buyFlow + this.sellFlow;
    return tot < 5 ? 0 : (this.buyFlow - this.sellFlow) / tot;
  }
}

/** Simulates one trading day (or `window` of it) into `out`. */
export async function simulateDay(opts: SimDayOptions): Promise<SimDayResult> {
  const p: SimParams = { ...DEFAULT_PARAMS, ...opts.params };
  const products = opts.instruments ?? ['6E'];
  if (products.length === 0) throw new SimConfigError('No instruments to simulate');
  const date = opts.date;
  let isTrading: boolean;
  try {
    isTrading = isTradingDate(date);
  } catch (cause) {
    throw new SimConfigError(`Date "${date}" is not a valid YYYY-MM-DD date`, { cause });
  }
  if (!isTrading) throw new SimConfigError(`Date "${date}" is not a trading date (Monday to Friday)`);
  const day = tradingDayBounds(date);
  const win = opts.window ?? day;
  if (!(win.endMs > win.startMs)) throw new SimConfigError(`Empty window [${win.startMs}, ${win.endMs})`);
  const contracts = products.map((pr) => frontContract(pr, date));
  const compact = date.replaceAll('-', '');
  const zstd = opts.zstd !== false;
  const ext = zstd ? '.dbn.zst' : '.dbn';
  mkdirSync(opts.out, { recursive: true });
  const files = {
    mbp10: join(opts.out, `glbx-mdp3-${compact}.mbp-10${ext}`),
    trades: join(opts.out, `glbx-mdp3-${compact}.trades${ext}`),
    definition: join(opts.out, `glbx-mdp3-${compact}.definition${ext}`),
    mbo: opts.mbo ? join(opts.out, `glbx-mdp3-${compact}.mbo${ext}`) : null,
    truth: join(opts.out, `truth-${compact}.json`),
  };
  const withSpot = opts.spot !== false;
  const spotFiles = withSpot ? spotFilePaths(join, opts.out, compact, products, ext) : null;
  const startNs = BigInt(win.startMs) * 1_000_000n;
  const endNs = BigInt(win.endMs) * 1_000_000n;
  const meta = (schema: SchemaName): MetadataInit => ({
    dataset: 'GLBX.MDP3',
    schema,
    start: startNs,
    end: endNs,
    stype_in: 'raw_symbol',
    stype_out: 'instrument_id',
    symbols: contracts.map((c) => c.rawSymbol),
    mappings: contracts.map((c) => ({
      raw_symbol: c.rawSymbol,
      intervals: [
        // From the UTC date of the first record (the evening before the trading date, in UTC).
        { start_date: yyyymmddOf(startNs), end_date: nextDateInt(date), symbol: String(c.instrumentId) },
      ],
    })),
  });
  const encMbp = DbnEncoder.toFile(files.mbp10, { metadata: meta('mbp-10'), zstd });
  const encTr = DbnEncoder.toFile(files.trades, { metadata: meta('trades'), zstd });
  const encMbo = files.mbo ? DbnEncoder.toFile(files.mbo, { metadata: meta('mbo'), zstd }) : null;
  const emitter = new RecordEmitter(
    { mbo: encMbo, mbp10: encMbp, trades: encTr },
    startNs,
    opts.firstSequence ?? 1,
  );

  const rnd = prng(mixSeed(opts.seed, Number(compact)));
  let spare = Number.NaN;
  const gauss = (): number => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = Number.NaN;
      return s;
    }
    const u = 1 - rnd();
    const v = rnd();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const expo = (): number => -Math.log(1 - rnd());
  const geo = (mean: number): number => Math.floor(expo() * mean);

  const ids = { next: 6_400_000_000_000 + Math.floor(rnd() * 1e9) };
  const insts = contracts.map(
    (c) =>
      new InstrumentState(c, opts.startPrices?.[c.spec.product] ?? c.spec.startRaw, emitter, ids, p.makers),
  );
  const truth: TruthFile = {
    version: 1,
    seed: opts.seed,
    params: { date, ...p, window: opts.window ? { start_ms: win.startMs, end_ms: win.endMs } : null },
    instruments: contracts.map((c) => ({
      symbol: c.rawSymbol,
      instrument_id: c.instrumentId,
      tick: c.spec.tickRaw / 1e9,
    })),
    minutes: [],
    episodes: [],
  };

  let regime = p.initialRegime;
  let recvLast = 0;
  let volume = 0;
  let informedVolume = 0;
  let minInformed = 0;
  let minVolume = 0;
  let oneTick = 0;
  let evCount = 0;
  const tauNs = p.toxicityTauS * 1e9;
  const mixTot = p.mix.limit + p.mix.cancel + p.mix.market + p.mix.modify + p.mix.requote;

  /** Time offset of the current event (the spot quotes follow each event's top of book). */
  let curT = 0;
  const begin = (inst: InstrumentState, t: number): void => {
    const recv = Math.max(recvLast, t + p.recvLatencyMinNs + Math.floor(expo() * p.recvLatencyMeanNs));
    recvLast = recv;
    curT = t;
    emitter.begin(inst, t, recv, 10_000 + Math.floor(rnd() * 20_000));
  };
  const inspect = opts.inspect;
  // The futures' top of book over time, which the spot quotes follow (no random draws: the
  // futures output is the same with or without spot).
  const spotMinutes: SpotMinute[] = [];
  const finish = (inst: InstrumentState): void => {
    const before = emitter.nextSequence;
    emitter.end();
    if (emitter.nextSequence === before) return; // nothing published (a no-op modify, say)
    inspect?.(inst.engine, before);
    evCount++;
    const e = inst.engine;
    if (e.bestAsk - e.bestBid === 1) oneTick++;
    if (withSpot && !Number.isNaN(e.bestBid) && !Number.isNaN(e.bestAsk))
      inst.path.push(curT, e.bestBid * inst.tickRaw, e.bestAsk * inst.tickRaw);
  };
  const recordAggression = (inst: InstrumentState, side: number, filled: number, informed: boolean): void => {
    if (filled <= 0) return;
    if (side === BID) inst.buyFlow += filled;
    else inst.sellFlow += filled;
    volume += filled;
    minVolume += filled;
    if (informed) {
      informedVolume += filled;
      minInformed += filled;
    }
  };

  /** Noise limit order: near the touch, clustered on round levels. */
  const noiseAdd = (inst: InstrumentState): void => {
    const e = inst.engine;
    const side = rnd() < 0.5 ? BID : ASK;
    let bb = e.bestBid;
    let ba = e.bestAsk;
    if (Number.isNaN(bb)) bb = (!Number.isNaN(ba) ? ba : Math.floor(inst.value)) - 1;
    if (Number.isNaN(ba)) ba = bb + 1;
    let tick: number;
    if (ba - bb > 1 && rnd() < (regime === 2 ? p.improveProb * p.highVolImproveScale : p.improveProb))
      tick = side === BID ? bb + 1 : ba - 1;
    else {
      const d = Math.min(p.noiseMaxDepth, Math.floor(Math.log(1 - rnd()) / Math.log(1 - p.noiseDepthDecay)));
      tick = side === BID ? bb - d : ba + d;
    }
    const rt = inst.contract.spec.roundTicks;
    if (rnd() < p.roundSnapProb) {
      // The nearest round level on the passive side within reach attracts the order.
      const r = side === BID ? Math.floor(tick / rt) * rt : Math.ceil(tick / rt) * rt;
      const r2 = side === BID ? Math.ceil(tick / rt) * rt : Math.floor(tick / rt) * rt;
      if (Math.abs(r2 - tick) <= p.roundSnapTicks && (side === BID ? r2 < ba : r2 > bb)) tick = r2;
      else if (Math.abs(r - tick) <= p.roundSnapTicks) tick = r;
    }
    let size = 1 + geo(p.noiseMeanSize);
    if (rnd() < p.largeOrderProb) size *= 5;
    if (tick % rt === 0) size = Math.round(size * p.roundSizeMult);
    else if (tick % (rt / 5) === 0) size = Math.round(size * (1 + p.roundSizeMult / 2));
    e.add(side, tick, size, Owner.NOISE);
  };

  const noiseCancel = (inst: InstrumentState): void => {
    const e = inst.engine;
    const n = e.liveCount(Owner.NOISE);
    if (n === 0) return;
    const slot = e.liveAt(Owner.NOISE, Math.floor(rnd() * n));
    const size = e.orderSize(slot);
    // Partial cancels exist at CME (CONVENTIONS.md); their 15 % share is an assumption.
    if (size > 1 && rnd() < 0.15) e.cancel(slot, 1 + Math.floor(rnd() * (size - 1)));
    else e.cancel(slot, size);
  };

  const noiseModify = (inst: InstrumentState): void => {
    const e = inst.engine;
    const n = e.liveCount(Owner.NOISE);
    if (n === 0) return;
    const slot = e.liveAt(Owner.NOISE, Math.floor(rnd() * n));
    const size = e.orderSize(slot);
    const tick = e.orderTick(slot);
    // Assumed split: 40 % size decreases (keep priority), 30 % increases, 30 % one-tick moves.
    const u = rnd();
    if (u < 0.4 && size > 1) e.modify(slot, tick, size - 1 - Math.floor(rnd() * (size - 1)));
    else if (u < 0.7) e.modify(slot, tick, size + 1 + geo(2));
    else {
      const away = e.orderSide(slot) === BID ? -1 : 1;
      e.modify(slot, tick + (rnd() < 0.5 ? away : -away), size);
    }
  };

  const marketOrder = (inst: InstrumentState, side: number, qty: number, informed: boolean): void => {
    const e = inst.engine;
    const best = side === BID ? e.bestAsk : e.bestBid;
    if (Number.isNaN(best)) return;
    // CME protection points are far wider; 2 ticks bounds a noise order's reach.
    const limit = side === BID ? best + 2 : best - 2;
    recordAggression(inst, side, e.aggress(side, qty, limit), informed);
  };

  /** Informed order: aggressive in the episode's direction, sometimes a sweep of 2–4 levels. */
  const informedOrder = (inst: InstrumentState): void => {
    const e = inst.engine;
    const side = inst.epDir > 0 ? BID : ASK;
    const opp = side === BID ? ASK : BID;
    if (rnd() < p.sweepProb) {
      const k = 2 + Math.floor(rnd() * 3);
      const last = e.levelTick(opp, k - 1);
      if (!Number.isNaN(last)) {
        recordAggression(inst, side, e.aggress(side, e.depth(opp, k), last), true);
        return;
      }
    }
    const best = side === BID ? e.bestAsk : e.bestBid;
    if (Number.isNaN(best)) return;
    recordAggression(inst, side, e.aggress(side, 1 + geo(p.informedMeanSize), best), true);
  };

  /** Value trader: takes the touch when the fundamental value has passed it. */
  const valueTrade = (inst: InstrumentState): boolean => {
    const e = inst.engine;
    if (inst.value > e.bestAsk + p.valueEdge) {
      recordAggression(inst, BID, e.aggress(BID, 1 + geo(p.valueMeanSize), e.bestAsk), false);
      return true;
    }
    if (inst.value < e.bestBid - p.valueEdge) {
      recordAggression(inst, ASK, e.aggress(ASK, 1 + geo(p.valueMeanSize), e.bestBid), false);
      return true;
    }
    return false;
  };

  /**
   * A liquidity provider withdraws the newest order at a touch the value has passed. With
   * `staleApproachTicks` > 0 it also thins, before that, the touch the value is nearer to, with a
   * probability rising linearly from zero `staleApproachTicks` inside the touch to one at the
   * touch, leaving its last order: the queue the value approaches is the smaller one, so queue
   * imbalance shows which way the mid will move (Cont & de Larrard 2013), while the mid itself
   * still moves only once the value (or order flow) takes the touch.
   */
  const staleCancel = (inst: InstrumentState): boolean => {
    const e = inst.engine;
    const up = inst.value - e.bestAsk; // NaN when the side is empty
    const down = e.bestBid - inst.value;
    const near = Number.isNaN(up) ? down : Number.isNaN(down) ? up : Math.max(up, down);
    if (Number.isNaN(near)) return false;
    const tick = near === up ? e.bestAsk : e.bestBid;
    const slot = e.levelTail(tick);
    if (!(near > p.valueEdge)) {
      const ramp = p.staleApproachTicks;
      if (!(ramp > 0 && near > -ramp && rnd() * ramp < near + ramp)) return false;
      if (e.orderSize(slot) >= e.sizeAt(tick)) return false; // the last order stays
    }
    e.cancel(slot, e.orderSize(slot));
    return true;
  };

  /** Maker `k` re-quotes both sides around the value, reacting to toxic flow. */
  const requote = (inst: InstrumentState, k: number, t: number): void => {
    const e = inst.engine;
    const imb = inst.imbalance(t, tauNs);
    const a = Math.abs(imb);
    const center = inst.value + imb * p.makerSkewTicks;
    const hitExtra =
      a > p.toxicWiden ? Math.ceil(((a - p.toxicWiden) / (1 - p.toxicWiden)) * p.makerWidenTicks) : 0;
    const regimeExtra = regime === 2 && rnd() < 0.5 ? 1 : 0;
    let bidT = Math.floor(center) - k - regimeExtra - (imb < 0 ? hitExtra : 0);
    let askT = Math.floor(center) + 1 + k + regimeExtra + (imb > 0 ? hitExtra : 0);
    const shrink = a > p.toxicWiden ? 1 - (0.8 * (a - p.toxicWiden)) / (1 - p.toxicWiden) : 1;
    const size = Math.max(1, Math.round(p.makerSize * shrink * (0.7 + 0.6 * rnd())));
    const pull = a > p.toxicPull && rnd() < (a - p.toxicPull) * 2.5;
    const pullBid = pull && imb < 0;
    const pullAsk = pull && imb > 0;
    // Move the side away from the direction of travel first, so the quotes never cross each other.
    const up = center > (e.bestBid + e.bestAsk) / 2;
    for (let pass = 0; pass < 2; pass++) {
      const doAsk = up ? pass === 0 : pass === 1;
      if (doAsk) {
        const bb = e.bestBid;
        if (askT <= bb) askT = bb + 1;
        quote(inst, k, ASK, askT, size, pullAsk);
      } else {
        const ba = e.bestAsk;
        if (bidT >= ba) bidT = ba - 1;
        quote(inst, k, BID, bidT, size, pullBid);
      }
    }
  };
  const quote = (
    inst: InstrumentState,
    k: number,
    side: number,
    tick: number,
    size: number,
    pull: boolean,
  ) => {
    const e = inst.engine;
    const slots = side === BID ? inst.mkBidSlot : inst.mkAskSlot;
    const idsArr = side === BID ? inst.mkBidId : inst.mkAskId;
    const slot = slots[k];
    const live = e.isLive(slot, idsArr[k]);
    if (pull) {
      if (live) e.cancel(slot, e.orderSize(slot));
      slots[k] = -1;
      return;
    }
    if (Number.isNaN(tick)) return;
    if (live) {
      if (!e.modify(slot, tick, size) && e.orderTick(slot) !== tick) {
        e.cancel(slot, e.orderSize(slot));
        slots[k] = -1;
      }
      return;
    }
    const s = e.add(side, tick, size, Owner.MAKER);
    slots[k] = s;
    idsArr[k] = s >= 0 ? e.orderId(s) : 0;
  };

  /** The opening snapshot: a book around the value, published as R + adds flagged F_SNAPSHOT. */
  const snapshot = (inst: InstrumentState, t: number): void => {
    const e = inst.engine;
    begin(inst, t);
    emitter.beginSnapshot();
    e.clear();
    const mid = Math.floor(inst.value);
    for (let d = 0; d < 15; d++) {
      for (let side = 0; side < 2; side++) {
        const n = 1 + Math.floor(rnd() * 3);
        for (let j = 0; j < n; j++)
          e.add(side, side === BID ? mid - d : mid + 1 + d, 1 + geo(p.noiseMeanSize * 2), 0);
      }
    }
    emitter.endSnapshot(e);
    finish(inst);
    for (let k = 0; k < p.makers; k++) {
      begin(inst, t + 1 + k);
      requote(inst, k, t);
      finish(inst);
    }
  };

  const totalMinutes = Math.ceil((win.endMs - win.startMs) / 60_000);
  let opened = false;

  for (let m = 0; m < totalMinutes; m++) {
    const minuteMs = win.startMs + m * 60_000;
    if (!globexOpen(minuteMs)) continue;
    const t0 = m * NS_PER_MIN;
    const t1 = Math.min(t0 + NS_PER_MIN, (win.endMs - win.startMs) * 1_000_000);
    if (opened) {
      // Regimes switch once a minute (a Markov chain on minutes).
      const row = p.regimeTransition[regime];
      const u = rnd();
      regime = u < row[0] ? 0 : u < row[0] + row[1] ? 1 : 2;
    }
    const session = fxSession(minuteMs);
    const ny = localTime(minuteMs, 'America/New_York');
    const announcement = ny.hour === 8 && ny.minute === 30 && ny.weekday >= 1 && ny.weekday <= 5;
    const lateAsia = session === 'tokyo' && (openCentres(minuteMs) & CentreBit.sydney) === 0;
    const level = lateAsia ? p.lateAsiaActivity : p.sessionActivity[session];
    const activity = level * (announcement ? p.announcementActivity : 1);
    const sa = Math.sqrt(level);
    // A jump of the value common to every instrument (USD news), scaled like its volatility.
    const jump = announcement
      ? gauss() * p.announcementJumpTicks
      : rnd() < p.jumpRate
        ? gauss() * p.jumpTicks
        : 0;
    // The common USD factor of the minute, shared by every instrument (see `FutureSpec.usdLoading`).
    const zc = gauss();
    let tMaint = t0;
    for (let i = 0; i < insts.length; i++) {
      const inst = insts[i];
      if (!opened) {
        inst.lastT = t0;
        snapshot(inst, tMaint);
        tMaint += 1 + p.makers;
      }
      if (jump !== 0)
        inst.value += (jump * inst.contract.spec.volScale * inst.contract.spec.usdLoading) / 0.8;
      // Episodes start at a random moment of the minute, more often in active sessions: informed
      // trading and news cluster in the liquid hours (Andersen & Bollerslev 1998), so toxic flow
      // does not flatten the session profile.
      if (inst.epDir === 0 && rnd() < p.episodeRate[regime] * activity) {
        inst.epDir = rnd() < 0.5 ? 1 : -1;
        inst.epIntensity = Math.round((0.3 + 0.7 * rnd()) * 1000) / 1000;
        inst.epStart = t0 + Math.floor(rnd() * NS_PER_MIN);
        const dur = (p.episodeMinMin + expo() * p.episodeMeanExtraMin) * NS_PER_MIN;
        inst.epEnd = inst.epStart + Math.floor(dur);
        truth.episodes.push({
          start: formatTimestamp(startNs + BigInt(inst.epStart))!,
          end: formatTimestamp(startNs + BigInt(inst.epEnd))!,
          symbol: inst.contract.rawSymbol,
          direction: inst.epDir > 0 ? 'buy' : 'sell',
          intensity: inst.epIntensity,
        });
      }
      // Walls: expire old ones, sometimes place a new one.
      for (let w = inst.walls.length - 1; w >= 0; w--) {
        const wall = inst.walls[w];
        if (!inst.engine.isLive(wall.slot, wall.id)) inst.walls.splice(w, 1);
        else if (wall.until <= t0) {
          begin(inst, tMaint++);
          inst.engine.cancel(wall.slot, inst.engine.orderSize(wall.slot));
          finish(inst);
          inst.walls.splice(w, 1);
        }
      }
      if (rnd() < p.wallRate * activity) {
        const e = inst.engine;
        const side = rnd() < 0.5 ? BID : ASK;
        const d = 2 + Math.floor(rnd() * 7);
        const tick = side === BID ? e.bestBid - d : e.bestAsk + d;
        const size = p.wallSize[0] + Math.floor(rnd() * (p.wallSize[1] - p.wallSize[0]));
        if (!Number.isNaN(tick)) {
          begin(inst, tMaint++);
          const slot = e.add(side, tick, size, Owner.WALL);
          finish(inst);
          if (slot >= 0)
            inst.walls.push({
              slot,
              id: e.orderId(slot),
              until: t0 + Math.floor(expo() * p.wallMeanLifeMin * NS_PER_MIN),
            });
        }
      }
    }
    opened = true;
    const rate = p.baseEventRate * activity * p.regimeRate[regime];
    const meanGap = 1e9 / rate;
    spotMinutes.push({ startNs: t0, endNs: t1, rate: rate / p.baseEventRate });
    for (const inst of insts) inst.nextT = Math.max(tMaint, t0) + 1 + Math.floor(expo() * meanGap);
    minInformed = 0;
    minVolume = 0;
    for (;;) {
      let inst = insts[0];
      for (let i = 1; i < insts.length; i++) if (insts[i].nextT < inst.nextT) inst = insts[i];
      const t = inst.nextT;
      if (t >= t1) break;
      inst.nextT = t + 1 + Math.floor(expo() * meanGap);
      // Fundamental value: common USD factor (spread over the minute) + own noise + episode drift.
      const spec = inst.contract.spec;
      const dtMin = (t - inst.lastT) / NS_PER_MIN;
      inst.lastT = t;
      const sigma = p.regimeVol[regime] * spec.volScale * sa;
      const load = spec.usdLoading;
      let dv = sigma * (load * zc * dtMin + Math.sqrt(1 - load * load) * Math.sqrt(dtMin) * gauss());
      const inEpisode = inst.epDir !== 0 && t >= inst.epStart && t < inst.epEnd;
      if (inEpisode) dv += inst.epDir * inst.epIntensity * p.episodeDriftTicksPerMin * dtMin;
      else if (inst.epDir !== 0 && t >= inst.epEnd) inst.epDir = 0;
      inst.value += dv;
      begin(inst, t);
      if (inEpisode && rnd() < inst.epIntensity * p.informedShareMax) informedOrder(inst);
      else if (
        !(rnd() < p.staleCancelProb && staleCancel(inst)) &&
        !(rnd() < p.valueTradeProb && valueTrade(inst))
      ) {
        const nNoise = inst.engine.liveCount(Owner.NOISE);
        const cancelW = p.mix.cancel * Math.min(2, nNoise / p.targetNoiseOrders);
        const u = rnd() * (mixTot - p.mix.cancel + cancelW);
        if (u < p.mix.limit) noiseAdd(inst);
        else if (u < p.mix.limit + cancelW) noiseCancel(inst);
        else if (u < p.mix.limit + cancelW + p.mix.market)
          marketOrder(inst, rnd() < 0.5 ? BID : ASK, 1 + geo(p.marketMeanSize), false);
        else if (u < p.mix.limit + cancelW + p.mix.market + p.mix.modify) noiseModify(inst);
        else requote(inst, Math.floor(rnd() * p.makers), t);
      }
      finish(inst);
    }
    truth.minutes.push({
      ts: new Date(minuteMs).toISOString().replace('.000Z', 'Z'),
      regime: REGIMES[regime],
      informed_share: minVolume > 0 ? Math.round((minInformed / minVolume) * 1e4) / 1e4 : 0,
      session,
    });
    opts.onProgress?.({ date, minute: m + 1, minutes: totalMinutes, events: evCount });
  }

  await encMbp.end();
  await encTr.end();
  await encMbo?.end();
  const encDef = DbnEncoder.toFile(files.definition, { metadata: meta('definition'), zstd });
  for (const c of contracts) encDef.write(definitionRecord(c, startNs));
  await encDef.end();
  writeFileSync(files.truth, `${JSON.stringify(truth, null, 1)}\n`);
  const spot = spotFiles
    ? await writeSpotDay({
        date,
        seed: opts.seed,
        startNs,
        endNs,
        contracts,
        paths: insts.map((i) => i.path),
        minutes: spotMinutes,
        files: spotFiles,
        zstd,
        params: opts.spotParams,
      })
    : null;

  const closePrices: Record<string, number> = {};
  for (const inst of insts) closePrices[inst.contract.spec.product] = Math.round(inst.value) * inst.tickRaw;
  return {
    date,
    files: {
      ...files,
      spotMbp1: spotFiles?.mbp1 ?? null,
      spotOhlcv1m: spotFiles?.ohlcv1m ?? null,
      igPrices: spotFiles ? spotFiles.prices[spotSpec(products[0]).pair] : null,
      igPricesByPair: spotFiles?.prices ?? {},
    },
    truth,
    spot,
    counts: { ...emitter.counts },
    volume,
    informedVolume,
    oneTickShare: evCount > 0 ? oneTick / evCount : 0,
    closePrices,
    nextSequence: emitter.nextSequence,
  };
}

/** Options of `simulate`: several trading days into one folder. */
export interface SimulateOptions
  extends Pick<
    SimDayOptions,
    'instruments' | 'seed' | 'out' | 'mbo' | 'zstd' | 'params' | 'spot' | 'spotParams'
  > {
  /** Number of trading days (weekends skipped). */
  days: number;
  /** First trading date, YYYY-MM-DD. */
  start: string;
  onProgress?: (p: SimProgress & { day: number; days: number }) => void;
}

/** Simulates `days` consecutive trading days; each day starts at the previous day's closing value. */
export async function simulate(opts: SimulateOptions): Promise<SimDayResult[]> {
  const dates = tradingDates(opts.start, opts.days);
  const out: SimDayResult[] = [];
  let prices: Record<string, number> | undefined;
  let seq = 1;
  for (let d = 0; d < dates.length; d++) {
    const r = await simulateDay({
      date: dates[d],
      instruments: opts.instruments,
      seed: opts.seed,
      out: opts.out,
      mbo: opts.mbo,
      zstd: opts.zstd,
      params: opts.params,
      spot: opts.spot,
      spotParams: opts.spotParams,
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

/** A 32-bit seed from the run seed and the date (splitmix-style mixing). */
function mixSeed(seed: number, dateInt: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ dateInt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** YYYYMMDD of the calendar day after `date`. */
function nextDateInt(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`) + 86_400_000;
  return Number(new Date(t).toISOString().slice(0, 10).replaceAll('-', ''));
}
