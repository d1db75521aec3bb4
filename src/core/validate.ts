/** Checks of constructor parameters, with errors that name the parameter and quote its value. */

/** Throws a RangeError naming the option when `value` is not a positive finite number. */
export function requirePositive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/** Throws a RangeError naming the option when `value` is not a positive integer. */
export function requirePositiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
