/**
 * `scalper features FILE... --out features.csv`: replays DBN files through the `FeatureEngine`
 * and writes one CSV row per instrument every `--every` (CONVENTIONS.md, "Command-line output").
 *
 * Several files are merged by ts_recv (ts_event for records without one), ties by file order then
 * position (`MergedRecords`): memory holds one batch per file. A row at
 * grid time t reflects every record with ts_recv <= t. Empty cell = not ready.
 */

import { once } from 'node:events';
import { createWriteStream, existsSync, openSync, statSync, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { ConfigError, csvField, tickDecimals } from '../core/index.js';
import { DbnError } from '../data/dbn/index.js';
import { replay } from '../data/index.js';
import {
  FEATURE_COLUMNS,
  type FeatureColumn,
  FeatureEngine,
  type FeatureSnapshot,
} from '../features/index.js';
import { parseInterval, positiveInt, positiveNumber } from './args.js';
import { summary } from './commands.js';
import { configFlags, defaultConfig, runOf } from './config.js';
import { commandInputs, selects, timeRangeOptions } from './inputs.js';
import { recordRun } from './manifest.js';
import { n, writeAtomically } from './output.js';
import { progress } from './progress.js';
import { readStoikovModel } from './stoikov.js';

/** The CSV header: `ts`, `ts_ns`, `symbol`, the numeric feature columns, then `session`. */
export const FEATURES_CSV_HEADER = ['ts', 'ts_ns', 'symbol', ...FEATURE_COLUMNS, 'session'].join(',');

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
}

/**
 * Columns in decimal price units (prices, averages and spreads of prices): printed with the
 * instrument's price decimals plus one, so a mid half a tick between two prices is exact and an
 * average does not trail binary noise (`1.1600000000000001` is written `1.160000`).
 */
const PRICE_COLUMNS: ReadonlySet<FeatureColumn> = new Set<FeatureColumn>([
  'mid',
  'microprice',
  'microprice_stoikov',
  'basis',
  'basis_dev',
  'bid_wall_px',
  'ask_wall_px',
  'bid_gap_px',
  'ask_gap_px',
  'ema_3',
  'ema_6',
  'ema_12',
  'atr_7',
  'vwap',
  'vwap_sd',
]);

/**
 * Columns that need the book's sizes. A spot pair quoted by IG (`EUR/USD`) carries prices without
 * depth, so these are left empty for it rather than computed from placeholder sizes.
 */
const SIZE_COLUMNS: ReadonlySet<FeatureColumn> = new Set<FeatureColumn>([
  'microprice',
  'microprice_stoikov',
  'qi_l1',
  'qi_l5',
  'qi_l10',
  'ofi_1s',
  'ofi_10s',
  'ofi_60s',
  'mlofi_10s',
  'cancel_add_ratio',
  'depth_bid_5',
  'depth_ask_5',
  'depth_bid_10',
  'depth_ask_10',
  'book_skew_5',
  'bid_wall_px',
  'bid_wall_sz',
  'ask_wall_px',
  'ask_wall_sz',
]);

/** A spot FX pair as IG and the DBN metadata name it (`EUR/USD`): quotes without depth. */
function isSpotPair(symbol: string): boolean {
  return /^[A-Z]{3}\/[A-Z]{3}$/.test(symbol);
}

/**
 * A snapshot as a CSV row in `FEATURES_CSV_HEADER` order: price columns rounded to the instrument's
 * precision (`tickRaw`), size-based columns empty for spot pairs, NaN (not ready) empty.
 */
export function snapshotCsvRow(s: FeatureSnapshot, tickRaw: number): string {
  return new CsvRows().row(s, tickRaw);
}

/**
 * Writes snapshots as CSV rows (`snapshotCsvRow`), remembering each instrument's last row: a value
 * the same as in that row is not formatted again. Turning numbers into text is most of a row's
 * cost, and on a 1-s grid about a quarter of the cells (bar indicators, VPIN, walls, the session's
 * centres) hold from one row to the next.
 */
export class CsvRows {
  readonly #last = new Map<string, { decimals: number; values: Float64Array; texts: string[] }>();

