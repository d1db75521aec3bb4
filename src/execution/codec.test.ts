/**
 * Orders and fills as bus messages: the bytes at the offsets the layout table gives (worked out by
 * hand), exact round trips, and every malformed message refused naming what is wrong.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeFill, decodeOrder, encodeFill, encodeOrder } from './codec.js';
import type { OrderSpec } from './order.js';
import type { TraderFill } from './trader.js';

const STOP_LIMIT: OrderSpec = {
  clientId: 'live-42',
  instrumentId: 42_005_347,
  side: 'sell',
  type: 'stop-limit',
  quantity: 3,
  limitPx: 1_084_850_000,
  stopPx: 1_084_900_000,
  tif: 'GTT',
  expireAtNs: 1_795_475_109_000_000_000n,
  postOnly: true,
};

const FILL: TraderFill = {
  clientId: 'bt-7',
  instrumentId: 7,
  side: 'buy',
  liquidity: 'maker',
  quantity: 2,
  price: 149_523_000_000,
  fee: 1.23,
  tsNs: 1_795_475_109_005_000_000n,
};

describe('order and fill messages', () => {
  test('an order: header, three words for limit, stop and expiry, then the id', () => {
    const b = encodeOrder(STOP_LIMIT);
    // 24 fixed + 3 × 8 + 1 + "live-42" (7) = 56 bytes.
    assert.equal(b.length, 56);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    // version 1, order, sell = 1, stop-limit = 3, GTT = 4, flags 1|2|4|8 = 15.
    assert.deepEqual([...b.subarray(0, 6)], [1, 1, 1, 3, 4, 15]);
    assert.equal(dv.getUint32(8, true), 42_005_347);
    assert.equal(dv.getFloat64(16, true), 3);
    assert.equal(dv.getBigInt64(24, true), 1_084_850_000n);
    assert.equal(dv.getBigInt64(32, true), 1_084_900_000n);
    assert.equal(dv.getBigUint64(40, true), 1_795_475_109_000_000_000n);
    assert.equal(b[48], 7);
    assert.equal(new TextDecoder().decode(b.subarray(49)), 'live-42');
    assert.deepEqual(decodeOrder(b), STOP_LIMIT);
  });

  test('a market order carries no price words and reads back without optional fields', () => {
    const market: OrderSpec = {
      clientId: 'paper-1',
      instrumentId: 1,
      side: 'buy',
      type: 'market',
      quantity: 1,
      tif: 'IOC',
    };
    const b = encodeOrder(market);
    assert.equal(b.length, 24 + 1 + 7);
    assert.equal(b[5], 0, 'no flags');
    assert.deepEqual(decodeOrder(b), market);
  });

  test('a fill: 48 fixed bytes, exact price, fee and time', () => {
    const b = encodeFill(FILL);
    assert.equal(b.length, 48 + 1 + 4);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    assert.deepEqual([...b.subarray(0, 4)], [1, 2, 0, 0], 'version, fill, buy, maker');
    assert.equal(dv.getUint32(4, true), 7);
    assert.equal(dv.getBigInt64(16, true), 149_523_000_000n);
    assert.equal(dv.getFloat64(24, true), 1.23);
    assert.equal(dv.getBigUint64(32, true), 1_795_475_109_005_000_000n);
    assert.deepEqual(decodeFill(b), FILL);
    // About a quarter of JSON's size (bigint written as a string there).
    const json = JSON.stringify({ ...FILL, tsNs: String(FILL.tsNs) });
    assert.ok(b.length < json.length / 2, `${b.length} bytes against ${json.length}`);
  });

  test('a message cut short, of another version or kind, or with a bad field is refused, naming it', () => {
    const order = encodeOrder(STOP_LIMIT);
    const fill = encodeFill(FILL);
    const refused = (f: () => unknown, re: RegExp) =>
      assert.throws(f, (e: Error & { code?: string }) => e.code === 'WIRE_DECODE' && re.test(e.message));
    refused(() => decodeOrder(order.subarray(0, 30), 'orders #9'), /^orders #9: cut short at byte 30/);
    refused(() => decodeOrder(order.subarray(0, 10)), /10 bytes, cut short/);
    refused(() => decodeOrder(fill), /kind 2, expected 1/);
    refused(() => decodeFill(Uint8Array.of(2, ...fill.subarray(1))), /version 2, this engine reads 1/);
    const badSide = fill.slice();
    badSide[2] = 5;
    refused(() => decodeFill(badSide), /side 5 is not one of 0–1/);
    const badQty = fill.slice();
    new DataView(badQty.buffer).setFloat64(8, 1.5, true);
    refused(() => decodeFill(badQty), /quantity 1\.5 is not a positive integer/);
    const longer = Uint8Array.of(...fill, 0);
    refused(() => decodeFill(longer), /54 bytes where the client id ends at 53/);
    const badUtf8 = fill.slice();
    badUtf8[49] = 0xff;
    refused(() => decodeFill(badUtf8), /not UTF-8/);
  });

  test('what does not fit its field is refused on encoding, never truncated', () => {
    const refused = (f: () => unknown, re: RegExp) =>
      assert.throws(f, (e: Error & { code?: string }) => e.code === 'WIRE_ENCODE' && re.test(e.message));
    refused(() => encodeFill({ ...FILL, price: 1.5 }), /price 1\.5: expected a whole number of raw units/);
    refused(() => encodeFill({ ...FILL, quantity: 0 }), /quantity 0/);
    refused(() => encodeFill({ ...FILL, clientId: 'x'.repeat(256) }), /client id/);
    refused(() => encodeFill({ ...FILL, instrumentId: -1 }), /instrument id -1/);
    refused(() => encodeFill({ ...FILL, fee: Number.NaN }), /fee NaN/);
    refused(() => encodeOrder({ ...STOP_LIMIT, expireAtNs: -1n }), /expiry -1/);
  });
});
