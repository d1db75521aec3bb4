/**
 * JSON levels of consolidated records (CMBP-1, CBBO: publisher ids, reserved bytes left out) and of
 * levels that are not decoded ones, which the dump tests of src/cli (MBP-10) do not reach.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UNDEF_PRICE } from '../../core/index.js';
import { RType } from './constants.js';
import { LAYOUTS } from './layouts.js';
import { type DbnRecord, decodeRecord, encodeRecord } from './record.js';
import { recordToJson } from './text.js';

/** A CMBP-1 record encoded and decoded again: bid 1.16, ask UNDEF, publishers 3 and 4. */
function cmbp1(): DbnRecord {
  const layout = LAYOUTS.Cmbp1Msg;
  const out = new Uint8Array(layout.size);
  encodeRecord(
    {
      hd: { length: 0, rtype: RType.CMBP_1, publisher_id: 1, instrument_id: 9, ts_event: 1n },
      price: 1_160_000_000n,
      ts_recv: 2n,
      levels: [
        {
          bid_px: 1_160_000_000n,
          ask_px: UNDEF_PRICE,
          bid_sz: 5,
          ask_sz: 0,
          bid_pb: 3,
          ask_pb: 4,
          _reserved1: 'ff00',
        },
      ],
    },
    layout,
    out,
    0,
  );
  return decodeRecord(out, 0, layout);
}

test('consolidated levels show publisher ids and leave the reserved bytes out', () => {
  const rec = cmbp1();
  assert.equal(
    (rec.levels as Record<string, unknown>[])[0]._reserved1,
    'ff00',
    'decoded, kept for re-encoding',
  );
  assert.deepEqual(recordToJson(rec).levels, [
    { bid_px: '1.160000000', ask_px: null, bid_sz: 5, ask_sz: 0, bid_pb: 3, ask_pb: 4 },
  ]);
  assert.deepEqual(recordToJson(rec, 3, { pretty: false }).levels, [
    { bid_px: '1160000000', ask_px: '9223372036854775807', bid_sz: 5, ask_sz: 0, bid_pb: 3, ask_pb: 4 },
  ]);
});

test('a level that is not a decoded one is copied key by key', () => {
  const rec = cmbp1();
  rec.levels = [{ bid_sz: 7, _reserved1: '0000', note: 'x' }];
  assert.deepEqual(recordToJson(rec).levels, [{ bid_sz: 7, note: 'x' }]);
});
