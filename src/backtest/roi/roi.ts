/**
 * What the order-flow data is worth against what it costs, computed from a backtest's ablations
 * (`scalper backtest --ablations`) rather than assumed:
 *
 * - The order-flow gain is the daily P&L (after fees) of a variant that reads the order book
 *   (`full`, or its parts `+microstructure` and `+toxicity`) less that of `old` (momentum and
 *   technical analysts on the same data), paired by CME trading day; a day one of them has no P&L
 *   for counts as 0 for it (nothing traded). `+toxicity` differs from `old` by the order-flow
 *   analysts and the toxicity veto alone; `full` also drops the debate on every decision and the
 *   20 s of a sequential pipeline, and adds the regime model.
 * - Monthly = the mean daily figure × trading days a month (21 by default).
 * - Size: a multiple of the backtest's order quantity. The backtest sized each order as
 *   `pipeline.sizing.baseSize` contracts × confidence (× the regime's scale); P&L after costs is
 *   scaled linearly, as though fills, per-contract fees and the USD risk limits (the daily loss
 *   limit) scaled with the quantity (no market impact, the same queue positions).
 * - Costs are USD a month (data subscription, infrastructure); a one-off setup cost is paid back.
 * - Net = gain at the size − monthly costs. Break-even size = monthly costs / gain per unit of
 *   size (none when the gain is not positive). Payback = setup cost / net, in months (never when
 *   the net is not positive).
 * - Intervals: a seeded percentile bootstrap over days of each monthly figure (metrics.ts
 *   `bootstrap`, 95 %); net, break-even and payback are those monotone functions of the gain's
 *   bounds. An interval that holds zero, or rests on one day, is noise.
 */
import {
  EngineError,
  InvalidOptionError,
  requireNonNegative,
  requireOneOf,
  requirePositive,
} from '../../core/index.js';
import { bootstrap, type Interval, mean } from '../metrics.js';

/** A backtest result that cannot be read for the cost–benefit table. */
export class RoiInputError extends EngineError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('ROI_INPUT', `${path}: ${message}`, options);
  }
}

/** P&L of one CME trading day, USD after costs. */
export interface DayPnl {
  readonly date: string;
  readonly pnl: number;
}

/** What the table needs of a backtest's `result.json`. */
export interface RoiInputs {
  /** Daily P&L of each ablation variant, by its name (`old`, `+microstructure`, `full` …). */
  readonly variants: ReadonlyMap<string, readonly DayPnl[]>;
  /** Contracts of an order at full confidence in the backtest (`pipeline.sizing.baseSize`). */
  readonly baseSize: number | null;
  /** The backtest's position limit per instrument, contracts (`pipeline.limits.maxPosition`). */
  readonly maxPosition: number | null;
}

/** The variant without order flow that every gain is measured against. */
export const BASELINE = 'old';

/** The variants that add order-flow parts to `old`, in the ablation's order. */
export const ORDER_FLOW_VARIANTS = ['+microstructure', '+toxicity', 'full'] as const;

export interface RoiOptions {
  /** Market data subscription, USD a month. */
  readonly dataCost: number;
  /** Infrastructure (servers, co-location, connectivity), USD a month. */
  readonly infraCost: number;
  /** Paid once (integration, hardware), USD; default 0. */
  readonly setupCost?: number;
  /** A multiple of the backtest's order quantity; default 1. */
  readonly size?: number;
  /** Default 21. */
  readonly tradingDaysPerMonth?: number;
  /** The variant with order flow; default `full`. */
  readonly variant?: string;
  /** Bootstrap: seed (default 1), resamples (2,000), level (0.95). */
  readonly seed?: number;
  readonly resamples?: number;
  readonly level?: number;
}

/** What one order-flow variant adds over `old`. */
export interface RoiPart {
  readonly variant: string;
  /** Monthly gain at the chosen size, USD. */
  readonly gain: Interval;
  readonly breakEvenSize: Interval;
}

