/**
 * What both providers share: one structured call with a deadline, validation of the answer, one
 * repair attempt, and the mapping of every way a call can fail to an `LlmFailure`.
 *
 * Deadline. A call (the repair included) gets the provider's time-out, or `req.timeoutMs` when that
 * is shorter, in all. One `AbortController` is aborted by a timer at the deadline or by the caller's `signal`; it cancels the
 * HTTP request, and the wait itself is raced against it, so `complete` returns at the deadline even
 * if a server sends its headers and then stalls the body (the SDKs' own time-outs stop at the
 * headers). Which of the two fired decides between `timeout` and `aborted`, whatever error the SDK
 * raised on the way out.
 *
 * Repair. An answer that is not JSON, or JSON that fails the zod schema, is sent back once with the
 * problem (`repairPrompt`); a second bad answer is `malformed`. Refusals and truncations are not
 * repaired: asking again would cost as much and rarely end differently.
 *
 * Secrets. Every failure message passes through `redact`, which removes the API key wherever a
 * server or library may have echoed it, and is cut to `MAX_MESSAGE` characters.
 */

import * as z from 'zod/mini';
import { type Clock, wallClock } from '../core/index.js';
import { addUsage, FREE, type Pricing } from './accounting.js';
import {
  type LlmFailure,
  type LlmFailureKind,
  NO_USAGE,
  type StructuredRequest,
  type StructuredResult,
  type Usage,
} from './types.js';

/** Longest failure message kept. */
export const MAX_MESSAGE = 400;

/** Longest validation problem sent back in a repair request. */
const MAX_PROBLEM = 1500;

/** Names the OpenAI `json_schema.name` and Anthropic tool `name` both accept. */
const SCHEMA_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The error classes of an official SDK (OpenAI and Anthropic SDKs have the same family). */
export interface SdkErrorClasses {
  readonly APIError: abstract new (...args: never[]) => Error;
  readonly APIUserAbortError: abstract new (...args: never[]) => Error;
  readonly APIConnectionError: abstract new (...args: never[]) => Error;
  readonly APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
}

/** One model call's outcome before validation. `Turn` is what a repair request needs of it. */
export type AttemptOutcome<Turn> =
  | { readonly kind: 'failure'; readonly failure: LlmFailure; readonly usage: Usage }
  | { readonly kind: 'answer'; readonly answer: unknown; readonly usage: Usage; readonly turn: Turn }
  | { readonly kind: 'unparsable'; readonly problem: string; readonly usage: Usage; readonly turn: Turn };

/** The bad answer of the first call and what was wrong with it. */
export interface RepairHint<Turn> {
  readonly turn: Turn;
  readonly problem: string;
}

/** Makes one HTTP call; throws the SDK's errors. */
export type Attempt<Turn> = (
  repair: RepairHint<Turn> | undefined,
  signal: AbortSignal,
  remainingMs: number,
) => Promise<AttemptOutcome<Turn>>;

/** Options of `runStructured`. */
export interface RunOptions {
  readonly provider: string;
  readonly model: string;
  readonly clock: Clock;
  /** Deadline of the whole call when the request sets none. */
  readonly timeoutMs: number;
  readonly errors: SdkErrorClasses;
  /** The API key, removed from every message. */
  readonly secret: string | undefined;
  /** A configuration problem found at construction (missing key); every call fails with it. */
  readonly configProblem?: string;
}

/** The options both providers take alike. */
export interface CommonProviderOptions {
  /** Environment variable holding the key. */
  readonly apiKeyEnv?: string;
  /** Deadline of one `complete` (repair included), ms. Default 8000. */
  readonly timeoutMs?: number;
  /** `max_tokens` when the request sets none. Default 1024. */
  readonly maxTokens?: number;
  /** Default: free. */
  readonly pricing?: Pricing;
  /** Where the key is read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Measures `latencyMs`. Default the wall clock. */
  readonly clock?: Clock;
}

/** `CommonProviderOptions` with the defaults applied and the key read. */
export interface ProviderSettings {
  /** The key, or undefined when the variable is unset or empty. */
  readonly key: string | undefined;
  /** Set when a required key is missing. */
  readonly configProblem: string | undefined;
  readonly timeoutMs: number;
  readonly maxTokens: number;
  readonly pricing: Pricing;
  readonly clock: Clock;
}

