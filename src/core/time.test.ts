/**
 * Nanosecond timestamps as ISO-8601 text and as u64 halves. The anchors are worked by hand:
 *
 * 1609160400 s: 1609160400 = 18624 * 86400 + 46800, so 13:00:00 on day 18624. 1970..2019 hold
 * 50 * 365 + 12 leap days = 18262 days, leaving day 362 (0-based) of leap year 2020; December
 * starts on day 335 (31+29+31+30+31+30+31+31+30+31+30), so day 362 is 28 December:
 * 2020-12-28T13:00:00Z, the start of the ESH1 fixtures (expected.json gives the same start_iso).
 *
 * 1795617000 s: 1795617000 = 20782 * 86400 + 52200 (14:30:00). 1970..2025 hold 56 * 365 + 14
 * = 20454 days, leaving day 328 of 2026 (not leap); November starts on day 304, so 25 November:
 * 2026-11-25T14:30:00Z, the sample generator's default start.
 *
 * 2^64 - 1 ns (UNDEF_TIMESTAMP) = 18446744073 s + 0.709551615 s; 18446744073 = 213503 * 86400
 * + 84873, and 84873 s = 23:34:33. Day 213503 is 2554-07-21 (the well-known u64 ns horizon).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from './errors.js';
import { UNDEF_TIMESTAMP } from './price.js';
import {
  bucketEndBefore,
  formatTimestamp,
  msFromHalves,
  parseTimestamp,
  u64FromHalves,
  yyyymmddOf,
} from './time.js';

const ESH1_START = 1_609_160_400_000_000_000n; // 2020-12-28T13:00:00Z
const SAMPLE_START = 1_795_617_000_000_000_000n; // 2026-11-25T14:30:00Z
const ISO_NS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

/** [lo, hi] of a u64 as two signed 32-bit little-endian words, as RecordCursor reads them. */
function halves(ns: bigint): [number, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, ns, true);
  return [dv.getInt32(0, true), dv.getInt32(4, true)];
}

describe('formatTimestamp', () => {
  test('prints ISO-8601 UTC with all 9 fractional digits and Z', () => {
    // expected.json, test_data.mbp-10.dbn records[0].hd.ts_event = 1609160400000429831
    assert.equal(formatTimestamp(ESH1_START + 429_831n), '2020-12-28T13:00:00.000429831Z');
    assert.equal(formatTimestamp(ESH1_START), '2020-12-28T13:00:00.000000000Z');
    assert.equal(formatTimestamp(SAMPLE_START), '2026-11-25T14:30:00.000000000Z');
    assert.equal(formatTimestamp(0n), '1970-01-01T00:00:00.000000000Z');
    assert.equal(formatTimestamp(1n), '1970-01-01T00:00:00.000000001Z');
    assert.equal(formatTimestamp(999_999_999n), '1970-01-01T00:00:00.999999999Z');
    assert.equal(formatTimestamp(1_000_000_000n), '1970-01-01T00:00:01.000000000Z');
  });

  test('before the epoch the fraction still counts up from the second below; an earlier second again prints its own date', () => {
    assert.equal(formatTimestamp(-1n), '1969-12-31T23:59:59.999999999Z');
    assert.equal(formatTimestamp(-1_000_000_005n), '1969-12-31T23:59:58.999999995Z');
    assert.equal(formatTimestamp(-1_000_000_000n), '1969-12-31T23:59:59.000000000Z');
    // 2020-12-28T13:00:00, then 2026-11-25T14:30:00, then the first second again.
    assert.equal(formatTimestamp(ESH1_START + 7n), '2020-12-28T13:00:00.000000007Z');
    assert.equal(formatTimestamp(SAMPLE_START + 7n), '2026-11-25T14:30:00.000000007Z');
    assert.equal(formatTimestamp(ESH1_START + 8n), '2020-12-28T13:00:00.000000008Z');
  });

  test('UNDEF_TIMESTAMP is null; the last real u64 nanosecond is in 2554', () => {
    assert.equal(formatTimestamp(UNDEF_TIMESTAMP), null);
    assert.equal(formatTimestamp(UNDEF_TIMESTAMP - 1n), '2554-07-21T23:34:33.709551614Z');
  });

  test('instants before 1970 count the fraction forward from the earlier second', () => {
    // -1 ns is one nanosecond before midnight, not "00:00:00.-000000001".
    assert.equal(formatTimestamp(-1n), '1969-12-31T23:59:59.999999999Z');
    assert.equal(formatTimestamp(-999_999n), '1969-12-31T23:59:59.999000001Z');
    assert.equal(formatTimestamp(-1_000_000_000n), '1969-12-31T23:59:59.000000000Z');
    // -1.5 s = 23:59:58.5
    assert.equal(formatTimestamp(-1_500_000_000n), '1969-12-31T23:59:58.500000000Z');
  });

  test('every second of a day, across midnights and back again, reads as Date prints it', () => {
    // Three days and five seconds in order (three midnights), then 2,000 seconds from 1684 to 2255
    // in no order and 2,000 through 2026–27 (the cached date must follow both), each against Date's
    // own ISO text for that second.
    const day = 86_400;
    const seconds: number[] = [];
    for (let s = 20_000 * day - 2 * day; s < 20_000 * day + day + 5; s++) seconds.push(s);
    for (let k = 0; k < 2_000; k++) seconds.push(Math.floor(Math.sin(k) * 9e9), 1_795_000_000 + k * 977);
    for (const s of seconds) {
      const expected = `${new Date(s * 1000).toISOString().slice(0, 19)}.000000123Z`;
      assert.equal(formatTimestamp(BigInt(s) * 1_000_000_000n + 123n), expected, `second ${s}`);
    }
  });

  test('always has the same shape', () => {
    for (const ns of [0n, 7n, ESH1_START + 1n, SAMPLE_START + 123_456_789n, -1n, UNDEF_TIMESTAMP - 1n]) {
      assert.match(formatTimestamp(ns)!, ISO_NS);
    }
  });
});

