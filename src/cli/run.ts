/**
 * Running a chosen command: every command takes --config and --log-level and resolves its
 * configuration before it runs, logs its start and end, and turns errors into exit codes. Loaded by
 * main.ts only once a command is chosen.
 */
import type { Command } from 'commander';
import {
  ConfigProblemsError,
  createLogger,
  EngineError,
  LOG_LEVELS,
  type Logger,
  levelEnabled,
  rootLogger,
  setRootLogger,
} from '../core/index.js';
import { type CommandEntry, commandName, DEFAULT_LOG_LEVEL } from './commands.js';

const leaves = (c: Command): Command[] => (c.commands.length === 0 ? [c] : c.commands.flatMap(leaves));

/** Adds `--config` and `--log-level` to `cmd`. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'configuration file, YAML or JSON (see `scalper config print`)')
    .option(
      '--log-level <level>',
      `log level on stderr: ${LOG_LEVELS.join(', ')} (default ${DEFAULT_LOG_LEVEL})`,
      (v) => v.toLowerCase(),
    );
}

/** A command's run as its start and end are logged (when the log level lets info through). */
interface Started {
  readonly command: string;
  readonly log: (() => Logger) | null;
  /**
   * `process.hrtime.bigint()` at the start: the global `performance` loads Node's perf_hooks on
   * first use, about 1 ms of a short command's start-up.
   */
  readonly t0: bigint;
}

/**
 * True when no configuration is given to `cmd`: no `--config`, no `--log-level` and no `SCALPER_*`
 * variable. Every variable the configuration reads has that prefix (commands.test.ts checks it); any
 * other such variable costs only the schema's load.
 */
function nothingGiven(cmd: Command, env: NodeJS.ProcessEnv = process.env): boolean {
  if (cmd.opts().config !== undefined || cmd.getOptionValueSource('logLevel') === 'cli') return false;
  return !Object.entries(env).some(
    ([k, v]) => k.startsWith('SCALPER_') && v !== undefined && v.trim() !== '',
  );
}

/**
 * Resolves `cmd`'s configuration and logs its start. A command that reads no configuration, given
 * none, would resolve every default, valid by construction: it starts with the default log level
 * and does without the schema (zod and every layer's configuration), the bulk of its start-up.
 */
async function start(cmd: Command, configless: boolean, argv: readonly string[]): Promise<Started> {
  let command: string;
  let log: (() => Logger) | null;
  let configFile: string | undefined;
  if (configless && nothingGiven(cmd)) {
    // The logger is made when something logs: at the default level, these lines do not.
    setRootLogger(() => createLogger({ level: DEFAULT_LOG_LEVEL }));
    command = commandName(cmd);
    log = levelEnabled(DEFAULT_LOG_LEVEL, 'info') ? () => rootLogger().child({ component: 'cli' }) : null;
  } else {
    const run = await (await import('./config.js')).configureRun(cmd, argv);
    ({ command, configFile } = run);
    log = levelEnabled(run.config.log.level, 'info') ? () => run.log : null;
  }
  log?.().info({ command, argv, configFile: configFile ?? null }, 'command start');
  return { command, log, t0: process.hrtime.bigint() };
}

/** Parses `argv` (process.argv) with `program`, in which `entry` is fully defined, and runs it. */
export async function runCommand(
  program: Command,
  entry: CommandEntry,
  argv: readonly string[],
): Promise<void> {
  const chosen = program.commands.find((c) => c.name() === entry.name);
  for (const c of chosen === undefined ? [] : leaves(chosen)) addCommonOptions(c);
  let started: Started | null = null;
  program.hook('preAction', async (_program, cmd) => {
    started = await start(cmd, entry.configless === true, argv.slice(2));
  });
  const logEnd = (ok: boolean, code?: string) => {
    if (started === null) return;
    const { command, log, t0 } = started;
    log?.().info(
      { command, ok, ...(code ? { code } : {}), ms: Math.round(Number(process.hrtime.bigint() - t0) / 1e6) },
      'command end',
    );
  };
  try {
    await program.parseAsync(argv);
    logEnd(true);
  } catch (err) {
    logEnd(false, err instanceof EngineError ? err.code : undefined);
    throw err;
  }
}

/** Reports an error other than commander's (which prints its own) on stderr and sets the exit code. */
export function reportError(err: unknown): void {
  if (err instanceof ConfigProblemsError) {
    // One line per problem, each a complete message.
    for (const p of err.problems) process.stderr.write(`error [${err.code}]: ${p}\n`);
    process.exitCode = 2;
  } else if (err instanceof EngineError) {
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
