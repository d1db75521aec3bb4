/**
 * `scalper config print [--config F] [--format yaml|json]` prints the effective configuration with
 * every default filled in; `scalper config check F` validates a file (with the environment over it,
 * as a run would see it) without running anything: `F: ok`, or exit 2 and one line per problem.
 */

import { type Command, Option } from 'commander';
import { ConfigError, loadConfigParser, redactSecrets } from '../core/index.js';
import { summary } from './commands.js';
import { loadConfig, runOf } from './config.js';

/** Registers `config print` and `config check`. */
export function registerConfig(program: Command): void {
  const config = program.command('config').description(summary('config'));
  config
    .command('print')
    .description('print the effective configuration, defaults filled in (API keys are never part of it)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action(async (o: { format: 'yaml' | 'json' }, cmd: Command) => {
      const run = runOf(cmd);
      const doc = redactSecrets(run.config);
      if (o.format === 'json') {
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        return;
      }
      // Loaded here: `config check` and the JSON format do without it.
      const { dump } = await import('js-yaml');
      const from =
        run.configFile === undefined
          ? 'defaults < environment'
          : `defaults < ${run.configFile} < environment`;
      process.stdout.write(`# effective scalper configuration (${from})\n${dump(doc, { lineWidth: -1 })}`);
    });
  config
    .command('check')
    .description('validate a configuration file without running anything')
    .argument('[file]', 'the file (YAML or JSON); default the --config file')
    .action(async (file: string | undefined, o: { config?: string }) => {
      const f = file ?? o.config;
      if (f === undefined) throw new ConfigError('config check: give a file (scalper config check FILE)');
      await loadConfigParser(f);
      loadConfig({ file: f });
      process.stdout.write(`${f}: ok\n`);
    });
}