describe('parseTimestamp', () => {
  test('reads nanoseconds exactly', () => {
    assert.equal(parseTimestamp('2020-12-28T13:00:00.000429831Z'), ESH1_START + 429_831n);
    assert.equal(parseTimestamp('2020-12-28T13:00:00.5Z'), ESH1_START + 500_000_000n);
    assert.equal(parseTimestamp('2026-11-25T14:30:00Z'), SAMPLE_START);
    assert.equal(parseTimestamp('2554-07-21T23:34:33.709551614Z'), UNDEF_TIMESTAMP - 1n);
  });

  test('accepts a bare date, minutes without seconds, a space and a zero offset', () => {
    // Midnight of 2020-12-28 is 13 hours (46800 s) before ESH1_START.
    assert.equal(parseTimestamp('2020-12-28'), ESH1_START - 46_800_000_000_000n);
    assert.equal(parseTimestamp('2020-12-28T13:00Z'), ESH1_START);
    assert.equal(parseTimestamp('2020-12-28 13:00:00'), ESH1_START);
    assert.equal(parseTimestamp('2020-12-28T13:00:00+00:00'), ESH1_START);
    assert.equal(parseTimestamp('2020-12-28T13:00:00-00:00'), ESH1_START);
    assert.equal(parseTimestamp('2020-12-28T13:00:00+0000'), ESH1_START);
  });

  test('accepts 29 February in leap years only', () => {
    // 1970..2023 hold 54 * 365 + 13 = 19723 days; + 31 (January) + 28 = day 19782, 2024-02-29.
    assert.equal(parseTimestamp('2024-02-29'), 19_782n * 86_400n * 1_000_000_000n);
    assert.throws(() => parseTimestamp('2021-02-29'), ConfigError);
  });

  test('rejects impossible dates instead of rolling them over', () => {
    for (const text of ['2021-02-30', '2021-04-31', '2020-13-01', '2020-12-32', '2020-12-28T13:00:60Z']) {
      assert.throws(() => parseTimestamp(text), /not a valid date/, text);
    }
  });

  test('rejects other forms, quoting the input', () => {
    for (const text of [
      '',
      'yesterday',
      '1609160400',
      '2020-12-28T13',
      '2020/12/28',
      '2020-12-28T13:00:00.0000000001Z', // 10 fractional digits
      '2020-12-28T13:00:00+01:00', // not UTC
      '2020-12-28T13:00.5Z', // a fraction of a minute is not a fraction of a second
    ]) {
      assert.throws(
        () => parseTimestamp(text),
        (err: unknown) => err instanceof ConfigError && err.message.includes(`"${text}"`),
        text,
      );
    }
  });

  test('reads instants before 1970 as negative nanoseconds', () => {
    assert.equal(parseTimestamp('1969-12-31T23:59:59.999999999Z'), -1n);
    assert.equal(parseTimestamp('1969-12-31T23:59:58.5Z'), -1_500_000_000n);
  });

  test('round-trips formatTimestamp', () => {
    for (const ns of [
      0n,
      1n,
      -1n,
      -1_500_000_000n,
      ESH1_START + 429_831n,
      SAMPLE_START + 5_687_979n,
      UNDEF_TIMESTAMP - 1n,
    ]) {
      assert.equal(parseTimestamp(formatTimestamp(ns)!), ns, String(ns));
    }
  });
});

