/**
 * The decision loop: market data → feature engine → techniques and regime → triggers → the
 * decision pipeline. Backtest, demo and (later) paper and live trading run this same code.
 *
 * Decisions are triggered, not taken on every tick (issue 7; DESIGN.md): a closed 1-minute bar (a
 * `setup` trigger when a technique fired on it, else `bar`), a sweep alert that took at least
 * `sweepTriggerLevels` levels (`sweep`, at most one per `sweepCooldownMs` per instrument) and VPIN
 * rising through `vpinThreshold` (`toxicity`). A trigger
 * freezes what the analysts will read at that moment (the snapshot, the setups still valid, the
 * regime state); the pipeline then runs on that frozen input at the next 1-s grid point, so
 * market data keeps flowing in between and nothing a decision reads can change under it.
 *
 * Prior-day levels on a contract roll: the techniques' session tracker of each contract takes its
 * own previous FX day; on the roll date of a product, for its new front month, the feature engine
 * decides instead (`FeatureEngine.priorDay`, `frontPriorDay`): the new front's own bar of the
 * previous trading date, or none when it did not trade then (a stale older day is not used).
 *
 * The regime comes from a fitted model (`RegimeModelFile`) fed one observation a minute
 * (`MinuteObserver`, deseasonalised like the fit), for instruments of the product it was fitted on;
 * without a model (or for other products) the regime is unknown.
 */

import type { AgentInput, RegimeState } from '../agents/index.js';
import type { BookView } from '../book/index.js';
import {
  type Clock,
  frontMonth,
  fxFutureRoot,
  InvalidOptionError,
  tradingDatesBefore,
  tradingDayBounds,
} from '../core/index.js';
import { indexTsNs, type RecordBatch, type RecordCursor, RType } from '../data/dbn/index.js';
import { replay } from '../data/index.js';
import type { Trader } from '../execution/index.js';
import {
  type Bar,
  type DayLevels,
  FeatureEngine,
  type FeatureEngineOptions,
  type FeatureSnapshot,
  type SessionLevelsView,
} from '../features/index.js';
import {
  DEFAULT_TECHNIQUES_CONFIG,
  fillContext,
  MinuteObserver,
  noteSweep,
  RegimeFilter,
  type RegimeModelFile,
  type Setup,
  type SweepAlert,
  type TechniqueContext,
  TechniqueSet,
  type TechniquesConfig,
} from '../strategy/index.js';
import type { Decision, DecisionPipeline, Trigger } from './pipeline.js';
import { type SpotLeg, spotLots, spotTerms } from './spot-route.js';
import { MAX_CLOSES } from './warmup.js';

export interface DecisionLoopOptions {
  /** The pipeline that decides on each grid point's triggers; give it, or `onGrid`. */
  readonly pipeline?: DecisionPipeline;
  /**
   * Instead of a pipeline: each grid point's time and the triggers queued since the previous one
   * (often none), handed over for another stage to decide (services/featurize.ts); at the end of a
   * replay (`run`), those after the last grid point are handed over with its time. The loop then
   * takes no decision and trades nothing.
   */
  readonly onGrid?: (tNs: bigint, pending: readonly PendingDecision[]) => void;
  /** A fitted regime model; none = regime unknown. */
  readonly regime?: RegimeModelFile | null;
  readonly techniques?: TechniquesConfig;
  /** Tick size in decimal price units for every instrument (default: each one's, from the engine). */
  readonly tickSize?: number;
  /** VPIN value that triggers a toxicity decision (default 0.8). */
  readonly vpinThreshold?: number;
  /** At most one sweep-triggered decision per instrument in this many ms (default 5,000). */
  readonly sweepCooldownMs?: number;
  /**
   * Levels a sweep must take to trigger a decision (default 3); smaller alerts still reach the
   * analysts as recent sweeps and the techniques' context.
   */
  readonly sweepTriggerLevels?: number;
  /** Options of the feature engine (VPIN bucket, Stoikov model …); its triggers are the loop's. */
  readonly engine?: Omit<FeatureEngineOptions, 'onBar' | 'onSweep' | 'onVpin'>;
  /**
   * The clock of paper and live trading: a decision's `nowMs` is then when it runs, so the stale-data
   * check sees how old its snapshot is. Without one (backtests) it is the trigger's time.
   */
  readonly clock?: Clock;
  /**
   * The execution layer: it is shown the same market data (so a paper broker fills against the
   * books the decisions saw), and every approved decision becomes a bracket on its broker. The
   * pipeline's validators should read the same trader (`PipelineOptions.portfolio`). None: the
   * decisions are only recorded.
   */
  readonly trader?: Trader | null;
  /**
   * Time from a decision's trigger to its orders, ms (default 0: the next 1-s grid point after the
   * trigger, when the pipeline has run). A backtest of a slower pipeline (20 s for a sequential one)
   * sets it so that its decisions meet the later prices they would have met; whole seconds, as the
   * replay's grid is 1 s.
   */
  readonly decisionLatencyMs?: number;
  /**
   * Shown every record once the engine applied it, with the book it updated (null for other
   * records), before the trader: paper and live trading's feed-health monitor, whose verdict the
   * trader's risk checks read.
   */
  readonly watch?: (c: RecordCursor, book: BookView | null) => void;
  /**
   * What approved decisions are traded on (execution.tradeOn): the future they were taken on
   * (default), or its spot pair, with prices, direction and size carried across (spot-route.ts).
   */
  readonly tradeOn?: 'future' | 'spot';
}

