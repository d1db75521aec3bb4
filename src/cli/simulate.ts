/** `scalper simulate`: synthetic CME FX futures days with recorded ground truth. */

import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  ConfigError,
  cmeHoliday,
  componentLogger,
  isTradingDate,
  type Logger,
  readEconomicCalendar,
  tickDecimals,
  tradingDates,
} from '../core/index.js';
import {
  FUTURE_SPECS,
  SCENARIO_PRESET_NAMES,
  SCENARIO_PRESETS,
  type Scenario,
  ScenarioSchema,
  type SimDayResult,
  simulate,
  withNewsCalendar,
} from '../sim/index.js';
import { positiveInt, seedArg } from './args.js';
import { summary } from './commands.js';
import { configFlags, DEFAULT_START, defaultConfig, runOf } from './config.js';
import { recordRun } from './manifest.js';
import { bytes, n, outputFolder } from './output.js';

/** Options shared by `simulate` and `demo`. */
export interface SimulateCliOptions {
  days: number;
  start: string;
  /** The futures simulated; absent, the scenario's, else 6E. */
  instruments?: string[];
  seed: number;
  out: string;
  mbo?: boolean;
  zstd?: boolean;
  /** Write the spot pairs' IG files too (default true). */
  spot?: boolean;
  /** The market scenario (default: the simulator's defaults, recorded in no truth file). */
  scenario?: Scenario;
  /** An economic-calendar CSV for the scenario's news (`withNewsCalendar`). */
  calendar?: string;
  /** Where progress lines go off a terminal (default a child of the root logger). */
  log?: Logger;
}

export { DEFAULT_START };

function instrumentsArg(v: string): string[] {
  const list = v
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  const known = Object.keys(FUTURE_SPECS);
  for (const s of list) {
    if (!known.includes(s)) throw new InvalidArgumentError(`"${s}" is not one of ${known.join(', ')}`);
  }
  if (list.length === 0) throw new InvalidArgumentError('no instruments given');
  return list;
}

function dateArg(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
    throw new InvalidArgumentError(`"${v}" is not a date (YYYY-MM-DD)`);
  }
  return v;
}

function scenarioArg(v: string): string {
  if (!(SCENARIO_PRESET_NAMES as readonly string[]).includes(v))
    throw new InvalidArgumentError(`"${v}" is not one of ${SCENARIO_PRESET_NAMES.join(', ')}`);
  return v;
}

/** `--scenario NAME`: a preset (sim/scenario.ts). */
export function scenarioOption(what: string): Option {
  return new Option(
    '--scenario <name>',
    `${what}: ${SCENARIO_PRESET_NAMES.join(', ')} (default default)`,
  ).argParser(scenarioArg);
}

/** The contracts a scenario's `instruments` may name, with CME's tick and contract size. */
export function contractList(): string[] {
  return Object.values(FUTURE_SPECS).map((s) => {
    const tick = (s.tickRaw / 1e9).toFixed(tickDecimals(s.tickRaw));
    const tickUsd = (Number(s.tickValueRaw) / 1e9).toFixed(2);
    const quote = s.currency === 'JPY' ? 'USD per JPY (USD/JPY inverted)' : `USD per ${s.currency}`;
    return `${s.product}  ${quote}: tick ${tick} = ${tickUsd} USD, contract ${n(s.contractSize)} ${s.currency}`;
  });
}

