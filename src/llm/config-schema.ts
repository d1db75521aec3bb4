/**
 * The LLM section of the configuration and the environment variable behind each of its fields
 * (config.ts reads them): apart from the providers, so that a configuration embedding the section
 * loads no provider, cache or call code.
 */

import * as z from 'zod/mini';
import { nonNegInt } from '../core/schema/index.js';

/** Default response cache TTL, ms: inside the 30–60 s a scalping view stays useful (cache.ts). */
export const DEFAULT_CACHE_TTL_MS = 45_000;

const price = z.number().check(z.gte(0));

/** The LLM section of the configuration. */
export const LlmConfigSchema = z
  .strictObject({
    provider: z._default(z.enum(['none', 'openai', 'anthropic']), 'none'),
    model: z.optional(z.string().check(z.minLength(1))),
    baseURL: z.optional(z.url({ protocol: /^https?$/ })),
    apiKeyEnv: z.optional(
      z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')),
    ),
    timeoutMs: z.optional(z.number().check(z.int(), z.positive())),
    cacheTtlMs: nonNegInt(DEFAULT_CACHE_TTL_MS),
    /**
     * Where answers are cached: `memory` (this process) or `redis` (shared by every process on
     * SCALPER_REDIS_URL, default redis://127.0.0.1:6379, so a model is asked once for all of them).
     */
    cache: z._default(z.enum(['memory', 'redis']), 'memory'),
    jsonMode: z.optional(z.enum(['json_schema', 'json_object'])),
    pricing: z.optional(
      z.strictObject({ inputPerMTok: price, outputPerMTok: price, cachedInputPerMTok: price }),
    ),
  })
  .check(
    z.refine((c) => c.provider === 'none' || c.model !== undefined, {
      path: ['model'],
      message: 'a model name is required with a provider',
    }),
  );
export type LlmConfig = z.infer<typeof LlmConfigSchema>;

/** The environment variable behind each configuration field (by dotted path). */
export const LLM_ENV_VARS: Readonly<Record<string, string>> = {
  provider: 'SCALPER_LLM_PROVIDER',
  model: 'SCALPER_LLM_MODEL',
  baseURL: 'SCALPER_LLM_BASE_URL',
  apiKeyEnv: 'SCALPER_LLM_API_KEY_ENV',
  timeoutMs: 'SCALPER_LLM_TIMEOUT_MS',
  cacheTtlMs: 'SCALPER_LLM_CACHE_TTL_MS',
  cache: 'SCALPER_LLM_CACHE',
  jsonMode: 'SCALPER_LLM_JSON_MODE',
  'pricing.inputPerMTok': 'SCALPER_LLM_PRICE_INPUT',
  'pricing.outputPerMTok': 'SCALPER_LLM_PRICE_OUTPUT',
  'pricing.cachedInputPerMTok': 'SCALPER_LLM_PRICE_CACHED',
};
