/**
 * `scalper demo`: the main job on embedded defaults. It needs no data subscription, key or
 * network: it simulates a CME 6E trading day with recorded ground truth, writes it as DBN with
 * our encoder, reads it back with our decoder, replays the book and compares what it sees with
 * the truth the simulator recorded.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ablationTable, type TrainingJson, toxicityLine } from '../backtest/index.js';
import { BookSide, L2Book } from '../book/index.js';
import { formatPrice, formatTimestamp, parseTimestamp, tradingDatesBefore } from '../core/index.js';
import { DbnDecoder, recordToJsonLine, SymbolMap } from '../data/dbn/index.js';
import { replay } from '../data/index.js';
import { FeatureEngine } from '../features/index.js';
import type { SimDayResult } from '../sim/index.js';
import {
  fillContext,
  fitRegimeModel,
  labelSeries,
  type MinuteSeries,
  noteSweep,
  type RegimeModelFile,
  type Setup,
  scoreLabels,
  TECHNIQUE_NAMES,
  TechniqueSet,
} from '../strategy/index.js';
import { positiveInt, seedArg } from './args.js';
import { BACKTEST_FILES, metricLines, runBacktestCommand } from './backtest.js';
import { summary } from './commands.js';
import { configFlags, defaultConfig, type Run, runOf, type ScalperConfig } from './config.js';
import { executionLines, summaryLines } from './decide.js';
import { runFeatures } from './features.js';
import { recordRun } from './manifest.js';
import { bytes, n, outputFolder } from './output.js';
import { minuteSeries, readTruthLabels, writeRegimeModel } from './regime-files.js';
import { dayFiles, describeDay, runSimulation, scenarioOption } from './simulate.js';
import { defaultWorkers } from './sweep.js';

/** 6E's tick in decimal price units. */
const DEMO_TICK = 0.00005;

/** One letter per 30 minutes: the most frequent label (its first letter), `.` where none. */
function timeline(labels: ArrayLike<number>, names: readonly string[]): string {
  let out = '';
  for (let i = 0; i < labels.length; i += 30) {
    const counts = new Array<number>(names.length).fill(0);
    for (let j = i; j < Math.min(i + 30, labels.length); j++) if (labels[j] >= 0) counts[labels[j]]++;
    const best = counts.indexOf(Math.max(...counts));
    out += counts[best] > 0 ? names[best][0] : '.';
  }
  return out;
}

interface DemoOpts {
  out?: string;
  seed: number;
  start: string;
}

/** Prints a line of the demo's report. */
type Say = (line?: string) => void;

/** `scalper demo`: each step prints what it found (the functions below). */
async function demo(o: { out?: string }, run: Run): Promise<void> {
  const config = run.config;
  const opts: DemoOpts = { out: o.out, seed: config.demo.seed, start: config.demo.start };
  const vpinBucket = config.engine.vpinBucketVolume;
  const vpinWindow = config.engine.vpinWindowBuckets;
  const fitDays = config.demo.regimeFitDays;
  const dir = opts.out ?? mkdtempSync(join(tmpdir(), 'scalper-demo-'));
  outputFolder(dir);
  const say = (s = '') => process.stdout.write(`${s}\n`);
  say(
    `scalper demo: ${config.demo.days} simulated CME 6E (EUR/USD future) test day(s) from ${opts.start}, seed ${opts.seed}, after ${fitDays} training day(s) to fit on; the first test day walked through, all backtested`,
  );
  say();
  const days = await runSimulation({
    days: config.demo.days,
    start: opts.start,
    instruments: ['6E'],
    seed: opts.seed,
    out: dir,
    scenario: config.demo.scenario,
  });
  const day = days[0];
  say('Made:');
  for (const line of describeDay(day)) say(`  ${line}`);
  say();

  printTruth(say, day.truth);
  const symbols = await printBookReplay(say, day);
  const csv = await printFeatures(say, day, dir, vpinBucket, vpinWindow);
  const { modelPath, series, training } = await printRegimes(say, day, dir, opts, fitDays);
  await printSetups(say, day, series.symbol, config);
  const backtest = await printBacktest(say, days, dir, modelPath, training, config);
  say('First record, as `scalper dbn dump --limit 1` prints it:');
  for await (const rec of DbnDecoder.fromFile(day.files.mbp10).records()) {
    const line = recordToJsonLine(rec, 3, {
      symbol: symbols.resolve(rec.hd.instrument_id, rec.ts_recv as bigint) ?? null,
    });
    say(line.length > 360 ? `${line.slice(0, 360)}…` : line);
    break;
  }
  say();
  const manifest = await recordRun(run, {
    folder: dir,
    outputs: [...days.flatMap(dayFiles), csv, modelPath, ...backtest],
    inputs: [],
    seed: opts.seed,
  });
  say(`Run manifest (versions, configuration hash, seed, files with sizes and sha256): ${manifest}`);
  if (!opts.out) say(`The files stay in ${dir} (${bytes(dirSize(dir))}); remove the folder when done.`);
  say(`Next: npm run -s scalper -- dbn inspect ${day.files.mbp10}`);
  say('      npm run -s scalper -- simulate --days 5 --instruments 6E,6B,6J --out DIR');
}

