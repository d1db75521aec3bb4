/**
 * A trading session's Prometheus metrics (prom-client), in a registry of their own: two sessions in
 * one process, or a session beside a test, never share a metric. Names carry the `scalper_` prefix
 * and their unit (`_seconds`, `_usd`, `_ratio`, `_total` for counters), as Prometheus' naming
 * guide asks (https://prometheus.io/docs/practices/naming/).
 *
 * Nothing here runs per record: the session counts records in plain fields and measures one record
 * in 1024; `sample()` (on a timer, and before every scrape) turns those counts, the trader's journal
 * and fills and the risk state into metric values. Decisions and broker reports, a few a second at
 * most, are observed as they come.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EngineError } from '../core/index.js';
import type { ExecutionReport } from '../execution/index.js';
import { CachedProvider } from '../llm/index.js';
import type { Decision } from '../pipeline/index.js';
import type { TradingSession } from './session.js';

/** Whether each instrument's market data can be traded on: what `FeedHealth` (book/) answers. */
export interface TrustView {
  /** Every instrument seen or watched is trusted, and there is at least one. */
  readonly allTrusted: boolean;
  readonly instruments: readonly number[];
  /** Null when trusted, else why not. */
  whyUntrusted(instrumentId: number): string | null;
}

export interface SessionMetricsOptions {
  /** The feed-health monitor whose trust `scalper_book_trusted` shows (none: the metric is absent). */
  readonly trust?: TrustView | null;
  /** How often `attach` samples, ms (default 1,000; 0: only when scraped or asked). */
  readonly sampleEveryMs?: number;
  /** The wall clock of the rates, ms (default `Date.now`). */
  readonly wall?: () => number;
}

/** The shortest wall time a rate is taken over, ms: a scrape right after a timed sample gives no rate. */
const RATE_MIN_MS = 1_000;

/** The decision tiers of `Decision.timings`, as the `tier` label gives them. */
const TIERS = ['tier1', 'tier2', 'tier3', 'tier4', 'tier5', 'total'] as const;

/** Seconds, from 10 µs to 30 s: a record takes microseconds, a decision with a model seconds. */
const LATENCY_BUCKETS = [1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30];

/** The code of a reason such as `KILL_SWITCH: the kill switch is on`: the part before ':'. */
export function reasonCode(text: string | undefined): string {
  if (text === undefined || text === '') return 'unknown';
  const i = text.indexOf(':');
  return (i < 0 ? text : text.slice(0, i)).trim().slice(0, 64) || 'unknown';
}

/** The metric objects, by what they count. */
function createMetrics(registry: Registry) {
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers });
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers });
  const histogram = (name: string, help: string, labelNames: string[] = []) =>
    new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers });
  return {
    records: counter('scalper_feed_records_total', 'Records delivered by the feed, per instrument', ['feed']),
    rate: gauge(
      'scalper_feed_events_per_second',
      'Records per second of wall time over the last sampling interval, per instrument',
      ['feed'],
    ),
    lag: gauge(
      'scalper_feed_lag_seconds',
      "How far the instrument's last record (ts_recv) is behind the session's clock",
      ['feed'],
    ),
    feature: histogram(
      'scalper_feature_update_seconds',
      "One record's time in the decision loop (book, features, paper matching, triggers), one record in 1024",
    ),
    tier: histogram('scalper_decision_tier_seconds', 'Time of each decision tier, and in total', ['tier']),
    decisions: counter('scalper_decisions_total', 'Decisions taken, per route', ['route']),
    orders: counter('scalper_orders_total', 'Orders sent to the broker'),
    fills: counter('scalper_fills_total', 'Fills booked, per liquidity (maker, taker)', ['liquidity']),
    rejections: counter(
      'scalper_rejections_total',
      'Orders rejected by the broker and trades refused by risk, per reason code',
      ['source', 'reason'],
    ),
    pnl: gauge('scalper_pnl_usd', "P&L of the trading day (day) and the account's equity (equity)", ['kind']),
    lossUsed: gauge(
      'scalper_risk_daily_loss_used_ratio',
      "The day's loss as a share of the daily loss limit",
    ),
    kill: gauge('scalper_kill_switch', '1 while the kill switch is on'),
    halted: gauge('scalper_risk_halted', '1 while new risk is halted for the day (daily loss, drawdown)'),
    modelCalls: counter(
      'scalper_model_calls_total',
      'Calls that reached the model provider (past the cache)',
    ),
    tokens: counter('scalper_model_tokens_total', 'Model tokens used by decisions, per kind', ['kind']),
    cost: counter('scalper_model_cost_usd_total', 'Model cost of the decisions'),
    cacheHit: gauge(
      'scalper_cache_hit_ratio',
      "Hit rate of the model's response cache, per layer (exact, state; prompt: the provider's prompt cache in tokens)",
      ['layer'],
    ),
    trusted: gauge('scalper_book_trusted', "1 while the instrument's market data is trusted", ['instrument']),
  };
}

type Metrics = ReturnType<typeof createMetrics>;

/** Metrics of one trading session (see the module comment). */
export class SessionMetrics {
  /** The registry this session's metrics live in (never prom-client's global one). */
  readonly registry = new Registry();
  readonly #m: Metrics;
  readonly #trust: TrustView | null;
  readonly #everyMs: number;
  readonly #wall: () => number;
  #session: TradingSession | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** Totals already added to counters fed from running totals, by counter and label. */
  readonly #seen = new Map<string, number>();
  readonly #symbols = new Map<number, string>();
  #journalRead = 0;
  #fillsRead = 0;
  /** When rates were last taken (wall ms), and each instrument's records then. */
  #rateAt = Number.NaN;
  readonly #rateBase = new Map<number, number>();

