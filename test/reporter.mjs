/**
 * A compact reporter for Node's test runner (`--test-reporter=./test/reporter.mjs`), for Node
 * 20, 22 and 24. One line per test file as it finishes (counts and time), under it the figures
 * tests print with `t.diagnostic`, skipped and todo tests with their reasons, and every failure
 * in full: the test's path of names, its file and line, the error with its stack, and what the
 * file wrote to stdout/stderr. It ends with the counts and the plain line
 * `N passed, N failed, N skipped`. The exit code stays the runner's: non-zero on any failure.
 *
 * Node's `tap` and `spec` reporters print every test (thousands of lines here); `dot` prints no
 * diagnostics and, on Node 20, no counts.
 */
import { relative, resolve } from 'node:path';
import { inspect } from 'node:util';

/** The runner's own closing diagnostics (Node 20 to 24); this reporter prints its own counts. */
const RUNNER_SUMMARY = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) [\d.]+$/;
/** Lines of a failing file's stdout/stderr kept for its report. */
const OUTPUT_LINES = 200;

const where = (file) => (file ? relative(process.cwd(), file) || file : '(no file)');

function seconds(ms) {
  return ms >= 100 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function indent(text, pad, blanks = false) {
  return text
    .split('\n')
    .map((l) => (l || blanks ? pad + l : l))
    .join('\n');
}

/** The error a test threw (the runner wraps it in an ERR_TEST_FAILURE whose cause it is). */
function formatError(error) {
  if (!error) return 'failed without an error';
  const thrown = error.code === 'ERR_TEST_FAILURE' && error.cause !== undefined ? error.cause : error;
  const text = inspect(thrown, { depth: 6, colors: false, breakLength: 100 });
  const kind = error.failureType && error.failureType !== 'testCodeFailure' ? `[${error.failureType}] ` : '';
  return kind + text;
}

class FileState {
  tests = 0;
  pass = 0;
  fail = 0;
  cancelled = 0;
  skipped = 0;
  todo = 0;
  /** Names of the tests currently open, by nesting level. */
  names = [];
  /** Lines to print under the file's line: diagnostics, skips, failures. */
  notes = [];
  output = [];
  done = false;
}

/** Counts one finished test or suite like Node's runner does, and notes what is worth printing. */
function settle(state, totals, failures, event) {
  const { type, data } = event;
  const details = data.details ?? {};
  const file = state.files.get(key(data.file)) ?? newFile(state, data.file);
  // A contract suite's tests are declared in its own module, under a describe of the test file:
  // the levels the module's state lacks come from the last test started anywhere.
  const names = [];
  for (let i = 0; i < data.nesting; i++) names.push(file.names[i] ?? state.names[i] ?? '…');
  const path = [...names, data.name].join(' › ');
  const error = details.error;
  if (details.type === 'suite') {
    totals.suites++;
    // A suite fails by itself only through a hook; failed subtests are reported on their own.
    if (type === 'test:fail' && error?.failureType !== 'subtestsFailed') {
      totals.broken++;
      const text = `✖ ${path}  (${where(data.file)}${data.line ? `:${data.line}:${data.column}` : ''})\n${indent(formatError(error), '    ')}`;
      file.notes.push(text);
      failures.push(`${path}  (${where(data.file)})`);
    }
    return;
  }
  totals.tests++;
  file.tests++;
  if (data.skip !== undefined && data.skip !== false) {
    totals.skipped++;
    file.skipped++;
    file.notes.push(`﹣ skipped: ${path}${typeof data.skip === 'string' ? ` (${data.skip})` : ''}`);
  } else if (data.todo !== undefined && data.todo !== false) {
    totals.todo++;
    file.todo++;
    file.notes.push(`○ todo: ${path}${typeof data.todo === 'string' ? ` (${data.todo})` : ''}`);
  } else if (type === 'test:pass') {
    totals.pass++;
    file.pass++;
  } else {
    const cancelled = error?.failureType === 'cancelledByParent';
    if (cancelled) {
      totals.cancelled++;
      file.cancelled++;
    } else {
      totals.fail++;
      file.fail++;
    }
    const at = `${where(data.file)}${data.line ? `:${data.line}:${data.column}` : ''}`;
    file.notes.push(
      `✖ ${cancelled ? 'cancelled: ' : ''}${path}  (${at})\n${indent(formatError(error), '    ')}`,
    );
    failures.push(`${cancelled ? 'cancelled: ' : ''}${path}  (${at})`);
  }
}

/**
 * The compiled file a test belongs to. With --enable-source-maps, Node 22 and 24 name the
 * TypeScript source in test events (src/a/b.test.ts) but the compiled file in the file's own
 * events (dist/src/a/b.test.js); tsconfig compiles `X.ts` to `dist/X.js`.
 */
function key(file) {
  if (!file) return '';
  const path = resolve(file);
  const rel = relative(process.cwd(), path);
  if (!/\.[cm]?ts$/.test(rel) || rel.startsWith('..')) return path;
  return resolve('dist', rel.replace(/\.([cm]?)ts$/, '.$1js'));
}

function newFile(state, file) {
  const f = new FileState();
  state.files.set(key(file), f);
  return f;
}

/** Moves another state's counts and notes into `f`. */
function adopt(f, other) {
  for (const k of ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo']) f[k] += other[k];
  f.notes.push(...other.notes);
  f.output.push(...other.output);
}

/** The line for a finished file, with what to show under it. */
function fileReport(path, f, durationMs, error) {
  const bad = f.fail + f.cancelled > 0 || error;
  const counts = [`${f.pass} passed`];
  if (f.fail) counts.push(`${f.fail} failed`);
  if (f.cancelled) counts.push(`${f.cancelled} cancelled`);
  if (f.skipped) counts.push(`${f.skipped} skipped`);
  if (f.todo) counts.push(`${f.todo} todo`);
  const lines = [`${bad ? '✖' : '✔'} ${where(path)}  ${counts.join(', ')}  (${seconds(durationMs ?? 0)})`];
  if (error) {
    // The file as a whole failed (it crashed, or exited non-zero after its tests): its output
    // below says why.
    const how =
      error.exitCode != null ? `exit code ${error.exitCode}` : error.signal ? `signal ${error.signal}` : '';
    lines.push(`    ✖ the file failed${how ? ` (${how})` : ''}: ${error.cause ?? error.message}`);
  }
  for (const n of f.notes) lines.push(indent(n, '    '));
  if (bad && f.output.length > 0) {
    lines.push(`    output of ${where(path)}:`);
    lines.push(indent(f.output.join('').trimEnd(), '    │ ', true));
  }
  return `${lines.join('\n')}\n`;
}

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* compactReporter(source) {
  const started = performance.now();
  // Files by compiled path; `runs`: the files the runner runs (each in a process of its own).
  const state = { files: new Map(), runs: new Set(), names: [] };
  const totals = { tests: 0, suites: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0, broken: 0 };
  const failures = [];
  const loose = [];
  let runnerMs;
  for await (const event of source) {
    const { type, data } = event;
    switch (type) {
      case 'test:enqueue':
        if (data.nesting === 0 && data.file && key(data.name) === key(data.file))
          state.runs.add(key(data.file));
        break;
      case 'test:start': {
        const f = state.files.get(key(data.file)) ?? newFile(state, data.file);
        f.names.length = data.nesting;
        f.names[data.nesting] = data.name;
        state.names.length = data.nesting;
        state.names[data.nesting] = data.name;
        break;
      }
      case 'test:pass':
      case 'test:fail': {
        const f = state.files.get(key(data.file));
        // The file itself as a test: counted like Node counts it; its failure was shown with
        // the file's line (test:complete comes first).
        if (f?.done && data.nesting === 0 && key(data.name) === key(data.file)) {
          totals.tests++;
          if (type === 'test:pass') totals.pass++;
          else {
            totals.fail++;
            failures.push(`${where(data.file)} (the file failed)`);
          }
          break;
        }
        settle(state, totals, failures, event);
        break;
      }
      case 'test:complete': {
        // The end of a whole file (Node runs each in a process and reports it as a test).
        if (data.nesting !== 0 || !data.file || key(data.name) !== key(data.file)) break;
        const f = state.files.get(key(data.file)) ?? newFile(state, data.file);
        f.done = true;
        // Tests declared in a shared module (a contract suite) carry that module's name, which
        // never runs as a file of its own: they belong to the file that just ran them.
        for (const [k, other] of state.files) {
          if (other === f || other.done || state.runs.has(k)) continue;
          adopt(f, other);
          state.files.delete(k);
        }
        const error = data.details?.error;
        const own = error && error.failureType !== 'subtestsFailed' ? error : undefined;
        yield fileReport(data.file, f, data.details?.duration_ms, own);
        f.notes = [];
        f.output = [];
        break;
      }
      case 'test:diagnostic':
        if (data.file) {
          const f = state.files.get(key(data.file)) ?? newFile(state, data.file);
          f.notes.push(`ℹ ${data.message}`);
        } else if (RUNNER_SUMMARY.test(data.message)) {
          if (data.message.startsWith('duration_ms ')) runnerMs = Number(data.message.slice(12));
        } else {
          loose.push(`ℹ ${data.message}`);
        }
        break;
      case 'test:stdout':
      case 'test:stderr': {
        const f = state.files.get(key(data.file)) ?? newFile(state, data.file);
        f.output.push(data.message);
        if (f.output.length > OUTPUT_LINES) f.output.splice(0, f.output.length - OUTPUT_LINES);
        break;
      }
      default:
        break;
    }
  }
  // Files never closed by a test:complete (tests run in-process, or an interrupted run).
  for (const [path, f] of state.files) {
    if (!f.done && (f.tests > 0 || f.notes.length > 0)) yield fileReport(path || undefined, f, undefined);
  }
  const out = [''];
  if (loose.length) out.push(...loose);
  if (failures.length) {
    out.push(`✖ ${failures.length} failing:`);
    for (const f of failures) out.push(`    ${f}`);
  }
  const ms = runnerMs ?? performance.now() - started;
  out.push(
    `tests ${totals.tests} · suites ${totals.suites} · pass ${totals.pass} · fail ${totals.fail} · cancelled ${totals.cancelled} · skipped ${totals.skipped} · todo ${totals.todo} · ${seconds(ms)}`,
  );
  if (totals.broken) out.push(`${totals.broken} suites failed in their hooks`);
  // The plain closing line, alone: cancelled tests and suites failing in a hook count as failed.
  const failed = totals.fail + totals.cancelled + totals.broken;
  out.push(`${totals.pass} passed, ${failed} failed, ${totals.skipped} skipped`);
  yield `${out.join('\n')}\n`;
}
