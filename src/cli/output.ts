/** Buffered writing to stdout that respects back-pressure and ends quietly when the reader closes (e.g. `| head`). */
import { once } from 'node:events';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { ConfigError, componentLogger, formatTimestamp } from '../core/index.js';
import { stdoutClosed } from './stdout.js';

export { endQuietlyOnClosedStdout } from './stdout.js';

/** Collects lines and writes them in blocks. */
export class LineWriter {
  #lines: string[] = [];
  #size = 0;

  async line(text: string): Promise<void> {
    this.#lines.push(text);
    this.#size += text.length;
    if (this.#size > 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#lines.length === 0 || stdoutClosed()) return;
    const chunk = `${this.#lines.join('\n')}\n`;
    this.#lines = [];
    this.#size = 0;
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
}

/** Prints a study's report to stdout: as indented JSON with `json`, else as the lines of its table. */
export async function printReport<T>(
  report: T,
  json: boolean,
  table: (r: T) => readonly string[],
): Promise<void> {
  const out = new LineWriter();
  if (json) await out.line(JSON.stringify(report, null, 2));
  else for (const l of table(report)) await out.line(l);
  await out.flush();
}

/** Formats an integer with thousands separators. */
export function n(v: number | bigint): string {
  return v.toLocaleString('en-US');
}

/** Human-readable byte size. */
export function bytes(v: number): string {
  if (v < 1024) return `${v} B`;
  if (v < 1 << 20) return `${(v / 1024).toFixed(1)} KiB`;
  if (v < 1 << 30) return `${(v / (1 << 20)).toFixed(1)} MiB`;
  return `${(v / (1 << 30)).toFixed(2)} GiB`;
}

/** A number for JSON: NaN as null, rounded to `decimals` places (binary noise left out). */
export function jsonNumber(v: number, decimals: number): number | null {
  return Number.isFinite(v) ? Number(v.toFixed(decimals)) : null;
}

/** A time in ms for JSON, ISO-8601 with nanoseconds; null when not finite. */
export function jsonTime(ms: number): string | null {
  return Number.isFinite(ms) ? formatTimestamp(BigInt(Math.round(ms)) * 1_000_000n) : null;
}

/** Makes the output folder `dir` (and its parents); a clear error when it cannot be one. */
export function outputFolder(dir: string, option = '--out'): string {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new ConfigError(`${option} ${dir} is a file, not a folder`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new ConfigError(`${option} ${dir}: cannot create the folder (${(err as Error).message})`);
  }
  return dir;
}

/**
 * Output files are written under `${path}.partial` and renamed to `path` when the run is done, so
 * that a run that fails part-way leaves no output that looks complete: `startOutput` removes an
 * earlier `path` and names the file to write, `finishOutput` renames it, and after a failure what
 * was written stays in the `.partial` file (`keptPartial` logs its name).
 */
export function startOutput(path: string): string {
  rmSync(path, { force: true });
  return `${path}.partial`;
}

/** Renames the finished `${path}.partial` to `path`. */
export function finishOutput(path: string): void {
  renameSync(`${path}.partial`, path);
}

/** Logs that a failed run left its output under the .partial name. */
export function keptPartial(path: string): void {
  const tmp = `${path}.partial`;
  if (existsSync(tmp))
    componentLogger('output').info({ file: tmp }, 'incomplete output kept under a .partial name');
}

/** Writes `path` through `work` (given the name to write) with `startOutput`/`finishOutput`. */
export async function writeAtomically<T>(path: string, work: (tmp: string) => Promise<T>): Promise<T> {
  let r: T;
  try {
    r = await work(startOutput(path));
  } catch (err) {
    keptPartial(path);
    throw err;
  }
  finishOutput(path);
  return r;
}
