import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inputAt, signalOf, WED_OVERLAP_MS } from '../../test/agents.js';
import { ManualClock, wallClock } from '../core/index.js';
import { createAnalysts } from './analysts.js';
import { NEVER_ABORTED, runAgents } from './runner.js';
import { AGENT_NAMES, type Agent, type AgentName, type AgentSignal } from './types.js';

const input = inputAt(WED_OVERLAP_MS, {
  spread_ticks: 1,
  spread_bps: (0.00005 / 1.1) * 1e4,
  mid: 1.1,
  microprice: 1.1000125,
  qi_l5: 0.3,
  ofi_10s: 20,
  depth_bid_5: 500,
  depth_ask_5: 500,
  volume_delta: 10,
  vpin_cdf: 0.4,
  cancel_add_ratio: 1,
  ema_3: 1.101,
  ema_6: 1.1005,
  ema_12: 1.1,
  rsi_7: 60,
  adx_7: 25,
});

function answer(agent: AgentName): AgentSignal {
  return signalOf(agent, 'flat', 0.1, { rationale: 'test' });
}

/** An agent that answers via `run`. */
function agent(name: AgentName, run: Agent['analyze'], budgetMs = 10_000): Agent {
  return { name, budgetMs, analyze: run };
}

describe('runAgents', () => {
  it('starts all seven agents before any finishes (each waits 300 ms on a real timer)', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const agents = AGENT_NAMES.map((name) =>
      agent(name, async (_input, signal) => {
        started.push(performance.now());
        await sleep(300, undefined, { signal });
        finished.push(performance.now());
        return answer(name);
      }),
    );
    const run = await runAgents(agents, input, { clock: wallClock });
    assert.equal(run.signals.length, 7);
    assert.deepEqual(
      run.outcomes.map((o) => o.status),
      AGENT_NAMES.map(() => 'ok'),
    );
    assert.equal(started.length, 7);
    assert.ok(Math.max(...started) < Math.min(...finished), 'every start precedes every finish');
    for (const o of run.outcomes) assert.ok(o.startedAt <= o.finishedAt);
    assert.ok(run.sumAgentMs >= run.tier1Ms);
  });

  it('leaves out a hanging agent at its budget and aborts its signal', async () => {
    let seen: AbortSignal | null = null;
    const hang = agent(
      'technical',
      (_input, signal) => {
        seen = signal;
        return new Promise<AgentSignal>(() => {});
      },
      20,
    );
    const ok = agent('momentum', () => answer('momentum'));
    const run = await runAgents([ok, hang], input, { clock: wallClock });
    assert.deepEqual(
      run.outcomes.map((o) => [o.agent, o.status]),
      [
        ['momentum', 'ok'],
        ['technical', 'timeout'],
      ],
    );
    assert.deepEqual(
      run.signals.map((s) => s.agent),
      ['momentum'],
    );
    assert.match(run.outcomes[1].error ?? '', /budget of 20 ms/);
    assert.equal((seen as AbortSignal | null)?.aborted, true);
  });

  it('times out through an injected timer without waiting', async () => {
    const hang = agent('regime', () => new Promise<AgentSignal>(() => {}));
    const run = await runAgents([hang], input, { clock: new ManualClock(5), timer: async () => {} });
    assert.equal(run.outcomes[0].status, 'timeout');
    assert.equal(run.outcomes[0].ms, 0);
  });

  it('records a throwing agent as error and a malformed answer as invalid, with no signal or the never-aborted one', async () => {
    const agents = [
      agent('momentum', () => {
        throw new RangeError('boom');
      }),
      agent('technical', async () => {
        throw new Error('async boom');
      }),
      agent('toxicity', () => ({ ...answer('toxicity'), confidence: 2 })),
      agent('regime', () => answer('session')),
      agent('session', () => answer('session')),
      // A `then` that throws when read is the analyst's error, as a promise's rejection would be.
      agent(
        'microstructure',
        () =>
          Object.defineProperty({}, 'then', {
            get() {
              throw new TypeError('no then');
            },
          }) as AgentSignal,
      ),
      agent('market_making', async () => answer('market_making')),
    ];
    for (const signal of [undefined, NEVER_ABORTED]) {
      const run = await runAgents(agents, input, {
        clock: new ManualClock(),
        budgetMs: Number.POSITIVE_INFINITY,
        signal,
      });
      assert.deepEqual(
        run.outcomes.map((o) => o.status),
        ['error', 'error', 'invalid', 'invalid', 'ok', 'error', 'ok'],
      );
      assert.equal(run.outcomes[0].error, 'RangeError: boom');
      assert.equal(run.outcomes[1].error, 'Error: async boom');
      assert.match(run.outcomes[2].error ?? '', /^confidence: /);
      assert.match(run.outcomes[3].error ?? '', /answered as "session"/);
      assert.equal(run.outcomes[5].error, 'TypeError: no then');
      assert.deepEqual(
        run.signals.map((s) => s.agent),
        ['session', 'market_making'],
      );
    }
  });

  it('stops every agent when the caller aborts', async () => {
    const ac = new AbortController();
    const hang = agent('market_making', () => new Promise<AgentSignal>(() => {}));
    const p = runAgents([hang], input, {
      clock: wallClock,
      budgetMs: Number.POSITIVE_INFINITY,
      signal: ac.signal,
    });
    ac.abort();
    const run = await p;
    assert.equal(run.outcomes[0].status, 'error');
    assert.equal(run.outcomes[0].error, 'aborted by the caller');
  });

  it('is deterministic: the same input gives the same outputs', async () => {
    const opts = { clock: new ManualClock(WED_OVERLAP_MS), budgetMs: Number.POSITIVE_INFINITY };
    const a = await runAgents(createAnalysts(), input, opts);
    const b = await runAgents(createAnalysts(), input, opts);
    assert.deepEqual(a, b);
    assert.equal(a.signals.length, 7);
    assert.equal(a.tier1Ms, 0);
    // Every signal survives a JSON round trip unchanged (no NaN in evidence).
    assert.deepEqual(JSON.parse(JSON.stringify(a.signals)), a.signals);
  });
});
