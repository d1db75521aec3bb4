export { type Pricing, priceUsage, sumUsage, type TokenCounts, UsageMeter } from './accounting.js';
export { AnthropicProvider, type AnthropicProviderOptions } from './anthropic-provider.js';
export { type BreakerOptions, BreakerProvider } from './breaker.js';
export {
  CachedProvider,
  type CachedProviderOptions,
  type CacheLayerStats,
  type CacheStats,
  type MarketStateInput,
  MemoryLruCache,
  type MemoryLruCacheOptions,
  type QuantisedState,
  quantiseState,
  type ResponseCache,
  type StateKeyOptions,
  stateKey,
} from './cache.js';
export type { CommonProviderOptions } from './call.js';
export { createProvider, llmFromEnv, type ProviderDeps, parseLlmEnv } from './config.js';
export { DEFAULT_CACHE_TTL_MS, LLM_ENV_VARS, type LlmConfig, LlmConfigSchema } from './config-schema.js';
export {
  isOpenAiCloud,
  type JsonMode,
  OPENAI_BASE_URL,
  OpenAiCompatibleProvider,
  type OpenAiProviderOptions,
} from './openai-provider.js';
export { RecordingProvider, ReplayingProvider, requestKey } from './recorded.js';
export {
  type AnswerSource,
  type ChatMessage,
  type LlmFailure,
  type LlmFailureKind,
  type LlmProvider,
  NO_USAGE,
  type StructuredRequest,
  type StructuredResult,
  type Usage,
} from './types.js';
