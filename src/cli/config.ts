/**
 * The `scalper` configuration: one schema whose sections are each part's own schema (feature
 * engine, techniques, analysts, pipeline, model provider) and the commands' options, loaded in
 * layers (core/config-file.ts):
 *
 *     schema defaults < --config FILE (YAML or JSON) < environment < flags given on the command line
 *
 * The environment carries the model provider's settings (`SCALPER_LLM_*`, llm/config.ts) and the
 * log level (`SCALPER_LOG_LEVEL`); API keys are read only from the environment, when the provider
 * is created, and never enter the configuration, so neither `config print` nor a run manifest can
 * show one. A key in a file is a problem, not a value.
 *
 * Every command resolves its configuration before it runs (`configureRun`, called from run.ts) and
 * reads its values from `runOf(command).config`; a flag is bound to its path with `configFlags`, so
 * `--vpin-bucket 200` and `engine: { vpinBucketVolume: 200 }` are the same setting.
 */

// First: the sections' modules below parse their defaults as they load.
import './jitless.js';
import type { Command } from 'commander';
import * as z from 'zod/mini';
import { AgentsConfigSchema } from '../agents/schema/index.js';
import {
  type ConfigLayer,
  ConfigProblemsError,
  createLogger,
  LOG_LEVEL_ENV,
  LOG_LEVELS,
  type Logger,
  loadConfigParser,
  readConfigFile,
  resolveConfig,
  rootLogger,
  secretPaths,
  setRootLogger,
} from '../core/index.js';
import { flag, nonNeg, nonNegInt, pos, posInt, unit } from '../core/schema/index.js';
import { IgConfigSchema } from '../data/ig/schema/index.js';
import { ExecutionConfigSchema } from '../execution/schema/index.js';
import {
  DAILY_VPIN_BUCKET_VOLUME,
  DEFAULT_TICK_SIZE,
  DEFAULT_VPIN_BUCKET_VOLUME,
  DEFAULT_VPIN_WINDOW_BUCKETS,
} from '../features/schema/index.js';
import { LLM_ENV_VARS, LlmConfigSchema } from '../llm/schema/index.js';
import { PipelineConfigSchema } from '../pipeline/schema/index.js';
import { RuntimeConfigSchema } from '../runtime/schema/index.js';
import { FUTURE_SPECS, ScenarioSchema } from '../sim/schema/index.js';
import { DEFAULT_RESTARTS, TechniquesConfigSchema } from '../strategy/schema/index.js';
import { commandName, DEFAULT_LOG_LEVEL } from './commands.js';

/** The first trading date the demo and `simulate` use unless told otherwise (fixed: same seed, same bytes). */
export const DEFAULT_START = '2026-11-24';

const SEED = z.number().check(z.int(), z.gte(0), z.lte(0xffffffff));
const seed = (d: number) => z._default(SEED, d);
const date = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD'),
  z.refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), 'not a calendar date'),
);

/** An interval such as `100ms`, `1s`, `10s`, `1m`, `1h` (args.ts `parseInterval` reads it). */
export const INTERVAL = /^([1-9]\d*)(ms|s|m|h)$/;

/** The feature engine (features, decide, regime, demo's fitting days). */
const engine = z.strictObject({
  /**
   * The intraday VPIN (`vpin`: the toxicity analyst and its trigger): bucket volume, contracts.
   * Well below the paper's ADV/50 so that it reacts inside an episode (features/defaults.ts).
   */
  vpinBucketVolume: pos(DEFAULT_VPIN_BUCKET_VOLUME),
  /** The intraday VPIN's window, buckets. */
  vpinWindowBuckets: posInt(DEFAULT_VPIN_WINDOW_BUCKETS),
  /** The paper's daily VPIN (`vpin_daily`, context): bucket volume, ADV/50 of 6E; 50 buckets. */
  dailyVpinBucketVolume: pos(DAILY_VPIN_BUCKET_VOLUME),
  /**
   * Re-size `vpin_daily`'s buckets each trading date of a CME FX future to ADV/50 over this many
   * trading dates before it, the product's continuing front series across rolls; none: the fixed
   * `dailyVpinBucketVolume`.
   */
  dailyVpinAdvDays: z.optional(z.number().check(z.int(), z.gte(1), z.lte(250))),
  /** Tick size in raw 1e-9 units of instruments without a definition record (6E's). */
  defaultTickSize: pos(DEFAULT_TICK_SIZE),
  /** Period of the trade bars that drive indicators, techniques and bar triggers, ms. */
  barPeriodMs: posInt(60_000),
  /** A Stoikov model file (`scalper stoikov fit`) for `microprice_stoikov`. */
  stoikovModel: z.optional(z.string().check(z.minLength(1))),
});

