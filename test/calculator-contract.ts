/**
 * The `Calculator` contract (src/core/calculator.ts), one suite run over every streaming calculator
 * (src/features/calculators.test.ts), as hono's `router/common.case.test.ts` runs one suite over
 * every router. Each calculator comes with its own small input and the number of inputs after which
 * it is first ready, worked out from that input; the suite then checks:
 * - `isReady` is a getter and `reset` a method;
 * - warm-up: not ready, and every value NaN or null, before that many inputs; ready after them
 *   (a value with a shorter warm-up of its own, one window of several, says so and is checked
 *   against its own count);
 * - once ready, it stays ready over the rest of the input and every value is finite;
 * - `reset()` returns it to its constructed state: it reads as a new instance, and the same input
 *   then gives the same values as a new instance;
 * - two instances fed the same input, one after the other or side by side, give the same values.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Calculator } from '../src/core/index.js';

/** What a calculator shows after an input: named values, NaN or null while it is warming up. */
export type Reading = Readonly<Record<string, number | null>>;

/** The checks of the contract, named for `skip`. */
export type ContractCheck = 'warm-up' | 'ready' | 'reset' | 'two instances';

/** One calculator under the contract. */
export interface CalculatorCase<C extends Calculator = Calculator, I = readonly unknown[]> {
  /** Names the calculator and its parameters in the test names. */
  readonly name: string;
  /** A new instance, constructed the same way each time. */
  make(): C;
  /**
   * The input, one update at a time, produced afresh for each pass (cursors and books are reused
   * objects: each input is valid until the next is produced).
   */
  inputs(): Iterable<I>;
  /** Feeds one input; by default `c.update(...input)`. */
  feed?(c: C, input: I): void;
  /** The number of inputs after which the calculator is first ready, worked out from the input. */
  readonly readyAfter: number;
  /** The values the calculator shows (copied out: plain numbers, or null for an absent object). */
  read(c: C): Reading;
  /** Values that are defined before `isReady`, each with the reason (a count is a true 0). */
  readonly early?: Readonly<Record<string, string>>;
  /**
   * Values with a warm-up of their own, shorter than the calculator's (one window of several, a
   * rate): each is absent before its own input count and defined from it on, with the reason.
   */
  readonly readySooner?: Readonly<Record<string, { readonly readyAfter: number; readonly reason: string }>>;
  /** Checks that do not apply, each with the reason. */
  readonly skip?: readonly { readonly check: ContractCheck; readonly reason: string }[];
}

/** A case with its types erased, for lists of calculators of different kinds. */
export function calculatorCase<C extends Calculator, I>(c: CalculatorCase<C, I>): CalculatorCase {
  return c as unknown as CalculatorCase;
}

function isAbsent(v: number | null): boolean {
  return v === null || Number.isNaN(v);
}

function isDefined(v: number | null): boolean {
  return v !== null && Number.isFinite(v);
}

/** Feeds every input to `c`, returning what it reads and whether it is ready after each. */
function run(k: CalculatorCase, c: Calculator): { readings: Reading[]; ready: boolean[] } {
  const readings: Reading[] = [];
  const ready: boolean[] = [];
  for (const input of k.inputs()) {
    if (k.feed) k.feed(c, input);
    else c.update(...(input as readonly unknown[]));
    readings.push(k.read(c));
    ready.push(c.isReady);
  }
  return { readings, ready };
}

/** Feeds every input to `a` and then to `b` before the next input, returning what each reads. */
function runTogether(k: CalculatorCase, a: Calculator, b: Calculator): [Reading[], Reading[]] {
  const ra: Reading[] = [];
  const rb: Reading[] = [];
  for (const input of k.inputs()) {
    for (const [c, out] of [
      [a, ra],
      [b, rb],
    ] as const) {
      if (k.feed) k.feed(c, input);
      else c.update(...(input as readonly unknown[]));
      out.push(k.read(c));
    }
  }
  return [ra, rb];
}

