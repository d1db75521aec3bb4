/**
 * One pino logger for the engine (STYLE.md "Logs are structured"): a root logger, a child per
 * component (`componentLogger('breaker')` adds `component: "breaker"` to every line), objects with
 * stable keys rather than values pasted into sentences, JSON lines on stderr.
 *
 * Components take a `logger` option; without one they log through a child of the root logger,
 * which is silent until an application installs its own (`setRootLogger`), so a library user
 * hears nothing they did not ask for. The `scalper` command installs one with `--log-level`.
 *
 * Lines are written synchronously: pino's worker-thread transports can lose the last lines when a
 * command exits (`process.exit` does not wait for the worker), and a CLI run logs too little for
 * the asynchrony to matter. On a terminal, pino-pretty formats them in-process (no worker either).
 * Nothing logs per market event; the hot path counts and a summary is logged instead.
 */

import { createRequire } from 'node:module';
import type { DestinationStream, pino as PinoFactory, Logger as PinoLogger } from 'pino';
import { ConfigError } from './errors.js';

/** The engine's logger type: pino's. */
export type Logger = PinoLogger;

/** Levels from most to least severe, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The environment variable read for the level when no flag gives one. */
export const LOG_LEVEL_ENV = 'SCALPER_LOG_LEVEL';

/** Checks a level name (any case); a `ConfigError` lists the valid ones. */
export function parseLogLevel(v: string, source = 'log level'): LogLevel {
  const l = v.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(l)) {
    throw new ConfigError(`${source} "${v}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  return l as LogLevel;
}

/** Where and how `createLogger` writes. */
export interface LoggerOptions {
  /** Default `info`. */
  readonly level?: LogLevel;
  /** Default stderr (file descriptor 2), written synchronously. */
  readonly destination?: DestinationStream;
  /** Readable lines (pino-pretty) instead of JSON. Default: when stderr is a terminal. */
  readonly pretty?: boolean;
}

const require = createRequire(import.meta.url);
let pinoFactory: typeof PinoFactory | undefined;

/**
 * pino, loaded at the first logger made: a command that logs nothing (`scalper dbn inspect`, a
 * library user who installs no logger) does not pay for loading it.
 */
function pino(): typeof PinoFactory {
  pinoFactory ??= (require('pino') as { pino: typeof PinoFactory }).pino;
  return pinoFactory;
}

/** Level names instead of pino's numbers, and ISO-8601 times: a line reads without a decoder. */
function format() {
  return {
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: pino().stdTimeFunctions.isoTime,
    base: { pid: process.pid },
  } as const;
}

/** A root logger writing JSON lines (or readable ones on a terminal) to stderr or `destination`. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const FORMAT = format();
  if (opts.destination !== undefined) return pino()({ ...FORMAT, level }, opts.destination);
  const pretty = opts.pretty ?? process.stderr.isTTY === true;
  if (pretty) {
    // Loaded only when used: pino-pretty and its dependencies are not needed for JSON output.
    const prettyStream = require('pino-pretty') as (o: object) => DestinationStream;
    return pino()(
      { ...FORMAT, level },
      prettyStream({
        destination: 2,
        sync: true,
        colorize: !process.env.NO_COLOR,
        ignore: 'pid,hostname',
        translateTime: 'SYS:HH:MM:ss.l',
      }),
    );
  }
  return pino()({ ...FORMAT, level }, pino().destination({ fd: 2, sync: true }));
}

let silent: Logger | undefined;

/** A logger that writes nothing (one, made on first use). */
export function silentLogger(): Logger {
  silent ??= pino()({ level: 'silent' });
  return silent;
}

let root: Logger | undefined;
let rootFactory: (() => Logger) | undefined;

/** The root logger (silent until `setRootLogger`). */
export function rootLogger(): Logger {
  if (root === undefined && rootFactory !== undefined) {
    root = rootFactory();
    rootFactory = undefined;
  }
  root ??= silentLogger();
  return root;
}

/**
 * Installs the root logger that components log through by default, or a function that makes it
 * when something first logs (so that a run that logs nothing never loads pino).
 */
export function setRootLogger(logger: Logger | (() => Logger)): void {
  if (typeof logger === 'function' && !('child' in logger)) {
    root = undefined;
    rootFactory = logger;
  } else {
    root = logger as Logger;
    rootFactory = undefined;
  }
}

/** Whether a logger at `threshold` writes lines of `level`. */
export function levelEnabled(threshold: LogLevel, level: LogLevel): boolean {
  if (threshold === 'silent' || level === 'silent') return false;
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold);
}

/** A child of `parent` (default the root) whose lines carry `component`. */
export function componentLogger(component: string, parent: Logger = rootLogger()): Logger {
  return parent.child({ component });
}