  constructor(opts: SessionMetricsOptions = {}) {
    this.#m = createMetrics(this.registry);
    this.#trust = opts.trust ?? null;
    this.#everyMs = opts.sampleEveryMs ?? 1_000;
    this.#wall = opts.wall ?? Date.now;
  }

  /**
   * Watches `session`: its decisions and its broker's reports as they come, the rest on a timer
   * (`sampleEveryMs`) that does not keep the process alive. One session per instance.
   */
  attach(session: TradingSession): this {
    if (this.#session !== null)
      throw new EngineError('METRICS_ATTACHED', 'SessionMetrics watches one session: make one per session');
    this.#session = session;
    session.onDecision((d) => this.#decision(d));
    session.trader.broker.onReport((r) => this.#report(r));
    this.#rateAt = this.#wall();
    if (this.#everyMs > 0) {
      this.#timer = setInterval(() => this.sample(), this.#everyMs);
      this.#timer.unref();
    }
    return this;
  }

  /** Stops the sampling timer (the values stay). */
  close(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The exposition's content type (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Samples, then renders every metric in the Prometheus text format. */
  async text(): Promise<string> {
    this.sample();
    return this.registry.metrics();
  }

  /** Brings the sampled metrics up to date with the session. */
  sample(): void {
    const s = this.#session;
    if (s === null) return;
    this.#feeds(s);
    s.takeRecordTimes((ms) => this.#m.feature.observe(ms / 1000));
    this.#trading(s);
    this.#model(s);
    this.#books();
  }

  #feeds(s: TradingSession): void {
    const m = this.#m;
    const nowMs = s.status().nowMs;
    const wall = this.#wall();
    const rates = wall - this.#rateAt >= RATE_MIN_MS;
    for (const f of s.feeds()) {
      const feed = this.#symbol(s, f.instrumentId);
      this.#bump(`records ${f.instrumentId}`, m.records, { feed }, f.records);
      if (rates) {
        const before = this.#rateBase.get(f.instrumentId) ?? 0;
        m.rate.set({ feed }, ((f.records - before) * 1000) / (wall - this.#rateAt));
        this.#rateBase.set(f.instrumentId, f.records);
      }
      if (Number.isFinite(nowMs) && Number.isFinite(f.lastRecordMs))
        m.lag.set({ feed }, Math.max(0, nowMs - f.lastRecordMs) / 1000);
    }
    if (rates) this.#rateAt = wall;
  }

  #trading(s: TradingSession): void {
    const m = this.#m;
    const t = s.trader;
    this.#bump('orders', m.orders, {}, t.orderCount);
    for (; this.#fillsRead < t.fills.length; this.#fillsRead++)
      m.fills.inc({ liquidity: t.fills[this.#fillsRead].liquidity });
    for (; this.#journalRead < t.journal.length; this.#journalRead++) {
      const e = t.journal[this.#journalRead];
      if (e.kind === 'refused') m.rejections.inc({ source: 'risk', reason: reasonCode(e.detail) });
    }
    const day = t.dailyPnl();
    m.pnl.set({ kind: 'day' }, day);
    m.pnl.set({ kind: 'equity' }, t.portfolio.equity());
    m.lossUsed.set(Math.max(0, -day) / t.risk.limits.dailyLossLimit);
    m.kill.set(t.risk.killed ? 1 : 0);
    m.halted.set(t.risk.halted !== null ? 1 : 0);
  }

  #model(s: TradingSession): void {
    const llm = s.llm;
    if (!(llm instanceof CachedProvider)) return;
    const st = llm.stats();
    this.#bump('model calls', this.#m.modelCalls, {}, st.modelCalls);
    this.#m.cacheHit.set({ layer: 'exact' }, st.exact.hitRate);
    this.#m.cacheHit.set({ layer: 'state' }, st.state.hitRate);
    this.#m.cacheHit.set({ layer: 'prompt' }, st.prompt.hitRate);
  }

  #books(): void {
    const trust = this.#trust;
    const s = this.#session;
    if (trust === null || s === null) return;
    for (const id of trust.instruments)
      this.#m.trusted.set({ instrument: this.#symbol(s, id) }, trust.whyUntrusted(id) === null ? 1 : 0);
  }

  #decision(d: Decision): void {
    const m = this.#m;
    m.decisions.inc({ route: d.route });
    for (const tier of TIERS) m.tier.observe({ tier }, d.timings[tier] / 1000);
    const u = d.usage;
    if (u.inputTokens > 0) m.tokens.inc({ kind: 'input' }, u.inputTokens);
    if (u.outputTokens > 0) m.tokens.inc({ kind: 'output' }, u.outputTokens);
    if (u.cachedInputTokens > 0) m.tokens.inc({ kind: 'cached_input' }, u.cachedInputTokens);
    if (u.costUsd > 0) m.cost.inc(u.costUsd);
  }

  #report(r: ExecutionReport): void {
    if (r.kind === 'reject') this.#m.rejections.inc({ source: 'broker', reason: reasonCode(r.reason) });
  }

  /** Adds to `counter` what the running `total` under `key` grew by since the last call. */
  #bump<L extends string>(
    key: string,
    counter: Counter<L>,
    labels: Partial<Record<L, string>>,
    total: number,
  ): void {
    const added = total - (this.#seen.get(key) ?? 0);
    if (added > 0) {
      counter.inc(labels, added);
      this.#seen.set(key, total);
    }
  }

  /** The instrument's symbol as the feature engine names it (its id until a definition names it). */
  #symbol(s: TradingSession, id: number): string {
    const known = this.#symbols.get(id);
    if (known !== undefined) return known;
    const symbol = s.loop.engine.snapshot(id)?.symbol;
    if (symbol === undefined || symbol === String(id)) return String(id);
    this.#symbols.set(id, symbol);
    return symbol;
  }
}
