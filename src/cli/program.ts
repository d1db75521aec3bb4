/**
 * The `scalper` program. It declares every command from the catalogue (commands.ts) and loads the
 * module of the one chosen only: `--version` and `--help` load commander and nothing of the engine,
 * and `dbn inspect` loads no simulator, model SDK or regime fitter.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { addCommands, chosenCommand } from './commands.js';
import { endQuietlyOnClosedStdout } from './stdout.js';

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

const chosen = chosenCommand(process.argv.slice(2));
try {
  await addCommands(program, chosen);
  if (chosen === undefined) await program.parseAsync(process.argv);
  else await (await import('./run.js')).runCommand(program, chosen, process.argv);
} catch (err) {
  // commander has printed the problem (or the help or version); a usage error exits 2 like any bad input.
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else (await import('./run.js')).reportError(err);
}
