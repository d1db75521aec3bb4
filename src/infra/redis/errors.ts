import { EngineError } from '../../core/index.js';

/**
 * Why a Redis call failed:
 * - `REDIS_UNAVAILABLE`: there is no working connection now (the server is down or unreachable, or
 *   it did not answer at start-up); the call was not sent;
 * - `REDIS_FAILED`: the call was sent and failed: the server answered with an error, the command
 *   timed out, or the connection dropped before the answer;
 * - `REDIS_CLOSED`: a call after `close()`.
 */
export type RedisErrorCode = 'REDIS_UNAVAILABLE' | 'REDIS_FAILED' | 'REDIS_CLOSED';

/** A Redis call that failed, naming the server (its URL without a password) and what was asked. */
export class RedisError extends EngineError {
  declare readonly code: RedisErrorCode;
  constructor(
    code: RedisErrorCode,
    readonly url: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `redis ${url}: ${detail}`, options);
  }
}
