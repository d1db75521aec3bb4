/**
 * The `scalper` configuration: layers and their precedence, the example file, `config print` and
 * `config check`, `--config` and `--log-level` on every command, and values from a file changing
 * what a command does exactly as the matching flag does.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runScalper, scalperBin, withoutEnv } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { ConfigProblemsError, canonicalJson } from '../core/index.js';
import type { SimDayResult } from '../sim/index.js';
import { defaultConfig, loadConfig } from './config.js';
import { runDecide } from './decide.js';

const MAIN = scalperBin();
const EXAMPLE = fileURLToPath(new URL('../../../config/example.yaml', import.meta.url));
/** The model and log-level variables of the test's environment, left out of the runs' own. */
const UNSET = withoutEnv((k) => k.startsWith('SCALPER_LLM_') || k === 'SCALPER_LOG_LEVEL');

const scalper = (args: string[], env: Record<string, string> = {}) =>
  runScalper(args, { env: { ...UNSET, ...env }, timeoutMs: 60_000 });

const dir = mkdtempSync(join(tmpdir(), 'cli-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('loadConfig', () => {
  test('defaults < file < environment < command line', () => {
    const f = file(
      'layers.yaml',
      'log: {level: info}\nengine: {vpinBucketVolume: 300, vpinWindowBuckets: 7}\nllm: {cacheTtlMs: 1000}\n',
    );
    const c = loadConfig({
      file: f,
      env: { SCALPER_LLM_CACHE_TTL_MS: '2000', SCALPER_LOG_LEVEL: 'DEBUG' },
      flags: { source: 'command line', values: { engine: { vpinBucketVolume: 50 } } },
    });
    assert.equal(c.engine.vpinBucketVolume, 50, 'the flag over the file');
    assert.equal(c.engine.vpinWindowBuckets, 7, 'the file over the default');
    assert.equal(c.engine.barPeriodMs, 60_000, 'the default');
    assert.equal(c.llm.cacheTtlMs, 2000, 'the environment over the file');
    assert.equal(c.log.level, 'debug', 'the environment over the file');
    // A pipeline value given alone replaces that default only.
    const p = loadConfig({ file: file('p.yaml', 'pipeline: {debate: {maxRounds: 4}}\n'), env: {} });
    assert.deepEqual(p.pipeline.debate, { ...defaultConfig().pipeline.debate, maxRounds: 4 });
    assert.deepEqual(p.pipeline.limits, defaultConfig().pipeline.limits);
  });

  test('the daily VPIN is sized from the average daily volume only when engine.dailyVpinAdvDays is given', () => {
    assert.equal(defaultConfig().engine.dailyVpinAdvDays, undefined);
    const c = loadConfig({ file: file('adv.yaml', 'engine: {dailyVpinAdvDays: 20}\n'), env: {} });
    assert.equal(c.engine.dailyVpinAdvDays, 20);
    assert.throws(
      () => loadConfig({ file: file('adv-bad.yaml', 'engine: {dailyVpinAdvDays: 0}\n'), env: {} }),
      (e: Error) => /engine\.dailyVpinAdvDays/.test(e.message),
    );
  });

  test('the ig section is absent by default; given, it is validated and defaulted', () => {
    assert.equal(defaultConfig().ig, undefined);
    const c = loadConfig({
      file: file(
        'ig.yaml',
        'ig: {login: 3, markets: [{epic: CS.D.EURUSD.MINI.IP, instrumentId: 1, pointRaw: 100000, tickRaw: 10000}]}\n',
      ),
      env: {},
    });
    assert.equal(c.ig?.login, 3);
    assert.equal(c.ig?.environment, 'demo');
    assert.equal(c.ig?.markets[0].expiry, '-');
    assert.throws(
      () => loadConfig({ file: file('ig-bad.yaml', 'ig: {login: 4}\n'), env: {} }),
      (e: Error) => /ig\.login/.test(e.message),
    );
  });

  test('the example file is accepted and means what its comments say', () => {
    const c = loadConfig({ file: EXAMPLE, env: {} });
    assert.equal(c.techniques.fvg.enabled, false);
    assert.deepEqual(c.techniques.orb.centres, ['london']);
    assert.equal(c.engine.vpinBucketVolume, 250);
    assert.equal(c.pipeline.debate.maxRounds, 4);
    assert.equal(c.pipeline.debate.checkEvery, 2);
    assert.equal(c.llm.provider, 'none');
  });

  test('a venue secret in the file is refused naming the variables that hold it', () => {
    const f = file(
      'venues.yaml',
      ['ig:', '  password: hunter2', 'execution:', '  fix: {password: hunter3}'].join('\n'),
    );
    let problems: readonly string[] = [];
    assert.throws(
      () => loadConfig({ file: f, env: {} }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigProblemsError);
        problems = e.problems;
        return true;
      },
    );
    assert.ok(
      problems.includes(
        `${f}: ig.password: secrets are read only from the environment (IG_API_KEY, IG_IDENTIFIER, IG_PASSWORD)`,
      ),
      problems.join('\n'),
    );
    assert.ok(
      problems.includes(
        `${f}: execution.fix.password: secrets are read only from the environment (SCALPER_FIX_PASSWORD)`,
      ),
      problems.join('\n'),
    );
    assert.ok(!problems.join('\n').includes('hunter'));
  });

  test('every problem is listed with the file and its path; a key in the file is refused unread', () => {
    const f = file(
      'bad.yaml',
      [
        'pipeline:',
        '  debate: {maxRounds: 0, stopAgreement: 0.95}',
        'techniques:',
        '  orb: {enabled: "yes", colour: red}',
        'llm:',
        '  apiKey: sk-do-not-echo',
        'simulate: {instruments: [6E, XX]}',
      ].join('\n'),
    );
    let problems: readonly string[] = [];
    assert.throws(
      () => loadConfig({ file: f, env: { SCALPER_LLM_TIMEOUT_MS: 'soon' } }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigProblemsError);
        problems = e.problems;
        return true;
      },
    );
    assert.deepEqual([...problems].sort(), [
      `${f}: llm.apiKey: secrets are read only from the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, or the variable llm.apiKeyEnv names)`,
      `${f}: pipeline.debate.maxRounds: Too small: expected number to be >0 (got 0)`,
      `${f}: pipeline.debate.stopAgreement: must not exceed debate.skipAgreement (got 0.95)`,
      `${f}: simulate.instruments.1: expected one of "6E"|"6B"|"6J" (got "XX")`,
      `${f}: techniques.orb.colour: unknown key`,
      `${f}: techniques.orb.enabled: expected boolean, received string (got "yes")`,
      'environment SCALPER_LLM_TIMEOUT_MS="soon": llm.timeoutMs: expected number, received string',
    ]);
    assert.ok(!problems.join('\n').includes('sk-do-not-echo'));
  });
});