/** `scalper features`. */
const features = z.strictObject({
  /** Row interval. */
  every: z._default(
    z.string().check(z.regex(INTERVAL, 'expected an interval such as 100ms, 1s, 10s, 1m or 1h')),
    '1s',
  ),
});

/** The decision loop (`decide`, the demo's decisions). */
const decide = z.strictObject({
  /** Worker threads for the analysts' CPU-heavy steps; 0 runs them inline. */
  workers: z._default(z.number().check(z.int(), z.gte(0), z.lte(64)), 0),
  /** A regime model file (`scalper regime fit`); none = regime unknown. */
  regimeModel: z.optional(z.string().check(z.minLength(1))),
  /** VPIN value whose upward crossing triggers a toxicity decision. */
  vpinThreshold: unit(0.8),
  /** At most one sweep-triggered decision per instrument in this many ms. */
  sweepCooldownMs: nonNeg(5_000),
  /** Levels a sweep must take to trigger a decision. */
  sweepTriggerLevels: posInt(3),
});

/** `scalper backtest` (the decision loop's settings are `decide`'s). */
const backtest = z.strictObject({
  /**
   * Time from a decision's trigger to its orders, ms, in whole seconds (0: the next second, when the
   * pipeline has run; 20000 for the sequential pipeline of the old system).
   */
  decisionLatencyMs: z._default(
    z.number().check(
      z.int(),
      z.gte(0),
      z.lte(600_000),
      z.refine((v) => v % 1_000 === 0, 'expected whole seconds (a multiple of 1000)'),
    ),
    0,
  ),
});

/** `scalper simulate`. */
const simulate = z.strictObject({
  days: z._default(z.number().check(z.int(), z.positive(), z.lte(366)), 1),
  start: z._default(date, DEFAULT_START),
  /** The futures simulated; absent, the scenario's `instruments`, else 6E. */
  instruments: z.optional(
    z.array(z.enum(Object.keys(FUTURE_SPECS) as [string, ...string[]])).check(z.minLength(1)),
  ),
  seed: seed(1),
  /** Also write market-by-order files. */
  mbo: flag(false),
  /** Compress the DBN files with zstd. */
  zstd: flag(true),
  /** Write the spot pairs' IG files. */
  spot: flag(true),
  /**
   * The market scenario (sim/scenario.ts): a preset's name, or fields over a preset
   * (`{ preset: toxic, informed: { share: 0.2 } }`); resolved here to every parameter.
   */
  scenario: z.prefault(ScenarioSchema, 'default'),
  /**
   * An economic-calendar CSV (`ts,currency,event,minutes_before,minutes_after`) whose releases the
   * simulated market reacts to: turns the scenario's news on (its `news` parameters, or the
   * defaults) with this file in place of `scenario.news.calendar`.
   */
  calendar: z.optional(z.string().check(z.minLength(1))),
});

/** `scalper demo`. */
const demo = z.strictObject({
  seed: seed(7),
  /** The first test day; the training days are the trading days before it. */
  start: z._default(date, DEFAULT_START),
  /** Test days simulated and backtested (three or more give the ablations' intervals over days). */
  days: z._default(z.number().check(z.int(), z.positive(), z.lte(20)), 3),
  /** Training days (before the test days, with another seed) to fit the regime model on. */
  regimeFitDays: z._default(z.number().check(z.int(), z.positive(), z.lte(30)), 6),
  /** The market scenario of the simulated days, as `simulate.scenario`. */
  scenario: z.prefault(ScenarioSchema, 'default'),
});

/** `scalper regime fit`. */
const regime = z.strictObject({
  kind: z._default(z.enum(['hmm', 'gmm']), 'hmm'),
  states: posInt(3),
  restarts: nonNegInt(DEFAULT_RESTARTS),
  seed: seed(1),
});

/** `scalper stoikov fit`. */
const stoikov = z.strictObject({
  sampleMs: posInt(1000),
  buckets: posInt(10),
  spreads: posInt(2),
  terms: posInt(6),
});

/** The pipeline's own schema: its defaults and checks (pipeline/config.ts). */
const pipeline = z.prefault(PipelineConfigSchema, {});

/** The model provider; prices given in part count the others as 0 (as the environment variables do). */
const llm = z.pipe(
  z.transform((v: unknown) => {
    if (v === undefined) return {};
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    const p = o.pricing;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) return o;
    return { ...o, pricing: { inputPerMTok: 0, outputPerMTok: 0, cachedInputPerMTok: 0, ...p } };
  }),
  LlmConfigSchema,
);

