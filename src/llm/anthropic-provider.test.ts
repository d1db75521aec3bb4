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
import { AnthropicProvider } from './anthropic-provider.js';

runProviderContract({
  name: 'anthropic',
  apiKeyEnv: 'TEST_ANTHROPIC_KEY',
  newProvider: (server, o) =>
    new AnthropicProvider({
      baseURL: server.anthropicURL,
      model: 'claude-haiku-4-5',
      apiKeyEnv: 'TEST_ANTHROPIC_KEY',
      ...o,
    }),
});

describe('AnthropicProvider', () => {
  const server = useTestLlmServer();

  const make = (over: Partial<ConstructorParameters<typeof AnthropicProvider>[0]> = {}) =>
    new AnthropicProvider({
      baseURL: server().anthropicURL,
      model: 'claude-haiku-4-5',
      env: { ANTHROPIC_API_KEY: FAKE_KEY },
      ...over,
    });

  it('forces one tool whose input_schema is the zod schema, with a cached system block', async () => {
    server().script(ok(GOOD));
    expectOk(await make().complete(signalRequest({ maxTokens: 300, temperature: 0.2 })));
    const { path, body } = server().requests[0];
    assert.equal(path, '/v1/messages');
    assert.equal(body.model, 'claude-haiku-4-5');
    assert.equal(body.max_tokens, 300);
    assert.equal(body.temperature, 0.2);
    assert.deepEqual(body.system, [
      {
        type: 'text',
        text: 'You are a test analyst. Answer with a trading signal.',
        cache_control: { type: 'ephemeral' },
      },
    ]);
    assert.deepEqual(body.messages, [{ role: 'user', content: '6EZ6: OFI +1.2, VPIN 0.31, setup breakout' }]);
    assert.equal(body.tools.length, 1);
    assert.equal(body.tools[0].name, 'signal');
    assert.equal(body.tools[0].input_schema.type, 'object');
    assert.deepEqual(body.tools[0].input_schema.properties.direction.enum, ['long', 'short', 'flat']);
    assert.deepEqual(body.tool_choice, { type: 'tool', name: 'signal' });
  });

  it('repairs a bad tool input with an is_error tool_result carrying the problem', async () => {
    server().script(ok({ direction: 'up', confidence: 0.7 }), ok(GOOD));
    const r = expectOk(await make().complete(signalRequest()));
    assert.equal(r.repaired, true);
    const messages = server().requests[1].body.messages;
    assert.equal(messages.length, 3);
    assert.equal(messages[1].role, 'assistant');
    assert.deepEqual(messages[1].content, [
      { type: 'tool_use', id: 'toolu_1', name: 'signal', input: { direction: 'up', confidence: 0.7 } },
    ]);
    const result = messages[2].content[0];
    assert.equal(result.type, 'tool_result');
    assert.equal(result.tool_use_id, 'toolu_1');
    assert.equal(result.is_error, true);
    assert.match(result.content, /does not match the schema[\s\S]*at direction/);
  });

  it('repairs a reply with no tool call as text', async () => {
    server().script(malformed('I think long.'), ok(GOOD));
    expectOk(await make().complete(signalRequest()));
    const messages = server().requests[1].body.messages;
    assert.deepEqual(messages[1], { role: 'assistant', content: 'I think long.' });
    assert.match(messages[2].content, /no "signal" tool_use block/);
  });

  it('prices cache reads and writes', async () => {
    // input_tokens 200, cache_read 1000, cache_creation 300 → 1500 input tokens, 1000 cached.
    // At $1 in, $5 out, $0.10 cache read, $1.25 cache write per MTok, 50 output tokens:
    // (200·1 + 1000·0.1 + 300·1.25 + 50·5) / 10⁶ = (200 + 100 + 375 + 250) / 10⁶ = $0.000925.
    server().script(ok(GOOD, { input: 1500, output: 50, cached: 1000, written: 300 }));
    const pricing = { inputPerMTok: 1, outputPerMTok: 5, cachedInputPerMTok: 0.1, cacheWritePerMTok: 1.25 };
    const r = expectOk(await make({ pricing }).complete(signalRequest()));
    assert.equal(r.usage.inputTokens, 1500);
    assert.equal(r.usage.cachedInputTokens, 1000);
    assert.equal(r.usage.outputTokens, 50);
    assert.ok(Math.abs(r.usage.costUsd - 0.000925) < 1e-15, String(r.usage.costUsd));
  });

  it('fails with config naming the variable when the key is missing, without a call', async () => {
    const r = await make({ env: {} }).complete(signalRequest());
    const f = expectFailure(r, 'config');
    assert.match(f.message, /ANTHROPIC_API_KEY/);
    assert.equal(server().requests.length, 0);
  });

  it('fails with config naming a custom variable, never its value', async () => {
    const r = await make({ env: { OTHER: FAKE_KEY }, apiKeyEnv: 'MY_CLAUDE_KEY' }).complete(signalRequest());
    const f = expectFailure(r, 'config');
    assert.match(f.message, /MY_CLAUDE_KEY/);
    assert.ok(!f.message.includes(FAKE_KEY));
  });
});
