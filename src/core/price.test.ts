/**
 * Fixed-point prices: exact decimal text both ways, and the (lo, hi) halves the hot path reads.
 * Halves are produced here the way the decoder sees them: a little-endian int64 read as two
 * signed 32-bit words (RecordCursor reads an Int32Array), so `lo` is negative whenever its top
 * bit is set.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from './errors.js';
import {
  formatPrice,
  isExactRaw,
  MAX_EXACT_RAW,
  PRICE_SCALE,
  parsePrice,
  rawPriceFromHalves,
  rawToFloat,
  UNDEF_PRICE,
} from './price.js';

/** [lo, hi] of an int64 as two signed 32-bit little-endian words. */
function halves(raw: bigint): [number, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigInt64(0, raw, true);
  return [dv.getInt32(0, true), dv.getInt32(4, true)];
}

const TWO_53 = 9007199254740992n; // 2^53
const I64_MIN = -9223372036854775808n;

describe('formatPrice', () => {
  test('prints 9 fractional digits, exactly', () => {
    assert.equal(formatPrice(1_085_000_000n), '1.085000000'); // 6E at 1.08500
    assert.equal(formatPrice(50_000n), '0.000050000'); // the 6E tick, 0.00005
    assert.equal(formatPrice(1n), '0.000000001');
    assert.equal(formatPrice(0n), '0.000000000');
    assert.equal(formatPrice(42_000_000_000n), '42.000000000');
    // expected.json, test_data.mbp-10.dbn records[0].price: raw 3722750000000, decimal 3722.750000000
    assert.equal(formatPrice(3_722_750_000_000n), '3722.750000000');
  });

  test('UNDEF_PRICE (i64::MAX) is null, and the value just below it is a number', () => {
    assert.equal(formatPrice(UNDEF_PRICE), null);
    assert.equal(formatPrice(UNDEF_PRICE - 1n), '9223372036.854775806');
  });

  test('negative prices keep the sign in front of the whole part, also below one', () => {
    // Spreads and calendar legs are negative: -1 nano-unit is -0.000000001, not 0.-000000001.
    assert.equal(formatPrice(-1n), '-0.000000001');
    assert.equal(formatPrice(-500_000_000n), '-0.500000000');
    assert.equal(formatPrice(-3_500_000_000n), '-3.500000000');
    // i64::MIN has no positive counterpart in int64; bigint handles it: -2^63 / 1e9.
    assert.equal(formatPrice(I64_MIN), '-9223372036.854775808');
  });
});

describe('parsePrice', () => {
  test('reads decimals exactly into 1e-9 units', () => {
    assert.equal(parsePrice('1.08500'), 1_085_000_000n);
    assert.equal(parsePrice('1.085'), 1_085_000_000n);
    assert.equal(parsePrice('0.00005'), 50_000n);
    assert.equal(parsePrice('3722.75'), 3_722_750_000_000n);
    assert.equal(parsePrice('42'), 42_000_000_000n);
    assert.equal(parsePrice('0.000000001'), 1n);
    assert.equal(parsePrice('-0.000000001'), -1n);
    assert.equal(parsePrice('-3.5'), -3_500_000_000n);
    assert.equal(parsePrice('-0'), 0n);
    // 0.1 + 0.2 is not 0.3 in doubles; in fixed point it is.
    assert.equal(parsePrice('0.1') + parsePrice('0.2'), parsePrice('0.3'));
  });

  test('ignores surrounding white space', () => {
    assert.equal(parsePrice(' 1.5\n'), 1_500_000_000n);
  });

  test('rejects more than 9 decimals rather than rounding them', () => {
    assert.throws(() => parsePrice('1.0000000001'), ConfigError);
    assert.throws(() => parsePrice('0.1234567891'), ConfigError);
    assert.throws(() => parsePrice('-0.0000000005'), ConfigError);
  });

  test('rejects what is not a plain decimal, quoting the input', () => {
    for (const junk of [
      '',
      ' ',
      'abc',
      '1.',
      '.5',
      '+1',
      '--1',
      '1e-5',
      '1,5',
      '1.2.3',
      '1 000',
      '0x10',
      'NaN',
      'Infinity',
      '١',
    ]) {
      assert.throws(
        () => parsePrice(junk),
        (err: unknown) => err instanceof ConfigError && err.message.includes(`"${junk}"`),
        JSON.stringify(junk),
      );
    }
  });

  test('formatPrice and parsePrice are inverse on every int64 but UNDEF', () => {
    for (const raw of [0n, 1n, -1n, 50_000n, -3_500_000_000n, 123_456_789_012n, I64_MIN, UNDEF_PRICE - 1n]) {
      const text = formatPrice(raw);
      assert.notEqual(text, null);
      assert.equal(parsePrice(text!), raw, text!);
    }
    for (const text of ['1.085000000', '-0.000000001', '0.000050000', '3722.750000000']) {
      assert.equal(formatPrice(parsePrice(text)), text);
    }
  });
});

