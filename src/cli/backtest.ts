/**
 * `scalper backtest FILES... --out DIR`: the decision loop over DBN files with every approved
 * decision traded on the paper broker (backtest/runner.ts), and its files: `result.json`
 * (configuration, inputs, metrics), `orders.csv`, `fills.csv`, `trades.csv`, `equity.csv`,
 * `decisions.jsonl`, `timings.jsonl`, `report.html` (backtest/report), and the run's
 * `manifest.json`.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { WorkerPool } from '../agents/index.js';
import {
  ablationTable,
  backtestMetrics,
  readTruth,
  runAblations,
  runBacktest,
  type ToxicEpisode,
  type TrainingJson,
  toxicityClaim,
  toxicityLine,
  toxicTrades,
  tradesOf,
  VARIANTS,
  writeReport,
  writeRunFiles,
} from '../backtest/index.js';
import {
  ConfigError,
  componentLogger,
  configHash,
  formatTimestamp,
  hashFile,
  packageInfo,
  plainJsonValue,
} from '../core/index.js';
import { DbnError } from '../data/dbn/index.js';
import { createProvider, type LlmProvider, RecordingProvider, ReplayingProvider } from '../llm/index.js';
import { summarizeDecisions } from '../pipeline/index.js';
import type { RegimeModelFile } from '../strategy/index.js';
import { nonNegativeInt } from './args.js';
import { ablationBase } from './backtest-worker.js';
import { summary } from './commands.js';
import { configFlags, runOf, type ScalperConfig } from './config.js';
import { backtestSetup, executionLines, executionSummary, summaryLines } from './decide.js';
import { commandInputs, timeRangeOptions } from './inputs.js';
import { recordRun } from './manifest.js';
import { n, outputFolder } from './output.js';
import { progress } from './progress.js';
import { readRegimeModel } from './regime-files.js';
import { backtestPool, defaultWorkers } from './sweep.js';

/** The files a backtest writes into its folder. */
export const BACKTEST_FILES = [
  'result.json',
  'orders.csv',
  'fills.csv',
  'trades.csv',
  'equity.csv',
  'decisions.jsonl',
  'timings.jsonl',
  'report.html',
] as const;

/** Options of `runBacktestCommand`. */
export interface BacktestCommandOptions {
  readonly out: string;
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
  readonly config: ScalperConfig;
  readonly quiet?: boolean;
  /** A simulator truth file (or a folder of them): toxic episodes for `trades.csv` and the metrics. */
  readonly truth?: string;
  /**
   * Also run the ablations (backtest/ablations.ts) over the same files, into `result.json`: all of
   * them, or the variants named (`old` among them, which the others are measured against).
   */
  readonly ablations?: boolean | readonly string[];
  /** Append the model's answers to this file (JSON lines) for a later exact replay. */
  readonly recordModel?: string;
  /** Answer from a recording instead of calling a model. */
  readonly replayModel?: string;
  /**
   * Worker threads for the ablations (0 or absent: one after another in this thread); the results
   * are the same either way.
   */
  readonly workers?: number;
  /** What was fitted on earlier days for this run (a walk-forward fold), for result.json and the report. */
  readonly training?: readonly TrainingJson[];
}

/**
 * Runs the backtest and writes its files; returns `result.json`'s content and where the report is.
 * Without a model the files are the same bytes for the same inputs and configuration, but for
 * `timings.jsonl` and the report, which shows those timings.
 */
