/** Parsers of command-line option values: each rejects bad input with a message quoting it. */
import { InvalidArgumentError } from 'commander';

/** A whole number >= 0. */
export function nonNegativeInt(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) throw new InvalidArgumentError(`"${v}" is not a non-negative integer`);
  return x;
}

/** A whole number > 0. */
export function positiveInt(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x <= 0) throw new InvalidArgumentError(`"${v}" is not a positive integer`);
  return x;
}

/** A finite number > 0. */
export function positiveNumber(v: string): number {
  const x = Number(v);
  if (!(x > 0) || !Number.isFinite(x)) throw new InvalidArgumentError(`"${v}" is not a positive number`);
  return x;
}

/** A finite number >= 0 (an amount of money, say). */
export function nonNegativeNumber(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !(x >= 0) || !Number.isFinite(x))
    throw new InvalidArgumentError(`"${v}" is not a non-negative number`);
  return x;
}

/** A 32-bit unsigned random seed. */
export function seedArg(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff)
    throw new InvalidArgumentError(`"${v}" is not a seed (0 to 4294967295)`);
  return x;
}

/** true/false (also yes/no, 1/0, on/off). */
export function parseBool(v: string): boolean {
  if (/^(true|yes|1|on)$/i.test(v)) return true;
  if (/^(false|no|0|off)$/i.test(v)) return false;
  throw new InvalidArgumentError(`"${v}" is not true or false`);
}
