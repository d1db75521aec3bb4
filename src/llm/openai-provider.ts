/**
 * Any OpenAI-compatible chat-completions server (INTEGRATIONS.md §6): OpenAI itself, vLLM,
 * llama.cpp `llama-server`, Ollama's `/v1` and LM Studio, through the official `openai` client
 * pointed at `baseURL`.
 *
 * Structured output is asked for with `response_format: { type: 'json_schema', json_schema: { name,
 * strict: true, schema } }`, the schema being the request's zod schema as JSON schema (servers turn
 * it into a grammar). Older servers only know `{ type: 'json_object' }` (`jsonMode: 'json_object'`);
 * the schema then goes at the end of the system prompt. Either way the answer is validated with zod.
 *
 * Answers: `finish_reason` 'length' is `truncated`; a `refusal` or `finish_reason` 'content_filter'
 * is `refused`; the text is parsed as JSON (a Markdown fence is tolerated) and repaired once by
 * sending it back as the assistant turn with the problem as a new user turn (see `runStructured`).
 * Usage: `prompt_tokens` (cached ones included), `completion_tokens` and
 * `prompt_tokens_details.cached_tokens`, the tokens served from the server's prompt-prefix cache.
 *
 * The key is read once from the environment variable `apiKeyEnv`. The public OpenAI API
 * (`api.openai.com`, or no `baseURL`) needs one; a local server usually does not, and gets
 * `NO_KEY`. SDK retries are off: a failure goes straight back to the engine, which falls back
 * to its quant answer rather than waiting on back-off.
 */

import type OpenAI from 'openai';
import { type Pricing, priceUsage } from './accounting.js';
import {
  type AttemptOutcome,
  type CommonProviderOptions,
  jsonSchemaOf,
  NO_KEY,
  type ProviderSettings,
  parseJsonText,
  repairPrompt,
  resolveProviderOptions,
  runOptionsOf,
  runStructured,
} from './call.js';
import { type LlmProvider, NO_USAGE, type StructuredRequest, type StructuredResult } from './types.js';

/** The public OpenAI API. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** How structured output is requested. */
export type JsonMode = 'json_schema' | 'json_object';

/** Options of `OpenAiCompatibleProvider`. */
export interface OpenAiProviderOptions extends CommonProviderOptions {
  readonly model: string;
  /** Server root including `/v1`, e.g. `http://127.0.0.1:8000/v1` (vLLM). Default: the OpenAI API. */
  readonly baseURL?: string;
  /** Environment variable holding the key. Default 'OPENAI_API_KEY'. */
  readonly apiKeyEnv?: string;
  /** Whether a key is needed. Default: only for `api.openai.com`. */
  readonly requireApiKey?: boolean;
  /** Default 'json_schema'. */
  readonly jsonMode?: JsonMode;
  /** Default: free (a local server). */
  readonly pricing?: Pricing;
}

/** What a repair request needs of a bad answer: its text. */
type OpenAiTurn = string;

/** True when `baseURL` is the public OpenAI API (which needs a key). */
export function isOpenAiCloud(baseURL: string | undefined): boolean {
  if (baseURL === undefined) return true;
  try {
    return new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** A model behind an OpenAI-compatible chat-completions endpoint. */
export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name = 'openai';
  readonly model: string;
  readonly #settings: ProviderSettings;
  readonly #baseURL: string;
  readonly #jsonMode: JsonMode;
  #sdk: Promise<{ client: OpenAI; errors: typeof OpenAI }> | undefined;

  constructor(options: OpenAiProviderOptions) {
    this.model = options.model;
    const settings = resolveProviderOptions(
      options,
      'OPENAI_API_KEY',
      options.requireApiKey ?? isOpenAiCloud(options.baseURL),
    );
    this.#jsonMode = options.jsonMode ?? 'json_schema';
    this.#settings = settings;
    this.#baseURL = options.baseURL ?? OPENAI_BASE_URL;
  }

  /**
   * The SDK and its client, loaded on the first call: the SDK takes longer to load than Node takes
   * to start, and a command that never calls a model should not pay for it.
   */
  #load(): Promise<{ client: OpenAI; errors: typeof OpenAI }> {
    this.#sdk ??= import('openai').then(({ default: OpenAI }) => ({
      errors: OpenAI,
      client: new OpenAI({
        baseURL: this.#baseURL,
        apiKey: this.#settings.key ?? NO_KEY,
        timeout: this.#settings.timeoutMs,
        maxRetries: 0,
        logLevel: 'off',
      }),
    }));
    return this.#sdk;
  }

  async complete<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const { client, errors } = await this.#load();
    const opts = runOptionsOf(this.name, this.model, errors, this.#settings);
    return runStructured<T, OpenAiTurn>(req, opts, async (repair, signal, remainingMs) => {
      const schema = jsonSchemaOf(req.schema);
      const system =
        this.#jsonMode === 'json_schema'
          ? req.system
          : `${req.system}\n\nAnswer with one JSON object matching this JSON schema:\n${JSON.stringify(schema)}`;
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'system', content: system },
        ...req.messages.map((m) => ({ role: m.role, content: m.content })),
      ];
      if (repair) {
        messages.push({ role: 'assistant', content: repair.turn });
        messages.push({ role: 'user', content: repairPrompt(repair.problem, req.schemaName) });
      }
      const completion = await client.chat.completions.create(
        {
          model: this.model,
          messages,
          max_tokens: req.maxTokens ?? this.#settings.maxTokens,
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          response_format:
            this.#jsonMode === 'json_schema'
              ? { type: 'json_schema', json_schema: { name: req.schemaName, strict: true, schema } }
              : { type: 'json_object' },
        },
        { signal, timeout: remainingMs },
      );
      return this.#read(completion);
    });
  }

  #read(completion: OpenAI.ChatCompletion): AttemptOutcome<OpenAiTurn> {
    const u = completion.usage;
    const usage = u
      ? priceUsage(this.#settings.pricing, {
          inputTokens: u.prompt_tokens ?? 0,
          outputTokens: u.completion_tokens ?? 0,
          cachedInputTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
        })
      : NO_USAGE;
    const choice = completion.choices?.[0];
    if (choice === undefined) {
      return { kind: 'failure', failure: { kind: 'malformed', message: 'The reply had no choices' }, usage };
    }
    const { message, finish_reason: finish } = choice;
    if (message?.refusal || finish === 'content_filter') {
      const why = message?.refusal ? `: ${message.refusal}` : ' (content filter)';
      return { kind: 'failure', failure: { kind: 'refused', message: `The model refused${why}` }, usage };
    }
    if (finish === 'length') {
      return {
        kind: 'failure',
        failure: { kind: 'truncated', message: 'The answer was cut at max_tokens (finish_reason "length")' },
        usage,
      };
    }
    const text = message?.content ?? '';
    const parsed = parseJsonText(text);
    return parsed.ok
      ? { kind: 'answer', answer: parsed.value, usage, turn: text }
      : { kind: 'unparsable', problem: parsed.problem, usage, turn: text };
  }
}
