/**
 * What a backtest's trader and decisions add up to (`result.json`'s `metrics`): P&L after every
 * cost, the round trips and their statistics, Sharpe and Sortino of the daily P&L, the deepest
 * drawdown, exposure and turnover, the maker share of fills, and the decisions' routes and
 * latencies. Daily P&L is the change of the equity curve over each CME trading day (17:00–16:00
 * Chicago), the first day counted from zero.
 */
import { tradingDateOf } from '../core/index.js';
import type { Trader } from '../execution/index.js';
import { type Decision, type DecisionSummary, summarizeDecisions } from '../pipeline/index.js';
import {
  maxDrawdown,
  mean,
  sharpe,
  sortino,
  tradeStats,
  type WinRateVsBreakEven,
  winRateVsBreakEven,
} from './metrics.js';
import { type RoundTrip, roundTrips } from './trades.js';

export interface BacktestMetrics {
  /** P&L after fees and financing, USD: realized, open at the last marks, and their sum. */
  readonly pnl: number;
  readonly realized: number;
  readonly unrealized: number;
  /** P&L of the round trips before fees, ticks (pips for spot). */
  readonly pnlTicks: number;
  /** Fees and financing paid, USD. */
  readonly fees: number;
  readonly days: readonly { readonly date: string; readonly pnl: number }[];
  readonly trades: number;
  readonly tradesPerDay: number;
  readonly winRate: number;
  readonly profitFactor: number;
  /** Mean P&L per round trip after fees, USD. */
  readonly expectancy: number;
  /** Mean time a round trip was open, s. */
  readonly averageHoldingSec: number;
  /** Daily Sharpe annualised by √252, and per trade (not annualised). */
  readonly sharpeDaily: number;
  readonly sharpePerTrade: number;
  readonly sortinoDaily: number;
  readonly maxDrawdown: number;
  readonly maxDrawdownSec: number;
  /** Share of the replayed time with a position open. */
  readonly timeInMarket: number;
  /** Contracts (lots) traded, and per day. */
  readonly turnover: number;
  readonly turnoverPerDay: number;
  /** Share of filled quantity that rested (maker) rather than took. */
  readonly makerShare: number;
  readonly orders: number;
  readonly fills: number;
  /** Round trips by how they ended. */
  readonly exits: Readonly<Record<string, number>>;
  /** Approved decisions the trader did not act on, by reason code. */
  readonly refused: Readonly<Record<string, number>>;
  /** Round trips open when a sweep alert triggered a decision: how many, their P&L, their losses. */
  readonly sweeps: { readonly trades: number; readonly pnl: number; readonly losses: number };
  /**
   * The decisions' triggers, routes, outcomes and vetoes; their latencies are measured on the wall
   * clock, so they are left out here (see `timings.jsonl`) to keep the metrics reproducible.
   */
  readonly decisions: Omit<DecisionSummary, 'latency'>;
  /**
   * By technique: the round trips whose decision a technique's setup triggered (a bar on which two
   * techniques fired counts for both), their win rate with its interval beside their break-even.
   */
  readonly byTechnique: Readonly<Record<string, WinRateVsBreakEven>>;
}

/** The metrics of a trader's run and the decisions behind it. */
export function backtestMetrics(trader: Trader, decisions: readonly Decision[]): BacktestMetrics {
  const p = trader.portfolio;
  const trips = tradesOf(trader);
  const curve = p.equityCurve;
  const days = dailyPnl(curve);
  const ts = tradeStats(trips.map((t) => t.pnl));
  const dd = maxDrawdown(curve);
  const spanNs = curve.length > 1 ? curve[curve.length - 1].tsNs - curve[0].tsNs : 0n;
  let inMarketNs = 0n;
  for (const t of trips) inMarketNs += t.exitNs - t.entryNs;
  let traded = 0;
  let maker = 0;
  for (const f of trader.fills) {
    traded += f.quantity;
    if (f.liquidity === 'maker') maker += f.quantity;
  }
  const nDays = Math.max(days.length, 1);
  const count = (keys: string[]) => {
    const out: Record<string, number> = {};
    for (const k of keys) out[k] = (out[k] ?? 0) + 1;
    return out;
  };
  return {
    pnl: p.equity(),
    realized: p.realized(),
    unrealized: p.unrealized(),
    pnlTicks: trips.reduce((s, t) => s + t.pnlTicks, 0),
    fees: Number(p.feesNano()) / 1e9,
    days,
    trades: trips.length,
    tradesPerDay: trips.length / nDays,
    winRate: ts.winRate,
    profitFactor: ts.profitFactor,
    expectancy: ts.expectancy,
    averageHoldingSec: mean(trips.map((t) => Number(t.exitNs - t.entryNs) / 1e9)),
    sharpeDaily: sharpe(
      days.map((d) => d.pnl),
      252,
    ),
    sharpePerTrade: sharpe(trips.map((t) => t.pnl)),
    sortinoDaily: sortino(
      days.map((d) => d.pnl),
      252,
    ),
    maxDrawdown: dd.depth,
    maxDrawdownSec: Number(dd.durationNs) / 1e9,
    timeInMarket: spanNs > 0n ? Number(inMarketNs) / Number(spanNs) : 0,
    turnover: traded,
    turnoverPerDay: traded / nDays,
    makerShare: traded > 0 ? maker / traded : Number.NaN,
    orders: trader.orderCount,
    fills: trader.fills.length,
    exits: count(trips.map((t) => t.exitReason)),
    refused: count(trader.journal.filter((e) => e.kind === 'refused').map((e) => e.detail.split(':')[0])),
    sweeps: sweepTrades(
      trips,
      decisions
        .filter((d) => d.trigger.kind === 'sweep')
        .map((d) => ({ symbol: d.instrument, tMs: d.trigger.tMs })),
    ),
    decisions: withoutLatency(summarizeDecisions(decisions)),
    byTechnique: byTechnique(trips, decisions),
  };
}

