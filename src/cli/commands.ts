/**
 * The `scalper` commands as the top-level listing shows them, declared apart from their
 * implementations: `scalper --help` and `--version` load none of them, and a command loads its own
 * module (and what that module imports) only once it is chosen. Each command's module takes its
 * description from here, so the listing and the command's own help cannot disagree.
 */
import type { Command } from 'commander';

/** Adds a command, fully defined, to `program`. */
export type Register = (program: Command) => void;

/** One top-level command. */
export interface CommandEntry {
  readonly name: string;
  readonly description: string;
  /** The arguments of a command that takes them itself (`<files...>`). */
  readonly args?: string;
  /** A group of subcommands (`dbn inspect`, `dbn dump`) rather than a command that runs. */
  readonly group?: boolean;
  /**
   * Reads no configuration: only `--config` and `--log-level` apply to it. When neither they nor a
   * `SCALPER_*` variable is given, its configuration would be every default, valid by construction,
   * so its run starts without loading the configuration schema (run.ts).
   */
  readonly configless?: boolean;
  /** Imports the command's module and returns its `register` function. */
  readonly load: () => Promise<Register>;
}

/** Every command, in the order `scalper --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    description:
      'simulate a 6E trading day, write it as DBN, read it back and summarise it (no data or network needed)',
    load: async () => (await import('./demo.js')).registerDemo,
  },
  {
    name: 'simulate',
    description:
      'simulate CME FX futures trading days (MBP-10, trades, definitions as DBN; ground truth as JSON)',
    load: async () => (await import('./simulate.js')).registerSimulate,
  },
  {
    name: 'dbn',
    description: 'read Databento DBN files (v1, v2, v3, DBZ; plain or zstd)',
    group: true,
    configless: true,
    load: async () => (await import('./dbn.js')).registerDbn,
  },
  {
    name: 'data',
    description:
      'Databento data: price a historical request (cost, records, size), download it as .dbn.zst (resumed when cut), batch jobs, list datasets and schemas, resolve symbols; record a live subscription to a DBN file',
    group: true,
    configless: true,
    load: async () => (await import('./data.js')).registerData,
  },
  {
    name: 'book',
    description:
      'replay MBO or MBP files into their books and print each book after every n-th published event and at the end (table or JSON lines)',
    args: '<files...>',
    configless: true,
    load: async () => (await import('./book.js')).registerBook,
  },
  {
    name: 'features',
    description:
      'replay DBN files (e.g. a day’s MBP-10, trades, definition and spot MBP-1 files) through the feature engine and write a CSV row per instrument every interval',
    args: '<files...>',
    load: async () => (await import('./features.js')).registerFeatures,
  },
  {
    name: 'basis',
    description:
      'futures–spot return correlation at 1 s, 10 s, 1 min and 5 min, lead–lag and the basis per FX session of each day, from futures and spot DBN files (table or JSON)',
    args: '<files...>',
    configless: true,
    load: async () => (await import('./basis.js')).registerBasis,
  },
  {
    name: 'predictability',
    description:
      'how well best-level OFI and queue imbalance foretell the next interval’s mid change on MBP-10 files: correlation, R², bootstrap interval (table or JSON)',
    args: '<files...>',
    configless: true,
    load: async () => (await import('./predictability.js')).registerPredictability,
  },
  {
    name: 'activity',
    description:
      'traded volume by hour of the day per product on trades or MBP-10 files, beside the simulator’s activity profile for the same dates (table or JSON)',
    args: '<files...>',
    configless: true,
    load: async () => (await import('./activity.js')).registerActivity,
  },
  {
    name: 'regime',
    description: 'volatility regimes: fit a Gaussian HMM or GMM on minute observations, label days with it',
    group: true,
    load: async () => (await import('./regime.js')).registerRegime,
  },
  {
    name: 'decide',
    description:
      'replay DBN files through the decision pipeline (triggers, seven analysts, consensus, debate, validators, approval), record every decision and trade the approved ones on the paper broker; with --bus, the decide service on NATS JetStream (features.<product> in, signals.<product> out)',
    args: '[files...]',
    load: async () => (await import('./decide.js')).registerDecide,
  },
  {
    name: 'backtest',
    description:
      'backtest DBN files: the decisions of the whole pipeline traded on the paper broker, with orders, fills, round trips, equity and metrics written to a folder',
    args: '<files...>',
    load: async () => (await import('./backtest.js')).registerBacktest,
  },
  {
    name: 'paper',
    description:
      'paper trading: the paper broker on a live feed (DBN files replayed at a multiple of real time, Databento’s live gateway or IG’s prices), until the feed ends or Ctrl-C; orders, fills and decisions written to a session folder',
    args: '[files...]',
    load: async () => (await import('./paper.js')).registerPaper,
  },
  {
    name: 'serve',
    description:
      'the web dashboard on a replay (DBN files, or a simulated 6E day without them): candles, the book ladder, features, the analysts, decisions with their latency, positions and risk, live in a browser; with SCALPER_CONTROL_TOKEN its controls pause trading, pull the kill switch, change the pace and seek',
    args: '[files...]',
    load: async () => (await import('./serve.js')).registerServe,
  },
  {
    name: 'live',
    description:
      'live trading through a FIX 4.4 broker (CME futures) or IG (their spot pairs) on live feeds: refuses to start without --confirm ACCOUNT; reconciles with the venue on start; orders recorded before they are sent',
    load: async () => (await import('./live.js')).registerLive,
  },
  {
    name: 'sweep',
    description:
      'backtest every point of a grid of configuration values in parallel worker threads, or on `scalper worker` processes through NATS, and rank them by P&L, Sharpe, expectancy or profit factor',
    args: '[files...]',
    load: async () => (await import('./sweep.js')).registerSweep,
  },
  {
    name: 'worker',
    description:
      'run the jobs of sweeps spread over machines: take (point, trading day) backtests from a NATS JetStream work queue, write each result to PostgreSQL once',
    load: async () => (await import('./worker.js')).registerWorker,
  },
  {
    name: 'walkforward',
    description:
      'walk-forward: fit the regime model and choose parameters on earlier trading days, backtest the next ones, roll forward; out-of-sample P&L with its interval',
    args: '<files...>',
    load: async () => (await import('./walkforward.js')).registerWalkForward,
  },
  {
    name: 'compare',
    description:
      'where a paper or live session and a backtest of its recording diverged: decisions, fill prices in ticks, latency, queue, fees, rejections, exits, and the P&L gap by cause (table or JSON)',
    args: '<session> <backtest>',
    configless: true,
    load: async () => (await import('./compare.js')).registerCompare,
  },
  {
    name: 'report',
    description:
      "render a backtest's report.html again from its folder: one page with its charts, data and chart library inlined, to open offline",
    args: '<path>',
    configless: true,
    load: async () => (await import('./report.js')).registerReport,
  },
  {
    name: 'roi',
    description:
      "what a backtest's order-flow parts earned (from its ablations) against their data and infrastructure cost a month: net, break-even size and payback, with intervals",
    configless: true,
    load: async () => (await import('./roi.js')).registerRoi,
  },
  {
    name: 'stoikov',
    description: "Stoikov's micro-price: fit the adjustment table g(imbalance, spread) on MBP-10 files",
    group: true,
    load: async () => (await import('./stoikov.js')).registerStoikov,
  },
  {
    name: 'run',
    description:
      'the engine as its four services (ingest, featurize, decide, execute) in one process over the in-process bus, or over NATS JetStream with --bus: DBN files in, orders, fills and decisions out',
    args: '<files...>',
    load: async () => (await import('./services.js')).registerRun,
  },
  {
    name: 'ingest',
    description:
      'the ingest service: DBN files (simulated or recorded) or a live feed (Databento, IG) onto NATS JetStream, a subject per product and schema (md.6E.mbp10)',
    args: '[files...]',
    load: async () => (await import('./services.js')).registerIngest,
  },
  {
    name: 'featurize',
    description:
      'the featurize service: market data from NATS JetStream through books, features, techniques and the regime into triggers (features.<product>) and the feature store',
    load: async () => (await import('./services.js')).registerFeaturize,
  },
  {
    name: 'execute',
    description:
      'the execute service: decisions from NATS JetStream through risk to the paper broker; orders, fills, trades and equity written to a folder at the end',
    load: async () => (await import('./services.js')).registerExecute,
  },
  {
    name: 'kill',
    description:
      "pull a trading session's kill switch (no new risk, working orders cancelled, positions closed): write the data folder's kill file, or ask a running session over HTTP (--url); --reset clears it",
    load: async () => (await import('./kill.js')).registerKill,
  },
  {
    name: 'config',
    description: 'show or check the configuration (defaults < --config FILE < environment < flags)',
    group: true,
    // `config check` reads the file it is given; `config print` resolves the configuration itself.
    configless: true,
    load: async () => (await import('./config-command.js')).registerConfig,
  },
];

/** The log level of a run that sets none (the configuration's `log.level` default). */
export const DEFAULT_LOG_LEVEL = 'warn';

/** The full name of `cmd` (`regime fit`). */
export function commandName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The description of the command `name`, as the listing shows it. */
export function summary(name: string): string {
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) throw new Error(`No command "${name}" in the catalogue`);
  return entry.description;
}

/**
 * The command that `argv` (the arguments after `scalper`) runs or asks help for: the first word
 * that is not an option, or the word after `help`. Undefined for `--version`, `--help`, no
 * arguments and unknown words, which need no command's module.
 */
export function chosenCommand(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}

/**
 * A command as the listing shows it and nothing more: its name, description and arguments, and
 * for a command that runs an option, so that it is listed with `[options]` as the defined one is.
 */
function declare(program: Command, entry: CommandEntry): void {
  const cmd = program.command(entry.name).description(entry.description);
  if (entry.args !== undefined) cmd.argument(entry.args);
  if (entry.group !== true) cmd.option('--config <file>');
}

/**
 * Adds every command to `program`: `chosen` defined in full (its module loaded), the others only
 * declared.
 */
export async function addCommands(program: Command, chosen: CommandEntry | undefined): Promise<void> {
  for (const entry of COMMANDS) {
    if (entry === chosen) (await entry.load())(program);
    else declare(program, entry);
  }
}
