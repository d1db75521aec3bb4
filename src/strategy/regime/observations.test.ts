import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordCursor } from '../../data/dbn/index.js';
import { FEATURE_COLUMNS, type FeatureSnapshot } from '../../features/index.js';
import { MinuteObserver } from './observations.js';

/** An MBP-10 record stand-in: rtype, receive time and the top of book (raw 1e-9 prices). */
function rec(tsMs: number, bid: number, ask: number): RecordCursor {
  return { rtype: 10, tsRecvMs: tsMs, bidPx: () => bid, askPx: () => ask } as unknown as RecordCursor;
}

function snap(mid: number): FeatureSnapshot {
  const s: Record<string, unknown> = {};
  for (const c of FEATURE_COLUMNS) s[c] = Number.NaN;
  Object.assign(s, { mid, spread_ticks: 1 });
  return s as FeatureSnapshot;
}

const T = Date.parse('2026-11-24T14:00:00Z');
const P = 1_160_000_000; // 1.16000 in raw units
const TICK = 50_000;

test('one minute: realized variance of 1-s mid returns, worked by hand', () => {
  const o = new MinuteObserver();
  // Mid 1.16000 in second 0, 1.16005 in second 1, back to 1.16000 in second 2.
  o.record(rec(T + 100, P - TICK / 2, P + TICK / 2));
  o.record(rec(T + 1_100, P, P + TICK));
  o.record(rec(T + 2_100, P - TICK / 2, P + TICK / 2));
  const m = o.close(T + 60_000, snap(1.16), TICK);
  assert.ok(m !== null);
  const r1 = Math.log((P + TICK / 2) / P);
  const r2 = Math.log(P / (P + TICK / 2));
  const floor = (0.00005 / (4 * 1.16)) ** 2;
  assert.ok(Math.abs(m.rv - (r1 * r1 + r2 * r2)) < 1e-18);
  assert.ok(Math.abs(m.logRv - Math.log(r1 * r1 + r2 * r2 + floor)) < 1e-12);
  assert.equal(m.logEvents, Math.log(4));
});

test('a minute without events breaks the chain: no return spans the gap', () => {
  const o = new MinuteObserver();
  o.record(rec(T + 100, P - TICK / 2, P + TICK / 2));
  assert.ok(o.close(T + 60_000, snap(1.16), TICK) !== null);
  assert.equal(o.close(T + 120_000, snap(1.16), TICK), null, 'no events: no observation');
  // After the gap the mid is 20 ticks higher: the first minute after it must not count that move.
  const up = P + 20 * TICK;
  o.record(rec(T + 120_100, up - TICK / 2, up + TICK / 2));
  o.record(rec(T + 150_000, up - TICK / 2, up + TICK / 2));
  const m = o.close(T + 180_000, snap(1.16 + 20 * 0.00005), TICK);
  assert.ok(m !== null);
  assert.equal(m.rv, 0);
  assert.equal(m.ret, 0);
});
