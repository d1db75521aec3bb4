/**
 * A client-side request allowance: at most `limit` requests in any `windowMs` (IG counts per
 * minute, per account and per application). A request over the allowance waits for the oldest
 * one in the window to age out instead of being sent and refused with
 * `error.public-api.exceeded-account-allowance`. Waiters go in the order they asked.
 */
import { requirePositiveInt } from '../../core/index.js';
import { IgError } from './errors.js';

export class RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  /** Start times (ms) of the requests in the current window, oldest first. */
  readonly #sent: number[] = [];
  readonly #waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(limit: number, windowMs = 60_000) {
    this.limit = requirePositiveInt('requests per window', limit);
    this.windowMs = requirePositiveInt('allowance window (ms)', windowMs);
  }

  /** Requests waiting for room. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves when a request may be sent now (and counts it). */
  acquire(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#drain();
    });
  }

  /** Refuses the waiting requests and stops the timer. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const w of this.#waiting.splice(0)) w.reject(closedError());
  }

  #drain(): void {
    if (this.#timer !== null) return;
    const now = Date.now();
    while (this.#sent.length > 0 && this.#sent[0] <= now - this.windowMs) this.#sent.shift();
    while (this.#waiting.length > 0 && this.#sent.length < this.limit) {
      this.#sent.push(now);
      this.#waiting.shift()?.resolve();
    }
    if (this.#waiting.length === 0) return;
    const wait = Math.max(1, this.#sent[0] + this.windowMs - now);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#drain();
    }, wait);
  }
}

function closedError(): IgError {
  return new IgError('IG_NETWORK', 'IG client closed: the request was not sent', { call: '-' });
}