export async function runBacktestCommand(files: readonly string[], o: BacktestCommandOptions) {
  for (const f of files) if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
  const truth = o.truth !== undefined ? readTruth(o.truth) : null;
  const episodes = truth?.episodes ?? null;
  const cfg = o.config;
  const log = componentLogger('backtest');
  outputFolder(o.out);
  const regime = cfg.decide.regimeModel !== undefined ? readRegimeModel(cfg.decide.regimeModel) : null;
  const llm = modelFor(cfg, o);
  const pool = cfg.decide.workers > 0 ? new WorkerPool({ size: cfg.decide.workers }) : undefined;
  const setup = backtestSetup(cfg, {
    pool,
    llm,
    regime,
    runId: 'bt',
    decisionLatencyMs: cfg.backtest.decisionLatencyMs,
  });
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  const bar = progress('backtest', o.quiet === true ? 0 : total);
  let run: Awaited<ReturnType<typeof runBacktest>>;
  try {
    run = await runBacktest(files, setup, { fromNs: o.fromNs, toNs: o.toNs }, (d) => bar.update(d));
  } finally {
    bar.stop();
    await pool?.close();
  }
  const trips = tradesOf(run.trader);
  writeRunFiles(o.out, run.trader, run.decisions, trips, episodes);
  const inputs = [];
  for (const f of files) inputs.push(await hashFile(f));
  const result = {
    version: 1,
    package: packageInfo(),
    configHash: configHash(cfg),
    config: cfg,
    inputs,
    records: run.records,
    metrics: backtestMetrics(run.trader, run.decisions),
    // Round trips that overlapped a toxic episode of the ground truth (null without a truth file),
    // the episodes, for the report to shade, and the market scenarios the days were simulated under.
    toxic:
      truth === null || episodes === null
        ? null
        : {
            scenarios: truth.scenarios,
            episodes: episodes.length,
            ...toxicTrades(trips, episodes),
            spans: episodes.map((e) => ({
              symbol: e.symbol,
              start: formatTimestamp(e.startNs),
              end: formatTimestamp(e.endNs),
            })),
          },
    execution: executionSummary(run.trader, run.decisions),
    training: o.training ?? [],
    ablations:
      o.ablations === true || Array.isArray(o.ablations)
        ? await ablations(files, cfg, regime, episodes, o)
        : null,
  };
  const claim = result.ablations === null ? null : toxicityClaim(result.ablations);
  writeFileSync(
    join(o.out, 'result.json'),
    `${JSON.stringify({ ...result, toxicityClaim: claim }, jsonValue, 2)}\n`,
  );
  const report = writeReport(o.out);
  log.info(
    { out: o.out, decisions: run.decisions.length, trades: trips.length, reportMs: Math.round(report.ms) },
    'backtest written',
  );
  // The summary with the measured latencies, for people (not part of result.json).
  return { ...result, toxicityClaim: claim, summary: summarizeDecisions(run.decisions), report };
}

/** The ablations over the backtest's files, on a pool of worker threads when `o.workers` asks for one. */
async function ablations(
  files: readonly string[],
  cfg: ScalperConfig,
  regime: RegimeModelFile | null,
  episodes: readonly ToxicEpisode[] | null,
  o: BacktestCommandOptions,
) {
  const pool = (o.workers ?? 0) > 0 ? await backtestPool(o.workers ?? 0) : null;
  try {
    return await runAblations(files, ablationBase(cfg, regime), {
      range: { fromNs: o.fromNs, toNs: o.toNs },
      only: Array.isArray(o.ablations) ? o.ablations : undefined,
      episodes,
      onVariant: (v, i, n) => {
        if (o.quiet !== true) process.stderr.write(`ablation ${i + 1}/${n}: ${v.name} (${v.label})\n`);
      },
      run:
        pool === null
          ? undefined
          : async (variant) => {
              const r = await pool.run({ files, config: cfg, fromNs: o.fromNs, toNs: o.toNs, variant });
              return { records: r.records, metrics: r.metrics, trips: r.trips ?? [] };
            },
    });
  } finally {
    await pool?.close();
  }
}

/** The model of a backtest: the configured one, recorded; or a recording replayed; or none. */
function modelFor(cfg: ScalperConfig, o: BacktestCommandOptions): LlmProvider | null {
  if (o.replayModel !== undefined) {
    if (o.recordModel !== undefined)
      throw new ConfigError('--record-model and --replay-model exclude each other');
    return new ReplayingProvider(o.replayModel);
  }
  const llm = createProvider(cfg.llm, {});
  if (o.recordModel === undefined) return llm;
  if (llm === null)
    throw new ConfigError('--record-model needs a model: set llm.provider (or SCALPER_LLM_PROVIDER)');
  return new RecordingProvider(llm, o.recordModel);
}

