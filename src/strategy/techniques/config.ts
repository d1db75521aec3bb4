/**
 * The configuration module of this part: the schema (config-schema.ts, all the `scalper`
 * configuration loads) with its defaults and parsers, resolved when this module loads.
 */
import { defineConfig } from '../../core/index.js';
import {
  type TechniquesConfig,
  type TechniquesConfigInput,
  TechniquesConfigSchema,
} from './config-schema.js';

export * from './config-schema.js';

/** The techniques' configuration module (`defineConfig`): schema, defaults and parsers. */
export const TECHNIQUES_CONFIG = defineConfig(TechniquesConfigSchema, 'techniques config');

/**
 * Validates technique parameters (an object, or JSON text) and returns them typed, defaulted and
 * frozen. Throws a `ConfigError` that names `source` and every bad field by its path
 * (`orb.minRangeTicks: …`).
 */
export const parseTechniquesConfig: (json: unknown, source?: string) => TechniquesConfig =
  TECHNIQUES_CONFIG.parse;

/** Every technique with its default parameters, all enabled. */
export const DEFAULT_TECHNIQUES_CONFIG: TechniquesConfig = TECHNIQUES_CONFIG.defaults;

/** Partial per-technique overrides for tests and callers: merged over the defaults and validated. */
export const techniquesConfig: (overrides?: TechniquesConfigInput) => TechniquesConfig =
  TECHNIQUES_CONFIG.with;