describe('u64FromHalves', () => {
  test('treats both halves as unsigned', () => {
    assert.equal(u64FromHalves(0, 0), 0n);
    assert.equal(u64FromHalves(-1, 0), 4_294_967_295n);
    assert.equal(u64FromHalves(0, 1), 4_294_967_296n);
    assert.equal(u64FromHalves(0, -2_147_483_648), 9_223_372_036_854_775_808n); // 2^63
    assert.equal(u64FromHalves(-1, -1), UNDEF_TIMESTAMP);
  });

  test('rebuilds timestamps read as two int32 words', () => {
    for (const ns of [ESH1_START + 429_831n, SAMPLE_START, UNDEF_TIMESTAMP - 1n, 2n ** 63n + 1n]) {
      assert.equal(u64FromHalves(...halves(ns)), ns);
    }
  });

  test('msFromHalves is the same instant in milliseconds, to float precision', () => {
    // 1609160400000.429831 ms; a double near 1.6e12 has a spacing of 2^-12 ms (0.24 us), so
    // compare within 1 us (the literal itself can only be written to about 0.1 us).
    const ms = msFromHalves(...halves(ESH1_START + 429_831n));
    assert.ok(Math.abs(ms - 1_609_160_400_000.43) < 0.001, String(ms));
    assert.equal(msFromHalves(...halves(2_000_000n)), 2);
  });
});

describe('yyyymmddOf', () => {
  test('is the UTC date of the instant', () => {
    assert.equal(yyyymmddOf(ESH1_START + 429_831n), 20201228);
    assert.equal(yyyymmddOf(SAMPLE_START), 20261125);
    assert.equal(yyyymmddOf(0n), 19700101);
    assert.equal(yyyymmddOf(19_782n * 86_400n * 1_000_000_000n), 20240229);
    assert.equal(yyyymmddOf(UNDEF_TIMESTAMP - 1n), 25540721);
  });

  test('changes exactly at UTC midnight', () => {
    // 2020-12-29T00:00:00Z = ESH1_START + 11 h (39600 s), the fixture's metadata end.
    const midnight = ESH1_START + 39_600_000_000_000n;
    assert.equal(yyyymmddOf(midnight - 1n), 20201228);
    assert.equal(yyyymmddOf(midnight), 20201229);
  });

  test('agrees with formatTimestamp before 1970, down to the last nanosecond', () => {
    assert.equal(yyyymmddOf(-1n), 19691231);
    assert.equal(yyyymmddOf(-1_000_000n), 19691231);
    assert.equal(yyyymmddOf(-86_400_000_000_000n), 19691231);
    assert.equal(yyyymmddOf(-86_400_000_000_001n), 19691230);
  });
});

/** The largest double below `x` (x > 0). */
function below(x: number): number {
  const f = new Float64Array([x]);
  const u = new BigInt64Array(f.buffer);
  u[0] -= 1n;
  return f[0];
}

test('bucketEndBefore stays below every time the division puts in the next bucket', () => {
  // 0.1 ms buckets (a 1 ms window) in late November 2025: (b + 1) × 0.1 rounds to 1764000000000.2, and
  // the double just below it divides to b + 1, so "t < (b + 1) × bucketMs" alone would keep it in b.
  const b = 17_640_000_000_001;
  const t = below((b + 1) * 0.1);
  assert.equal(Math.floor(t / 0.1), b + 1);
  assert.equal(t < bucketEndBefore(b, 0.1), false);
  for (const ms of [0.1, 0.3, 100, 150, 1000]) {
    for (let k = 0; k < 10_000; k++) {
      const bucket = Math.floor(1_764_000_000_000 / ms) + k * 7919;
      const end = bucketEndBefore(bucket, ms);
      assert.ok(Math.floor(below(end) / ms) <= bucket, `${bucket} × ${ms}`);
      // The margin is a sliver of the bucket, not the whole of it (2^-40 of the time: ~1.6 ms).
      assert.ok(end > (bucket + 1) * ms - 2);
    }
  }
  assert.equal(bucketEndBefore(-1, 1000), Number.NEGATIVE_INFINITY);
});
