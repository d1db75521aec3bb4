/**
 * What the report shows, worked out from a backtest's folder: the files are read as they were
 * written (backtest/outputs.ts) and reduced to series, bins and rows, all by plain functions of
 * their inputs, so that the same folder gives the same report.
 *
 * - Times on the charts are UTC seconds on a grid of round steps (`Slots`): a chart's time axis
 *   takes one value per time and gives each the same width, so each chart has every slot of its
 *   span on its axis and its points moved onto them.
 * - Mid, OFI and VPIN come from the decisions' snapshots (`decisions.jsonl`): the evidence the
 *   microstructure and market-making analysts (`mid`, `ofi_10s`) and the toxicity analyst (`vpin`,
 *   `vpin_cdf`) read when each decision was taken.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EngineError, parseTimestamp } from '../../core/index.js';

/** A backtest folder (or its result.json) that cannot be read as one. */
export class ReportInputError extends EngineError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('REPORT_INPUT', `${path}: ${message}`, options);
  }
}

/** A number of result.json that is null when it was not finite (NaN, ±∞) in the run. */
type Stat = number | null;

/** An interval of the ablations (backtest/metrics.ts `Interval`), as result.json holds it. */
export interface IntervalJson {
  readonly estimate: Stat;
  readonly low: Stat;
  readonly high: Stat;
  readonly noise: boolean;
}

/** The metrics the report reads (backtest/results.ts `BacktestMetrics`, as result.json holds them). */
export interface MetricsJson {
  readonly pnl: number;
  readonly realized: number;
  readonly unrealized: number;
  readonly pnlTicks: number;
  readonly fees: number;
  readonly days: readonly { readonly date: string; readonly pnl: number }[];
  readonly trades: number;
  readonly tradesPerDay: number;
  readonly winRate: Stat;
  readonly profitFactor: Stat;
  readonly expectancy: Stat;
  readonly averageHoldingSec: Stat;
  readonly sharpeDaily: Stat;
  readonly sharpePerTrade: Stat;
  readonly sortinoDaily: Stat;
  readonly maxDrawdown: number;
  readonly maxDrawdownSec: number;
  readonly timeInMarket: number;
  readonly turnover: number;
  readonly turnoverPerDay: number;
  readonly makerShare: Stat;
  readonly orders: number;
  readonly fills: number;
  readonly exits: Readonly<Record<string, number>>;
  readonly refused: Readonly<Record<string, number>>;
  readonly decisions: {
    readonly decisions: number;
    readonly byTrigger: Readonly<Record<string, number>>;
    readonly byRoute: Readonly<Record<string, number>>;
    readonly byOutcome: Readonly<Record<string, number>>;
    readonly debateSkipRate: Stat;
    readonly vetoes: Readonly<Record<string, number>>;
  };
}

/** Round trips inside toxic episodes of the ground truth, and the episodes (`spans`) themselves. */
export interface ToxicJson {
  /** The market scenarios the simulated days ran under (absent in results from before scenarios). */
  readonly scenarios?: readonly string[];
  readonly episodes: number;
  readonly trades: number;
  readonly pnl: number;
  readonly losses: number;
  readonly spans?: readonly { readonly symbol: string; readonly start: string; readonly end: string }[];
}

/** One row of the ablations (backtest/ablations.ts `AblationRow`). */
export interface AblationJson {
  readonly name: string;
  readonly label: string;
  readonly records: number;
  readonly metrics: MetricsJson;
  readonly vsOldDays: IntervalJson;
  readonly vsOldTrades: IntervalJson;
  /** Absent from results written before it was measured. */
  readonly vsOldPerContract?: IntervalJson;
  readonly step?: { readonly from: string; readonly perContract: IntervalJson } | null;
  readonly toxic: Omit<ToxicJson, 'episodes' | 'spans'> | null;
}