/** Per-instrument state of the loop. */
interface Instrument {
  readonly techniques: TechniqueSet;
  readonly ctx: TechniqueContext;
  readonly observer: MinuteObserver;
  readonly filter: RegimeFilter | null;
  /** Setups still valid, newest last. */
  setups: Setup[];
  /** Recent 1-minute closes, oldest first (at most `MAX_CLOSES`). */
  closes: number[];
  /** Sweep alerts of the last `SWEEP_MEMORY_MS`. */
  sweeps: SweepAlert[];
  lastSweepMs: number;
}

/** Sweeps kept for the toxicity analyst's count. */
const SWEEP_MEMORY_MS = 60_000;

/** A trigger and the frozen input its decision reads. */
export interface PendingDecision {
  readonly trigger: Trigger;
  readonly input: AgentInput;
}
type Pending = PendingDecision;

const SECOND_NS = 1_000_000_000n;
const MINUTE_NS = 60_000_000_000n;

export class DecisionLoop {
  readonly engine: FeatureEngine;
  readonly #pipeline: DecisionPipeline | null;
  readonly #onGrid: ((tNs: bigint, pending: readonly PendingDecision[]) => void) | null;
  readonly #regime: RegimeModelFile | null;
  readonly #techConfig: TechniquesConfig;
  readonly #tick: number | undefined;
  readonly #cooldown: number;
  readonly #sweepLevels: number;
  readonly #clock: Clock | null;
  readonly #trader: Trader | null;
  readonly #watch: ((c: RecordCursor, book: BookView | null) => void) | null;
  /** The replay's time at the last grid point, ns (when queued decisions are acted on). */
  #nowNs = 0n;
  /** The first whole minute after the last grid point that looked for one (ns). */
  #nextMinuteNs = -1n;
  readonly #latencyNs: bigint;
  readonly #tradeOn: 'future' | 'spot';
  /** Decisions waiting for their latency to pass before the trader acts on them, oldest first. */
  readonly #late: { dueNs: bigint; d: Decision; input: AgentInput }[] = [];
  readonly #byId = new Map<number, Instrument>();
  /** The instrument of the last record and its id (most records follow one of their own). */
  #lastInst: Instrument | undefined = undefined;
  #lastInstId = -1;
  readonly #queue: Pending[] = [];
  readonly #obs = new Float64Array(2);
  readonly decisions: Decision[] = [];
  readonly #barListeners: ((instrumentId: number, bar: Bar) => void)[] = [];
  /** Live mode: the latest ts_recv pushed (ns; −1 before the first record). */
  lastRecordNs = -1n;
  /** Live mode: the next grid point (ns; −1 before the first record) and the decisions running. */
  #nextGridNs = -1n;
  #draining: Promise<void> | null = null;

