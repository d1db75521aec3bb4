#!/usr/bin/env node
/** The `scalper` command. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EngineError } from '../core/index.js';
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

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
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
