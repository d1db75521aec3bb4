/**
 * The catalogue of commands: `scalper --help` lists each command from its declaration alone, and
 * that listing must read as it would with every command's module loaded and defined in full.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { LOG_LEVEL_ENV } from '../core/index.js';
import { LLM_ENV_VARS } from '../llm/index.js';
import { addCommands, COMMANDS, chosenCommand, DEFAULT_LOG_LEVEL } from './commands.js';
import { defaultConfig } from './config.js';
import { addCommonOptions } from './run.js';

const leaves = (c: Command): Command[] => (c.commands.length === 0 ? [c] : c.commands.flatMap(leaves));

function program(): Command {
  return new Command('scalper').description('scalper-engine').exitOverride();
}

describe('command catalogue', () => {
  test('the listing from declarations alone equals the listing of the commands defined in full', async () => {
    const declared = program();
    await addCommands(declared, undefined);
    const full = program();
    for (const entry of COMMANDS) (await entry.load())(full);
    for (const c of full.commands.flatMap(leaves)) addCommonOptions(c);
    assert.equal(declared.helpInformation(), full.helpInformation());
    // Declared commands load nothing: each has neither subcommands nor an action of its own.
    assert.deepEqual(
      declared.commands.map((c) => c.commands.length),
      COMMANDS.map(() => 0),
    );
  });

  test('a group in the catalogue is a command with subcommands once defined, and only then', async () => {
    const full = program();
    for (const entry of COMMANDS) (await entry.load())(full);
    assert.deepEqual(
      full.commands.map((c) => [c.name(), c.commands.length > 0]),
      COMMANDS.map((e) => [e.name, e.group === true]),
    );
  });

  test('the chosen command is the first word that is not an option, or the word after help', () => {
    const name = (...argv: string[]) => chosenCommand(argv)?.name;
    assert.equal(name('dbn', 'inspect', 'a.dbn', '--json'), 'dbn');
    assert.equal(name('config', 'check', 'x.yaml'), 'config');
    assert.equal(name('help', 'regime'), 'regime');
    assert.equal(name('demo', '--help'), 'demo');
    assert.equal(name('--version'), undefined);
    assert.equal(name('--help'), undefined);
    assert.equal(name('help'), undefined);
    assert.equal(name(), undefined);
    assert.equal(name('nosuch', 'dbn'), undefined);
  });

  test('choosing a command defines it in full and declares the others', async () => {
    const p = program();
    const dbn = chosenCommand(['dbn', 'inspect']);
    await addCommands(p, dbn);
    assert.deepEqual(
      p.commands.find((c) => c.name() === 'dbn')?.commands.map((c) => c.name()),
      ['inspect', 'dump'],
    );
    assert.equal(p.commands.find((c) => c.name() === 'regime')?.commands.length, 0);
  });

  test('a command that reads no configuration, given none, starts as the configuration would have it', () => {
    // run.ts skips the schema when no SCALPER_* variable is set: each variable the configuration
    // reads must be one of them, and the level it then uses must be the schema's default.
    const vars = [LOG_LEVEL_ENV, ...Object.values(LLM_ENV_VARS)];
    assert.deepEqual(
      vars.filter((v) => !v.startsWith('SCALPER_')),
      [],
    );
    assert.equal(defaultConfig().log.level, DEFAULT_LOG_LEVEL);
    assert.deepEqual(
      COMMANDS.filter((c) => c.configless).map((c) => c.name),
      ['dbn', 'data', 'book', 'basis', 'predictability', 'activity', 'compare', 'report', 'roi', 'config'],
    );
  });
});
