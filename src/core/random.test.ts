import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fmix32, indexedSeed, keyedSeed, prng, Random, Sfc32, saltedSeed } from './random.js';

// Reference values from an independent Python implementation with unbounded integers masked to
// 32 bits (no Math.imul), e.g. for mulberry32:
//   a = (a + 0x6D2B79F5) & M; t = a; t = (t ^ t >> 15) * (t | 1) & M
//   t = (t ^ (t + ((t ^ t >> 7) * (t | 61) & M))) & M; u = ((t ^ t >> 14) & M) / 2**32
const MULBERRY_SEED_1 = [2693262067, 11749833, 2265367787, 4213581821, 4159151403, 1207330352];

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (± ${tol})`);
}

describe('Random (mulberry32)', () => {
  it('draws the reference mulberry32 sequence for seed 1', () => {
    const r = new Random(1);
    for (const k of MULBERRY_SEED_1) assert.equal(r.uniform(), k / 2 ** 32);
    const f = prng(1);
    for (const k of MULBERRY_SEED_1) assert.equal(f(), k / 2 ** 32);
  });

  it('reduces the seed to 32 bits', () => {
    assert.equal(new Random(2 ** 32 + 1).uniform(), MULBERRY_SEED_1[0] / 2 ** 32);
    assert.equal(new Random(-1).uniform(), new Random(0xffffffff).uniform());
  });

  it('builds int, chance and exponential on one uniform each', () => {
    const r = new Random(1);
    assert.equal(r.int(10), 6); // floor(0.627… · 10)
    assert.equal(r.chance(0.003), true); // 0.002736 < 0.003
    close(r.exponential(), -Math.log(1 - 0.5274470399599522), 1e-15, 'exponential');
    assert.equal(r.floorExponential(10), 39); // floor(−ln(1 − 0.98105…) · 10) = floor(39.64)
  });

  it('returns both halves of a Box–Muller pair before drawing again', () => {
    // u = 0.6270739405881613, v = 0.002735721180215478: √(−2 ln(1 − u)) = 1.40454…,
    // times cos 2πv = 1.4043387784152637 and sin 2πv = 0.024141617523036025 (Python's math).
    const r = new Random(1);
    close(r.normal(), 1.4043387784152637, 1e-13, 'cos half');
    close(r.normal(), 0.024141617523036025, 1e-13, 'sin half');
    // The next pair starts at the third uniform.
    const s = new Random(1);
    s.uniform();
    s.uniform();
    close(s.normalUnpaired(), r.normal(), 0, 'third and fourth uniforms');
  });

  it('draws the cosine half only from two fresh uniforms per normalUnpaired call', () => {
    const r = new Random(1);
    close(r.normalUnpaired(), 1.4043387784152637, 1e-13, 'first');
    // u = 0.5274470399599522, v = 0.9810509674716741 → 1.2157546192705377.
    close(r.normalUnpaired(), 1.2157546192705377, 1e-13, 'second');
    assert.equal(r.uniform(), MULBERRY_SEED_1[4] / 2 ** 32);
  });

  it('has the moments of its distributions over 200,000 draws', () => {
    const n = 200_000;
    const r = new Random(20_261_124);
    let s1 = 0;
    let s2 = 0;
    let e1 = 0;
    let g1 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s1 += z;
      s2 += z * z;
      e1 += r.exponential();
      g1 += r.floorExponential(3);
    }
    // Standard errors: mean 1/√n = 0.0022, variance √(2/n) = 0.0032, exponential 0.0022,
    // floored exponential (mean 1/(e^(1/3) − 1) = 2.5277, sd ≈ 3.04) 0.0068; 5 of them allowed.
    close(s1 / n, 0, 0.011, 'normal mean');
    close(s2 / n - (s1 / n) ** 2, 1, 0.016, 'normal variance');
    close(e1 / n, 1, 0.011, 'exponential mean');
    close(g1 / n, 2.527726473157129, 0.034, 'floored exponential mean');
  });
});

describe('Sfc32', () => {
  it('draws the reference sfc32 sequence for seed 42 after 15 mixing steps', () => {
    const r = new Sfc32(42);
    assert.deepEqual(
      [r.next(), r.next(), r.next(), r.next()],
      [1518397874, 271658881, 2061353271, 1466074086],
    );
  });

  it('maps uint32 draws to ranges, chances and picks', () => {
    const r = new Sfc32(42);
    assert.equal(r.int(100), Math.floor((1518397874 / 2 ** 32) * 100)); // 35
    assert.equal(r.range(5, 6), 5); // 271658881 / 2^32 · 2 < 1
    assert.equal(r.chance(0.5), true); // 0.48
    assert.equal(r.pick(['a', 'b', 'c']), 'b'); // 1466074086 / 2^32 · 3 = 1.02
    assert.equal(r.int(0), 0);
  });
});

describe('seed derivation', () => {
  it('finalises with MurmurHash3 fmix32', () => {
    assert.equal(fmix32(0), 0);
    assert.equal(fmix32(1), 0x514e28b7); // MurmurHash3's published fmix32(1)
    assert.equal(fmix32(20_261_124), 1_049_432_189);
  });

  it('derives keyed, indexed and salted seeds (Python reference values)', () => {
    // fmix32((7 · 0x9E3779B1 mod 2^32) xor 20261124)
    assert.equal(keyedSeed(7, 20_261_124), 3_792_041_246);
    // fmix32(42 xor (k · 0x9E3779B1 mod 2^32)) for k = 1, 2
    assert.equal(indexedSeed(42, 0), 862_081_050);
    assert.equal(indexedSeed(42, 1), 2_860_932_040);
    // (1 xor 0x53504F54) · 0x85EBCA6B mod 2^32
    assert.equal(saltedSeed(1, 0x53504f54) >>> 0, 758_200_967);
    // The first spot pair of seed 7 on 2026-11-24: fmix32(salted xor date xor 0x9E3779B1).
    assert.equal(indexedSeed(saltedSeed(7, 0x53504f54) ^ 20_261_124, 0), 690_195_485);
  });
});