/** Everything `scalper` can be configured with; every field optional on input. */
export const ScalperConfigSchema = z.strictObject({
  log: z.prefault(z.strictObject({ level: z._default(z.enum(LOG_LEVELS), DEFAULT_LOG_LEVEL) }), {}),
  engine: z.prefault(engine, {}),
  features: z.prefault(features, {}),
  decide: z.prefault(decide, {}),
  backtest: z.prefault(backtest, {}),
  simulate: z.prefault(simulate, {}),
  demo: z.prefault(demo, {}),
  regime: z.prefault(regime, {}),
  stoikov: z.prefault(stoikov, {}),
  techniques: z.prefault(TechniquesConfigSchema, {}),
  agents: z.prefault(AgentsConfigSchema, {}),
  pipeline,
  /** The execution layer's own schema: brackets, risk, the paper broker, fees (execution/config.ts). */
  execution: z.prefault(ExecutionConfigSchema, {}),
  llm,
  /**
   * IG Markets (data/ig): gateway, login, allowances, stream timings and the traded epics; absent
   * unless IG is used. Credentials only from IG_API_KEY, IG_IDENTIFIER and IG_PASSWORD.
   */
  ig: z.optional(IgConfigSchema),
  /** Paper and live sessions: data folder, pace of a replayed feed, the end, the control endpoint. */
  runtime: z.prefault(RuntimeConfigSchema, {}),
});

/** The effective configuration of a run. */
export type ScalperConfig = z.output<typeof ScalperConfigSchema>;
/** What a configuration file may hold. */
export type ScalperConfigInput = z.input<typeof ScalperConfigSchema>;

/** The LLM fields read as numbers from the environment. */
const NUMERIC_ENV = new Set([
  'timeoutMs',
  'cacheTtlMs',
  'pricing.inputPerMTok',
  'pricing.outputPerMTok',
  'pricing.cachedInputPerMTok',
]);

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let o = target;
  for (const k of path.slice(0, -1)) {
    if (o[k] === undefined) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]] = value;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The environment's layer: the model provider's `SCALPER_LLM_*` variables and `SCALPER_LOG_LEVEL`. */
export function envLayer(env: Env = process.env): ConfigLayer {
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  const take = (name: string, path: string, numeric: boolean, lower = false) => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return;
    // A non-numeric string stays a string so that the schema reports it against its variable.
    const v =
      numeric && raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : lower ? raw.toLowerCase() : raw;
    setPath(values, path.split('.'), v);
    names[path] = `${name}=${JSON.stringify(raw)}`;
  };
  for (const [path, name] of Object.entries(LLM_ENV_VARS)) take(name, `llm.${path}`, NUMERIC_ENV.has(path));
  take(LOG_LEVEL_ENV, 'log.level', false, true);
  return { source: 'environment', values, names };
}

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** A configuration file (YAML or JSON). */
  readonly file?: string;
  /** Default `process.env`. */
  readonly env?: Env;
  /** Values given on the command line (`flagsLayer`). */
  readonly flags?: ConfigLayer;
}

/** The environment variables that hold the secret at configuration path `path`. */
function secretVariables(path: string): string {
  if (path.startsWith('ig.')) return 'IG_API_KEY, IG_IDENTIFIER, IG_PASSWORD';
  if (path.startsWith('execution.fix.')) return 'SCALPER_FIX_PASSWORD';
  return 'OPENAI_API_KEY, ANTHROPIC_API_KEY, or the variable llm.apiKeyEnv names';
}

/**
 * The effective configuration: defaults < `file` < environment < `flags`. Every problem, a secret
 * in the file included, throws one `ConfigProblemsError` listing them all.
 */
