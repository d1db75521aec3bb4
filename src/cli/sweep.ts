/**
 * `scalper sweep FILES... --param PATH=V1,V2 … --out DIR`: the backtest of every point of a grid of
 * configuration values, in parallel worker threads (piscina), ranked by an objective; and the
 * pool and grid that `scalper walkforward` uses on its training days. Each point is the run's
 * configuration with the point's values set over it and checked by the schema, so a sweep can
 * vary anything a configuration file can set.
 */

import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Piscina } from 'piscina';
import {
  bestIndex,
  type GridAxis,
  type GridPoint,
  gridPoints,
  OBJECTIVES,
  type Objective,
  parseAxis,
  score,
} from '../backtest/index.js';
import {
  ConfigError,
  loadConfigParser,
  plainJsonValue,
  readConfigFile,
  requireOneOf,
} from '../core/index.js';
import { DbnError } from '../data/dbn/index.js';
import { DEFAULT_PG_URL, PG_URL_ENV, redactUrl } from '../infra/index.js';
import type { BacktestJob, BacktestJobResult } from './backtest-worker.js';
import { summary } from './commands.js';
import { runOf, type ScalperConfig, withValues } from './config.js';
import { commandInputs, timeRangeOptions } from './inputs.js';
import { recordRun } from './manifest.js';
import { n, outputFolder } from './output.js';
import { countProgress } from './progress.js';
import {
  checkStream,
  checkSweepId,
  type DayResult,
  NATS_URL_ENV,
  newSweepId,
  parseWorkers,
  SWEEP_STREAM,
  type SweepWorkers,
  sweepJobs,
  sweepOfDays,
} from './sweep-jobs.js';
import { runJobsOnPool, runJobsOnWorkers } from './sweep-remote.js';
import { filesByDay } from './trading-days.js';

/** Backtests run in worker threads, or inline with `workers: 0` (tests, a debugger). */
export interface BacktestPool {
  run(job: BacktestJob): Promise<BacktestJobResult>;
  close(): Promise<void>;
}

