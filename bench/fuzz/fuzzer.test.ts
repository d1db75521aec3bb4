/**
 * Fuzzing the decoder (engine in bench/fuzz/fuzzer.ts): mutated fixtures either decode completely
 * or fail with a DbnError, never anything else, never a hang. The run here is a fixed seed so CI
 * is reproducible (FUZZ_SEED / FUZZ_ITERATIONS override it); `npm run fuzz` runs 100,000 inputs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dbnFixtureNames } from '../../test/dbn.js';
import {
  ERROR_CODES,
  formatSummary,
  fuzzOneGuarded,
  inputSeed,
  loadCorpus,
  MUTATION_NAMES,
  makeInput,
  Prng,
  runFuzz,
} from './fuzzer.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5ca1e);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 40_000);

describe('fuzz engine', () => {
  test('the PRNG is deterministic per seed and spreads evenly', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 8 }, () => a.next());
    assert.deepEqual(
      sa,
      Array.from({ length: 8 }, () => b.next()),
    );
    assert.notDeepEqual(
      sa,
      Array.from({ length: 8 }, () => c.next()),
    );
    // 20,000 draws into 10 buckets: each near 2,000 (binomial sd ~42; 300 is > 7 sd).
    const r = new Prng(7);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) buckets[r.int(10)]++;
    for (const n of buckets) assert.ok(Math.abs(n - 2000) < 300, `bucket ${n}`);
    assert.notEqual(inputSeed(1, 0), inputSeed(1, 1));
    assert.notEqual(inputSeed(1, 0), inputSeed(2, 0));
  });

  test('the corpus holds every fixture as stored, and every .zst file decompressed too', () => {
    const corpus = loadCorpus();
    const names = dbnFixtureNames();
    const zst = names.filter((n) => n.endsWith('.zst'));
    assert.equal(corpus.length, names.length + zst.length);
    for (const n of names)
      assert.ok(
        corpus.some((e) => e.name === n && e.form === 'stored'),
        n,
      );
    for (const n of zst)
      assert.ok(
        corpus.some((e) => e.name === n && e.form === 'decompressed'),
        n,
      );
  });

  test('an input is a pure function of (seed, index): it replays exactly', () => {
    const corpus = loadCorpus();
    for (const index of [0, 1, 977, 123_456]) {
      const x = makeInput(SEED, index, corpus);
      const y = makeInput(SEED, index, corpus);
      assert.deepEqual(x, y);
    }
    assert.notDeepEqual(makeInput(SEED, 1, corpus).description, makeInput(SEED, 2, corpus).description);
  });

  test('every mutation is used, on compressed and decompressed inputs, under a new zstd frame too', () => {
    const corpus = loadCorpus();
    const descriptions = Array.from({ length: 2000 }, (_, i) => makeInput(SEED, i, corpus).description);
    for (const m of MUTATION_NAMES)
      assert.ok(
        descriptions.some((d) => d.includes(`${m}(`)),
        m,
      );
    for (const form of ['[stored]', '[decompressed]', 'mutated under a new zstd frame']) {
      assert.ok(
        descriptions.some((d) => d.includes(form)),
        form,
      );
    }
    assert.ok(
      descriptions.some((d) => d.includes(' + ')),
      'stacked mutations',
    );
    assert.ok(
      descriptions.some((d) => d.includes('"upgrade":true')),
      'upgrade',
    );
  });

  test('faults are reported with seed, input and recipe: a sync hang, a pending promise, a TypeError', async () => {
    const summary = await runFuzz({
      seed: SEED,
      iterations: 40,
      workers: 2,
      limits: { timeLimitMs: 300 },
      inject: [
        { index: 5, kind: 'sync-hang' },
        { index: 12, kind: 'async-hang' },
        { index: 20, kind: 'throw' },
      ],
    });
    assert.equal(summary.inputs, 40);
    assert.deepEqual(
      summary.failures.map((f) => f.index),
      [5, 12, 20],
    );
    const [sync, pending, thrown] = summary.failures;
    assert.match(sync.reason, /^hang: .*synchronous/);
    assert.match(pending.reason, /time limit 300 ms \(pending promise\)/);
    assert.match(thrown.reason, /^TypeError \(not a DbnError\)/);
    const corpus = loadCorpus();
    for (const f of summary.failures) {
      assert.equal(f.seed, SEED);
      assert.equal(f.description, makeInput(SEED, f.index, corpus).description);
    }
    // The other 37 inputs ran normally, also after the hung worker was replaced.
    const errors = Object.values(summary.dbnErrors).reduce((a, b) => a + (b ?? 0), 0);
    assert.equal(summary.ok + errors + summary.failures.length, 40);
    assert.match(formatSummary(summary), /failures: {3}3/);
  });

  test('a single input can be replayed in-process', async () => {
    const outcome = await fuzzOneGuarded(makeInput(SEED, 3, loadCorpus()));
    assert.notEqual(outcome.kind, 'failure');
  });
});

test(`${ITERATIONS} mutated fixtures each decode completely or throw a DbnError (seed ${SEED})`, async (t) => {
  assert.ok(ITERATIONS >= 10_000 || process.env.FUZZ_ITERATIONS !== undefined);
  const summary = await runFuzz({ seed: SEED, iterations: ITERATIONS, workers: 2 });
  for (const line of formatSummary(summary).split('\n')) t.diagnostic(line);
  assert.equal(summary.failures.length, 0, formatSummary(summary));
  assert.equal(summary.inputs, ITERATIONS);
  // The mutations reach both outcomes and most error paths (a run that only ever produced
  // BAD_MAGIC would prove little).
  assert.ok(summary.ok > ITERATIONS / 10, `only ${summary.ok} decoded`);
  const seen = ERROR_CODES.filter((c) => (summary.dbnErrors[c] ?? 0) > 0);
  assert.ok(seen.length >= 7, `error codes seen: ${seen.join(', ')}`);
});