/** Ground truth, as recorded by the simulator: minutes per regime, toxic-flow episodes. */
function printTruth(say: Say, truth: SimDayResult['truth']): void {
  const regimes = new Map<string, number>();
  for (const m of truth.minutes) regimes.set(m.regime, (regimes.get(m.regime) ?? 0) + 1);
  say('Ground truth (truth file):');
  say(`  minutes by volatility regime: ${[...regimes].map(([k, v]) => `${k} ${n(v)}`).join(', ')}`);
  say(`  toxic-flow episodes: ${truth.episodes.length}`);
  for (const e of truth.episodes.slice(0, 5)) {
    say(
      `    ${e.start.slice(11, 19)}–${e.end.slice(11, 19)} UTC ${e.symbol} ${e.direction}, intensity ${e.intensity.toFixed(2)}`,
    );
  }
  if (truth.episodes.length > 5) say(`    … ${truth.episodes.length - 5} more`);
  say();
}

/** What a user of the files sees: the MBP-10 file decoded and replayed through the L2 book. */
async function printBookReplay(say: Say, day: SimDayResult): Promise<SymbolMap> {
  const t0 = performance.now();
  const dec = DbnDecoder.fromFile(day.files.mbp10);
  const md = await dec.readMetadata();
  const symbols = SymbolMap.fromMetadata(md);
  const book = new L2Book();
  let records = 0;
  let oneTick = 0;
  let depth5 = 0;
  let crossed = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  let tick = 0;
  let first: bigint | null = null;
  let last = 0n;
  for await (const batch of dec) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      if (!book.applyMbp(c)) continue;
      records++;
      if (book.crossed) crossed++;
      const mid = book.mid;
      if (mid < lo) lo = mid;
      if (mid > hi) hi = mid;
      if (tick === 0 && book.spread > 0) tick = book.spread;
      if (book.spread === tick) oneTick++;
      depth5 += book.depth(BookSide.BID, 5) + book.depth(BookSide.ASK, 5);
    }
    if (batch.count > 0) {
      if (first === null) first = batch.at(0).tsRecv;
      last = batch.at(batch.count - 1).tsRecv;
    }
  }
  const ms = performance.now() - t0;
  const sym = symbols.resolve(book.instrumentId, last) ?? String(book.instrumentId);
  say(
    `Read back ${day.files.mbp10.split('/').pop()} (${dec.container}, DBN v${dec.version}) and replayed the L2 book:`,
  );
  say(
    `  ${n(records)} MBP-10 records of ${sym} in ${ms.toFixed(0)} ms (${n(Math.round((records / ms) * 1000))} records/s)`,
  );
  say(`  ts_recv ${formatTimestamp(first ?? 0n)} .. ${formatTimestamp(last)}`);
  say(`  mid ranged ${formatPrice(BigInt(Math.round(lo)))} .. ${formatPrice(BigInt(Math.round(hi)))}`);
  say(
    `  spread one tick after ${((100 * oneTick) / Math.max(1, records)).toFixed(1)}% of updates; crossed ${crossed} times`,
  );
  say(`  mean size over the top 5 levels: ${(depth5 / Math.max(1, 2 * records)).toFixed(1)} lots a side`);
  say();
  return symbols;
}

