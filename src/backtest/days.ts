/**
 * A backtest split by trading day: each day replayed on its own (no position, feature or limit
 * state carried overnight), and the days' metrics put together as if their equity curves ran one
 * after the other. A sweep run on machines that share its days scores each point this way, one
 * (point, day) backtest per job.
 *
 * A day's `DayParts` is plain data (it crosses processes and is stored as JSON): the day's own
 * metrics and what their totals cannot be rebuilt from: the round trips' P&L and holding times,
 * the equity curve, the time in the market, the maker quantity and the decisions' debate counts.
 * `combineDays([parts])` of one day gives back exactly that day's metrics.
 */
import type { Trader } from '../execution/index.js';
import type { Decision } from '../pipeline/index.js';
import { maxDrawdown, mean, sharpe, sortino, tradeStats, winRateVsBreakEven } from './metrics.js';
import { type BacktestMetrics, backtestMetrics, techniquePnls, tradesOf } from './results.js';

/** What one day's backtest adds to the metrics of several. */
export interface DayParts {
  readonly metrics: BacktestMetrics;
  /** Each round trip's P&L after fees (USD) and how long it was open (s), in order. */
  readonly tripPnls: readonly number[];
  readonly holdingSec: readonly number[];
  /** Round-trip P&Ls by technique (results.ts `techniquePnls`). */
  readonly techniquePnls: Readonly<Record<string, readonly number[]>>;
  /** The equity curve, from 0 at the day's start. */
  readonly curve: readonly { readonly tsNs: bigint; readonly equity: number }[];
  /** Time with a position open, ns. */
  readonly inMarketNs: bigint;
  /** Filled quantity that rested (maker). */
  readonly makerQuantity: number;
  /** Decisions off the fast path, and those of them that skipped the debate. */
  readonly notFast: number;
  readonly debateSkipped: number;
}

/** The parts of a day's run (the trader and decisions of `runBacktest` over one trading day). */
export function dayParts(trader: Trader, decisions: readonly Decision[]): DayParts {
  const trips = tradesOf(trader);
  let inMarketNs = 0n;
  for (const t of trips) inMarketNs += t.exitNs - t.entryNs;
  let makerQuantity = 0;
  for (const f of trader.fills) if (f.liquidity === 'maker') makerQuantity += f.quantity;
  const notFast = decisions.filter((d) => d.route !== 'fast');
  return {
    metrics: backtestMetrics(trader, decisions),
    tripPnls: trips.map((t) => t.pnl),
    holdingSec: trips.map((t) => Number(t.exitNs - t.entryNs) / 1e9),
    techniquePnls: techniquePnls(trips, decisions),
    curve: trader.portfolio.equityCurve.map((p) => ({ tsNs: p.tsNs, equity: p.equity })),
    inMarketNs,
    makerQuantity,
    notFast: notFast.length,
    debateSkipped: notFast.filter((d) => !d.debate.ran).length,
  };
}

type Counts = Readonly<Record<string, number>>;

function addCounts(all: readonly Counts[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of all) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return out;
}

// From the first term, not from 0: one day's sum is its own value exactly (-0 stays -0).
const sum = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x));

/**
 * The metrics of days run one after another (in the order given, each day's equity curve starting
 * where the previous one ended): sums of money, counts and quantities; ratios, Sharpe, drawdown
 * and time in the market worked out again over every day's round trips, daily P&L and curve.
 */
export function combineDays(parts: readonly DayParts[]): BacktestMetrics {
  const ms = parts.map((p) => p.metrics);
  const of = (f: (m: BacktestMetrics) => number) => sum(ms.map(f));
  const days = ms.flatMap((m) => m.days);
  const trips = parts.flatMap((p) => p.tripPnls);
  const ts = tradeStats(trips);
  const curve: { tsNs: bigint; equity: number }[] = [];
  let offset = 0;
  for (const p of parts) {
    for (const pt of p.curve) curve.push({ tsNs: pt.tsNs, equity: offset + pt.equity });
    offset += p.curve.length > 0 ? p.curve[p.curve.length - 1].equity : 0;
  }
  const dd = maxDrawdown(curve);
  const spanNs = curve.length > 1 ? curve[curve.length - 1].tsNs - curve[0].tsNs : 0n;
  const inMarketNs = parts.reduce((s, p) => s + p.inMarketNs, 0n);
  const traded = of((m) => m.turnover);
  const maker = sum(parts.map((p) => p.makerQuantity));
  const nDays = Math.max(days.length, 1);
  const notFast = sum(parts.map((p) => p.notFast));
  const fallbackKinds: Record<string, { count: number; example: string }> = {};
  for (const m of ms)
    for (const [k, v] of Object.entries(m.decisions.fallbackKinds)) {
      const e = fallbackKinds[k];
      fallbackKinds[k] = e === undefined ? { ...v } : { count: e.count + v.count, example: e.example };
    }
  const techniques: Record<string, number[]> = {};
  for (const p of parts)
    for (const [k, v] of Object.entries(p.techniquePnls)) techniques[k] = [...(techniques[k] ?? []), ...v];
  const byTechnique: BacktestMetrics['byTechnique'] = Object.fromEntries(
    Object.keys(techniques)
      .sort()
      .map((k) => [k, winRateVsBreakEven(techniques[k])]),
  );
  const d = ms.map((m) => m.decisions);
  return {
    pnl: of((m) => m.pnl),
    realized: of((m) => m.realized),
    unrealized: of((m) => m.unrealized),
    pnlTicks: of((m) => m.pnlTicks),
    fees: of((m) => m.fees),
    days,
    trades: trips.length,
    tradesPerDay: trips.length / nDays,
    winRate: ts.winRate,
    profitFactor: ts.profitFactor,
    expectancy: ts.expectancy,
    averageHoldingSec: mean(parts.flatMap((p) => p.holdingSec)),
    sharpeDaily: sharpe(
      days.map((x) => x.pnl),
      252,
    ),
    sharpePerTrade: sharpe(trips),
    sortinoDaily: sortino(
      days.map((x) => x.pnl),
      252,
    ),
    maxDrawdown: dd.depth,
    maxDrawdownSec: Number(dd.durationNs) / 1e9,
    timeInMarket: spanNs > 0n ? Number(inMarketNs) / Number(spanNs) : 0,
    turnover: traded,
    turnoverPerDay: traded / nDays,
    makerShare: traded > 0 ? maker / traded : Number.NaN,
    orders: of((m) => m.orders),
    fills: of((m) => m.fills),
    exits: addCounts(ms.map((m) => m.exits)),
    refused: addCounts(ms.map((m) => m.refused)),
    sweeps: {
      trades: of((m) => m.sweeps.trades),
      pnl: of((m) => m.sweeps.pnl),
      losses: of((m) => m.sweeps.losses),
    },
    decisions: {
      decisions: sum(d.map((x) => x.decisions)),
      byTrigger: addCounts(d.map((x) => x.byTrigger)),
      byRoute: addCounts(d.map((x) => x.byRoute)),
      byOutcome: addCounts(d.map((x) => x.byOutcome)),
      debateSkipRate: notFast > 0 ? sum(parts.map((p) => p.debateSkipped)) / notFast : Number.NaN,
      debateEnds: addCounts(d.map((x) => x.debateEnds)),
      vetoes: addCounts(d.map((x) => x.vetoes)),
      fallbacks: sum(d.map((x) => x.fallbacks)),
      fallbackKinds,
      leftOut: addCounts(d.map((x) => x.leftOut)),
    },
    byTechnique,
  };
}