/**
 * The key sent where none is needed (a local server) or none was found (no request is then made):
 * the SDK clients require a non-empty one and would otherwise look for credentials elsewhere.
 */
export const NO_KEY = 'no-key';

/** Reads the key from `options.apiKeyEnv` (default `defaultKeyEnv`) and applies the defaults. */
export function resolveProviderOptions(
  options: CommonProviderOptions,
  defaultKeyEnv: string,
  keyRequired: boolean,
): ProviderSettings {
  const apiKeyEnv = options.apiKeyEnv ?? defaultKeyEnv;
  const key = (options.env ?? process.env)[apiKeyEnv] || undefined;
  return {
    key,
    configProblem:
      keyRequired && key === undefined
        ? `Environment variable ${apiKeyEnv} (the API key) is not set`
        : undefined,
    timeoutMs: options.timeoutMs ?? 8000,
    maxTokens: options.maxTokens ?? 1024,
    pricing: options.pricing ?? FREE,
    clock: options.clock ?? wallClock,
  };
}

/** The `runStructured` options of a provider named `provider` running `model` with `settings`. */
export function runOptionsOf(
  provider: string,
  model: string,
  errors: SdkErrorClasses,
  settings: ProviderSettings,
): RunOptions {
  return {
    provider,
    model,
    clock: settings.clock,
    timeoutMs: settings.timeoutMs,
    errors,
    secret: settings.key,
    configProblem: settings.configProblem,
  };
}

/** Runs `attempt` once, and once more to repair a bad answer, within the deadline. Never throws. */
export async function runStructured<T, Turn>(
  req: StructuredRequest<T>,
  opts: RunOptions,
  attempt: Attempt<Turn>,
): Promise<StructuredResult<T>> {
  const started = opts.clock.now();
  let usage: Usage = NO_USAGE;
  const fail = (kind: LlmFailureKind, message: string, extra?: Partial<LlmFailure>): StructuredResult<T> => ({
    ok: false,
    failure: { ...extra, kind, message: redact(message, opts.secret) },
    usage,
    latencyMs: opts.clock.now() - started,
    provider: opts.provider,
    model: opts.model,
  });

  if (opts.configProblem !== undefined) return fail('config', opts.configProblem);
  if (!SCHEMA_NAME.test(req.schemaName)) {
    return fail('config', `Schema name "${req.schemaName}" must be 1-64 letters, digits, "_" or "-"`);
  }
  if (req.signal?.aborted) return fail('aborted', 'Cancelled by the caller before the call');

  // The caller's time-out (what is left of its budget) can only shorten the provider's own.
  const timeoutMs = Math.min(req.timeoutMs ?? Number.POSITIVE_INFINITY, opts.timeoutMs);
  const deadline = performance.now() + timeoutMs;
  const ctl = new AbortController();
  let stoppedBy: 'timeout' | 'aborted' | undefined;
  const onCallerAbort = () => {
    stoppedBy ??= 'aborted';
    ctl.abort();
  };
  req.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    stoppedBy ??= 'timeout';
    ctl.abort();
  }, timeoutMs);
  const stopped = new Promise<never>((_, reject) => {
    // Only the race below reads this rejection; `stoppedBy` says why the call stopped.
    ctl.signal.addEventListener('abort', () => reject(ctl.signal.reason), { once: true });
  });
  stopped.catch(() => {});

  try {
    let repair: RepairHint<Turn> | undefined;
    for (let round = 0; round < 2; round++) {
      const call = attempt(repair, ctl.signal, Math.max(1, Math.ceil(deadline - performance.now())));
      call.catch(() => {});
      const out = await Promise.race([call, stopped]);
      usage = addUsage(usage, out.usage);
      if (out.kind === 'failure') return fail(out.failure.kind, out.failure.message, out.failure);
      const checked =
        out.kind === 'answer'
          ? validate(req.schema, out.answer)
          : { ok: false as const, problem: out.problem };
      if (checked.ok) {
        return {
          ok: true,
          value: checked.value,
          source: 'model',
          repaired: round === 1,
          usage,
          latencyMs: opts.clock.now() - started,
          provider: opts.provider,
          model: opts.model,
        };
      }
      if (round === 1) return fail('malformed', `Answer still invalid after one repair: ${checked.problem}`);
      repair = { turn: out.turn, problem: checked.problem };
    }
    return fail('malformed', 'No answer');
  } catch (err) {
    if (stoppedBy === 'timeout') return fail('timeout', `No answer within ${timeoutMs} ms`);
    if (stoppedBy === 'aborted') return fail('aborted', 'Cancelled by the caller');
    const failure = classifyError(err, opts.errors);
    return fail(failure.kind, failure.message, failure);
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/** Maps an error thrown by an official SDK (or by `fetch` under it) to a failure. */
export function classifyError(err: unknown, errors: SdkErrorClasses): LlmFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof errors.APIUserAbortError) return { kind: 'aborted', message };
  if (err instanceof errors.APIConnectionTimeoutError) return { kind: 'timeout', message };
  if (err instanceof errors.APIConnectionError) {
    const cause = (err as Error).cause;
    const detail = cause instanceof Error ? ` (${causeText(cause)})` : '';
    return { kind: 'network', message: `${message}${detail}` };
  }
  if (err instanceof errors.APIError) {
    const { status, headers } = err as Error & { status?: number; headers?: Headers };
    if (status === 429) {
      const retryAfterMs = retryAfter(headers);
      return retryAfterMs === undefined
        ? { kind: 'rate_limited', message, status }
        : { kind: 'rate_limited', message, status, retryAfterMs };
    }
    return status === undefined ? { kind: 'network', message } : { kind: 'http', message, status };
  }
  if (err instanceof Error && err.name === 'AbortError') return { kind: 'aborted', message };
  return { kind: 'network', message };
}

