/**
 * What the built `scalper` command loads before it does anything: every module is logged by a
 * module-load hook (`module.register`, as `node --import` installs it), so that start-up cannot
 * silently grow back to loading the whole engine for `--version`. Times are measured in
 * `npm run bench -- --only startup`, not here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fixture, repoRoot } from '../../test/fixtures.js';

/** The compiled entry point: this test runs from dist/src/cli/, beside main.js. */
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const ROOT = repoRoot();
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
  `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
);

let runs = 0;

/** The environment without the variables the configuration reads, as a user who sets none runs it. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SCALPER_')));

/**
 * Runs `scalper args` and returns the modules it loaded other than Node's own, as paths relative to
 * the repository (node_modules/commander/esm.mjs, dist/src/cli/main.js, …).
 */
async function loaded(...args: string[]): Promise<string[]> {
  const r = await run(...args);
  assert.equal(r.status, 0, r.stderr);
  return r.modules;
}

/** Runs `scalper args`: its exit status, stderr and the modules it loaded (as `loaded`). */
async function run(...args: string[]): Promise<{ status: number; stderr: string; modules: string[] }> {
  const log = join(dir, `modules-${runs++}.txt`);
  writeFileSync(log, '');
  const { status, stderr } = await new Promise<{ status: number; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(join(dir, 'register.mjs')).href, MAIN, ...args],
      { env: { ...ENV, MODULE_LOG_FILE: log, CI: '1' } },
      (err, _stdout, stderr) => {
        if (err && typeof err.code !== 'number') reject(err);
        else resolve({ status: err ? (err.code as number) : 0, stderr });
      },
    );
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const modules = [
    ...new Set(urls.filter((u) => u.startsWith('file:')).map((u) => relative(ROOT, fileURLToPath(u)))),
  ];
  return { status, stderr, modules };
}

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
      const mods = await loaded(flag);
      assert.deepEqual(mods.filter((m) => !m.startsWith('node_modules/commander/')).sort(), [
        'dist/src/cli/commands.js',
        'dist/src/cli/main.js',
        'dist/src/cli/program.js',
        'dist/src/cli/stdout.js',
      ]);
      assert.ok(mods.includes('node_modules/commander/esm.mjs'), mods.join('\n'));
    });
  }

  const cases: [string, string[], string][] = [
    ['dbn inspect', ['dbn', 'inspect', fixture('dbn', 'test_data.mbp-10.v3.dbn.zst')], 'dist/src/cli/dbn.js'],
    [
      'config check',
      ['config', 'check', join(ROOT, 'config', 'example.yaml')],
      'dist/src/cli/config-command.js',
    ],
  ];
  for (const [name, args, own] of cases) {
    test(`scalper ${name} loads its own module but no model SDK, service client, simulator, regime fitter or pipeline`, async () => {
      const mods = await loaded(...args);
      assert.ok(mods.includes(own), mods.join('\n'));
      assert.deepEqual(
        mods.filter((m) => HEAVY.some((re) => re.test(m))),
        [],
      );
      // No other command's module.
      const others = ['demo', 'simulate', 'features', 'regime', 'decide', 'stoikov'].map(
        (c) => `dist/src/cli/${c}.js`,
      );
      assert.deepEqual(
        mods.filter((m) => others.includes(m)),
        [],
      );
    });
  }

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
