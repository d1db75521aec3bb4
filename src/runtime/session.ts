/**
 * A trading session: a feed into the decision loop's live mode, the decision pipeline on the
 * session's clock, and a trader on a broker (the paper broker, IG or FIX), run until the feed ends
 * or the session is stopped; then a graceful end: no new orders, working orders cancelled,
 * positions closed when configured, and the reports of those orders awaited.
 *
 * Paper and live trading run this same code as a backtest runs (`DecisionLoop`, `Trader`); what
 * differs is only where records come from (`Feed`) and the clock, which is the feed's (market time
 * of a paced replay, or the wall clock of a live feed).
 */
import { FeedHealth } from '../book/index.js';
import { type Clock, type Logger, rootLogger } from '../core/index.js';
import { hasTsRecv, type RecordBatch, type RecordCursor } from '../data/index.js';
import {
  type Broker,
  type ExecutionConfig,
  feedHealthOptions,
  type OrderRole,
  type OrderSpec,
  paperTrader,
  type Trader,
  venueTrader,
} from '../execution/index.js';
import type { SqliteStateStore } from '../infra/index.js';
import type { LlmProvider } from '../llm/index.js';
import {
  type Decision,
  DecisionLoop,
  type DecisionLoopOptions,
  DecisionPipeline,
  decisionPortfolio,
  type PipelineConfig,
  type Tier1,
} from '../pipeline/index.js';
import type { FeedSink, FeedSummary } from './file-feed.js';
import { type Resume, SessionJournal } from './journal.js';

/** A source of records: a paced replay of files, or a live gateway. */
export interface Feed {
  /** The session's time: market time of a replay, the wall clock of a live feed. */
  readonly clock: Clock;
  /** Replay speed (1 for a live feed; 0 for a replay as fast as it reads). */
  readonly speed: number;
  /** Delivers records to `sink` until the feed ends or its signal stops it. */
  run(sink: FeedSink): Promise<FeedSummary>;
}

/** What a session trades with: the analysts, the pipeline, execution and the loop's settings. */
export interface SessionSetup {
  readonly tier1: Tier1;
  readonly pipeline: PipelineConfig;
  readonly execution: ExecutionConfig;
  readonly loop?: Omit<DecisionLoopOptions, 'pipeline' | 'trader' | 'clock'>;
  readonly llm?: LlmProvider | null;
  readonly logger?: Logger;
}

export interface SessionOptions {
  readonly setup: SessionSetup;
  readonly feed: Feed;
  /** A venue's broker to trade on (IG, FIX), connected and reconciled; default the paper broker. */
  readonly broker?: Broker;
  /** Client order ids of the default paper trader (default `paper`). */
  readonly runId?: string;
  /** Close every position at the end (default false: working orders are cancelled, positions kept). */
  readonly flattenOnStop?: boolean;
  /** How long the end waits for the broker's answers to its cancels and closes, ms (default 5,000). */
  readonly stopGraceMs?: number;
  /** Called with each decision as it is taken. */
  readonly onDecision?: (d: Decision) => void;
  /**
   * The feed-health monitor every record passes (default: one from `execution.risk.feed`). The
   * default paper trader reads its verdict; a trader given here should be built with
   * `dataTrust: (id) => health.whyUntrusted(id)`.
   */
  readonly health?: FeedHealth;
  /**
   * The state store (runtime/journal.ts): orders go in before they are sent, and with them their
   * reports, fills, decisions, the day's loss state, the kill switch and the feed's position.
   */
  readonly store?: SqliteStateStore;
  /** A restarted session's state, read from the store (`resumeOf`) before the feed was made. */
  readonly resume?: Resume;
  /** The feed's name in the store (default `files`). */
  readonly feedName?: string;
}