/** Finds `name` on `obj` or its prototypes. */
function descriptor(obj: object, name: string): PropertyDescriptor | undefined {
  for (let p: object | null = obj; p !== null; p = Object.getPrototypeOf(p)) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** Registers the contract's tests for one calculator. */
export function runCalculatorContract(k: CalculatorCase): void {
  const skipped = (check: ContractCheck) => k.skip?.find((s) => s.check === check)?.reason ?? false;
  const early = new Set(Object.keys(k.early ?? {}));
  for (const [name, own] of Object.entries(k.readySooner ?? {})) {
    if (!(own.readyAfter < k.readyAfter)) throw new Error(`${k.name}: ${name} is not ready sooner`);
  }

  describe(`${k.name} (Calculator contract)`, () => {
    test('isReady is a getter, reset a method', () => {
      const c = k.make();
      const d = descriptor(c, 'isReady');
      assert.ok(d?.get !== undefined, 'isReady is a getter');
      assert.equal(typeof descriptor(c, 'reset')?.value, 'function', 'reset is a method');
      assert.equal(typeof descriptor(c, 'update')?.value, 'function', 'update is a method');
    });

    test('warm-up: not ready and no value before the worked input count, ready at it', {
      skip: skipped('warm-up'),
    }, () => {
      const c = k.make();
      const first = k.read(c);
      assert.equal(c.isReady, false, 'a new instance is not ready');
      for (const [name, v] of Object.entries(first)) {
        assert.ok(isAbsent(v) || early.has(name), `${name} = ${v} before any input`);
      }
      const { readings, ready } = run(k, c);
      assert.ok(readings.length >= k.readyAfter, `the input has ${readings.length} updates`);
      for (let i = 0; i < k.readyAfter - 1; i++) {
        assert.equal(ready[i], false, `ready after input ${i + 1}`);
        for (const [name, v] of Object.entries(readings[i])) {
          if (early.has(name)) continue;
          const own = k.readySooner?.[name];
          if (own !== undefined && i + 1 >= own.readyAfter) {
            assert.ok(isDefined(v), `${name} = ${v} after input ${i + 1}, its own warm-up done`);
          } else {
            assert.ok(isAbsent(v), `${name} = ${v} after input ${i + 1}, not ready`);
          }
        }
      }
      assert.equal(ready[k.readyAfter - 1], true, `ready after input ${k.readyAfter}`);
    });

    test('once ready it stays ready, every value finite', { skip: skipped('ready') }, () => {
      const { readings, ready } = run(k, k.make());
      assert.ok(readings.length > k.readyAfter, 'the input goes on after the warm-up');
      for (let i = k.readyAfter - 1; i < readings.length; i++) {
        assert.equal(ready[i], true, `not ready after input ${i + 1}`);
        for (const [name, v] of Object.entries(readings[i])) {
          assert.ok(isDefined(v), `${name} = ${v} after input ${i + 1}, ready`);
        }
      }
    });

    test('reset returns it to the constructed state', { skip: skipped('reset') }, () => {
      const fresh = run(k, k.make());
      const c = k.make();
      run(k, c);
      c.reset();
      assert.equal(c.isReady, false, 'not ready after reset');
      assert.deepStrictEqual(k.read(c), k.read(k.make()), 'reads as a new instance');
      const again = run(k, c);
      assert.deepStrictEqual(again.readings, fresh.readings);
      assert.deepStrictEqual(again.ready, fresh.ready);
    });

    test('two instances fed the same input agree', { skip: skipped('two instances') }, () => {
      const a = run(k, k.make());
      const b = run(k, k.make());
      assert.deepStrictEqual(b.readings, a.readings);
      assert.deepStrictEqual(b.ready, a.ready);
      // Fed side by side, input by input, neither sees the other's state.
      const [x, y] = runTogether(k, k.make(), k.make());
      assert.deepStrictEqual(x, a.readings);
      assert.deepStrictEqual(y, a.readings);
    });
  });
}