  constructor(opts: DecisionLoopOptions) {
    if ((opts.pipeline === undefined) === (opts.onGrid === undefined))
      throw new InvalidOptionError(
        'pipeline',
        'both or neither',
        'a pipeline or an onGrid hand-over, one of them',
      );
    this.#pipeline = opts.pipeline ?? null;
    this.#onGrid = opts.onGrid ?? null;
    this.#regime = opts.regime ?? null;
    this.#techConfig = opts.techniques ?? DEFAULT_TECHNIQUES_CONFIG;
    this.#tick = opts.tickSize;
    this.#cooldown = opts.sweepCooldownMs ?? 5_000;
    this.#sweepLevels = opts.sweepTriggerLevels ?? 3;
    this.#clock = opts.clock ?? null;
    this.#trader = opts.trader ?? null;
    this.#watch = opts.watch ?? null;
    this.#tradeOn = opts.tradeOn ?? 'future';
    const latency = opts.decisionLatencyMs ?? 0;
    if (!(latency >= 0) || !Number.isFinite(latency))
      throw new InvalidOptionError('decisionLatencyMs', latency, 'a duration in ms >= 0');
    this.#latencyNs = BigInt(Math.round(latency * 1e6));
    this.engine = new FeatureEngine({
      ...opts.engine,
      onBar: (snap, bar) => {
        const inst = this.#instrument(snap);
        if (Number.isFinite(bar.close)) {
          inst.closes.push(bar.close);
          if (inst.closes.length > MAX_CLOSES) inst.closes.shift();
        }
        fillContext(inst.ctx, snap);
        const fired = inst.techniques.onBar(bar, inst.ctx);
        const nowMs = msOf(snap);
        inst.setups = inst.setups.filter((s) => s.validUntilMs > nowMs);
        if (fired.length > 0) inst.setups.push(...fired);
        const detail =
          fired.length > 0 ? [...new Set(fired.map((s) => s.technique))].sort().join(',') : undefined;
        this.#trigger(inst, snap, fired.length > 0 ? 'setup' : 'bar', detail);
        for (const l of this.#barListeners) l(snap.instrument_id, bar);
      },
      onSweep: (snap, info) => {
        const inst = this.#instrument(snap);
        const t = msOf(snap);
        noteSweep(inst.ctx, info, t);
        if (inst.ctx.sweep !== null) inst.sweeps.push(inst.ctx.sweep);
        if (info.levels < this.#sweepLevels || t - inst.lastSweepMs < this.#cooldown) return;
        inst.lastSweepMs = t;
        this.#trigger(inst, snap, 'sweep', `${info.levels} levels, ${info.qty} lots`);
      },
      onVpin: {
        threshold: opts.vpinThreshold ?? 0.8,
        callback: (snap) =>
          this.#trigger(this.#instrument(snap), snap, 'toxicity', `VPIN ${snap.vpin.toFixed(3)}`),
      },
    });
  }

  #instrument(snap: FeatureSnapshot): Instrument {
    let inst = this.#byId.get(snap.instrument_id);
    if (inst === undefined) {
      const techniques = new TechniqueSet(this.#techConfig, {
        collect: false,
        onDayBegin: this.#rollPriorDay(snap.instrument_id, snap.symbol),
      });
      inst = {
        techniques,
        ctx: techniques.context(snap.symbol, this.#tick ?? this.engine.tickSize(snap.instrument_id) * 1e-9),
        observer: new MinuteObserver(),
        filter: this.#regimeFor(snap.symbol),
        setups: [],
        closes: [],
        sweeps: [],
        lastSweepMs: Number.NEGATIVE_INFINITY,
      };
      this.#byId.set(snap.instrument_id, inst);
      this.#trader?.addInstrument({ instrumentId: snap.instrument_id, symbol: snap.symbol });
    }
    return inst;
  }

  /**
   * For a CME FX future: on its product's roll date, when it is the new front, its prior day is the
   * engine's (`frontPriorDay`: its own previous trading date, or none). Other days and instruments
   * keep the tracker's own.
   */
  #rollPriorDay(id: number, symbol: string): ((date: string, prior: DayLevels) => void) | undefined {
    const product = fxFutureRoot(symbol);
    if (product === undefined) return undefined;
    return (date, prior) => {
      const previous = tradingDatesBefore(date, 1)[0];
      if (frontMonth(product, date).symbol !== symbol || frontMonth(product, previous).symbol === symbol)
        return;
      const p = this.engine.priorDay(id);
      if (p === undefined) prior.begin('', Number.NaN, Number.NaN);
      else if (p.date === previous && p.date !== prior.date) {
        const b = tradingDayBounds(p.date);
        prior.setLevels(p.date, b.startMs, b.endMs, p.high, p.low, p.close);
      }
    };
  }

