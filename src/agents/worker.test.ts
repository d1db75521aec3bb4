import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { inputAt, WED_OVERLAP_MS } from '../../test/agents.js';
import { createLogger, InvalidOptionError, ManualClock } from '../core/index.js';
import { createAnalysts } from './analysts.js';
import { agentsConfig } from './config.js';
import { analyzeMomentum } from './momentum.js';
import { runAgents } from './runner.js';
import { WorkerAnalyst, WorkerPool, WorkerTaskError } from './worker.js';

const MOMENTUM = new URL('./momentum.js', import.meta.url);
const TESTKIT = new URL('../../test/agents.js', import.meta.url);
const pool = new WorkerPool({ size: 2 });
after(() => pool.close());

// 120 closes: a noisy uptrend (a deterministic zig-zag around a 0.2-pip drift).
const closes = Array.from({ length: 120 }, (_, i) => 1.1 + 0.00002 * i + (i % 3 === 0 ? 0.0001 : -0.00005));
const input = inputAt(
  WED_OVERLAP_MS,
  { ema_3: 1.1024, ema_6: 1.102, ema_12: 1.1015, rsi_7: 62, adx_7: 28, plus_di_7: 25, minus_di_7: 15 },
  { closes },
);
const params = agentsConfig({ momentum: { bootstrapResamples: 20_000 } }).momentum;

describe('WorkerPool and WorkerAnalyst', () => {
  it('gives the same momentum signal on a worker thread as inline', async () => {
    const inline = analyzeMomentum(input, params);
    const remote = await pool.run(MOMENTUM, 'analyzeMomentum', [input, params]);
    assert.deepEqual(remote, inline);
    assert.equal(typeof inline.evidence.bootstrap_support, 'number');
    const analyst = new WorkerAnalyst({
      name: 'momentum',
      budgetMs: 5_000,
      module: MOMENTUM,
      fn: 'analyzeMomentum',
      params,
      pool,
    });
    assert.deepEqual(await analyst.analyze(input, new AbortController().signal), inline);
  });

  it('runs tier 1 with momentum on the pool to the same result as inline', async () => {
    const opts = { clock: new ManualClock(WED_OVERLAP_MS), budgetMs: Number.POSITIVE_INFINITY };
    const a = await runAgents(createAnalysts(), input, opts);
    const b = await runAgents(createAnalysts(undefined, { pool }), input, opts);
    assert.deepEqual(b, a);
  });

  it('terminates a running task when its signal aborts, then keeps serving', async () => {
    const ac = new AbortController();
    // `run` hands the task to a thread at once; only terminating that thread stops the loop.
    const spinning = pool.run(TESTKIT, 'spinForever', [], ac.signal);
    const threads = pool.threads;
    const reason = new Error('budget');
    ac.abort(reason);
    await assert.rejects(spinning, (e) => e === reason);
    assert.equal(pool.threads, threads - 1);
    const again = await pool.run(MOMENTUM, 'analyzeMomentum', [input, params]);
    assert.deepEqual(again, analyzeMomentum(input, params));
  });

  it('rejects with WorkerTaskError when the function throws, and for an already-aborted signal', async () => {
    await assert.rejects(pool.run(TESTKIT, 'failingTask', ['input']), (e) => {
      assert.ok(e instanceof WorkerTaskError);
      assert.match(e.message, /RangeError: bad input/);
      return true;
    });
    await assert.rejects(pool.run(TESTKIT, 'noSuchExport', []), (e) => {
      assert.ok(e instanceof WorkerTaskError);
      assert.equal(e.remoteName, 'WorkerEntryError');
      assert.match(e.message, /"noSuchExport" is not a function exported by/);
      return true;
    });
    const ac = new AbortController();
    ac.abort(new Error('early'));
    await assert.rejects(pool.run(TESTKIT, 'spinForever', [], ac.signal), /early/);
  });

  it('refuses a pool size that is not a positive integer, naming it', () => {
    for (const size of [0, 1.5, -2]) {
      assert.throws(
        () => new WorkerPool({ size }),
        (e: unknown) =>
          e instanceof InvalidOptionError && e.message === `size must be a positive integer, got ${size}`,
      );
    }
  });

  it('a WorkerAnalyst overrunning its budget is a timeout in tier 1', async () => {
    const spin = new WorkerAnalyst({
      name: 'regime',
      budgetMs: 30,
      module: TESTKIT,
      fn: 'spinForever',
      pool,
    });
    const run = await runAgents([spin], input, { clock: new ManualClock() });
    assert.equal(run.outcomes[0].status, 'timeout');
    assert.equal(run.signals.length, 0);
  });

  it('logs a thread terminated to abort its task, and the thread started in its place, once each', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (l: string) => lines.push(JSON.parse(l)) },
    });
    const own = new WorkerPool({ size: 1, logger });
    try {
      const ac = new AbortController();
      const spinning = own.run(TESTKIT, 'spinForever', [], ac.signal);
      ac.abort(new Error('budget'));
      await assert.rejects(spinning, /budget/);
      // The terminated thread's exit event arrives later; it must not count as a second loss.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(
        await own.run(MOMENTUM, 'analyzeMomentum', [input, params]),
        analyzeMomentum(input, params),
      );
      assert.equal(own.restarts, 1);
      assert.deepEqual(
        lines.map((l) => [l.component, l.level, l.msg, l.task ?? l.restarts]),
        [
          ['worker-pool', 'warn', 'worker thread lost', 'spinForever'],
          ['worker-pool', 'info', 'worker thread restarted', 1],
        ],
      );
    } finally {
      await own.close();
    }
    assert.equal(lines.length, 2, 'closing the pool is no loss');
  });
});
