/**
 * The contract every `LlmProvider` over HTTP keeps, run against `TestLlmServer` through the real
 * client library: a validated answer with usage priced, one repair, and each failure mapped to its
 * kind without throwing. Each provider's test file calls `runProviderContract` once.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import type { Pricing } from '../src/llm/accounting.js';
import type { LlmProvider, StructuredRequest, StructuredResult } from '../src/llm/types.js';
import {
  contentFiltered,
  hang,
  httpError,
  malformed,
  ok,
  rateLimited,
  refused,
  slow,
  stallBody,
  TestLlmServer,
  truncated,
  useTestLlmServer,
} from './llm-server.js';
import { until } from './until.js';

/** The answer shape the tests ask for. */
export const Signal = z.object({
  direction: z.enum(['long', 'short', 'flat']),
  confidence: z.number().min(0).max(1),
});
export type Signal = z.infer<typeof Signal>;

/** A valid answer. */
export const GOOD: Signal = { direction: 'long', confidence: 0.7 };

/** A recognisable fake API key. */
export const FAKE_KEY = 'sk-test-FAKEKEY-0123456789abcdef';

/** A request for a `Signal`. */
export function signalRequest(over: Partial<StructuredRequest<Signal>> = {}): StructuredRequest<Signal> {
  return {
    system: 'You are a test analyst. Answer with a trading signal.',
    messages: [{ role: 'user', content: '6EZ6: OFI +1.2, VPIN 0.31, setup breakout' }],
    schema: Signal,
    schemaName: 'signal',
    ...over,
  };
}

