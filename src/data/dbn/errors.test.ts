/**
 * Malformed input: one test per case, each expecting a DbnError with the code, the source label
 * and the byte offset worked out from the input. Offsets of DBN errors count in the decompressed
 * DBN stream (prelude included); offsets of zstd errors in the compressed input (errors.ts).
 * The inputs are fixtures with bytes changed or cut, or small buffers written out here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { chunked, decompressedFixture, fixtureBytes } from '../../../test/dbn.js';
import { fixture } from '../../../test/fixtures.js';
import { DbnDecoder, type DecoderOptions } from './decoder.js';
import { DbnError, type DbnErrorCode } from './errors.js';
import { zstdCompressAll } from './zstd.js';

interface Expect {
  code: DbnErrorCode;
  offset: number;
  source?: string;
}

/** Drains a decoder (materialising every record) and returns what it threw and how many records came first. */
async function drain(dec: DbnDecoder): Promise<{ error: unknown; records: number }> {
  let records = 0;
  try {
    for await (const batch of dec) {
      for (let i = 0; i < batch.count; i++) {
        batch.toObject(i);
        records++;
      }
    }
  } catch (error) {
    return { error, records };
  }
  return { error: undefined, records };
}

function assertDbnError(error: unknown, want: Expect): DbnError {
  assert.ok(error instanceof DbnError, `expected a DbnError, got ${String(error)}`);
  assert.equal(error.code, want.code, error.message);
  assert.equal(error.offset, want.offset, error.message);
  if (want.source !== undefined) assert.equal(error.source, want.source);
  assert.equal(error.name, 'DbnError');
  // The message names the source and the offset (except an I/O error before any byte was read).
  assert.ok(error.message.startsWith(`${error.source}: `), error.message);
  if (!(error.code === 'IO' && error.offset === 0)) {
    assert.ok(error.message.endsWith(`(at byte ${error.offset})`), error.message);
  }
  return error;
}

/**
 * Decodes `bytes` whole and again in 1..7-byte stream chunks; both must fail the same way (DBN
 * errors are located in the decompressed stream, so chunking cannot move them). Returns the
 * number of records decoded before the error.
 */
async function expectError(bytes: Uint8Array, want: Expect, opts: DecoderOptions = {}): Promise<number> {
  const source = want.source ?? 'case';
  const whole = await drain(DbnDecoder.fromBytes(bytes, { source, ...opts }));
  assertDbnError(whole.error, { ...want, source });
  if (want.code !== 'CORRUPT_ZSTD') {
    const tiny = await drain(
      DbnDecoder.fromStream(chunked(bytes, [1, 7, 3, 5, 2, 6, 4]), { source, ...opts }),
    );
    assertDbnError(tiny.error, { ...want, source });
    assert.equal(tiny.records, whole.records);
  }
  return whole.records;
}

function copy(b: Uint8Array): Uint8Array {
  return Uint8Array.from(b);
}

// test_data.mbo.v3.dbn: prelude (8) + metadata length 352 = records from byte 360; two 56-byte
// MBO records at 360 and 416; 472 bytes in all (expected.json: records_offset 360, _size 56).
const MBO_V3 = 'test_data.mbo.v3.dbn';
const RECORDS_AT = 360;
const MBO_SIZE = 56;

