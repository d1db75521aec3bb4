/**
 * Configuration parsing shared by every configurable part: JSON text or an object, validated with a
 * zod schema (defaults applied by the schema), returned deeply frozen; any problem is one
 * `ConfigError` naming the source and every bad field by its path (`orb.minRangeTicks: …`).
 */

import type { z } from 'zod';
import { ConfigError } from './errors.js';

/** Freezes `v` and everything it holds. */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Validates `json` (an object, JSON text, or undefined for all defaults) against `schema`. */
export function parseConfig<S extends z.ZodType>(schema: S, json: unknown, source: string): z.output<S> {
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
  return deepFreeze(r.data);
}
