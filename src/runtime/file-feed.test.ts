/**
 * The paced file feed into the decision loop's live mode, on a simulated half hour of 6E: fed as
 * fast as it reads, the loop takes exactly the decisions a backtest's replay of the same files
 * takes (same triggers, same inputs, same answers); paced, market time runs `speed` times real
 * time; resumed, the records before the resume point warm the engine and trigger nothing. A
 * viewer's controls of the clock (pace, hold, seek) move market time as worked out by hand.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { createAnalysts } from '../agents/index.js';
import { analystsTier, type Decision, DecisionLoop, DecisionPipeline } from '../pipeline/index.js';
import { FileFeed, ReplayClock } from './file-feed.js';

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

describe('replay clock controls', () => {
  const span = simulatedSpan({ seed: 11, spot: false, from: FROM, minutes: 30, prefix: 'file-feed-' });

  /** A clock on a hand-moved wall clock. */
  function handClock(speed: number) {
    const wall = { ms: 0 };
    return { wall, clock: new ReplayClock(speed, () => wall.ms) };
  }

  test('a new pace takes effect from now: market time already passed stays passed', () => {
    const { wall, clock } = handClock(1);
    clock.anchor(1_000);
    wall.ms = 100;
    assert.equal(clock.now(), 1_100);
    clock.setSpeed(10);
    assert.equal(clock.now(), 1_100);
    wall.ms = 200;
    // 1,100 + 100 ms of wall at 10x.
    assert.equal(clock.now(), 2_100);
    assert.throws(() => clock.setSpeed(-1), /replay speed must be a number >= 0/);
  });

  test('held, the clock stands still; played, it goes on from where it stood', () => {
    const { wall, clock } = handClock(2);
    clock.anchor(0);
    wall.ms = 100;
    clock.hold();
    assert.equal(clock.held, true);
    wall.ms = 500;
    assert.equal(clock.now(), 200);
    clock.play();
    wall.ms = 600;
    // 200 + 100 ms of wall at 2x.
    assert.equal(clock.now(), 400);
  });

  test('a seek runs on the records, then the clock paces again from the time sought', () => {
    const { wall, clock } = handClock(1);
    clock.anchor(1_000);
    clock.seek(10_000);
    assert.equal(clock.fast, true);
    clock.follow(4_000);
    wall.ms = 50;
    assert.equal(clock.now(), 4_000);
    clock.follow(10_250);
    assert.equal(clock.fast, false);
    assert.equal(clock.now(), 10_000);
    wall.ms = 80;
    assert.equal(clock.now(), 10_030);
    assert.throws(() => clock.seek(9_000), /seek goes forward only/);
  });

  test('a record waited for is let out at once by a faster pace, and not while held', async () => {
    const clock = new ReplayClock(1);
    clock.anchor(Date.now());
    const due = clock.now() + 60_000;
    let out = false;
    const waiting = clock.until(due, undefined).then(() => {
      out = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(out, false);
    clock.hold();
    clock.setSpeed(1_000_000);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(out, false, 'held: nothing goes out whatever the pace');
    clock.play();
    await waiting;
    assert.equal(out, true);
  });

  test('a held clock sent ahead runs to the time sought, then stands still there', async () => {
    const wall = { ms: 0 };
    const clock = new ReplayClock(1, () => wall.ms);
    clock.anchor(1_000);
    clock.hold();
    clock.seek(60_000);
    // Records before the time sought go out at once although the clock is held.
    await clock.until(30_000, undefined);
    clock.follow(30_000);
    assert.equal(clock.now(), 30_000);
    clock.follow(60_500);
    assert.equal(clock.now(), 60_000);
    // There it is held again: a later record waits.
    let out = false;
    const waiting = clock.until(61_000, undefined).then(() => {
      out = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(out, false);
    clock.play();
    wall.ms = 1_000;
    clock.setSpeed(1_000);
    await waiting;
  });

  test('a feed sent ahead delivers every record and ends long before its pace would', async () => {
    const files = [span.day.files.mbp10, span.day.files.trades];
    const all = await new FileFeed(files, { speed: 0 }).run(newLoop());
    const feed = new FileFeed(files, { speed: 1 });
    const endMs = Date.parse(FROM) + 30 * 60_000;
    feed.clock.seek(endMs);
    const t0 = performance.now();
    const summary = await feed.run(newLoop());
    assert.equal(summary.records, all.records);
    // 30 minutes of market at 1x would take 30 minutes; sent ahead to their end they run unpaced.
    assert.ok(performance.now() - t0 < 60_000);
  });
});
