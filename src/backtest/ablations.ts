/**
 * Ablations: the same data through configurations of this engine that add one part at a time, so
 * that what each part adds is measured, after costs, with its noise shown.
 *
 * - `old`: the old system as a configuration: the momentum and technical analysts alone, the
 *   bull/bear debate with a judge on every decision short of unanimity, no regime model, no
 *   toxicity veto, and the 20 s a sequential pipeline took from trigger to order;
 * - `+microstructure`: `old` with the order-book microstructure analyst;
 * - `+toxicity`: that with the toxicity analyst and its veto (pipeline and risk);
 * - `full`: the whole pipeline as configured; `full, no regime`: the same without the regime model;
 * - `latency N s`: the whole pipeline acting N s after each trigger (0, 1, 3, 7, 10, 20).
 *
 * The old system read 1-minute spot bars; here every variant reads the same futures data, so the
 * comparison isolates the analysts, the debate, the veto and the latency, not the data source.
 *
 * Differences are against `old` and come with bootstrap intervals: over days (each day's P&L
 * difference, paired) and over round trips (the difference of mean trade P&L, resampling each
 * side's trades); a difference whose interval holds zero is marked noise.
 */
import type { Agent, AgentName } from '../agents/index.js';
import type { ExecutionConfig } from '../execution/index.js';
import { analystsTier, type DecisionLoopOptions, type PipelineConfig } from '../pipeline/index.js';
import { bootstrap, bootstrapDifference, bootstrapRatioDifference, type Interval } from './metrics.js';
import { type BacktestMetrics, backtestMetrics, tradesOf } from './results.js';
import { type BacktestSetup, runBacktest } from './runner.js';
import type { RoundTrip } from './trades.js';
import { type ToxicEpisode, toxicLossesByDay, toxicTrades } from './truth.js';

/** What every variant starts from. */
export interface AblationBase {
  /** The seven analysts, built from the configuration. */
  readonly agents: readonly Agent[];
  readonly pipeline: PipelineConfig;
  readonly execution: ExecutionConfig;
  readonly loop: Omit<DecisionLoopOptions, 'pipeline' | 'trader' | 'clock'>;
}

/** One configuration of the ablation. */
export interface Variant {
  readonly name: string;
  /** What it is, for the table. */
  readonly label: string;
  readonly setup: (base: AblationBase) => BacktestSetup;
  /** The variant runs exactly as this earlier one (same setup): its run is reused, not repeated. */
  readonly sameAs?: string;
}

const OLD_ANALYSTS: readonly AgentName[] = ['momentum', 'technical'];

function withAnalysts(
  base: AblationBase,
  names: readonly AgentName[] | null,
  over: {
    pipeline?: Partial<PipelineConfig>;
    execution?: ExecutionConfig;
    loop?: Partial<AblationBase['loop']>;
  },
): BacktestSetup {
  const agents = names === null ? base.agents : base.agents.filter((a) => names.includes(a.name));
  return {
    tier1: analystsTier(agents),
    pipeline: { ...base.pipeline, ...over.pipeline },
    execution: over.execution ?? base.execution,
    loop: { ...base.loop, ...over.loop },
    runId: 'ab',
  };
}

/** The old system's pipeline: the debate on every decision short of unanimity, no toxicity veto. */
function oldPipeline(base: AblationBase, veto: boolean): Partial<PipelineConfig> {
  const p = base.pipeline;
  return {
    debate: { ...p.debate, skipAgreement: 1 },
    routing: { ...p.routing, fastAgreement: 1 },
    limits: veto ? p.limits : { ...p.limits, toxicityVeto: Number.POSITIVE_INFINITY },
  };
}

function oldExecution(base: AblationBase, veto: boolean): ExecutionConfig {
  const e = base.execution;
  return veto ? e : { ...e, risk: { ...e.risk, toxicityVeto: Number.POSITIVE_INFINITY } };
}

