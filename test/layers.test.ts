/**
 * The layering of DESIGN.md, checked on the sources: every import of shipped code under `src`
 * points to its own folder or to a lower layer, and reaches another folder only through that
 * folder's `index.ts`; shipped code never imports test support (`test/`), benchmarks or the
 * test runner. Tests may also use the simulator (to make data) and `test/`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from './fixtures.js';

/**
 * Rank of each top-level folder of `src`: an import must go to a strictly lower rank (folders of
 * one rank do not import each other). DESIGN.md: cli/server → runtime/backtest → pipeline →
 * execution/agents/llm/infra → strategy → features/sim → book → data → core. Of the two entry
 * points, the command starts the dashboard's server (`scalper serve`, `--dashboard`), never the
 * other way round.
 */
export const LAYERS: Readonly<Record<string, number>> = {
  core: 0,
  data: 1,
  book: 2,
  features: 3,
  sim: 3,
  strategy: 4,
  agents: 5,
  llm: 5,
  execution: 5,
  infra: 5,
  pipeline: 6,
  backtest: 7,
  runtime: 7,
  server: 8,
  cli: 9,
};

interface Import {
  readonly file: string;
  readonly line: number;
  readonly spec: string;
}

const ROOT = repoRoot();
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every module specifier of a file: static imports and re-exports, dynamic imports, workers. */
export function importsOf(file: string, text: string): Import[] {
  const out: Import[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split('\n').length;
    out.push({ file, line, spec: m[1] });
  }
  return out;
}

/** The top-level folder of `src` that `path` lies in, or what else it is. */
function areaOf(path: string): string {
  const rel = relative(ROOT, path).split(sep);
  if (rel[0] === 'src') return rel.length > 2 ? rel[1] : '(src root)';
  return rel[0];
}

/** The problems with one import of `file`, or none. */
export function check(imp: Import): string | null {
  const { file, spec } = imp;
  const isTest = file.endsWith('.test.ts');
  const where = `${relative(ROOT, file)}:${imp.line} imports '${spec}'`;
  if (!spec.startsWith('.')) {
    if (!isTest && (spec === 'node:test' || spec.startsWith('node:assert'))) {
      return `${where}: the test runner in shipped code`;
    }
    return null;
  }
  if (!spec.endsWith('.js')) return null;
  const from = areaOf(file);
  const target = resolve(dirname(file), spec);
  const to = areaOf(target);
  if (to === 'test' || to === 'bench')
    return isTest && to === 'test' ? null : `${where}: ${to}/ from shipped code`;
  if (from === to) return null;
  const rf = LAYERS[from];
  const rt = LAYERS[to];
  if (rf === undefined) return `${where}: folder src/${from} has no layer in test/layers.test.ts`;
  if (rt === undefined) return `${where}: folder src/${to} has no layer in test/layers.test.ts`;
  if (!target.endsWith(`${sep}index.js`)) return `${where}: reach src/${to} through its index.ts`;
  if (isTest && (to === 'sim' || rt <= rf)) return null;
  if (rt >= rf) return `${where}: src/${from} (layer ${rf}) may not import src/${to} (layer ${rt})`;
  return null;
}

describe('layering', () => {
  test('every folder of src has a layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    assert.deepEqual(
      folders.filter((f) => LAYERS[f] === undefined),
      [],
    );
  });

  test('imports point down, through index.ts, never to test support or the test runner', () => {
    const problems: string[] = [];
    for (const f of sources(SRC)) {
      for (const imp of importsOf(f, readFileSync(f, 'utf8'))) {
        const p = check(imp);
        if (p !== null) problems.push(p);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('the check itself catches each kind of wrong import', () => {
    const at = (file: string, spec: string) => check({ file: join(ROOT, file), line: 1, spec });
    assert.match(
      at('src/book/l2-book.ts', '../features/index.js') ?? '',
      /layer 2\) may not import src\/features/,
    );
    assert.match(at('src/features/engine.ts', '../sim/index.js') ?? '', /may not import src\/sim/);
    assert.match(at('src/features/engine.ts', '../book/l2-book.js') ?? '', /through its index/);
    assert.match(at('src/book/l2-book.ts', '../../test/book.js') ?? '', /test\/ from shipped code/);
    assert.match(at('src/book/l2-book.ts', 'node:assert/strict') ?? '', /test runner/);
    assert.equal(at('src/book/l2-book.test.ts', 'node:assert/strict'), null);
    assert.equal(at('src/book/l2-book.test.ts', '../../test/book.js'), null);
    assert.equal(at('src/features/engine.test.ts', '../sim/index.js'), null);
    assert.equal(at('src/pipeline/loop.ts', '../features/index.js'), null);
    assert.equal(at('src/features/bars/vwap.ts', './ema.js'), null);
  });
});