/** JSON of a result: bigints as strings, non-finite numbers as null, fills left to fills.csv. */
function jsonValue(k: string, v: unknown): unknown {
  return k === 'fills' && Array.isArray(v) ? v.length : plainJsonValue(k, v);
}

/**
 * The variants `--ablations` names, checked, with `old` first when it was left out. Names are
 * comma-separated; one with a comma of its own ("full, no regime") is taken whole.
 */
function ablationNames(v: string): string[] {
  const known = VARIANTS.map((x) => x.name);
  const parts = v.split(',').map((x) => x.trim());
  const names: string[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const pair = i + 1 < parts.length ? `${parts[i]}, ${parts[i + 1]}` : '';
    if (known.includes(pair)) {
      names.push(pair);
      i++;
    } else if (known.includes(parts[i])) names.push(parts[i]);
    else if (parts[i] !== '') unknown.push(parts[i]);
  }
  if (unknown.length > 0 || names.length === 0)
    throw new InvalidArgumentError(
      `${unknown.length > 0 ? `no ablation variant ${unknown.map((x) => `"${x}"`).join(', ')}` : 'no variant named'}; the variants: ${known.map((x) => `"${x}"`).join(', ')}`,
    );
  return names.includes('old') ? names : ['old', ...names];
}

/** Registers `backtest`. */
export function registerBacktest(program: Command): void {
  const cmd = program
    .command('backtest')
    .description(summary('backtest'))
    .argument(
      '<files...>',
      'DBN files (MBP-10 or MBO, trades, definitions; several days and instruments) or folders of them, merged by ts_recv',
    )
    .option(
      '-o, --out <dir>',
      'the folder to write result.json, orders, fills, trades, equity, decisions, timings and report.html into',
      'backtest',
    )
    .option('--regime <model.json>', 'a regime model from `scalper regime fit` (default: regime unknown)')
    .option(
      '--record-model <file>',
      "append the model's answers to FILE (JSON lines) so that the run can be replayed exactly",
    )
    .option(
      '--replay-model <file>',
      'answer from a recording made with --record-model instead of calling the model',
    )
    .option(
      '--ablations [variants]',
      `also run the ablations over the same files: all of them, or those named, comma-separated (${VARIANTS.map((v) => v.name).join(', ')}; old is always run: the others are measured against it)`,
      ablationNames,
    )
    .option(
      '--workers <n>',
      'worker threads for the ablations (0: one after another in this thread); default one per core',
      nonNegativeInt,
    )
    .option(
      '--truth <file>',
      'truth-YYYYMMDD.json of the simulator, or a folder of them: mark the round trips that overlapped a toxic episode',
    )
    .option(
      '--latency <ms>',
      'time from a decision to its orders, whole seconds in ms (default 0: the next second); 20000 for a sequential pipeline',
      nonNegativeInt,
    )
    .action(
      async (
        paths: string[],
        o: {
          out: string;
          from?: string;
          to?: string;
          truth?: string;
          ablations?: boolean | string[];
          recordModel?: string;
          replayModel?: string;
          workers?: number;
        },
        self: Command,
      ) => {
        const run = runOf(self);
        const { files, fromNs, toNs } = await commandInputs(paths, o);
        const result = await runBacktestCommand(files, {
          out: o.out,
          fromNs,
          toNs,
          config: run.config,
          truth: o.truth,
          ablations: o.ablations,
          recordModel: o.recordModel,
          replayModel: o.replayModel,
          workers: o.workers ?? defaultWorkers(),
        });
        const m = result.metrics;
        process.stdout.write(`${n(m.decisions.decisions)} decisions\n`);
        for (const line of summaryLines(result.summary)) process.stdout.write(`  ${line}\n`);
        for (const line of executionLines(result.execution)) process.stdout.write(`  ${line}\n`);
        process.stdout.write(`  ${metricLines(m).join('\n  ')}\n`);
        if (result.ablations !== null) {
          process.stdout.write(
            'ablations (P&L after costs; differences to the old system with 95 % bootstrap intervals):\n',
          );
          for (const line of ablationTable(result.ablations)) process.stdout.write(`  ${line}\n`);
          if (result.toxicityClaim !== null)
            process.stdout.write(`  ${toxicityLine(result.toxicityClaim)}\n`);
        }
        if (result.toxic !== null) {
          const x = result.toxic;
          process.stdout.write(
            `  simulated market: ${x.scenarios.join(', ')}; toxic episodes of the ground truth: ${x.episodes}; round trips overlapping one: ${x.trades}, P&L ${x.pnl.toFixed(2)} USD (losses ${x.losses.toFixed(2)} USD)\n`,
          );
        }
        await recordRun(run, {
          folder: o.out,
          outputs: BACKTEST_FILES.map((f) => join(o.out, f)),
          inputs: [...files, run.config.decide.regimeModel, run.config.engine.stoikovModel],
          hashed: result.inputs,
        });
        process.stdout.write(`wrote ${BACKTEST_FILES.map((f) => join(o.out, f)).join(', ')}\n`);
        process.stdout.write(`report: ${result.report.path}\n`);
      },
    );
  timeRangeOptions(cmd);
  configFlags(cmd, { regime: 'decide.regimeModel', latency: 'backtest.decisionLatencyMs' });
}

