/**
 * Clocks (CONVENTIONS.md "Time, clocks and determinism"): every component that needs "now" takes a
 * `Clock`. Backtests and the demo drive a `ManualClock` from event timestamps; paper and live
 * trading use `wallClock`.
 */

/** A source of the current time in ms since the epoch. */
export interface Clock {
  now(): number;
}

/** The machine's wall clock. */
export const wallClock: Clock = { now: () => Date.now() };

/** A clock set by its owner (e.g. to each event's timestamp); it never goes back. */
export class ManualClock implements Clock {
  #t: number;

  constructor(startMs = 0) {
    this.#t = startMs;
  }

  now(): number {
    return this.#t;
  }

  /** Moves to `tMs` (ignored when earlier than now). */
  set(tMs: number): void {
    if (tMs > this.#t) this.#t = tMs;
  }

  /** Moves forward by `ms` (>= 0). */
  advance(ms: number): void {
    if (ms > 0) this.#t += ms;
  }
}