describe('scalper config', { concurrency: true }, () => {
  test('config check of YAML names the file and the line of a syntax error, the file and the path of a bad value', async () => {
    const syntax = file('check-syntax.yaml', 'engine:\n  vpinBucketVolume: [1\n');
    const dup = file('check-dup.yaml', 'engine:\n  vpinBucketVolume: 1\n  vpinBucketVolume: 2\n');
    const bad = file('check-bad.yml', 'engine:\n  vpinWindowBuckets: 1.5\nregime: {kind: svm}\n');
    const [s, d, b] = await Promise.all([syntax, dup, bad].map((f) => scalper(['config', 'check', f])));
    assert.deepEqual([s.status, d.status, b.status], [2, 2, 2]);
    // The flow sequence opened on line 2 is still open where the input ends, on line 3.
    assert.equal(
      s.stderr,
      `error [CONFIG]: ${syntax}: not valid YAML: deficient indentation at line 3, column 1\n`,
    );
    // The second vpinBucketVolume, on line 3 after two spaces.
    assert.equal(
      d.stderr,
      `error [CONFIG]: ${dup}: not valid YAML: duplicated mapping key at line 3, column 3\n`,
    );
    assert.deepEqual(b.stderr.trimEnd().split('\n').sort(), [
      `error [CONFIG]: ${bad}: engine.vpinWindowBuckets: expected int, received number (got 1.5)`,
      `error [CONFIG]: ${bad}: regime.kind: expected one of "hmm"|"gmm" (got "svm")`,
    ]);
  });

  test('config check accepts the example (exit 0, ok) and lists a bad file’s problems (exit 2)', async () => {
    const good = await scalper(['config', 'check', EXAMPLE]);
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stdout, `${EXAMPLE}: ok\n`);
    const f = file('check-bad.json', '{"engine": {"vpinWindowBuckets": 1.5}, "regime": {"kind": "svm"}}');
    const bad = await scalper(['config', 'check', f]);
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.deepEqual(bad.stderr.trimEnd().split('\n').sort(), [
      `error [CONFIG]: ${f}: engine.vpinWindowBuckets: expected int, received number (got 1.5)`,
      `error [CONFIG]: ${f}: regime.kind: expected one of "hmm"|"gmm" (got "svm")`,
    ]);
  });

  test('config print shows every default, the file’s values over them, and never a key', async () => {
    const env = {
      SCALPER_LLM_PROVIDER: 'openai',
      SCALPER_LLM_MODEL: 'm',
      SCALPER_LLM_BASE_URL: 'http://user:hunter2@127.0.0.1:8000/v1',
      OPENAI_API_KEY: 'sk-never-printed',
    };
    const r = await scalper(['config', 'print', '--config', EXAMPLE, '--format', 'json'], env);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes('sk-never-printed') && !r.stdout.includes('hunter2'));
    const c = JSON.parse(r.stdout);
    assert.equal(c.llm.baseURL, 'http://user:[redacted]@127.0.0.1:8000/v1');
    assert.equal(c.llm.provider, 'openai', 'the environment over the file');
    assert.equal(c.engine.vpinBucketVolume, 250);
    assert.deepEqual(c.agents.momentum, defaultConfig().agents.momentum);
    assert.deepEqual(Object.keys(c), Object.keys(defaultConfig()));
    const yaml = await scalper(['config', 'print']);
    assert.match(
      yaml.stdout,
      /^# effective scalper configuration \(defaults < environment\)\nlog:\n {2}level: warn\n/,
    );
  });

  const leaves = [
    ['demo'],
    ['simulate'],
    ['dbn', 'inspect'],
    ['dbn', 'dump'],
    ['features'],
    ['regime', 'fit'],
    ['regime', 'label'],
    ['stoikov', 'fit'],
    ['decide'],
    ['roi'],
    ['config', 'print'],
    ['config', 'check'],
  ];
  test('every command takes --config and --log-level', async () => {
    const runs = await Promise.all(leaves.map((c) => scalper([...c, '--help'])));
    for (const [i, r] of runs.entries()) {
      assert.equal(r.status, 0, leaves[i].join(' '));
      assert.match(r.stdout, /--config <file>/, leaves[i].join(' '));
      assert.match(r.stdout, /--log-level <level>/, leaves[i].join(' '));
    }
  });

  test('--log-level info logs the command’s start and end as JSON lines on stderr; the default logs nothing', async () => {
    const dbn = fileURLToPath(new URL('../../../config/example.yaml', import.meta.url));
    const quiet = await scalper(['config', 'check', dbn]);
    assert.equal(quiet.stderr, '');
    const f = file('info.yaml', 'log: {level: error}\n');
    const r = await scalper(['config', 'check', dbn, '--config', f, '--log-level', 'info']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.level, l.component, l.command, l.msg]),
      [
        ['info', 'cli', 'config check', 'command start'],
        ['info', 'cli', 'config check', 'command end'],
      ],
    );
    assert.equal(lines[0].configFile, f);
    assert.equal(lines[1].ok, true);
    assert.ok(typeof lines[1].ms === 'number' && lines[1].ms >= 0);
  });
});

