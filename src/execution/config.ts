/**
 * The execution layer's configuration module: the schema (config-schema.ts) with its defaults and
 * parsers.
 */
import { defineConfig } from '../core/index.js';
import { type ExecutionConfig, type ExecutionConfigInput, ExecutionConfigSchema } from './config-schema.js';

export {
  type ExecutionConfig,
  type ExecutionConfigInput,
  ExecutionConfigSchema,
  type FixSection,
  type NoTradeWindow,
} from './config-schema.js';

/** The execution layer's configuration module (`defineConfig`): schema, defaults and parsers. */
export const EXECUTION_CONFIG = defineConfig(ExecutionConfigSchema, 'execution config');

/** Every execution setting at its default. */
export const DEFAULT_EXECUTION_CONFIG: ExecutionConfig = EXECUTION_CONFIG.defaults;

/** Partial overrides for tests and callers: merged over the defaults and validated. */
export const executionConfig: (overrides?: ExecutionConfigInput) => ExecutionConfig = EXECUTION_CONFIG.with;
