/**
 * The configuration module of this part: the schema (config-schema.ts, all the `scalper`
 * configuration loads) with its defaults and parsers, resolved when this module loads.
 */
import { defineConfig } from '../core/index.js';
import { type AgentsConfig, type AgentsConfigInput, AgentsConfigSchema } from './config-schema.js';

export * from './config-schema.js';

/** The analysts' configuration module (`defineConfig`): schema, defaults and parsers. */
export const AGENTS_CONFIG = defineConfig(AgentsConfigSchema, 'agents config');

/**
 * Validates analyst parameters (an object, or JSON text) and returns them typed, defaulted and
 * frozen. Throws a `ConfigError` naming `source` and every bad field by its path
 * (`toxicity.vpinCdfRiskOff: …`).
 */
export const parseAgentsConfig: (json: unknown, source?: string) => AgentsConfig = AGENTS_CONFIG.parse;

/** Every analyst with its default parameters. */
export const DEFAULT_AGENTS_CONFIG: AgentsConfig = AGENTS_CONFIG.defaults;

/** Partial overrides for tests and callers: merged over the defaults and validated. */
export const agentsConfig: (overrides?: AgentsConfigInput) => AgentsConfig = AGENTS_CONFIG.with;