/** What a session's status line and metrics show. */
export interface SessionStatus {
  /** Market time of the session's clock, ms. */
  readonly nowMs: number;
  /** Records delivered, and the ts_recv of the last one (ms; NaN before one). */
  readonly records: number;
  readonly lastRecordMs: number;
  /** How far the last record is behind the clock, ms (NaN before one). */
  readonly feedLagMs: number;
  readonly decisions: number;
  readonly orders: number;
  readonly fills: number;
  readonly openOrders: number;
  /** Signed position per symbol (instruments with a position only). */
  readonly positions: Readonly<Record<string, number>>;
  /** P&L since the trading day began, and the account's equity, USD. */
  readonly dayPnl: number;
  readonly equity: number;
  /** `killed`, the day's halt (DAILY_LOSS, DRAWDOWN), `stopped`, `paused` (no new entries), or `trading`. */
  readonly risk: string;
  /** Instruments whose data is not trusted, and why (book/feed-health.ts). */
  readonly untrusted: Readonly<Record<string, string>>;
}

/** How a session ended. */
export interface SessionSummary {
  readonly feed: FeedSummary;
  readonly status: SessionStatus;
  /** Orders still working after the grace period (the broker did not confirm their end). */
  readonly unconfirmed: readonly string[];
}

/** What one instrument's feed delivered: records and the ts_recv of the last one (ms; NaN before one). */
export interface FeedCount {
  readonly instrumentId: number;
  readonly records: number;
  readonly lastRecordMs: number;
}

/** Wall time without a record after which the grid is moved on by the clock, ms. */
const QUIET_MS = 1_000;
/** One record in `TIMED_EVERY` (a power of two) has its time in the decision loop measured. */
const TIMED_EVERY = 1024;
/** How many measured record times are kept until read (`takeRecordTimes`). */
const TIMES_KEPT = 256;

/** Counts of one instrument, bumped per record: a plain mutable object, no allocation after the first. */
class Counted implements FeedCount {
  records = 0;
  lastRecordMs = Number.NaN;
  constructor(readonly instrumentId: number) {}
}

/**
 * Records per instrument and the time of each one's last (ts_recv, else ts_event), counted as they
 * go by: records come in runs of one instrument, so the last one's counts are kept at hand.
 */
export class FeedCounter {
  readonly #counts = new Map<number, Counted>();
  #last: Counted | null = null;

  count(c: RecordCursor): void {
    const id = c.instrumentId;
    let k = this.#last;
    if (k === null || k.instrumentId !== id) {
      k = this.#counts.get(id) ?? new Counted(id);
      if (k.records === 0) this.#counts.set(id, k);
      this.#last = k;
    }
    k.records++;
    k.lastRecordMs = hasTsRecv(c.rtype) ? c.tsRecvMs : c.tsEventMs;
  }

  /** The counts so far, in order of first sight. */
  feeds(): FeedCount[] {
    return [...this.#counts.values()].map((c) => ({
      instrumentId: c.instrumentId,
      records: c.records,
      lastRecordMs: c.lastRecordMs,
    }));
  }
}

export class TradingSession {
  readonly loop: DecisionLoop;
  readonly trader: Trader;
  readonly pipeline: DecisionPipeline;
  readonly health: FeedHealth;
  readonly #feed: Feed;
  readonly #opts: SessionOptions;
  #records = 0;
  #lastRecordNs = -1n;
  #lastPushWall = 0;
  /** The feed position of the last checkpoint. */
  #checkpointedNs = -1n;
  readonly #journal: SessionJournal | null;
  readonly #decisionListeners: ((d: Decision) => void)[] = [];
  readonly #counter = new FeedCounter();
  readonly #times = new Float64Array(TIMES_KEPT);
  #timed = 0;
  #timesRead = 0;

