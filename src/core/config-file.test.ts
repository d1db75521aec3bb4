import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as z from 'zod';
import {
  type ConfigLayer,
  ConfigProblemsError,
  canonicalJson,
  configHash,
  mergeConfig,
  REDACTED,
  readConfigFile,
  redactSecrets,
  resolveConfig,
} from './config-file.js';
import { ConfigError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigProblemsError, String(e));
    assert.ok(e instanceof ConfigError);
    assert.equal(e.code, 'CONFIG');
    return e.problems;
  }
  assert.fail('expected a ConfigProblemsError');
}

const Schema = z.strictObject({
  debate: z
    .strictObject({
      maxRounds: z.number().int().positive().default(6),
      skip: z.number().min(0).max(1).default(0.9),
    })
    .prefault({}),
  llm: z.strictObject({ timeoutMs: z.number().int().positive().optional() }).prefault({}),
  list: z.array(z.string()).default(() => ['a', 'b']),
});

describe('readConfigFile', () => {
  test('reads YAML and JSON into the same object', () => {
    const y = readConfigFile(file('a.yaml', '# comment\ndebate:\n  maxRounds: 4 # four\nlist: [x]\n'));
    const j = readConfigFile(file('a.json', '{"debate": {"maxRounds": 4}, "list": ["x"]}'));
    assert.deepEqual(y, { debate: { maxRounds: 4 }, list: ['x'] });
    assert.deepEqual(j, y);
  });

  test('an empty file is an empty configuration', () => {
    assert.deepEqual(readConfigFile(file('empty.yml', '# nothing\n')), {});
    assert.deepEqual(readConfigFile(file('blank.yaml', '')), {});
  });

  test('a missing file, bad syntax, a duplicate key, two documents or a list at the top are problems naming the file', () => {
    const missing = join(dir, 'nope.yaml');
    assert.deepEqual(
      problems(() => readConfigFile(missing)),
      [`${missing}: cannot read the configuration (file not found)`],
    );
    const bad = file('bad.yaml', 'debate:\n  maxRounds: [1\n');
    const [p] = problems(() => readConfigFile(bad));
    assert.match(p, new RegExp(`^${bad}: not valid YAML: .*line 3`));
    const dup = file('dup.yaml', 'debate:\n  maxRounds: 1\n  maxRounds: 2\n');
    assert.match(problems(() => readConfigFile(dup))[0], /duplicated mapping key at line 3, column 3$/);
    const json = file('bad.json', '{"debate": }');
    assert.match(problems(() => readConfigFile(json))[0], new RegExp(`^${json}: not valid JSON`));
    const two = file('two.yaml', 'debate: {maxRounds: 1}\n---\ndebate: {maxRounds: 2}\n');
    assert.deepEqual(
      problems(() => readConfigFile(two)),
      [`${two}: 2 YAML documents, where a configuration is one`],
    );
    const list = file('list.yaml', '- 1\n- 2\n');
    assert.match(problems(() => readConfigFile(list))[0], /expected a mapping of sections .* got a list/);
  });
});

describe('mergeConfig', () => {
  test('merges objects key by key; arrays and scalars replace; undefined keeps the base', () => {
    assert.deepEqual(
      mergeConfig({ a: { x: 1, y: 2 }, l: [1, 2], s: 'base' }, { a: { y: 3 }, l: [9], s: undefined }),
      { a: { x: 1, y: 3 }, l: [9], s: 'base' },
    );
  });
});

describe('resolveConfig', () => {
  const fileLayer = (values: Record<string, unknown>): ConfigLayer => ({ source: 'run.yaml', values });

  test('defaults < file < environment < command line', () => {
    const c = resolveConfig(Schema, [
      fileLayer({ debate: { maxRounds: 4, skip: 0.5 }, llm: { timeoutMs: 100 } }),
      { source: 'environment', values: { llm: { timeoutMs: 200 } } },
      { source: 'command line', values: { debate: { maxRounds: 2 } } },
    ]);
    assert.deepEqual(c, { debate: { maxRounds: 2, skip: 0.5 }, llm: { timeoutMs: 200 }, list: ['a', 'b'] });
    assert.ok(Object.isFrozen(c.debate));
  });

  test('lists every problem, one line each, naming the source of the value and its path', () => {
    const ps = problems(() =>
      resolveConfig(Schema, [
        fileLayer({ debate: { maxRounds: 0, skip: 2, extra: 1 }, other: {} }),
        {
          source: 'environment',
          values: { llm: { timeoutMs: 'soon' } },
          names: { 'llm.timeoutMs': 'SCALPER_LLM_TIMEOUT_MS' },
        },
      ]),
    );
    assert.deepEqual([...ps].sort(), [
      'environment SCALPER_LLM_TIMEOUT_MS: llm.timeoutMs: expected number, received string',
      'run.yaml: debate.extra: unknown key',
      'run.yaml: debate.maxRounds: Too small: expected number to be >0 (got 0)',
      'run.yaml: debate.skip: Too big: expected number to be <=1 (got 2)',
      'run.yaml: other: unknown key',
    ]);
  });

  test('a later layer that sets the bad value is the one named', () => {
    const ps = problems(() =>
      resolveConfig(Schema, [
        fileLayer({ debate: { maxRounds: 3 } }),
        { source: 'command line', values: { debate: { maxRounds: -1 } } },
      ]),
    );
    assert.deepEqual(ps, ['command line: debate.maxRounds: Too small: expected number to be >0 (got -1)']);
  });
});

describe('canonicalJson and configHash', () => {
  test('key order does not change the text or the hash', () => {
    const a = { b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } };
    const b = { a: { c: 'x', d: [3, { y: 2, z: 1 }] }, b: 1 };
    const text = '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}';
    assert.equal(canonicalJson(a), text);
    assert.equal(canonicalJson(b), text);
    assert.equal(configHash(a), createHash('sha256').update(text).digest('hex'));
  });
});

describe('redactSecrets', () => {
  test('replaces values under secret keys and passwords inside URLs, nothing else', () => {
    assert.deepEqual(
      redactSecrets({
        llm: {
          apiKey: 'sk-123',
          apiKeyEnv: 'OPENAI_API_KEY',
          baseURL: 'https://me:pw@host:8000/v1',
          maxTokens: 5,
        },
        db: { password: 'x', url: 'http://host/v1' },
      }),
      {
        llm: {
          apiKey: REDACTED,
          apiKeyEnv: 'OPENAI_API_KEY',
          baseURL: `https://me:${REDACTED}@host:8000/v1`,
          maxTokens: 5,
        },
        db: { password: REDACTED, url: 'http://host/v1' },
      },
    );
  });
});