  row(s: FeatureSnapshot, tickRaw: number): string {
    const decimals = tickDecimals(tickRaw) + 1;
    const spot = isSpotPair(s.symbol);
    let last = this.#last.get(s.symbol);
    // A new tick size (a definition record) prints prices with other decimals: nothing is kept.
    if (last === undefined || last.decimals !== decimals) {
      last = { decimals, values: new Float64Array(FEATURE_COLUMNS.length).fill(Number.NaN), texts: [] };
      this.#last.set(s.symbol, last);
    }
    const { values, texts } = last;
    let row = `${s.ts},${s.ts_ns},${csvField(s.symbol)}`;
    for (let i = 0; i < FEATURE_COLUMNS.length; i++) {
      const v = s[FEATURE_COLUMNS[i]];
      const kind = COLUMN_KINDS[i];
      row += ',';
      if (Number.isNaN(v) || (spot && (kind & SIZE) !== 0)) continue;
      // Equal numbers print alike (0 and -0 too: both as 0); NaN never equals the value kept.
      if (v !== values[i]) {
        values[i] = v;
        texts[i] = (kind & PRICE) !== 0 ? v.toFixed(decimals) : String(v);
      }
      row += texts[i];
    }
    return `${row},${s.session}`;
  }
}

const PRICE = 1;
const SIZE = 2;
/** Each feature column's kind (`PRICE`, `SIZE` bits), in `FEATURE_COLUMNS` order. */
const COLUMN_KINDS = FEATURE_COLUMNS.map(
  (col) => (PRICE_COLUMNS.has(col) ? PRICE : 0) | (SIZE_COLUMNS.has(col) ? SIZE : 0),
);

/**
 * Bytes of rows the output stream may hold before the replay waits for the disk: the replay goes on
 * while a block is written, rather than pausing for each 64 KiB written (a 1-s grid writes some
 * 40 MB a day).
 */
const WRITE_AHEAD = 1 << 20;

/**
 * Buffered lines to a file stream with back-pressure. Most writes are not awaited (the stream holds
 * `WRITE_AHEAD` bytes), so a failed one is kept when the stream reports it and thrown by the next
 * `flush` or `close`: the run stops with the disk's error rather than with an unhandled one.
 */
export class FileLines {
  #buf: string[] = [];
  #size = 0;
  #failed: Error | null = null;
  constructor(readonly stream: WriteStream) {
    stream.on('error', (err) => {
      this.#failed ??= err;
    });
  }
  /** Adds a line; a promise (to await before the next) only when the buffer was written out. */
  line(text: string): Promise<void> | undefined {
    this.#buf.push(text);
    this.#size += text.length + 1;
    return this.#size > 1 << 16 ? this.flush() : undefined;
  }
  async flush(): Promise<void> {
    this.#check();
    if (this.#buf.length === 0) return;
    const chunk = `${this.#buf.join('\n')}\n`;
    this.#buf = [];
    this.#size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
    this.#check();
  }
  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    // Settles once the last bytes are on disk, or with the error of a write that failed.
    await finished(this.stream);
    this.#check();
  }
  #check(): void {
    if (this.#failed !== null) throw this.#failed;
  }
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
    const out = new FileLines(createWriteStream('', { fd, highWaterMark: WRITE_AHEAD }));
    await out.line(FEATURES_CSV_HEADER);
    const csv = new CsvRows();
    let rows = 0;
    const seen = new Set<string>();
    const written = new Set<string>();
    const bar = progress('features', total);
    let records = 0;
    try {
      ({ records } = await replay(files, engine, {
        everyNs: opts.every,
        fromNs: opts.fromNs,
        toNs: opts.toNs,
        // Synchronous unless the buffer was written out: the replay goes on without a turn of
        // the event loop per row.
        onGrid: (tNs) => {
          const ms = Number(tNs / 1_000_000n);
          let writing: Promise<void> | undefined;
          for (const id of engine.instruments) {
            const snap = engine.snapshot(id);
            if (snap === null) continue;
            seen.add(snap.symbol);
            if (opts.symbol !== undefined && !selects(opts.symbol, snap.symbol, ms)) continue;
            written.add(snap.symbol);
            const w = out.line(csv.row(snap, engine.tickSize(id)));
            // Both awaited at once, so that a failed write is never left without a handler.
            if (w !== undefined)
              writing = writing === undefined ? w : Promise.all([writing, w]).then(() => {});
            rows++;
          }
          return writing;
        },
        onProgress: (done) => bar.update(done),
      }));
    } finally {
      bar.stop();
      await out.close();
    }
    if (opts.symbol !== undefined && written.size === 0) {
      throw new ConfigError(
        `--symbol ${opts.symbol} is not in the input (symbols: ${[...seen].join(', ') || 'none'})`,
      );
    }
    return { records, rows, symbols: [...written] };
  });
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
A row a second (the default) about doubles a day's run time against --every 1m, which writes
60 times fewer rows.

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