/** The trader's round trips. */
export function tradesOf(trader: Trader): RoundTrip[] {
  return roundTrips(trader.fills, trader.roles, (id) => trader.portfolio.terms(id));
}

/** P&L per CME trading day from an equity curve: each day's last equity less the previous day's. */
export function dailyPnl(
  curve: readonly { readonly tsNs: bigint; readonly equity: number }[],
): { date: string; pnl: number }[] {
  const out: { date: string; pnl: number }[] = [];
  let prev = 0;
  let day = '';
  let last = 0;
  for (const pt of curve) {
    const d = tradingDateOf(Number(pt.tsNs / 1_000_000n)) ?? day;
    if (d !== day && day !== '') {
      out.push({ date: day, pnl: last - prev });
      prev = last;
    }
    day = d;
    last = pt.equity;
  }
  if (day !== '') out.push({ date: day, pnl: last - prev });
  return out;
}

function withoutLatency(s: DecisionSummary): Omit<DecisionSummary, 'latency'> {
  const { latency: _, ...rest } = s;
  return rest;
}

/**
 * The round trips of `symbol`s open at the time of a sweep alert of theirs (entry at or before it,
 * exit at or after it): how many, their P&L and their losses.
 */
export function sweepTrades(
  trips: readonly RoundTrip[],
  sweeps: readonly { readonly symbol: string; readonly tMs: number }[],
): { trades: number; pnl: number; losses: number } {
  let trades = 0;
  let pnl = 0;
  let losses = 0;
  for (const t of trips) {
    const from = Number(t.entryNs / 1_000_000n);
    const to = Number(t.exitNs / 1_000_000n);
    if (!sweeps.some((s) => s.symbol === t.symbol && s.tMs >= from && s.tMs <= to)) continue;
    trades++;
    pnl += t.pnl;
    if (t.pnl < 0) losses -= t.pnl;
  }
  return { trades, pnl, losses };
}

/** The round trips of each technique whose setup triggered their decision, by technique name. */
function byTechnique(
  trips: readonly RoundTrip[],
  decisions: readonly Decision[],
): Record<string, WinRateVsBreakEven> {
  const pnls = techniquePnls(trips, decisions);
  const out: Record<string, WinRateVsBreakEven> = {};
  for (const name of Object.keys(pnls).sort()) out[name] = winRateVsBreakEven(pnls[name]);
  return out;
}

/** The P&L of each round trip, by the techniques whose setup triggered its decision. */
export function techniquePnls(
  trips: readonly RoundTrip[],
  decisions: readonly Decision[],
): Record<string, number[]> {
  // A setup trigger names the techniques that fired on its bar ("fvg,vwap"): each counts the trip.
  const techniques = new Map<string, string[]>();
  for (const d of decisions)
    if (d.trigger.kind === 'setup' && d.trigger.detail !== undefined)
      techniques.set(d.id, d.trigger.detail.split(','));
  const pnls = new Map<string, number[]>();
  for (const t of trips) {
    for (const name of techniques.get(t.decisionId) ?? []) {
      const list = pnls.get(name) ?? [];
      list.push(t.pnl);
      pnls.set(name, list);
    }
  }
  return Object.fromEntries(pnls);
}