/** Something a run fitted or chose before its test days, and the trading days it learnt from. */
export interface TrainingJson {
  /** `regime model`, `parameters`, `Stoikov table` … */
  readonly what: string;
  /** Trading dates (YYYY-MM-DD) it was fitted on. */
  readonly days: readonly string[];
  /** What came of it: the file written, the values chosen and their score. */
  readonly detail: string;
}

/** The parts of `result.json` the report reads. */
export interface ResultJson {
  readonly version: number;
  readonly package?: { readonly name: string; readonly version: string };
  readonly configHash?: string;
  readonly config?: {
    readonly execution?: {
      readonly paper?: {
        readonly queue?: string;
        readonly latency?: Readonly<Record<string, unknown>>;
        readonly largeShare?: number;
      };
    };
    readonly backtest?: { readonly decisionLatencyMs?: number };
  };
  readonly inputs?: readonly { readonly path: string; readonly bytes: number; readonly sha256: string }[];
  readonly records?: number;
  readonly metrics: MetricsJson;
  readonly toxic: ToxicJson | null;
  readonly execution?: {
    readonly positions?: Readonly<Record<string, number>>;
    readonly largeShareWarnings?: number;
  };
  readonly ablations: readonly AblationJson[] | null;
  /** Losses in toxic episodes without and with the toxicity veto, with intervals (ablations.ts `toxicityClaim`). */
  readonly toxicityClaim?: {
    readonly without: number;
    readonly with: number;
    readonly days: readonly unknown[];
    readonly change: IntervalJson;
    readonly avoided: IntervalJson;
  } | null;
  /** What was fitted on earlier days for this run (a walk-forward fold, the demo); absent or empty: nothing. */
  readonly training?: readonly TrainingJson[];
}

/** A round trip of `trades.csv`. */
export interface TradeRow {
  readonly entryNs: bigint;
  readonly exitNs: bigint;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryPx: number;
  readonly exitPx: number;
  readonly pnlTicks: number;
  readonly pnl: number;
  readonly fees: number;
  readonly exitReason: string;
  readonly decisionId: string;
  readonly regime: string;
  /** Overlapped a toxic episode (null without a truth file). */
  readonly toxic: boolean | null;
}

/** A fill of `fills.csv`. */
export interface FillRow {
  readonly tsNs: bigint;
  readonly orderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly qty: number;
  readonly liquidity: 'maker' | 'taker';
}

/** An order of `orders.csv`: what it was and how it ended. */
export interface OrderRow {
  readonly type: string;
  readonly role: string;
  readonly status: string;
  readonly qty: number;
  readonly filledQty: number;
}

/** What a decision's snapshot held, at its time in whole seconds (NaN: not in the evidence). */
export interface SnapshotRow {
  readonly instrument: string;
  readonly t: number;
  readonly mid: number;
  readonly ofi: number;
  readonly vpin: number;
}

/** The tiers of `timings.jsonl`, in pipeline order. */
export const TIERS = ['tier1', 'tier2', 'tier3', 'tier4', 'tier5', 'total'] as const;

/** A backtest folder as the report reads it; a file that is not there reads as empty. */
export interface BacktestFolder {
  readonly dir: string;
  readonly result: ResultJson;
  readonly trades: readonly TradeRow[];
  readonly fills: readonly FillRow[];
  readonly orders: readonly OrderRow[];
  readonly equity: readonly { readonly tsNs: bigint; readonly equity: number }[];
  readonly snapshots: readonly SnapshotRow[];
  /** Milliseconds per tier, one value per decision. */
  readonly timings: Readonly<Record<(typeof TIERS)[number], readonly number[]>>;
  /** The files of the folder that were not found. */
  readonly missing: readonly string[];
}

/** The cells of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The rows of a CSV text as objects keyed by its header. */
function csvRecords(text: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(text);
  if (head === undefined) return [];
  return rows.map((r) => Object.fromEntries(head.map((k, i) => [k, r[i] ?? ''])));
}

const numberOf = (s: string | undefined) => (s === undefined || s === '' ? Number.NaN : Number(s));

