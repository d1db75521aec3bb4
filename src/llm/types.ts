/**
 * The model interface the pipeline uses (issue 7, "Reasoning with and without a model"): a
 * provider answers a structured request with a value validated against a zod schema, or with a
 * typed failure; it never throws for a bad answer, a time-out, a refusal or a rate limit, so the
 * caller can fall back to the quant answer and record why.
 */

import type * as z from 'zod/v4/core';

export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** A request for a JSON answer of a known shape. */
export interface StructuredRequest<T> {
  readonly system: string;
  readonly messages: readonly ChatMessage[];
  /** Validates (and types) the answer: a zod schema of either API, classic (`zod`) or mini (`zod/mini`). */
  readonly schema: z.$ZodType<T>;
  /** Name of the schema / tool (letters, digits, underscores). */
  readonly schemaName: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
  /** Cancels the call. */
  readonly signal?: AbortSignal;
  /** Gives up after this many ms when that is sooner than the provider's own time-out. */
  readonly timeoutMs?: number;
  /** Key of the quantised market state, for the state cache layer (optional). */
  readonly stateKey?: string;
}

/** Tokens and money one call (or a decision's calls) used. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens served from the provider's prompt cache. */
  readonly cachedInputTokens: number;
  readonly costUsd: number;
}

export const NO_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  costUsd: 0,
});

/** Why a call gave no usable answer. */
export type LlmFailureKind =
  | 'timeout'
  | 'aborted'
  | 'rate_limited'
  | 'refused'
  | 'malformed'
  | 'truncated'
  | 'http'
  | 'network'
  | 'config'
  /** Not asked: the service failed repeatedly and the breaker is open (see `BreakerProvider`). */
  | 'unavailable';

export interface LlmFailure {
  readonly kind: LlmFailureKind;
  /** What happened, without secrets. */
  readonly message: string;
  /** HTTP status when there was one. */
  readonly status?: number;
  /** How long the server asked to wait before the next call (from `retry-after`), when it did. */
  readonly retryAfterMs?: number;
}

/** Where an answer came from. */
export type AnswerSource = 'model' | 'exact_cache' | 'state_cache';

export type StructuredResult<T> =
  | {
      readonly ok: true;
      readonly value: T;
      readonly source: AnswerSource;
      /** One invalid answer was repaired by a second call. */
      readonly repaired: boolean;
      readonly usage: Usage;
      readonly latencyMs: number;
      readonly provider: string;
      readonly model: string;
    }
  | {
      readonly ok: false;
      readonly failure: LlmFailure;
      readonly usage: Usage;
      readonly latencyMs: number;
      readonly provider: string;
      readonly model: string;
    };

/** A model behind one API. */
export interface LlmProvider {
  /** `openai` (any OpenAI-compatible server) or `anthropic`. */
  readonly name: string;
  readonly model: string;
  complete<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>>;
}
