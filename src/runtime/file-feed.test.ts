/**
 * The paced file feed into the decision loop's live mode, on a simulated half hour of 6E: fed as
 * fast as it reads, the loop takes exactly the decisions a backtest's replay of the same files
 * takes (same triggers, same inputs, same answers); paced, market time runs `speed` times real
 * time; resumed, the records before the resume point warm the engine and trigger nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { createAnalysts } from '../agents/index.js';
import { analystsTier, type Decision, DecisionLoop, DecisionPipeline } from '../pipeline/index.js';
import { FileFeed } from './file-feed.js';

const FROM = '2026-11-24T14:00:00Z';

function newLoop(): DecisionLoop {
  return new DecisionLoop({
    pipeline: new DecisionPipeline({ tier1: analystsTier(createAnalysts()) }),
    engine: { vpinBucketVolume: 200, vpinWindowBuckets: 10 },
  });
}

/** What identifies a decision and its answer. */
function key(d: Decision): string {
  const a = d.approval;
  return `${d.trigger.kind}@${d.trigger.tMs}:${d.snapshotTs}:${a.approved}:${a.direction}:${a.size}`;
}

describe('file feed into the live loop', () => {
  const span = simulatedSpan({ seed: 11, spot: false, from: FROM, minutes: 30, prefix: 'file-feed-' });
  const files = () => [span.day.files.mbp10, span.day.files.trades];

  test('at speed 0 the live loop takes the decisions the replay takes', async () => {
    const replayed = newLoop();
    const { records } = await replayed.run(files());
    const live = newLoop();
    const feed = new FileFeed(files(), { speed: 0 });
    const summary = await feed.run(live);
    // The replay runs the grid to the last record's second; so does one last tick.
    live.tick((summary.lastNs as bigint) + 1_000_000_000n);
    await live.settled();
    assert.equal(summary.records, records);
    assert.ok(replayed.decisions.length > 25, `${replayed.decisions.length} decisions in 30 minutes`);
    assert.deepEqual(live.decisions.map(key), replayed.decisions.map(key));
    // At speed 0 the clock is the last record's time.
    assert.equal(feed.clock.now(), Math.floor(Number(summary.lastNs) / 1e6));
  });

  test('paced at 600x real time, two minutes of market take at least 0.2 s, and the clock keeps market time', async () => {
    const startNs = BigInt(Date.parse(FROM) + 10 * 60_000) * 1_000_000n;
    const endMs = Date.parse(FROM) + 12 * 60_000;
    const ctl = new AbortController();
    const feed = new FileFeed(files(), {
      speed: 600,
      resumeNs: startNs,
      signal: ctl.signal,
      onProgress: (lastNs) => {
        if (Number(lastNs) / 1e6 >= endMs) ctl.abort();
      },
    });
    const loop = newLoop();
    const t0 = performance.now();
    const summary = await feed.run(loop);
    const wallMs = performance.now() - t0;
    assert.equal(summary.stopped, true);
    const spanMs = Number((summary.lastNs as bigint) - startNs) / 1e6;
    assert.ok(spanMs >= 120_000, `${spanMs} ms of market delivered`);
    // Pacing can only hold records back: 120 s of market at 600x is at least 200 ms of wall time.
    assert.ok(
      wallMs >= (spanMs / 600) * 0.95,
      `${wallMs.toFixed(0)} ms of wall time for ${spanMs} ms of market`,
    );
    // The clock is market time: within a few seconds of the last record (600x turns 5 ms into 3 s).
    const lag = feed.clock.now() - Number(summary.lastNs) / 1e6;
    assert.ok(Math.abs(lag) < 5_000, `clock ${lag.toFixed(0)} ms from the last record`);
  });

  test('a resumed feed warms the engine on earlier records and decides only after the resume point', async () => {
    const resumeMs = Date.parse(FROM) + 20 * 60_000;
    const loop = newLoop();
    const feed = new FileFeed(files(), { speed: 0, resumeNs: BigInt(resumeMs) * 1_000_000n });
    const summary = await feed.run(loop);
    loop.tick((summary.lastNs as bigint) + 1_000_000_000n);
    await loop.settled();
    assert.ok(summary.warmed > 0 && summary.records > 0);
    assert.ok(loop.decisions.length > 0);
    assert.ok(loop.decisions.every((d) => d.trigger.tMs >= resumeMs));
    // The warm engine: the first decision after the resume reads indicators 20 minutes deep, which
    // a cold start would not have (EMA(12) and RSI(7) on 1-minute bars need their bars first).
    const full = newLoop();
    await full.run(files());
    const same = full.decisions.filter((d) => d.trigger.tMs >= resumeMs + 60_000).map(key);
    const resumed = loop.decisions.filter((d) => d.trigger.tMs >= resumeMs + 60_000).map(key);
    assert.deepEqual(resumed, same);
  });
});