const OLD_LOOP = { regime: null, decisionLatencyMs: 20_000 };

/** The row each step of the roadmap's table builds on. */
const STEP_FROM: Readonly<Record<string, string>> = {
  '+microstructure': 'old',
  '+toxicity': '+microstructure',
  full: '+toxicity',
};

/** The variants of the roadmap's table, then the latency sweep of the full pipeline. */
export const VARIANTS: readonly Variant[] = [
  {
    name: 'old',
    label: 'momentum + technical, debate, sequential (20 s), no veto',
    setup: (b) =>
      withAnalysts(b, OLD_ANALYSTS, {
        pipeline: oldPipeline(b, false),
        execution: oldExecution(b, false),
        loop: OLD_LOOP,
      }),
  },
  {
    name: '+microstructure',
    label: 'old + order-book microstructure analyst',
    setup: (b) =>
      withAnalysts(b, [...OLD_ANALYSTS, 'microstructure'], {
        pipeline: oldPipeline(b, false),
        execution: oldExecution(b, false),
        loop: OLD_LOOP,
      }),
  },
  {
    name: '+toxicity',
    label: 'old + microstructure + toxicity analyst and its veto',
    setup: (b) =>
      withAnalysts(b, [...OLD_ANALYSTS, 'microstructure', 'toxicity'], {
        pipeline: oldPipeline(b, true),
        execution: oldExecution(b, true),
        loop: OLD_LOOP,
      }),
  },
  { name: 'full', label: 'the full pipeline', setup: (b) => withAnalysts(b, null, {}) },
  {
    name: 'full, no regime',
    label: 'the full pipeline without the regime model',
    setup: (b) => withAnalysts(b, null, { loop: { regime: null } }),
  },
  ...[0, 1, 3, 7, 10, 20].map(
    (s): Variant => ({
      name: `latency ${s} s`,
      label: `the full pipeline acting ${s} s after each trigger`,
      setup: (b) => withAnalysts(b, null, { loop: { decisionLatencyMs: s * 1_000 } }),
      // `full` acts at the next second too, when its base has no latency of its own.
      sameAs: s === 0 ? 'full' : undefined,
    }),
  ),
];

/** One variant's outcome. */
export interface AblationRow {
  readonly name: string;
  readonly label: string;
  readonly records: number;
  readonly metrics: BacktestMetrics;
  /** P&L difference to `old`: summed over days, with its interval over days (paired by day). */
  readonly vsOldDays: Interval;
  /** Mean round-trip P&L difference to `old`, with its interval over trades. */
  readonly vsOldTrades: Interval;
  /**
   * P&L after costs per contract traded, difference to `old`, with its interval over trades: the
   * edge of a variant whatever its trade sizes and counts (a variant that trades less loses less in
   * costs without foretelling anything).
   */
  readonly vsOldPerContract: Interval;
  /**
   * What this row's part adds to the row it builds on (`+microstructure` on `old`, `+toxicity` on
   * `+microstructure`, `full` on `+toxicity`): the difference of P&L per contract, with its
   * interval over trades. Null for the other rows.
   */
  readonly step: { readonly from: string; readonly perContract: Interval } | null;
  /**
   * Round trips overlapping a toxic episode of the ground truth: how many, their P&L, their losses,
   * and the losses by trading day (null without a truth file).
   */
  readonly toxic: {
    readonly trades: number;
    readonly pnl: number;
    readonly losses: number;
    readonly byDay: readonly { readonly date: string; readonly losses: number }[];
  } | null;
}

/** One variant's backtest: records read, metrics, round trips. */
export interface VariantRun {
  readonly records: number;
  readonly metrics: BacktestMetrics;
  readonly trips: readonly RoundTrip[];
}

