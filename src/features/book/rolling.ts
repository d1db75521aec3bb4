/**
 * Time-bucketed rolling sums: the window of `windowMs` is split into `windowMs / bucketMs`
 * buckets held in a fixed ring (MICROSTRUCTURE.md §1, "time-bucketed ring, window sums are
 * running sums: add new bucket, subtract expired"). Several channels share one ring so that a
 * calculator keeping e.g. an OFI sum and a depth sum over the same window expires them together.
 *
 * Time comes from the events (`advance(tsMs)`), never from a clock. The window holds the bucket of
 * the latest timestamp and the `n − 1` before it, i.e. events within the last `windowMs` to the
 * resolution of one bucket. A timestamp older than the current bucket (out-of-order data) is
 * counted in the current bucket. A jump of a whole window or more (a gap in the data) empties
 * the window in O(channels · n) once; otherwise expiring costs O(channels) per bucket passed.
 * An event inside the current bucket costs one comparison (`nextBucketMs`).
 */

import { bucketEndBefore, requirePositive, requirePositiveInt, requireSteps } from '../../core/index.js';

/** Running sums of several channels over a rolling time window of fixed-size buckets. */
export class RollingSums {
  /** Window length in ms. */
  readonly windowMs: number;
  /** Bucket length in ms (the window's time resolution). */
  readonly bucketMs: number;
  /** Number of channels. */
  readonly channels: number;
  readonly #n: number;
  readonly #buf: Float64Array;
  readonly #sum: Float64Array;
  /** Absolute index (floor(ts / bucketMs)) of the current bucket; NaN before the first event. */
  #head = Number.NaN;
  /** Offset in `#buf` of the current bucket's first channel; −1 before the first event. */
  #base = -1;
  /** `bucketEndBefore(#head)`: −∞ before the first event. */
  #until = Number.NEGATIVE_INFINITY;

  constructor(windowMs: number, bucketMs: number, channels: number) {
    const n = requireSteps('windowMs', windowMs, requirePositive('bucketMs', bucketMs));
    requirePositiveInt('channels', channels);
    this.windowMs = windowMs;
    this.bucketMs = bucketMs;
    this.channels = channels;
    this.#n = n;
    this.#buf = new Float64Array(n * channels);
    this.#sum = new Float64Array(channels);
  }

  /** True once a timestamp has been seen (sums are then defined, 0 for an empty window). */
  get started(): boolean {
    return !Number.isNaN(this.#head);
  }

  /**
   * A time before which `advance` stays in the current bucket (slightly before the next bucket
   * starts; −∞ before the first event): a caller staging sums for the current bucket flushes them
   * once an event reaches it.
   */
  get nextBucketMs(): number {
    return this.#until;
  }

  /** Moves the window's end to `tsMs`, expiring the buckets that fall out of it. */
  advance(tsMs: number): void {
    if (tsMs < this.#until) return;
    if (Number.isNaN(tsMs)) return;
    const b = Math.floor(tsMs / this.bucketMs);
    const head = this.#head;
    if (Number.isNaN(head)) {
      this.#head = b;
      this.#base = (b % this.#n) * this.channels;
      this.#until = bucketEndBefore(b, this.bucketMs);
      return;
    }
    if (b <= head) return;
    const n = this.#n;
    const ch = this.channels;
    const buf = this.#buf;
    const sum = this.#sum;
    let base = this.#base;
    if (b - head >= n) {
      buf.fill(0);
      sum.fill(0);
      base = (b % n) * ch;
    } else {
      // Bucket numbers are beyond 2^31 (ms since the epoch / bucket), so `k % n` would be a
      // floating-point remainder, a runtime call: step the ring offset instead (bucket k + 1
      // follows bucket k in the ring, wrapping at its end), which lands on the same slots.
      const lastBase = (n - 1) * ch;
      for (let k = head + 1; k <= b; k++) {
        base = base === lastBase ? 0 : base + ch;
        for (let c = 0; c < ch; c++) {
          sum[c] -= buf[base + c];
          buf[base + c] = 0;
        }
      }
    }
    this.#head = b;
    this.#base = base;
    this.#until = bucketEndBefore(b, this.bucketMs);
  }

  /** Adds `value` to `channel` in the current bucket (call `advance` with the event's time first). */
  add(channel: number, value: number): void {
    if (this.#base < 0) return;
    this.#buf[this.#base + channel] += value;
    this.#sum[channel] += value;
  }

  /** Sum of `channel` over the window (0 when empty or before the first event). */
  sum(channel: number): number {
    return this.#sum[channel];
  }

  /** Forgets everything, including the current time. */
  reset(): void {
    this.#buf.fill(0);
    this.#sum.fill(0);
    this.#head = Number.NaN;
    this.#base = -1;
    this.#until = Number.NEGATIVE_INFINITY;
  }
}