export function loadConfig(o: LoadConfigOptions = {}): ScalperConfig {
  const layers: ConfigLayer[] = [];
  const problems: string[] = [];
  if (o.file !== undefined) {
    const values = readConfigFile(o.file);
    const secrets = secretPaths(values);
    for (const p of secrets) {
      problems.push(`${o.file}: ${p}: secrets are read only from the environment (${secretVariables(p)})`);
      // Reported once, as a secret, rather than again as an unknown key.
      const path = p.split('.');
      let parent = values as Record<string, unknown>;
      for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
      delete parent[path[path.length - 1]];
    }
    layers.push({ source: o.file, values });
  }
  layers.push(envLayer(o.env));
  if (o.flags !== undefined) layers.push(o.flags);
  let config: ScalperConfig | undefined;
  try {
    config = resolveConfig(ScalperConfigSchema, layers);
  } catch (e) {
    if (!(e instanceof ConfigProblemsError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length > 0 || config === undefined) throw new ConfigProblemsError(problems);
  return config;
}

/** The configuration `values` describe whole (a backtest's result.json), checked by the schema. */
export function configFrom(values: Readonly<Record<string, unknown>>, source: string): ScalperConfig {
  return resolveConfig(ScalperConfigSchema, [{ source, values: values as Record<string, unknown> }]);
}

let defaults: ScalperConfig | undefined;

/**
 * The configuration of a command without a file, environment or flags: every default (resolved on
 * first use: `config check` and `config print` do without it).
 */
export function defaultConfig(): ScalperConfig {
  defaults ??= resolveConfig(ScalperConfigSchema, []);
  return defaults;
}

const FLAG_PATHS = new WeakMap<Command, Readonly<Record<string, string>>>();

/**
 * Declares the configuration path each of `cmd`'s options sets when given on the command line
 * (`{ vpinBucket: 'engine.vpinBucketVolume' }`, keyed by commander's attribute name). Options
 * bound this way carry no commander default: the default is the schema's, so a file's value
 * is not overridden by a flag nobody typed.
 */
export function configFlags(cmd: Command, paths: Readonly<Record<string, string>>): Command {
  FLAG_PATHS.set(cmd, { ...FLAG_PATHS.get(cmd), ...paths });
  return cmd;
}

/** The layer of the options given on `cmd`'s command line that are bound to configuration paths. */
export function flagsLayer(cmd: Command): ConfigLayer {
  const paths: Record<string, string> = { logLevel: 'log.level', ...FLAG_PATHS.get(cmd) };
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  const opts = cmd.opts();
  for (const [key, path] of Object.entries(paths)) {
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    const v = opts[key];
    setPath(values, path.split('.'), typeof v === 'bigint' ? v.toString() : v);
    const opt = cmd.options.find((x) => x.attributeName() === key);
    names[path] = opt?.long ?? key;
  }
  return { source: 'command line', values, names };
}

/** What a command run knows about itself: its configuration, logger and start. */
export interface Run {
  /** `scalper regime fit`, … */
  readonly command: string;
  readonly config: ScalperConfig;
  /** The `--config` file, if any. */
  readonly configFile: string | undefined;
  /** A child of the root logger with `component: "cli"`. */
  readonly log: Logger;
  readonly startedAt: Date;
  /** The arguments after `scalper`. */
  readonly argv: readonly string[];
}

const RUNS = new WeakMap<Command, Run>();

/**
 * Resolves `cmd`'s configuration (its `--config` file, the environment, its flags), installs the
 * root logger at the configured level and remembers both for the action (`runOf`).
 */
export async function configureRun(
  cmd: Command,
  argv: readonly string[] = process.argv.slice(2),
): Promise<Run> {
  const file = cmd.opts().config as string | undefined;
  if (file !== undefined) await loadConfigParser(file);
  return configure(cmd, argv);
}

/** `configureRun` once the file's parser is loaded (or is loaded synchronously). */
function configure(cmd: Command, argv: readonly string[]): Run {
  const file = cmd.opts().config as string | undefined;
  const config = loadConfig({ file, flags: flagsLayer(cmd) });
  // The logger is made when something logs (most commands log nothing at the default level).
  setRootLogger(() => createLogger({ level: config.log.level }));
  let log: Logger | undefined;
  const run: Run = {
    command: commandName(cmd),
    config,
    configFile: file,
    get log() {
      log ??= rootLogger().child({ component: 'cli' });
      return log;
    },
    startedAt: new Date(),
    argv,
  };
  RUNS.set(cmd, run);
  return run;
}

/** The run `configureRun` prepared for `cmd` (every default when called outside the `scalper` command). */
export function runOf(cmd: Command): Run {
  const r = RUNS.get(cmd);
  if (r !== undefined) return r;
  return configure(cmd, []);
}

/**
 * `config` with the values of `values` (configuration paths such as `decide.vpinThreshold`) set
 * over it, checked by the schema as a file would be: a path that does not exist or a value out of
 * its range is a `ConfigProblemsError` naming `source`.
 */
export function withValues(
  config: ScalperConfig,
  values: Readonly<Record<string, unknown>>,
  source: string,
): ScalperConfig {
  const layer: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  for (const [path, v] of Object.entries(values)) {
    setPath(layer, path.split('.'), v);
    names[path] = `${source} ${path}`;
  }
  return resolveConfig(ScalperConfigSchema, [
    { source: 'configuration', values: config as unknown as Record<string, unknown> },
    { source, values: layer, names },
  ]);
}