/** Options a contract test passes to the provider factory. */
export interface ContractProviderOptions {
  readonly timeoutMs?: number;
  readonly pricing?: Pricing;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** How to build the provider under test against a server. */
export interface ProviderContractCase {
  readonly name: string;
  /** The variable the provider reads its key from (set to `FAKE_KEY` in `env`). */
  readonly apiKeyEnv: string;
  newProvider(server: TestLlmServer, options: ContractProviderOptions): LlmProvider;
}

/** Asserts a failure and returns it. */
export function expectFailure<T>(r: StructuredResult<T>, kind: string) {
  assert.equal(r.ok, false, `expected a ${kind} failure, got ${JSON.stringify(r)}`);
  if (r.ok) throw new Error('unreachable');
  assert.equal(r.failure.kind, kind, r.failure.message);
  return r.failure;
}

/** Asserts a success and returns it. */
export function expectOk<T>(r: StructuredResult<T>) {
  if (!r.ok) assert.fail(`expected an answer, got ${r.failure.kind}: ${r.failure.message}`);
  return r;
}

/** Registers the contract tests for one provider. */
export function runProviderContract(c: ProviderContractCase): void {
  describe(`${c.name} provider contract`, () => {
    const server = useTestLlmServer();
    const env = { [c.apiKeyEnv]: FAKE_KEY };
    const make = (options: ContractProviderOptions = {}) => c.newProvider(server(), { env, ...options });

    it('returns the validated answer with tokens and cost', async () => {
      // 1200 input tokens of which 1000 from the prompt cache, 80 output, at $3 / $15 / $0.30 per MTok:
      // (200·3 + 1000·0.3 + 80·15) / 10⁶ = (600 + 300 + 1200) / 10⁶ = $0.0021.
      server().script(ok(GOOD, { input: 1200, output: 80, cached: 1000 }));
      const provider = make({ pricing: { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3 } });
      const r = expectOk(await provider.complete(signalRequest()));
      assert.deepEqual(r.value, GOOD);
      assert.equal(r.source, 'model');
      assert.equal(r.repaired, false);
      assert.equal(r.provider, c.name);
      assert.deepEqual(
        { ...r.usage, costUsd: undefined },
        { inputTokens: 1200, outputTokens: 80, cachedInputTokens: 1000, costUsd: undefined },
      );
      assert.ok(Math.abs(r.usage.costUsd - 0.0021) < 1e-15, String(r.usage.costUsd));
      assert.equal(server().requests.length, 1);
    });

    it('sends the key it read from the environment', async () => {
      server().script(ok(GOOD));
      expectOk(await make().complete(signalRequest()));
      const h = server().requests[0].headers;
      assert.ok(`${h.authorization ?? ''} ${h['x-api-key'] ?? ''}`.includes(FAKE_KEY));
    });

    it('repairs an answer that is not JSON with one more call', async () => {
      server().script(malformed('Sure! The direction is long.'), ok(GOOD));
      const r = expectOk(await make().complete(signalRequest()));
      assert.deepEqual(r.value, GOOD);
      assert.equal(r.repaired, true);
      assert.equal(server().requests.length, 2);
      // Both calls' tokens count: 2 × (100 in, 20 out).
      assert.equal(r.usage.inputTokens, 200);
      assert.equal(r.usage.outputTokens, 40);
      assert.ok(
        server().requests[1].text.includes('Sure! The direction is long.'),
        'the bad answer goes back',
      );
      assert.ok(server().requests[1].text.includes('could not be used'), 'with the problem');
    });

    it('repairs an answer that fails the schema, sending the validation error', async () => {
      server().script(ok({ direction: 'up', confidence: 0.7 }), ok(GOOD));
      const r = expectOk(await make().complete(signalRequest()));
      assert.equal(r.repaired, true);
      assert.equal(server().requests.length, 2);
      const repairText = server().requests[1].text;
      assert.ok(repairText.includes('does not match the schema'), repairText);
      assert.ok(repairText.includes('at direction'), 'zod names the bad field');
    });

    it('gives up as malformed after exactly one repair', async () => {
      server().script(
        ok({ direction: 'up', confidence: 0.7 }),
        ok({ direction: 'long', confidence: 7 }),
        ok(GOOD),
      );
      const f = expectFailure(await make().complete(signalRequest()), 'malformed');
      assert.match(f.message, /after one repair/);
      assert.equal(server().requests.length, 2);
    });

    // A request given up on must still have reached the server before its test ends: on a loaded
    // machine it could otherwise arrive during the next test and take that test's scripted answer.
    it('times out on a slow server and returns', async () => {
      server().script(slow(5000, GOOD));
      const r = await make({ timeoutMs: 200 }).complete(signalRequest());
      expectFailure(r, 'timeout');
      await until(() => server().requests.length === 1, 'the slow request at the server');
    });

    it('times out when the body stalls after the headers', async () => {
      server().script(stallBody());
      expectFailure(await make().complete(signalRequest({ timeoutMs: 200 })), 'timeout');
      await until(() => server().requests.length === 1, 'the stalled request at the server');
    });

    it('is cancelled by its AbortSignal', async () => {
      server().script(hang());
      const ctl = new AbortController();
      const pending = make().complete(signalRequest({ signal: ctl.signal }));
      await until(() => server().requests.length === 1, 'the request at the server');
      ctl.abort();
      expectFailure(await pending, 'aborted');
    });

    it('makes no call when the signal is already aborted', async () => {
      const r = await make().complete(signalRequest({ signal: AbortSignal.abort() }));
      expectFailure(r, 'aborted');
      assert.equal(server().requests.length, 0);
    });

    it('reports 429 as rate_limited with the status and retry-after, without retrying', async () => {
      server().script(rateLimited(7), ok(GOOD));
      const f = expectFailure(await make().complete(signalRequest()), 'rate_limited');
      assert.equal(f.status, 429);
      assert.equal(f.retryAfterMs, 7000);
      assert.equal(server().requests.length, 1);
    });

    it('reports a refusal', async () => {
      server().script(refused());
      expectFailure(await make().complete(signalRequest()), 'refused');
      assert.equal(server().requests.length, 1);
    });

    it('reports a content-filter stop as a refusal', async () => {
      server().script(contentFiltered());
      expectFailure(await make().complete(signalRequest()), 'refused');
    });

    it('reports an answer cut at max_tokens as truncated, with its tokens', async () => {
      server().script(truncated());
      const r = await make().complete(signalRequest());
      expectFailure(r, 'truncated');
      assert.equal(r.usage.outputTokens, 20);
      assert.equal(server().requests.length, 1);
    });

    it('reports a 500 as http with its status', async () => {
      server().script(httpError(500));
      const f = expectFailure(await make().complete(signalRequest()), 'http');
      assert.equal(f.status, 500);
    });

    it('reports a server that is gone as network', async () => {
      const gone = await TestLlmServer.start();
      await gone.close();
      expectFailure(await c.newProvider(gone, { env }).complete(signalRequest()), 'network');
    });

    it('never puts the key in a failure message, even when the server echoes it', async () => {
      server().script(
        httpError(500, true),
        httpError(401, true),
        rateLimited(1),
        ok({ direction: 'up', confidence: 0.5 }),
        ok({ direction: FAKE_KEY, confidence: 0.5 }),
        slow(5000, GOOD),
      );
      const provider = make();
      const messages: string[] = [];
      // 500, 401, 429, malformed (the repair echoes the key as a value), timeout.
      for (let i = 0; i < 5; i++) {
        const r = await provider.complete(signalRequest(i === 4 ? { timeoutMs: 300 } : {}));
        assert.equal(r.ok, false);
        if (!r.ok) messages.push(r.failure.message);
      }
      assert.deepEqual(
        messages.map((m) => m.includes(FAKE_KEY)),
        [false, false, false, false, false],
      );
      assert.ok(messages[0].includes('[redacted]'), messages[0]);
      assert.ok(server().requests.every((r) => JSON.stringify(r.headers).includes(FAKE_KEY)));
    });
  });
}