/** Whole seconds since the epoch of a time in ns (rounded down). */
export function seconds(ns: bigint): number {
  const s = ns / 1_000_000_000n;
  return Number(ns < 0n && s * 1_000_000_000n !== ns ? s - 1n : s);
}

/** The first number among the evidence of a decision's signals under `key`, or NaN. */
function evidence(signals: readonly { evidence?: Record<string, unknown> }[], key: string): number {
  for (const s of signals) {
    const v = s.evidence?.[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return Number.NaN;
}

/** The snapshot values of each line of `decisions.jsonl`. */
export function snapshotRows(jsonl: string): SnapshotRow[] {
  const out: SnapshotRow[] = [];
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    const d = JSON.parse(line) as {
      instrument?: string;
      snapshotTs?: string;
      signals?: { evidence?: Record<string, unknown> }[];
    };
    if (typeof d.snapshotTs !== 'string' || typeof d.instrument !== 'string') continue;
    const signals = d.signals ?? [];
    out.push({
      instrument: d.instrument,
      t: seconds(parseTimestamp(d.snapshotTs)),
      mid: evidence(signals, 'mid'),
      ofi: evidence(signals, 'ofi_10s'),
      vpin: evidence(signals, 'vpin'),
    });
  }
  return out;
}

/** The tier times of each line of `timings.jsonl`, per tier. */
export function tierTimes(jsonl: string): Record<(typeof TIERS)[number], number[]> {
  const out = Object.fromEntries(TIERS.map((t) => [t, [] as number[]])) as Record<
    (typeof TIERS)[number],
    number[]
  >;
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    const timings = (JSON.parse(line) as { timings?: Record<string, unknown> }).timings ?? {};
    for (const t of TIERS) {
      const v = timings[t];
      if (typeof v === 'number' && Number.isFinite(v)) out[t].push(v);
    }
  }
  return out;
}

/**
 * Reads a backtest folder, given as the folder or its `result.json`. Only `result.json` is
 * required; each other file that is missing reads as empty and is named in `missing`.
 */
export function readBacktestFolder(path: string): BacktestFolder {
  const isResult = path.endsWith('.json');
  const dir = isResult ? dirname(path) : path;
  const resultPath = isResult ? path : join(dir, 'result.json');
  let result: ResultJson;
  try {
    result = JSON.parse(readFileSync(resultPath, 'utf8'));
  } catch (e) {
    throw new ReportInputError(resultPath, `cannot read a backtest result (${(e as Error).message})`, {
      cause: e,
    });
  }
  if (typeof result !== 'object' || result === null || typeof result.metrics !== 'object')
    throw new ReportInputError(resultPath, 'not a backtest result: no metrics');
  const missing: string[] = [];
  const text = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.push(name);
      return '';
    }
  };
  const at = (file: string, work: () => void) => {
    try {
      work();
    } catch (e) {
      if (e instanceof ReportInputError) throw e;
      throw new ReportInputError(join(dir, file), (e as Error).message, { cause: e });
    }
  };
  let trades: TradeRow[] = [];
  let fills: FillRow[] = [];
  let orders: OrderRow[] = [];
  let equity: { tsNs: bigint; equity: number }[] = [];
  let snapshots: SnapshotRow[] = [];
  let timings = tierTimes('');
  at('trades.csv', () => {
    trades = csvRecords(text('trades.csv')).map((r) => ({
      entryNs: BigInt(r.entry_ns),
      exitNs: BigInt(r.exit_ns),
      symbol: r.symbol,
      side: r.side === 'short' ? 'short' : 'long',
      qty: numberOf(r.qty),
      entryPx: numberOf(r.entry_px),
      exitPx: numberOf(r.exit_px),
      pnlTicks: numberOf(r.pnl_ticks),
      pnl: numberOf(r.pnl),
      fees: numberOf(r.fees),
      exitReason: r.exit_reason,
      decisionId: r.decision_id,
      regime: r.regime,
      toxic: r.toxic === '' ? null : r.toxic === 'true',
    }));
  });
  at('fills.csv', () => {
    fills = csvRecords(text('fills.csv')).map((r) => ({
      tsNs: BigInt(r.ts_ns),
      orderId: r.client_order_id,
      symbol: r.symbol,
      side: r.side === 'sell' ? 'sell' : 'buy',
      price: numberOf(r.price),
      qty: numberOf(r.qty),
      liquidity: r.liquidity === 'maker' ? 'maker' : 'taker',
    }));
  });
  at('orders.csv', () => {
    orders = csvRecords(text('orders.csv')).map((r) => ({
      type: r.type,
      role: r.role,
      status: r.status,
      qty: numberOf(r.qty),
      filledQty: numberOf(r.filled_qty),
    }));
  });
  at('equity.csv', () => {
    equity = csvRecords(text('equity.csv')).map((r) => ({
      tsNs: BigInt(r.ts_ns),
      equity: numberOf(r.equity),
    }));
  });
  at('decisions.jsonl', () => {
    snapshots = snapshotRows(text('decisions.jsonl'));
  });
  at('timings.jsonl', () => {
    timings = tierTimes(text('timings.jsonl'));
  });
  return { dir, result, trades, fills, orders, equity, snapshots, timings, missing };
}

