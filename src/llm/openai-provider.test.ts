import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expectFailure,
  expectOk,
  FAKE_KEY,
  GOOD,
  runProviderContract,
  signalRequest,
} from '../../test/llm-provider-contract.js';
import { malformed, ok, useTestLlmServer } from '../../test/llm-server.js';
import { ManualClock } from '../core/index.js';
import { CachedProvider } from './cache.js';
import { OpenAiCompatibleProvider } from './openai-provider.js';

runProviderContract({
  name: 'openai',
  apiKeyEnv: 'TEST_OPENAI_KEY',
  newProvider: (server, o) =>
    new OpenAiCompatibleProvider({
      baseURL: server.openaiURL,
      model: 'qwen2.5-7b-instruct',
      apiKeyEnv: 'TEST_OPENAI_KEY',
      requireApiKey: true,
      ...o,
    }),
});

describe('OpenAiCompatibleProvider', () => {
  const server = useTestLlmServer();

  const local = (over: Partial<ConstructorParameters<typeof OpenAiCompatibleProvider>[0]> = {}) =>
    new OpenAiCompatibleProvider({ baseURL: server().openaiURL, model: 'llama-3.1-8b', env: {}, ...over });

  it('asks for the zod schema as a strict json_schema response_format', async () => {
    server().script(ok(GOOD));
    expectOk(await local().complete(signalRequest({ maxTokens: 300, temperature: 0 })));
    const { path, body } = server().requests[0];
    assert.equal(path, '/v1/chat/completions');
    assert.equal(body.model, 'llama-3.1-8b');
    assert.equal(body.max_tokens, 300);
    assert.equal(body.temperature, 0);
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'You are a test analyst. Answer with a trading signal.' },
      { role: 'user', content: '6EZ6: OFI +1.2, VPIN 0.31, setup breakout' },
    ]);
    assert.equal(body.response_format.type, 'json_schema');
    assert.equal(body.response_format.json_schema.name, 'signal');
    assert.equal(body.response_format.json_schema.strict, true);
    const schema = body.response_format.json_schema.schema;
    assert.deepEqual(schema.required, ['direction', 'confidence']);
    assert.deepEqual(schema.properties.direction.enum, ['long', 'short', 'flat']);
    assert.equal(schema.additionalProperties, false);
  });

  it('puts the schema in the system prompt in json_object mode', async () => {
    server().script(ok(GOOD));
    expectOk(await local({ jsonMode: 'json_object' }).complete(signalRequest()));
    const { body } = server().requests[0];
    assert.deepEqual(body.response_format, { type: 'json_object' });
    assert.match(body.messages[0].content, /matching this JSON schema:\n\{.*"direction"/);
  });

  it('sends the bad answer back as the assistant turn in a repair', async () => {
    server().script(malformed('{"direction": long}'), ok(GOOD));
    expectOk(await local().complete(signalRequest()));
    const messages = server().requests[1].body.messages;
    assert.equal(messages.length, 4);
    assert.deepEqual(messages[2], { role: 'assistant', content: '{"direction": long}' });
    assert.equal(messages[3].role, 'user');
    assert.match(messages[3].content, /not valid JSON/);
  });

  it('accepts JSON inside a Markdown code fence', async () => {
    server().script(malformed('```json\n{"direction": "short", "confidence": 0.4}\n```'));
    const r = expectOk(await local().complete(signalRequest()));
    assert.deepEqual(r.value, { direction: 'short', confidence: 0.4 });
    assert.equal(r.repaired, false);
  });

  it('needs no key for a local server and sends the stand-in key', async () => {
    server().script(ok(GOOD));
    expectOk(await local().complete(signalRequest()));
    assert.equal(server().requests[0].headers.authorization, 'Bearer no-key');
  });

  it('fails with config naming the variable when the OpenAI API has no key', async () => {
    const p = new OpenAiCompatibleProvider({ model: 'gpt-4o-mini', env: {} });
    const f = expectFailure(await p.complete(signalRequest()), 'config');
    assert.match(f.message, /OPENAI_API_KEY/);
  });

  it('fails with config for a schema name the APIs reject, without a call', async () => {
    expectFailure(await local().complete(signalRequest({ schemaName: 'trade signal' })), 'config');
    assert.equal(server().requests.length, 0);
  });

  it('reports the prompt-prefix cache through CachedProvider stats', async () => {
    // Two different prompts (exact misses, no stateKey), each 1000 input tokens of which 800 cached:
    // prompt-cache hit rate 1600 / 2000 = 0.8.
    server().script(
      ok(GOOD, { input: 1000, output: 10, cached: 800 }),
      ok(GOOD, { input: 1000, output: 10, cached: 800 }),
    );
    const cached = new CachedProvider(local(), { clock: new ManualClock(0) });
    expectOk(await cached.complete(signalRequest()));
    expectOk(await cached.complete(signalRequest({ messages: [{ role: 'user', content: 'other' }] })));
    assert.deepEqual(cached.stats().prompt, { inputTokens: 2000, cachedInputTokens: 1600, hitRate: 0.8 });
  });

  it('does not show the key when the provider is inspected', async () => {
    const p = new OpenAiCompatibleProvider({ model: 'gpt-4o-mini', env: { OPENAI_API_KEY: FAKE_KEY } });
    const { inspect } = await import('node:util');
    assert.ok(!inspect(p, { depth: 5 }).includes(FAKE_KEY));
    assert.ok(!JSON.stringify(p).includes(FAKE_KEY));
  });
});
