/**
 * The shared checks of constructor and function parameters. Each returns the value when it is in
 * its domain and otherwise throws an `InvalidOptionError` that names the parameter and quotes the
 * value (`windowBuckets must be a positive integer, got 2.5`). Configuration files are checked by
 * their zod schemas (`core/config.ts`); these guard the options objects code passes directly.
 */
import { InvalidOptionError } from './errors.js';

/** `value` when it is a finite number. */
export function requireFinite(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new InvalidOptionError(name, value, 'a finite number');
  return value;
}

/** `value` when it is a positive finite number. */
export function requirePositive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new InvalidOptionError(name, value, 'a positive number');
  return value;
}

/** `value` when it is a finite number ≥ 0. */
export function requireNonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value))
    throw new InvalidOptionError(name, value, 'a non-negative number');
  return value;
}

/** `value` when it is a positive integer. */
export function requirePositiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidOptionError(name, value, 'a positive integer');
  return value;
}

/** `value` when it is an integer ≥ 0. */
export function requireNonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new InvalidOptionError(name, value, 'a non-negative integer');
  return value;
}

/** `value` when it is a number in [min, max] (and an integer with `integer`). */
export function requireInRange(
  name: string,
  value: number,
  min: number,
  max: number,
  integer = false,
): number {
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value)))
    throw new InvalidOptionError(name, value, `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
  return value;
}

/** `value` when it is an integer in [min, max]. */
export function requireIntInRange(name: string, value: number, min: number, max: number): number {
  return requireInRange(name, value, min, max, true);
}

/** `value` when it is one of `allowed`. */
export function requireOneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new InvalidOptionError(name, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return value as T;
}

/** `list` when it holds at least one element. */
export function requireNonEmpty<T>(name: string, list: readonly T[]): readonly T[] {
  if (list.length === 0) throw new InvalidOptionError(name, list, 'a non-empty list');
  return list;
}

/**
 * The number of `step`s in `value` when `value` is a whole multiple of `step` holding at least
 * `min` of them (a window of sampling steps, say).
 */
export function requireSteps(name: string, value: number, step: number, min = 1): number {
  const k = value / step;
  if (!Number.isInteger(k) || k < min) {
    throw new InvalidOptionError(name, value, `a multiple of ${step} of at least ${min * step}`);
  }
  return k;
}

/** `length` when it equals `expected`; `what` says what the count must match (`one per state`). */
export function requireLength(name: string, length: number, expected: number, what: string): number {
  if (length !== expected) throw new InvalidOptionError(`${name} length`, length, `${expected} (${what})`);
  return length;
}