/** Features replayed like `scalper features`, one row a minute; VPIN inside and outside the toxic episodes. */
async function printFeatures(
  say: Say,
  day: SimDayResult,
  dir: string,
  vpinBucket: number,
  vpinWindow: number,
): Promise<string> {
  const csv = join(dir, `features-${day.date.replaceAll('-', '')}.csv`);
  const t1 = performance.now();
  const fs = await runFeatures([day.files.mbp10, day.files.trades], {
    out: csv,
    every: 60_000_000_000n,
    vpinBucket,
    vpinWindow,
  });
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  const cols = rows[0].split(',');
  const at = (name: string) => cols.indexOf(name);
  const episodes = day.truth.episodes.map((e) => [parseTimestamp(e.start), parseTimestamp(e.end)] as const);
  const inside = { n: 0, vpin: 0 };
  const outside = { n: 0, vpin: 0 };
  for (const line of rows.slice(1)) {
    const cells = line.split(',');
    const vpin = Number(cells[at('vpin')]);
    if (cells[at('vpin')] === '' || !Number.isFinite(vpin)) continue;
    const ts = BigInt(cells[at('ts_ns')]);
    const g = episodes.some(([a, b]) => ts >= a && ts < b) ? inside : outside;
    g.n++;
    g.vpin += vpin;
  }
  say(
    `Features (like \`scalper features\`), one row a minute, in ${((performance.now() - t1) / 1000).toFixed(1)} s: ${csv}`,
  );
  say(`  ${n(fs.records)} records replayed; ${n(fs.rows)} rows; columns ${cols.slice(3).join(', ')}`);
  if (inside.n > 0 && outside.n > 0) {
    say(
      `  VPIN (buckets of ${vpinBucket} lots, ${vpinWindow} buckets) averaged ${(inside.vpin / inside.n).toFixed(3)} in the minutes inside toxic episodes and ${(outside.vpin / outside.n).toFixed(3)} outside`,
    );
  }
  say();
  return csv;
}

/**
 * Volatility regimes: an HMM fitted, without the truth, on the training days: the trading days
 * before the test days, simulated with another seed, deleted once fitted.
 */
async function printRegimes(
  say: Say,
  day: SimDayResult,
  dir: string,
  opts: DemoOpts,
  fitDays: number,
): Promise<{ modelPath: string; series: MinuteSeries; training: TrainingJson[] }> {
  const t2 = performance.now();
  const fitSeed = (opts.seed + 1000) % 0x1_0000_0000;
  const trainDates = tradingDatesBefore(opts.start, fitDays);
  say(
    `Simulating ${fitDays} training day(s) before the test days (${trainDates[0]} … ${trainDates[trainDates.length - 1]}, seed ${fitSeed}) to fit the regime model on, then deleting them…`,
  );
  // The fitting days (about 60 MiB each) are only needed until the model is fitted.
  const fitDir = mkdtempSync(join(tmpdir(), 'scalper-demo-fit-'));
  let model: RegimeModelFile;
  let fitMinutes = 0;
  try {
    const simulated = await runSimulation({
      days: fitDays,
      start: trainDates[0],
      instruments: ['6E'],
      seed: fitSeed,
      out: fitDir,
      spot: false,
    });
    const fitSeries: MinuteSeries[] = [];
    for (const d of simulated) {
      fitSeries.push(...(await minuteSeries([d.files.mbp10, d.files.trades], new FeatureEngine())));
    }
    model = fitRegimeModel(fitSeries, { kind: 'hmm' });
    fitMinutes = fitSeries.reduce((k, x) => k + x.startMs.length, 0);
  } finally {
    rmSync(fitDir, { recursive: true, force: true });
  }
  const modelPath = join(dir, 'regime-model.json');
  writeRegimeModel(modelPath, model);
  const [series] = await minuteSeries([day.files.mbp10, day.files.trades], new FeatureEngine());
  const names = model.loaded.states;
  const labels = labelSeries(model, series);
  const truthIdx = readTruthLabels(day.files.truth, series.startMs, names);
  const off = scoreLabels(labels.offline, truthIdx);
  const on = scoreLabels(labels.online, truthIdx);
  say(
    `Volatility regimes: a 3-state HMM fitted on the ${fitDays} training days (seed ${fitSeed}, truth unread) in ${((performance.now() - t2) / 1000).toFixed(1)} s: ${modelPath}`,
  );
  say(
    `  this day: Viterbi labels match the truth on ${(100 * off.accuracy).toFixed(1)}% of ${n(off.minutes)} minutes, the online filter on ${(100 * on.accuracy).toFixed(1)}%; it followed ${on.detected} of ${on.changes} regime changes, ${on.meanDelayMin.toFixed(1)} min after them on average`,
  );
  say('  timeline, one letter per 30 minutes (majority; l/m/h = low/medium/high), from the Globex open:');
  say(`    truth  ${timeline(truthIdx, names)}`);
  say(`    HMM    ${timeline(labels.offline, names)}`);
  say(`    online ${timeline(labels.online, names)}`);
  say();
  const training: TrainingJson[] = [
    {
      what: 'regime model',
      days: trainDates,
      detail: `a 3-state HMM on ${n(fitMinutes)} minutes of simulated 6E (seed ${fitSeed}, the truth unread): ${modelPath}`,
    },
  ];
  return { modelPath, series, training };
}