/** Runs the variant named `name` over `files` in this thread. */
export async function runVariant(
  files: readonly string[],
  name: string,
  base: AblationBase,
  range?: { readonly fromNs?: bigint; readonly toNs?: bigint },
): Promise<VariantRun> {
  const v = VARIANTS.find((x) => x.name === name);
  if (v === undefined)
    throw new Error(`no ablation variant "${name}" (${VARIANTS.map((x) => x.name).join(', ')})`);
  const run = await runBacktest(files, v.setup(base), range);
  return {
    records: run.records,
    metrics: backtestMetrics(run.trader, run.decisions),
    trips: tradesOf(run.trader),
  };
}

/**
 * Runs every variant (or those named in `only`) over the same files, each once (a variant that
 * runs as an earlier one reuses its run); `onVariant` hears of each as it starts. `run` runs one
 * variant (default: `runVariant` in this thread, one after another); given a pool's, the
 * variants run side by side, and the results are the same.
 */
export async function runAblations(
  files: readonly string[],
  base: AblationBase,
  opts: {
    readonly range?: { readonly fromNs?: bigint; readonly toNs?: bigint };
    readonly episodes?: readonly ToxicEpisode[] | null;
    readonly only?: readonly string[];
    readonly onVariant?: (v: Variant, index: number, count: number) => void;
    readonly seed?: number;
    readonly run?: (name: string) => Promise<VariantRun>;
  } = {},
): Promise<AblationRow[]> {
  const variants = opts.only === undefined ? VARIANTS : VARIANTS.filter((v) => opts.only?.includes(v.name));
  const baseLatency = base.loop.decisionLatencyMs ?? 0;
  const reuses = (v: Variant) =>
    baseLatency === 0 && v.sameAs !== undefined && variants.some((x) => x.name === v.sameAs);
  const own = new Map<string, Promise<VariantRun>>();
  // In this thread one after another; on a pool, all submitted at once.
  let previous: Promise<unknown> = Promise.resolve();
  for (const [i, v] of variants.entries()) {
    if (reuses(v)) continue;
    const start = () => {
      opts.onVariant?.(v, i, variants.length);
      return opts.run !== undefined ? opts.run(v.name) : runVariant(files, v.name, base, opts.range);
    };
    const p = opts.run !== undefined ? start() : previous.then(start);
    previous = p;
    own.set(v.name, p);
  }
  // Awaited together: a variant that fails is reported even while others still run.
  const done = new Map(await Promise.all([...own].map(async ([k, p]) => [k, await p] as const)));
  const runs = variants.map((v) => ({
    ...(done.get(reuses(v) ? (v.sameAs as string) : v.name) as VariantRun),
    v,
  }));
  const old = runs.find((r) => r.v.name === 'old') ?? runs[0];
  const oldDays = new Map(old.metrics.days.map((d) => [d.date, d.pnl]));
  const seed = opts.seed ?? 1;
  const perContract = (trips: readonly RoundTrip[]) => trips.map((t) => ({ num: t.pnl, den: t.quantity }));
  return runs.map((r) => {
    const from = runs.find((x) => x.v.name === STEP_FROM[r.v.name]);
    const diffs = r.metrics.days.map((d) => d.pnl - (oldDays.get(d.date) ?? 0));
    const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
    const oldPnls = old.trips.map((t) => t.pnl);
    const pnls = r.trips.map((t) => t.pnl);
    return {
      name: r.v.name,
      label: r.v.label,
      records: r.records,
      metrics: r.metrics,
      vsOldDays: bootstrap(diffs, sum, { seed }),
      vsOldTrades: bootstrapDifference(pnls, oldPnls, { seed }),
      vsOldPerContract: bootstrapRatioDifference(perContract(r.trips), perContract(old.trips), { seed }),
      step:
        from === undefined
          ? null
          : {
              from: from.v.name,
              perContract: bootstrapRatioDifference(perContract(r.trips), perContract(from.trips), { seed }),
            },
      toxic:
        opts.episodes == null
          ? null
          : { ...toxicTrades(r.trips, opts.episodes), byDay: toxicLossesByDay(r.trips, opts.episodes) },
    };
  });
}

