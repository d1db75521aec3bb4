/**
 * Running a chosen command: every command takes --config and --log-level and resolves its
 * configuration before it runs, logs its start and end, and turns errors into exit codes. Loaded by
 * main.ts only once a command is chosen, since it needs the configuration schema.
 */
import type { Command } from 'commander';
import { ConfigProblemsError, EngineError } from '../core/index.js';
import { addCommonOptions, configureRun, runOf } from './config.js';

const leaves = (c: Command): Command[] => (c.commands.length === 0 ? [c] : c.commands.flatMap(leaves));

/** Parses `argv` with `program`, whose chosen command `name` is fully defined, and runs it. */
export async function runCommand(program: Command, name: string, argv: readonly string[]): Promise<void> {
  const chosen = program.commands.find((c) => c.name() === name);
  for (const c of chosen === undefined ? [] : leaves(chosen)) addCommonOptions(c);
  let started: { cmd: Command; t0: number } | null = null;
  program.hook('preAction', (_program, cmd) => {
    const run = configureRun(cmd);
    started = { cmd, t0: performance.now() };
    run.log.info(
      { command: run.command, argv: run.argv, configFile: run.configFile ?? null },
      'command start',
    );
  });
  const logEnd = (ok: boolean, code?: string) => {
    if (started === null) return;
    const { cmd, t0 } = started;
    const ms = Math.round(performance.now() - t0);
    runOf(cmd).log.info({ command: runOf(cmd).command, ok, ...(code ? { code } : {}), ms }, 'command end');
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
