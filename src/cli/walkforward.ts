/**
 * `scalper walkforward FILES... --train 3 --test 1 [--param PATH=V1,V2 …] --out DIR`: what is fitted
 * is fitted on earlier trading days and scored on later ones, rolling forward. Each fold fits the
 * regime model on its training days (and, with `--fit-stoikov`, the micro-price table), chooses the
 * grid point with the best objective on those days (a sweep, in parallel worker threads), then
 * backtests its test days with them into `DIR/fold-N/` (the files and report of `scalper
 * backtest`, whose report says which days trained what). `DIR/walkforward.json` holds every fold
 * and the out-of-sample total, each test day once, with its bootstrap interval over days.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  type Fold,
  type GridPoint,
  gridPoints,
  OBJECTIVES,
  type Objective,
  outOfSample,
  type TrainingJson,
  walkForwardFolds,
} from '../backtest/index.js';
import { ConfigError, plainJsonValue, requireOneOf, tradingDayBoundsNs } from '../core/index.js';
import { FeatureEngine } from '../features/index.js';
import { fitRegimeModel } from '../strategy/index.js';
import { nonNegativeInt, positiveInt } from './args.js';
import { BACKTEST_FILES, runBacktestCommand } from './backtest.js';
import { summary } from './commands.js';
import { runOf, type ScalperConfig, withValues } from './config.js';
import { commandInputs } from './inputs.js';
import { recordRun } from './manifest.js';
import { n, outputFolder } from './output.js';
import { countProgress, type Progress } from './progress.js';
import { minuteSeries, writeRegimeModel } from './regime-files.js';
import { fitStoikovFiles, writeStoikovModel } from './stoikov.js';
import {
  type BacktestPool,
  backtestPool,
  defaultWorkers,
  pointText,
  readGrid,
  runSweep,
  type SweepResult,
} from './sweep.js';
import { filesByDay } from './trading-days.js';

export { filesByDay };

/** The files of `days` (each once, in input order) and the time range from the first day's open to the last's close. */
function span(
  byDay: ReadonlyMap<string, readonly string[]>,
  days: readonly string[],
  order: readonly string[],
) {
  const wanted = new Set(days.flatMap((d) => byDay.get(d) ?? []));
  return {
    files: order.filter((f) => wanted.has(f)),
    fromNs: tradingDayBoundsNs(days[0]).startNs,
    toNs: tradingDayBoundsNs(days[days.length - 1]).endNs,
  };
}

/** Options of `runWalkForward`. */
export interface WalkForwardOptions {
  readonly out: string;
  readonly config: ScalperConfig;
  readonly train: number;
  readonly test: number;
  readonly anchored?: boolean;
  readonly points: readonly GridPoint[];
  readonly objective: Objective;
  /** Fit the regime model on each fold's training days (default true). */
  readonly fitRegime?: boolean;
  /** Fit the micro-price table on each fold's training days (default false). */
  readonly fitStoikov?: boolean;
  readonly truth?: string;
  readonly workers: number;
  readonly quiet?: boolean;
  /** Hears of each step (a fit, a sweep's point, a fold's test) as it ends, and how many there are. */
  readonly onStep?: (text: string, done: number, total: number) => void;
}

/** A fold's outcome, as walkforward.json holds it. */
export interface FoldResult extends Fold {
  readonly folder: string;
  readonly training: readonly TrainingJson[];
  readonly chosen: GridPoint;
  readonly inSample: {
    readonly objective: Objective;
    readonly score: number;
    readonly points: number;
  } | null;
  readonly metrics: Awaited<ReturnType<typeof runBacktestCommand>>['metrics'];
}

/** Runs the walk-forward over `files` and writes its folders and walkforward.json. */
export async function runWalkForward(inputs: readonly string[], o: WalkForwardOptions) {
  // Every point is checked by the schema before anything is fitted.
  for (const p of o.points) withValues(o.config, p, '--param');
  outputFolder(o.out);
  const byDay = await filesByDay(inputs);
  const days = [...byDay.keys()];
  const folds = walkForwardFolds(days, o.train, o.test, o.anchored);
  if (folds.length === 0)
    throw new ConfigError(
      `walkforward: ${days.length} trading day(s) in the input (${days.join(', ') || 'none'}); --train ${o.train} --test ${o.test} needs at least ${o.train + o.test}`,
    );
  const pool = o.points.length > 1 ? await backtestPool(Math.min(o.workers, o.points.length)) : null;
  const results: FoldResult[] = [];
  const perFold =
    (o.fitRegime !== false ? 1 : 0) +
    (o.fitStoikov === true ? 1 : 0) +
    (pool !== null ? o.points.length : 0) +
    1;
  let done = 0;
  const step = (text: string) => o.onStep?.(text, ++done, folds.length * perFold);
  try {
    for (const fold of folds) results.push(await runFold(fold, byDay, inputs, pool, o, step));
  } finally {
    await pool?.close();
  }
  const oos = outOfSample(results);
  const doc = {
    version: 1,
    train: o.train,
    test: o.test,
    anchored: o.anchored === true,
    objective: o.objective,
    points: o.points,
    days,
    folds: results,
    outOfSample: oos,
  };
  const path = join(o.out, 'walkforward.json');
  writeFileSync(path, `${JSON.stringify(doc, plainJsonValue, 2)}\n`);
  return { ...doc, path };
}

