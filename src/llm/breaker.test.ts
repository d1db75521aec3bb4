import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { httpError, malformed, ok, useTestLlmServer } from '../../test/llm-server.js';
import { ManualClock } from '../core/index.js';
import { BreakerProvider } from './breaker.js';
import { OpenAiCompatibleProvider } from './openai-provider.js';

const schema = z.object({ answer: z.string() });
const req = {
  system: 's',
  messages: [{ role: 'user' as const, content: 'q' }],
  schema,
  schemaName: 'answer',
};

describe('circuit breaker over HTTP', () => {
  const server = useTestLlmServer();

  test('three server errors in a row open it: calls fail at once as unavailable until the cool-down ends', async () => {
    const clock = new ManualClock(1_000);
    const inner = new OpenAiCompatibleProvider({ baseURL: server().openaiURL, model: 'm', timeoutMs: 2_000 });
    const p = new BreakerProvider(inner, { threshold: 3, coolDownMs: 30_000, clock });
    server().script(httpError(500), httpError(502), httpError(503), ok({ answer: 'back' }));
    for (let i = 0; i < 3; i++) assert.equal((await p.complete(req)).ok, false);
    assert.equal(server().requests.length, 3);
    assert.equal(p.open, true);
    const refused = await p.complete(req);
    assert.ok(!refused.ok && refused.failure.kind === 'unavailable');
    assert.match(refused.ok ? '' : refused.failure.message, /3 calls in a row failed \(last: http/);
    assert.equal(server().requests.length, 3, 'not asked while open');
    clock.advance(30_000);
    const trial = await p.complete(req);
    assert.ok(trial.ok && trial.value.answer === 'back');
    assert.equal(p.open, false);
    assert.equal(p.refused, 1);
  });

  test('bad answers are not service failures: the breaker stays closed', async () => {
    const clock = new ManualClock(0);
    const inner = new OpenAiCompatibleProvider({ baseURL: server().openaiURL, model: 'm', timeoutMs: 2_000 });
    const p = new BreakerProvider(inner, { threshold: 2, clock });
    server().script(...Array.from({ length: 8 }, () => malformed()));
    for (let i = 0; i < 4; i++) {
      const r = await p.complete(req);
      assert.ok(!r.ok && r.failure.kind === 'malformed');
    }
    assert.equal(p.open, false);
    assert.equal(server().requests.length, 8, 'each call and its repair reached the server');
  });
});
