import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as z from 'zod';
import { httpError, malformed, ok, useTestLlmServer } from '../../test/llm-server.js';
import { createLogger, ManualClock } from '../core/index.js';
import { BreakerProvider } from './breaker.js';
import { OpenAiCompatibleProvider } from './openai-provider.js';
import { type LlmProvider, NO_USAGE, type StructuredResult } from './types.js';

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

describe('circuit breaker logs', () => {
  /** A provider answering from a script: true = an answer, false = a time-out. */
  function scripted(script: boolean[]): LlmProvider {
    return {
      name: 'fake',
      model: 'm',
      async complete<T>(): Promise<StructuredResult<T>> {
        const common = { usage: NO_USAGE, latencyMs: 1, provider: 'fake', model: 'm' };
        if (script.shift())
          return { ok: true, value: { answer: 'a' } as T, source: 'model', repaired: false, ...common };
        return { ok: false, failure: { kind: 'timeout', message: 'no answer in 8000 ms' }, ...common };
      },
    };
  }

  test('logs opening, a failed trial reopening and a successful trial closing, nothing else', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: { write: (l: string) => lines.push(JSON.parse(l)) },
    });
    const clock = new ManualClock(0);
    // Two time-outs open it (threshold 2); after the cool-down a trial times out (open again), the
    // next trial answers (closed), and a further answer changes nothing.
    const p = new BreakerProvider(scripted([false, false, false, true, true]), {
      threshold: 2,
      coolDownMs: 1_000,
      clock,
      logger,
    });
    await p.complete(req);
    assert.equal(lines.length, 0, 'one failure is below the threshold');
    await p.complete(req);
    await p.complete(req); // refused while open: not a transition
    clock.advance(1_000);
    await p.complete(req);
    clock.advance(1_000);
    await p.complete(req);
    await p.complete(req);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.failures ?? null, l.trial ?? null]),
      [
        ['warn', 'model breaker open', 2, false],
        ['warn', 'model breaker open', 3, true],
        ['info', 'model breaker closed', null, null],
      ],
    );
    assert.deepEqual(lines[0].failure, { kind: 'timeout', message: 'no answer in 8000 ms' });
  });
});