/** A point of a chart: time in whole seconds (or a bin's value on a value axis), and its value. */
export type Point = readonly [number, number];

/**
 * The time slots of a chart: `count` times, `step` seconds apart from `from`. A chart's time axis
 * gives each time it holds the same width, so a chart over irregular points (decisions come each
 * minute and at every setup or sweep) has every slot on its axis, for time to run evenly.
 */
export interface Slots {
  readonly from: number;
  readonly step: number;
  readonly count: number;
}

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];

/** Slots covering [from, to] (seconds) with the smallest round step that needs at most `max` of them. */
export function slotsFor(from: number, to: number, max: number): Slots {
  const count = (step: number) => Math.floor(to / step) - Math.floor(from / step) + 1;
  let step = STEPS.find((s) => count(s) <= max);
  if (step === undefined) step = 86_400 * Math.ceil(count(86_400) / max);
  return { from: Math.floor(from / step) * step, step, count: count(step) };
}

/**
 * Points moved onto `slots`, each to the slot it falls in, keeping the last of each slot (input in
 * time order) or its lowest value; points outside the slots and missing values are left out.
 */
export function onSlots(points: readonly Point[], slots: Slots, keep: 'last' | 'min' = 'last'): Point[] {
  const out: Point[] = [];
  for (const [t, v] of points) {
    const i = Math.floor((t - slots.from) / slots.step);
    if (i < 0 || i >= slots.count || !Number.isFinite(v)) continue;
    const at = slots.from + i * slots.step;
    const last = out[out.length - 1];
    if (last === undefined || last[0] !== at) out.push([at, v]);
    else if (keep === 'last' || v < last[1]) out[out.length - 1] = [at, v];
  }
  return out;
}

/**
 * The equity curve and its drawdown (equity less its running peak, <= 0), point by point, times in
 * whole seconds.
 */
export function equityAndDrawdown(curve: readonly { readonly tsNs: bigint; readonly equity: number }[]): {
  equity: Point[];
  drawdown: Point[];
} {
  const equity: Point[] = [];
  const drawdown: Point[] = [];
  let peak = Number.NEGATIVE_INFINITY;
  for (const p of curve) {
    if (!Number.isFinite(p.equity)) continue;
    if (p.equity > peak) peak = p.equity;
    const t = seconds(p.tsNs);
    equity.push([t, p.equity]);
    drawdown.push([t, p.equity - peak]);
  }
  return { equity, drawdown };
}

/** A bin of a histogram: [from, to) and how many values fell in it. */
export interface Bin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** The smallest of 1, 2, 2.5, 5 and 10 times a power of ten that is at least `x` (> 0). */
export function niceStep(x: number): number {
  const e = Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const v = Number(`${m}e${e}`);
    if (v >= x * (1 - 1e-12)) return v;
  }
  return Number(`1e${e + 1}`);
}

