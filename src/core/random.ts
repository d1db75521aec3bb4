/**
 * Seeded randomness, in one place for the whole engine: a simulated day, a sampled series or a
 * fuzz input is a pure function of its seed, on every platform (32-bit integer arithmetic only,
 * through `Math.imul` and `>>>`).
 *
 * - `Random`: mulberry32 (Tommy Ettinger, 2017, public domain) with the draws the simulator and
 *   the samplers use: uniform, integer, exponential, floored exponential and normal (Box & Muller
 *   1958, "A Note on the Generation of Random Normal Deviates", Ann. Math. Statist. 29(2)).
 * - `Sfc32`: Chris Doty-Humphrey's Small Fast Counting generator (PractRand), 128-bit state, for
 *   long fuzzing runs where mulberry32's 2^32 period is short.
 * - Seed derivation: independent streams (a day, a spot pair, a fuzz input) get their seeds from
 *   the run seed through MurmurHash3's 32-bit finaliser (`fmix32`, Austin Appleby), so nearby
 *   run seeds and keys give unrelated streams.
 *
 * The exact order of draws is part of every generator's output: changing how a draw consumes
 * uniforms changes every file a seed produces.
 */

const TWO32 = 4294967296;
/** 2^32 / φ, the golden-ratio increment (Knuth's multiplicative hashing). */
const GOLDEN = 0x9e3779b1;
/** MurmurHash3's finaliser multipliers. */
const FMIX1 = 0x85ebca6b;
const FMIX2 = 0xc2b2ae35;

/** A mulberry32 stream with the draws built on it. */
export class Random {
  #a: number;
  /** The sine half of the last Box–Muller pair, NaN when used. */
  #spare = Number.NaN;

  constructor(seed: number) {
    this.#a = seed >>> 0;
  }

  /** Uniform in [0, 1), a multiple of 2^-32. */
  uniform(): number {
    this.#a = (this.#a + 0x6d2b79f5) >>> 0;
    let t = this.#a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO32;
  }

  /** Integer in [0, n): `floor(uniform · n)`. */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** True with probability `p` (one uniform drawn whatever `p` is). */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Exponential with mean 1 by inversion, `−ln(1 − u)`: finite because u < 1. */
  exponential(): number {
    return -Math.log(1 - this.uniform());
  }

  /**
   * `floor(mean · Exp(1))`: geometric on {0, 1, 2, …} with P(k) = (1 − q) q^k, q = e^(−1/mean),
   * so its mean is 1 / (e^(1/mean) − 1), a little below `mean`.
   */
  floorExponential(mean: number): number {
    return Math.floor(this.exponential() * mean);
  }

  /**
   * Standard normal by Box–Muller: a call with no spare draws u and v and returns
   * `√(−2 ln(1 − u)) · cos 2πv`, keeping `… · sin 2πv` for the next call.
   */
  normal(): number {
    const s = this.#spare;
    if (!Number.isNaN(s)) {
      this.#spare = Number.NaN;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const v = this.uniform();
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Standard normal from Box–Muller's cosine half alone: two fresh uniforms per call, no spare
   * kept. Half as efficient as `normal`; the spot quotes draw this way, and their seeds' outputs
   * depend on it.
   */
  normalUnpaired(): number {
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    return r * Math.cos(2 * Math.PI * this.uniform());
  }
}

/** A mulberry32 stream as a function of uniforms in [0, 1) (the draws of `Random.uniform`). */
export function prng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.uniform();
}

/** sfc32, a 32-bit generator with a 128-bit state; the seed fills one word and 15 steps mix it in. */
export class Sfc32 {
  #a = 0x9e3779b9;
  #b = 0x243f6a88;
  #c: number;
  #d = 1;

  constructor(seed: number) {
    this.#c = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Next uint32. */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Integer in [0, n) (0 when n <= 0). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / TWO32) * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() / TWO32 < p;
  }

  /** A uniformly chosen item. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** MurmurHash3's 32-bit finaliser: every input bit flips each output bit with probability ~½. */
export function fmix32(h: number): number {
  let x = h >>> 0;
  x = Math.imul(x ^ (x >>> 16), FMIX1) >>> 0;
  x = Math.imul(x ^ (x >>> 13), FMIX2) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The seed of the stream named by a 32-bit `key` (a date as YYYYMMDD, say) under a run seed. */
export function keyedSeed(seed: number, key: number): number {
  return fmix32(Math.imul(seed | 0, GOLDEN) ^ key);
}

/** The seed of the `index`-th of a run's independent streams (fuzz inputs, spot pairs). */
export function indexedSeed(seed: number, index: number): number {
  return fmix32(seed ^ Math.imul(index + 1, GOLDEN));
}

/**
 * A run seed scrambled by a 32-bit `salt` (not yet mixed: derive from it with `keyedSeed` or
 * `indexedSeed`), so one component's streams differ from another's under the same run seed.
 */
export function saltedSeed(seed: number, salt: number): number {
  return Math.imul(seed ^ salt, FMIX1);
}