  constructor(opts: SessionOptions) {
    const { setup, feed } = opts;
    this.#opts = opts;
    this.#feed = feed;
    const health = opts.health ?? new FeedHealth(feedHealthOptions(setup.execution));
    this.health = health;
    const journal =
      opts.store === undefined ? null : new SessionJournal(opts.store, setup.logger ?? rootLogger());
    this.#journal = journal;
    const parts = {
      config: setup.execution,
      runId: opts.runId ?? 'paper',
      dataTrust: (id: number) => health.whyUntrusted(id),
      lastSequence: opts.resume?.lastSequence,
      beforeSend:
        journal === null
          ? undefined
          : (spec: OrderSpec, role: OrderRole, nowNs: bigint) => {
              journal.beforeSend(spec, role, nowNs);
              // The feed's position with it: a restart does not decide again on what led here.
              this.#checkpoint();
            },
    };
    this.trader =
      opts.broker === undefined
        ? paperTrader({ ...parts, instruments: [] })
        : venueTrader({ ...parts, broker: opts.broker });
    if (journal !== null) journal.follow(this.trader);
    if (opts.resume !== undefined) this.trader.resume(opts.resume.trader);
    this.pipeline = new DecisionPipeline({
      tier1: setup.tier1,
      config: setup.pipeline,
      portfolio: decisionPortfolio(
        this.trader,
        setup.execution.tradeOn,
        (pair) => this.loop?.midRaw(pair) ?? Number.NaN,
      ),
      llm: setup.llm ?? null,
      logger: setup.logger,
      onDecision: (d) => this.#decided(d),
      live: true,
      lastDecision: opts.resume?.lastDecision,
    });
    this.loop = new DecisionLoop({
      ...setup.loop,
      pipeline: this.pipeline,
      trader: this.trader,
      clock: feed.clock,
      watch: (c, book) => health.update(c, book),
      tradeOn: setup.execution.tradeOn,
    });
  }

  /** The clock's time in ns. */
  get nowNs(): bigint {
    const ms = this.#feed.clock.now();
    return Number.isFinite(ms)
      ? BigInt(Math.round(ms * 1e6))
      : this.#lastRecordNs < 0n
        ? 0n
        : this.#lastRecordNs;
  }