/** Nearest-rank percentile p (0–1] of sorted values, as `scalper decide` prints the latencies. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/**
 * The bin width of a P&L histogram: Freedman and Diaconis' 2·IQR·n^(−1/3) (quartiles by nearest
 * rank) raised to a round step (`niceStep`), so that zero is an edge and wins and losses never
 * share a bin; no narrower than a 60th of the range, and a tenth of the range (or 1) when the
 * quartiles coincide.
 */
export function binWidth(values: readonly number[]): number {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return 1;
  const range = s[s.length - 1] - s[0];
  const iqr = nearestRank(s, 0.75) - nearestRank(s, 0.25);
  let w = iqr > 0 ? (2 * iqr) / Math.cbrt(s.length) : range / 10;
  if (range > 0) w = Math.max(w, range / 60);
  return w > 0 ? niceStep(w) : 1;
}

/**
 * A histogram of `values` in bins of `width` whose edges are multiples of it, from the bin of the
 * smallest value to that of the largest, empty bins included. A value on an edge belongs to the bin
 * above it (a relative 1e-9 absorbs the rounding of the division).
 */
export function histogram(values: readonly number[], width: number): Bin[] {
  const xs = values.filter(Number.isFinite);
  if (xs.length === 0) return [];
  const index = (v: number) => Math.floor(v / width + 1e-9);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of xs) {
    lo = Math.min(lo, index(v));
    hi = Math.max(hi, index(v));
  }
  const counts = new Array<number>(hi - lo + 1).fill(0);
  for (const v of xs) counts[index(v) - lo]++;
  const edge = (k: number) => Number((k * width).toPrecision(12));
  return counts.map((count, i) => ({ from: edge(lo + i), to: edge(lo + i + 1), count }));
}

/** The edges 1, 2, 5 times a power of ten: the bin of `v` (> 0) starts at the largest edge <= v. */
function edgeBelow(v: number): { m: number; e: number } {
  let e = Math.floor(Math.log10(v));
  if (Number(`1e${e + 1}`) <= v) e++;
  if (Number(`1e${e}`) > v) e--;
  const m = v >= Number(`5e${e}`) ? 5 : v >= Number(`2e${e}`) ? 2 : 1;
  return { m, e };
}

const nextEdge = ({ m, e }: { m: number; e: number }) =>
  m === 1 ? { m: 2, e } : m === 2 ? { m: 5, e } : { m: 1, e: e + 1 };
const edgeValue = ({ m, e }: { m: number; e: number }) => Number(`${m}e${e}`);

/**
 * A histogram of positive durations on edges 1, 2, 5 × 10^k (…, 0.1, 0.2, 0.5, 1, 2, 5, … ms): a
 * log scale with round edges, from the bin of the smallest value to that of the largest. Values
 * at or below zero are counted in the first bin.
 */
export function logHistogram(values: readonly number[]): Bin[] {
  const xs = values.filter(Number.isFinite);
  const positive = xs.filter((v) => v > 0);
  if (positive.length === 0) return [];
  let min = positive[0];
  let max = positive[0];
  for (const v of positive) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const bins: { from: number; to: number; count: number }[] = [];
  const last = edgeValue(edgeBelow(max));
  for (let k = edgeBelow(min); ; k = nextEdge(k)) {
    bins.push({ from: edgeValue(k), to: edgeValue(nextEdge(k)), count: 0 });
    if (edgeValue(k) >= last) break;
  }
  for (const v of xs) {
    if (v <= 0) {
      bins[0].count++;
      continue;
    }
    const from = edgeValue(edgeBelow(v));
    const i = bins.findIndex((b) => b.from === from);
    bins[i].count++;
  }
  return bins;
}

/**
 * The `k` round trips with the largest profits and the `k` with the largest losses (P&L after
 * fees): winners gained more than zero, best first; losers lost, worst first; equal P&L in order
 * of entry.
 */