/**
 * The toxicity claim measured: losses on round trips overlapping toxic episodes without the
 * toxicity analyst and its veto (`+microstructure`) and with them (`+toxicity`), the change of
 * those losses (with − without, summed over days, paired by day) and the share of them avoided
 * (1 − with / without), each with a bootstrap interval over days. Null without both rows or a truth.
 */
export function toxicityClaim(rows: readonly AblationRow[], seed = 1): ToxicityClaim | null {
  const without = rows.find((r) => r.name === '+microstructure');
  const withVeto = rows.find((r) => r.name === '+toxicity');
  if (without?.toxic == null || withVeto?.toxic == null) return null;
  const dates = [...new Set([...without.metrics.days, ...withVeto.metrics.days].map((d) => d.date))].sort();
  const lossOn = (byDay: readonly { date: string; losses: number }[], date: string) =>
    byDay.find((d) => d.date === date)?.losses ?? 0;
  const days = dates.map((date) => ({
    date,
    without: lossOn(without.toxic?.byDay ?? [], date),
    with: lossOn(withVeto.toxic?.byDay ?? [], date),
  }));
  const sum = (xs: readonly (typeof days)[number][], k: 'with' | 'without') =>
    xs.reduce((s, d) => s + d[k], 0);
  return {
    without: without.toxic.losses,
    with: withVeto.toxic.losses,
    days,
    change: bootstrap(days, (xs) => sum(xs, 'with') - sum(xs, 'without'), { seed }),
    avoided: bootstrap(days, (xs) => 1 - sum(xs, 'with') / sum(xs, 'without'), { seed }),
  };
}

/** What `toxicityClaim` measures. */
export interface ToxicityClaim {
  /** Losses in toxic episodes without the veto and with it, USD. */
  readonly without: number;
  readonly with: number;
  readonly days: readonly { readonly date: string; readonly without: number; readonly with: number }[];
  /** With − without, USD (negative: the veto saved that much). */
  readonly change: Interval;
  /** The share of the losses avoided (the roadmap claims 0.30–0.40). */
  readonly avoided: Interval;
}

/** The claim as a line of text. */
export function toxicityLine(c: ToxicityClaim): string {
  const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const ci = (i: Interval, d: number, k = 1) =>
    `${f(k * i.estimate, d)} [${f(k * i.low, d)}, ${f(k * i.high, d)}]${i.noise ? ' noise' : ''}`;
  return `toxic-episode losses: ${f(c.without)} USD without the toxicity veto, ${f(c.with)} USD with it; change ${ci(c.change, 0)} USD, avoided ${ci(c.avoided, 0, 100)} % (95 % intervals over ${c.days.length} day(s))`;
}

/** The ablation table as text: one row per variant, differences to `old` with their intervals. */
export function ablationTable(rows: readonly AblationRow[]): string[] {
  const f = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const ci = (i: Interval, d = 0) =>
    Number.isFinite(i.estimate)
      ? `${f(i.estimate, d)} [${f(i.low, d)}, ${f(i.high, d)}]${i.noise ? ' noise' : ''}`
      : '–';
  const head = [
    'variant',
    'P&L USD',
    'vs old, by day',
    'trades',
    'win %',
    'per contract vs old',
    'step, per contract',
    'toxic losses',
  ];
  const body = rows.map((r) => [
    r.name,
    f(r.metrics.pnl),
    r.name === 'old' ? '' : ci(r.vsOldDays),
    String(r.metrics.trades),
    f(100 * r.metrics.winRate, 1),
    r.name === 'old' ? '' : ci(r.vsOldPerContract, 2),
    r.step === null ? '' : `${ci(r.step.perContract, 2)} on ${r.step.from}`,
    r.toxic === null ? '' : f(r.toxic.losses),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line)];
}