/** The cost–benefit table; a bound of ∞ means none (break-even) or never (payback). */
export interface Roi {
  readonly variant: string;
  readonly baseline: string;
  readonly dates: readonly string[];
  readonly size: number;
  readonly tradingDaysPerMonth: number;
  readonly level: number;
  readonly seed: number;
  readonly resamples: number;
  readonly baseSize: number | null;
  readonly maxPosition: number | null;
  /** USD a month, but `setup` (once). */
  readonly costs: {
    readonly data: number;
    readonly infrastructure: number;
    readonly monthly: number;
    readonly setup: number;
  };
  /** Monthly P&L at the chosen size, USD: `old`, the variant, their difference, and net of costs. */
  readonly without: Interval;
  readonly with: Interval;
  readonly gain: Interval;
  readonly net: Interval;
  /** The size at which the gain pays the monthly costs. */
  readonly breakEvenSize: Interval;
  /** Months for the net to repay the setup cost. */
  readonly paybackMonths: Interval;
  /** Each order-flow variant of the ablation against `old`. */
  readonly parts: readonly RoiPart[];
  readonly verdict: string;
}

/** Two daily series on the union of their dates (sorted), a missing day as 0. */
export function pairByDay(
  a: readonly DayPnl[],
  b: readonly DayPnl[],
): { dates: string[]; a: number[]; b: number[] } {
  const byDate = (xs: readonly DayPnl[]) => {
    const m = new Map<string, number>();
    for (const d of xs) m.set(d.date, (m.get(d.date) ?? 0) + d.pnl);
    return m;
  };
  const ma = byDate(a);
  const mb = byDate(b);
  const dates = [...new Set([...ma.keys(), ...mb.keys()])].sort();
  return { dates, a: dates.map((d) => ma.get(d) ?? 0), b: dates.map((d) => mb.get(d) ?? 0) };
}

/** An interval multiplied by k > 0, or shifted by c (noise: it holds zero, or rests on one day). */
const scaled = (i: Interval, k: number): Interval => ({
  ...i,
  estimate: i.estimate * k,
  low: i.low * k,
  high: i.high * k,
});
const shifted = (i: Interval, c: number, oneDay: boolean): Interval => {
  const low = i.low + c;
  const high = i.high + c;
  return { estimate: i.estimate + c, low, high, noise: oneDay || !(low > 0 || high < 0) };
};

/**
 * `amount / x` over an interval of x, where only x > 0 gives an answer (∞ otherwise): the bounds
 * swap, since the quotient falls as x grows. Noise unless all of x's interval is positive.
 */
function perPositive(amount: number, x: Interval): Interval {
  const q = (v: number) => (v > 0 ? amount / v : Number.POSITIVE_INFINITY);
  return { estimate: q(x.estimate), low: q(x.high), high: q(x.low), noise: !(x.low > 0) };
}

/** The cost–benefit table of the order-flow parts of `inputs` (see the module comment). */
export function orderFlowRoi(inputs: RoiInputs, o: RoiOptions): Roi {
  const data = requireNonNegative('dataCost', o.dataCost);
  const infrastructure = requireNonNegative('infraCost', o.infraCost);
  const setup = requireNonNegative('setupCost', o.setupCost ?? 0);
  const size = requirePositive('size', o.size ?? 1);
  const perMonth = requirePositive('tradingDaysPerMonth', o.tradingDaysPerMonth ?? 21);
  const variant = requireOneOf(
    'variant',
    o.variant ?? 'full',
    ORDER_FLOW_VARIANTS.filter((v) => inputs.variants.has(v)),
  );
  const seed = o.seed ?? 1;
  const resamples = o.resamples ?? 2_000;
  const level = o.level ?? 0.95;
  const monthly = data + infrastructure;
  const boot = { seed, resamples, level };
  if (!inputs.variants.has(BASELINE))
    throw new InvalidOptionError('variants', [...inputs.variants.keys()], `a list holding "${BASELINE}"`);
  const series = (name: string) => inputs.variants.get(name) ?? [];
  const old = series(BASELINE);
  // Monthly at size 1; the bootstrap's statistic is the mean, so scaling after it is exact.
  const monthlyOf = (xs: readonly number[]) => bootstrap(xs, mean, boot);
  const partOf = (name: string) => {
    const p = pairByDay(series(name), old);
    const diff = p.a.map((v, i) => v - p.b[i]);
    const gainPerSize = scaled(monthlyOf(diff), perMonth);
    return { p, gainPerSize };
  };
  const { p, gainPerSize } = partOf(variant);
  const gain = scaled(gainPerSize, size);
  const net = shifted(gain, -monthly, p.dates.length < 2);
  const roi = {
    variant,
    baseline: BASELINE,
    dates: p.dates,
    size,
    tradingDaysPerMonth: perMonth,
    level,
    seed,
    resamples,
    baseSize: inputs.baseSize,
    maxPosition: inputs.maxPosition,
    costs: { data, infrastructure, monthly, setup },
    without: scaled(monthlyOf(p.b), perMonth * size),
    with: scaled(monthlyOf(p.a), perMonth * size),
    gain,
    net,
    breakEvenSize: perPositive(monthly, gainPerSize),
    paybackMonths: perPositive(setup, net),
    parts: ORDER_FLOW_VARIANTS.filter((v) => inputs.variants.has(v)).map((v) => {
      const g = partOf(v).gainPerSize;
      return { variant: v, gain: scaled(g, size), breakEvenSize: perPositive(monthly, g) };
    }),
  };
  return { ...roi, verdict: roiVerdict(roi) };
}

