/**
 * What the built `scalper` command (package.json's `bin`, the bundle that scripts/build-cli.mjs
 * writes) loads before it does anything, so that start-up cannot silently grow back to loading the
 * whole engine for `--version`. Every file is logged: ES modules by a module-load hook
 * (`module.register`, as `node --import` installs it), CommonJS ones from the require cache at exit.
 * A file of the bundle stands for the compiled modules and package files it holds, as esbuild's
 * metafile (dist/cli/meta.json) lists them, so the lists below name the same modules with or
 * without the bundle. Times are measured in `npm run bench -- --only startup`, not here.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fixture, repoRoot, runScalper, scalperBin, withoutEnv } from '../../test/fixtures.js';

const BIN = scalperBin();
const ROOT = repoRoot();
/** The compiled modules and package files each file of the bundle holds (paths from the repository). */
const META = JSON.parse(readFileSync(join(dirname(BIN), 'meta.json'), 'utf8')) as {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
};
const dir = mkdtempSync(join(tmpdir(), 'scalper-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The hook runs in the loader's thread and appends each module's URL to the file the child names.
writeFileSync(
  join(dir, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.MODULE_LOG_FILE, url + '\\n');
  return next(url, context);
}
`,
);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  for (const f of Object.keys(cache)) appendFileSync(process.env.MODULE_LOG_FILE, pathToFileURL(f).href + '\\n');
});
`,
);

let runs = 0;

/** The variables the configuration reads, left out of the runs' environment, as a user who sets none runs it. */
const UNSET = withoutEnv((k) => k.startsWith('SCALPER_'));

/** What one run loaded, as paths relative to the repository. */
interface Loaded {
  /** The files read: the bundle's and any other (node_modules/zstd-napi/binding.js, …). */
  readonly files: string[];
  /** The compiled modules and package files among them, a file of the bundle standing for what it holds. */
  readonly modules: string[];
}

/** Runs `scalper args` and returns what it loaded other than Node's own modules. */
async function loaded(...args: string[]): Promise<Loaded> {
  const r = await run(...args);
  assert.equal(r.status, 0, r.stderr);
  return r;
}

/** Runs `scalper args`: its exit status, stderr and what it loaded (as `loaded`). */
async function run(...args: string[]): Promise<Loaded & { status: number; stderr: string }> {
  const log = join(dir, `modules-${runs++}.txt`);
  writeFileSync(log, '');
  const { status, stderr } = await runScalper(args, {
    nodeArgs: ['--import', pathToFileURL(join(dir, 'register.mjs')).href],
    env: { ...UNSET, MODULE_LOG_FILE: log },
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const files = [
    ...new Set(urls.filter((u) => u.startsWith('file:')).map((u) => relative(ROOT, fileURLToPath(u)))),
  ].filter((f) => !f.startsWith('..'));
  const modules = [...new Set(files.flatMap((f) => Object.keys(META.outputs[f]?.inputs ?? { [f]: null })))];
  return { status, stderr, files, modules };
}

const inBundle = (f: string) => META.outputs[f] !== undefined;

/** Packages and modules a command needs only when it calls a model, a service or a browser, simulates or fits regimes. */
const HEAVY = [
  /node_modules\/openai\//,
  /node_modules\/@anthropic-ai\//,
  /node_modules\/(pg|ioredis|redis|nats|playwright-core)\//,
  /dist\/src\/sim\/simulator\.js$/,
  /dist\/src\/strategy\/regime\/(fit|gaussian-hmm|gmm)\.js$/,
  /dist\/src\/agents\/(runner|worker)\.js$/,
  /dist\/src\/pipeline\/pipeline\.js$/,
];

describe('start-up', { concurrency: true }, () => {
  for (const flag of ['--version', '--help']) {
    test(`scalper ${flag} loads the entry point, the command catalogue and commander, nothing else`, async () => {
      const { files, modules } = await loaded(flag);
      assert.deepEqual(modules.filter((m) => !m.startsWith('node_modules/commander/')).sort(), [
        'dist/src/cli/commands.js',
        'dist/src/cli/main.js',
        'dist/src/cli/program.js',
        'dist/src/cli/stdout.js',
      ]);
      assert.ok(modules.includes('node_modules/commander/esm.mjs'), modules.join('\n'));
      assert.deepEqual(
        files.filter((f) => !inBundle(f)),
        [],
      );
    });
  }

  const cases: [string, string[], string][] = [
    ['dbn inspect', ['dbn', 'inspect', fixture('dbn', 'test_data.mbp-10.v3.dbn.zst')], 'dist/src/cli/dbn.js'],
    ['data cost --help', ['data', 'cost', '--help'], 'dist/src/cli/data.js'],
    [
      'config check',
      ['config', 'check', join(ROOT, 'config', 'example.yaml')],
      'dist/src/cli/config-command.js',
    ],
  ];
  for (const [name, args, own] of cases) {
    test(`scalper ${name} loads its own module but no model SDK, service client, simulator, regime fitter or pipeline`, async () => {
      const { modules } = await loaded(...args);
      assert.ok(modules.includes(own), modules.join('\n'));
      assert.deepEqual(
        modules.filter((m) => HEAVY.some((re) => re.test(m))),
        [],
      );
      // No other command's module.
      const others = ['demo', 'simulate', 'features', 'regime', 'decide', 'stoikov', 'data']
        .filter((c) => `dist/src/cli/${c}.js` !== own)
        .map((c) => `dist/src/cli/${c}.js`);
      assert.deepEqual(
        modules.filter((m) => others.includes(m)),
        [],
      );
    });
  }

  test('scalper config check of a YAML file reads nothing outside the bundle: zod and the YAML parser are in it', async () => {
    const { files, modules } = await loaded('config', 'check', join(ROOT, 'config', 'example.yaml'));
    assert.deepEqual(
      files.filter((f) => !inBundle(f)),
      [],
    );
    assert.ok(modules.includes('node_modules/js-yaml/dist/js-yaml.mjs'), modules.join('\n'));
    assert.ok(
      modules.some((m) => m.startsWith('node_modules/zod/')),
      modules.join('\n'),
    );
    // zod's mini API (core/schema/index.ts), without the classic one or the JSON-schema code that only
    // model calls use.
    assert.deepEqual(
      modules.filter((m) => /^node_modules\/zod\/v4\/(classic\/|core\/(json-schema|to-json-schema))/.test(m)),
      [],
    );
    // The configuration reaches each layer through its schema: no model provider, DBN decoder or simulator.
    assert.deepEqual(
      modules.filter((m) =>
        /dist\/src\/(llm\/(call|cache|.*-provider)|data\/dbn\/decoder|sim\/instruments)\.js$/.test(m),
      ),
      [],
    );
  });

  test('scalper report loads its own module and the report, but no configuration schema, engine layer, pipeline or browser', async () => {
    const folder = join(dir, 'backtest');
    mkdirSync(folder, { recursive: true });
    const metrics = { pnl: 0, fees: 0, trades: 0, days: [], decisions: { decisions: 0 } };
    writeFileSync(
      join(folder, 'result.json'),
      JSON.stringify({ version: 1, metrics, toxic: null, ablations: null }),
    );
    const r = await run('report', folder, '--out', join(dir, 'report.html'));
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.modules.includes('dist/src/cli/report.js'), r.modules.join('\n'));
    assert.ok(r.modules.includes('dist/src/backtest/report/render.js'), r.modules.join('\n'));
    assert.deepEqual(
      r.modules.filter(
        (m) =>
          HEAVY.some((re) => re.test(m)) ||
          m.startsWith('node_modules/zod/') ||
          /dist\/src\/(data|book|features|sim|strategy|agents|llm|execution|pipeline)\//.test(m),
      ),
      [],
    );
  });

  test('scalper roi loads its own module and the cost–benefit table, but no configuration schema or engine layer', async () => {
    const folder = join(dir, 'roi');
    mkdirSync(folder, { recursive: true });
    const days = [{ date: '2026-11-24', pnl: 1 }];
    const ablations = ['old', 'full'].map((name) => ({ name, metrics: { days } }));
    writeFileSync(join(folder, 'result.json'), JSON.stringify({ version: 1, metrics: {}, ablations }));
    const r = await run('roi', '--result', folder, '--data-cost', '1', '--infra-cost', '1');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.modules.includes('dist/src/cli/roi.js'), r.modules.join('\n'));
    assert.ok(r.modules.includes('dist/src/backtest/roi/roi.js'), r.modules.join('\n'));
    assert.deepEqual(
      r.modules.filter(
        (m) =>
          HEAVY.some((re) => re.test(m)) ||
          m.startsWith('node_modules/zod/') ||
          /dist\/src\/(data|book|features|sim|strategy|agents|llm|execution|pipeline)\//.test(m) ||
          /dist\/src\/backtest\/(runner|ablations|report\/)/.test(m),
      ),
      [],
    );
  });

  const small = fixture('dbn', 'test_data.mbp-10.v3.dbn.zst');
  const zod = (mods: string[]) => mods.some((m) => m.startsWith('node_modules/zod/'));

  test('scalper dbn inspect, given no configuration, loads no configuration schema', async () => {
    const r = await run('dbn', 'inspect', small);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(zod(r.modules), false);
    assert.ok(!r.modules.includes('dist/src/cli/config.js'), r.modules.join('\n'));
  });

  test('scalper dbn inspect given --config still checks the file and fails on a problem in it', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "engine": { "vpinBucketVolume": -1 } }');
    const r = await run('dbn', 'inspect', small, '--config', bad);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /engine\.vpinBucketVolume/);
    assert.equal(zod(r.modules), true);
  });
});
