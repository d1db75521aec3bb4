/**
 * A circuit breaker in front of a provider: after `threshold` consecutive failures that say the
 * service is not answering (time-out, network, rate limit, HTTP 5xx), calls stop reaching it for
 * `coolDownMs` on the injected clock and fail at once as `unavailable`; the first call after the
 * cool-down is a trial that closes the breaker on success or opens it again on failure. A dead or
 * throttled server thus costs one time-out per cool-down instead of one per decision step, and the
 * pipeline keeps deciding from the quant evidence in the meantime.
 */

import { type Clock, componentLogger, type Logger, wallClock } from '../core/index.js';
import type { LlmFailure, LlmProvider, StructuredRequest, StructuredResult } from './types.js';
import { NO_USAGE } from './types.js';

export interface BreakerOptions {
  /** Consecutive service failures that open the breaker. Default 3. */
  readonly threshold?: number;
  /** How long it stays open, ms. Default 30,000. */
  readonly coolDownMs?: number;
  readonly clock?: Clock;
  /** Where opening and closing are logged. Default a child of the root logger. */
  readonly logger?: Logger;
}

/** Failures that say the service is not answering (not a bad answer to this prompt). */
function isServiceFailure(f: LlmFailure): boolean {
  if (f.kind === 'timeout' || f.kind === 'network' || f.kind === 'rate_limited') return true;
  return f.kind === 'http' && (f.status === undefined || f.status >= 500);
}

export class BreakerProvider implements LlmProvider {
  readonly name: string;
  readonly model: string;
  readonly #inner: LlmProvider;
  readonly #threshold: number;
  readonly #coolDownMs: number;
  readonly #clock: Clock;
  #failures = 0;
  #openUntil = Number.NEGATIVE_INFINITY;
  #lastFailure: LlmFailure | null = null;
  /** Whether the last transition logged was an opening (a trial's success then closes it). */
  #tripped = false;
  readonly #log: Logger;
  /** Calls refused while open. */
  refused = 0;

  constructor(inner: LlmProvider, opts: BreakerOptions = {}) {
    this.#inner = inner;
    this.name = inner.name;
    this.model = inner.model;
    this.#threshold = opts.threshold ?? 3;
    this.#coolDownMs = opts.coolDownMs ?? 30_000;
    this.#clock = opts.clock ?? wallClock;
    this.#log = opts.logger ?? componentLogger('llm-breaker');
  }

  /** The provider behind the breaker. */
  get inner(): LlmProvider {
    return this.#inner;
  }

  /** True while calls are refused. */
  get open(): boolean {
    return this.#clock.now() < this.#openUntil;
  }

  async complete<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    if (this.open) {
      this.refused++;
      const last = this.#lastFailure;
      return {
        ok: false,
        failure: {
          kind: 'unavailable',
          message: `not asked: ${this.#failures} calls in a row failed (last: ${last?.kind ?? '?'}: ${last?.message ?? ''}); retrying after the cool-down`,
        },
        usage: NO_USAGE,
        latencyMs: 0,
        provider: this.name,
        model: this.model,
      };
    }
    const res = await this.#inner.complete(req);
    if (res.ok) {
      this.#failures = 0;
      if (this.#tripped) {
        this.#tripped = false;
        this.#log.info({ provider: this.name, model: this.model }, 'model breaker closed');
      }
    } else if (isServiceFailure(res.failure)) {
      this.#failures++;
      this.#lastFailure = res.failure;
      if (this.#failures >= this.#threshold) {
        this.#openUntil = this.#clock.now() + this.#coolDownMs;
        this.#log.warn(
          {
            provider: this.name,
            model: this.model,
            failures: this.#failures,
            coolDownMs: this.#coolDownMs,
            trial: this.#tripped,
            failure: { kind: res.failure.kind, message: res.failure.message },
          },
          'model breaker open',
        );
        this.#tripped = true;
      }
    }
    return res;
  }
}
