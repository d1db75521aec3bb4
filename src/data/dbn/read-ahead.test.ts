/**
 * Reading files ahead in blocks (plain through the thread pool, compressed on a worker) changes
 * nothing a reader sees: the same records at the same stream offsets, the same metadata, the same
 * errors at the same bytes, whatever the block size, so that records straddle block boundaries at
 * every place inside them. The reference is the same bytes decoded from memory, without any
 * read-ahead (the path the fixture and round-trip tests check against expected values).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Decoded, dbnFixtureNames, decodeAll, fixtureOptions } from '../../../test/dbn.js';
import { fixture } from '../../../test/fixtures.js';
import { sampleDefinition, writeSample } from '../../../test/market-sample.js';
import { spareBlocks } from './blocks.js';
import { RType } from './constants.js';
import { DbnDecoder, type DecoderOptions } from './decoder.js';
import { DbnEncoder } from './encoder.js';
import { DbnError } from './errors.js';
import type { DbnRecord } from './record.js';
import { zstdCompressAll } from './zstd.js';

const dir = mkdtempSync(join(tmpdir(), 'dbn-read-ahead-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stream of mixed record sizes: a definition (520 bytes), MBP-10 (368), trades (48), MBO (56). */
async function mixedStream(records: number): Promise<Uint8Array> {
  const { encoder, result } = DbnEncoder.toBuffer({
    metadata: { dataset: 'GLBX.MDP3', schema: 'mbp-10', stype_in: 'raw_symbol', stype_out: 'instrument_id' },
  });
  encoder.write(sampleDefinition());
  const trades = DbnEncoder.toBuffer();
  writeSample(encoder, { records, seed: 7 }, trades.encoder);
  await trades.encoder.end();
  encoder.writeEncoded(trades.result(), Math.floor(trades.result().length / 48));
  for (let i = 0; i < 300; i++) encoder.write(mbo(i));
  await encoder.end();
  return result();
}

function mbo(i: number): DbnRecord {
  return {
    hd: {
      length: 14,
      rtype: RType.MBO,
      publisher_id: 1,
      instrument_id: 42005347,
      ts_event: 1795617000000000000n + BigInt(i),
    },
    order_id: BigInt(1000 + i),
    price: 1_085_000_000n + BigInt(i % 7) * 50_000n,
    size: 1 + (i % 9),
    flags: 0,
    channel_id: 0,
    action: 'A',
    side: i % 2 === 0 ? 'B' : 'A',
    ts_recv: 1795617000000000100n + BigInt(i),
    ts_in_delta: 0,
    sequence: i,
  } as unknown as DbnRecord;
}

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Everything a reader sees, or the error it ends in (code, offset), as comparable values. */
async function seen(
  dec: DbnDecoder,
): Promise<{ decoded?: Decoded; error?: { code: string; offset: number } }> {
  try {
    return { decoded: await decodeAll(dec) };
  } catch (e) {
    if (!(e instanceof DbnError)) throw e;
    return { error: { code: e.code, offset: e.offset } };
  }
}

function sameAs(
  actual: Awaited<ReturnType<typeof seen>>,
  expected: Awaited<ReturnType<typeof seen>>,
  what: string,
) {
  assert.deepEqual(actual.error, expected.error, `${what}: error`);
  if (expected.decoded === undefined) return;
  const a = actual.decoded!;
  const e = expected.decoded;
  assert.deepEqual(a.metadata, e.metadata, `${what}: metadata`);
  assert.equal(a.records.length, e.records.length, `${what}: record count`);
  assert.deepEqual(a.offsets, e.offsets, `${what}: record offsets`);
  assert.deepEqual(a.records, e.records, `${what}: records`);
}

/**
 * Waits until a whole read-ahead's blocks of `blockSize` are back in the pool (a worker says it is
 * done with its blocks in a message of its own); fails after 5 s.
 */
