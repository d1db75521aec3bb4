import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { storeSnapshot } from '../../../test/feature-store-contract.js';
import { FEATURE_COLUMNS, type FeatureSnapshot } from '../../features/index.js';
import { decodeFeatureSnapshot, encodeFeatureSnapshot } from './codec.js';
import { FeatureCodecError } from './errors.js';

const N = FEATURE_COLUMNS.length;
/** Where the symbol's length byte is: a 16-byte header, then 8 bytes per column. */
const SYMBOL_AT = 16 + 8 * N;
const KEY = 'scalper:features:latest 7';

/** 2024-12-05T13:00:00.123456789Z; its bytes, little-endian, worked in Python: struct.pack('<Q', …). */
const TS_NS = 1_733_403_600_123_456_789n;
const TS_BYTES = [21, 237, 189, 237, 99, 73, 14, 24];

const sample = () =>
  storeSnapshot(
    0x01020304,
    TS_NS,
    '2024-12-05T13:00:00.123456789Z',
    { spread_ticks: 1, vpin_daily: 0.25 },
    '6EZ4',
    'london',
  );

/** The error `decodeFeatureSnapshot` throws for `bytes`, checked to be a FEATURE_DECODE naming KEY. */
function decodeError(bytes: Uint8Array): FeatureCodecError {
  try {
    decodeFeatureSnapshot(bytes, KEY);
  } catch (e) {
    assert.ok(e instanceof FeatureCodecError, `not a FeatureCodecError: ${e}`);
    assert.equal(e.code, 'FEATURE_DECODE');
    assert.ok(e.message.startsWith(`feature snapshot "${KEY}": `), e.message);
    return e;
  }
  assert.fail('decoded bytes that are not a snapshot');
}

describe('feature snapshot encoding', () => {
  test('lays the snapshot out as documented: header, float64 columns, symbol', () => {
    const b = encodeFeatureSnapshot(sample());
    assert.equal(b.length, 16 + 8 * N + 1 + 4);
    assert.deepEqual([...b.subarray(0, 4)], [1, 2, N & 0xff, N >> 8]); // version 1, london = 2
    assert.deepEqual([...b.subarray(4, 8)], [4, 3, 2, 1]);
    assert.deepEqual([...b.subarray(8, 16)], TS_BYTES);
    // spread_ticks = 1.0 is the first column; 1.0 = 0x3FF0000000000000.
    assert.equal(FEATURE_COLUMNS[0], 'spread_ticks');
    assert.deepEqual([...b.subarray(16, 24)], [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    // vpin_daily = 0.25 is the last; 0.25 = 0x3FD0000000000000.
    assert.equal(FEATURE_COLUMNS[N - 1], 'vpin_daily');
    assert.deepEqual([...b.subarray(SYMBOL_AT - 8, SYMBOL_AT)], [0, 0, 0, 0, 0, 0, 0xd0, 0x3f]);
    assert.deepEqual([...b.subarray(SYMBOL_AT)], [4, 0x36, 0x45, 0x5a, 0x34]); // "6EZ4"
  });

  test('gives back every value exactly: NaN, -0, infinities, subnormals, a non-ASCII symbol', () => {
    const s = storeSnapshot(
      4_294_967_295,
      18_446_744_073_709_551_614n,
      '',
      {
        mid: -0,
        microprice: Number.NEGATIVE_INFINITY,
        rv_1m: Number.POSITIVE_INFINITY,
        kyle_lambda: 5e-324,
        cvd: Number.MAX_VALUE,
        qi_l1: 0.1 + 0.2,
      },
      'EUR/USD €',
      'closed',
    );
    const back = decodeFeatureSnapshot(encodeFeatureSnapshot(s), KEY);
    const { ts, ...rest } = back;
    const { ts: _ts, ...want } = s;
    assert.deepEqual(rest, want); // Object.is per value: NaN = NaN, -0 ≠ 0
    assert.ok(Object.isFrozen(back));
    assert.ok(Number.isNaN(back.vpin));
    assert.equal(back.qi_l1, 0.30000000000000004);
    // ts is formatted from ts_ns: 2^64 − 2 ns after the epoch is in 2554.
    assert.equal(ts, '2554-07-21T23:34:33.709551614Z');
  });

  test('writes ts from ts_ns with 9 fractional digits, as the feature engine does', () => {
    const back = decodeFeatureSnapshot(encodeFeatureSnapshot(sample()), KEY);
    assert.equal(back.ts, '2024-12-05T13:00:00.123456789Z');
    assert.equal(
      decodeFeatureSnapshot(encodeFeatureSnapshot({ ...sample(), ts_ns: 0n }), KEY).ts,
      '1970-01-01T00:00:00.000000000Z',
    );
  });

  test('refuses bytes that are not a snapshot, naming the key and what is wrong', () => {
    const good = encodeFeatureSnapshot(sample());
    const edit = (i: number, v: number) => {
      const b = Buffer.from(good);
      b[i] = v;
      return b;
    };
    assert.match(decodeError(good.subarray(0, 100)).message, /100 bytes, shorter than the/);
    assert.match(decodeError(new Uint8Array(0)).message, /0 bytes/);
    assert.match(decodeError(edit(0, 2)).message, /encoding version 2, this engine reads 1/);
    assert.match(
      decodeError(edit(2, N + 1)).message,
      new RegExp(`${N + 1} feature columns, this engine has ${N}`),
    );
    assert.match(decodeError(edit(1, 6)).message, /session index 6 is not one of 0\.\.5/);
    assert.match(decodeError(Buffer.concat([good, Buffer.from([0])])).message, /-byte symbol has/);
    assert.match(
      decodeError(good.subarray(0, good.length - 1)).message,
      /a snapshot with a 4-byte symbol has/,
    );
    assert.match(decodeError(edit(SYMBOL_AT + 1, 0xff)).message, /the symbol is not valid UTF-8/);
  });

  test('refuses a snapshot the encoding cannot hold, naming the instrument and the field', () => {
    const bad = (over: Record<string, unknown>, want: RegExp) =>
      assert.throws(
        () => encodeFeatureSnapshot({ ...sample(), ...over } as FeatureSnapshot),
        (e: unknown) => e instanceof FeatureCodecError && e.code === 'FEATURE_ENCODE' && want.test(e.message),
      );
    bad({ ts_ns: -1n }, /ts_ns must be a bigint within uint64, got -1/);
    bad({ ts_ns: 2n ** 64n }, /within uint64/);
    bad({ ts_ns: 1.5 }, /ts_ns must be a bigint/);
    bad({ instrument_id: -1 }, /instrument -1.*instrument_id must be a uint32/);
    bad({ instrument_id: 2 ** 32 }, /uint32, got 4294967296/);
    bad({ instrument_id: 1.5 }, /uint32, got 1.5/);
    bad({ session: 'lunch' }, /session "lunch" is not one of sydney, tokyo/);
    bad({ symbol: 'x'.repeat(256) }, /symbol is 256 bytes of UTF-8, more than 255/);
    bad({ mid: undefined }, /column "mid" is undefined, not a number/);
    bad({ vpin: '0.5' }, /column "vpin" is string/);
  });
});
