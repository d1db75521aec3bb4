/**
 * Upgrading v1/v2 records to v3 (`{ upgrade: true }`), as Databento's clients do with
 * `VersionUpgradePolicy::UpgradeToV3`. The fixtures hold the same source data in every version
 * (EXPECTED.md, "Cross-version consistency"), so an upgraded v1 or v2 file must read exactly like
 * the v3 file of its schema in expected.json. Error, system and symbol-mapping records appear in
 * no fixture; they are built here with the v1 layouts and checked against the conversion rules of
 * Databento's reference implementation (dbn 0.54.0, rust/dbn/src/v2.rs `From<&v1::ErrorMsg>`,
 * `From<&v1::SystemMsg>`, `From<&v1::SymbolMappingMsg>`, record/impl_default.rs defaults).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertClean,
  Checker,
  dbnFixtureNames,
  decodeAll,
  decodeFixture,
  expectedFiles,
  RECORD_META_KEYS,
} from '../../../test/dbn.js';
import { UNDEF_PRICE, UNDEF_TIMESTAMP } from '../../core/index.js';
import { RType } from './constants.js';
import { DbnDecoder } from './decoder.js';
import { LAYOUTS, layoutFor } from './layouts.js';
import { type DbnRecord, encodeRecord } from './record.js';

const expected = expectedFiles();
const names = dbnFixtureNames();

/** The v3 file of each schema: the reference every other version must upgrade to. */
const V3_BY_SCHEMA = new Map<string, string>();
for (const name of names) {
  const md = expected[name].metadata;
  if (md && md.version === 3 && name.endsWith('.v3.dbn.zst')) V3_BY_SCHEMA.set(String(md.schema), name);
}

/** Compares upgraded records with the expected.json records of a v3 file. */
function checkAgainstV3(
  c: Checker,
  name: string,
  records: DbnRecord[],
  versions: number[],
  v3: Array<Record<string, unknown>>,
  adjust: (e: Record<string, unknown>) => Record<string, unknown> = (e) => e,
): void {
  c.eq(records.length, v3.length, `${name} record count`);
  v3.forEach((raw, i) => {
    const rec = records[i];
    if (!rec) {
      c.fail(`${name}[${i}]`, 'not decoded');
      return;
    }
    const e = adjust(raw);
    c.eq(versions[i], 3, `${name}[${i}] batch version`);
    c.eq(layoutFor(rec.hd.rtype, 3)?.name, e._layout, `${name}[${i}]._layout`);
    c.eq(rec.hd.length * 4, e._size, `${name}[${i}]._size`);
    c.value(rec, e, `${name}[${i}]`, RECORD_META_KEYS);
  });
}

