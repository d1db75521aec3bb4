/**
 * `scalper predictability FILE|DIR...`: how well the book foretells the next interval's mid on
 * MBP-10 data (features/predictability.ts): the Pearson correlation of each interval's best-level
 * OFI and of the queue imbalance at its end with the mid change over the next interval, the R² and
 * slope of the OLS fit, the number of interval pairs and a 95 % bootstrap interval of the
 * correlation over blocks of intervals; the same-interval OFI correlation for reference. A table on
 * stdout, or JSON (`--json`).
 *
 * Only the MBP-10 files of the input are read (a simulator folder's trades and definitions are
 * left out: the measures need the book alone, and CME FX futures' ticks come with their symbols).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { bootstrap } from '../backtest/index.js';
import { ConfigError, fxFutureRoot, productOf, tickDecimals } from '../core/index.js';
import { DbnDecoder, DbnError, replay } from '../data/index.js';
import {
  fitOfSums,
  type InstrumentPredictability,
  PREDICTABILITY_PAIRS,
  type PredictabilityPair,
  PredictabilityStudies,
  pooledSums,
} from '../features/index.js';
import { parseInterval } from './args.js';
import { durationLabel } from './basis.js';
import { summary } from './commands.js';
import { commandInputs, timeRangeOptions } from './inputs.js';
import { jsonNumber, jsonTime, n, printReport } from './output.js';

/** Options of `runPredictability`. */
export interface PredictabilityCliOptions {
  /** Interval length, ms (default 10 s). */
  readonly stepMs?: number;
  /** Bootstrap block, ms (default 30 min). */
  readonly blockMs?: number;
  /** Silence that breaks intervals, ms (default 60 s). */
  readonly maxGapMs?: number;
  /** Only this contract (`6EH6`) or product (`6E`). */
  readonly symbol?: string;
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
  /** Bootstrap resamples (default 2000) and seed (default 1). */
  readonly resamples?: number;
  readonly seed?: number;
}

/** One measured pair, as JSON. */
export interface PairJson {
  /** Interval pairs (or intervals, for `ofi_same`) counted. */
  pairs: number;
  correlation: number | null;
  /** 95 % percentile bootstrap interval of the correlation, blocks resampled. */
  ci_low: number | null;
  ci_high: number | null;
  r2: number | null;
  /** OLS slope: ticks of mid change per contract of OFI, or per unit of imbalance. */
  slope: number | null;
}

/** One instrument, as JSON. */
export interface InstrumentJson {
  symbol: string;
  instrument_id: number;
  /** Tick (decimal); null when unknown, and then mid changes are in raw 1e-9 price units. */
  tick: number | null;
  from: string | null;
  to: string | null;
  intervals: number;
  excluded: number;
  blocks: number;
  ofi_next: PairJson;
  qi_next: PairJson;
  ofi_same: PairJson;
}

/** What `scalper predictability --json` prints. */
export interface PredictabilityReport {
  version: 1;
  files: string[];
  step_ms: number;
  block_ms: number;
  max_gap_ms: number;
  instruments: InstrumentJson[];
}

const NS_PER_MS = 1_000_000n;

/** A pair's fit over every block and its correlation's bootstrap interval over blocks. */
export function pairJson(
  blocks: readonly Float64Array[],
  pair: PredictabilityPair,
  opts: { resamples?: number; seed?: number } = {},
): PairJson {
  const fit = fitOfSums(pooledSums(blocks, pair));
  const ci = bootstrap(blocks, (bs) => fitOfSums(pooledSums(bs, pair)).correlation, {
    resamples: opts.resamples,
    seed: opts.seed,
  });
  return {
    pairs: fit.n,
    correlation: jsonNumber(fit.correlation, 6),
    ci_low: blocks.length >= 2 ? jsonNumber(ci.low, 6) : null,
    ci_high: blocks.length >= 2 ? jsonNumber(ci.high, 6) : null,
    r2: jsonNumber(fit.r2, 6),
    slope: jsonNumber(fit.slope, 9),
  };
}

