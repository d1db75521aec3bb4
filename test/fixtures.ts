/**
 * Test helpers: where the shared fixtures are, and running the built `scalper` command. Tests read
 * real data from ../shared/fixtures (relative to the repository root, or SCALPER_FIXTURES) and never
 * copy it into the repository.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** The shared fixtures folder; throws with a hint when it is missing. */
export function fixturesDir(): string {
  const dir = process.env.SCALPER_FIXTURES ?? resolve(repoRoot(), '..', 'shared', 'fixtures');
  if (!existsSync(dir)) {
    throw new Error(
      `Fixtures not found at ${dir}: clone the repository beside shared/ or set SCALPER_FIXTURES`,
    );
  }
  return dir;
}

/** Path of a file under the fixtures folder, e.g. fixture('dbn', 'test_data.mbo.dbn'). */
export function fixture(...parts: string[]): string {
  return join(fixturesDir(), ...parts);
}

/**
 * The `scalper` command as package.json's `bin` names it: the bundle that `npm run build` writes
 * (scripts/build-cli.mjs), run by the tests as a user runs it.
 */
export function scalperBin(): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
    bin: { scalper: string };
  };
  return join(repoRoot(), pkg.bin.scalper);
}

/** What one run of the `scalper` command gave: its exit status and output. */
export interface ScalperRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How `runScalper` runs the command. */
export interface ScalperRunOptions {
  /** Variables over the default environment; one set to `undefined` is left out of it. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Kill the command after this many milliseconds (the run then rejects). Default: no limit. */
  readonly timeoutMs?: number;
  readonly cwd?: string;
  /** Node's own flags, given before the command's file (`--import`, …). */
  readonly nodeArgs?: readonly string[];
}

/** For `runScalper`'s `env`: each variable of the test's environment that `drop` names, left out. */
export function withoutEnv(drop: (name: string) => boolean): Record<string, undefined> {
  return Object.fromEntries(
    Object.keys(process.env)
      .filter(drop)
      .map((name) => [name, undefined]),
  );
}

/**
 * The environment of a run: the test's own, with CI=1, NO_COLOR=1 and FORCE_COLOR=0 so that the
 * command draws no progress bar and colours nothing the tests read.
 */
export const RUN_ENV = { CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' };

/** Output a run may print (a whole `dbn dump` of a fixture) before it is cut off as an error. */
const MAX_OUTPUT = 64 << 20;

/**
 * Runs `scalper ARGS` (the built command, `scalperBin()`) under this Node. A non-zero exit status is
 * an outcome for the test to check, so it resolves; only a command that could not be started or
 * was killed (by `timeoutMs`) rejects.
 */
export function runScalper(args: readonly string[], opts: ScalperRunOptions = {}): Promise<ScalperRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...(opts.nodeArgs ?? []), scalperBin(), ...args],
      {
        encoding: 'utf8',
        env: { ...process.env, ...RUN_ENV, ...opts.env },
        maxBuffer: MAX_OUTPUT,
        timeout: opts.timeoutMs,
        cwd: opts.cwd,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ status: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** A `scalper` command left running (a server, a service), with what it printed so far. */
export interface RunningScalper {
  readonly proc: ChildProcess;
  /** Resolves with the exit status (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Everything printed so far, stdout and stderr interleaved as they came. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output, waiting up to `ms`; rejects when the command exits first. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** SIGINT (a graceful end), then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `scalper ARGS` (the built command) with `RUN_ENV` and `env` over the test's own environment. */
export function startScalper(args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningScalper {
  const proc = spawn(process.execPath, [scalperBin(), ...args], {
    env: { ...process.env, ...RUN_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiting = new Set<() => void>();
  const collect = (b: Buffer) => {
    out += b.toString();
    for (const w of waiting) w();
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const w of waiting) w();
  });
  return {
    proc,
    exited,
    output: () => out,
    waitFor: (pattern, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiting.delete(look);
        };
        const look = () => {
          const m = pattern.exec(out);
          if (m !== null) {
            done();
            resolve(m);
          } else if (ended) {
            done();
            reject(new Error(`scalper ${args[0]} exited before printing ${pattern}:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`scalper ${args[0]} printed no ${pattern} within ${ms} ms:\n${out}`));
        }, ms);
        waiting.add(look);
        look();
      }),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
      await exited;
    },
  };
}
