/**
 * Trusting MBP-10 adds and cancels to change only their own price, and trades and fills to change
 * nothing (`L2BookOptions.trustActions`, the default), must not change the change report: on a
 * simulated 20 minutes and the fixture MBP-10 files it equals, record by record, the report that
 * compares every level of both sides.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixture } from '../../test/fixtures.js';
import { simulatedSpan } from '../../test/sim-fixture.js';
import { DbnDecoder } from '../data/dbn/index.js';
import { L2Book } from './l2-book.js';

function report(b: L2Book): string[] {
  const ch = b.changes;
  const out: string[] = [];
  for (let i = 0; i < ch.count; i++)
    out.push(`${String.fromCharCode(ch.side[i])}${ch.price[i]}:${ch.delta[i]}`);
  return out.sort();
}

async function compare(file: string): Promise<{ records: number; changes: number }> {
  const trusted = new L2Book();
  const full = new L2Book({ trustActions: false });
  let records = 0;
  let changes = 0;
  for await (const batch of DbnDecoder.fromFile(file)) {
    for (let i = 0; i < batch.count; i++) {
      const c = batch.at(i);
      if (!trusted.applyMbp(c)) continue;
      full.applyMbp(c);
      records++;
      const r = report(full);
      changes += r.length;
      assert.deepEqual(report(trusted), r, `${file} record ${records}`);
    }
  }
  return { records, changes };
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
    const { records, changes } = await compare(span.day.files.mbp10);
    t.diagnostic(`${records} records, ${changes} level changes`);
    assert.ok(records > 10_000 && changes > records / 2);
  });

  test('the MBP-10 fixtures: the same report for every record', async () => {
    for (const name of ['test_data.mbp-10.dbn', 'test_data.mbp-10.v3.dbn.zst']) {
      const { records } = await compare(fixture('dbn', name));
      assert.ok(records > 0, name);
    }
  });
});