describe('upgrading v1 and v2 fixtures to v3', () => {
  test('every schema with older versions has a v3 file to compare with', () => {
    // mbo, mbp-1, mbp-10, tbbo, trades, ohlcv-1s/1m/1h/1d, definition, statistics, status,
    // imbalance, cmbp-1, cbbo-1s, bbo-1s, bbo-1m: 17 schemas (SOURCE.md). bbo/cbbo/cmbp-1/status
    // exist in v2 and v3 only; every other schema also in v1.
    assert.equal(V3_BY_SCHEMA.size, 17);
  });

  for (const name of names) {
    const e = expected[name];
    const md = e.metadata;
    if (!md || md.version === 3) continue;
    // The DBZ definition file holds another data set (XNAS.ITCH MSFT, December 2022): it is
    // checked against values worked from its own expected v1 record below.
    if (name === 'test_data.definition.dbz') continue;
    const v3 = V3_BY_SCHEMA.get(String(md.schema))!;
    test(`${name} with { upgrade: true } reads like ${v3}`, async () => {
      const d = await decodeFixture(name, { upgrade: true });
      const c = new Checker();
      // DBZ OHLCV files keep the deprecated rtype 0x11 (EXPECTED.md lists it as an expected
      // difference, and Databento's upgrade does not rewrite rtypes): the bar interval is only
      // in the metadata schema. Every other value is the v3 file's.
      const dbzOhlcv = md.version === 0 && String(md.schema).startsWith('ohlcv');
      checkAgainstV3(c, name, d.records, d.versions, expected[v3].records, (r) =>
        dbzOhlcv ? { ...r, hd: { ...(r.hd as object), rtype: RType.OHLCV_DEPRECATED } } : r,
      );
      assertClean(c);
    });
  }

  test('statistics: the v1/v2 quantity sentinel i32::MAX becomes i64::MAX', async () => {
    for (const name of ['test_data.statistics.v1.dbn.zst', 'test_data.statistics.v2.dbn.zst']) {
      // Without the upgrade the file's own value is 2^31-1 (expected.json, StatMsgV1).
      assert.equal(expected[name].records[0].quantity, 2147483647);
      const plain = await decodeFixture(name);
      assert.equal(plain.records[0].quantity, 2147483647);
      const up = await decodeFixture(name, { upgrade: true });
      // v3 files have 2^63-1 for the same source value (expected.json, StatMsgV3).
      assert.equal(expected['test_data.statistics.v3.dbn.zst'].records[0].quantity, '9223372036854775807');
      for (const r of up.records) {
        assert.equal(r.quantity, 9223372036854775807n);
        assert.equal(r.hd.length, 80 / 4);
        assert.equal(r._reserved, '00'.repeat(18));
      }
    }
  });

  test('definition fragments v1 and v2 upgrade to the v3 fragment; so do the first two multi-frame records', async () => {
    const v3 = expected['test_data.definition.v3.dbn.frag'].records;
    const c = new Checker();
    for (const name of [
      'test_data.definition.v1.dbn.frag',
      'test_data.definition.v1.dbn.frag.zst',
      'test_data.definition.v2.dbn.frag',
      'test_data.definition.dbn.frag.zst',
    ]) {
      const d = await decodeFixture(name, { upgrade: true });
      checkAgainstV3(c, name, d.records, d.versions, v3);
    }
    // EXPECTED.md: the v1/v2/v3 fragments hold the first two records of the multi-frame one.
    const multi = await decodeFixture('multi-frame.definition.v1.dbn.frag.zst', { upgrade: true });
    assert.equal(multi.records.length, 8);
    checkAgainstV3(c, 'multi-frame', multi.records.slice(0, 2), multi.versions.slice(0, 2), v3);
    assertClean(c);
  });

  test('the DBZ definitions upgrade by the v1 -> v3 rules, worked from their expected v1 values', async () => {
    const name = 'test_data.definition.dbz';
    const v1 = expected[name].records;
    // Databento's From<&v1::InstrumentDefMsg> for v3 (v3/methods.rs) copies every common field,
    // widens raw_instrument_id to u64, drops trading_reference_price/_date, settl_price_type,
    // md_security_trading_status and the v1 reserved gaps, and takes the v3 defaults
    // (record/impl_default.rs) for the leg fields and the 17 reserved bytes.
    const dropped = [
      'trading_reference_price',
      'trading_reference_date',
      'settl_price_type',
      'md_security_trading_status',
      '_reserved2',
      '_reserved3',
      '_reserved4',
      '_reserved5',
      '_dummy',
    ];
    const undef = { raw: String(UNDEF_PRICE), decimal: null };
    const toV3 = (r: Record<string, unknown>): Record<string, unknown> => {
      const out: Record<string, unknown> = { ...r, _layout: 'InstrumentDefMsgV3', _size: 520 };
      for (const k of dropped) delete out[k];
      out.hd = { ...(r.hd as object), length: 520 / 4 };
      out.raw_instrument_id = String(r.raw_instrument_id);
      Object.assign(out, {
        leg_price: undef,
        leg_delta: undef,
        leg_instrument_id: 0,
        leg_ratio_price_numerator: 0,
        leg_ratio_price_denominator: 0,
        leg_ratio_qty_numerator: 0,
        leg_ratio_qty_denominator: 0,
        leg_underlying_id: 0,
        leg_count: 0,
        leg_index: 0,
        leg_raw_symbol: '',
        leg_instrument_class: '\u0000',
        leg_side: 'N', // Side::None
        _reserved: '00'.repeat(17),
      });
      return out;
    };
    const d = await decodeFixture(name, { upgrade: true });
    const c = new Checker();
    checkAgainstV3(c, name, d.records, d.versions, v1.map(toV3));
    assertClean(c);
    // The worked record has exactly the v3 layout's fields.
    const fields = LAYOUTS.InstrumentDefMsgV3.fields.map((f) => f.name).sort();
    const workedKeys = Object.keys(toV3(v1[0]))
      .filter((k) => !['_layout', '_offset', '_size', 'hd'].includes(k))
      .sort();
    assert.deepEqual(workedKeys, fields);
  });

  test('v3 files and market-data records pass through an upgrade unchanged', async () => {
    for (const name of [
      'test_data.mbo.v3.dbn',
      'test_data.definition.v3.dbn.zst',
      'test_data.mbp-10.v1.dbn.zst',
    ]) {
      const plain = await decodeFixture(name);
      const up = await decodeFixture(name, { upgrade: true });
      assert.deepEqual(up.records, plain.records, name);
      assert.ok(up.versions.every((v) => v === 3));
    }
  });
});

