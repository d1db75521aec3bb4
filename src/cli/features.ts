/**
 * `scalper features FILE... --out features.csv`: replays DBN files through the `FeatureEngine`
 * and writes one CSV row per instrument every `--every` (CONVENTIONS.md, "Command-line output").
 *
 * Several files are merged by ts_recv (ts_event for records without one), ties by file order then
 * position (`MergedRecords`): memory holds one batch per file. A row at
 * grid time t reflects every record with ts_recv <= t. Empty cell = not ready.
 */

import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, writeAll } from '../core/index.js';
import { DbnError } from '../data/dbn/index.js';
import { replay } from '../data/index.js';
import { FeatureEngine } from '../features/index.js';
import { parseInterval, positiveInt, positiveNumber } from './args.js';
import { summary } from './commands.js';
import { configFlags, defaultConfig, runOf } from './config.js';
import { FEATURES_CSV_HEADER, FeatureCsvWriter } from './feature-csv.js';
import { commandInputs, selects, timeRangeOptions } from './inputs.js';
import { recordRun } from './manifest.js';
import { n, writeAtomically } from './output.js';
import { progress } from './progress.js';
import { readStoikovModel } from './stoikov.js';

export { CsvRows, FEATURES_CSV_HEADER, snapshotCsvRow } from './feature-csv.js';

/** The default row interval, 1 s. */
export const DEFAULT_EVERY_NS = 1_000_000_000n;

/** An interval flag's text, checked by `parseInterval` (the configuration keeps it as text). */
function intervalArg(v: string): string {
  parseInterval(v);
  return v;
}

/** Options of `features`. */
export interface FeaturesCliOptions {
  out: string;
  every: bigint;
  symbol?: string;
  tick?: number;
  vpinBucket?: number;
  vpinWindow?: number;
  /** The daily VPIN's bucket volume (`vpin_daily`). */
  dailyVpinBucket?: number;
  /** Size the daily VPIN from the front series' average daily volume over this many days (`dailyVpinAdvDays`). */
  dailyVpinAdvDays?: number;
  /** Rows from this time on (ns); earlier records only warm the engine up. */
  fromNs?: bigint;
  /** Rows up to this time (ns); later records are not read. */
  toNs?: bigint;
  /** A Stoikov model file from `scalper stoikov fit`. */
  stoikov?: string;
  /** Period of the trade bars, ms (default 60,000). */
  barPeriodMs?: number;
  /** Rows formatted on the replay's thread before the CSV writer's own thread takes over (`FeatureCsvWriterOptions`). */
  threadAfterRows?: number;
}

/** What `runFeatures` did. */
export interface FeaturesSummary {
  records: number;
  rows: number;
  /** Symbols of the rows written. */
  symbols: string[];
}

/** Replays `files` through a `FeatureEngine` and writes the CSV; returns counts. */
export async function runFeatures(
  files: readonly string[],
  opts: FeaturesCliOptions,
): Promise<FeaturesSummary> {
  if (files.length === 0) throw new ConfigError('no input files');
  for (const f of files) if (!existsSync(f)) throw new DbnError('IO', f, 0, 'file not found');
  const total = files.reduce((s, f) => s + statSync(f).size, 0);
  const engine = new FeatureEngine({
    defaultTickSize: opts.tick,
    vpinBucketVolume: opts.vpinBucket,
    vpinWindowBuckets: opts.vpinWindow,
    dailyVpinBucketVolume: opts.dailyVpinBucket,
    dailyVpinAdvDays: opts.dailyVpinAdvDays,
    barPeriodMs: opts.barPeriodMs,
    stoikovModel: opts.stoikov !== undefined ? readStoikovModel(opts.stoikov) : undefined,
  });
  return writeAtomically(opts.out, async (tmp) => {
    let fd: number;
    try {
      fd = openSync(tmp, 'w');
    } catch (err) {
      throw new ConfigError(`cannot write ${opts.out}: ${(err as Error).message}`);
    }
    const bar = progress('features', total);
    try {
      writeAll(fd, `${FEATURES_CSV_HEADER}\n`);
      return await writeRows(
        files,
        engine,
        opts,
        new FeatureCsvWriter(fd, { threadAfterRows: opts.threadAfterRows }),
        bar,
      );
    } finally {
      bar.stop();
      closeSync(fd);
    }
  });
}

/** Replays `files` into `engine` and hands a row per instrument and grid time to `out`. */
async function writeRows(
  files: readonly string[],
  engine: FeatureEngine,
  opts: FeaturesCliOptions,
  out: FeatureCsvWriter,
  bar: { update(done: number): void },
): Promise<FeaturesSummary> {
  let rows = 0;
  const seen = new Set<string>();
  const written = new Set<string>();
  let records = 0;
  /** The rows of grid time `ms` from instrument `k` of `ids` on, each after the last one's wait. */
  const rowsFrom = (ids: number[], k: number, ms: number): Promise<void> | undefined => {
    for (let i = k; i < ids.length; i++) {
      const id = ids[i];
      const symbol = engine.symbolOf(id) ?? String(id);
      seen.add(symbol);
      if (opts.symbol !== undefined && !selects(opts.symbol, symbol, ms)) continue;
      written.add(symbol);
      rows++;
      const w = out.engineRow(engine, id, symbol, engine.tickSize(id));
      // The writer's thread holds every block: the next row waits for one (the replay waits too).
      if (w !== undefined) return w.then(() => rowsFrom(ids, i + 1, ms));
    }
    return undefined;
  };
  let failed = true;
  try {
    ({ records } = await replay(files, engine, {
      everyNs: opts.every,
      fromNs: opts.fromNs,
      toNs: opts.toNs,
      // Synchronous unless the writer's thread holds every block: the replay goes on without a
      // turn of the event loop per row.
      onGrid: (tNs) => rowsFrom(engine.instruments, 0, Number(tNs / 1_000_000n)),
      onProgress: (done) => bar.update(done),
    }));
    failed = false;
  } finally {
    // A failed replay's own error is the one reported, not a failed write's after it.
    if (failed) await out.close().catch(() => {});
    else await out.close();
  }
  if (opts.symbol !== undefined && written.size === 0) {
    throw new ConfigError(
      `--symbol ${opts.symbol} is not in the input (symbols: ${[...seen].join(', ') || 'none'})`,
    );
  }
  return { records, rows, symbols: [...written] };
}

