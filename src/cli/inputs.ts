/**
 * The input arguments of the commands that replay market data (`features`, `decide`, `regime`,
 * `stoikov`): DBN files or folders of them (a simulator run, a Databento download; see
 * data/inputs.ts for what a folder contributes), limited in time by `--from` and `--to`, and an
 * instrument named by contract (`6EZ6`), spot pair (`EUR/USD`) or product (`6E`, `6E.c.0`: the
 * front month across a roll, core/calendar.ts `frontMonth`).
 */

import type { Command } from 'commander';
import { ConfigError, componentLogger, isFrontMonth, parseTimeBound, productOf } from '../core/index.js';
import { resolveInputs } from '../data/index.js';

/** Adds `--from` and `--to` to a command that reads DBN files or folders. */
export function timeRangeOptions(cmd: Command): Command {
  return cmd
    .option(
      '--from <time>',
      'start: a CME trading date (YYYY-MM-DD, from 17:00 Chicago the evening before) or a UTC time (YYYY-MM-DDTHH:MM[:SS])',
    )
    .option('--to <time>', 'end: a CME trading date (to its 16:00 Chicago close) or a UTC time');
}

/** The files a command reads and the time range it keeps. */
export interface CommandInputs {
  readonly files: string[];
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
}

/** Resolves `paths` (files and folders) and `--from`/`--to`; logs what a folder left out and why. */
export async function commandInputs(
  paths: readonly string[],
  o: { readonly from?: string; readonly to?: string },
): Promise<CommandInputs> {
  const fromNs = o.from !== undefined ? parseTimeBound(o.from, 'from') : undefined;
  const toNs = o.to !== undefined ? parseTimeBound(o.to, 'to') : undefined;
  if (fromNs !== undefined && toNs !== undefined && toNs < fromNs) {
    throw new ConfigError(`--to ${o.to} is before --from ${o.from}`);
  }
  const r = await resolveInputs(paths, { fromNs, toNs });
  const log = componentLogger('inputs');
  for (const s of r.skipped) log.info({ file: s.file, reason: s.reason }, 'input left out');
  log.info({ files: r.files.length }, 'inputs');
  return { files: r.files, fromNs, toNs };
}

/**
 * Whether an instrument `symbol` seen at `ms` is the one `requested` names: the same symbol, or
 * the front month of the product `requested` names.
 */
export function selects(requested: string, symbol: string, ms: number): boolean {
  if (requested === symbol) return true;
  const product = productOf(requested);
  return product !== undefined && isFrontMonth(product, symbol, ms);
}
