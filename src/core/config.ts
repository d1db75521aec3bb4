/**
 * Configuration parsing shared by every configurable part: JSON text or an object, validated with a
 * zod schema (defaults applied by the schema), returned deeply frozen; any problem is one
 * `ConfigError` naming the source and every bad field by its path (`orb.minRangeTicks: …`).
 */

import type * as z from 'zod/v4/core';
import { ConfigError } from './errors.js';

/**
 * A zod schema made with either of zod's APIs, classic (`zod`) or mini (`zod/mini`). Both give their
 * schemas a `safeParse` method, which is what parsing here calls: zod's functional `safeParse` would
 * load zod into every command that imports core, where most never parse a configuration.
 */
export interface ConfigSchema extends z.$ZodType {
  safeParse(data: unknown): z.util.SafeParseResult<unknown>;
}

/** Freezes `v` and everything it holds. */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Validates `json` (an object, JSON text, or undefined for all defaults) against `schema`. */
export function parseConfig<S extends ConfigSchema>(schema: S, json: unknown, source: string): z.output<S> {
  let input = json;
  if (typeof json === 'string') {
    try {
      input = JSON.parse(json);
    } catch (e) {
      throw new ConfigError(`${source}: not valid JSON (${(e as Error).message})`, { cause: e });
    }
  }
  const r = schema.safeParse(input ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`${source}: ${problems.join('; ')}`);
  }
  return deepFreeze(r.data as z.output<S>);
}

/** A configuration module made by `defineConfig`: its schema, defaults and parsers. */
export interface ConfigModule<S extends ConfigSchema> {
  /** The zod schema: every field optional on input, defaulted on output. */
  readonly schema: S;
  /** Every field at its default (validated and frozen once, at import). */
  readonly defaults: z.output<S>;
  /**
   * Validates an object, JSON text or undefined (all defaults) against the schema; returns it
   * typed, defaulted and frozen, or throws one `ConfigError` naming `source` (default: the module's
   * name) and every bad field by its path.
   */
  parse(json: unknown, source?: string): z.output<S>;
  /** Partial overrides merged over the defaults and validated (for tests and callers). */
  with(overrides?: z.input<S>): z.output<S>;
}

/**
 * The boilerplate every configurable part shares, once: `parse`, `defaults` and `with` over a
 * schema whose fields carry their defaults. `name` is the source a problem is reported against when
 * the caller names none (`agents config: toxicity.vpinCdfRiskOff: …`).
 */
export function defineConfig<S extends ConfigSchema>(schema: S, name: string): ConfigModule<S> {
  const parse = (json: unknown, source: string = name): z.output<S> => parseConfig(schema, json, source);
  return Object.freeze({
    schema,
    defaults: parse({}, 'defaults'),
    parse,
    with: (overrides: z.input<S> = {} as z.input<S>) => parse(overrides, 'overrides'),
  });
}
