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

const UNIT_NS: Record<string, bigint> = {
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Parses an interval such as `100ms`, `1s`, `10s`, `1m`, `1h` into nanoseconds (at least 1 ms). */
export function parseInterval(v: string): bigint {
  const m = /^(\d+)(ms|s|m|h)$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`"${v}" is not an interval such as 100ms, 1s, 10s or 1m`);
  const ns = BigInt(m[1]) * UNIT_NS[m[2]];
  if (ns <= 0n) throw new InvalidArgumentError(`"${v}" is not a positive interval`);
  return ns;
}
