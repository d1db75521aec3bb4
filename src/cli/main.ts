#!/usr/bin/env node
/** The `scalper` command. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigProblemsError, EngineError } from '../core/index.js';
import { addCommonOptions, configureRun, runOf } from './config.js';
import { registerConfig } from './config-command.js';
import { registerDbn } from './dbn.js';
import { registerDecide } from './decide.js';
import { registerDemo } from './demo.js';
import { registerFeatures } from './features.js';
import { endQuietlyOnClosedStdout } from './output.js';
import { registerRegime } from './regime.js';
import { registerSimulate } from './simulate.js';
import { registerStoikov } from './stoikov.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

endQuietlyOnClosedStdout();

const program = new Command('scalper')
  .description(
    'scalper-engine: CME FX futures and spot FX market data, order books and a hybrid quant + LLM scalper',
  )
  .version(pkg.version)
  .showHelpAfterError('(add --help for the usage)')
  .exitOverride();

registerDemo(program);
registerSimulate(program);
registerDbn(program);
registerFeatures(program);
registerRegime(program);
registerDecide(program);
registerStoikov(program);
registerConfig(program);

// Every command takes --config and --log-level, and resolves its configuration before it runs.
const leaves = (c: Command): Command[] => (c.commands.length === 0 ? [c] : c.commands.flatMap(leaves));
for (const c of program.commands.flatMap(leaves)) addCommonOptions(c);
let started: { cmd: Command; t0: number } | null = null;
program.hook('preAction', (_program, cmd) => {
  const run = configureRun(cmd);
  started = { cmd, t0: performance.now() };
  run.log.info({ command: run.command, argv: run.argv, configFile: run.configFile ?? null }, 'command start');
});

function logEnd(ok: boolean, code?: string): void {
  if (started === null) return;
  const { cmd, t0 } = started;
  const ms = Math.round(performance.now() - t0);
  runOf(cmd).log.info({ command: runOf(cmd).command, ok, ...(code ? { code } : {}), ms }, 'command end');
}

try {
  await program.parseAsync(process.argv);
  logEnd(true);
} catch (err) {
  logEnd(false, err instanceof EngineError ? err.code : undefined);
  if (err instanceof ConfigProblemsError) {
    // One line per problem, each a complete message.
    for (const p of err.problems) process.stderr.write(`error [${err.code}]: ${p}\n`);
    process.exitCode = 2;
  } else if (err instanceof CommanderError) {
    // commander has printed the problem (or the help/version); a usage error exits 2 like any bad input.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof EngineError) {
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
}