export function extremeTrades<T extends { readonly pnl: number; readonly entryNs: bigint }>(
  trades: readonly T[],
  k: number,
): { winners: T[]; losers: T[] } {
  const byEntry = (a: T, b: T) => (a.entryNs < b.entryNs ? -1 : a.entryNs > b.entryNs ? 1 : 0);
  const winners = trades
    .filter((t) => t.pnl > 0)
    .sort((a, b) => b.pnl - a.pnl || byEntry(a, b))
    .slice(0, k);
  const losers = trades
    .filter((t) => t.pnl < 0)
    .sort((a, b) => a.pnl - b.pnl || byEntry(a, b))
    .slice(0, k);
  return { winners, losers };
}

/** Fills by how deep into the book they reached. */
export interface LevelRow {
  /** `1` the first price an order took at, `2` the next …, `N+` and deeper; `resting` for maker fills. */
  readonly level: string;
  readonly fills: number;
  readonly lots: number;
}

/**
 * Fills per level. A taking order walks the book from the best price out, so among the fills of
 * one order at one time, sorted from the best price for it (lowest for a buy, highest for a sell),
 * the k-th distinct price is the k-th level it reached; levels from `deepest` on share a row.
 * Resting (maker) fills are at the order's own price and make a row of their own.
 */
export function fillsPerLevel(fills: readonly FillRow[], deepest = 4): LevelRow[] {
  const sweeps = new Map<string, FillRow[]>();
  let restingFills = 0;
  let restingLots = 0;
  for (const f of fills) {
    if (f.liquidity === 'maker') {
      restingFills++;
      restingLots += f.qty;
      continue;
    }
    const key = `${f.orderId}\u0000${f.tsNs}`;
    const list = sweeps.get(key);
    if (list === undefined) sweeps.set(key, [f]);
    else list.push(f);
  }
  const fillsAt = new Array<number>(deepest).fill(0);
  const lotsAt = new Array<number>(deepest).fill(0);
  for (const list of sweeps.values()) {
    const prices = [...new Set(list.map((f) => f.price))].sort((a, b) =>
      list[0].side === 'buy' ? a - b : b - a,
    );
    for (const f of list) {
      const i = Math.min(prices.indexOf(f.price), deepest - 1);
      fillsAt[i]++;
      lotsAt[i] += f.qty;
    }
  }
  const rows: LevelRow[] = fillsAt.map((n, i) => ({
    level: i === deepest - 1 ? `${deepest}+` : String(i + 1),
    fills: n,
    lots: lotsAt[i],
  }));
  rows.push({ level: 'resting', fills: restingFills, lots: restingLots });
  return rows;
}

/**
 * A 0/1 step series over `slots`, 1 on the slots that overlap any of `spans` ([from, to) in
 * seconds): its first and last slot and each slot where it changes, as a stepped line holds each
 * value until the next point. Drawn as a stepped area, it shades the spans to the slots' resolution.
 */
export function spanSteps(
  spans: readonly { readonly from: number; readonly to: number }[],
  slots: Slots,
): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < slots.count; i++) {
    const t = slots.from + i * slots.step;
    const v = spans.some((s) => t < s.to && t + slots.step > s.from) ? 1 : 0;
    if (i === 0 || i === slots.count - 1 || v !== out[out.length - 1][1]) out.push([t, v]);
  }
  return out;
}

/** A toxic episode of result.json's `toxic.spans` in whole seconds ([from, to)). */
export function spanSeconds(s: { readonly start: string; readonly end: string }): {
  from: number;
  to: number;
} {
  const end = parseTimestamp(s.end);
  const up = seconds(end) + (end % 1_000_000_000n === 0n ? 0 : 1);
  return { from: seconds(parseTimestamp(s.start)), to: up };
}

/** The name of a folder's result for a page title: its folder's name. */
export function folderName(dir: string): string {
  return basename(dir) || dir;
}
