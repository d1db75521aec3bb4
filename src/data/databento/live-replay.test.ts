/**
 * DeliveredRecords: after a replay from the last timestamp, records before it and records at it
 * that were already delivered are dropped; new records at it (even byte-identical twins of
 * delivered ones) pass.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeliveredRecords } from './live-replay.js';

/** A 16-byte record whose bytes are all `tag` (the tracker compares bytes; the header is the caller's). */
function rec(tag: number): Uint8Array {
  return new Uint8Array(16).fill(tag);
}

/** Admits `tag` at timestamp (hi, lo); true = dropped. */
function admit(d: DeliveredRecords, tag: number, lo: number, hi = 0): boolean {
  const r = rec(tag);
  return d.admit(r, 0, r.length, hi, lo);
}

describe('DeliveredRecords', () => {
  test('outside a replay nothing is dropped, whatever the order', () => {
    const d = new DeliveredRecords();
    assert.deepEqual(
      [admit(d, 1, 10), admit(d, 2, 10), admit(d, 3, 9), admit(d, 1, 10)],
      [false, false, false, false],
    );
    assert.equal(d.last, 10n);
    // Records at 10: tags 1, 2 and 1 again (the one at 9 is older, not kept).
    assert.equal(d.atLast, 3);
  });

  test('a replay drops what came before the last timestamp and the records delivered at it', () => {
    const d = new DeliveredRecords();
    admit(d, 1, 5);
    admit(d, 2, 10);
    admit(d, 3, 10);
    assert.equal(d.replayFromLast(), 10n);
    // Replayed: 1 at 5 (before the last timestamp: drop), 2 at 10 (delivered: drop), 4 at 10
    // (new: pass), 3 at 10 (delivered: drop), 5 at 11 (later: pass).
    assert.deepEqual(
      [admit(d, 1, 5), admit(d, 2, 10), admit(d, 4, 10), admit(d, 3, 10), admit(d, 5, 11)],
      [true, true, false, true, false],
    );
    assert.equal(d.dropped, 3);
    assert.equal(d.last, 11n);
  });

  test('twins count twice: one delivered, one not, the replay passes exactly one', () => {
    const d = new DeliveredRecords();
    admit(d, 7, 20);
    d.replayFromLast();
    assert.deepEqual([admit(d, 7, 20), admit(d, 7, 20)], [true, false]);
    // A second replay from the same timestamp now has both twins delivered.
    d.replayFromLast();
    assert.deepEqual([admit(d, 7, 20), admit(d, 7, 20), admit(d, 8, 20)], [true, true, false]);
  });

  test('timestamps compare as unsigned 64-bit numbers across the 32-bit halves', () => {
    const d = new DeliveredRecords();
    // hi = 0x80000000 (above any signed 32-bit value), lo = 0xFFFFFFFF.
    admit(d, 1, 0xffffffff, 0x80000000);
    assert.equal(d.last, (0x80000000n << 32n) | 0xffffffffn);
    d.replayFromLast();
    // lo = 0 with hi + 1 is later; lo + 0 with the same hi but lower lo is earlier.
    assert.deepEqual([admit(d, 2, 0xfffffffe, 0x80000000), admit(d, 3, 0, 0x80000001)], [true, false]);
  });

  test('nothing delivered: no replay start', () => {
    assert.equal(new DeliveredRecords().replayFromLast(), null);
  });

  test('many records at one timestamp are all kept (the store grows)', () => {
    const d = new DeliveredRecords();
    for (let k = 0; k < 300; k++) {
      const r = new Uint8Array(400).fill(7);
      r[0] = k & 255;
      r[1] = k >> 8;
      d.admit(r, 0, r.length, 0, 1);
    }
    assert.equal(d.atLast, 300);
    d.replayFromLast();
    let dropped = 0;
    for (let k = 299; k >= 0; k--) {
      const r = new Uint8Array(400).fill(7);
      r[0] = k & 255;
      r[1] = k >> 8;
      if (d.admit(r, 0, r.length, 0, 1)) dropped++;
    }
    assert.equal(dropped, 300);
  });
});
