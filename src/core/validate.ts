/**
 * Checks of constructor parameters. Each returns the checked value, or throws an
 * `InvalidOptionError` (a `ConfigError`) naming the parameter and quoting what was given.
 */
import { InvalidOptionError } from './errors.js';

/** `value` when it is a positive finite number. */
export function requirePositive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new InvalidOptionError(name, value, 'a positive number');
  return value;
}

/** `value` when it is a positive integer. */
export function requirePositiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidOptionError(name, value, 'a positive integer');
  return value;
}

/** `value` when it is a finite number. */
export function requireFinite(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new InvalidOptionError(name, value, 'a finite number');
  return value;
}

/** `value` when it is an integer in [min, max]. */
export function requireIntInRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}

/** `value` when it is one of `allowed`. */
export function requireOneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InvalidOptionError(name, value, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
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
