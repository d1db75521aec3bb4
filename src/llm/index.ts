export * from './accounting.js';
export * from './anthropic-provider.js';
export * from './breaker.js';
export * from './cache.js';
export * from './config.js';
export * from './openai-provider.js';
export * from './types.js';
