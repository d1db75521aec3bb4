/**
 * Order id → slot map for the L3 book: open addressing with linear probing over typed arrays.
 * A `Map<number, number>` would box every CME order id (~6e12, beyond V8's small integers) as a
 * heap number on insertion, one allocation per add on the hot path; here keys are stored
 * unboxed in a Float64Array and nothing is allocated except when the table doubles.
 */

const EMPTY = -1;

/**
 * Maps integer ids below 2^53 (as `number`s) to non-negative slot indexes. The `…At` methods take
 * the id as `src[at]`: a double passed as an argument to a call V8 does not inline is boxed, one
 * allocation per call, while an element of a Float64Array is read unboxed.
 */
export class OrderIndex {
  readonly #arg = new Float64Array(1);
  #keys: Float64Array;
  #vals: Int32Array;
  #mask: number;
  #size = 0;

  /** `capacity`: ids expected; the table starts at the next power of two at least twice that. */
  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.#keys = new Float64Array(cap);
    this.#vals = new Int32Array(cap).fill(EMPTY);
    this.#mask = cap - 1;
  }

  /** Number of ids held. */
  get size(): number {
    return this.#size;
  }

  /** The slot of `id`, or −1. */
  get(id: number): number {
    this.#arg[0] = id;
    return this.getAt(this.#arg, 0);
  }

  /** Maps `id` to `slot` (>= 0), replacing any previous slot. */
  set(id: number, slot: number): void {
    this.#arg[0] = id;
    this.setAt(this.#arg, 0, slot);
  }

  /** Removes `id`; returns its slot, or −1 if it was absent. */
  delete(id: number): number {
    this.#arg[0] = id;
    return this.deleteAt(this.#arg, 0);
  }

  /** The slot of the id `src[at]`, or −1. */
  getAt(src: Float64Array, at: number): number {
    const id = src[at];
    const keys = this.#keys;
    const vals = this.#vals;
    const mask = this.#mask;
    let i = hash(src, at) & mask;
    for (;;) {
      const v = vals[i];
      if (v === EMPTY) return EMPTY;
      if (keys[i] === id) return v;
      i = (i + 1) & mask;
    }
  }

  /** Maps the id `src[at]` to `slot` (>= 0), replacing any previous slot. */
  setAt(src: Float64Array, at: number, slot: number): void {
    if ((this.#size + 1) * 2 > this.#vals.length) this.#grow();
    const id = src[at];
    const keys = this.#keys;
    const vals = this.#vals;
    const mask = this.#mask;
    let i = hash(src, at) & mask;
    for (;;) {
      const v = vals[i];
      if (v === EMPTY) {
        keys[i] = id;
        vals[i] = slot;
        this.#size++;
        return;
      }
      if (keys[i] === id) {
        vals[i] = slot;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Removes the id `src[at]`; returns its slot, or −1 if it was absent. */
  deleteAt(src: Float64Array, at: number): number {
    const id = src[at];
    const keys = this.#keys;
    const vals = this.#vals;
    const mask = this.#mask;
    let i = hash(src, at) & mask;
    for (;;) {
      const v = vals[i];
      if (v === EMPTY) return EMPTY;
      if (keys[i] === id) break;
      i = (i + 1) & mask;
    }
    const slot = vals[i];
    // Backward-shift deletion: pull later entries of the probe run into the hole so that
    // lookups never stop early at it (no tombstones to accumulate).
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (vals[j] === EMPTY) break;
      const home = hash(keys, j) & mask;
      // Entry j may move to the hole i unless its home lies cyclically in (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        keys[i] = keys[j];
        vals[i] = vals[j];
        i = j;
      }
    }
    vals[i] = EMPTY;
    this.#size--;
    return slot;
  }

  /** Forgets every id, keeping the table's capacity. */
  clear(): void {
    if (this.#size === 0) return;
    this.#vals.fill(EMPTY);
    this.#size = 0;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldVals = this.#vals;
    const cap = oldVals.length * 2;
    this.#keys = new Float64Array(cap);
    this.#vals = new Int32Array(cap).fill(EMPTY);
    this.#mask = cap - 1;
    this.#size = 0;
    for (let i = 0; i < oldVals.length; i++) if (oldVals[i] !== EMPTY) this.setAt(oldKeys, i, oldVals[i]);
  }
}

/**
 * Mixes both 32-bit halves of the integer id `src[at]` (exchange ids are often sequential, and
 * differ only in their low bits) with multiply-xorshift steps. Takes the id by position, like the
 * methods above, so that it is never boxed on its way in.
 */
function hash(src: Float64Array, at: number): number {
  const id = src[at];
  const lo = id >>> 0;
  const hi = ((id - lo) / 4294967296) | 0;
  let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi ^ 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h;
}
