/**
 * The LLM section of the configuration and the environment variable behind each of its fields
 * (config.ts reads them): apart from the providers, so that a configuration embedding the section
 * loads no provider, cache or call code.
 */

import * as z from 'zod';

/** Default response cache TTL, ms: inside the 30–60 s a scalping view stays useful (cache.ts). */
export const DEFAULT_CACHE_TTL_MS = 45_000;

const price = z.number().finite().min(0);

/** The LLM section of the configuration. */
export const LlmConfigSchema = z
  .strictObject({
    provider: z.enum(['none', 'openai', 'anthropic']).default('none'),
    model: z.string().min(1).optional(),
    baseURL: z.url({ protocol: /^https?$/ }).optional(),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
      .optional(),
    timeoutMs: z.number().int().positive().optional(),
    cacheTtlMs: z.number().int().min(0).default(DEFAULT_CACHE_TTL_MS),
    jsonMode: z.enum(['json_schema', 'json_object']).optional(),
    pricing: z
      .strictObject({ inputPerMTok: price, outputPerMTok: price, cachedInputPerMTok: price })
      .optional(),
  })
  .refine((c) => c.provider === 'none' || c.model !== undefined, {
    path: ['model'],
    message: 'a model name is required with a provider',
  });
export type LlmConfig = z.infer<typeof LlmConfigSchema>;

/** The environment variable behind each configuration field (by dotted path). */
export const LLM_ENV_VARS: Readonly<Record<string, string>> = {
  provider: 'SCALPER_LLM_PROVIDER',
  model: 'SCALPER_LLM_MODEL',
  baseURL: 'SCALPER_LLM_BASE_URL',
  apiKeyEnv: 'SCALPER_LLM_API_KEY_ENV',
  timeoutMs: 'SCALPER_LLM_TIMEOUT_MS',
  cacheTtlMs: 'SCALPER_LLM_CACHE_TTL_MS',
  jsonMode: 'SCALPER_LLM_JSON_MODE',
  'pricing.inputPerMTok': 'SCALPER_LLM_PRICE_INPUT',
  'pricing.outputPerMTok': 'SCALPER_LLM_PRICE_OUTPUT',
  'pricing.cachedInputPerMTok': 'SCALPER_LLM_PRICE_CACHED',
};