/** The innermost cause of a connection error, e.g. "ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1". */
function causeText(cause: Error): string {
  let e: unknown = cause;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  const inner = e as Error & { code?: string };
  return inner.code ? `${inner.code} ${inner.message}` : inner.message;
}

/** `retry-after-ms` or `retry-after` (seconds) in ms; the HTTP-date form is ignored. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const s = Number(headers?.get('retry-after') ?? Number.NaN);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

/** Removes `secret` from `text` and cuts it to `MAX_MESSAGE` characters. */
export function redact(text: string, secret: string | undefined): string {
  const clean = secret && secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE - 1)}…` : clean;
}

/** Parses a model's text answer as JSON, tolerating a Markdown code fence around it. */
export function parseJsonText(
  text: string | null | undefined,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string } {
  if (text == null || text.trim() === '') return { ok: false, problem: 'the answer was empty' };
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1] : text) };
  } catch (err) {
    return { ok: false, problem: `the answer is not valid JSON (${(err as Error).message})` };
  }
}

/** Checks a value against the request's schema; the problem is zod's, in its readable form. */
export function validate<T>(
  schema: z.core.$ZodType<T>,
  value: unknown,
): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string } {
  const parsed = z.safeParse(schema, value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problem = `the JSON does not match the schema:\n${z.prettifyError(parsed.error)}`;
  return { ok: false, problem: problem.length > MAX_PROBLEM ? `${problem.slice(0, MAX_PROBLEM)}…` : problem };
}

/** The user turn that asks for a corrected answer. */
export function repairPrompt(problem: string, schemaName: string): string {
  return (
    `Your previous answer could not be used: ${problem}\n` +
    `Reply again with only the corrected JSON object for "${schemaName}", matching the schema exactly.`
  );
}

const jsonSchemas = new WeakMap<z.core.$ZodType, Record<string, unknown>>();

/** The JSON schema of a zod schema (zod 4 `toJSONSchema`, without the `$schema` tag), memoised. */
export function jsonSchemaOf(schema: z.core.$ZodType): Record<string, unknown> {
  let json = jsonSchemas.get(schema);
  if (json === undefined) {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    json = rest;
    jsonSchemas.set(schema, json);
  }
  return json;
}
