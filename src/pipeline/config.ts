/**
 * The configuration module of this part: the schema (config-schema.ts, all the `scalper`
 * configuration loads) with its defaults and parsers, resolved when this module loads.
 */
import { defineConfig } from '../core/index.js';
import { type PipelineConfig, type PipelineConfigInput, PipelineConfigSchema } from './config-schema.js';

export * from './config-schema.js';

/** The pipeline's configuration module (`defineConfig`): schema, defaults and parsers. */
export const PIPELINE_CONFIG = defineConfig(PipelineConfigSchema, 'pipeline config');

/** Every tier with its default parameters. */
export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = PIPELINE_CONFIG.defaults;

/** Validates a (partial) configuration over the defaults; errors name the field and `source`. */
export const parsePipelineConfig: (input: unknown, source?: string) => PipelineConfig = PIPELINE_CONFIG.parse;

/** Partial overrides for tests and callers: merged over the defaults and validated. */
export const pipelineConfig: (overrides?: PipelineConfigInput) => PipelineConfig = PIPELINE_CONFIG.with;