/** The presets and what each is for, one per line; then the contracts and the activity profiles. */
export function scenarioList(): string {
  const width = Math.max(...SCENARIO_PRESET_NAMES.map((n) => n.length));
  const lines = SCENARIO_PRESET_NAMES.map((n) => `${n.padEnd(width)}  ${SCENARIO_PRESETS[n].description}`);
  lines.push(
    '',
    "contracts (a scenario's instruments; CME's ticks and contract sizes, which the backtester's",
    'paper broker also uses):',
    ...contractList().map((l) => `  ${l}`),
    '',
    'activity profiles (activity.profile):',
    '  sessions  a level per FX session (activity.sessions, activity.lateAsia): the default',
    "  cme       CME FX futures volume by hour on the centres' clocks, quietest around the daily",
    '            break (activity.hourly replaces its table); scalper activity measures it',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Runs the simulator with a progress bar on a terminal (a line per day otherwise) and returns
 * the days it wrote.
 */
export async function runSimulation(opts: SimulateCliOptions): Promise<SimDayResult[]> {
  const scenario =
    opts.calendar === undefined
      ? opts.scenario
      : withNewsCalendar(opts.scenario ?? ScenarioSchema.parse('default'), opts.calendar);
  // Read and checked before anything is written: a bad row is reported as file:line.
  const newsFile = scenario?.news?.calendar;
  const calendar = newsFile === undefined ? undefined : readEconomicCalendar(newsFile);
  outputFolder(opts.out);
  if (!isTradingDate(opts.start)) {
    const holiday = cmeHoliday(opts.start);
    const what =
      holiday !== undefined
        ? `CME holiday (${holiday.name})`
        : new Date(`${opts.start}T12:00:00Z`).toLocaleDateString('en-US', {
            weekday: 'long',
            timeZone: 'UTC',
          });
    throw new ConfigError(
      `--start ${opts.start} is a ${what}, not a CME trading date; the next one is ${tradingDates(opts.start, 1)[0]}`,
    );
  }
  const tty = process.stderr.isTTY && !process.env.CI;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: 'simulate [{bar}] {percentage}% | {date} | {events} events | ETA {eta}s',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  let started = false;
  let lastDay = -1;
  const log = opts.log ?? componentLogger('simulate');
  const t0 = performance.now();
  try {
    const days = await simulate({
      days: opts.days,
      start: opts.start,
      instruments: opts.instruments,
      seed: opts.seed,
      out: opts.out,
      mbo: opts.mbo,
      zstd: opts.zstd,
      spot: opts.spot,
      scenario,
      calendar,
      onProgress: (p) => {
        if (bar) {
          const total = p.days * p.minutes;
          if (!started) {
            bar.start(total, 0, { date: p.date, events: '0' });
            started = true;
          }
          bar.update(p.day * p.minutes + p.minute, { date: p.date, events: n(p.events) });
        } else if (p.day !== lastDay) {
          lastDay = p.day;
          log.info({ date: p.date, day: p.day + 1, days: p.days }, 'simulating day');
        }
      },
    });
    bar?.stop();
    const secs = (performance.now() - t0) / 1000;
    const events = days.reduce((s, d) => s + d.counts.events, 0);
    process.stderr.write(
      `simulated ${n(days.length)} day(s), ${n(events)} events in ${secs.toFixed(1)} s (${n(Math.round(events / secs))} events/s)\n`,
    );
    return days;
  } catch (err) {
    bar?.stop();
    throw err;
  }
}

/** The paths of the files a simulated day wrote. */
export function dayFiles(d: SimDayResult): string[] {
  const paths = new Set<string>();
  for (const v of Object.values(d.files)) {
    if (typeof v === 'string') paths.add(v);
    else if (v && typeof v === 'object')
      for (const p of Object.values(v)) if (typeof p === 'string') paths.add(p);
  }
  return [...paths];
}

/** The files of a day with their sizes, one per line. */
export function describeDay(d: SimDayResult): string[] {
  const lines = [
    `${d.date}: ${n(d.counts.events)} events, ${n(d.counts.mbp10)} MBP-10 records, ${n(d.counts.trades)} trades, ${n(d.volume)} contracts; spread one tick after ${(100 * d.oneTickShare).toFixed(1)}% of events`,
  ];
  for (const path of dayFiles(d)) lines.push(`  ${path}  ${bytes(statSync(path).size)}`);
  return lines;
}

/** Registers `simulate`. */
export function registerSimulate(program: Command): void {
  const D = defaultConfig().simulate;
  const sim = program
    .command('simulate')
    .description(summary('simulate'))
    .option('-o, --out <dir>', 'output folder (created when missing; required unless --list-scenarios)')
    .option('--days <n>', `number of trading days, weekends skipped (default ${D.days})`, positiveInt)
    .option('--start <date>', `first trading date, YYYY-MM-DD (default ${D.start})`, dateArg)
    .addOption(
      new Option(
        '--instruments <list>',
        "comma-separated futures: 6E, 6B, 6J (default: the scenario's instruments, else 6E)",
      ).argParser(instrumentsArg),
    )
    .option(
      '--seed <seed>',
      `random seed: the same seed gives byte-identical files (default ${D.seed})`,
      seedArg,
    )
    .option('--mbo', 'also write market-by-order files')
    .option('--no-zstd', 'write plain .dbn files instead of .dbn.zst')
    .addOption(scenarioOption('market scenario'))
    .option(
      '--calendar <file>',
      'economic-calendar CSV (ts,currency,event,minutes_before,minutes_after) for the news: jumps, spread blow-outs and busier minutes at its releases, in any scenario',
    )
    .option('--list-scenarios', 'print the scenario presets and what each is for, and exit')
    .action(async (o: { out?: string; listScenarios?: boolean }, cmd: Command) => {
      if (o.listScenarios) {
        process.stdout.write(scenarioList());
        return;
      }
      if (o.out === undefined) throw new ConfigError("required option '-o, --out <dir>' not specified");
      const run = runOf(cmd);
      const days = await runSimulation({ ...run.config.simulate, out: o.out });
      for (const d of days) process.stdout.write(`${describeDay(d).join('\n')}\n`);
      const sim = run.config.simulate;
      const manifest = await recordRun(run, {
        folder: o.out,
        outputs: days.flatMap(dayFiles),
        inputs: [sim.calendar ?? sim.scenario.news?.calendar],
        seed: run.config.simulate.seed,
      });
      process.stdout.write(`run manifest: ${manifest}\n`);
    });
  configFlags(sim, {
    days: 'simulate.days',
    start: 'simulate.start',
    instruments: 'simulate.instruments',
    seed: 'simulate.seed',
    mbo: 'simulate.mbo',
    zstd: 'simulate.zstd',
    scenario: 'simulate.scenario',
    calendar: 'simulate.calendar',
  });
}
