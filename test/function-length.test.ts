/**
 * No function of shipped code is longer than 150 lines: longer ones are split into named parts.
 * Counted on the sources under `src` (tests excluded) with the TypeScript parser: every function,
 * method, accessor, constructor and arrow function with a body, from its first line to its last.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from './fixtures.js';

/** The longest a function may be, in lines. */
const MAX_LINES = 150;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Functions of `text` longer than `max` lines, as `file:line (n lines)`. */
export function longFunctions(file: string, text: string, max = MAX_LINES): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > max) out.push(`${file}:${first + 1} (${last - first + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

test(`no function in src is longer than ${MAX_LINES} lines`, () => {
  const root = repoRoot();
  const long = sources(join(root, 'src')).flatMap((f) =>
    longFunctions(relative(root, f), readFileSync(f, 'utf8')),
  );
  assert.deepEqual(long, []);
});

test('the count finds a long function and leaves a short one', () => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const a${i} = ${i};`).join('\n');
  // 149 body lines + the opening and closing lines = 151 lines.
  assert.deepEqual(longFunctions('x.ts', `function f() {\n${body(149)}\n}\n`), ['x.ts:1 (151 lines)']);
  assert.deepEqual(longFunctions('x.ts', `class C {\n  m() {\n${body(148)}\n  }\n}\n`), []);
  assert.deepEqual(longFunctions('x.ts', `const g = () => {\n${body(150)}\n};\n`), ['x.ts:1 (152 lines)']);
});
