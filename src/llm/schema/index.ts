/**
 * The model provider's configuration schema and its environment variables, for the `scalper`
 * configuration: importing this loads no provider, model SDK or response cache.
 */
export { LLM_ENV_VARS, type LlmConfig, LlmConfigSchema } from '../config-schema.js';
