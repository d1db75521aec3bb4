/**
 * The kill file: a file whose presence pulls a session's kill switch, for an operator with a shell
 * and no HTTP (`scalper kill`, or `touch`). Its text, when it has any, is the reason. It stays until
 * removed (`scalper kill --reset`), so a session started while it is there starts with the switch
 * on; its removal clears the switch it pulled (not one pulled over HTTP).
 *
 * Loads nothing but node:fs, so that `scalper kill` starts at once.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { TradingSession } from './session.js';

/** What the kill file's location is read from: the `runtime:` section of the configuration. */
export interface KillFileConfig {
  readonly dataDir: string;
  readonly killFile?: string;
}

/** The most of the file's text taken as the reason, in characters. */
const MAX_REASON = 200;

/** The kill file of a configuration, absolute: `runtime.killFile`, else `<runtime.dataDir>/KILL`. */
export function killFilePath(runtime: KillFileConfig): string {
  return resolve(runtime.killFile ?? join(runtime.dataDir, 'KILL'));
}

/** Writes the kill file (its folder made when missing) with `reason` as its text. */
export function pullKillFile(path: string, reason: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${reason}\n`);
}

/** Removes the kill file; false when there was none. */
export function clearKillFile(path: string): boolean {
  const was = killFilePresent(path);
  rmSync(path, { force: true });
  return was;
}

/**
 * Whether the kill file is there. A path that cannot be looked at (no permission) counts as there:
 * a kill switch that cannot tell fails safe.
 */
export function killFilePresent(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    return !isAbsent(err);
  }
}

/** The reason the kill file gives: its first line, or `kill file <path>` when it has none or cannot be read. */
export function killFileReason(path: string): string {
  let text = '';
  try {
    text = readFileSync(path, 'utf8').slice(0, 4096);
  } catch {
    // Unreadable (or gone again): the file's presence was the message.
  }
  const line = text.split(/\r?\n/, 1)[0].trim().slice(0, MAX_REASON);
  return line === '' ? `kill file ${path}` : line;
}

function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export interface KillFileWatcherOptions {
  /** The file watched (`killFilePath`). */
  readonly path: string;
  /** How often it is looked for, ms (default 500). */
  readonly intervalMs?: number;
  /** Called when the file appears (and at `start` when it is there), with its reason. */
  readonly onKill: (reason: string) => void;
  /** Called when the file goes away after `onKill`. */
  readonly onClear?: () => void;
}

/**
 * Looks for the kill file every `intervalMs` (a stat: polling works on every file system, where
 * fs.watch misses changes made over NFS or by another container) and reports each appearance and
 * removal once.
 */
export class KillFileWatcher {
  readonly path: string;
  readonly #opts: KillFileWatcherOptions;
  #present = false;
  #timer: NodeJS.Timeout | null = null;
  #looking = false;

  constructor(opts: KillFileWatcherOptions) {
    const every = opts.intervalMs ?? 500;
    if (!(every > 0) || !Number.isFinite(every))
      throw new RangeError(`kill file interval must be a number of ms > 0, got ${every}`);
    this.path = opts.path;
    this.#opts = { ...opts, intervalMs: every };
  }

  /** Whether the file was there at the last look. */
  get present(): boolean {
    return this.#present;
  }

  /**
   * Looks once now, synchronously (a session started under a kill file is killed before its first
   * record), then every interval; the timer does not keep the process alive. Returns `present`.
   */
  start(): boolean {
    if (this.#timer !== null) return this.#present;
    this.#seen(killFilePresent(this.path));
    this.#timer = setInterval(() => void this.#look(), this.#opts.intervalMs);
    this.#timer.unref();
    return this.#present;
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #look(): Promise<void> {
    if (this.#looking) return;
    this.#looking = true;
    let present: boolean;
    try {
      await stat(this.path);
      present = true;
    } catch (err) {
      present = !isAbsent(err);
    } finally {
      this.#looking = false;
    }
    if (this.#timer !== null) this.#seen(present);
  }

  #seen(present: boolean): void {
    if (present === this.#present) return;
    this.#present = present;
    if (present) this.#opts.onKill(killFileReason(this.path));
    else this.#opts.onClear?.();
  }
}

/**
 * Watches the kill file for `session`: its appearance pulls the kill switch (`kill file: <reason>`),
 * its removal clears the switch it pulled. Call `start()` before the session runs.
 */
export function sessionKillFile(
  session: Pick<TradingSession, 'kill' | 'resetKill'>,
  path: string,
  intervalMs?: number,
): KillFileWatcher {
  return new KillFileWatcher({
    path,
    intervalMs,
    onKill: (reason) => session.kill(`kill file: ${reason}`),
    onClear: () => session.resetKill('kill file removed'),
  });
}
