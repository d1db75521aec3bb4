/**
 * Token and cost accounting (issue 7, "token and cost accounting per decision").
 *
 * Token counts follow one convention across providers: `inputTokens` is every prompt token the
 * call was billed for, `cachedInputTokens` the part of it served from the provider's prompt-prefix
 * cache (OpenAI `prompt_tokens_details.cached_tokens`, Anthropic `cache_read_input_tokens`). OpenAI's
 * `prompt_tokens` already include the cached ones; Anthropic reports `input_tokens`,
 * `cache_read_input_tokens` and `cache_creation_input_tokens` apart, and the provider adds them up.
 *
 * Cost in USD = (uncached input · inputPerMTok + cached input · cachedInputPerMTok
 *              + cache writes · cacheWritePerMTok + output · outputPerMTok) / 10⁶,
 * with prices per million tokens as vendors publish them. Local servers cost nothing (all prices 0).
 */

import { NO_USAGE, type Usage } from './types.js';

/** Prices in USD per million tokens. */
export interface Pricing {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  /** Input tokens read from the prompt cache. */
  readonly cachedInputPerMTok: number;
  /** Input tokens written to the prompt cache (Anthropic). Default: `inputPerMTok`. */
  readonly cacheWritePerMTok?: number;
}

/** All prices 0: a local server. */
export const FREE: Pricing = Object.freeze({ inputPerMTok: 0, outputPerMTok: 0, cachedInputPerMTok: 0 });

/** Token counts of one call, before pricing. */
export interface TokenCounts {
  /** All input tokens, cached ones included. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Of `inputTokens`, those read from the prompt cache. */
  readonly cachedInputTokens: number;
  /** Of `inputTokens`, those written to the prompt cache. Default 0. */
  readonly cacheWriteInputTokens?: number;
}

/** Prices one call's tokens. */
export function priceUsage(pricing: Pricing, tokens: TokenCounts): Usage {
  const cached = tokens.cachedInputTokens;
  const written = tokens.cacheWriteInputTokens ?? 0;
  const uncached = Math.max(0, tokens.inputTokens - cached - written);
  const costUsd =
    (uncached * pricing.inputPerMTok +
      cached * pricing.cachedInputPerMTok +
      written * (pricing.cacheWritePerMTok ?? pricing.inputPerMTok) +
      tokens.outputTokens * pricing.outputPerMTok) /
    1e6;
  return {
    inputTokens: tokens.inputTokens,
    outputTokens: tokens.outputTokens,
    cachedInputTokens: cached,
    costUsd,
  };
}

/** Adds two usages. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}

/** Sum of several usages (`NO_USAGE` for none). */
export function sumUsage(usages: Iterable<Usage>): Usage {
  let total = NO_USAGE;
  for (const u of usages) total = addUsage(total, u);
  return total;
}

/**
 * Usage summed per decision: every model call a decision makes (analysts, debate, repair) is
 * `add`ed under the decision's id, and the decision record `take`s the total once it is made.
 */
export class UsageMeter {
  readonly #byDecision = new Map<string, Usage>();
  #total: Usage = NO_USAGE;

  /** Adds one call's usage to a decision. */
  add(decisionId: string, usage: Usage): void {
    this.#byDecision.set(decisionId, addUsage(this.#byDecision.get(decisionId) ?? NO_USAGE, usage));
    this.#total = addUsage(this.#total, usage);
  }

  /** The decision's usage so far, kept. */
  peek(decisionId: string): Usage {
    return this.#byDecision.get(decisionId) ?? NO_USAGE;
  }

  /** The decision's usage, forgotten afterwards (`NO_USAGE` when it made no call). */
  take(decisionId: string): Usage {
    const usage = this.#byDecision.get(decisionId) ?? NO_USAGE;
    this.#byDecision.delete(decisionId);
    return usage;
  }

  /** Decisions with usage not yet taken. */
  get pending(): number {
    return this.#byDecision.size;
  }

  /** Everything added since construction, taken or not. */
  get total(): Usage {
    return this.#total;
  }
}
