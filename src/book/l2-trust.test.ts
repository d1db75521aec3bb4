/**
 * Trusting MBP-10 adds and cancels to change only their own price, and trades and fills to change
 * nothing (`L2BookOptions.trustActions`, the default), must not change the change report: on a
 * simulated 20 minutes and the fixture MBP-10 files it equals, record by record, the report that
 * compares every level of both sides; and the sides `changedSides` says a record left alone hold
 * the levels of the record before, and those `sidesChangedSince` leaves out since a reader's last
 * look hold what it saw then. A record `sizeOnlyLevel` names changed that level's size alone.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixture } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { Action, DbnDecoder } from '../data/dbn/index.js';
import { L2Book } from './l2-book.js';

function report(b: L2Book): string[] {
  const ch = b.changes;
  const out: string[] = [];
  for (let i = 0; i < ch.count; i++)
    out.push(`${String.fromCharCode(ch.side[i])}${ch.price[i]}:${ch.delta[i]}`);
  return out.sort();
}

/** One side's levels as `price:size` strings, best first. */
function levels(b: L2Book, bid: boolean): string[] {
  const n = bid ? b.bidLevels : b.askLevels;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(bid ? `${b.bidPx(i)}:${b.bidSz(i)}` : `${b.askPx(i)}:${b.askSz(i)}`);
  return out;
}

async function compare(
  file: string,
  /** Rewrites each record's `depth` byte (the level it names) before the books read it. */
  depth?: (record: number, depth: number) => number,
): Promise<{
  records: number;
  changes: number;
  unchanged: number;
  skipped: number;
  sizeOnly: number;
  modifies: number;
}> {
  const trusted = new L2Book();
  const full = new L2Book({ trustActions: false });
  let records = 0;
  let changes = 0;
  // Sides `changedSides` leaves out, checked against the record before.
  let unchanged = 0;
  let before = { bids: [] as string[], asks: [] as string[] };
  let seen = { ...before, changes: 0 };
  // Looks at which `sidesChangedSince` left a side out.
  let skipped = 0;
  // Records whose one changed level `sizeOnlyLevel` names.
  let sizeOnly = 0;
  // Of those, modifies (found by comparing their side's levels, not from the record's price).
  let modifies = 0;
  for await (const batch of DbnDecoder.fromFile(file)) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      if (depth !== undefined) batch.bytes[c.pos + 31] = depth(records, batch.bytes[c.pos + 31]);
      if (!trusted.applyMbp(c)) continue;
      full.applyMbp(c);
      records++;
      const r = report(full);
      changes += r.length;
      assert.deepEqual(report(trusted), r, `${file} record ${records}`);
      const now = { bids: levels(trusted, true), asks: levels(trusted, false) };
      const sides = trusted.changedSides;
      if ((sides & 1) === 0) {
        assert.deepEqual(now.bids, before.bids, `${file} record ${records}: bids changed`);
        unchanged++;
      }
      if ((sides & 2) === 0) {
        assert.deepEqual(now.asks, before.asks, `${file} record ${records}: asks changed`);
        unchanged++;
      }
      assert.equal(full.changedSides, 3, 'an untrusted book names both sides');
      assert.equal(full.sizeOnlyLevel, -1, 'an untrusted book names no level');
      const only = trusted.sizeOnlyLevel;
      if (only >= 0) {
        sizeOnly++;
        if (trusted.action === Action.MODIFY) modifies++;
        assert.ok(sides === 1 || sides === 2, `${file} record ${records}: one side`);
        const was = sides === 1 ? before.bids : before.asks;
        const is = sides === 1 ? now.bids : now.asks;
        assert.equal(is.length, was.length, `${file} record ${records}: level count`);
        for (let k = 0; k < is.length; k++) {
          if (k === only)
            assert.equal(is[k].split(':')[0], was[k].split(':')[0], `${file} record ${records}`);
          else assert.equal(is[k], was[k], `${file} record ${records}: level ${k}`);
        }
      }
      before = now;
      // A reader that looks now and then (gaps of 1, 3 and 6 records): the sides the book says
      // did not change since its last look hold the levels it saw then.
      const look = records % 10;
      if (look === 0 || look === 1 || look === 4) {
        const since = trusted.sidesChangedSince(seen.changes);
        if ((since & 1) === 0) assert.deepEqual(now.bids, seen.bids, `${file} record ${records}: bids since`);
        if ((since & 2) === 0) assert.deepEqual(now.asks, seen.asks, `${file} record ${records}: asks since`);
        if (since !== 3) skipped++;
        seen = { ...now, changes: trusted.levelChanges };
      }
    }
  }
  return { records, changes, unchanged, skipped, sizeOnly, modifies };
}

describe('change reports of trusted adds and cancels', () => {
  const span = simulatedSpan({
    seed: 17,
    spot: false,
    from: '2026-11-24T13:00:00Z',
    minutes: 20,
    prefix: 'l2-trust-',
  });

  test('a simulated 20 minutes: the same report for every record', async (t) => {
    const { records, changes, unchanged, skipped, sizeOnly, modifies } = await compare(span.day.files.mbp10);
    t.diagnostic(
      `${records} records, ${changes} level changes, ${unchanged} sides left out, ${sizeOnly} one level (${modifies} modifies)`,
    );
    assert.ok(records > 10_000 && changes > records / 2);
    // Every add, cancel and modify leaves one side out, a trade both.
    assert.ok(unchanged > records * 0.9);
    // A look one record after the last (a tenth of the records) leaves the untouched side out.
    assert.ok(skipped > (records / 10) * 0.9, `${skipped} looks left a side out`);
    // Most adds and cancels join or leave a level that stays.
    assert.ok(sizeOnly > records / 2, `${sizeOnly} records changed one level's size`);
    // The simulator's modifies change an order's size in place: most change one level's size.
    assert.ok(modifies > records / 10, `${modifies} modifies named their one level`);
  });

  test('records that name the wrong level (their depth) give the same report', async () => {
    // The depth of an add or cancel is only a hint of its price's rank, checked against the
    // levels: a wrong one (off by one to five levels, beyond the book, or 255) changes nothing.
    const wrong = [
      (n: number, d: number) => d + 1 + (n % 5),
      (n: number, d: number) => Math.max(0, d - 1 - (n % 3)),
      () => 10,
      () => 255,
      () => 0,
    ];
    for (const rewrite of wrong) {
      const { records, sizeOnly } = await compare(span.day.files.mbp10, (n, d) => rewrite(n, d) & 0xff);
      assert.ok(records > 10_000 && sizeOnly > records / 2);
    }
  });

  test('the MBP-10 fixtures: the same report for every record', async () => {
    for (const name of ['test_data.mbp-10.dbn', 'test_data.mbp-10.v3.dbn.zst']) {
      const { records } = await compare(fixture('dbn', name));
      assert.ok(records > 0, name);
    }
  });
});
