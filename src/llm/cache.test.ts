import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { expectOk, GOOD, type Signal, signalRequest } from '../../test/llm-provider-contract.js';
import { ManualClock } from '../core/index.js';
import { CachedProvider, MemoryLruCache, quantiseState, type ResponseCache, stateKey } from './cache.js';
import type { LlmProvider, StructuredRequest, StructuredResult, Usage } from './types.js';

/** A provider that answers from a list (the HTTP path is covered by the provider tests). */
class ScriptedProvider implements LlmProvider {
  readonly name = 'scripted';
  readonly model = 'm1';
  calls = 0;
  constructor(
    readonly answers: unknown[],
    readonly usage: Usage = { inputTokens: 1000, outputTokens: 50, cachedInputTokens: 600, costUsd: 0.001 },
  ) {}
  async complete<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const answer = this.answers[this.calls++];
    const base = { usage: this.usage, latencyMs: 5, provider: this.name, model: this.model };
    if (answer instanceof Error)
      return { ok: false, failure: { kind: 'http', message: answer.message }, ...base };
    return { ok: true, value: z.parse(req.schema, answer), source: 'model', repaired: false, ...base };
  }
}

const s1 = 'regime=high|ofi=+1|vpin=3|setups=breakout';
const s2 = 'regime=low|ofi=0|vpin=1|setups=';
const other = (content: string, key?: string) =>
  signalRequest({ messages: [{ role: 'user', content }], ...(key === undefined ? {} : { stateKey: key }) });

describe('MemoryLruCache', () => {
  it('expires an entry at its TTL on the injected clock', async () => {
    const clock = new ManualClock(1_000);
    const cache = new MemoryLruCache({ clock });
    await cache.set('k', 1, 45_000);
    clock.advance(44_999);
    assert.equal(await cache.get('k'), 1);
    clock.advance(1); // now = set time + 45000 = expiry
    assert.equal(await cache.get('k'), undefined);
    assert.equal(cache.size, 0);
  });

  it('evicts the least recently used entry', async () => {
    const cache = new MemoryLruCache({ maxEntries: 2, clock: new ManualClock() });
    await cache.set('a', 1, 1000);
    await cache.set('b', 2, 1000);
    await cache.get('a'); // a is now the most recent
    await cache.set('c', 3, 1000); // evicts b
    assert.deepEqual([await cache.get('a'), await cache.get('b'), await cache.get('c')], [1, undefined, 3]);
  });

  it('does not store with a TTL of 0', async () => {
    const cache = new MemoryLruCache({ clock: new ManualClock() });
    await cache.set('a', 1, 0);
    assert.equal(await cache.get('a'), undefined);
  });
});

