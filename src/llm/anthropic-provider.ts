/**
 * Anthropic's Messages API (INTEGRATIONS.md §6) through the official `@anthropic-ai/sdk` client.
 *
 * Structured output is one tool whose `input_schema` is the request's zod schema as JSON schema,
 * forced with `tool_choice: { type: 'tool', name }`; the answer is the `tool_use` block's `input`,
 * validated with zod. A bad input is repaired once the way the protocol expects: the `tool_use`
 * block goes back as the assistant turn and the problem as an `is_error` `tool_result` (a reply
 * without a `tool_use` block goes back as text with the problem as a user turn).
 *
 * `stop_reason` 'max_tokens' is `truncated`, 'refusal' is `refused`. The system prompt is sent as
 * one text block marked `cache_control: { type: 'ephemeral' }`, so the analysts' long, fixed
 * instructions are read from Anthropic's prompt cache after the first call (prompts under the
 * model's minimum cacheable length are simply not cached). Usage: `input_tokens` +
 * `cache_read_input_tokens` + `cache_creation_input_tokens` input tokens, of which the reads are
 * `cachedInputTokens` (see accounting.ts for their prices), and `output_tokens`.
 *
 * The key is read once from the environment variable `apiKeyEnv` and is always required.
 */

import type Anthropic from '@anthropic-ai/sdk';
import { type Pricing, priceUsage } from './accounting.js';
import {
  type AttemptOutcome,
  type CommonProviderOptions,
  jsonSchemaOf,
  NO_KEY,
  type ProviderSettings,
  repairPrompt,
  resolveProviderOptions,
  runOptionsOf,
  runStructured,
} from './call.js';
import type { LlmProvider, StructuredRequest, StructuredResult } from './types.js';

/** Options of `AnthropicProvider`. */
export interface AnthropicProviderOptions extends CommonProviderOptions {
  readonly model: string;
  /** Environment variable holding the key. Default 'ANTHROPIC_API_KEY'. */
  readonly apiKeyEnv?: string;
  /** API root without `/v1` (a proxy, or a test server). Default: the SDK's (`https://api.anthropic.com`). */
  readonly baseURL?: string;
  /** `max_tokens` (required by the API) when the request sets none. Default 1024. */
  readonly maxTokens?: number;
  /** Default: free; set the model's published prices to account costs. */
  readonly pricing?: Pricing;
}

/** What a repair request needs of a bad answer. */
type AnthropicTurn =
  | { readonly kind: 'tool'; readonly id: string; readonly name: string; readonly input: unknown }
  | { readonly kind: 'text'; readonly text: string };

/** A Claude model behind the Messages API. */
export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic';
  readonly model: string;
  readonly #settings: ProviderSettings;
  readonly #baseURL: string | undefined;
  #sdk: Promise<{ client: Anthropic; errors: typeof Anthropic }> | undefined;

  constructor(options: AnthropicProviderOptions) {
    this.model = options.model;
    this.#settings = resolveProviderOptions(options, 'ANTHROPIC_API_KEY', true);
    this.#baseURL = options.baseURL;
  }

  /**
   * The SDK and its client, loaded on the first call: the SDK takes longer to load than Node takes
   * to start, and a command that never calls a model should not pay for it.
   */
  #load(): Promise<{ client: Anthropic; errors: typeof Anthropic }> {
    this.#sdk ??= import('@anthropic-ai/sdk').then(({ default: Anthropic }) => ({
      errors: Anthropic,
      client: new Anthropic({
        // Without a key no request is made (`configProblem`).
        apiKey: this.#settings.key ?? NO_KEY,
        authToken: null,
        ...(this.#baseURL === undefined ? {} : { baseURL: this.#baseURL }),
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
    return runStructured<T, AnthropicTurn>(req, opts, async (repair, signal, remainingMs) => {
      const messages: Anthropic.MessageParam[] = req.messages.map((m) => ({
        role: m.role,
        content: m.content,
      }));
      if (repair?.turn.kind === 'tool') {
        const { id, name, input } = repair.turn;
        messages.push({ role: 'assistant', content: [{ type: 'tool_use', id, name, input }] });
        messages.push({
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: id,
              is_error: true,
              content: repairPrompt(repair.problem, req.schemaName),
            },
          ],
        });
      } else if (repair?.turn.kind === 'text') {
        messages.push({ role: 'assistant', content: repair.turn.text || '(no answer)' });
        messages.push({ role: 'user', content: repairPrompt(repair.problem, req.schemaName) });
      }
      const message = await client.messages.create(
        {
          model: this.model,
          max_tokens: req.maxTokens ?? this.#settings.maxTokens,
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          system: [{ type: 'text', text: req.system, cache_control: { type: 'ephemeral' } }],
          messages,
          tools: [
            {
              name: req.schemaName,
              description: `Give the answer as "${req.schemaName}".`,
              input_schema: jsonSchemaOf(req.schema) as Anthropic.Tool.InputSchema,
            },
          ],
          tool_choice: { type: 'tool', name: req.schemaName },
        },
        { signal, timeout: remainingMs },
      );
      return this.#read(message, req.schemaName);
    });
  }

  #read(message: Anthropic.Message, toolName: string): AttemptOutcome<AnthropicTurn> {
    const u = message.usage;
    const read = u?.cache_read_input_tokens ?? 0;
    const written = u?.cache_creation_input_tokens ?? 0;
    const usage = priceUsage(this.#settings.pricing, {
      inputTokens: (u?.input_tokens ?? 0) + read + written,
      outputTokens: u?.output_tokens ?? 0,
      cachedInputTokens: read,
      cacheWriteInputTokens: written,
    });
    if (message.stop_reason === 'refusal') {
      return {
        kind: 'failure',
        failure: { kind: 'refused', message: 'The model refused (stop_reason "refusal")' },
        usage,
      };
    }
    if (message.stop_reason === 'max_tokens') {
      return {
        kind: 'failure',
        failure: {
          kind: 'truncated',
          message: 'The answer was cut at max_tokens (stop_reason "max_tokens")',
        },
        usage,
      };
    }
    const content = Array.isArray(message.content) ? message.content : [];
    const tool = content.find((b) => b.type === 'tool_use' && b.name === toolName);
    if (tool !== undefined && tool.type === 'tool_use') {
      return {
        kind: 'answer',
        answer: tool.input,
        usage,
        turn: { kind: 'tool', id: tool.id, name: tool.name, input: tool.input },
      };
    }
    const text = content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    return {
      kind: 'unparsable',
      problem: `the reply had no "${toolName}" tool_use block`,
      usage,
      turn: { kind: 'text', text },
    };
  }
}
