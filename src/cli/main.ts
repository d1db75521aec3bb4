#!/usr/bin/env node
/**
 * The `scalper` command. It declares every command from the catalogue (commands.ts) and loads the
 * module of the one chosen only: `--version` and `--help` load commander and nothing of the engine,
 * and `dbn inspect` loads no simulator, model SDK or regime fitter.
 */
import { readFileSync } from 'node:fs';
import module from 'node:module';

// Node >= 22.1 keeps the code it compiles in a cache on disk (os.tmpdir()/node-compile-cache) and
// reuses it in the next run; enabled before anything else is imported so that every module after
// this point is cached. Older Nodes have no such cache and start as before.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { Command, CommanderError } = await import('commander');
const { addCommands, chosenCommand } = await import('./commands.js');
const { endQuietlyOnClosedStdout } = await import('./stdout.js');

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
