/**
 * The shape of every streaming calculator: features, indicators, bar builders, regime filters.
 *
 * Construct with parameters, feed with `update(...)`, read through getters. The input differs from
 * one calculator to the next (a bar close; a bar's high, low and close; a book view and the event's
 * time in ms; a trade's time, price, size and aggressor side), so it is the type parameter; what
 * they share is how they warm up and start over:
 * - until `isReady`, every value is NaN (numbers) or null (objects), never a made-up number; counts
 *   of what was seen (trades, alerts) are the exception: 0 is a true count;
 * - `isReady` is a getter (per-window readiness of a multi-window calculator is a method with
 *   another name), true once every value it guards is defined;
 * - `reset()` returns the calculator to its constructed state: fed the same input afterwards, it
 *   gives the same values as a new instance.
 * No I/O, no timers, no clock reads: time comes in with the input, so a calculator behaves the
 * same in a backtest and live. `test/calculator-contract.ts` checks all of this on each one.
 */
export interface Calculator<Input extends readonly unknown[] = readonly unknown[]> {
  /** Feeds one input (some calculators also return their value). */
  update(...input: Input): unknown;
  /** Whether the values are defined (enough input has been seen). */
  readonly isReady: boolean;
  /** Forgets everything: back to the state of a new instance. */
  reset(): void;
}

/** A calculator with one headline value: NaN (or null) until `isReady`. */
export interface ValueCalculator<Input extends readonly unknown[] = readonly unknown[], Value = number>
  extends Calculator<Input> {
  /** The current value. */
  readonly value: Value;
}