  /**
   * Adds a listener called with each closed 1-minute trade bar (decimal prices) once the techniques
   * read it; the bar is the engine's reused object: copy what you keep.
   */
  onBar(listener: (instrumentId: number, bar: Bar) => void): void {
    this.#barListeners.push(listener);
  }

  /** The regime model's state for `instrumentId` now, or null without a model (or before it is ready). */
  regime(instrumentId: number): RegimeState | null {
    const inst = this.#byId.get(instrumentId);
    return inst === undefined ? null : this.#regimeState(inst);
  }

  /** The session levels the techniques of `instrumentId` read; undefined before its first bar. */
  sessions(instrumentId: number): SessionLevelsView | undefined {
    return this.#byId.get(instrumentId)?.techniques.sessions;
  }

  /** A filter of the regime model for `symbol`: only for the product it was fitted on (6E, 6B …). */
  #regimeFor(symbol: string): RegimeFilter | null {
    const m = this.#regime;
    if (m === null) return null;
    if (m.symbol !== '' && m.symbol.slice(0, 2) !== symbol.slice(0, 2)) return null;
    return new RegimeFilter(m.loaded);
  }

  #regimeState(inst: Instrument): RegimeState | null {
    const f = inst.filter;
    if (f === null || !f.isReady) return null;
    const tr = f.transitionCount > 0 ? f.transitions().at(-1) : undefined;
    return {
      state: f.stateName ?? String(f.state),
      probability: f.probabilities[f.state],
      probabilities: Array.from(f.probabilities),
      stance: f.stance ?? 'momentum',
      lastTransitionMs: tr === undefined ? Number.NaN : tr.tMs,
    };
  }

  #trigger(inst: Instrument, snap: FeatureSnapshot, kind: Trigger['kind'], detail?: string): void {
    const t = msOf(snap);
    inst.sweeps = inst.sweeps.filter((x) => x.tMs > t - SWEEP_MEMORY_MS);
    // Setups expire between bars too (a sweep or VPIN trigger comes before the next bar closes).
    inst.setups = inst.setups.filter((x) => x.validUntilMs > t);
    this.#queue.push({
      trigger: detail === undefined ? { kind, tMs: t } : { kind, tMs: t, detail },
      input: Object.freeze({
        snapshot: snap,
        setups: Object.freeze([...inst.setups]),
        regime: this.#regimeState(inst),
        nowMs: t,
        lastEventMs: t,
        closes: Object.freeze([...inst.closes]),
        recentSweeps: Object.freeze([...inst.sweeps]),
      }),
    });
  }

  /**
   * Replays `files` (merged by ts_recv), taking the triggered decisions in order; the pipeline is
   * warmed up first (`DecisionPipeline.warmUp`, bounded, a no-op when off or done already). `pace`,
   * called at each grid second once its decisions are taken, may hold the replay back (a backtest
   * watched as it runs, backtest/paced.ts); it changes when records are read, never what is done.
   */
  async run(
    files: readonly string[],
    onProgress?: (bytesRead: number) => void,
    range: { readonly fromNs?: bigint; readonly toNs?: bigint } = {},
    pace?: (tNs: bigint) => Promise<void> | undefined,
  ): Promise<{ records: number }> {
    await this.#pipeline?.warmUp();
    const trader = this.#trader;
    const { records } = await replay(files, this.engine, {
      everyNs: SECOND_NS,
      fromNs: range.fromNs,
      toNs: range.toNs,
      beforeRecord: trader === null ? undefined : (c) => bookRecord(c) && trader.before(c),
      onRecord: (c) => this.#onRecord(c),
      // A second with no decision pending returns no promise: the replay need not wait for it.
      onGrid: (tNs) => {
        this.#grid(tNs);
        const deciding = this.#queue.length > 0 ? this.#drain() : undefined;
        if (pace === undefined) return deciding;
        return deciding === undefined ? pace(tNs) : deciding.then(() => pace(tNs));
      },
      onProgress,
    });
    // Triggers after the last grid point: decided now, or handed over with the last grid time.
    if (this.#onGrid === null) await this.#drain();
    else if (this.#queue.length > 0) this.#onGrid(this.#nowNs, this.#queue.splice(0, this.#queue.length));
    return { records };
  }

  /**
   * Live mode (paper and live trading): one record as it arrives, read from `batch` at `index`.
   * Grid points it passes are run first (`tick`); triggered decisions then run off the feed, one at
   * a time, and reach the trader when they are done, at the clock's time (`settled` waits for them).
   */
  push(batch: RecordBatch, index: number): void {
    const c = batch.at(index);
    const t = indexTsNs(c);
    if (t > this.lastRecordNs) this.lastRecordNs = t;
    this.tick(t);
    const trader = this.#trader;
    if (trader !== null && bookRecord(c)) trader.before(c);
    if (c.rtype === RType.INSTRUMENT_DEF) this.engine.applyDefinition(batch.toObject(index));
    else this.engine.apply(c);
    this.#onRecord(c);
  }

  /**
   * Live mode, before the session's first record (a resumed session's earlier data): the record
   * goes to the feature engine only, so books and windows are warm; nothing is triggered or traded.
   */
  warm(batch: RecordBatch, index: number): void {
    const c = batch.at(index);
    if (c.rtype === RType.INSTRUMENT_DEF) this.engine.applyDefinition(batch.toObject(index));
    else this.engine.apply(c);
    // Bars and alerts of the warm-up are history: techniques saw them, no decision is taken on them.
    this.#queue.length = 0;
  }

  /**
   * Live mode: runs every grid point (whole seconds) up to and including `tNs`, as the replay does
   * between records; a feed calls it with each record's `ts_recv`, a timer with the clock's time
   * while the market is quiet. Queued decisions start without being waited for.
   */
  tick(tNs: bigint): void {
    if (this.#nextGridNs < 0n) this.#nextGridNs = ((tNs + SECOND_NS - 1n) / SECOND_NS) * SECOND_NS;
    while (this.#nextGridNs < tNs) {
      const t = this.#nextGridNs;
      this.engine.advance(t);
      this.#grid(t);
      this.#nextGridNs = t + SECOND_NS;
    }
    // Handed over at grid points (`onGrid`), triggers are not decided here.
    if (this.#queue.length > 0 && this.#draining === null && this.#onGrid === null)
      this.#draining = this.#drain().finally(() => {
        this.#draining = null;
      });
  }

  /** Live mode: the decisions running (null when none is). */
  get running(): Promise<void> | null {
    return this.#draining;
  }

  /** Live mode: resolves when no decision is running or queued. */
  async settled(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  /** After the engine applied `c`: the trader's matching and marks, and the regime's minute. */
  #onRecord(c: RecordCursor): void {
    // The book this record updated (none for trades and other records) is the trader's too.
    const engine = this.engine;
    const book = engine.lastBook;
    if (this.#watch !== null) this.#watch(c, book);
    if (this.#trader !== null && book !== null) this.#trader.after(c, book);
    const id = c.instrumentId;
    let inst = this.#lastInst;
    if (inst === undefined || this.#lastInstId !== id) {
      inst = this.#byId.get(id);
      if (inst !== undefined) {
        this.#lastInst = inst;
        this.#lastInstId = id;
      }
    }
    // Minute observations feed the regime filter only: without one they are not taken.
    if (inst !== undefined) {
      if (inst.filter !== null) inst.observer.record(c);
    } else if (c.rtype === 10 || c.rtype === 1) {
      const snap = engine.snapshot(c.instrumentId);
      if (snap !== null) {
        const added = this.#instrument(snap);
        if (added.filter !== null) added.observer.record(c);
      }
    }
  }

  /** A grid point: late decisions reach the trader, and a whole minute closes the regime's minute. */
  #grid(tNs: bigint): void {
    this.#nowNs = tNs;
    this.#actOnLate(tNs);
    // Grid points come a second apart: a minute's end is looked for once it may have come.
    if (tNs >= this.#nextMinuteNs) {
      if (tNs % MINUTE_NS === 0n) this.#closeMinute(Number(tNs / 1_000_000n));
      this.#nextMinuteNs = (tNs / MINUTE_NS + 1n) * MINUTE_NS;
    }
    const handOver = this.#onGrid;
    if (handOver !== null) handOver(tNs, this.#queue.splice(0, this.#queue.length));
  }

  #closeMinute(endMs: number): void {
    const model = this.#regime;
    if (model === null) return;
    for (const [id, inst] of this.#byId) {
      if (inst.filter === null) continue;
      const snap = inst.observer.events > 0 ? this.engine.snapshot(id) : null;
      const m = inst.observer.close(endMs, snap, this.engine.tickSize(id));
      if (m === null) continue;
      this.#obs[0] = m.logRv;
      this.#obs[1] = m.logEvents;
      inst.filter.update(endMs, model.seasonality.applyOne(m.startMs, this.#obs, this.#obs));
    }
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const p = this.#queue.shift() as Pending;
      const clock = this.#clock;
      const input = clock === null ? p.input : Object.freeze({ ...p.input, nowMs: clock.now() });
      const d = await (this.#pipeline as DecisionPipeline).decide(p.trigger, input);
      this.decisions.push(d);
      if (this.#trader !== null) {
        const nowNs = clock === null ? this.#nowNs : BigInt(clock.now()) * 1_000_000n;
        if (this.#latencyNs === 0n) this.#execute(this.#trader, d, input, nowNs);
        else this.#late.push({ dueNs: BigInt(p.trigger.tMs) * 1_000_000n + this.#latencyNs, d, input });
      }
    }
  }

  /** Decisions whose latency has passed by `tNs` reach the trader, at `tNs`. */
  #actOnLate(tNs: bigint): void {
    const trader = this.#trader;
    while (trader !== null && this.#late.length > 0 && this.#late[0].dueNs <= tNs) {
      const { d, input } = this.#late.shift() as { d: Decision; input: AgentInput };
      this.#execute(trader, d, input, tNs);
    }
  }

  /** A decision reaches the trader (`actOnDecision`), on the future or on its spot pair. */
  #execute(trader: Trader, d: Decision, input: AgentInput, nowNs: bigint): void {
    actOnDecision(trader, d, input, nowNs, this.#tradeOn === 'spot' ? (snap) => this.#spotLeg(snap) : null);
  }

  /** The spot pair a future's decision trades on, with both mids now; null without a spot quote. */
  #spotLeg(snap: FeatureSnapshot): SpotLegOf | null {
    const pair = this.engine.spotOf(snap.instrument_id);
    const root = fxFutureRoot(snap.symbol);
    if (pair === undefined || root === undefined || !(snap.mid > 0)) return null;
    const spotMidRaw = this.#midRaw(pair.spotId);
    if (!(spotMidRaw > 0)) return null;
    const symbol = this.engine.symbolOf(pair.spotId);
    // Quotes of the pair before the trader knew it reached no trader: it gets the book as it stands.
    const book = this.engine.book(pair.spotId, false) ?? undefined;
    if (symbol !== undefined) this.#trader?.addInstrument({ instrumentId: pair.spotId, symbol }, book);
    return {
      spotId: pair.spotId,
      root,
      invert: pair.invertSpot,
      futureMidRaw: Math.round(snap.mid * 1e9),
      spotMidRaw,
    };
  }

  /**
   * The mid (raw) now of `pair`, the spot pair of a future the loop decides on (its MBP book), or
   * NaN before its first quote.
   */
  midRaw(pair: string): number {
    for (const id of this.#byId.keys()) {
      const spot = this.engine.spotOf(id)?.spotId;
      if (spot !== undefined && this.engine.symbolOf(spot) === pair) return this.#midRaw(spot);
    }
    return Number.NaN;
  }

  #midRaw(instrumentId: number): number {
    const book = this.engine.book(instrumentId, false);
    if (book === null) return Number.NaN;
    const bid = book.bestBidPx;
    const ask = book.bestAskPx;
    return bid > 0 && ask > 0 ? (bid + ask) / 2 : Number.NaN;
  }
}

/** Records that change a book (and so reach a trader): MBO, MBP-10 and MBP-1. */
function bookRecord(c: RecordCursor): boolean {
  const rt = c.rtype;
  return rt === RType.MBO || rt === RType.MBP_10 || rt === RType.MBP_1;
}

/** The spot pair a future's decision is traded on, with both mids now. */
export type SpotLegOf = SpotLeg & { readonly spotId: number; readonly root: string };

/**
 * A decision reaches the trader: the VPIN CDF for its veto, the toxicity policy when the toxicity
 * analyst raised risk-off or a sweep, and the bracket when it was approved. With `spotLeg` (trading
 * on the spot pair) the bracket moves to the pair it returns, refused when there is no quote.
 */
export function actOnDecision(
  trader: Trader,
  d: Decision,
  input: AgentInput,
  nowNs: bigint,
  spotLeg: ((snap: FeatureSnapshot) => SpotLegOf | null) | null,
): void {
  const snap = input.snapshot;
  let id = snap.instrument_id;
  let target = d.approval.direction === 'long' ? d.approval.size : -d.approval.size;
  let terms = tradeTerms(d, input);
  if (spotLeg !== null) {
    const leg = spotLeg(snap);
    if (leg === null) {
      if (d.approval.approved && d.approval.direction !== 'flat')
        trader.refuse(id, 'NO_MARKET_DATA', `no quote of ${snap.symbol}'s spot pair to trade it on`);
      return;
    }
    id = leg.spotId;
    target = spotLots(target, leg.root, leg);
    terms = spotTerms(terms, leg);
  }
  trader.setToxicity(id, snap.vpin_cdf);
  const tox = d.signals.find((s) => s.agent === 'toxicity');
  const alarm = tox?.flags.find((f) => f === 'risk_off' || f === 'sweep');
  if (alarm !== undefined) trader.onToxicity(id, nowNs, `toxicity analyst: ${alarm}`);
  if (!d.approval.approved || d.approval.direction === 'flat') return;
  trader.act({ instrumentId: id, target, decisionId: d.id, ...terms }, nowNs);
}

/** Raw 1e-9 units of a decimal price the analysts gave, or null. */
function raw(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v * 1e9) : null;
}

/**
 * What a bracket needs from a decision: the technical analyst's best setup (entry, stop, target),
 * the market-making analyst's passive price and the snapshot's ATR, in raw price units.
 */
export function tradeTerms(
  d: Decision,
  input: AgentInput,
): {
  setup: { entry: number; stop: number; target: number } | null;
  passivePx: number | null;
  atrRaw: number;
} {
  const ev = d.signals.find((s) => s.agent === 'technical')?.evidence ?? {};
  const entry = raw(ev.best_entry);
  const stop = raw(ev.best_stop);
  const target = raw(ev.best_target);
  const mm = d.signals.find((s) => s.agent === 'market_making');
  const atr = input.snapshot.atr_7;
  return {
    setup: entry !== null && stop !== null && target !== null ? { entry, stop, target } : null,
    passivePx: raw(mm?.passivePrice),
    atrRaw: Number.isFinite(atr) && atr > 0 ? atr * 1e9 : Number.NaN,
  };
}

function msOf(snap: FeatureSnapshot): number {
  return Number(snap.ts_ns / 1_000_000n);
}
