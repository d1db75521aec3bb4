/** Typed arrays the engine's pools and ladders keep their state in. */
export type NumericArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Uint8Array
  | Int8Array;

/**
 * A copy of `a` with room for `length` elements (the new ones 0), of the same element type: for
 * pools that double when full, the only allocation they make after warm-up.
 */
export function grown<T extends NumericArray>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