/** Registers `features`. */
export function registerFeatures(program: Command): void {
  const E = defaultConfig().engine;
  const cmd = program
    .command('features')
    .description(summary('features'))
    .argument('<files...>', 'DBN files (.dbn or .dbn.zst) or folders of them, merged by ts_recv')
    .requiredOption('-o, --out <file>', 'output CSV file')
    .option(
      '--every <interval>',
      `row interval: 100ms, 1s, 10s, 1m, ... (default: ${defaultConfig().features.every})`,
      intervalArg,
    )
    .option(
      '--symbol <symbol>',
      'write rows of this instrument only: a contract (6EZ6), a spot pair (EUR/USD) or a product (6E: the front month across a roll)',
    )
    .option(
      '--tick <raw>',
      `tick size in raw 1e-9 units when no definition record gives one (default ${E.defaultTickSize})`,
      positiveNumber,
    )
    .option(
      '--vpin-bucket <lots>',
      `intraday VPIN bucket volume (default ${E.vpinBucketVolume.toLocaleString('en-US')} lots; vpin_daily keeps the paper's ADV/50 = ${E.dailyVpinBucketVolume.toLocaleString('en-US')})`,
      positiveNumber,
    )
    .option(
      '--vpin-window <buckets>',
      `intraday VPIN window in buckets (default ${E.vpinWindowBuckets})`,
      positiveInt,
    )
    .option(
      '--stoikov <file>',
      'a Stoikov model from `scalper stoikov fit` for microprice_stoikov (instruments on its tick grid)',
    )
    .addHelpText(
      'after',
      `
Columns: ${FEATURES_CSV_HEADER}
A row at time t reflects every record with ts_recv <= t; an empty cell is not ready yet.
Prices (mid, microprice) are decimal; kyle_lambda is ticks per 100 contracts; rv_* is realized
variance of log mid returns; volume_delta is over the last 60 s. basis (future mid − spot mid)
is reported when a future's spot pair is among the inputs (e.g. IG.FX EUR/USD MBP-1 for 6E).
vpin needs --vpin-window buckets of --vpin-bucket contracts: at the defaults ${(E.vpinBucketVolume * E.vpinWindowBuckets).toLocaleString('en-US')} lots,
about 15 minutes of 6E at its average pace; vpin_daily needs 50 buckets of ${E.dailyVpinBucketVolume.toLocaleString('en-US')}, about a day.
A row a second (the default) takes a day about 1.8 times as long as --every 1m, which writes
60 times fewer rows (past the first 8,192 rows, a thread of its own formats and writes them).

Example:
  scalper features data/glbx-mdp3-20261124.mbp-10.dbn.zst data/glbx-mdp3-20261124.trades.dbn.zst \\
    --every 1s --out features.csv`,
    )
    .action(
      async (
        paths: string[],
        cli: { out: string; symbol?: string; from?: string; to?: string },
        self: Command,
      ) => {
        const t0 = performance.now();
        const run = runOf(self);
        const { engine, features } = run.config;
        const { files, fromNs, toNs } = await commandInputs(paths, cli);
        const opts: FeaturesCliOptions = {
          out: cli.out,
          fromNs,
          toNs,
          symbol: cli.symbol,
          every: parseInterval(features.every),
          tick: engine.defaultTickSize,
          vpinBucket: engine.vpinBucketVolume,
          vpinWindow: engine.vpinWindowBuckets,
          dailyVpinBucket: engine.dailyVpinBucketVolume,
          dailyVpinAdvDays: engine.dailyVpinAdvDays,
          barPeriodMs: engine.barPeriodMs,
          stoikov: engine.stoikovModel,
        };
        const r = await runFeatures(files, opts);
        await recordRun(run, { file: opts.out, inputs: [...files, engine.stoikovModel] });
        const secs = (performance.now() - t0) / 1000;
        process.stderr.write(
          `${n(r.records)} records, ${n(r.rows)} rows (${r.symbols.join(', ') || 'no instruments'}) written to ${opts.out} in ${secs.toFixed(1)} s\n`,
        );
      },
    );
  timeRangeOptions(cmd);
  configFlags(cmd, {
    every: 'features.every',
    tick: 'engine.defaultTickSize',
    vpinBucket: 'engine.vpinBucketVolume',
    vpinWindow: 'engine.vpinWindowBuckets',
    stoikov: 'engine.stoikovModel',
  });
}