const plain = (v: number) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : '–';
const usd = (v: number) => `${v > 0 ? '+' : ''}${plain(v)}`;
const sized = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : '∞');
const months = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '∞');
const span = (i: Interval, f: (v: number) => string) => `[${f(i.low)}, ${f(i.high)}]`;

/** The answer in a sentence or two: pays, does not pay, or noise. */
export function roiVerdict(r: Omit<Roi, 'verdict'>): string {
  const n = r.dates.length;
  const what = `the order-flow parts (${r.variant} against ${r.baseline})`;
  const gain = `${usd(r.gain.estimate)} USD a month ${span(r.gain, usd)}`;
  const at = `at size ${sized(r.size)}`;
  const costs = `${plain(r.costs.monthly)} USD a month of data and infrastructure`;
  const be = r.breakEvenSize;
  const breakEven = `break-even at size ${sized(be.estimate)} ${span(be, sized)}`;
  const payback =
    r.costs.setup > 0 && Number.isFinite(r.paybackMonths.estimate)
      ? `; the setup cost is paid back in ${months(r.paybackMonths.estimate)} months ${span(r.paybackMonths, months)}`
      : '';
  let text: string;
  if (n < 2) {
    text = `Noise: ${n} day of P&L says nothing of its spread; backtest more days.`;
  } else if (r.gain.noise) {
    text = `Noise: ${what} changed the P&L by ${gain} ${at}, and that interval holds zero: this backtest does not show that they add anything, so nothing here pays for ${costs}.`;
  } else if (r.gain.high < 0) {
    text = `Does not pay: ${what} change the P&L by ${gain} ${at}; no size breaks even on ${costs}.`;
  } else if (r.net.low > 0) {
    text = `Pays: ${what} add ${gain} ${at}, ${usd(r.net.estimate)} USD ${span(r.net, usd)} after ${costs}; ${breakEven}${payback}.`;
  } else if (r.net.high < 0) {
    text = `Does not pay ${at}: ${what} add ${gain}, less than ${costs} (net ${usd(r.net.estimate)} USD ${span(r.net, usd)}); ${breakEven}.`;
  } else {
    text = `Not established ${at}: ${what} add ${gain}, but net of ${costs} the interval ${span(r.net, usd)} holds zero (noise); ${breakEven}.`;
  }
  // The gain is a difference: both sides can lose money, the order flow only losing less.
  if (n >= 2 && r.with.high < 0)
    text += ` The strategy loses money with the order flow too (${usd(r.with.estimate)} USD a month ${span(r.with, usd)} ${at}): the gain only narrows a loss.`;
  // A percentile bootstrap over few days is narrower than the spread it estimates.
  if (n >= 2 && n < r.tradingDaysPerMonth)
    text += ` Only ${n} trading days: a bootstrap over so few understates the spread; a month or more says more.`;
  return text;
}