/** The headline metrics as a trader reads them. */
export function metricLines(m: ReturnType<typeof backtestMetrics>): string[] {
  const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  return [
    `P&L ${f(m.pnl)} USD after ${f(m.fees)} USD of costs over ${m.days.length} day(s); ${n(m.trades)} round trips (${f(m.tradesPerDay, 1)} a day), win rate ${f(100 * m.winRate, 1)}%, profit factor ${f(m.profitFactor)}, expectancy ${f(m.expectancy)} USD`,
    `Sharpe ${f(m.sharpeDaily)} (daily over ${m.days.length} day(s), annualised), ${f(m.sharpePerTrade, 3)} per trade; Sortino ${f(m.sortinoDaily)}; max drawdown ${f(m.maxDrawdown)} USD over ${f(m.maxDrawdownSec / 60, 1)} min`,
    `in the market ${f(100 * m.timeInMarket, 1)}% of the time, average hold ${f(m.averageHoldingSec, 0)} s; maker share of fills ${f(100 * m.makerShare, 1)}%; exits: ${
      Object.entries(m.exits)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
    `round trips open during a sweep alert: ${m.sweeps.trades}, P&L ${f(m.sweeps.pnl)} USD (losses ${f(m.sweeps.losses)} USD)`,
    ...techniqueLines(m.byTechnique),
  ];
}

/**
 * The round trips a technique's setup triggered, a line: win rate with its 95 % interval beside
 * the break-even rate of their own average win and loss, and whether that is an edge.
 */
function techniqueLines(by: ReturnType<typeof backtestMetrics>['byTechnique']): string[] {
  const names = Object.keys(by);
  if (names.length === 0) return [];
  const pc = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(0) : '–');
  const verdict = { above: 'an edge', below: 'below break-even', none: 'noise' } as const;
  return [
    'setup-triggered round trips by technique (win rate [95 %] vs break-even after costs):',
    ...names.map((k) => {
      const t = by[k];
      return `  ${k.padEnd(15)} ${String(t.trades).padStart(4)} trips, win ${pc(t.winRate)}% [${pc(t.low)}, ${pc(t.high)}] vs ${pc(t.breakEven)}%: ${verdict[t.edge]}; ${t.pnl.toFixed(0)} USD`;
    }),
  ];
}