describe('DbnError for malformed input', () => {
  test('the base fixture is what the offsets below assume', () => {
    const b = fixtureBytes(MBO_V3);
    assert.equal(b.length, RECORDS_AT + 2 * MBO_SIZE);
    assert.equal(Buffer.from(b).readUInt32LE(4), RECORDS_AT - 8);
    assert.equal(b[RECORDS_AT] * 4, MBO_SIZE);
    assert.equal(b[RECORDS_AT + 1], 0xa0);
  });

  test('bad magic: BAD_MAGIC at byte 0', async () => {
    await expectError(new TextEncoder().encode('PK\u0003\u0004 not a DBN file at all'), {
      code: 'BAD_MAGIC',
      offset: 0,
    });
  });

  test('bad magic after decompression (a zstd frame holding neither DBN nor a requested fragment)', async () => {
    const bytes = zstdCompressAll(new TextEncoder().encode('{"json": "not dbn"}'));
    await expectError(bytes, { code: 'BAD_MAGIC', offset: 0 });
  });

  test('bad DBZ magic inside the skippable frame: BAD_MAGIC at byte 8 (the frame payload)', async () => {
    const b = copy(fixtureBytes('test_data.mbo.dbz'));
    b[8 + 2] = 0x58; // "DBZ" -> "DBX"; the payload starts after the 4-byte magic and 4-byte size
    await expectError(b, { code: 'BAD_MAGIC', offset: 8 });
  });

  test('unsupported DBN version 9: UNSUPPORTED_VERSION at byte 3 (the version byte)', async () => {
    const b = copy(fixtureBytes(MBO_V3));
    b[3] = 9;
    await expectError(b, { code: 'UNSUPPORTED_VERSION', offset: 3 });
  });

  test('unsupported DBN version 0: UNSUPPORTED_VERSION at byte 3', async () => {
    const b = copy(fixtureBytes(MBO_V3));
    b[3] = 0;
    await expectError(b, { code: 'UNSUPPORTED_VERSION', offset: 3 });
  });

  test('unsupported DBZ version 2: UNSUPPORTED_VERSION at byte 11 (8-byte frame header + 3)', async () => {
    const b = copy(fixtureBytes('test_data.mbo.dbz'));
    b[11] = 2;
    await expectError(b, { code: 'UNSUPPORTED_VERSION', offset: 11 });
  });

  test('truncated prelude: TRUNCATED_HEADER where the input ends (byte 5)', async () => {
    await expectError(fixtureBytes(MBO_V3).subarray(0, 5), { code: 'TRUNCATED_HEADER', offset: 5 });
  });

  test('truncated metadata: TRUNCATED_HEADER where the input ends (byte 100 of a 360-byte header)', async () => {
    await expectError(fixtureBytes(MBO_V3).subarray(0, 100), { code: 'TRUNCATED_HEADER', offset: 100 });
  });

  test('truncated metadata inside a zstd stream: TRUNCATED_HEADER at the end of the decompressed bytes', async () => {
    // The frame itself is complete; its content stops 10 bytes into the 352-byte metadata.
    const bytes = zstdCompressAll(fixtureBytes(MBO_V3).subarray(0, 18));
    await expectError(bytes, { code: 'TRUNCATED_HEADER', offset: 18 });
  });

  test('truncated DBZ metadata frame: TRUNCATED_HEADER at the end of the input (byte 50)', async () => {
    await expectError(fixtureBytes('test_data.mbo.dbz').subarray(0, 50), {
      code: 'TRUNCATED_HEADER',
      offset: 50,
    });
  });

  test('metadata length claiming 4 GB on a 472-byte input: TRUNCATED_HEADER at byte 472, nothing allocated up front', async () => {
    // Found by fuzzing: the decoder sized its buffer from the claimed length at once, and the
    // allocation failed with a RangeError. It now grows only as data arrives.
    const b = copy(fixtureBytes(MBO_V3));
    new DataView(b.buffer).setUint32(4, 0xf0000000, true);
    await expectError(b, { code: 'TRUNCATED_HEADER', offset: b.length });
  });

  test('metadata length shorter than its fixed part: BAD_METADATA at byte 4 (the length field)', async () => {
    const b = copy(fixtureBytes(MBO_V3));
    new DataView(b.buffer).setUint32(4, 50, true);
    await expectError(b, { code: 'BAD_METADATA', offset: 4 });
  });

  test('symbol count running past the metadata: BAD_METADATA at byte 116', async () => {
    // 8 (prelude) + 100 (fixed part) + 4 (schema_definition_length) + 4 (symbol count) = 116:
    // the symbols would start there, and 2^32-1 of 71 bytes do not fit.
    const b = copy(fixtureBytes(MBO_V3));
    new DataView(b.buffer).setUint32(112, 0xffffffff, true);
    await expectError(b, { code: 'BAD_METADATA', offset: 116 });
  });

  test('symbol_cstr_len 0: BAD_METADATA at byte 53', async () => {
    // v3 fixed part: dataset 16 + schema 2 + start 8 + end 8 + limit 8 = 42 bytes after the
    // prelude, then stype_in, stype_out, ts_out: symbol_cstr_len sits at 8 + 42 + 3 = 53.
    const b = copy(fixtureBytes(MBO_V3));
    assert.equal(Buffer.from(b).readUInt16LE(53), 71);
    new DataView(b.buffer).setUint16(53, 0, true);
    await expectError(b, { code: 'BAD_METADATA', offset: 53 });
  });

  test('schema definitions present: BAD_METADATA at byte 108 (schema_definition_length)', async () => {
    const b = copy(fixtureBytes(MBO_V3));
    new DataView(b.buffer).setUint32(108, 4, true);
    await expectError(b, { code: 'BAD_METADATA', offset: 108 });
  });

  test('record length that does not match its rtype: BAD_RECORD_LENGTH at the record (byte 360)', async () => {
    const b = copy(fixtureBytes(MBO_V3));
    b[RECORDS_AT] = 48 / 4; // an MBO record must be 56 bytes, not 48
    await expectError(b, { code: 'BAD_RECORD_LENGTH', offset: RECORDS_AT });
  });

  test('a bad second record is located at its own offset (byte 416), also when the stream is zstd', async () => {
    const b = copy(fixtureBytes(MBO_V3));
    b[RECORDS_AT + MBO_SIZE] = 80 / 4;
    await expectError(b, { code: 'BAD_RECORD_LENGTH', offset: RECORDS_AT + MBO_SIZE });
    // The offset counts in the decompressed stream, whatever the compressed size.
    await expectError(zstdCompressAll(b), { code: 'BAD_RECORD_LENGTH', offset: RECORDS_AT + MBO_SIZE });
  });

  test('a v2-sized definition (400 bytes) in a v1 stream: BAD_RECORD_LENGTH at the record (byte 2036)', async () => {
    // test_data.definition.v1.dbn.zst: its metadata holds ~2 KB of mappings, and its first
    // record is at _offset 2036 (expected.json); v1 definitions are 360 bytes.
    const b = copy(decompressedFixture('test_data.definition.v1.dbn.zst'));
    assert.equal(b[2036 + 1], 0x13);
    assert.equal(b[2036] * 4, 360);
    b[2036] = 400 / 4;
    await expectError(b, { code: 'BAD_RECORD_LENGTH', offset: 2036 });
  });

  test('record length < 16 (2 words): BAD_RECORD_LENGTH at byte 360', async () => {
    const b = copy(fixtureBytes(MBO_V3));
    b[RECORDS_AT] = 2;
    await expectError(b, { code: 'BAD_RECORD_LENGTH', offset: RECORDS_AT });
  });

  test('record length 0 (would never advance): BAD_RECORD_LENGTH at byte 416', async () => {
    const b = copy(fixtureBytes(MBO_V3));
    b[RECORDS_AT + MBO_SIZE] = 0;
    await expectError(b, { code: 'BAD_RECORD_LENGTH', offset: RECORDS_AT + MBO_SIZE });
  });

  test('record length < 16 in a fragment of unknown rtype: BAD_RECORD_LENGTH at byte 0', async () => {
    await expectError(
      Uint8Array.of(1, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      {
        code: 'BAD_RECORD_LENGTH',
        offset: 0,
      },
      { version: 3 },
    );
  });

  test('truncated record at the end: TRUNCATED_RECORD at the last record (byte 416), after the first record', async () => {
    // 450 bytes: the second record (416..472) has only 34 of its 56 bytes.
    const records = await expectError(fixtureBytes(MBO_V3).subarray(0, 450), {
      code: 'TRUNCATED_RECORD',
      offset: RECORDS_AT + MBO_SIZE,
    });
    assert.equal(records, 1);
  });

  test('input ending inside a record header: TRUNCATED_RECORD at byte 416', async () => {
    await expectError(fixtureBytes(MBO_V3).subarray(0, RECORDS_AT + MBO_SIZE + 9), {
      code: 'TRUNCATED_RECORD',
      offset: RECORDS_AT + MBO_SIZE,
    });
  });

  test('truncated fragment: TRUNCATED_RECORD at byte 360 (second v1 definition of 360 bytes)', async () => {
    await expectError(
      fixtureBytes('test_data.definition.v1.dbn.frag').subarray(0, 700),
      {
        code: 'TRUNCATED_RECORD',
        offset: 360,
      },
      { version: 1 },
    );
  });

  test('truncated zstd frame: CORRUPT_ZSTD where the compressed input ends (byte 100)', async () => {
    // test_data.mbo.v3.dbn.zst is one 176-byte frame; cut at 100 the frame never completes.
    const z = fixtureBytes('test_data.mbo.v3.dbn.zst');
    assert.equal(z.length, 176);
    await expectError(z.subarray(0, 100), { code: 'CORRUPT_ZSTD', offset: 100 });
    // Only the 4-byte magic left.
    await expectError(z.subarray(0, 4), { code: 'CORRUPT_ZSTD', offset: 4 });
  });

  test('truncated zstd frame in 1..7-byte chunks: CORRUPT_ZSTD at the end of the input', async () => {
    const z = fixtureBytes('test_data.mbo.v3.dbn.zst').subarray(0, 150);
    const { error } = await drain(DbnDecoder.fromStream(chunked(z, [1, 7, 3]), { source: 's' }));
    assertDbnError(error, { code: 'CORRUPT_ZSTD', offset: 150, source: 's' });
  });

  test('corrupt zstd bytes: CORRUPT_ZSTD at the start of the frame being decoded (byte 0)', async () => {
    // The fixture frame carries a checksum; a flipped byte is caught either as corrupt block
    // data or as a checksum mismatch. libzstd decodes the whole 176-byte frame in one step, so
    // the error is located where that step began: the frame start.
    for (const at of [10, 100, 175]) {
      const z = copy(fixtureBytes('test_data.mbo.v3.dbn.zst'));
      z[at] ^= 0x55;
      await expectError(z, { code: 'CORRUPT_ZSTD', offset: 0 });
    }
  });

  test('a corrupt second frame is located at that frame (offset = size of the first frame)', async () => {
    const plain = fixtureBytes(MBO_V3);
    const a = zstdCompressAll(plain.subarray(0, 200));
    const b = copy(zstdCompressAll(plain.subarray(200)));
    b[0] ^= 0xff; // its magic is no longer 28 B5 2F FD
    await expectError(Buffer.concat([a, b]), { code: 'CORRUPT_ZSTD', offset: a.length });
  });

  test('corrupt records frame of a DBZ file: CORRUPT_ZSTD at the records frame (byte 152)', async () => {
    // expected.json: test_data.mbp-1.dbz has a 144-byte skippable frame, records_offset 152.
    const z = copy(fixtureBytes('test_data.mbp-1.dbz'));
    z[152] ^= 0xff;
    await expectError(z, { code: 'CORRUPT_ZSTD', offset: 152 });
  });

  test('missing file: IO at byte 0, naming the path', async () => {
    const path = fixture('dbn', 'no-such-file.dbn.zst');
    const { error } = await drain(DbnDecoder.fromFile(path));
    const e = assertDbnError(error, { code: 'IO', offset: 0, source: path });
    // The path once, no byte offset: nothing was read.
    assert.equal(e.message, `${path}: file not found`);
  });

  test('empty input: TRUNCATED_HEADER at byte 0, from a buffer and from an empty file', async () => {
    await expectError(new Uint8Array(0), { code: 'TRUNCATED_HEADER', offset: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'dbn-empty-'));
    try {
      const path = join(dir, 'empty.dbn');
      writeFileSync(path, '');
      const { error } = await drain(DbnDecoder.fromFile(path));
      assertDbnError(error, { code: 'TRUNCATED_HEADER', offset: 0, source: path });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test('an empty fragment is no error: zero records', async () => {
    const { error, records } = await drain(DbnDecoder.fromBytes(new Uint8Array(0), { fragment: true }));
    assert.equal(error, undefined);
    assert.equal(records, 0);
  });

  test('readMetadata() reports the same error as iterating', async () => {
    const b = copy(fixtureBytes(MBO_V3));
    b[3] = 9;
    await assert.rejects(DbnDecoder.fromBytes(b, { source: 'md' }).readMetadata(), (e: unknown) => {
      assertDbnError(e, { code: 'UNSUPPORTED_VERSION', offset: 3, source: 'md' });
      return true;
    });
  });

  test('a source label given in the options names the input', async () => {
    const { error } = await drain(
      DbnDecoder.fromBytes(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), { source: 'feed A' }),
    );
    assertDbnError(error, { code: 'BAD_MAGIC', offset: 0, source: 'feed A' });
  });
});

describe('records of unknown rtypes are not errors', () => {
  test('an unknown rtype with a plausible length passes through with its header and raw bytes', async () => {
    // 32-byte record of rtype 0xEE: header + 16 bytes of payload.
    const rec = new Uint8Array(32);
    rec[0] = 32 / 4;
    rec[1] = 0xee;
    rec[4] = 7; // instrument_id 7
    rec.fill(0xab, 16);
    const { error, records } = await drain(DbnDecoder.fromBytes(rec, { version: 3 }));
    assert.equal(error, undefined);
    assert.equal(records, 1);
    const dec = DbnDecoder.fromBytes(rec, { version: 3 });
    for await (const r of dec.records()) {
      assert.equal(r.hd.rtype, 0xee);
      assert.equal(r.hd.instrument_id, 7);
      assert.equal(r.raw, 'ab'.repeat(16));
    }
  });
});