describe('values from a file are used', () => {
  const span = simulatedSpan({
    seed: 9,
    spot: false,
    from: '2026-11-24T13:30:00Z',
    minutes: 60,
    prefix: 'cli-config-day-',
  });
  let day: SimDayResult;
  before(() => {
    day = span.day;
  });

  test('a VPIN bucket and window from the file give the CSV the flags give; a flag overrides the file', async () => {
    const files = [day.files.mbp10, day.files.trades];
    const f = file(
      'vpin.yaml',
      'engine: {vpinBucketVolume: 40, vpinWindowBuckets: 5}\nfeatures: {every: 1m}\n',
    );
    const csv = (name: string) => readFileSync(join(dir, name), 'utf8');
    const runs = await Promise.all([
      scalper(['features', ...files, '--out', join(dir, 'file.csv'), '--config', f]),
      scalper([
        'features',
        ...files,
        '--out',
        join(dir, 'flags.csv'),
        '--vpin-bucket',
        '40',
        '--vpin-window',
        '5',
        '--every',
        '1m',
      ]),
      scalper(['features', ...files, '--out', join(dir, 'default.csv'), '--every', '1m']),
      scalper(['features', ...files, '--out', join(dir, 'over.csv'), '--config', f, '--vpin-bucket', '80']),
      scalper([
        'features',
        ...files,
        '--out',
        join(dir, 'over-flags.csv'),
        '--every',
        '1m',
        '--vpin-bucket',
        '80',
        '--vpin-window',
        '5',
      ]),
    ]);
    for (const r of runs) assert.equal(r.status, 0, r.stderr);
    const column = (text: string, name: string) => {
      const rows = text.trim().split('\n');
      const at = rows[0].split(',').indexOf(name);
      return rows.slice(1).map((r) => r.split(',')[at]);
    };
    const vpin = (text: string) => column(text, 'vpin');
    assert.equal(csv('file.csv'), csv('flags.csv'));
    assert.ok(
      vpin(csv('file.csv')).some((v) => v !== ''),
      'five buckets of 40 lots fill within the hour',
    );
    assert.ok(
      column(csv('default.csv'), 'vpin_daily').every((v) => v === ''),
      "the paper's fifty buckets of 4,000 lots do not",
    );
    assert.notDeepEqual(vpin(csv('default.csv')), vpin(csv('file.csv')), 'the defaults are not the file');
    assert.equal(csv('over.csv'), csv('over-flags.csv'));
    assert.notEqual(csv('over.csv'), csv('file.csv'));
  });

  test('techniques disabled in the file give no setups of their kind, and leave the others alone', async () => {
    const setups = async (config?: string) => {
      const r = await runDecide([day.files.mbp10, day.files.trades], {
        config: config === undefined ? undefined : loadConfig({ file: config, env: {} }),
      });
      const count = new Map<string, number>();
      for (const d of r.decisions) {
        if (d.trigger.kind !== 'setup') continue;
        for (const t of (d.trigger.detail ?? '').split(',')) count.set(t, (count.get(t) ?? 0) + 1);
      }
      return count;
    };
    const f = file(
      'techniques.yaml',
      'techniques:\n  fvg: {enabled: false}\n  emaMomentum: {enabled: false}\n',
    );
    const all = await setups();
    const some = await setups(f);
    assert.ok((all.get('fvg') ?? 0) > 0 && (all.get('emaMomentum') ?? 0) > 0, JSON.stringify([...all]));
    assert.equal(some.get('fvg'), undefined);
    assert.equal(some.get('emaMomentum'), undefined);
    assert.ok((all.get('vwap') ?? 0) > 0);
    assert.equal(some.get('vwap'), all.get('vwap'));
  });
  test('features writes a run manifest beside its CSV: inputs and output with sizes and sha256, the config and its hash', async () => {
    const files = [day.files.mbp10, day.files.trades];
    const f = file('manifest.yaml', 'engine: {vpinBucketVolume: 40}\nfeatures: {every: 1m}\n');
    const out = join(dir, 'm.csv');
    const r = await scalper(['features', ...files, '--out', out, '--config', f]);
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8'));
    const entry = (path: string, name = path) => {
      const data = readFileSync(path);
      return { path: name, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    };
    assert.deepEqual(
      m.inputs,
      files.map((p) => entry(p)),
    );
    assert.deepEqual(m.outputs, [entry(out, 'm.csv')]);
    const printed = await scalper(['config', 'print', '--config', f, '--format', 'json']);
    const config = JSON.parse(printed.stdout);
    assert.deepEqual(m.config, config);
    assert.equal(m.configHash, createHash('sha256').update(canonicalJson(config)).digest('hex'));
    assert.equal(m.command, 'features');
    assert.deepEqual(m.argv, ['features', ...files, '--out', out, '--config', f]);
    assert.equal(m.seed, null);
    assert.equal(m.node, process.version);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    assert.equal(m.package.version, pkg.version);
    let head: string | null = null;
    try {
      head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dirname(MAIN), encoding: 'utf8' }).trim();
    } catch {
      // Not a git checkout: the manifest says null.
    }
    assert.equal(m.gitCommit, head);
    assert.ok(Date.parse(m.startedAt) <= Date.parse(m.endedAt));
  });
});
