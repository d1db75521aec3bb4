/**
 * Configuration from files, the environment and the command line, merged in that order over the
 * schema's defaults and validated once (STYLE.md "Configuration is validated once, at the edge").
 *
 * A configuration file is YAML (`.yaml`, `.yml`) or JSON (`.json`; any other name is read as YAML,
 * of which JSON is a subset). Each source is a `ConfigLayer`; later layers override earlier ones key
 * by key (objects merge, arrays and scalars replace). A problem names where the bad value came
 * from and its path, one line each: `run.yaml: pipeline.debate.maxRounds: expected an integer > 0,
 * got 0`, or for a value from the environment `environment SCALPER_LLM_TIMEOUT_MS="x"
 * (llm.timeoutMs): …`. The layered schema itself lives with its callers (core cannot import the
 * sections of higher layers).
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import type { loadAll } from 'js-yaml';
import type * as z from 'zod/v4/core';
import { type ConfigSchema, deepFreeze } from './config.js';
import { ConfigError } from './errors.js';

/** Bad configuration: every problem found, one line each (`source: path: message`). */
export class ConfigProblemsError extends ConfigError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(problems.join('\n'), options);
    this.problems = Object.freeze([...problems]);
  }
}

/** One source of values, partial and nested like the schema's input. */
export interface ConfigLayer {
  /** Where the values come from, as messages name it: a file path, `environment`, `command line`. */
  readonly source: string;
  readonly values: Readonly<Record<string, unknown>>;
  /**
   * How this source names a value, by dotted path (`llm.timeoutMs` → `SCALPER_LLM_TIMEOUT_MS`), so
   * that a problem names the variable or flag the user set rather than the schema's path alone.
   */
  readonly names?: Readonly<Record<string, string>>;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `over` on top of `base`: objects merge key by key, anything else replaces; undefined keeps `base`. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isObject(base) || !isObject(over)) return over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeConfig(base[k], v);
  return out;
}

let yamlLoad: typeof loadAll | undefined;

/** Whether `readConfigFile` reads `path` as YAML rather than JSON. */
function isYaml(path: string): boolean {
  return extname(path).toLowerCase() !== '.json';
}

/**
 * Loads the YAML parser that `readConfigFile(path)` will use, when it reads `path` as YAML, through
 * `import()`: the scalper command's bundle (scripts/build-cli.mjs) follows an `import()` into the
 * package and carries it, where `readConfigFile` alone would load the package from node_modules.
 */
export async function loadConfigParser(path: string): Promise<void> {
  if (isYaml(path)) yamlLoad ??= (await import('js-yaml')).loadAll;
}

/**
 * The YAML parser, loaded on first use: a command run without a YAML file (most are) does not pay
 * for loading it at start-up.
 */
function yamlParser(): typeof loadAll {
  yamlLoad ??= (createRequire(import.meta.url)('js-yaml') as { loadAll: typeof loadAll }).loadAll;
  return yamlLoad;
}

/** A YAML syntax error as one line: js-yaml's reason and where (its own message adds a snippet). */
function yamlProblem(e: unknown): string {
  const { reason, mark } = e as { reason?: string; mark?: { line: number; column: number } };
  if (reason === undefined) return (e as Error).message;
  return mark === undefined ? reason : `${reason} at line ${mark.line + 1}, column ${mark.column + 1}`;
}

/**
 * Reads a configuration file into a plain object. A file that cannot be read or parsed, or whose
 * top level is not a mapping of sections, throws a `ConfigProblemsError` naming the file (and the
 * line for YAML syntax errors). An empty file is an empty configuration.
 */
export function readConfigFile(path: string): Obj {
  const text = readSettingsText(path, 'the configuration');
  let value: unknown;
  if (!isYaml(path)) {
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new ConfigProblemsError([`${path}: not valid JSON (${(e as Error).message})`], { cause: e });
    }
  } else {
    // Duplicate keys are errors (js-yaml's default): the later one would silently win. Read as a
    // stream of documents, of which an empty file has none.
    let docs: unknown[];
    try {
      docs = yamlParser()(text);
    } catch (e) {
      throw new ConfigProblemsError([`${path}: not valid YAML: ${yamlProblem(e)}`], { cause: e });
    }
    if (docs.length > 1) {
      throw new ConfigProblemsError([`${path}: ${docs.length} YAML documents, where a configuration is one`]);
    }
    value = docs[0];
  }
  if (value === null || value === undefined) return {};
  if (!isObject(value)) {
    throw new ConfigProblemsError([
      `${path}: expected a mapping of sections at the top level (engine:, pipeline: …), got ${Array.isArray(value) ? 'a list' : typeof value}`,
    ]);
  }
  return value;
}

/** True when `values` holds something at `path` (a prefix of it holding a non-object counts too). */
function holds(values: unknown, path: readonly PropertyKey[]): boolean {
  let v = values;
  for (const k of path) {
    if (Array.isArray(v) && typeof k === 'number' && k < v.length) v = v[k];
    else if (isObject(v) && String(k) in v) v = v[String(k)];
    else return false;
  }
  return true;
}