/** A pool of `workers` threads (0: every job inline, in this thread). */
export async function backtestPool(workers: number): Promise<BacktestPool> {
  if (workers === 0) {
    const runJob = (await import('./backtest-worker.js')).default;
    return { run: runJob, close: async () => {} };
  }
  const { Piscina: Pool } = await import('piscina');
  const pool: Piscina = new Pool({
    filename: new URL('./backtest-worker.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    // One job per thread at a time: a backtest is CPU-bound.
    concurrentTasksPerWorker: 1,
  });
  return {
    run: (job) => pool.run(job) as Promise<BacktestJobResult>,
    close: () => pool.destroy(),
  };
}

/** The default number of worker threads: one per core. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** A grid point's backtest and its score. */
export interface SweepRow {
  readonly point: GridPoint;
  readonly score: number;
  readonly records: number;
  readonly metrics: BacktestJobResult['metrics'];
}

/** What `runSweep` returns: every point in grid order, and the index of the best. */
export interface SweepResult {
  readonly objective: Objective;
  readonly rows: readonly SweepRow[];
  readonly best: number;
}

/** Options of `runSweep`. */
export interface SweepOptions {
  readonly config: ScalperConfig;
  readonly points: readonly GridPoint[];
  readonly objective: Objective;
  readonly pool: BacktestPool;
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
  /** Hears of each point as it finishes (in any order): how many are done. */
  readonly onDone?: (done: number, total: number) => void;
}

/** Backtests `files` at every point (in parallel on the pool) and ranks the points. */
export async function runSweep(files: readonly string[], o: SweepOptions): Promise<SweepResult> {
  // Every point's configuration is checked before anything runs: a bad value fails at once.
  const configs = o.points.map((p) => withValues(o.config, p, '--param'));
  let done = 0;
  const results = await Promise.all(
    configs.map(async (config) => {
      const r = await o.pool.run({ files, config, fromNs: o.fromNs, toNs: o.toNs });
      o.onDone?.(++done, configs.length);
      return r;
    }),
  );
  const rows = results.map((r, i) => ({
    point: o.points[i],
    score: score(r.metrics, o.objective),
    records: r.records,
    metrics: r.metrics,
  }));
  return { objective: o.objective, rows, best: bestIndex(rows.map((r) => r.score)) };
}

/**
 * The grid's axes: a file (YAML or JSON, `path: [values]` per line, the paths dotted as
 * `decide.vpinThreshold`) and then each `--param PATH=V1,V2`.
 */
export async function readGrid(params: readonly string[], file?: string): Promise<GridAxis[]> {
  const axes: GridAxis[] = [];
  if (file !== undefined) {
    await loadConfigParser(file);
    for (const [path, v] of Object.entries(readConfigFile(file))) {
      const values = Array.isArray(v) ? v : [v];
      for (const x of values)
        if (typeof x !== 'number' && typeof x !== 'string' && typeof x !== 'boolean')
          throw new ConfigError(`${file}: ${path}: expected a list of numbers, words or booleans`);
      axes.push({ path, values });
    }
  }
  for (const p of params) axes.push(parseAxis(p));
  return axes;
}

/** `a=1 b=x` of a point; `(the configuration)` for the empty point. */
export function pointText(p: GridPoint): string {
  const e = Object.entries(p);
  return e.length === 0 ? '(the configuration)' : e.map(([k, v]) => `${k}=${v}`).join(' ');
}

/** The sweep's table, best first: the point, then P&L, round trips, win rate, Sharpe, expectancy, drawdown. */
export function sweepTable(r: SweepResult): string[] {
  const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const order = r.rows.map((_, i) => i).sort((a, b) => r.rows[b].score - r.rows[a].score || a - b);
  const head = ['rank', 'point', 'P&L USD', 'trades', 'win %', 'Sharpe', 'expectancy', 'max DD'];
  const body = order.map((i, k) => {
    const m = r.rows[i].metrics;
    return [
      String(k + 1),
      pointText(r.rows[i].point),
      f(m.pnl),
      String(m.trades),
      f(100 * m.winRate, 1),
      f(m.sharpeDaily),
      f(m.expectancy),
      f(m.maxDrawdown),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line)];
}

/** Options of `runSweepByDay`. */
interface ByDayOptions {
  readonly config: ScalperConfig;
  readonly points: readonly GridPoint[];
  readonly objective: Objective;
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
  readonly where: SweepWorkers;
  readonly sweepId?: string;
  readonly stream: string;
  readonly pg?: string;
}

/**
 * The sweep split by trading day: one job per (point, day), on threads here or on the workers of
 * a NATS server, each point's days combined and scored.
 */
async function runSweepByDay(
  files: readonly string[],
  o: ByDayOptions,
): Promise<{ result: SweepResult; split: { sweepId: string; days: string[] } }> {
  // Every point's configuration is checked before a job is made.
  const configs = o.points.map((p) => withValues(o.config, p, '--param'));
  const byDay = await filesByDay(files);
  const sweepId = o.sweepId ?? newSweepId();
  const jobs = sweepJobs(sweepId, configs, byDay, o);
  const days = [...new Set(jobs.map((j) => j.day))];
  if (jobs.length === 0)
    throw new ConfigError(
      `sweep: no trading day of the input (${[...byDay.keys()].join(', ') || 'none'}) falls in the time range`,
    );
  const bar = countProgress('sweep', jobs.length, 'jobs');
  let results: DayResult[];
  if (o.where.kind === 'nats') {
    process.stderr.write(
      `sweep ${sweepId}: ${n(o.points.length)} points × ${days.length} trading day(s) = ${n(jobs.length)} jobs on the workers of ${redactUrl(o.where.url)} (stream ${o.stream})\n`,
    );
    try {
      results = await runJobsOnWorkers(jobs, {
        natsUrl: o.where.url,
        stream: o.stream,
        pgUrl: o.pg,
        sweepId,
        onDone: (d) => bar.update(d),
        onIdle: (text) => process.stderr.write(`sweep ${sweepId}: ${text}\n`),
      });
    } finally {
      bar.stop();
    }
  } else {
    const workers = Math.min(o.where.threads, jobs.length);
    process.stderr.write(
      `sweep: ${n(o.points.length)} points × ${days.length} trading day(s) = ${n(jobs.length)} jobs on ${workers || 'no'} worker thread(s)\n`,
    );
    const pool = await backtestPool(workers);
    try {
      results = await runJobsOnPool(jobs, pool, (d) => bar.update(d));
    } finally {
      bar.stop();
      await pool.close();
    }
  }
  return {
    result: sweepOfDays(sweepId, o.points, o.objective, results),
    split: { sweepId, days },
  };
}

/** Registers `sweep`. */
export function registerSweep(program: Command): void {
  const cmd = program
    .command('sweep')
    .description(summary('sweep'))
    .argument('[files...]', 'DBN files or folders, as `scalper backtest` reads them')
    .option('--data <dir>', 'a folder of DBN files (as the FILES arguments; both may be given)')
    .option(
      '-p, --param <path=values>',
      'a configuration path and the values it takes, comma-separated (decide.vpinThreshold=0.7,0.8,0.9); repeat for more axes',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--grid <file>', 'a YAML or JSON file of axes: `decide.vpinThreshold: [0.7, 0.8]`, one per line')
    .option('--objective <name>', `what ranks the points: ${OBJECTIVES.join(', ')}`, 'pnl')
    .option(
      '--workers <n|url>',
      `worker threads (0: run in this thread; default one per core), or a NATS server (nats://host:port, or "nats" for ${NATS_URL_ENV}) whose \`scalper worker\` processes run one job per (point, trading day) and write the results to PostgreSQL`,
      (v: string) => parseWorkers(v),
    )
    .option(
      '--by-day',
      'split the run by trading day: each point backtested on each day alone, the days combined (what a sweep on NATS workers does; here on threads)',
    )
    .option(
      '--sweep-id <id>',
      "with a NATS URL: the sweep's id (default a new one); the same id resumes a sweep, reusing the results stored",
      checkSweepId,
    )
    .option(
      '--stream <name>',
      `with a NATS URL: the work-queue stream of the jobs`,
      checkStream,
      SWEEP_STREAM,
    )
    .option(
      '--pg <url>',
      `with a NATS URL: the PostgreSQL database of the results (default ${PG_URL_ENV}, else ${DEFAULT_PG_URL})`,
    )
    .option('-o, --out <dir>', 'the folder for sweep.json', 'sweep')
    .addHelpText(
      'after',
      `
On NATS workers: every (point, trading day) is a job on the JetStream work queue ${SWEEP_STREAM}
(subject sweep.<stream>.<sweep id>); run \`scalper worker --nats URL\` on each machine that is to
work. Jobs name the data files by absolute path and carry the whole configuration: a worker on
another machine needs the files at the same paths (shared storage), and any file the
configuration names (a regime model). Results are rows of sweep_results in PostgreSQL, one per
job, written once even when a job runs twice.`,
    )
    .action(
      async (
        paths: string[],
        o: {
          data?: string;
          param: string[];
          grid?: string;
          objective: string;
          workers?: SweepWorkers;
          byDay?: boolean;
          sweepId?: string;
          stream: string;
          pg?: string;
          out: string;
          from?: string;
          to?: string;
        },
        self: Command,
      ) => {
        const run = runOf(self);
        const objective = requireOneOf('--objective', o.objective, OBJECTIVES);
        const axes = await readGrid(o.param, o.grid);
        if (axes.length === 0)
          throw new ConfigError('sweep: give at least one --param PATH=V1,V2 or a --grid file');
        const inputs = [...paths, ...(o.data !== undefined ? [o.data] : [])];
        if (inputs.length === 0) throw new ConfigError('sweep: give the data as FILES… or --data DIR');
        const { files, fromNs, toNs } = await commandInputs(inputs, o);
        for (const f of files) if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
        outputFolder(o.out);
        const points = gridPoints(axes);
        const where = o.workers ?? { kind: 'threads', threads: defaultWorkers() };
        let result: SweepResult;
        let split: { sweepId: string; days: readonly string[] } | null = null;
        if (where.kind === 'threads' && o.byDay !== true) {
          const workers = Math.min(where.threads, points.length);
          process.stderr.write(
            `sweep: ${n(points.length)} points over ${files.length} file(s) on ${workers || 'no'} worker thread(s)\n`,
          );
          const pool = await backtestPool(workers);
          const bar = countProgress('sweep', points.length);
          try {
            result = await runSweep(files, {
              config: run.config,
              points,
              objective,
              pool,
              fromNs,
              toNs,
              onDone: (d) => bar.update(d),
            });
          } finally {
            bar.stop();
            await pool.close();
          }
        } else {
          const byDay = await runSweepByDay(files, {
            config: run.config,
            points,
            objective,
            fromNs,
            toNs,
            where,
            sweepId: o.sweepId,
            stream: o.stream,
            pg: o.pg,
          });
          result = byDay.result;
          split = byDay.split;
        }
        const out = join(o.out, 'sweep.json');
        const json = { version: 1, axes, files, ...(split !== null ? split : {}), ...result };
        writeFileSync(out, `${JSON.stringify(json, plainJsonValue, 2)}\n`);
        process.stdout.write(`points ranked by ${objective} (best first):\n`);
        for (const line of sweepTable(result)) process.stdout.write(`  ${line}\n`);
        process.stdout.write(`best: ${pointText(result.rows[result.best].point)}\n`);
        await recordRun(run, { folder: o.out, outputs: [out], inputs: files });
        process.stdout.write(`wrote ${out}\n`);
      },
    );
  timeRangeOptions(cmd);
}