/** The table as text: the cost–benefit rows, then the gain of each order-flow part. */
export function roiTable(r: Roi): string[] {
  const pct = Math.round(r.level * 100);
  const noise = (i: Interval) => (i.noise ? ' noise' : '');
  const money = (i: Interval) => [usd(i.estimate), `${span(i, usd)}${noise(i)}`];
  const cost = (v: number) => [usd(-v), ''];
  const rows: string[][] = [
    ['', 'value', `${pct} % interval`, 'unit'],
    [`monthly P&L without order flow (${r.baseline})`, ...money(r.without), 'USD/month'],
    [`monthly P&L with order flow (${r.variant})`, ...money(r.with), 'USD/month'],
    ['gain from order flow', ...money(r.gain), 'USD/month'],
    ['data cost', ...cost(r.costs.data), 'USD/month'],
    ['infrastructure cost', ...cost(r.costs.infrastructure), 'USD/month'],
    ['net', ...money(r.net), 'USD/month'],
    [
      'break-even size',
      Number.isFinite(r.breakEvenSize.estimate) ? sized(r.breakEvenSize.estimate) : 'none',
      span(r.breakEvenSize, sized),
      "× the backtest's orders",
    ],
    [
      `payback of ${plain(r.costs.setup)} USD setup`,
      Number.isFinite(r.paybackMonths.estimate) ? months(r.paybackMonths.estimate) : 'never',
      span(r.paybackMonths, months),
      'months',
    ],
  ];
  const lines = columns(rows, [false, true, true, false]);
  if (r.parts.length > 0) {
    lines.push('', `gain of each order-flow part against ${r.baseline} at size ${sized(r.size)}:`);
    const parts = [
      ['', 'USD/month', `${pct} % interval`, 'break-even size', `${pct} % interval`],
      ...r.parts.map((p) => [
        p.variant,
        usd(p.gain.estimate),
        `${span(p.gain, usd)}${noise(p.gain)}`,
        Number.isFinite(p.breakEvenSize.estimate) ? sized(p.breakEvenSize.estimate) : 'none',
        span(p.breakEvenSize, sized),
      ]),
    ];
    lines.push(...columns(parts, [false, true, true, true, true]).map((l) => `  ${l}`));
  }
  return lines;
}

/** Rows as aligned columns: left-aligned, or right-aligned where `right`. */
function columns(rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const widths = right.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * The inputs of the table from a parsed `result.json` (read from `path`, named in errors): the
 * ablation rows' daily P&L and the backtest's order size from its configuration.
 */
export function roiInputs(result: unknown, path: string): RoiInputs {
  const r = result as {
    metrics?: unknown;
    ablations?: unknown;
    config?: { pipeline?: { sizing?: { baseSize?: unknown }; limits?: { maxPosition?: unknown } } };
  } | null;
  if (typeof r !== 'object' || r === null || typeof r.metrics !== 'object' || r.metrics === null)
    throw new RoiInputError(
      path,
      'not a backtest result (no metrics): give the result.json `scalper backtest` wrote',
    );
  if (r.ablations === undefined || r.ablations === null)
    throw new RoiInputError(
      path,
      'holds no ablations: run `scalper backtest --ablations` to measure the order-flow parts against the old system',
    );
  if (!Array.isArray(r.ablations)) throw new RoiInputError(path, '"ablations" is not a list of variants');
  const variants = new Map<string, DayPnl[]>();
  for (const [i, row] of (r.ablations as unknown[]).entries()) {
    const a = row as { name?: unknown; metrics?: { days?: unknown } } | null;
    const name = a?.name;
    const days = a?.metrics?.days;
    if (typeof name !== 'string' || !Array.isArray(days))
      throw new RoiInputError(path, `ablations[${i}] is not a variant with daily P&L (name, metrics.days)`);
    variants.set(
      name,
      days.map((d: { date?: unknown; pnl?: unknown } | null, k) => {
        if (typeof d?.date !== 'string' || typeof d.pnl !== 'number' || !Number.isFinite(d.pnl))
          throw new RoiInputError(path, `ablation "${name}": day ${k} has no date or no finite P&L`);
        return { date: d.date, pnl: d.pnl };
      }),
    );
  }
  if (!variants.has(BASELINE))
    throw new RoiInputError(
      path,
      `no "${BASELINE}" variant in its ablations (it has ${quoteNames(variants)})`,
    );
  const num = (v: unknown) => (typeof v === 'number' && v > 0 ? v : null);
  return {
    variants,
    baseSize: num(r.config?.pipeline?.sizing?.baseSize),
    maxPosition: num(r.config?.pipeline?.limits?.maxPosition),
  };
}

const quoteNames = (m: ReadonlyMap<string, unknown>) =>
  [...m.keys()].map((k) => `"${k}"`).join(', ') || 'none';