function valueAt(values: unknown, path: readonly PropertyKey[]): unknown {
  let v = values;
  for (const k of path) {
    v = Array.isArray(v) && typeof k === 'number' ? v[k] : isObject(v) ? v[String(k)] : undefined;
  }
  return v;
}

/** A value quoted for a message, shortened. */
function quote(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** zod's messages without its "Invalid input: " prefixes, which say nothing in a list of problems. */
function tidy(message: string): string {
  return message.replace(/^Invalid (input|option): /, '');
}

/**
 * The problems of a failed validation, one per bad value: `source: path: message (got value)`,
 * where `source` is the last layer that set the value (or `defaults`). An unknown key is a problem
 * at its own path.
 */
export function describeIssues(issues: readonly z.$ZodIssue[], layers: readonly ConfigLayer[]): string[] {
  const out: string[] = [];
  const line = (path: readonly PropertyKey[], message: string, showValue: boolean) => {
    const dotted = path.map(String).join('.') || '(top level)';
    let layer: ConfigLayer | undefined;
    for (let i = layers.length - 1; i >= 0 && layer === undefined; i--) {
      if (holds(layers[i].values, path)) layer = layers[i];
    }
    const value = layer === undefined ? undefined : valueAt(layer.values, path);
    const got = showValue && value !== undefined && !isObject(value) ? ` (got ${quote(value)})` : '';
    if (layer === undefined) {
      out.push(`defaults: ${dotted}: ${message}`);
      return;
    }
    const name = layer.names?.[dotted];
    out.push(
      name === undefined
        ? `${layer.source}: ${dotted}: ${message}${got}`
        : `${layer.source} ${name}: ${dotted}: ${message}`,
    );
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) line([...issue.path, k], 'unknown key', false);
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A union reports each branch's failure; the first branch's is the one a user meant.
      out.push(...describeIssues(issue.errors[0], layers));
    } else {
      line(issue.path, tidy(issue.message), true);
    }
  }
  return out;
}

/**
 * Merges `layers` in order (lowest precedence first) and validates the result with `schema`, whose
 * defaults fill what no layer sets. Returns the output typed and deeply frozen; any problem throws
 * a `ConfigProblemsError` listing every one.
 */
export function resolveConfig<S extends ConfigSchema>(
  schema: S,
  layers: readonly ConfigLayer[],
): z.output<S> {
  let merged: unknown = {};
  for (const l of layers) merged = mergeConfig(merged, l.values);
  const r = schema.safeParse(merged);
  if (!r.success) throw new ConfigProblemsError(describeIssues(r.error.issues, layers), { cause: r.error });
  return deepFreeze(r.data as z.output<S>);
}

/**
 * A `JSON.stringify` replacer for the engine's records and results: bigints as decimal strings,
 * NaN and ±Infinity as null (JSON has neither).
 */
export function plainJsonValue(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return v;
}

/** JSON with object keys sorted at every level and no spaces: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (!isObject(v)) return typeof v === 'bigint' ? v.toString() : v;
    const sorted: Obj = {};
    for (const k of Object.keys(v).sort()) sorted[k] = v[k];
    return sorted;
  });
}

/** sha256 (hex) of `canonicalJson(value)`: the identity of a configuration. */
export function configHash(value: unknown): string {
  return sha256().update(canonicalJson(value)).digest('hex');
}

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEY = /(api[-_]?key|secret|password|passphrase|token)$/i;

/** The text printed instead of a secret. */
export const REDACTED = '[redacted]';

/**
 * A copy of `value` safe to print: values under secret-looking keys (`apiKey`, `…Secret`,
 * `password`, `token`) are replaced, and so are passwords inside URLs (`https://user:pass@host`).
 */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (isObject(value)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? REDACTED : redactSecrets(v);
    }
    return out;
  }
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) {
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^/@\s]*@/i, `$1:${REDACTED}@`);
  }
  return value;
}

/** Dotted paths of the values of `values` held under secret-looking keys (`apiKey`, `password` …). */
export function secretPaths(values: unknown, prefix = ''): string[] {
  if (!isObject(values)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (SECRET_KEY.test(k)) out.push(path);
    else out.push(...secretPaths(v, path));
  }
  return out;
}

/** A SHA-256 hash; `node:crypto` is loaded at the first one (a command that hashes nothing skips it). */
export function sha256(): import('node:crypto').Hash {
  return (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash('sha256');
}

/**
 * The text of a file the user named in their settings (`what` it is, for the message): one that
 * cannot be read throws a `ConfigProblemsError` naming the file and why (not found, a folder, …).
 */
export function readSettingsText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'file not found' : err.code === 'EISDIR' ? 'is a folder' : err.message;
    throw new ConfigProblemsError([`${path}: cannot read ${what} (${why})`], { cause: e });
  }
}