function instrumentJson(r: InstrumentPredictability, opts: PredictabilityCliOptions): InstrumentJson {
  const pairs = Object.fromEntries(
    PREDICTABILITY_PAIRS.map((p) => [p, pairJson(r.blocks, p, opts)]),
  ) as Record<PredictabilityPair, PairJson>;
  return {
    symbol: r.symbol,
    instrument_id: r.instrumentId,
    tick: Number.isFinite(r.tickRaw) ? jsonNumber(r.tickRaw * 1e-9, 12) : null,
    from: jsonTime(r.firstMs),
    to: jsonTime(r.lastMs),
    intervals: r.intervals,
    excluded: r.excluded,
    blocks: r.blocks.length,
    ...pairs,
  };
}

/** `symbol` (a contract or a product) selects instrument `name`. */
function selector(symbol: string | undefined): ((name: string) => boolean) | undefined {
  if (symbol === undefined) return undefined;
  const product = productOf(symbol);
  return (name) => name === symbol || (product !== undefined && fxFutureRoot(name) === product);
}

/** The MBP-10 files of `files` (and those of mixed schema); a `ConfigError` when there is none. */
async function mbp10Files(files: readonly string[]): Promise<string[]> {
  if (files.length === 0) throw new ConfigError('no input files');
  const keep: string[] = [];
  const seen: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
    const dec = DbnDecoder.fromFile(f);
    const schema = (await dec.readMetadata())?.schema ?? null;
    await dec.close();
    seen.push(`${f} (${schema ?? 'mixed'})`);
    if (schema === null || schema === 'mbp-10') keep.push(f);
  }
  if (keep.length === 0) {
    const list =
      seen.length <= 4 ? seen.join(', ') : `${seen.slice(0, 4).join(', ')} and ${seen.length - 4} more`;
    throw new ConfigError(
      `no MBP-10 input: ${list}; predictability reads MBP-10 books (glbx-mdp3-DATE.mbp-10.dbn.zst)`,
    );
  }
  return keep;
}

/** Replays the MBP-10 files of `files` and measures every instrument in them. */
export async function runPredictability(
  files: readonly string[],
  opts: PredictabilityCliOptions = {},
): Promise<PredictabilityReport> {
  const inputs = await mbp10Files(files);
  const studies = new PredictabilityStudies({
    stepMs: opts.stepMs,
    blockMs: opts.blockMs,
    maxGapMs: opts.maxGapMs,
    select: selector(opts.symbol),
  });
  await replay(inputs, studies, {
    everyNs: BigInt(studies.stepMs) * NS_PER_MS,
    onGrid: (t) => studies.sample(t),
    fromNs: opts.fromNs,
    toNs: opts.toNs,
  });
  const results = studies.results();
  if (results.length === 0) {
    const names = [...new Set(studies.symbols.values())].join(', ') || 'none';
    throw new ConfigError(
      opts.symbol !== undefined
        ? `--symbol ${opts.symbol}: no MBP-10 records of it in the input (symbols: ${names})`
        : `no MBP-10 records in ${inputs.join(', ')}`,
    );
  }
  return {
    version: 1,
    files: [...files],
    step_ms: studies.stepMs,
    block_ms: studies.blockMs,
    max_gap_ms: studies.maxGapMs,
    instruments: results.map((r) => instrumentJson(r, opts)),
  };
}

function fix(v: number | null, d: number): string {
  if (v === null) return '—';
  const t = v.toFixed(d);
  return Number(t) === 0 ? (0).toFixed(d) : t;
}