describe('rawPriceFromHalves and isExactRaw', () => {
  test('join signed halves into the raw price, also when lo has its top bit set', () => {
    // 1.085 * 1e9 = 1085000000 < 2^31: hi 0, lo positive.
    assert.deepEqual(halves(1_085_000_000n), [1_085_000_000, 0]);
    assert.equal(rawPriceFromHalves(1_085_000_000, 0), 1_085_000_000);
    // 3722750000000 = 866 * 2^32 + 3308321664 (866 * 4294967296 = 3719441678336); 3308321664 >=
    // 2^31, so the signed lo word is 3308321664 - 2^32 = -986645632.
    assert.deepEqual(halves(3_722_750_000_000n), [-986_645_632, 866]);
    assert.equal(rawPriceFromHalves(-986_645_632, 866), 3_722_750_000_000);
    assert.equal(isExactRaw(-986_645_632, 866), true);
  });

  test('negative prices come out negative', () => {
    // -1 is all ones: hi -1, lo -1.
    assert.equal(rawPriceFromHalves(-1, -1), -1);
    // -3.5e9 = -1 * 2^32 + 794967296 (2^32 - 3.5e9 = 794967296).
    assert.deepEqual(halves(-3_500_000_000n), [794_967_296, -1]);
    assert.equal(rawPriceFromHalves(794_967_296, -1), -3_500_000_000);
    assert.equal(isExactRaw(794_967_296, -1), true);
  });

  test('UNDEF_PRICE becomes NaN and is not an exact price', () => {
    const [lo, hi] = halves(UNDEF_PRICE);
    assert.deepEqual([lo, hi], [-1, 0x7fffffff]);
    assert.ok(Number.isNaN(rawPriceFromHalves(lo, hi)));
    assert.equal(isExactRaw(lo, hi), false);
    // One below UNDEF is a (huge) price, not NaN, but far beyond 2^53.
    const [lo2, hi2] = halves(UNDEF_PRICE - 1n);
    assert.ok(!Number.isNaN(rawPriceFromHalves(lo2, hi2)));
    assert.equal(isExactRaw(lo2, hi2), false);
  });

  test('are exact up to 2^53 - 1 in magnitude and flag the first values beyond', () => {
    assert.equal(MAX_EXACT_RAW, 9007199254740991);
    // 2^53 - 1 = hi 2^21 - 1, lo all ones.
    assert.deepEqual(halves(TWO_53 - 1n), [-1, 2097151]);
    assert.equal(rawPriceFromHalves(-1, 2097151), 9007199254740991);
    assert.equal(isExactRaw(-1, 2097151), true);
    const [nlo, nhi] = halves(-(TWO_53 - 1n));
    assert.equal(rawPriceFromHalves(nlo, nhi), -9007199254740991);
    assert.equal(isExactRaw(nlo, nhi), true);
    // 2^53 + 1 has no double: it rounds to 2^53, and isExactRaw says so.
    const [plo, phi] = halves(TWO_53 + 1n);
    assert.equal(rawPriceFromHalves(plo, phi), 9007199254740992);
    assert.equal(isExactRaw(plo, phi), false);
    const [mlo, mhi] = halves(-(TWO_53 + 1n));
    assert.equal(isExactRaw(mlo, mhi), false);
    assert.equal(isExactRaw(...halves(I64_MIN)), false);
  });

  test('whenever isExactRaw says exact, the number equals the int64 exactly', () => {
    const values: bigint[] = [I64_MIN, -(2n ** 62n), UNDEF_PRICE - 1n, 2n ** 62n];
    for (let k = -3n; k <= 3n; k++) values.push(TWO_53 + k, -TWO_53 + k, (1n << 32n) + k, k);
    for (let s = 0n; s < 64n; s += 7n) values.push(1n << s, -(1n << s), (1n << s) - 1n);
    let exact = 0;
    for (const raw of values) {
      const [lo, hi] = halves(raw);
      if (!isExactRaw(lo, hi)) continue;
      exact++;
      assert.equal(BigInt(rawPriceFromHalves(lo, hi)), raw, String(raw));
    }
    assert.ok(exact > values.length / 2);
  });

  test('rawToFloat scales by 1e9 for arithmetic', () => {
    assert.equal(PRICE_SCALE, 1e9);
    assert.equal(rawToFloat(1_085_000_000), 1.085);
    assert.equal(rawToFloat(-50_000), -0.00005);
  });
});