  /**
   * Runs until the feed ends or `signal` aborts (the feed's own signal should abort with it), then
   * ends gracefully (see the module comment).
   */
  async run(signal?: AbortSignal): Promise<SessionSummary> {
    const loop = this.loop;
    const sink: FeedSink = {
      engine: loop.engine,
      warm: (batch, index) => loop.warm(batch, index),
      pending: () => loop.running,
      push: (batch, index) => {
        if ((this.#records & (TIMED_EVERY - 1)) === 0) this.#timedPush(batch, index);
        else loop.push(batch, index);
        this.#records++;
        this.#lastRecordNs = loop.lastRecordNs;
        this.#lastPushWall = Date.now();
        this.#counter.count(batch.at(index));
      },
    };
    const quiet = setInterval(() => this.#quietTick(), QUIET_MS / 4);
    let feed: FeedSummary;
    try {
      feed = await this.#feed.run(sink);
    } finally {
      clearInterval(quiet);
    }
    if (feed.lastNs !== null && !signal?.aborted) loop.tick(feed.lastNs + 1_000_000_000n);
    await loop.settled();
    const why = signal?.aborted ? 'session stopped' : 'feed ended';
    const unconfirmed = await this.stop(why);
    return { feed, status: this.status(), unconfirmed };
  }

  /**
   * The graceful end: no new orders, working orders cancelled (positions closed with
   * `flattenOnStop`); waits up to `stopGraceMs` for the broker to confirm. Returns the client ids
   * of orders still open.
   */
  async stop(why: string): Promise<string[]> {
    const trader = this.trader;
    const nowNs = this.nowNs;
    trader.stop(nowNs, why, this.#opts.flattenOnStop ?? false);
    const grace = this.#opts.stopGraceMs ?? 5_000;
    const broker = trader.broker as { advance?: (nowNs: bigint) => void };
    if (typeof broker.advance === 'function') {
      // The paper venue acts on market time: let the cancels' and closes' latency pass.
      broker.advance(nowNs + BigInt(grace) * 1_000_000n);
    } else {
      const until = Date.now() + grace;
      while (trader.broker.openOrders().length > 0 && Date.now() < until) await sleep(50);
    }
    trader.sampleEquity();
    this.#checkpoint();
    return trader.broker.openOrders().map((o) => o.clientId);
  }

  /** The kill switch, pulled now: no new risk, working orders cancelled, positions closed. */
  kill(why: string): void {
    const nowNs = this.nowNs;
    this.trader.kill(nowNs, why);
    this.#journal?.kill(true, why, nowNs);
  }

  /** Clears the kill switch: new risk may be taken again (what was closed stays closed). */
  resetKill(why = 'kill switch reset'): void {
    this.trader.risk.reset();
    this.#journal?.kill(false, why, this.nowNs);
  }

  /**
   * Pauses trading: no new entries until `resume`; open positions and their brackets (stops,
   * targets, time stops) are still managed. The kill switch is another matter: it closes everything.
   */
  pause(why = 'paused'): void {
    this.trader.pause(why);
  }

  /** Resumes trading after `pause`: new entries again. */
  resume(): void {
    this.trader.unpause();
  }

  /** The day's loss state and the feed's position, in the store. */
  #checkpoint(): void {
    this.#checkpointedNs = this.#lastRecordNs;
    this.#journal?.checkpoint(this.#opts.feedName ?? 'files', this.#lastRecordNs, this.nowNs);
  }

  status(): SessionStatus {
    const t = this.trader;
    const nowMs = this.#feed.clock.now();
    const lastMs = this.#lastRecordNs < 0n ? Number.NaN : Number(this.#lastRecordNs) / 1e6;
    const positions: Record<string, number> = {};
    const untrusted: Record<string, string> = {};
    for (const p of t.portfolio.positions()) if (p.quantity !== 0) positions[p.symbol] = p.quantity;
    for (const id of this.health.instruments) {
      const why = this.health.whyUntrusted(id);
      if (why !== null) untrusted[this.loop.engine.symbolOf(id) ?? String(id)] = why;
    }
    return {
      nowMs,
      records: this.#records,
      lastRecordMs: lastMs,
      feedLagMs: nowMs - lastMs,
      decisions: this.loop.decisions.length,
      orders: t.orderCount,
      fills: t.fillCount,
      openOrders: t.broker.openOrders().length,
      positions,
      dayPnl: t.dailyPnl(),
      equity: t.portfolio.equity(),
      risk: riskState(t),
      untrusted,
    };
  }

  /** Adds a listener called with each decision as it is taken (after `SessionOptions.onDecision`). */
  onDecision(listener: (d: Decision) => void): void {
    this.#decisionListeners.push(listener);
  }

  /** The model provider the pipeline consults (a `CachedProvider` reports its hit rates), or null. */
  get llm(): LlmProvider | null {
    return this.#opts.setup.llm ?? null;
  }

  /** Records delivered per instrument so far, in order of first sight. */
  feeds(): FeedCount[] {
    return this.#counter.feeds();
  }

  /**
   * Calls `into` with each measured record time (ms in the decision loop: book, features, the paper
   * venue's matching, triggers) since the last call; one record in 1024 is measured, and at most
   * the last 256 measurements are kept between calls.
   */
  takeRecordTimes(into: (ms: number) => void): void {
    const from = Math.max(this.#timesRead, this.#timed - TIMES_KEPT);
    for (let i = from; i < this.#timed; i++) into(this.#times[i % TIMES_KEPT]);
    this.#timesRead = this.#timed;
  }

  #decided(d: Decision): void {
    this.#journal?.decision(d);
    this.#opts.onDecision?.(d);
    for (const l of this.#decisionListeners) l(d);
  }

  #timedPush(batch: RecordBatch, index: number): void {
    const t0 = performance.now();
    this.loop.push(batch, index);
    this.#times[this.#timed % TIMES_KEPT] = performance.now() - t0;
    this.#timed++;
  }

  /** A quiet market still moves the grid (late decisions, minute closes) on the clock's time. */
  #quietTick(): void {
    if (this.#lastRecordNs >= 0n) {
      this.health.check(this.nowNs);
      // Only when records came since the last one: a quiet feed changes neither its position nor P&L.
      if (this.#lastRecordNs !== this.#checkpointedNs) this.#checkpoint();
    }
    const speed = this.#feed.speed;
    if (speed === 0 || this.#lastRecordNs < 0n || Date.now() - this.#lastPushWall < QUIET_MS) return;
    // A second of market per second of quiet, behind the clock: a record still on its way is not overtaken.
    const behindNs = BigInt(Math.round(QUIET_MS * Math.max(1, speed) * 1e6));
    this.loop.tick(this.nowNs - behindNs);
  }
}

/** The trader's risk state, as the status line and the dashboard show it (see `SessionStatus.risk`). */
export function riskState(t: Trader): string {
  const r = t.risk;
  if (r.killed) return 'killed';
  if (r.halted !== null) return r.halted;
  if (t.stopped !== null) return 'stopped';
  return r.paused !== null ? 'paused' : 'trading';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