/** The readable report. */
export function predictabilityTable(r: PredictabilityReport): string[] {
  const step = durationLabel(r.step_ms);
  const lines: string[] = [];
  for (const i of r.instruments) {
    if (lines.length > 0) lines.push('');
    const tick =
      i.tick !== null
        ? `tick ${i.tick.toFixed(tickDecimals(Math.round(i.tick * 1e9)))}`
        : 'tick unknown: raw price units';
    lines.push(
      `${i.symbol}  (${tick})`,
      `  ${i.from ?? '—'} to ${i.to ?? '—'}: ${n(i.intervals)} intervals of ${step}, ${n(i.excluded)} left out ` +
        `(gaps over ${durationLabel(r.max_gap_ms)}, books not two-sided)`,
      '',
      `  ${'predictor → mid change'.padEnd(34)}${'pairs'.padStart(8)}${'corr'.padStart(9)}${`95% (${i.blocks} × ${durationLabel(r.block_ms)} blocks)`.padStart(28)}${'R²'.padStart(8)}${'slope'.padStart(12)}`,
    );
    const rows: [string, PairJson][] = [
      [`OFI → next ${step}`, i.ofi_next],
      [`queue imbalance at end → next ${step}`, i.qi_next],
      [`OFI → same ${step} (reference)`, i.ofi_same],
    ];
    for (const [label, p] of rows) {
      const ci = p.ci_low === null ? '—' : `${fix(p.ci_low, 3)} .. ${fix(p.ci_high, 3)}`;
      lines.push(
        `  ${label.padEnd(34)}${n(p.pairs).padStart(8)}${fix(p.correlation, 3).padStart(9)}${ci.padStart(28)}${fix(p.r2, 3).padStart(8)}${(p.slope === null ? '—' : p.slope.toPrecision(3)).padStart(12)}`,
      );
    }
  }
  return lines;
}

/** An interval option in ms (`10s`, `1m`). */
function msArg(v: string): number {
  return Number(parseInterval(v) / NS_PER_MS);
}

/** Registers `predictability`. */
export function registerPredictability(program: Command): void {
  const cmd = program
    .command('predictability')
    .description(summary('predictability'))
    .argument('<files...>', 'MBP-10 DBN files or folders of them (a simulator run, a Databento download)')
    .option('--json', 'print the report as JSON instead of the table')
    .option('--symbol <symbol>', 'only this contract (6EH6) or product (6E)')
    .option('--step <interval>', 'interval length (default 10s)', msArg)
    .option('--block <interval>', 'bootstrap block: a whole number of steps (default 30m)', msArg)
    .option(
      '--max-gap <interval>',
      'an instrument silent this long breaks its intervals (CME break, weekends; default 60s)',
      msArg,
    )
    .addHelpText(
      'after',
      `
On a grid of --step (epoch-aligned, ts_recv): each interval's best-level OFI (Cont, Kukanov &
Stoikov 2014: Σ e_n over the book updates in it, contracts), the level-1 queue imbalance
(bid1 − ask1)/(bid1 + ask1) at its end, and the mid change over the NEXT interval in ticks.
For each predictor: Pearson correlation with the next mid change, R² and slope of the OLS fit, the
number of pairs, and a 95 % percentile bootstrap interval of the correlation with --block blocks of
intervals resampled (2000 draws, seed 1); OFI against the same interval's mid change for reference.
Intervals are left out when the book is one-sided, empty or crossed in or at either end of them, or
the instrument is silent for --max-gap across them. Only MBP-10 files are read.

JSON (--json): { version, files, step_ms, block_ms, max_gap_ms, instruments: [{ symbol,
instrument_id, tick, from, to, intervals, excluded, blocks, ofi_next, qi_next, ofi_same }] }, each
pair { pairs, correlation, ci_low, ci_high, r2, slope }; null where a value is undefined.

Example:
  scalper simulate --days 1 --out /tmp/sim && scalper predictability /tmp/sim --symbol 6E`,
    )
    .action(
      async (
        paths: string[],
        cli: {
          json?: boolean;
          symbol?: string;
          step?: number;
          block?: number;
          maxGap?: number;
          from?: string;
          to?: string;
        },
      ) => {
        const { files, fromNs, toNs } = await commandInputs(paths, cli);
        const report = await runPredictability(files, {
          stepMs: cli.step,
          blockMs: cli.block,
          maxGapMs: cli.maxGap,
          symbol: cli.symbol,
          fromNs,
          toNs,
        });
        await printReport(report, cli.json === true, predictabilityTable);
      },
    );
  timeRangeOptions(cmd);
}
