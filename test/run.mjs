/**
 * Runs the tests with Node's test runner and the compact reporter:
 * `node test/run.mjs [--services] [runner flags] [files or folders]` (default: the compiled
 * `*.test.js` under dist/ and the `*.test.mjs` beside this script). Tests that need the machine's
 * PostgreSQL, Redis or NATS are named `*.services.test.*`: a folder's are left out unless
 * `--services` is given, which runs only them (`npm run test:services`). The files are listed here because Node 20 takes folders but no globs, while Node 22
 * and 24 take globs and run a folder as if it were one module (finding no test in it). The
 * runner is the Node that runs this script, so `node24 test/run.mjs` tests under Node 24.
 * Exit code: the runner's.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const reporter = fileURLToPath(new URL('./reporter.mjs', import.meta.url));

const args = process.argv.slice(2);
const services = args.includes('--services');

/** Every test file under `dir` (services tests only with `--services`), sorted, relative to the working directory. */
function testFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (/\.test\.m?js$/.test(e.name) && /\.services\.test\./.test(e.name) === services)
      out.push(relative(process.cwd(), p));
  }
  return out.sort();
}

const flags = args.filter((a) => a.startsWith('-') && a !== '--services');
const paths = args.filter((a) => !a.startsWith('-'));
const roots =
  paths.length > 0 ? paths : ['dist', relative(process.cwd(), fileURLToPath(new URL('.', import.meta.url)))];
const files = roots.flatMap((p) => (statSync(p).isDirectory() ? testFiles(p) : [p]));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')} (run npm run build first)`);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    `--test-reporter=${reporter}`,
    '--test-reporter-destination=stdout',
    ...flags,
    ...files,
  ],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