/** The ten techniques on the day's minute bars, with the feature engine's values as context. */
async function printSetups(
  say: Say,
  day: SimDayResult,
  symbol: string,
  config: ScalperConfig,
): Promise<void> {
  const setups = new Map<string, number>();
  const examples: Setup[] = [];
  const techniques = new TechniqueSet(config.techniques, {
    collect: false,
    onSetup: (s) => {
      setups.set(s.technique, (setups.get(s.technique) ?? 0) + 1);
      if (examples.length < 3) examples.push(s);
    },
  });
  const ctx = techniques.context(symbol, DEMO_TICK);
  const engine = new FeatureEngine({
    onBar: (snap, bar) => techniques.onBar(bar, fillContext(ctx, snap)),
    onSweep: (snap, info) => noteSweep(ctx, info, Number(snap.ts_ns / 1_000_000n)),
  });
  await replay([day.files.mbp10, day.files.trades], engine, { everyNs: 60_000_000_000n, onGrid: () => {} });
  const total = [...setups.values()].reduce((a, b) => a + b, 0);
  say(`Setups of the ten techniques on the day's 1-minute bars: ${n(total)}`);
  say(`  ${TECHNIQUE_NAMES.map((t) => `${t} ${setups.get(t) ?? 0}`).join(', ')}`);
  for (const e of examples) {
    say(
      `  e.g. ${new Date(e.createdMs).toISOString().slice(11, 16)} UTC ${e.technique} ${e.side} entry ${e.entry.toFixed(5)} stop ${e.stop.toFixed(5)} target ${e.target.toFixed(5)}${e.kind ? ` (${e.kind})` : ''}`,
    );
  }
  say();
}

/**
 * The backtest of the test days: the whole pipeline traded on the paper broker with the regime
 * model fitted on other days, the ablations over the same days, and the round trips scored
 * against the toxic episodes of the ground truth. Returns the files it wrote.
 */
async function printBacktest(
  say: Say,
  days: readonly SimDayResult[],
  dir: string,
  modelPath: string,
  training: readonly TrainingJson[],
  config: ScalperConfig,
): Promise<string[]> {
  const t3 = performance.now();
  const out = join(dir, 'backtest');
  const files = days.flatMap((d) => [d.files.mbp10, d.files.trades]);
  say(
    `Backtest of the ${days.length} simulated day(s) (${days.map((d) => d.date).join(', ')}): the full pipeline traded on the paper broker, then the ablations over the same days…`,
  );
  const result = await runBacktestCommand(files, {
    out,
    truth: dir,
    ablations: true,
    workers: defaultWorkers(),
    training,
    config: { ...config, decide: { ...config.decide, regimeModel: modelPath } },
  });
  const m = result.metrics;
  say(
    `Decisions (${config.llm.provider === 'none' ? 'no model configured: quant evidence only' : config.llm.provider}), backtested in ${((performance.now() - t3) / 1000).toFixed(1)} s with the ablations: ${n(m.decisions.decisions)}`,
  );
  for (const line of [
    ...summaryLines(result.summary),
    ...executionLines(result.execution),
    ...metricLines(m),
  ])
    say(`  ${line}`);
  if (result.toxic !== null) {
    const x = result.toxic;
    say(
      `  simulated market: ${x.scenarios.join(', ')}; round trips overlapping one of the ${x.episodes} toxic episodes of the ground truth: ${x.trades}, P&L ${x.pnl.toFixed(2)} USD (losses ${x.losses.toFixed(2)} USD)`,
    );
  }
  if (result.ablations !== null) {
    say(
      '  ablations (P&L after costs; differences to the old system with 95 % bootstrap intervals over days and trades):',
    );
    for (const line of ablationTable(result.ablations)) say(`    ${line}`);
    if (result.toxicityClaim !== null) say(`  ${toxicityLine(result.toxicityClaim)}`);
  }
  say(`  files: ${out}`);
  say(`  report (open it in a browser; it works offline): ${result.report.path}`);
  say();
  return BACKTEST_FILES.map((f) => join(out, f));
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return total;
}

/** Registers `demo`. */
export function registerDemo(program: Command): void {
  const D = defaultConfig().demo;
  const cmd = program
    .command('demo')
    .description(summary('demo'))
    .option('-o, --out <dir>', 'folder for the files (default: a new temporary folder)')
    .option('--seed <seed>', `random seed, same seed same bytes (default ${D.seed})`, seedArg)
    .option('--start <date>', `first trading date to simulate, YYYY-MM-DD (default ${D.start})`)
    .option('--days <n>', `trading days to simulate and backtest (default ${D.days})`, positiveInt)
    .addOption(
      scenarioOption('market scenario of the test days (the regime model is fitted on default days)'),
    )
    .action((o: { out?: string }, self: Command) => demo(o, runOf(self)));
  configFlags(cmd, { seed: 'demo.seed', start: 'demo.start', days: 'demo.days', scenario: 'demo.scenario' });
}
