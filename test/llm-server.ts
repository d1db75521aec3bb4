/**
 * A local model server for the provider tests: `node:http` on 127.0.0.1 (a free port), speaking
 * the OpenAI chat-completions protocol on `POST /v1/chat/completions` and Anthropic's Messages
 * protocol on `POST /v1/messages`. Each request takes the next scripted behaviour (the same script
 * works for both protocols) and is recorded with its headers and JSON body, so tests can check
 * what the official clients really sent. An unscripted request gets a 500.
 */

import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach } from 'node:test';

/** Token counts a scripted answer reports. `input` includes `cached` and `written`. */
export interface ScriptedUsage {
  readonly input: number;
  readonly output: number;
  /** Read from the prompt cache. */
  readonly cached?: number;
  /** Written to the prompt cache (Anthropic only). */
  readonly written?: number;
}

/** What the server does with one request. */
export type Behaviour =
  | {
      readonly kind: 'ok';
      readonly value: unknown;
      readonly usage?: ScriptedUsage;
      readonly delayMs?: number;
    }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'refused' }
  | { readonly kind: 'content_filter' }
  | { readonly kind: 'truncated' }
  | { readonly kind: 'rate_limited'; readonly retryAfterSec: number }
  | { readonly kind: 'error'; readonly status: number; readonly echoCredentials: boolean }
  | { readonly kind: 'hang' }
  | { readonly kind: 'stall_body' };

/** Answers `value` (as the JSON text, or as the forced tool's input). */
export const ok = (value: unknown, usage?: ScriptedUsage): Behaviour => ({ kind: 'ok', value, usage });
/** Answers `value` after `ms`. */
export const slow = (ms: number, value: unknown): Behaviour => ({ kind: 'ok', value, delayMs: ms });
/** Answers with text that is not JSON (OpenAI) or a text block and no tool call (Anthropic). */
export const malformed = (text = 'Sure! The direction is long.'): Behaviour => ({ kind: 'text', text });
/** A refusal: `message.refusal` (OpenAI), `stop_reason: 'refusal'` (Anthropic). */
export const refused = (): Behaviour => ({ kind: 'refused' });
/** `finish_reason: 'content_filter'` (OpenAI; Anthropic gets a refusal). */
export const contentFiltered = (): Behaviour => ({ kind: 'content_filter' });
/** Cut at max_tokens: `finish_reason: 'length'`, `stop_reason: 'max_tokens'`. */
export const truncated = (): Behaviour => ({ kind: 'truncated' });
/** HTTP 429 with an error body and `retry-after`. */
export const rateLimited = (retryAfterSec = 7): Behaviour => ({ kind: 'rate_limited', retryAfterSec });
/** An HTTP error; `echoCredentials` puts the received key into the error message, as a careless proxy might. */
export const httpError = (status = 500, echoCredentials = false): Behaviour => ({
  kind: 'error',
  status,
  echoCredentials,
});
/** Never answers (until the client goes away). */
export const hang = (): Behaviour => ({ kind: 'hang' });
/** Sends 200 and half a body, then nothing. */
export const stallBody = (): Behaviour => ({ kind: 'stall_body' });

/** One request as received. */
export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary protocol fields
  readonly body: any;
  /** The raw body text. */
  readonly text: string;
}

const DEFAULT_USAGE: ScriptedUsage = { input: 100, output: 20, cached: 0 };