/** Encodes v1 records with their v1 layouts into one fragment buffer. */
function v1Fragment(records: DbnRecord[], tsOut = false): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const rec of records) {
    const layout = layoutFor(rec.hd.rtype, 1)!;
    assert.equal(layout.version === 1 || layout.version === 3, true);
    const buf = new Uint8Array(layout.size + (tsOut ? 8 : 0));
    encodeRecord(rec, layout, buf, 0, tsOut);
    parts.push(buf);
  }
  return Buffer.concat(parts);
}

function hd(rtype: number, instrument_id: number, ts_event: bigint, publisher_id = 0) {
  return { length: 0, rtype, publisher_id, instrument_id, ts_event };
}

async function upgradeV1(records: DbnRecord[], tsOut = false) {
  const bytes = v1Fragment(records, tsOut);
  return decodeAll(DbnDecoder.fromBytes(bytes, { version: 1, upgrade: true, tsOut }));
}

describe('upgrading hand-built v1 error, system and symbol-mapping records', () => {
  test('a v1 symbol mapping (80 bytes) becomes a v3 one (176 bytes) with stype_in/out unset', async () => {
    assert.equal(LAYOUTS.SymbolMappingMsgV1.size, 80);
    const v1: DbnRecord = {
      hd: hd(RType.SYMBOL_MAPPING, 5482, 1609160400000000000n, 1),
      stype_in_symbol: 'ESH1',
      stype_out_symbol: '5482',
      start_ts: 1609113600000000000n, // 2020-12-28T00:00Z
      end_ts: 1609200000000000000n, // 2020-12-29T00:00Z
    };
    const d = await upgradeV1([v1]);
    assert.equal(d.records.length, 1);
    // v2.rs From<&v1::SymbolMappingMsg>: header kept (length recomputed), symbols and times
    // copied, stype_in/stype_out from Default: u8::MAX (impl_default.rs).
    assert.deepEqual(d.records[0], {
      hd: {
        length: 176 / 4,
        rtype: 0x16,
        publisher_id: 1,
        instrument_id: 5482,
        ts_event: 1609160400000000000n,
      },
      stype_in: 255,
      stype_in_symbol: 'ESH1',
      stype_out: 255,
      stype_out_symbol: '5482',
      start_ts: 1609113600000000000n,
      end_ts: 1609200000000000000n,
    });
    assert.deepEqual(d.versions, [3]);
  });

  test('a v1 error message becomes a v3 one; its code is inferred from the text as Databento does', async () => {
    // v2.rs From<&v1::ErrorMsg>: code from the message (ErrorCode, enums.rs), else 255 (Unset);
    // is_last is u8::MAX (Default).
    const cases: Array<[string, number]> = [
      ['User or API key deactivated', 2], // ApiKeyDeactivated
      ['User has reached their open connection limit', 3], // ConnectionLimitExceeded
      ['Failed to resolve symbol "6EZ9"', 4], // SymbolResolutionFailed (prefix)
      ['Internal error', 6], // InternalError
      ['Slow client detected for mbo', 7], // SkippedRecordsAfterSlowReading (prefix)
      ['Internal error!', 255], // exact matches only
      ['Authentication failed', 255], // AuthFailed is never inferred
      ['', 255],
    ];
    const v1 = cases.map(([err], i) => ({ hd: hd(RType.ERROR, 0, BigInt(1000 + i)), err }));
    const d = await upgradeV1(v1);
    assert.equal(d.records.length, cases.length);
    d.records.forEach((r, i) => {
      assert.deepEqual(r, {
        hd: { length: 320 / 4, rtype: 0x15, publisher_id: 0, instrument_id: 0, ts_event: BigInt(1000 + i) },
        err: cases[i][0],
        code: cases[i][1],
        is_last: 255,
      });
    });
  });

  test('a v1 system message becomes a v3 one; heartbeats and known messages get their code', async () => {
    // v2.rs From<&v1::SystemMsg>: "Heartbeat" -> 0; starts "End of interval for " -> 4;
    // starts "Subscription request " and ends " succeeded" -> 1; starts "Warning: slow
    // reading" -> 2; starts "Finished " and ends " replay" -> 3; otherwise 255 (Unset).
    const cases: Array<[string, number]> = [
      ['Heartbeat', 0],
      ['Subscription request 1 for mbo data succeeded', 1],
      ['Warning: slow reading, 50% buffer used', 2],
      ['Finished mbo replay', 3],
      ['End of interval for ohlcv-1s', 4],
      ['Heartbeat ', 255], // exact match only
      ['Subscription request failed', 255],
      // starts_with/ends_with may share the space: "Subscription request " and " succeeded"
      // both hold for "Subscription request succeeded"; likewise "Finished replay".
      ['Subscription request succeeded', 1],
      ['Finished replay', 3],
      // Rust's str methods see across line breaks.
      ['Subscription request for\nmbo succeeded', 1],
    ];
    const v1 = cases.map(([msg], i) => ({ hd: hd(RType.SYSTEM, 0, BigInt(i)), msg }));
    const d = await upgradeV1(v1);
    d.records.forEach((r, i) => {
      assert.deepEqual(
        r,
        {
          hd: { length: 320 / 4, rtype: 0x17, publisher_id: 0, instrument_id: 0, ts_event: BigInt(i) },
          msg: cases[i][0],
          code: cases[i][1],
        },
        JSON.stringify(cases[i][0]),
      );
    });
  });

  test('v1 statistics with real quantities (negative too) widen to i64; mixed records keep their order', async () => {
    const stat = (quantity: number, ts: bigint): DbnRecord => ({
      hd: hd(RType.STATISTICS, 42, ts, 1),
      ts_recv: ts + 5n,
      ts_ref: UNDEF_TIMESTAMP,
      price: UNDEF_PRICE,
      quantity,
      sequence: 7,
      ts_in_delta: -3,
      stat_type: 9,
      channel_id: 2,
      update_action: 1,
      stat_flags: 0,
    });
    const trade: DbnRecord = {
      hd: hd(RType.MBP_0, 42, 10n, 1),
      price: 1_081_250_000n,
      size: 3,
      action: 'T',
      side: 'B',
      flags: 0x80,
      depth: 0,
      ts_recv: 11n,
      ts_in_delta: 100,
      sequence: 8,
    };
    const sysmsg: DbnRecord = { hd: hd(RType.SYSTEM, 0, 12n), msg: 'Heartbeat' };
    const d = await upgradeV1([stat(-5, 1n), trade, stat(2147483647, 2n), sysmsg, stat(123456, 3n)]);
    assert.deepEqual(
      d.records.map((r) => r.hd.rtype),
      [0x18, 0x00, 0x18, 0x17, 0x18],
    );
    // i32 -5 sign-extends to i64 -5; i32::MAX is the "undefined" sentinel -> i64::MAX.
    assert.equal(d.records[0].quantity, -5n);
    assert.equal(d.records[2].quantity, 9223372036854775807n);
    assert.equal(d.records[4].quantity, 123456n);
    assert.equal(d.records[0].ts_in_delta, -3);
    assert.equal(d.records[0].sequence, 7);
    assert.deepEqual(d.records[1], { ...trade, hd: { ...trade.hd, length: 48 / 4 } });
    assert.equal(d.records[3].code, 0);
    // The cursor of the upgraded batch reads v3 offsets (sequence after the i64 quantity).
    const dec = DbnDecoder.fromBytes(v1Fragment([stat(-5, 1n)]), { version: 1, upgrade: true });
    for await (const batch of dec) {
      assert.equal(batch.version, 3);
      assert.equal(batch.at(0).sequence, 7);
    }
  });

  test('strings that fill their whole field (no NUL) are carried over verbatim', async () => {
    // Found by fuzzing: re-encoding an upgraded definition rejected a 4-character currency in
    // its 4-byte field. Databento's upgrade copies the bytes (copy_from_slice), NUL or not.
    const layout = LAYOUTS.InstrumentDefMsgV1;
    const bytes = new Uint8Array(layout.size);
    encodeRecord({ hd: hd(RType.INSTRUMENT_DEF, 1, 2n), currency: 'USD', cfi: 'OPAFPS' }, layout, bytes, 0);
    const at = (name: string) => layout.fields.find((f) => f.name === name)!.offset;
    bytes.set(new TextEncoder().encode('XCME'), at('currency')); // 4 bytes, no NUL
    bytes.set(new TextEncoder().encode('OPAFPSX'), at('cfi')); // 7 bytes, no NUL
    const d = await decodeAll(DbnDecoder.fromBytes(bytes, { version: 1, upgrade: true }));
    assert.equal(d.records[0].currency, 'XCME');
    assert.equal(d.records[0].cfi, 'OPAFPSX');
    assert.equal(d.records[0].hd.length, 520 / 4);
  });

  test('ts_out survives an upgrade', async () => {
    const rec: DbnRecord = {
      hd: hd(RType.SYMBOL_MAPPING, 7, 5n),
      stype_in_symbol: '6EH6',
      stype_out_symbol: '7',
      start_ts: 1n,
      end_ts: 2n,
      ts_out: 1700000000000000001n,
    };
    const d = await upgradeV1([rec, { ...rec, ts_out: 9n }], true);
    assert.equal(d.records.length, 2);
    assert.equal(d.records[0].ts_out, 1700000000000000001n);
    assert.equal(d.records[1].ts_out, 9n);
    // 176-byte v3 record plus the 8-byte ts_out.
    assert.equal(d.records[0].hd.length, (176 + 8) / 4);
  });

  test('without { upgrade } the hand-built v1 records read back in their v1 layout', async () => {
    const rec: DbnRecord = {
      hd: hd(RType.ERROR, 0, 77n),
      err: 'Internal error',
    };
    const d = await decodeAll(DbnDecoder.fromBytes(v1Fragment([rec]), { version: 1 }));
    assert.deepEqual(d.records[0], { hd: { ...rec.hd, length: 80 / 4 }, err: 'Internal error' });
    assert.deepEqual(d.versions, [1]);
  });
});
