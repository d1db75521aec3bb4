import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidOptionError } from '../core/index.js';
import { ConstantLatency, FeedLatency } from './latency.js';

describe('latency models', () => {
  test('constant: each action its own delay, modify and cancel defaulting to the entry delay', () => {
    const l = new ConstantLatency({ entry: 50_000_000n, cancel: 20_000_000n, ack: 5_000_000n });
    assert.equal(l.toVenue('entry'), 50_000_000n);
    assert.equal(l.toVenue('modify'), 50_000_000n);
    assert.equal(l.toVenue('cancel'), 20_000_000n);
    assert.equal(l.fromVenue(), 5_000_000n);
    // An order sent at t = 1.000 s with 50 ms to the venue meets the book of t = 1.050 s.
    assert.equal(1_000_000_000n + l.toVenue('entry'), 1_050_000_000n);
  });

  test('feed: the last record’s ts_recv − ts_event, never below the floor', () => {
    const l = new FeedLatency(100_000n);
    assert.equal(l.toVenue(), 100_000n);
    l.observe(450_000);
    assert.equal(l.toVenue(), 450_000n);
    assert.equal(l.fromVenue(), 450_000n);
    l.observe(10_000);
    assert.equal(l.toVenue(), 100_000n);
    l.observe(-1_000_000); // clock skew: recv before event
    assert.equal(l.toVenue(), 100_000n);
  });

  test('negative or non-bigint delays are refused', () => {
    assert.throws(() => new ConstantLatency({ entry: -1n, ack: 0n }), InvalidOptionError);
    assert.throws(() => new ConstantLatency({ entry: 1n, ack: 5 as unknown as bigint }), InvalidOptionError);
    assert.throws(() => new FeedLatency(-5n), InvalidOptionError);
  });
});
