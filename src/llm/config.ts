/**
 * Which model, if any, the engine uses: a zod-validated `LlmConfig`, read from the environment by
 * `llmFromEnv` (STYLE.md "Configuration is validated once, at the edge"). With no provider
 * configured (`SCALPER_LLM_PROVIDER` unset or 'none') there is no provider at all and the engine
 * decides from quant evidence alone, deterministically.
 *
 * Environment variables:
 *
 *     SCALPER_LLM_PROVIDER       none | openai | anthropic (default none)
 *     SCALPER_LLM_MODEL          model name, required with a provider
 *     SCALPER_LLM_BASE_URL       server root, e.g. http://127.0.0.1:8000/v1 (vLLM), :8080/v1 (llama.cpp),
 *                                :11434/v1 (Ollama), :1234/v1 (LM Studio); default the vendor's API
 *     SCALPER_LLM_API_KEY_ENV    name of the variable holding the key (default OPENAI_API_KEY /
 *                                ANTHROPIC_API_KEY); keys are only ever read from the environment
 *     SCALPER_LLM_TIMEOUT_MS     deadline of one call, repair included (default 8000)
 *     SCALPER_LLM_CACHE_TTL_MS   response cache TTL (default 45000; 0 = off)
 *     SCALPER_LLM_CACHE          memory | redis: the cache of this process, or one shared through
 *                                Redis (SCALPER_REDIS_URL) by every process (default memory)
 *     SCALPER_LLM_JSON_MODE      json_schema | json_object (OpenAI-compatible servers; default json_schema)
 *     SCALPER_LLM_PRICE_INPUT, SCALPER_LLM_PRICE_OUTPUT, SCALPER_LLM_PRICE_CACHED
 *                                USD per million tokens (default 0)
 */

import { type Clock, ConfigError, componentLogger, type Logger, wallClock } from '../core/index.js';
import type { Pricing } from './accounting.js';
import { AnthropicProvider } from './anthropic-provider.js';
import { BreakerProvider } from './breaker.js';
import { CachedProvider, type ResponseCache } from './cache.js';
import { LLM_ENV_VARS, type LlmConfig, LlmConfigSchema } from './config-schema.js';
import { isOpenAiCloud, OpenAiCompatibleProvider } from './openai-provider.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the LLM configuration; a bad value throws a `ConfigError` naming every bad variable. */
export function parseLlmEnv(env: Env = process.env): LlmConfig {
  const text = (name: string) => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  // A non-numeric string stays a string so that zod reports it against its variable.
  const num = (name: string) => {
    const v = text(name);
    return v === undefined ? undefined : Number.isNaN(Number(v)) ? v : Number(v);
  };
  const prices = [
    num('SCALPER_LLM_PRICE_INPUT'),
    num('SCALPER_LLM_PRICE_OUTPUT'),
    num('SCALPER_LLM_PRICE_CACHED'),
  ];
  const raw = {
    provider: text('SCALPER_LLM_PROVIDER'),
    model: text('SCALPER_LLM_MODEL'),
    baseURL: text('SCALPER_LLM_BASE_URL'),
    apiKeyEnv: text('SCALPER_LLM_API_KEY_ENV'),
    timeoutMs: num('SCALPER_LLM_TIMEOUT_MS'),
    cacheTtlMs: num('SCALPER_LLM_CACHE_TTL_MS'),
    cache: text('SCALPER_LLM_CACHE'),
    jsonMode: text('SCALPER_LLM_JSON_MODE'),
    pricing: prices.every((p) => p === undefined)
      ? undefined
      : { inputPerMTok: prices[0] ?? 0, outputPerMTok: prices[1] ?? 0, cachedInputPerMTok: prices[2] ?? 0 },
  };
  const parsed = LlmConfigSchema.safeParse(raw);
  if (parsed.success) return Object.freeze(parsed.data);
  const problems = parsed.error.issues.map((issue) => {
    const name = LLM_ENV_VARS[issue.path.join('.')] ?? issue.path.join('.');
    const value = env[name];
    return value === undefined ? `${name}: ${issue.message}` : `${name}="${value}": ${issue.message}`;
  });
  throw new ConfigError(`Invalid LLM configuration: ${problems.join('; ')}`, { cause: parsed.error });
}

/** What `createProvider` needs besides the configuration. */
export interface ProviderDeps {
  /** Where API keys are read. Default `process.env`. */
  readonly env?: Env;
  /** Clock of cache TTLs and latencies. Default the wall clock. */
  readonly clock?: Clock;
  /** Store of the response cache. Default an in-memory LRU. */
  readonly cache?: ResponseCache;
  /** Parent of the breaker's logger (`component: "llm-breaker"`). Default the root logger. */
  readonly logger?: Logger;
}

/**
 * The configured provider behind a `CachedProvider` (whose `stats()` report the hit rates), or null
 * for 'none'. A missing API key throws a `ConfigError` naming its variable, at start-up rather than
 * on every decision.
 */
export function createProvider(config: LlmConfig, deps: ProviderDeps = {}): CachedProvider | null {
  if (config.provider === 'none') return null;
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? wallClock;
  const model = config.model ?? '';
  const pricing: Pricing | undefined = config.pricing;
  let inner: OpenAiCompatibleProvider | AnthropicProvider;
  let apiKeyEnv: string;
  let needsKey: boolean;
  if (config.provider === 'openai') {
    apiKeyEnv = config.apiKeyEnv ?? 'OPENAI_API_KEY';
    needsKey = isOpenAiCloud(config.baseURL);
    inner = new OpenAiCompatibleProvider({
      model,
      baseURL: config.baseURL,
      apiKeyEnv,
      timeoutMs: config.timeoutMs,
      jsonMode: config.jsonMode,
      pricing,
      env,
      clock,
    });
  } else {
    apiKeyEnv = config.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
    needsKey = true;
    inner = new AnthropicProvider({
      model,
      baseURL: config.baseURL,
      apiKeyEnv,
      timeoutMs: config.timeoutMs,
      pricing,
      env,
      clock,
    });
  }
  if (needsKey && !env[apiKeyEnv]) {
    throw new ConfigError(
      `LLM provider "${config.provider}" needs an API key in environment variable ${apiKeyEnv}`,
    );
  }
  const logger = componentLogger('llm-breaker', deps.logger);
  return new CachedProvider(new BreakerProvider(inner, { clock, logger }), {
    cache: deps.cache,
    ttlMs: config.cacheTtlMs,
    clock,
  });
}

/** `createProvider(parseLlmEnv(env))`, keys read from the same `env`. */
export function llmFromEnv(
  env: Env = process.env,
  deps: Omit<ProviderDeps, 'env'> = {},
): CachedProvider | null {
  return createProvider(parseLlmEnv(env), { ...deps, env });
}
