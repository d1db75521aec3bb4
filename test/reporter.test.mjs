/**
 * The compact reporter on small test files written here, under the Node that runs this test:
 * counts worked out from the files by hand, failures shown in full, diagnostics and skip reasons
 * kept, the plain closing line last, and the runner's exit code untouched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const reporter = fileURLToPath(new URL('./reporter.mjs', import.meta.url));

// mixed: in its suite a pass (with a diagnostic), a failure, a skip and a todo, then a top-level
// pass that prints: 5 tests. ok: 2 passes. crash: throws on import, and the file then counts as
// one failed test. Tests 5 + 2 + 1 = 8 (suites are not tests); passed 2 + 2 = 4; failed 2.
const FILES = {
  'mixed.test.mjs': `
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
describe('suite A', () => {
  test('passes', (t) => { t.diagnostic('figure 42'); });
  test('fails', () => { assert.equal(1 + 1, 3); });
  test('skipped', { skip: 'needs a GPU' }, () => {});
  test('later', { todo: 'not written' }, () => {});
});
test('prints', () => { console.log('a line on stdout'); });
`,
  'ok.test.mjs': `
import { test } from 'node:test';
test('one', () => {});
test('two', () => {});
`,
  'crash.test.mjs': `throw new Error('broken at import');\n`,
  // A contract suite: tests declared in a shared module, run by a test file under two describes.
  'contract.mjs': `
import assert from 'node:assert/strict';
import { test } from 'node:test';
export function contract(name) {
  test(name + ' adds', () => assert.equal(1 + 1, name === 'bad' ? 3 : 2));
}
`,
  'user.test.mjs': `
import { describe } from 'node:test';
import { contract } from './contract.mjs';
describe('impl good', () => contract('good'));
describe('impl bad', () => contract('bad'));
`,
};

function run(files) {
  const dir = mkdtempSync(join(tmpdir(), 'reporter-'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
  const env = { ...process.env };
  // Without this the runner below would report to this test's runner instead of printing.
  delete env.NODE_TEST_CONTEXT;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--test', `--test-reporter=${reporter}`, ...files], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      done({ code, out });
    });
  });
}

test('a run with failures: counts, each failure in full, diagnostics, skip reasons; exit code 1', async () => {
  const { code, out } = await run(['mixed.test.mjs', 'ok.test.mjs', 'crash.test.mjs']);
  assert.equal(code, 1, out);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.at(-1), '4 passed, 2 failed, 1 skipped');
  assert.match(lines.at(-2), /^tests 8 · suites 1 · pass 4 · fail 2 · cancelled 0 · skipped 1 · todo 1 · /);
  // One line per file.
  assert.match(out, /^✖ mixed\.test\.mjs {2}2 passed, 1 failed, 1 skipped, 1 todo {2}\(/m);
  assert.match(out, /^✔ ok\.test\.mjs {2}2 passed {2}\(/m);
  assert.match(out, /^✖ crash\.test\.mjs {2}0 passed {2}\(/m);
  // The failure: its path of names, its place, the assertion and the stack into the file.
  assert.match(out, /✖ suite A › fails {2}\(mixed\.test\.mjs:6:3\)/);
  assert.match(out, /2 !== 3/);
  assert.match(out, /at .*mixed\.test\.mjs:6:/);
  // The crash: the file's own failure and what it printed.
  assert.match(out, /✖ the file failed \(exit code 1\)/);
  assert.match(out, /│ Error: broken at import/);
  // What the tests say and why some did not run.
  assert.match(out, /ℹ figure 42/);
  assert.match(out, /﹣ skipped: suite A › skipped \(needs a GPU\)/);
  assert.match(out, /○ todo: suite A › later \(not written\)/);
  // The failing file's stdout is shown; nothing in TAP.
  assert.match(out, /│ a line on stdout/);
  assert.doesNotMatch(out, /^(TAP version|ok \d|not ok \d)/m);
});

test('a passing run ends with "N passed, 0 failed, 0 skipped", exit code 0, one line per file', async () => {
  const { code, out } = await run(['ok.test.mjs']);
  assert.equal(code, 0, out);
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.at(-1), '2 passed, 0 failed, 0 skipped');
  assert.equal(lines.filter((l) => /^[✔✖] /.test(l)).length, 1);
  assert.ok(lines.length <= 5, out);
});

test('tests a shared contract module declares are reported under the file that ran them', async () => {
  const { code, out } = await run(['user.test.mjs']);
  assert.equal(code, 1, out);
  assert.match(out, /^✖ user\.test\.mjs {2}1 passed, 1 failed {2}\(/m);
  assert.match(out, /^ {4}✖ impl bad › bad adds {2}\(contract\.mjs:5:3\)/m);
  assert.doesNotMatch(out, /^[✔✖] contract\.mjs/m);
  assert.equal(out.trimEnd().split('\n').at(-1), '1 passed, 1 failed, 0 skipped');
});
