/**
 * `decodeRecord` against the layout tables: every layout of every version, its fields written at
 * their offsets here with a DataView (not with the encoder), read back with their types, with and
 * without a trailing ts_out; two records in a row from the same bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FieldDef, LAYOUTS, LEVEL_SIZE, type RecordLayout } from './layouts.js';
import { decodeRecord } from './record.js';

/** Writes a distinct value into field `f` at `o` and returns what a decoder must read there. */
function put(dv: DataView, bytes: Uint8Array, o: number, f: FieldDef, k: number): unknown {
  switch (f.type) {
    case 'u8':
      bytes[o] = 200 + (k % 50);
      return 200 + (k % 50);
    case 'i8':
      dv.setInt8(o, -3 - (k % 100));
      return -3 - (k % 100);
    case 'u16':
      dv.setUint16(o, 60_000 + k, true);
      return 60_000 + k;
    case 'i16':
      dv.setInt16(o, -30_000 + k, true);
      return -30_000 + k;
    case 'u32':
      dv.setUint32(o, 4_000_000_000 + k, true);
      return 4_000_000_000 + k;
    case 'i32':
      dv.setInt32(o, -2_000_000_000 + k, true);
      return -2_000_000_000 + k;
    case 'u64':
    case 'ts':
      dv.setBigUint64(o, 18_000_000_000_000_000_000n + BigInt(k), true);
      return 18_000_000_000_000_000_000n + BigInt(k);
    case 'i64':
    case 'px':
      dv.setBigInt64(o, -9_000_000_000_000_000_000n + BigInt(k), true);
      return -9_000_000_000_000_000_000n + BigInt(k);
    case 'char':
      bytes[o] = 65 + (k % 26);
      return String.fromCharCode(65 + (k % 26));
    case 'cstr': {
      // A string of up to 3 characters, NUL-terminated when it fits with its NUL.
      const text = 'xyz'.slice(0, Math.min(3, f.size - 1));
      for (let i = 0; i < text.length; i++) bytes[o + i] = text.charCodeAt(i);
      return text;
    }
    case 'bytes': {
      let hex = '';
      for (let i = 0; i < f.size; i++) {
        bytes[o + i] = (k + 17 * i) & 0xff;
        hex += ((k + 17 * i) & 0xff).toString(16).padStart(2, '0');
      }
      return hex;
    }
    case 'levels':
    case 'clevels':
      return putLevels(dv, bytes, o, f, k);
  }
}

function putLevels(dv: DataView, bytes: Uint8Array, o: number, f: FieldDef, k: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < f.count; i++) {
    const at = o + i * LEVEL_SIZE;
    const px = 1_160_000_000n + BigInt(1000 * i + k);
    dv.setBigInt64(at, px, true);
    dv.setBigInt64(at + 8, px + 50_000n, true);
    dv.setUint32(at + 16, 10 + i, true);
    dv.setUint32(at + 20, 20 + i, true);
    const level: Record<string, unknown> = {
      bid_px: px,
      ask_px: px + 50_000n,
      bid_sz: 10 + i,
      ask_sz: 20 + i,
    };
    if (f.type === 'clevels') {
      dv.setUint16(at + 24, 300 + i, true);
      bytes[at + 26] = 0xab;
      dv.setUint16(at + 28, 400 + i, true);
      bytes[at + 31] = 0x01;
      Object.assign(level, { bid_pb: 300 + i, _reserved1: 'ab00', ask_pb: 400 + i, _reserved2: '0001' });
    } else {
      dv.setUint32(at + 24, 30 + i, true);
      dv.setUint32(at + 28, 40 + i, true);
      Object.assign(level, { bid_ct: 30 + i, ask_ct: 40 + i });
    }
    out.push(level);
  }
  return out;
}

/** Two records of `layout` back to back (with ts_out when `tsOut`) and the objects they must decode to. */
function sample(layout: RecordLayout, tsOut: boolean): { bytes: Uint8Array; size: number; want: object[] } {
  const size = layout.size + (tsOut ? 8 : 0);
  const bytes = new Uint8Array(2 * size);
  const dv = new DataView(bytes.buffer);
  const want: object[] = [];
  for (let r = 0; r < 2; r++) {
    const o = r * size;
    bytes[o] = size / 4;
    bytes[o + 1] = 0xa0 + r;
    dv.setUint16(o + 2, 7 + r, true);
    dv.setUint32(o + 4, 42_000 + r, true);
    dv.setBigUint64(o + 8, 1_700_000_000_000_000_000n + BigInt(r), true);
    const rec: Record<string, unknown> = {
      hd: {
        length: size / 4,
        rtype: 0xa0 + r,
        publisher_id: 7 + r,
        instrument_id: 42_000 + r,
        ts_event: 1_700_000_000_000_000_000n + BigInt(r),
      },
    };
    layout.fields.forEach((f, k) => {
      rec[f.name] = put(dv, bytes, o + f.offset, f, k + 3 * r);
    });
    if (tsOut) {
      dv.setBigUint64(o + layout.size, 1_700_000_000_000_000_999n, true);
      rec.ts_out = 1_700_000_000_000_000_999n;
    }
    want.push(rec);
  }
  return { bytes, size, want };
}

test('every layout decodes the values at its field offsets, with and without ts_out', () => {
  assert.ok(Object.keys(LAYOUTS).length >= 21);
  for (const layout of Object.values(LAYOUTS)) {
    for (const tsOut of [false, true]) {
      const { bytes, size, want } = sample(layout, tsOut);
      const got = [decodeRecord(bytes, 0, layout, tsOut), decodeRecord(bytes, size, layout, tsOut)];
      assert.deepEqual(got, want, `${layout.name} v${layout.version}, ts_out ${tsOut}`);
      // The fields in the table's order, the header first and ts_out last (JSON output keeps it).
      const keys = ['hd', ...layout.fields.map((f) => f.name), ...(tsOut ? ['ts_out'] : [])];
      assert.deepEqual(Object.keys(got[0]), keys);
    }
  }
});

test('records from different buffers in turn each read their own bytes', () => {
  const layout = LAYOUTS.Mbp10Msg;
  const a = sample(layout, false);
  const b = sample(layout, false);
  b.bytes[1] = 0x11;
  assert.equal(decodeRecord(a.bytes, 0, layout).hd.rtype, 0xa0);
  assert.equal(decodeRecord(b.bytes, 0, layout).hd.rtype, 0x11);
  assert.equal(decodeRecord(a.bytes.subarray(a.size), 0, layout).hd.rtype, 0xa1);
});
