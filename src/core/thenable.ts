/**
 * Whether `value` is a promise (anything with a `then` method): for the paths that take an answer
 * given at once as it is and wait only for one that comes later (analysts, risk checks, grid hooks).
 * Reading `then` can throw (a getter); a caller that must treat that as the answer's failure calls
 * this inside its `try`.
 */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null | undefined)?.then === 'function';
}