describe('CachedProvider', () => {
  it('answers the same request from the exact layer', async () => {
    const inner = new ScriptedProvider([GOOD]);
    const p = new CachedProvider(inner, { clock: new ManualClock() });
    expectOk(await p.complete(signalRequest()));
    const r = expectOk(await p.complete(signalRequest()));
    assert.equal(r.source, 'exact_cache');
    assert.deepEqual(r.value, GOOD);
    assert.deepEqual(r.usage, { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0 });
    assert.equal(inner.calls, 1);
  });

  it('answers a different prompt with the same state key from the state layer', async () => {
    const inner = new ScriptedProvider([GOOD, { direction: 'short', confidence: 0.2 }]);
    const p = new CachedProvider(inner, { clock: new ManualClock() });
    expectOk(await p.complete(other('OFI +1.21', s1)));
    const hit = expectOk(await p.complete(other('OFI +1.37', s1)));
    assert.equal(hit.source, 'state_cache');
    assert.deepEqual(hit.value, GOOD);
    const miss = expectOk(await p.complete(other('OFI -0.1', s2)));
    assert.equal(miss.source, 'model');
    assert.equal(inner.calls, 2);
  });

  it('calls the model again once the TTL has passed', async () => {
    const clock = new ManualClock(0);
    const inner = new ScriptedProvider([GOOD, GOOD]);
    const p = new CachedProvider(inner, { clock, ttlMs: 30_000 });
    await p.complete(signalRequest());
    clock.advance(29_999);
    assert.equal(expectOk(await p.complete(signalRequest())).source, 'exact_cache');
    clock.advance(1);
    assert.equal(expectOk(await p.complete(signalRequest())).source, 'model');
    assert.equal(inner.calls, 2);
  });

  it('does not cache failures', async () => {
    const inner = new ScriptedProvider([new Error('500'), GOOD]);
    const p = new CachedProvider(inner, { clock: new ManualClock() });
    assert.equal((await p.complete(signalRequest())).ok, false);
    assert.equal(expectOk(await p.complete(signalRequest())).source, 'model');
    assert.equal(inner.calls, 2);
  });

  it('reports hit rates per layer', async () => {
    // R1(s1) model; R1 again exact hit; R2(s1) exact miss, state hit; R3(s2) model; R4 (no key) model.
    // exact: 5 lookups, 1 hit → 0.2. state: R1, R2, R3 looked up (R1's repeat stopped at exact,
    // R4 has no key) → 3 lookups, 1 hit → 1/3. Model calls 3, each 1000 input tokens of which 600
    // cached → prompt cache 1800 / 3000 = 0.6.
    const inner = new ScriptedProvider([GOOD, GOOD, GOOD]);
    const p = new CachedProvider(inner, { clock: new ManualClock() });
    await p.complete(other('R1', s1));
    await p.complete(other('R1', s1));
    await p.complete(other('R2', s1));
    await p.complete(other('R3', s2));
    await p.complete(other('R4'));
    assert.deepEqual(p.stats(), {
      requests: 5,
      exact: { lookups: 5, hits: 1, hitRate: 0.2 },
      state: { lookups: 3, hits: 1, hitRate: 1 / 3 },
      modelCalls: 3,
      prompt: { inputTokens: 3000, cachedInputTokens: 1800, hitRate: 0.6 },
    });
  });

  it('treats a stored value that fails the schema as a miss', async () => {
    const cache = new MemoryLruCache({ clock: new ManualClock() });
    const inner = new ScriptedProvider([GOOD, { ok: 1 }]);
    const a = new CachedProvider(inner, { cache, clock: new ManualClock() });
    await a.complete(other('x', s1));
    // Same name, another shape: the entry written for `Signal` must not be returned as this one.
    const Other = z.object({ ok: z.number() });
    const r = await a.complete({ ...other('x', s1), schema: Other } as unknown as StructuredRequest<{
      ok: number;
    }>);
    assert.equal(expectOk(r).source, 'model');
    assert.deepEqual(expectOk(r).value, { ok: 1 });
  });

  it('treats a failing store as a miss and never throws', async () => {
    const broken: ResponseCache = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => Promise.reject(new Error('redis down')),
    };
    const inner = new ScriptedProvider([GOOD, GOOD]);
    const p = new CachedProvider(inner, { cache: broken, clock: new ManualClock() });
    assert.equal(expectOk(await p.complete(signalRequest())).source, 'model');
    assert.equal(expectOk(await p.complete(signalRequest())).source, 'model');
  });

  it('passes every request through with a TTL of 0', async () => {
    const inner = new ScriptedProvider([GOOD, GOOD]);
    const p = new CachedProvider(inner, { ttlMs: 0, clock: new ManualClock() });
    await p.complete(signalRequest({ stateKey: s1 }));
    await p.complete(signalRequest({ stateKey: s1 }));
    assert.equal(inner.calls, 2);
    assert.equal(p.stats().exact.lookups, 0);
  });

  it('keys the exact layer on the system prompt too', async () => {
    const inner = new ScriptedProvider([GOOD, GOOD]);
    const p = new CachedProvider(inner, { clock: new ManualClock() });
    await p.complete(signalRequest());
    const r: StructuredResult<Signal> = await p.complete(signalRequest({ system: 'Another analyst.' }));
    assert.equal(expectOk(r).source, 'model');
  });
});

describe('stateKey', () => {
  it('quantises OFI with a dead band, VPIN to 0.1 buckets and sorts the setups', () => {
    assert.deepEqual(
      quantiseState({ regime: 'high', ofi: 0.7, vpin: 0.31, setups: ['sweep', 'breakout', 'sweep'] }),
      {
        regime: 'high',
        ofiDirection: 1,
        vpinBucket: 3,
        setups: ['breakout', 'sweep'],
      },
    );
    // |−0.3| ≤ 0.5: flat. 0.1 + 0.2 = 0.30000000000000004 and 0.3 both land in bucket 3.
    assert.equal(quantiseState({ regime: 'low', ofi: -0.3, vpin: 0.1 + 0.2, setups: [] }).ofiDirection, 0);
    assert.equal(quantiseState({ regime: 'low', ofi: -0.3, vpin: 0.1 + 0.2, setups: [] }).vpinBucket, 3);
    assert.equal(quantiseState({ regime: 'low', ofi: -0.51, vpin: 1, setups: [] }).ofiDirection, -1);
    assert.equal(quantiseState({ regime: 'low', ofi: 0, vpin: 1, setups: [] }).vpinBucket, 9);
    assert.equal(
      quantiseState({ regime: 'low', ofi: Number.NaN, vpin: Number.NaN, setups: [] }).vpinBucket,
      -1,
    );
    assert.equal(
      quantiseState({ regime: 'low', ofi: 0.3, vpin: 0, setups: [] }, { ofiDeadBand: 0.2 }).ofiDirection,
      1,
    );
  });

  it('gives the same key to states that differ only inside a bucket', () => {
    const a = stateKey({ regime: 'high', ofi: 1.2, vpin: 0.31, setups: ['sweep', 'breakout'] });
    const b = stateKey({ regime: 'high', ofi: 3.4, vpin: 0.39, setups: ['breakout', 'sweep'] });
    assert.equal(a, 'regime=high|ofi=+1|vpin=3|setups=breakout,sweep');
    assert.equal(a, b);
    assert.notEqual(a, stateKey({ regime: 'high', ofi: 1.2, vpin: 0.4, setups: ['sweep', 'breakout'] }));
  });
});