/** One fold: fit and choose on its training days, backtest its test days. */
async function runFold(
  fold: Fold,
  byDay: ReadonlyMap<string, readonly string[]>,
  inputs: readonly string[],
  pool: BacktestPool | null,
  o: WalkForwardOptions,
  step: (text: string) => void,
): Promise<FoldResult> {
  const folder = join(o.out, `fold-${fold.index + 1}`);
  outputFolder(folder);
  const train = span(byDay, fold.train, inputs);
  const test = span(byDay, fold.test, inputs);
  const say = (s: string) => step(`fold ${fold.index + 1}: ${s}`);
  let config = o.config;
  const training: TrainingJson[] = [];
  if (o.fitRegime !== false) {
    const r = config.regime;
    const series = await minuteSeries(
      train.files,
      new FeatureEngine({
        vpinBucketVolume: config.engine.vpinBucketVolume,
        vpinWindowBuckets: config.engine.vpinWindowBuckets,
        dailyVpinBucketVolume: config.engine.dailyVpinBucketVolume,
        dailyVpinAdvDays: config.engine.dailyVpinAdvDays,
        defaultTickSize: config.engine.defaultTickSize,
      }),
      { fromNs: train.fromNs, toNs: train.toNs },
    );
    const model = fitRegimeModel(series, {
      kind: r.kind,
      states: r.states,
      restarts: r.restarts,
      seed: r.seed,
    });
    const path = join(folder, 'regime-model.json');
    writeRegimeModel(path, model);
    config = withValues(config, { 'decide.regimeModel': path }, 'walkforward');
    training.push({
      what: 'regime model',
      days: fold.train,
      detail: `${r.kind}, ${r.states} states, on ${n(series.reduce((s, x) => s + x.startMs.length, 0))} minutes: ${path}`,
    });
    say('regime model fitted');
  }
  if (o.fitStoikov === true) {
    const s = config.stoikov;
    const model = await fitStoikovFiles(train.files, {
      sampleMs: s.sampleMs,
      buckets: s.buckets,
      spreads: s.spreads,
      terms: s.terms,
      fromNs: train.fromNs,
      toNs: train.toNs,
    });
    const path = join(folder, 'stoikov.json');
    writeStoikovModel(path, model);
    config = withValues(config, { 'engine.stoikovModel': path }, 'walkforward');
    training.push({
      what: 'Stoikov table',
      days: fold.train,
      detail: `${n(model.samples)} samples of ${model.symbol}: ${path}`,
    });
    say('Stoikov table fitted');
  }
  // A grid of one point is no choice: its values apply to every fold as given.
  let chosen: GridPoint = o.points.length === 1 ? o.points[0] : {};
  let inSample: FoldResult['inSample'] = null;
  if (pool === null) config = withValues(config, chosen, '--param');
  else {
    const sweep: SweepResult = await runSweep(train.files, {
      config,
      points: o.points,
      objective: o.objective,
      pool,
      fromNs: train.fromNs,
      toNs: train.toNs,
      onDone: (d, t) => say(`sweep ${d}/${t}`),
    });
    const best = sweep.rows[sweep.best];
    chosen = best.point;
    inSample = { objective: o.objective, score: best.score, points: sweep.rows.length };
    config = withValues(config, chosen, 'walkforward');
    training.push({
      what: 'parameters',
      days: fold.train,
      detail: `${pointText(chosen)}: the best ${o.objective} of ${sweep.rows.length} points (${best.score.toFixed(2)} on these days)`,
    });
  }
  const result = await runBacktestCommand(test.files, {
    out: folder,
    fromNs: test.fromNs,
    toNs: test.toNs,
    config,
    truth: o.truth,
    quiet: true,
    training,
  });
  say(`tested on ${fold.test.join(', ')}`);
  return { ...fold, folder, training, chosen, inSample, metrics: result.metrics };
}

