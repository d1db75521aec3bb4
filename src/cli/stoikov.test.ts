/**
 * `scalper stoikov fit` through its command (registered on a fresh program, stdout captured) on a
 * short simulated window: the model file round-trips through `readStoikovModel`, matches a fit of
 * the same samples made by hand, and bad input fails with errors naming the file and the field.
 */

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { Command } from 'commander';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { fitStoikovFiles, readStoikovModel, registerStoikov } from './stoikov.js';

const DATE = '2026-11-24';

const span = simulatedSpan({
  date: DATE,
  seed: 7,
  spot: false,
  from: `${DATE}T13:00:00Z`,
  minutes: 10,
  prefix: 'cli-stoikov-',
});

/** Runs `scalper ARGS...` in-process; returns what it wrote to stdout. */
async function run(t: TestContext, ...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerStoikov(program);
  let out = '';
  const write = t.mock.method(process.stdout, 'write', (chunk: string) => {
    out += chunk;
    return true;
  });
  try {
    await program.parseAsync(['node', 'scalper', ...args]);
  } finally {
    write.mock.restore();
  }
  return out;
}

describe('scalper stoikov fit', () => {
  test('writes stoikov.json that readStoikovModel loads, and prints the table', async (t) => {
    const file = join(span.dir, 'stoikov.json');
    const out = await run(t, 'stoikov', 'fit', span.day.files.mbp10, '--out', file, '--buckets', '4');
    const m = readStoikovModel(file);
    assert.equal(m.symbol, '6EZ6');
    assert.equal(m.tickRaw, 50_000);
    assert.deepEqual([m.n, m.m, m.sampleMs, m.terms], [4, 2, 1000, 6]);
    assert.equal(m.g.length, 8);
    assert.equal(m.counts.length, 8);
    assert.ok(m.samples > 300, `transitions ${m.samples}`);
    // Symmetrised: g(bucket) = −g(mirror) wherever both were seen.
    for (let b = 0; b < 4; b++)
      if (Number.isFinite(m.g[b])) assert.ok(Math.abs(m.g[b] + m.g[3 - b]) < 1e-9, `g ${m.g}`);
    const again = await fitStoikovFiles([span.day.files.mbp10], { buckets: 4 });
    assert.deepEqual(m.g, again.g);
    assert.match(
      out,
      /Stoikov micro-price fitted on 6EZ6: [\d,]+ transitions of quotes sampled every 1000 ms/,
    );
    assert.match(out, /g \(ticks\), spread 1: /);
    assert.match(out, new RegExp(`wrote ${file.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  test('fails on a missing file and an unknown --symbol with the name in the message', async () => {
    await assert.rejects(fitStoikovFiles([join(span.dir, 'nope.dbn')]), /nope\.dbn: file not found/);
    await assert.rejects(fitStoikovFiles([span.day.files.mbp10], { symbol: '6BZ6' }), /--symbol 6BZ6 .*6EZ6/);
  });

  test('readStoikovModel names the file and the field it cannot use', () => {
    const good = JSON.parse(
      JSON.stringify({
        version: 1,
        symbol: '6EZ6',
        sample_ms: 1000,
        terms: 6,
        n: 2,
        m: 1,
        tickRaw: 50_000,
        samples: 10,
        g: [-0.2, null],
        counts: [5, 0],
      }),
    );
    const path = join(span.dir, 'm.json');
    writeFileSync(path, JSON.stringify(good));
    const m = readStoikovModel(path);
    assert.equal(m.g[0], -0.2);
    assert.ok(Number.isNaN(m.g[1]));
    writeFileSync(path, JSON.stringify({ ...good, g: [0.1] }));
    assert.throws(() => readStoikovModel(path), /m\.json: field "g" must be an array of 2 numbers/);
    writeFileSync(path, JSON.stringify({ ...good, tickRaw: -5 }));
    assert.throws(
      () => readStoikovModel(path),
      /m\.json: field "tickRaw" must be a positive integer, got -5/,
    );
    writeFileSync(path, '{ not json');
    assert.throws(() => readStoikovModel(path), /m\.json: cannot read a Stoikov model/);
    assert.throws(() => readStoikovModel(join(span.dir, 'absent.json')), /absent\.json: cannot read/);
    assert.ok(readFileSync(path, 'utf8').length > 0);
  });
});