/** The scripted server. */
export class TestLlmServer {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #script: Behaviour[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #port = 0;
  #seq = 0;

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        this.#handle(req.url ?? '', req.headers, Buffer.concat(chunks).toString('utf8'), res),
      );
    });
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(): Promise<TestLlmServer> {
    const s = new TestLlmServer();
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    s.#port = (s.#server.address() as AddressInfo).port;
    return s;
  }

  /** Base URL for the `openai` client (with `/v1`). */
  get openaiURL(): string {
    return `http://127.0.0.1:${this.#port}/v1`;
  }

  /** Base URL for the Anthropic client (without `/v1`). */
  get anthropicURL(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Queues behaviours for the next requests, in order. */
  script(...behaviours: Behaviour[]): void {
    this.#script.push(...behaviours);
  }

  /** Forgets the recorded requests and any behaviour left in the script; ids count from 1 again. */
  reset(): void {
    this.requests.length = 0;
    this.#script.length = 0;
    this.#seq = 0;
  }

  /** Stops listening and drops every open connection. */
  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #handle(path: string, headers: IncomingHttpHeaders, text: string, res: ServerResponse): void {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    this.requests.push({ path, headers, body, text });
    const protocol = path.endsWith('/chat/completions')
      ? 'openai'
      : path.endsWith('/messages')
        ? 'anthropic'
        : null;
    if (protocol === null) {
      json(res, 404, { error: { message: `No route ${path}` } });
      return;
    }
    const b = this.#script.shift() ?? { kind: 'error', status: 500, echoCredentials: false };
    const id = ++this.#seq;
    // biome-ignore lint/suspicious/noExplicitAny: request bodies of two protocols
    const request = body as any;
    switch (b.kind) {
      case 'hang':
        return;
      case 'stall_body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id": "stalled", ');
        return;
      case 'rate_limited':
        json(res, 429, errorBody(protocol, 'rate_limit_error', 'Rate limit reached, slow down'), {
          'retry-after': String(b.retryAfterSec),
        });
        return;
      case 'error': {
        const credentials = headers.authorization ?? headers['x-api-key'] ?? '';
        const message = b.echoCredentials
          ? `Internal error for credentials ${credentials}`
          : 'Internal error';
        json(res, b.status, errorBody(protocol, 'api_error', message));
        return;
      }
      default: {
        const reply = protocol === 'openai' ? openaiReply(b, id, request) : anthropicReply(b, id, request);
        const delay = b.kind === 'ok' ? (b.delayMs ?? 0) : 0;
        if (delay <= 0) {
          json(res, 200, reply);
          return;
        }
        const t = setTimeout(() => {
          this.#timers.delete(t);
          if (!res.destroyed) json(res, 200, reply);
        }, delay);
        this.#timers.add(t);
      }
    }
  }
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function errorBody(protocol: 'openai' | 'anthropic', type: string, message: string): unknown {
  return protocol === 'openai'
    ? { error: { message, type, code: null, param: null } }
    : { type: 'error', error: { type, message } };
}

// biome-ignore lint/suspicious/noExplicitAny: request body
function openaiReply(b: Behaviour, id: number, request: any): unknown {
  let content: string | null = null;
  let refusal: string | null = null;
  let finish = 'stop';
  if (b.kind === 'ok') content = JSON.stringify(b.value);
  else if (b.kind === 'text') content = b.text;
  else if (b.kind === 'refused') refusal = 'I cannot help with trading decisions.';
  else if (b.kind === 'content_filter') finish = 'content_filter';
  else if (b.kind === 'truncated') {
    content = '{"direction": "lo';
    finish = 'length';
  }
  const u = (b.kind === 'ok' ? b.usage : undefined) ?? DEFAULT_USAGE;
  return {
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: 1_764_000_000,
    model: request?.model ?? 'unknown',
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal }, finish_reason: finish, logprobs: null },
    ],
    usage: {
      prompt_tokens: u.input,
      completion_tokens: u.output,
      total_tokens: u.input + u.output,
      prompt_tokens_details: { cached_tokens: u.cached ?? 0 },
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: request body
function anthropicReply(b: Behaviour, id: number, request: any): unknown {
  const tool = request?.tool_choice?.name ?? 'answer';
  let content: unknown[] = [];
  let stop = 'tool_use';
  if (b.kind === 'ok') content = [{ type: 'tool_use', id: `toolu_${id}`, name: tool, input: b.value }];
  else if (b.kind === 'text') {
    content = [{ type: 'text', text: b.text }];
    stop = 'end_turn';
  } else if (b.kind === 'refused' || b.kind === 'content_filter') stop = 'refusal';
  else if (b.kind === 'truncated') {
    content = [{ type: 'tool_use', id: `toolu_${id}`, name: tool, input: {} }];
    stop = 'max_tokens';
  }
  const u = (b.kind === 'ok' ? b.usage : undefined) ?? DEFAULT_USAGE;
  const cached = u.cached ?? 0;
  const written = u.written ?? 0;
  return {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    model: request?.model ?? 'unknown',
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: {
      input_tokens: u.input - cached - written,
      output_tokens: u.output,
      cache_read_input_tokens: cached,
      cache_creation_input_tokens: written,
    },
  };
}

/**
 * Registers hooks on the enclosing suite: a server started before its tests, reset before each test
 * and closed after them. Returns the server (call it inside tests and hooks only).
 */
export function useTestLlmServer(): () => TestLlmServer {
  let server: TestLlmServer;
  before(async () => {
    server = await TestLlmServer.start();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.reset();
  });
  return () => server;
}