/** The folds' table: training and test days, the point chosen, in-sample score and out-of-sample P&L. */
export function foldTable(folds: readonly FoldResult[]): string[] {
  const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const range = (d: readonly string[]) => (d.length === 1 ? d[0] : `${d[0]}…${d[d.length - 1]}`);
  const head = ['fold', 'trained on', 'tested on', 'chosen', 'in-sample', 'P&L USD', 'trades', 'win %'];
  const body = folds.map((x) => [
    String(x.index + 1),
    range(x.train),
    range(x.test),
    pointText(x.chosen),
    x.inSample === null ? '–' : f(x.inSample.score),
    f(x.metrics.pnl),
    String(x.metrics.trades),
    f(100 * x.metrics.winRate, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i >= 1 && i <= 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line)];
}

/** Registers `walkforward`. */
export function registerWalkForward(program: Command): void {
  program
    .command('walkforward')
    .description(summary('walkforward'))
    .argument('<files...>', 'DBN files or folders of several trading days, as `scalper backtest` reads them')
    .option('--train <days>', 'trading days each fold fits and chooses on', positiveInt, 3)
    .option(
      '--test <days>',
      'trading days each fold is tested on, and the step from fold to fold',
      positiveInt,
      1,
    )
    .option('--anchored', 'train every fold from the first day (an expanding window)')
    .option(
      '-p, --param <path=values>',
      'a configuration path and the values to choose from on the training days (decide.vpinThreshold=0.7,0.8,0.9); repeat for more axes',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--grid <file>', 'a YAML or JSON file of axes, as `scalper sweep --grid`')
    .option(
      '--objective <name>',
      `what chooses the point on the training days: ${OBJECTIVES.join(', ')}`,
      'pnl',
    )
    .option(
      '--no-fit-regime',
      'use the configured regime model (decide.regimeModel) instead of fitting one per fold',
    )
    .option(
      '--fit-stoikov',
      "also fit the micro-price table (microprice_stoikov) on each fold's training days",
    )
    .option('--truth <file>', "the simulator's truth files (a folder): mark round trips in toxic episodes")
    .option(
      '--workers <n>',
      'worker threads for the sweeps (0: in this thread); default one per core',
      nonNegativeInt,
    )
    .option('-o, --out <dir>', 'the folder for walkforward.json and a folder per fold', 'walkforward')
    .action(
      async (
        paths: string[],
        o: {
          train: number;
          test: number;
          anchored?: boolean;
          param: string[];
          grid?: string;
          objective: string;
          fitRegime: boolean;
          fitStoikov?: boolean;
          truth?: string;
          workers?: number;
          out: string;
        },
        self: Command,
      ) => {
        const run = runOf(self);
        const objective = requireOneOf('--objective', o.objective, OBJECTIVES);
        const points = gridPoints(await readGrid(o.param, o.grid));
        const { files } = await commandInputs(paths, {});
        let bar: Progress | undefined;
        const wf = await runWalkForward(files, {
          out: o.out,
          config: run.config,
          train: o.train,
          test: o.test,
          anchored: o.anchored,
          points,
          objective,
          fitRegime: o.fitRegime,
          fitStoikov: o.fitStoikov,
          truth: o.truth,
          workers: o.workers ?? defaultWorkers(),
          onStep: (s, done, total) => {
            bar ??= countProgress('walkforward', total, 'steps');
            bar.update(done);
            if (!process.stderr.isTTY) process.stderr.write(`${s}\n`);
          },
        });
        bar?.stop();
        const x = wf.outOfSample;
        process.stdout.write(
          `walk-forward over ${wf.days.length} trading days: ${wf.folds.length} fold(s), training ${o.train} day(s)${o.anchored ? ' from the first' : ''}, testing ${o.test}\n`,
        );
        for (const line of foldTable(wf.folds)) process.stdout.write(`  ${line}\n`);
        const t = x.total;
        process.stdout.write(
          `out of sample: P&L ${t.estimate.toFixed(2)} USD over ${x.days.length} day(s) [${t.low.toFixed(2)}, ${t.high.toFixed(2)}]${t.noise ? ' noise' : ''}; ${x.trades} round trips, win rate ${x.trades > 0 ? ((100 * x.wins) / x.trades).toFixed(1) : '–'}%\n`,
        );
        await recordRun(run, {
          folder: o.out,
          outputs: [wf.path, ...wf.folds.flatMap((f) => BACKTEST_FILES.map((b) => join(f.folder, b)))],
          inputs: files,
        });
        process.stdout.write(`wrote ${wf.path} and ${wf.folds.map((f) => f.folder).join(', ')}\n`);
      },
    );
}