async function blocksBack(blockSize: number, shared: boolean): Promise<void> {
  const kept = () => spareBlocks(blockSize)[shared ? 'shared' : 'plain'];
  for (let waited = 0; kept() < 3; waited += 10) {
    assert.ok(waited < 5000, `blocks of ${blockSize} bytes not given back (${kept()} of 3)`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('read-ahead of files', async () => {
  const stream = await mixedStream(3000);
  const plain = file('mixed.dbn', stream);
  const zst = file('mixed.dbn.zst', zstdCompressAll(stream));
  const reference = await seen(DbnDecoder.fromBytes(stream));

  test('the reference stream has records of four sizes, and more than a block of them', () => {
    const sizes = new Set(reference.decoded!.records.map((r) => r.hd.length * 4));
    assert.deepEqual(
      [...sizes].sort((a, b) => a - b),
      [48, 56, 368, 520],
    );
    assert.ok(stream.length > 1 << 20);
  });

  test('plain and compressed files give the same records with any block size and depth', async () => {
    // Block sizes near multiples of the record sizes and off them, so that boundaries fall
    // at every 8-byte place inside records of each size.
    const blockSizes = [4096, 4104, 4600, 5888, 8192 + 368, 65536, 1 << 20];
    for (const blockSize of blockSizes) {
      for (const depth of [2, 3]) {
        for (const path of [plain, zst]) {
          const got = await seen(DbnDecoder.fromFile(path, { readAhead: { blockSize, depth } }));
          sameAs(got, reference, `${path} in ${depth} blocks of ${blockSize}`);
        }
      }
    }
  });

  test('by default a plain file of 1 MiB or more is read ahead in blocks of up to 4 MiB, a small one is not', async () => {
    const sizes = async (path: string) => {
      const seenSizes = new Set<number>();
      for await (const batch of DbnDecoder.fromFile(path)) seenSizes.add(batch.bytes.byteLength);
      return [...seenSizes];
    };
    // Three blocks of 4 MiB for a file of 12 MiB and more; a smaller one in three of a third of it,
    // at least 1 MiB each (this one is under 3 MiB).
    const large = DbnEncoder.toFile(join(dir, 'large.dbn'), {
      metadata: { dataset: 'GLBX.MDP3', schema: 'mbp-10' },
    });
    writeSample(large, { records: 40_000, seed: 3 });
    await large.end();
    assert.ok(statSync(join(dir, 'large.dbn')).size > 12 << 20);
    assert.deepEqual(await sizes(join(dir, 'large.dbn')), [1024 + (4 << 20)]);
    assert.ok(statSync(plain).size < 3 << 20);
    assert.deepEqual(await sizes(plain), [1024 + (1 << 20)]);
    assert.deepEqual(await sizes(fixture('dbn', 'test_data.mbp-10.dbn')), [256 << 10]);
  });

  test('reading ahead counts every byte read and every record', async () => {
    for (const path of [plain, zst]) {
      const dec = DbnDecoder.fromFile(path, { readAhead: { blockSize: 4096, depth: 2 } });
      let batches = 0;
      for await (const batch of dec) {
        batches++;
        assert.ok(batch.count > 0);
      }
      assert.ok(batches > 10, `${path}: ${batches} batches`);
      assert.equal(dec.bytesRead, statSync(path).size, `${path}: bytesRead at the end`);
      assert.equal(dec.recordCount, reference.decoded!.records.length);
    }
  });

  test('truncated files end in the same error at the same byte as from memory', async () => {
    for (const cut of [
      stream.length - 1,
      stream.length - 200,
      stream.length - 367,
      300_000,
      300_001,
      4096 * 3 + 5,
    ]) {
      const bytes = stream.subarray(0, cut);
      const expected = await seen(DbnDecoder.fromBytes(bytes));
      assert.equal(expected.error?.code, 'TRUNCATED_RECORD', `cut at ${cut}`);
      const path = file(`cut-${cut}.dbn`, bytes);
      for (const blockSize of [4096, 5888]) {
        sameAs(
          await seen(DbnDecoder.fromFile(path, { readAhead: { blockSize, depth: 2 } })),
          expected,
          `plain cut at ${cut}`,
        );
      }
      const z = zstdCompressAll(bytes);
      const zpath = file(`cut-${cut}.dbn.zst`, z);
      sameAs(
        await seen(DbnDecoder.fromFile(zpath, { readAhead: { blockSize: 4104, depth: 2 } })),
        expected,
        `zstd cut at ${cut}`,
      );
    }
  });

  test('a bad record length and corrupt or truncated zstd end in the same error as without read-ahead', async () => {
    const bad = new Uint8Array(stream); // a copy (a Buffer's slice is a view)
    const at = reference.decoded!.offsets[1500];
    bad[at] = 3; // a 12-byte record: shorter than a header
    const badPath = file('bad-length.dbn', bad);
    const expectedBad = await seen(DbnDecoder.fromBytes(bad));
    assert.deepEqual(expectedBad.error, { code: 'BAD_RECORD_LENGTH', offset: at });
    sameAs(
      await seen(DbnDecoder.fromFile(badPath, { readAhead: { blockSize: 4096, depth: 2 } })),
      expectedBad,
      'bad length',
    );
    sameAs(
      await seen(
        DbnDecoder.fromFile(file('bad-length.dbn.zst', zstdCompressAll(bad)), {
          readAhead: { blockSize: 4096, depth: 2 },
        }),
      ),
      expectedBad,
      'bad length, compressed',
    );
    const z = zstdCompressAll(stream);
    for (const [name, bytes] of [
      ['corrupt', breakMiddleBlock(z)],
      ['truncated', z.subarray(0, z.length - 10)],
    ] as const) {
      const path = file(`${name}.dbn.zst`, bytes);
      const expected = await seen(DbnDecoder.fromFile(path, { readAhead: false }));
      assert.equal(expected.error?.code, 'CORRUPT_ZSTD', name);
      sameAs(
        await seen(DbnDecoder.fromFile(path, { readAhead: { blockSize: 4096, depth: 2 } })),
        expected,
        name,
      );
    }
  });

  test('a record inside a long run of one type that changes its type or length ends the run at its own byte', async () => {
    // The records of a run (same length byte, same rtype) are walked by the run's length; one whose
    // length byte or rtype differs must still be checked and located, in memory and read ahead.
    const offsets = reference.decoded!.offsets;
    const records = reference.decoded!.records;
    const i = 2000;
    assert.equal(records[i - 1].hd.rtype, RType.MBP_10);
    assert.equal(records[i].hd.rtype, RType.MBP_10);
    const at = offsets[i];
    for (const [what, change] of [
      ['rtype MBO (56 bytes) on a 368-byte record', (b: Uint8Array) => (b[at + 1] = RType.MBO)],
      ['length byte 93 (372 bytes) on an MBP-10', (b: Uint8Array) => (b[at] = 93)],
    ] as const) {
      const bad = new Uint8Array(stream); // a copy (a Buffer's slice is a view)
      change(bad);
      const expected = await seen(DbnDecoder.fromBytes(bad));
      assert.deepEqual(expected.error, { code: 'BAD_RECORD_LENGTH', offset: at }, what);
      const path = file('bad-in-run.dbn', bad);
      for (const readAhead of [
        { blockSize: 4096, depth: 2 },
        { blockSize: 1 << 20, depth: 2 },
        false,
      ] as const) {
        const dec = DbnDecoder.fromFile(path, { readAhead });
        let before = 0;
        const got = await (async () => {
          try {
            for await (const batch of dec) before += batch.count;
          } catch (e) {
            if (e instanceof DbnError) return { code: e.code, offset: e.offset };
            throw e;
          }
          return undefined;
        })();
        assert.deepEqual(
          got,
          { code: 'BAD_RECORD_LENGTH', offset: at },
          `${what}, read ahead ${JSON.stringify(readAhead)}`,
        );
        // Every record before the bad one is handed out before the error, and none after it.
        assert.equal(before, i, `${what}: records handed out before the error`);
      }
    }
  });

  test('stopping early releases the worker, and the next file reads in full', async () => {
    for (let round = 0; round < 3; round++) {
      const dec = DbnDecoder.fromFile(zst, { readAhead: { blockSize: 4096, depth: 2 } });
      let n = 0;
      for await (const batch of dec) {
        n += batch.count;
        if (n > 100) break;
      }
      assert.ok(n > 100);
    }
    sameAs(
      await seen(DbnDecoder.fromFile(zst, { readAhead: { blockSize: 8192, depth: 4 } })),
      reference,
      'after early stops',
    );
  });

  test('files read one after another reuse the blocks of those before, and read the same', async () => {
    // Three blocks a file: without reuse, five files would hand out fifteen block buffers.
    const size = { blockSize: 65536 + 8, depth: 3 };
    for (const path of [plain, zst]) {
      const buffers = new Set<ArrayBufferLike>();
      for (let k = 0; k < 5; k++) {
        const dec = DbnDecoder.fromFile(path, { readAhead: size });
        let records = 0;
        for await (const batch of dec) {
          buffers.add(batch.bytes.buffer);
          records += batch.count;
        }
        assert.equal(records, reference.decoded!.records.length, `${path}, read ${k + 1}`);
        await blocksBack(size.blockSize, path === zst);
      }
      assert.ok(buffers.size <= 4, `${path}: ${buffers.size} block buffers over five reads`);
    }
    // The reuse changes nothing a reader sees.
    sameAs(await seen(DbnDecoder.fromFile(zst, { readAhead: size })), reference, 'zstd, reused blocks');
    sameAs(await seen(DbnDecoder.fromFile(plain, { readAhead: size })), reference, 'plain, reused blocks');
  });

  test('a decoder closed before its end stops reading ahead and gives its blocks back', async () => {
    // As a replay stopped at --to closes its decoders: a worker left waiting for the decoder to
    // take its next block would hold its thread and its blocks for good.
    const size = { blockSize: 65536 + 24, depth: 3 };
    for (const path of [plain, zst]) {
      const dec = DbnDecoder.fromFile(path, { readAhead: size });
      const it = dec[Symbol.asyncIterator]();
      assert.equal((await it.next()).done, false);
      await dec.close();
      await blocksBack(size.blockSize, path === zst);
      sameAs(await seen(DbnDecoder.fromFile(path, { readAhead: size })), reference, `${path} after a stop`);
    }
  });

  test('every fixture file reads the same with and without read-ahead', async () => {
    const files = dbnFixtureNames().map((name) => ({
      path: fixture('dbn', name),
      opts: fixtureOptions(name),
    }));
    files.push({ path: fixture('dbn-real', 'glbx-mdp3-esm4-20240508T000000-000002.mbo.dbn.zst'), opts: {} });
    for (const { path, opts } of files) {
      for (const upgrade of [false, true]) {
        const o: DecoderOptions = { ...opts, upgrade };
        const expected = await seen(DbnDecoder.fromBytes(new Uint8Array(readFileSync(path)), o));
        const got = await seen(DbnDecoder.fromFile(path, { ...o, readAhead: { blockSize: 4096, depth: 2 } }));
        sameAs(got, expected, `${path}${upgrade ? ' (upgraded)' : ''}`);
      }
    }
  });
});

/**
 * A copy of a one-frame zstd stream whose block holding the middle byte is given the reserved block
 * type (3): corrupt wherever that block lies, unlike a flipped byte, which can land in literals
 * and decompress to other bytes without an error when the frame has no checksum.
 */
function breakMiddleBlock(z: Uint8Array): Uint8Array {
  const b = new Uint8Array(z); // a copy, also of a Buffer
  assert.equal(new DataView(b.buffer).getUint32(0, true), 0xfd2fb528, 'a zstd frame');
  const fhd = b[4];
  const single = (fhd >> 5) & 1;
  const fcs = [single, 2, 4, 8][fhd >> 6];
  let p = 5 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3] + fcs;
  for (;;) {
    const head = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
    // A raw or compressed block holds its size in bytes; an RLE block (type 1) holds one byte.
    const size = ((head >> 1) & 3) === 1 ? 1 : head >> 3;
    if (p + 3 + size > b.length / 2 || head & 1) {
      b[p] |= 3 << 1;
      return b;
    }
    p += 3 + size;
  }
}
