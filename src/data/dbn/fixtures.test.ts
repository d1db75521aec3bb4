/**
 * Every DBN fixture decodes to the values of expected.json, written by an independent Python
 * reference decoder (../shared/fixtures/dbn/EXPECTED.md). The comparison walks expected.json
 * generically: every key of every expected record and metadata block is compared, so a value
 * cannot be forgotten, and a field we decode that the reference does not know is an error too.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  assertClean,
  Checker,
  countLeaves,
  type Decoded,
  dbnFixtureNames,
  decodeAll,
  decodeFixture,
  decompressedFixture,
  type ExpectedFile,
  expectedFiles,
  fixtureOptions,
  RECORD_META_KEYS,
} from '../../../test/dbn.js';
import { fixture } from '../../../test/fixtures.js';
import { formatTimestamp, UNDEF_PRICE, UNDEF_TIMESTAMP } from '../../core/index.js';
import { NO_SCHEMA, NO_STYPE, rtypeLabel, SCHEMAS, STYPES } from './constants.js';
import type { RecordCursor } from './cursor.js';
import { DbnDecoder } from './decoder.js';
import { layoutFor } from './layouts.js';
import type { Metadata } from './metadata.js';

/** YYYYMMDD integer as the YYYY-MM-DD string expected.json gives beside it. */
function isoDate(yyyymmdd: number): string {
  const s = String(yyyymmdd);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/**
 * Compares our Metadata with expected.json's metadata block, key by key. Keys that describe
 * the container rather than the metadata are checked against the decoded stream where they can
 * be (records_offset, metadata_length) and otherwise named in `NOT_IN_METADATA`.
 */
function checkMetadata(
  c: Checker,
  md: Metadata,
  exp: Record<string, unknown>,
  d: Decoded,
  name: string,
): void {
  const p = `${name}.metadata`;
  for (const [key, ev] of Object.entries(exp)) {
    const path = `${p}.${key}`;
    switch (key) {
      case 'version':
      case 'dataset':
      case 'schema':
      case 'stype_in':
      case 'stype_out':
      case 'ts_out':
      case 'symbol_cstr_len':
      case 'symbols':
      case 'partial':
      case 'not_found':
        c.value(md[key], ev, path);
        break;
      case 'start':
      case 'end':
      case 'limit':
        c.eq(md[key], BigInt(ev as string), path);
        break;
      case 'record_count_v1':
      case 'record_count_dbz':
        c.eq(md.record_count, BigInt(ev as string), path);
        break;
      case 'schema_raw':
        c.eq(md.schema === null ? NO_SCHEMA : SCHEMAS.indexOf(md.schema), ev, path);
        break;
      case 'stype_in_raw':
        c.eq(md.stype_in === null ? NO_STYPE : STYPES.indexOf(md.stype_in), ev, path);
        break;
      case 'stype_out_raw':
        c.eq(md.stype_out === null ? NO_STYPE : STYPES.indexOf(md.stype_out), ev, path);
        break;
      case 'start_iso':
        c.eq(formatTimestamp(md.start), ev, path);
        break;
      case 'end_iso':
        c.eq(md.end === UNDEF_TIMESTAMP ? 'UNDEF_TIMESTAMP' : formatTimestamp(md.end), ev, path);
        break;
      case 'mappings': {
        const em = ev as Array<{ raw_symbol: string; intervals: Array<Record<string, unknown>> }>;
        c.eq(md.mappings.length, em.length, `${path}.length`);
        em.forEach((m, i) => {
          const am = md.mappings[i];
          if (!am) return;
          c.eq(am.raw_symbol, m.raw_symbol, `${path}[${i}].raw_symbol`);
          c.eq(am.intervals.length, m.intervals.length, `${path}[${i}].intervals.length`);
          m.intervals.forEach((iv, j) => {
            const ai = am.intervals[j];
            if (!ai) return;
            const ip = `${path}[${i}].intervals[${j}]`;
            c.eq(ai.start_date, iv.start_date_raw, `${ip}.start_date_raw`);
            c.eq(ai.end_date, iv.end_date_raw, `${ip}.end_date_raw`);
            c.eq(isoDate(ai.start_date), iv.start_date, `${ip}.start_date`);
            c.eq(isoDate(ai.end_date), iv.end_date, `${ip}.end_date`);
            c.eq(ai.symbol, iv.symbol, `${ip}.symbol`);
            const keys = Object.keys(iv).sort().join(',');
            c.eq(keys, 'end_date,end_date_raw,start_date,start_date_raw,symbol', `${ip} keys`);
          });
        });
        break;
      }
      case 'records_offset':
        if (md.version === 0) {
          // DBZ: the offset of the zstd records frame in the file, right after the skippable
          // frame (8-byte frame header + payload); DBZ record offsets count from 0.
          c.eq(ev, 8 + (exp.skippable_frame_size as number), path);
          if (d.offsets.length > 0) c.eq(d.offsets[0], 0, `${path} (first record)`);
        } else if (d.offsets.length > 0) {
          c.eq(d.offsets[0], ev, `${path} (first record)`);
        } else {
          // No records: the metadata is the whole decompressed stream.
          c.eq(decompressedFixture(name).length, ev, `${path} (stream length)`);
        }
        break;
      case 'metadata_length':
        // The prelude (8 bytes) plus the length is where records start.
        c.eq(8 + (ev as number), exp.records_offset, path);
        break;
      case 'var_metadata_padding_bytes':
        // Zero bytes after the mappings inside metadata_length; records_offset proves we skip them.
        c.eq((ev as number) >= 0 && (ev as number) < 8, true, path);
        break;
      case 'container':
        c.eq(d.container, 'dbz', path);
        break;
      case 'skippable_frame_magic': {
        const raw = readFileSync(fixture('dbn', name));
        c.eq(`0x${raw.readUInt32LE(0).toString(16).toUpperCase()}`, ev, path);
        break;
      }
      case 'skippable_frame_size': {
        const raw = readFileSync(fixture('dbn', name));
        c.eq(raw.readUInt32LE(4), ev, path);
        break;
      }
      case 'compression_dbz':
        // DBZ's compression byte (1 = zstd) is not kept in Metadata: the records being zstd is
        // what decoding them at all proves.
        c.eq(ev, 1, path);
        break;
      default:
        c.fail(path, 'metadata key this test does not know');
    }
  }
}

/** The hot-path cursor reads the same values as the materialised record. */
function checkCursor(c: Checker, cur: RecordCursor, exp: Record<string, unknown>, path: string): void {
  const hd = exp.hd as Record<string, unknown>;
  c.eq(cur.byteLength, exp._size, `${path} cursor.byteLength`);
  c.eq(cur.rtype, hd.rtype, `${path} cursor.rtype`);
  c.eq(cur.publisherId, hd.publisher_id, `${path} cursor.publisherId`);
  c.eq(cur.instrumentId, hd.instrument_id, `${path} cursor.instrumentId`);
  c.eq(cur.tsEvent, BigInt(hd.ts_event as string), `${path} cursor.tsEvent`);
  if (typeof exp.ts_recv === 'string') c.eq(cur.tsRecv, BigInt(exp.ts_recv), `${path} cursor.tsRecv`);
  const layout = String(exp._layout);
  // Market-data records: the fields the book reads.
  if (/^(Mbo|Trade|Mbp1|Mbp10|Bbo|Cmbp1|Cbbo)Msg$/.test(layout)) {
    const px = exp.price as { raw: string };
    const raw = BigInt(px.raw);
    c.eq(cur.price, raw === UNDEF_PRICE ? Number.NaN : Number(raw), `${path} cursor.price`);
    c.eq(cur.size, exp.size, `${path} cursor.size`);
    c.eq(String.fromCharCode(cur.side), exp.side, `${path} cursor.side`);
    c.eq(cur.flags, exp.flags, `${path} cursor.flags`);
    if ('action' in exp) c.eq(String.fromCharCode(cur.action), exp.action, `${path} cursor.action`);
    if ('depth' in exp) c.eq(cur.depth, exp.depth, `${path} cursor.depth`);
    if ('sequence' in exp) c.eq(cur.sequence, exp.sequence, `${path} cursor.sequence`);
    if ('order_id' in exp) c.eq(cur.orderIdExact, BigInt(exp.order_id as string), `${path} cursor.orderId`);
    if ('channel_id' in exp) c.eq(cur.channelId, exp.channel_id, `${path} cursor.channelId`);
    const levels = (exp.levels ?? []) as Array<Record<string, unknown>>;
    levels.forEach((lv, i) => {
      const num = (p: unknown) => {
        const r = BigInt((p as { raw: string }).raw);
        return r === UNDEF_PRICE ? Number.NaN : Number(r);
      };
      c.eq(cur.bidPx(i), num(lv.bid_px), `${path} cursor.bidPx(${i})`);
      c.eq(cur.askPx(i), num(lv.ask_px), `${path} cursor.askPx(${i})`);
      c.eq(cur.bidSz(i), lv.bid_sz, `${path} cursor.bidSz(${i})`);
      c.eq(cur.askSz(i), lv.ask_sz, `${path} cursor.askSz(${i})`);
      if ('bid_ct' in lv) c.eq(cur.bidCt(i), lv.bid_ct, `${path} cursor.bidCt(${i})`);
      if ('ask_ct' in lv) c.eq(cur.askCt(i), lv.ask_ct, `${path} cursor.askCt(${i})`);
    });
  }
  if (layout === 'OhlcvMsg') {
    for (const k of ['open', 'high', 'low', 'close'] as const) {
      c.eq(cur[k], Number(BigInt((exp[k] as { raw: string }).raw)), `${path} cursor.${k}`);
    }
    c.eq(cur.volume, Number(BigInt(exp.volume as string)), `${path} cursor.volume`);
  }
  if (/^StatMsg/.test(layout)) {
    // v1/v2 statistics have an i32 quantity, v3 an i64: sequence sits at 44 or 48.
    c.eq(cur.sequence, exp.sequence, `${path} cursor.sequence`);
    const raw = BigInt((exp.price as { raw: string }).raw);
    c.eq(cur.price, raw === UNDEF_PRICE ? Number.NaN : Number(raw), `${path} cursor.price`);
  }
}

/** Expected container as our decoder names it. */
function expectedContainer(e: ExpectedFile): string {
  if (e.container === 'dbz') return 'dbz';
  const zst = e.compression === 'zstd';
  if (e.container.startsWith('fragment')) return zst ? 'fragment+zstd' : 'fragment';
  return zst ? 'dbn+zstd' : 'dbn';
}

/** Checks one decoded file against its expected.json entry; returns the checker. */
async function checkFile(name: string, d: Decoded, cursorCheck: boolean): Promise<Checker> {
  const e = expectedFiles()[name];
  const c = new Checker();
  c.eq(d.container, expectedContainer(e), `${name}.container`);
  // Our decoder reports DBZ records as v1 (their layouts are v1's).
  c.eq(d.version, e.record_layout_version, `${name}.record_layout_version`);
  if (e.metadata === null) c.eq(d.metadata, null, `${name}.metadata`);
  else if (d.metadata === null) c.fail(`${name}.metadata`, 'not decoded');
  else checkMetadata(c, d.metadata, e.metadata, d, name);

  c.eq(d.records.length, e.record_count, `${name}.record_count`);
  c.eq(e.records.length, e.record_count, `${name}: expected.json lists every record`);
  const byRtype: Record<string, number> = {};
  for (const r of d.records) {
    const label = rtypeLabel(r.hd.rtype);
    byRtype[label] = (byRtype[label] ?? 0) + 1;
  }
  c.value(byRtype, e.records_by_rtype, `${name}.records_by_rtype`);

  const leavesBefore = c.leaves;
  e.records.forEach((er, i) => {
    const path = `${name}.records[${i}]`;
    const rec = d.records[i];
    if (!rec) {
      c.fail(path, 'not decoded');
      return;
    }
    c.eq(d.offsets[i], er._offset, `${path}._offset`);
    c.eq(rec.hd.length * 4, er._size, `${path}._size`);
    c.eq(layoutFor(rec.hd.rtype, d.versions[i])?.name, er._layout, `${path}._layout`);
    c.value(rec, er, path, RECORD_META_KEYS);
  });
  // Every value of every expected record was compared (the three _ keys are checked above).
  c.eq(c.leaves - leavesBefore, countLeaves(e.records, RECORD_META_KEYS), `${name}: record values compared`);
  // The stream ends right after the last record (nothing was left unread or invented).
  if (e.decompressed_size_bytes !== undefined && e.records.length > 0) {
    const last = e.records[e.records.length - 1];
    c.eq((last._offset as number) + (last._size as number), e.decompressed_size_bytes, `${name} stream end`);
  }
  if (cursorCheck) {
    // A second pass reading every record through the zero-copy cursor.
    const dec = DbnDecoder.fromFile(fixture('dbn', name), fixtureOptions(name));
    let i = 0;
    for await (const batch of dec) {
      for (let k = 0; k < batch.count; k++, i++)
        checkCursor(c, batch.at(k), e.records[i], `${name}.records[${i}]`);
    }
    c.eq(i, e.record_count, `${name} cursor record count`);
  }
  return c;
}

describe('DBN fixtures against expected.json', () => {
  const names = dbnFixtureNames();
  const expected = expectedFiles();
  let total = 0;

  test('expected.json describes exactly the fixture files, and they are intact (sha256, size)', () => {
    assert.deepEqual(names, Object.keys(expected).sort());
    assert.equal(names.length, 81); // SOURCE.md: "These 81 files"
    for (const name of names) {
      const raw = readFileSync(fixture('dbn', name));
      assert.equal(raw.length, expected[name].size_bytes, name);
      assert.equal(createHash('sha256').update(raw).digest('hex'), expected[name].sha256, name);
    }
  });

  for (const name of names) {
    test(`${name} decodes to its expected values`, async () => {
      const c = await checkFile(name, await decodeFixture(name), true);
      assertClean(c);
      total += c.checked;
    });
  }

  test('every expected value was compared (count of values checked)', (t) => {
    // Leaves of expected.json's records and metadata, counted independently of the checker
    // (a price {raw, decimal} is two leaves; _layout/_offset/_size are three per record). The
    // checker compares each of them once and adds cursor and container checks on top, so it
    // must have compared at least this many values; a walk that skipped records or fields falls
    // below. 81 files, 172 records, definitions of ~90 fields, MBP-10 with 10 levels.
    let leaves = 0;
    const count = (v: unknown): void => {
      if (v !== null && typeof v === 'object') for (const x of Object.values(v)) count(x);
      else leaves++;
    };
    for (const e of Object.values(expected)) {
      count(e.records);
      count(e.metadata);
    }
    assert.ok(leaves > 10_000, `expected.json has only ${leaves} values`);
    assert.ok(total >= leaves, `checked ${total} values, expected.json holds ${leaves}`);
    t.diagnostic(`${total} values checked against ${leaves} values in expected.json`);
  });

  test('the unversioned fragment decodes with { fragment: true }: its version comes from the record length', async () => {
    const name = 'test_data.definition.dbn.frag.zst';
    // 400-byte definitions are v2 (360 would be v1, 520 v3): SOURCE.md, EXPECTED.md.
    assert.equal(expected[name].record_layout_version, 2);
    const dec = DbnDecoder.fromFile(fixture('dbn', name), { fragment: true });
    const d = await decodeAll(dec);
    assert.equal(d.version, 2);
    assertClean(await checkFile(name, d, false));
  });

  test('versioned fragments also decode with { fragment: true } (definition sizes differ per version)', async () => {
    for (const name of names.filter((n) => n.includes('.frag') && n.includes('.v'))) {
      const d = await decodeAll(DbnDecoder.fromFile(fixture('dbn', name), { fragment: true }));
      assertClean(await checkFile(name, d, false));
    }
  });

  test('a DBZ file reports version 0 in its metadata and its records as v1 layouts', async () => {
    const d = await decodeFixture('test_data.mbo.dbz');
    assert.equal(d.metadata?.version, 0);
    assert.equal(d.version, 1);
    assert.equal(d.container, 'dbz');
  });
});
